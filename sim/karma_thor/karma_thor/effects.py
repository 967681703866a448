"""Appliance effects ALFRED relies on, applied after every object action.

THOR itself only changes temperatures and cooks things touching a heat source; ALFRED's
ground-truth flags (cleaned / heated / cooled) are kept in ``World.alfred``.

>>> from .world import World
>>> w = World("FloorPlan1"); apply_effects(w)  # nothing is switched on at the start
"""
from __future__ import annotations

from .world import World

BASIN_TYPES = ("SinkBasin", "BathtubBasin")


def _heat(w: World, oid: str, cook: bool = True) -> None:
    o = w.objects[oid]
    o["temperature"] = "Hot"
    w.alfred[oid]["heated"] = True
    if cook and o["cookable"]:
        o["isCooked"] = True


def _cool(w: World, oid: str) -> None:
    w.objects[oid]["temperature"] = "Cold"
    w.alfred[oid]["cooled"] = True


def _wash(w: World, oid: str) -> None:
    o = w.objects[oid]
    if o["dirtyable"]:
        o["isDirty"] = False
    w.alfred[oid]["cleaned"] = True
    if o["canFillWithLiquid"] and not o["isFilledWithLiquid"]:
        o["isFilledWithLiquid"], o["fillLiquid"] = True, "water"


def faucet_basin(w: World, faucet_id: str) -> str | None:
    """The basin of the same sink/tub: the nearest basin within 1.5 m on the floor plan."""
    f = w.objects[faucet_id]["position"]
    best, best_d = None, 1.5
    for oid, o in w.objects.items():
        if o["objectType"] in BASIN_TYPES:
            d = ((o["position"]["x"] - f["x"]) ** 2 + (o["position"]["z"] - f["z"]) ** 2) ** .5
            if d < best_d:
                best, best_d = oid, d
    return best


def apply_effects(w: World) -> None:
    """Run every appliance once over what it currently holds."""
    for oid, o in list(w.objects.items()):
        t, on = o["objectType"], o["isToggled"]
        if t == "Fridge":
            for c in w.descendants(oid):
                _cool(w, c)
        elif t == "Microwave" and on and not o["isOpen"]:
            for c in w.descendants(oid):
                _heat(w, c)
        elif t == "StoveBurner" and on:
            for c in w.descendants(oid):
                _heat(w, c, cook=w.objects[c]["objectType"] not in ("Pan", "Pot"))
        elif t == "Toaster" and on:
            for c in w.descendants(oid):
                _heat(w, c)
        elif t == "CoffeeMachine" and on:
            for c in w.descendants(oid):
                if w.objects[c]["canFillWithLiquid"]:
                    w.objects[c]["isFilledWithLiquid"] = True
                    w.objects[c]["fillLiquid"] = "coffee"
        elif t == "Faucet" and on:
            basin = faucet_basin(w, oid)
            if basin is not None:
                for c in w.descendants(basin):
                    _wash(w, c)
