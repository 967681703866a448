"""THOR event metadata: the per-agent dict the client wraps in ``ai2thor.server.Event``.

Object dicts are shallow copies with the per-step keys (visible, isInteractable, distance)
filled in; nested values are never mutated afterwards (see geometry.translate_object), so a
returned event stays a snapshot. Only plain lists/dicts/floats: msgpack round-trips it exactly.
"""
from __future__ import annotations

from . import geometry
from .world import World

# Keys THOR 5 sends that this player has no content for: always their empty value.
_EMPTY = {"actionFloatReturn": 0.0, "actionFloatsReturn": [], "actionIntReturn": 0,
          "actionStringsReturn": [], "actionVector3sReturn": [], "distances": [],
          "flatSurfacesOnGrid": [], "isOpenableGrid": [], "normals": [], "objectIdsInBox": [],
          "segmentedObjectIds": []}
CAMERA_ORTH_SIZE = 5.0  # Unity's default orthographic size; the agent camera is perspective


def objects_metadata(w: World, use_filter: bool = False) -> list[dict]:
    """Every object with the per-step keys; ``use_filter``: only SetObjectFilter's ids."""
    ids, vis, dist = w.visibility()
    objs = w.objects
    keep = w.object_filter if use_filter else None
    out = []
    for oid, v, d in zip(ids, vis.tolist(), dist.tolist()):
        if keep is not None and oid not in keep:
            continue
        o = objs[oid].copy()
        o["visible"] = v
        o["isInteractable"] = v
        o["distance"] = d
        # THOR 5 spells temperature both ways; visible things are never "obstructed" here
        o["ObjectTemperature"] = o["temperature"]
        o["obstructed"] = False
        out.append(o)
    return out


def _vec(v) -> dict:
    return {"x": float(v[0]), "y": float(v[1]), "z": float(v[2])}


def held_object_pose(w: World) -> dict:
    """The hand: world pose of what it holds (or would hold), and the same relative to the
    agent (localPosition: right, up, ahead from the camera)."""
    key = (w.held, w.version, w.x, w.z, w.yaw, w.standing, tuple(w.hand),
           w.hand_rotation.tobytes())
    cached = getattr(w, "_hand_pose", None)
    if cached is None or cached[0] != key:  # the Euler angles cost more than the rest
        pos = w.objects[w.held]["position"] if w.held is not None else _vec(w.hand_position())
        cached = (key, {"position": dict(pos),
                        "rotation": _vec(geometry.euler_angles(w.hand_world_rotation())),
                        "localPosition": _vec(w.hand),
                        "localRotation": _vec(geometry.euler_angles(w.hand_rotation))})
        w._hand_pose = cached
    return {k: dict(v) for k, v in cached[1].items()}


def agent_metadata(w: World) -> dict:
    return {"name": "agent", "position": {"x": w.x, "y": w.agent_y, "z": w.z},
            "rotation": {"x": 0.0, "y": w.yaw, "z": 0.0}, "cameraHorizon": w.horizon,
            "isStanding": None if w.params.agent_mode in ("locobot", "drone") else w.standing,
            "inHighFrictionArea": False}


def event_metadata(w: World, action: str, success: bool, error: str, code: str,
                   action_return, collided: bool = False) -> dict:
    cam = w.camera().tolist()
    inventory = []
    if w.held is not None:
        h = w.objects[w.held]
        inventory = [{"objectId": h["objectId"], "objectType": h["objectType"]}]
    p = w.params
    hand = held_object_pose(w)
    return {
        "objects": objects_metadata(w, use_filter=True),
        "agent": agent_metadata(w),
        "heldObjectPose": hand,
        "hand": hand,  # THOR's older name for heldObjectPose
        "inventoryObjects": inventory,
        "cameraPosition": {"x": cam[0], "y": cam[1], "z": cam[2]},
        "fov": p.fov,
        "isSceneAtRest": True,
        "sceneName": w.scene.name + "_physics",
        "lastAction": action,
        "lastActionSuccess": success,
        "errorMessage": error,
        "errorCode": code or None,  # Unity sends null unless the failure has a code
        "actionReturn": action_return,
        "collided": collided,
        "collidedObjects": [],
        "sceneBounds": w.scene.scene_bounds,
        "screenWidth": p.width,
        "screenHeight": p.height,
        "thirdPartyCameras": [],
        "agentId": 0,
        "colors": None,
        "colorBounds": None,
        "visibleRange": None,
        "currentTime": 0.0,
        "cameraOrthSize": CAMERA_ORTH_SIZE,
        **{k: (list(v) if isinstance(v, list) else v) for k, v in _EMPTY.items()},
    }
