"""SliceObject: replace a sliceable object by THOR-style pieces.

Piece ids append ``|<Type>Sliced_<i>`` to the original id (``Egg`` -> ``EggCracked_0``); the
original gets isSliced=True and leaves the scene, like THOR deactivates it.

>>> PIECES["Apple"][0]
'AppleSliced'
"""
from __future__ import annotations

from . import geometry
from .world import World

# type -> (piece type, number of pieces)
PIECES = {"Apple": ("AppleSliced", 8), "Bread": ("BreadSliced", 11), "Tomato": ("TomatoSliced", 7),
          "Potato": ("PotatoSliced", 8), "Lettuce": ("LettuceSliced", 7), "Egg": ("EggCracked", 1)}


def slice_object(w: World, oid: str) -> list[str]:
    """Slice ``oid`` in place and return the new piece ids (in metadata order)."""
    o = w.objects[oid]
    piece_type, n = PIECES.get(o["objectType"], (o["objectType"] + "Sliced", 4))
    parent = w.parent_of(oid)
    box = o["axisAlignedBoundingBox"]
    c, s = box["center"], box["size"]
    along = "x" if s["x"] >= s["z"] else "z"  # cut across the longer side
    width = s[along] / n
    pieces = []
    for i in range(n):
        pid = f"{oid}|{piece_type}_{i}"
        center = dict(c)
        center[along] = c[along] - s[along] / 2 + width * (i + 0.5)
        size = dict(s)
        size[along] = width
        piece = dict(o)
        piece.update(
            objectId=pid, objectType=piece_type, name=f"{o['name']}_{piece_type}_{i}",
            assetId="", sliceable=False, isSliced=False, breakable=False, pickupable=True,
            moveable=True, receptacle=False, receptacleObjectIds=None,
            cookable=piece_type != "AppleSliced" and piece_type != "LettuceSliced"
            and piece_type != "TomatoSliced",
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
