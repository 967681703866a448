"""KARMA extension actions (not in THOR): ground truth for evaluation and static scene info.

``KarmaGetGroundTruth`` -> {"objects": [metadata of every object, visible or not],
"removed": [objects gone from the scene, e.g. sliced originals], "alfred": {objectId:
{"cleaned", "heated", "cooled"}}, "agent": agent metadata, "heldObjectId": id or None,
"inventoryObjects": [{objectId, objectType}]} (the snapshot karma_bench.world reads).
``KarmaGetSceneInfo`` -> {"roomType", "sceneBounds", "reachable": [{x, y, z}],
"interactionPoses": {receptacleId: [x, z, yaw, horizon]}} for the non-pickupable receptacles.
"""
from __future__ import annotations

import math

from .actions import action
from .metadata import agent_metadata, objects_metadata
from .world import HORIZON_MAX, World

_HORIZONS = (-30.0, 0.0, 30.0, 60.0)


@action("KarmaGetGroundTruth")
def ground_truth(w: World, args: dict) -> dict:
    return {"objects": objects_metadata(w), "removed": [dict(o) for o in w.removed.values()],
            "alfred": {k: dict(v) for k, v in w.alfred.items()},
            "agent": agent_metadata(w), "heldObjectId": w.held,
            "inventoryObjects": [{"objectId": w.held, "objectType": w.objects[w.held]["objectType"]}]
            if w.held else []}


@action("KarmaGetSceneInfo")
def scene_info(w: World, args: dict) -> dict:
    if getattr(w, "_poses_for", None) != w.scene.name:
        w._poses = interaction_poses(w)
        w._poses_for = w.scene.name
    return {"roomType": w.scene.room_type, "sceneName": w.scene.name,
            "sceneBounds": w.scene.scene_bounds,
            "reachable": [{"x": x, "y": w.agent_y, "z": z} for x, z in w.scene.reachable],
            "interactionPoses": {k: list(v) for k, v in w._poses.items()}}


def interaction_poses(w: World) -> dict[str, list[float]]:
    """A pose from which each static receptacle is visible: alfworld's when it still works
    with this scene's objects, otherwise the nearest reachable point that sees it."""
    saved = (w.x, w.z, w.yaw, w.horizon, w.standing)
    out = {}
    try:
        for oid, o in w.objects.items():
            if not o["receptacle"] or o["pickupable"] or o["objectType"] == "Floor":
                continue
            alf = w.scene.alfworld_poses.get(oid)
            if alf and w.navigable(alf[0], alf[1]) and _sees(w, oid, *alf):
                out[oid] = list(alf)
                continue
            pose = _search(w, oid)
            if pose:
                out[oid] = pose
    finally:
        w.x, w.z, w.yaw, w.horizon, w.standing = saved
    return out


def _sees(w: World, oid: str, x: float, z: float, yaw: float, horizon: float) -> bool:
    w.x, w.z, w.yaw, w.horizon, w.standing = x, z, yaw % 360.0, horizon, True
    return w.is_visible(oid)


def _search(w: World, oid: str) -> list[float] | None:
    c = w.objects[oid]["axisAlignedBoundingBox"]["center"]
    pts = sorted(w.scene.reachable, key=lambda p: (p[0] - c["x"]) ** 2 + (p[1] - c["z"]) ** 2)
    for x, z in pts[:12]:
        yaw = (round(math.degrees(math.atan2(c["x"] - x, c["z"] - z)) / 90.0) * 90.0) % 360.0
        d = math.hypot(c["x"] - x, c["z"] - z)
        pitch = math.degrees(math.atan2(w.agent_y + 0.675 - c["y"], max(d, 1e-3)))
        for h in sorted(_HORIZONS, key=lambda h: abs(h - min(pitch, HORIZON_MAX))):
            if _sees(w, oid, x, z, yaw, h):
                return [x, z, yaw, h]
    return None
