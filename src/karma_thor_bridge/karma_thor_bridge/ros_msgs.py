"""Core values -> ROS messages for the bridge node (conversions only, no node logic).

Every pose, box and point leaves in REP-103 (frame ``map``, right-handed, z up): the simulator's
Unity axes are converted here through :mod:`karma_thor_bridge.frames`, and nowhere else.

Example::

    msg = observation_array(frame, stamp, 'map')       # perception.Frame -> ObjectObservationArray
    nav = navigable_map(scene_info, stamp, 'map')       # KarmaGetSceneInfo -> NavigableMap
"""
from __future__ import annotations

import json
import math

import numpy as np
from geometry_msgs.msg import Point, Pose, PoseStamped, Quaternion, Vector3
from karma_interfaces.msg import (KeyValue, NavigableMap, ObjectObservation, ObjectObservationArray,
                                  RobotState)
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from .frames import dict_to_map, orientation_to_map, size_to_map, to_map
from .perception import Frame, yaw_quaternion

SOURCE = 'thor_bridge'


def _pose(unity_pos, unity_quat) -> Pose:
    """A Unity pose as a REP-103 ``map`` pose (its +x is the Unity body's forward +z)."""
    pos, quat = to_map(unity_pos), orientation_to_map(unity_quat)
    return Pose(position=Point(x=float(pos[0]), y=float(pos[1]), z=float(pos[2])),
                orientation=Quaternion(x=float(quat[0]), y=float(quat[1]), z=float(quat[2]),
                                       w=float(quat[3])))


def _finite(v: float) -> float:
    return float(v) if math.isfinite(v) else 0.0


def observation_array(frame: Frame, stamp, frame_id: str) -> ObjectObservationArray:
    msg = ObjectObservationArray(header=Header(stamp=stamp, frame_id=frame_id), source=SOURCE,
                                 fov_deg=float(frame.fov_deg), max_range=float(frame.max_range),
                                 observer_convention=ObjectObservationArray.OBSERVER_BODY)
    msg.observer_pose = _pose(frame.camera_position, frame.camera_quaternion)
    for o in frame.objects:
        size = size_to_map(o.size)
        msg.observations.append(ObjectObservation(
            instance_id=o.instance_id[:256], label=o.label[:64], confidence=float(o.confidence),
            pose=_pose(o.position, yaw_quaternion(o.yaw_deg)),
            size=Vector3(x=_finite(size[0]), y=_finite(size[1]), z=_finite(size[2])),
            states=[KeyValue(key=k[:64], value=v[:256]) for k, v in sorted(o.states.items())],
            parent_id=o.parent_id[:256], is_receptacle=o.is_receptacle))
    return msg


def agent_pose(frame: Frame, stamp, frame_id: str) -> PoseStamped:
    return PoseStamped(header=Header(stamp=stamp, frame_id=frame_id),
                       pose=_pose(frame.agent_position, yaw_quaternion(frame.agent_yaw_deg)))


def base_pose(meta: dict, stamp, frame_id: str) -> PoseStamped:
    """The agent's base pose from THOR metadata (noise-free: a robot knows its odometry)."""
    agent = meta.get('agent') or {}
    p, r = agent.get('position') or {}, agent.get('rotation') or {}
    pos = (_finite(float(p.get('x', 0.0))), _finite(float(p.get('y', 0.0))), _finite(float(p.get('z', 0.0))))
    return PoseStamped(header=Header(stamp=stamp, frame_id=frame_id),
                       pose=_pose(pos, yaw_quaternion(_finite(float(r.get('y', 0.0))))))


def robot_state(hand_code: int, held_id: str, held_type: str, pose: PoseStamped) -> RobotState:
    """The robot's own state: the hand as the tracker knows it, the base at the agent pose."""
    return RobotState(header=pose.header, base_pose=pose.pose, hand_state=int(hand_code),
                      held_object_id=held_id[:256], held_object_type=held_type[:64],
                      arm_status=RobotState.ARM_IDLE)


def navigable_map(info: dict, stamp, frame_id: str) -> NavigableMap:
    pts = [Point(x=x, y=y, z=z) for x, y, z in (dict_to_map(p) for p in info.get('reachable') or [])]
    return NavigableMap(header=Header(stamp=stamp, frame_id=frame_id), reachable=pts,
                        place_type=str(info.get('roomType') or ''))


def image(rgb: np.ndarray, stamp, frame_id: str) -> Image:
    h, w = rgb.shape[:2]
    return Image(header=Header(stamp=stamp, frame_id=frame_id), height=h, width=w,
                 encoding='rgb8', is_bigendian=0, step=w * 3,
                 data=np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(f'{type(v).__name__} is not JSON serialisable')


def ground_truth_json(gt: dict) -> str:
    """``{"objects", "alfred", "agent", "inventoryObjects", ...}`` as JSON (numpy-safe)."""
    return json.dumps(gt, default=_plain)
