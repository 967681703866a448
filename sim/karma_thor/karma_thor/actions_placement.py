"""Placing an object at a point, as THOR's GetSpawnCoordinatesAboveReceptacle + PlaceObjectAtPoint.

THOR moves an object somewhere without the agent's hand in two steps: ask a receptacle for
free points above (or inside) it, then place the object at one of them; physics lets it
settle on whatever is below. Here the object lands on the receptacle whose box holds the point
(the innermost one: a plate on a counter rather than the counter), at the height ``place_in``
uses for that receptacle, and keeps what it holds. Used by the bridge's evaluation-only world
changes (a task's ``before``), which must work on a real THOR build too.
"""
from __future__ import annotations

from .actions import ActionError, action, flag, require, target
from .actions_object import place_in
from .effects import apply_effects
from .world import World, containers

# Fractions of the receptacle's extent, centre first: where spawn points are offered.
_GRID = (0.0, -0.3, 0.3)


def _box(o: dict) -> tuple[tuple[float, ...], tuple[float, ...]]:
    pts = o["axisAlignedBoundingBox"]["cornerPoints"]
    return (tuple(min(p[i] for p in pts) for i in range(3)),
            tuple(max(p[i] for p in pts) for i in range(3)))


@action("GetSpawnCoordinatesAboveReceptacle")
def spawn_coordinates(w: World, args: dict) -> list[dict]:
    """Points over a receptacle's surface (inside it, for containers), centre first."""
    rec = target(w, args, need_visible=not flag(args, "anywhere"))
    if not rec["receptacle"]:
        raise ActionError(f"{rec['objectId']} is not a receptacle.")
    lo, hi = _box(rec)
    c = [(a + b) / 2 for a, b in zip(lo, hi)]
    s = [b - a for a, b in zip(lo, hi)]
    y = lo[1] + 0.35 * s[1] if rec["objectType"] in containers() else hi[1] + 0.01
    return [{"x": c[0] + fx * s[0], "y": y, "z": c[2] + fz * s[2]} for fx in _GRID for fz in _GRID]


def _holder(w: World, oid: str, p: dict) -> str:
    """The receptacle whose box holds point ``p``: the one with the highest bottom."""
    skip = {oid, *w.descendants(oid)}
    best, best_lo = None, -1e9
    for rid, r in w.objects.items():
        if rid in skip or not r["receptacle"] or r["objectType"] == "Floor":
            continue
        lo, hi = _box(r)
        if lo[0] <= p["x"] <= hi[0] and lo[2] <= p["z"] <= hi[2] \
                and lo[1] - 0.05 <= p["y"] <= hi[1] + 0.3 and lo[1] > best_lo:
            best, best_lo = rid, lo[1]
    if best is None:
        raise ActionError("No valid receptacle below the point to place the object on.")
    return best


@action("PlaceObjectAtPoint")
def place_at_point(w: World, args: dict) -> None:
    require(args, "objectId", "position")
    o = target(w, args, need_visible=False)
    oid, p = o["objectId"], args["position"]
    if not isinstance(p, dict) or not all(isinstance(p.get(k), (int, float)) for k in "xyz"):
        raise ActionError("position must be {x, y, z}", "InvalidArgument")
    if not o["pickupable"]:
        raise ActionError(f"{oid} is not pickupable, so it cannot be placed.")
    if oid == w.held:
        raise ActionError(f"{oid} is in the agent's hand.")
    rid = _holder(w, oid, p)
    rec = w.objects[rid]
    if rec["objectType"] in containers() and not rec["isOpen"]:
        raise ActionError(f"{rid} is closed: the object cannot get inside.")
    place_in(w, oid, rid)
    box = o["axisAlignedBoundingBox"]
    bottom = box["center"]["y"] - box["size"]["y"] / 2
    w.move_center_to(oid, float(p["x"]), bottom, float(p["z"]))
    apply_effects(w)
