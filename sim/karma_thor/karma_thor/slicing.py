"""SliceObject: replace a sliceable object by THOR-style pieces.

Piece ids append ``|<Type>Sliced_<i>`` to the original id (``Egg`` -> ``EggCracked_0``); the
original gets isSliced=True and leaves the scene, like THOR deactivates it.

>>> piece_type("Apple"), PIECE_COUNTS["Apple"]
('AppleSliced', 8)
"""
from __future__ import annotations

from karma_domain.pieces import piece_type

from . import geometry
from .world import World

# type -> number of pieces slicing leaves (their type is the domain's piece rule)
PIECE_COUNTS = {"Apple": 8, "Bread": 11, "Tomato": 7, "Potato": 8, "Lettuce": 7, "Egg": 1}


def slice_object(w: World, oid: str) -> list[str]:
    """Slice ``oid`` in place and return the new piece ids (in metadata order)."""
    o = w.objects[oid]
    ptype, n = piece_type(o["objectType"]), PIECE_COUNTS.get(o["objectType"], 4)
    parent = w.parent_of(oid)
    box = o["axisAlignedBoundingBox"]
    c, s = box["center"], box["size"]
    along = "x" if s["x"] >= s["z"] else "z"  # cut across the longer side
    width = s[along] / n
    pieces = []
    for i in range(n):
        pid = f"{oid}|{ptype}_{i}"
        center = dict(c)
        center[along] = c[along] - s[along] / 2 + width * (i + 0.5)
        size = dict(s)
        size[along] = width
        piece = dict(o)
        piece.update(
            objectId=pid, objectType=ptype, name=f"{o['name']}_{ptype}_{i}",
            assetId="", sliceable=False, isSliced=False, breakable=False, pickupable=True,
            moveable=True, receptacle=False, receptacleObjectIds=None,
            cookable=ptype != "AppleSliced" and ptype != "LettuceSliced"
            and ptype != "TomatoSliced",
            mass=o["mass"] / n, parentReceptacles=[parent] if parent else None,
            position={"x": center["x"], "y": center["y"] - s["y"] / 2, "z": center["z"]},
            axisAlignedBoundingBox=geometry.box_of(center, size),
            objectOrientedBoundingBox=None, isPickedUp=False)
        pieces.append(piece)
    if parent is not None:
        rec = w.objects[parent]
        rec["receptacleObjectIds"] = [x for x in rec["receptacleObjectIds"] if x != oid] + [
            p["objectId"] for p in pieces]
    gone = w.objects.pop(oid)
    gone.update(isSliced=True, isBroken=gone["isBroken"] or o["objectType"] == "Egg")
    w.removed[oid] = gone
    for p in pieces:
        w.objects[p["objectId"]] = p
        w.alfred[p["objectId"]] = dict(w.alfred.get(oid, {"cleaned": False, "heated": False,
                                                          "cooled": False}))
    w.changed()
    return [p["objectId"] for p in pieces]
