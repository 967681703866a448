"""karma_thor_bridge: AI2-THOR <-> KARMA-ROS.

Core modules (no rclpy): ``backend`` (real THOR build / embedded player / in-process
simulator behind one ``step``), ``perception`` (what the robot sees in a frame), ``navigation``
(grid search), ``resolve`` (skill args -> simulator objects), ``skills`` (:class:`SkillRunner`),
with ``motion`` and ``macros`` as its parts, ``profiles`` (perception profiles in
config/perception), ``world_change`` (evaluation only: changes behind the robot's back).
ROS shell: ``bridge_node`` (+ ``ros_msgs``).

>>> from karma_thor_bridge.skills import SkillRunner
"""
