"""The topics a recording holds by default: what the memory took in and what it answered.

Perception, consolidation, robot state and the map are the memory's inputs (replay feeds
them into a fresh memory); skill results, plans, memory usage, scene-graph snapshots and
markers are its outputs and context. Each QoS matches the stack's publisher of that topic
(a latched topic needs a transient-local subscriber to get the last message).
"""
from __future__ import annotations

import importlib

#: (topic, type name, QoS name in karma_ros_common.qos)
RECORDED = (
    ("/karma/perception/objects", "karma_interfaces/msg/ObjectObservationArray", "SENSOR_DATA"),
    ("/karma/ltm/consolidate", "karma_interfaces/msg/ObjectObservationArray", "RELIABLE_EVENTS"),
    ("/karma/robot_state", "karma_interfaces/msg/RobotState", "LATCHED"),
    ("/karma/map/navigable", "karma_interfaces/msg/NavigableMap", "LATCHED"),
    ("/karma/skill_results", "karma_interfaces/msg/SkillResult", "RELIABLE_EVENTS"),
    ("/karma/plan/log", "karma_interfaces/msg/PlanRecord", "RELIABLE_EVENTS"),
    ("/karma/memory_usage", "karma_interfaces/msg/MemoryUsage", "RELIABLE_EVENTS"),
    ("/karma/scene_graph", "karma_interfaces/msg/SceneGraph", "LATCHED"),
    ("/karma/scene_graph/markers", "visualization_msgs/msg/MarkerArray", "LATCHED"),
)
#: The long-term memory's inputs, in the roles the ltm_node gives them.
PERCEPTION, CONSOLIDATE = "/karma/perception/objects", "/karma/ltm/consolidate"
ROBOT_STATE, MAP, SCENE_GRAPH = "/karma/robot_state", "/karma/map/navigable", "/karma/scene_graph"
INPUTS = (PERCEPTION, CONSOLIDATE, ROBOT_STATE, MAP)


def type_of(topic: str) -> str:
    """The type name of a recorded topic; KeyError for one not in :data:`RECORDED`."""
    for t, type_name, _ in RECORDED:
        if t == topic:
            return type_name
    raise KeyError(topic)


def message_class(type_name: str):
    """The generated Python class of ``pkg/msg/Type`` (imports the interface package)."""
    pkg, kind, name = type_name.split("/")
    return getattr(importlib.import_module(f"{pkg}.{kind}"), name)
