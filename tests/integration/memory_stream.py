"""A small scripted perception stream for the inspector's integration tests (test process side).

``Stream(ros_node)`` creates the publishers of the memory's inputs and a latched scene-graph
subscriber; ``frame(t, objects, look=None)`` publishes one perception frame stamped ``t``
(``look``: an observer pose looking along -y from (x, y, z); frame map, REP-103, z up);
``wait_graph(pred)`` spins until a received scene graph satisfies ``pred(nodes)`` (nodes by id, attributes as a dict).
"""
from __future__ import annotations

import math

from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Point32, Polygon
from karma_interfaces.msg import (KeyValue, NavigableMap, ObjectObservation, ObjectObservationArray,
                                  RobotState, SceneGraph)
from karma_memory_ros.conversions import to_time
from karma_ros_common.qos import LATCHED, RELIABLE_EVENTS


def ob(label, iid, pos, size=(0.1, 0.1, 0.1), rec=False, parent="", states=None):
    return dict(label=label, id=iid, pos=pos, size=size, rec=rec, parent=parent, states=states or {})


KITCHEN = [ob("CounterTop", "CounterTop|1", (1.0, 1.0, 0.9), (2.0, 0.6, 0.1), rec=True),
           ob("Fridge", "Fridge|1", (4.0, 1.0, 0.9), (0.8, 0.8, 1.8), rec=True)]


class Stream:
    def __init__(self, ros_node):
        self.node = ros_node
        # Reliable to the sensor-data subscribers (they get it best effort): no loss on loopback
        # at this rate, so a recording holds every frame the memory applied.
        self.perception = ros_node.create_publisher(ObjectObservationArray, "/karma/perception/objects",
                                                    RELIABLE_EVENTS)
        self.robot = ros_node.create_publisher(RobotState, "/karma/robot_state", LATCHED)
        self.map = ros_node.create_publisher(NavigableMap, "/karma/map/navigable", LATCHED)
        self.graphs: list[SceneGraph] = []
        ros_node.create_subscription(SceneGraph, "/karma/scene_graph", self.graphs.append, LATCHED)
        self.diag: dict[str, dict[str, str]] = {}
        ros_node.create_subscription(DiagnosticArray, "/karma/diagnostics", self._on_diag, 50)

    def _on_diag(self, msg) -> None:
        for st in msg.status:
            self.diag.setdefault(st.name.rsplit("/", 1)[-1], {}).update({kv.key: kv.value for kv in st.values})

    def recorded(self, topic: str) -> int:
        """How many messages of ``topic`` the recorder node reported writing."""
        return int(self.diag.get("recorder_node", {}).get(f"recorded.{topic}", 0))

    def wait_recorded(self, topic: str, n: int, timeout: float = 30.0) -> None:
        ok = self.node.spin_until(lambda: self.recorded(topic) >= n, timeout)
        assert ok, f"the recorder reported {self.recorded(topic)} of {n} messages on {topic}"

    def wait_subscribers(self, n: int, timeout: float = 60.0) -> bool:
        pubs = (self.perception, self.robot, self.map)
        return self.node.spin_until(lambda: all(p.get_subscription_count() >= n for p in pubs), timeout)

    def kitchen_map(self, t: float) -> None:
        m = NavigableMap(room_names=["kitchen"], place_type="house")
        m.header.stamp, m.header.frame_id = to_time(t), "map"
        m.room_outlines = [Polygon(points=[Point32(x=float(x), y=float(y), z=0.0) for x, y in
                                           ((0, 0), (6, 0), (6, 4), (0, 4))])]
        self.map.publish(m)

    def hand_empty(self, t: float) -> None:
        r = RobotState(hand_state=RobotState.HAND_EMPTY)
        r.header.stamp, r.header.frame_id = to_time(t), "map"
        r.base_pose.orientation.w = 1.0
        self.robot.publish(r)

    def frame(self, t: float, objects: list[dict], look=None, source: str = "test_cam") -> None:
        a = ObjectObservationArray(source=source)
        a.header.stamp, a.header.frame_id = to_time(t), "map"
        if look is not None:   # a body-frame camera at `look`, yaw -90 deg: looking along -y
            a.observer_pose.position.x, a.observer_pose.position.y, a.observer_pose.position.z = look
            s = math.sqrt(0.5)
            a.observer_pose.orientation.z, a.observer_pose.orientation.w = -s, s
            a.observer_convention = ObjectObservationArray.OBSERVER_BODY
            a.fov_deg, a.max_range = 90.0, 5.0
        for o in objects:
            m = ObjectObservation(instance_id=o["id"], label=o["label"], confidence=0.9,
                                  parent_id=o["parent"], is_receptacle=o["rec"])
            m.pose.position.x, m.pose.position.y, m.pose.position.z = map(float, o["pos"])
            m.pose.orientation.w = 1.0
            m.size.x, m.size.y, m.size.z = map(float, o["size"])
            m.states = [KeyValue(key=k, value=v) for k, v in o["states"].items()]
            a.observations.append(m)
        self.perception.publish(a)

    @staticmethod
    def nodes(msg) -> dict:
        return {n.id: dict(type=n.type, layer=n.layer, x=n.position.x, y=n.position.y, z=n.position.z,
                           **{kv.key: kv.value for kv in n.attributes}) for n in msg.nodes}

    def wait_graph(self, pred, timeout: float = 30.0) -> bool:
        ok = self.node.spin_until(lambda: bool(self.graphs) and pred(self.nodes(self.graphs[-1])), timeout)
        assert ok, f"graph never matched; last: {self.nodes(self.graphs[-1]) if self.graphs else None}"
        return ok
