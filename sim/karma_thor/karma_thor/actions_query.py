"""Queries that change nothing in the world: object filter, interactable poses, raycasts.

``SetObjectFilter(objectIds)`` limits the objects reported in metadata (the world keeps all of
them; actions still see everything); ``ResetObjectFilter`` reports all again.
``GetInteractablePoses(objectId, positions, rotations, horizons, standings, maxDistance,
maxPoses)`` -> [{x, y, z, rotation, horizon, standing}] from which the object is interactable.
``GetCoordinateFromRaycast(x, y)`` -> {x, y, z}: the first surface at that screen point.
"""
from __future__ import annotations

from .actions import ActionError, action, number, require, screen_point
from .world import World

_HORIZONS = (-30.0, 0.0, 30.0, 60.0)


@action("SetObjectFilter", params=("objectIds",))
def set_filter(w: World, args: dict) -> None:
    ids = args.get("objectIds")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ActionError("objectIds must be a list of object ids", "InvalidArgument")
    w.object_filter = set(ids)


@action("ResetObjectFilter", params=())
def reset_filter(w: World, args: dict) -> None:
    w.object_filter = None


@action("GetCoordinateFromRaycast", params=("x", "y"))
def coordinate_from_raycast(w: World, args: dict) -> dict:
    require(args, "x", "y")
    _, p = w.raycast(*screen_point(args))
    return {"x": float(p[0]), "y": float(p[1]), "z": float(p[2])}


def _floats(args: dict, name: str, default: tuple) -> list:
    v = args.get(name)
    if v is None:
        return list(default)
    if not isinstance(v, list):
        raise ActionError(f"{name} must be a list", "InvalidArgument")
    return [number({name: x}, name, 0.0) for x in v]


@action("GetInteractablePoses", params=("objectId", "positions", "rotations", "horizons",
                                        "standings", "maxDistance", "maxPoses"))
def interactable_poses(w: World, args: dict) -> list[dict]:
    require(args, "objectId")
    oid = args["objectId"]
    if not isinstance(oid, str) or oid not in w.objects:
        raise ActionError("Object ID appears to be invalid.")
    step = w.params.rotate_step
    rotations = [r % 360.0 for r in _floats(args, "rotations",
                                            tuple(i * step for i in range(int(360 // step))))]
    horizons = _floats(args, "horizons", _HORIZONS)
    standings = args.get("standings")
    standings = [True, False] if standings is None else [bool(s) for s in standings]
    if w.params.agent_mode in ("locobot", "drone"):
        standings = [True]
    positions = args.get("positions")
    if positions is None:
        cells = [(x, z) for x, z in w.scene.reachable]
    else:
        cells = [(number(p, "x", 0.0), number(p, "z", 0.0)) for p in positions]
    max_poses = args.get("maxPoses")
    max_poses = None if max_poses is None else int(number(args, "maxPoses", 0))
    if max_poses is not None and max_poses <= 0:
        raise ActionError("maxPoses must be > 0")
    p = w.params
    reach = number(args, "maxDistance", p.visibility_distance)
    saved = (w.x, w.z, w.yaw, w.horizon, w.standing, p.visibility_distance)
    out: list[dict] = []
    try:
        p.visibility_distance = reach
        for x, z in cells:
            for standing in standings:
                for yaw in rotations:
                    for horizon in horizons:
                        w.x, w.z, w.yaw, w.horizon, w.standing = x, z, yaw, horizon, standing
                        if w.is_visible(oid):
                            out.append({"x": x, "y": w.agent_y, "z": z, "rotation": yaw,
                                        "horizon": horizon, "standing": standing})
                            if max_poses is not None and len(out) >= max_poses:
                                return out
    finally:
        w.x, w.z, w.yaw, w.horizon, w.standing, p.visibility_distance = saved
    return out
