"""QoS profiles shared by the stack, so publishers and subscribers always match."""
from rclpy.qos import (DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy,
                       qos_profile_sensor_data)

#: Perception streams: best effort, keep the last few (rclpy's sensor-data profile).
SENSOR_DATA = qos_profile_sensor_data

#: Latched state (the scene graph): late joiners get the last message.
LATCHED = QoSProfile(depth=1, history=HistoryPolicy.KEEP_LAST,
                     reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)

#: Events that must not be lost (skill results, consolidation, memory usage).
RELIABLE_EVENTS = QoSProfile(depth=100, history=HistoryPolicy.KEEP_LAST,
                             reliability=ReliabilityPolicy.RELIABLE,
                             durability=DurabilityPolicy.VOLATILE)

#: A memory's subscription to a perception stream: best effort like SENSOR_DATA (so it matches
#: every sensor publisher), with a one-second backlog at 30 Hz instead of 5 messages, so a
#: burst of slow callbacks (a commit, a checkpoint, a busy CPU) delays frames instead of
#: dropping them.
SENSOR_BACKLOG = QoSProfile(depth=30, history=HistoryPolicy.KEEP_LAST,
                            reliability=ReliabilityPolicy.BEST_EFFORT,
                            durability=DurabilityPolicy.VOLATILE)
