"""THOR event metadata: the per-agent dict the client wraps in ``ai2thor.server.Event``.

Object dicts are shallow copies with the per-step keys (visible, isInteractable, distance)
filled in; nested values are never mutated afterwards (see geometry.translate_object), so a
returned event stays a snapshot. Only plain lists/dicts/floats: msgpack round-trips it exactly.
"""
from __future__ import annotations

from .world import World


def objects_metadata(w: World) -> list[dict]:
    ids, vis, dist = w.visibility()
    objs = w.objects
    out = []
    for oid, v, d in zip(ids, vis.tolist(), dist.tolist()):
        o = objs[oid].copy()
        o["visible"] = v
        o["isInteractable"] = v
        o["distance"] = d
        out.append(o)
    return out


def agent_metadata(w: World) -> dict:
    return {"name": "agent", "position": {"x": w.x, "y": w.agent_y, "z": w.z},
            "rotation": {"x": 0.0, "y": w.yaw, "z": 0.0}, "cameraHorizon": w.horizon,
            "isStanding": w.standing, "inHighFrictionArea": False}


def event_metadata(w: World, action: str, success: bool, error: str, code: str,
                   action_return, collided: bool = False) -> dict:
    cam = w.camera().tolist()
    inventory = []
    if w.held is not None:
        h = w.objects[w.held]
        inventory = [{"objectId": h["objectId"], "objectType": h["objectType"]}]
    p = w.params
    return {
        "objects": objects_metadata(w),
        "agent": agent_metadata(w),
        "heldObjectPose": None,
        "inventoryObjects": inventory,
        "cameraPosition": {"x": cam[0], "y": cam[1], "z": cam[2]},
        "fov": p.fov,
        "isSceneAtRest": True,
        "sceneName": w.scene.name + "_physics",
        "lastAction": action,
        "lastActionSuccess": success,
        "errorMessage": error,
        "errorCode": code,
        "actionReturn": action_return,
        "collided": collided,
        "collidedObjects": [],
        "sceneBounds": w.scene.scene_bounds,
        "screenWidth": p.width,
        "screenHeight": p.height,
        "thirdPartyCameras": [],
        "agentId": 0,
        "colors": [],
        "colorBounds": [],
        "visibleRange": p.visibility_distance,
        "currentTime": 0.0,
    }
