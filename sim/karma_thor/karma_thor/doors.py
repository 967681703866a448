"""Opening changes an object's reported bounding box, as in Unity, where the box follows the
swinging door: an opened piece of furniture reports its body box grown towards the room by
``openness`` times its door width. The body box stays what placing, catching and hiding use
(``World.box``), so opening never moves what is inside.

>>> from .world import World
>>> w = World("FloorPlan1"); f = "Fridge|-02.10|+00.00|+01.07"
>>> before = w.objects[f]["axisAlignedBoundingBox"]["size"]
>>> w.objects[f].update(openness=1.0, isOpen=True); swing(w, f)
>>> w.objects[f]["axisAlignedBoundingBox"]["size"] != before
True
>>> w.objects[f].update(openness=0.0, isOpen=False); swing(w, f)
>>> w.objects[f]["axisAlignedBoundingBox"]["size"] == before
True
"""
from __future__ import annotations

from . import geometry
from .world import World


def swing(w: World, oid: str) -> None:
    o = w.objects[oid]
    if o["pickupable"] or o["moveable"]:
        return  # boxes, laptops, books: their lids move with them; keep their box
    body = w.body.pop(oid, None) or o["axisAlignedBoundingBox"]
    if not o["isOpen"] or o["openness"] <= 0:
        o["axisAlignedBoundingBox"] = body
        w.changed()
        return
    w.body[oid] = body
    c, s = dict(body["center"]), dict(body["size"])
    room = w.scene.scene_bounds["center"]
    # the door is on the side facing the room: the horizontal axis along which the body is
    # thinner, towards the room centre; it sweeps about its own width
    axis, other = ("x", "z") if s["x"] <= s["z"] else ("z", "x")
    grow = o["openness"] * min(s[other], 1.0)
    side = 1.0 if room[axis] >= c[axis] else -1.0
    c[axis] += side * grow / 2
    s[axis] += grow
    o["axisAlignedBoundingBox"] = geometry.box_of(c, s)
    w.changed()
