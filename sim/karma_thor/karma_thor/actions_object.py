"""Object interaction actions (pick up, put, open, toggle, slice, clean, fill, cook, ...).

Every target must exist and be visible unless ``forceAction``; receptacle compatibility follows
ALFRED's ``VAL_RECEPTACLE_OBJECTS``; appliance effects run after each action (effects.py).
"""
from __future__ import annotations

import numpy as np

from . import data, doors
from .actions import ActionError, action, flag, number, require, target
from .effects import apply_effects
from .slicing import slice_object
from .world import HAND_OFFSET, World, containers

# Receptacles whose contents sit inside them rather than on their top surface.
_INSIDE = {"SinkBasin", "BathtubBasin", "GarbageCan", "LaundryHamper", "Pot", "Pan", "Bowl",
           "Cup", "Mug", "Plate", "Toaster", "CoffeeMachine", "Sink", "Bathtub"}
_SPOTS = [(0, 0), (-.25, -.25), (.25, -.25), (-.25, .25), (.25, .25), (0, -.3), (0, .3),
          (-.3, 0), (.3, 0)]


def _held(w: World) -> dict:
    if w.held is None:
        raise ActionError("Can't place an object if Agent isn't holding anything.")
    return w.objects[w.held]


def accepts(rtype: str, otype: str) -> bool:
    """ALFRED's receptacle rules; types ALFRED does not know fall back to THOR (anything goes)."""
    rules, known = data.receptacle_rules()
    if rtype not in rules or otype not in known:
        return True
    return otype in rules[rtype]


def place_in(w: World, oid: str, rid: str) -> None:
    """Attach oid to rid and move it to a free spot on/in rid."""
    w.attach(oid, rid)
    rec = w.objects[rid]
    box = w.box(rid)
    c, s = box["center"], box["size"]
    others = [w.objects[k]["axisAlignedBoundingBox"]["center"] for k in w.children(rid) if k != oid]

    def crowd(spot: tuple[float, float]) -> float:
        x, z = c["x"] + spot[0] * s["x"], c["z"] + spot[1] * s["z"]
        return min((((o["x"] - x) ** 2 + (o["z"] - z) ** 2) ** .5 for o in others), default=9.0)

    spot = next((p for p in _SPOTS if crowd(p) > 0.08), max(_SPOTS, key=crowd))
    osize = w.objects[oid]["axisAlignedBoundingBox"]["size"]["y"]
    lo_y = c["y"] - s["y"] / 2
    if rec["objectType"] in containers() or rec["objectType"] in _INSIDE:
        # Tall containers (fridges) hold things around a third of their height, in view.
        bottom = lo_y + max(0.01, min(0.35 * s["y"], s["y"] - osize))
    else:
        bottom = lo_y + s["y"]
    w.move_center_to(oid, c["x"] + spot[0] * s["x"], bottom, c["z"] + spot[1] * s["z"])


@action("PickupObject")
def pickup(w: World, args: dict) -> None:
    if w.params.agent_mode == "arm":
        raise ActionError("The arm agent picks things up with PickupObject on its arm "
                          "(PickUpObject via the arm), which this player does not simulate.")
    o = target(w, args)
    oid = o["objectId"]
    if not o["pickupable"]:
        raise ActionError(f"{oid} must have the property pickupable set to true to be picked up.")
    if w.held is not None:
        raise ActionError("Agent hand must be empty before picking up another object. "
                          f"Agent is holding {w.held}.")
    w.detach(oid)
    o["isPickedUp"] = True
    w.held = oid
    w.hand, w.hand_rotation = list(HAND_OFFSET), np.eye(3)
    w.place_held()
    w.changed()


@action("PutObject", params=("objectId", "x", "y", "forceAction", "placeStationary",
                             "putNearXY"))
def put(w: World, args: dict) -> None:
    if args.get("objectId") is None and args.get("x") is None:
        require(args, "objectId")
    held = _held(w)
    rec = target(w, args)
    rid, force = rec["objectId"], flag(args, "forceAction")
    if not rec["receptacle"]:
        raise ActionError(f"{rid} is not a receptacle.")
    if rid == held["objectId"] or rid in w.descendants(held["objectId"]):
        raise ActionError("Can't place an object inside itself.")
    if rec["objectType"] in containers() and not rec["isOpen"]:
        raise ActionError("Target openable Receptacle is CLOSED, can't place if target is not open!")
    if not force and not accepts(rec["objectType"], held["objectType"]):
        raise ActionError(f"{held['objectType']} cannot be placed in/on {rec['objectType']} "
                          f"({rid}).")
    held["isPickedUp"] = False
    w.held = None
    place_in(w, held["objectId"], rid)
    apply_effects(w)


@action("DropHandObject", "DropHeldObject", "ThrowObject")
def drop(w: World, args: dict) -> None:
    held = _held(w)
    hid = held["objectId"]
    c = held["axisAlignedBoundingBox"]["center"]
    bottom = c["y"] - held["axisAlignedBoundingBox"]["size"]["y"] / 2
    skip = {hid, *w.descendants(hid)}
    best, best_top = w.floor_id, -1e9
    for rid, r in w.objects.items():  # the highest open surface under the hand catches it
        if not r["receptacle"] or rid in skip or r["objectType"] == "Floor":
            continue
        if r["objectType"] in containers() and not r["isOpen"]:
            continue
        pts = w.box(rid)["cornerPoints"]
        xs, ys, zs = [p[0] for p in pts], [p[1] for p in pts], [p[2] for p in pts]
        if min(xs) <= c["x"] <= max(xs) and min(zs) <= c["z"] <= max(zs) \
                and max(ys) <= bottom + 0.05 and max(ys) > best_top:
            best, best_top = rid, max(ys)
    held["isPickedUp"] = False
    w.held = None
    if best is None:
        w.changed()
        return
    if best == w.floor_id:
        w.attach(hid, best)
        w.move_center_to(hid, c["x"], w.agent_y - 0.9009997, c["z"])
    else:
        place_in(w, hid, best)
    apply_effects(w)


@action("OpenObject")
def open_(w: World, args: dict) -> None:
    o = target(w, args)
    if not o["openable"]:
        raise ActionError(f"{o['objectId']} is not an Openable object")
    if args.get("openness") is None and args.get("moveMagnitude") is not None:
        # THOR's older spelling: moveMagnitude is the openness, and 0 means fully open.
        openness = number(args, "moveMagnitude", 1.0) or 1.0
    else:
        openness = number(args, "openness", 1.0)
    if not 0.0 <= openness <= 1.0:
        raise ActionError(f"openness must be in [0:1], got {openness:g}")
    o["openness"], o["isOpen"] = openness, openness > 0
    doors.swing(w, o["objectId"])
    if o["objectType"] == "Microwave" and o["isToggled"]:
        o["isToggled"] = False  # THOR stops a microwave whose door opens
    w.changed()
    apply_effects(w)


@action("CloseObject")
def close(w: World, args: dict) -> None:
    o = target(w, args)
    if not o["openable"]:
        raise ActionError(f"{o['objectId']} is not an Openable object")
    if not o["isOpen"]:
        raise ActionError(f"{o['objectId']} is already closed.")
    o["openness"], o["isOpen"] = 0.0, False
    doors.swing(w, o["objectId"])
    w.changed()
    apply_effects(w)


@action("ToggleObjectOn", "ToggleObjectOff")
def toggle(w: World, args: dict) -> None:
    o = target(w, args)
    on = args["action"] == "ToggleObjectOn"
    if not o["toggleable"]:
        raise ActionError(f"{o['objectId']} is not a Toggleable object")
    if o["isToggled"] == on:
        raise ActionError(f"can't toggle object {'on' if on else 'off'} if it's already "
                          f"{'on' if on else 'off'}!")
    if on and o["objectType"] == "Microwave" and o["isOpen"]:
        raise ActionError("Target must be closed to Toggle On!")
    if on and o["isBroken"]:
        raise ActionError("Target is broken and cannot be toggled on!")
    o["isToggled"] = on
    for cid in o.get("controlledObjects") or []:  # stove knobs drive their burners
        if cid in w.objects:
            w.objects[cid]["isToggled"] = on
    apply_effects(w)


@action("SliceObject")
def slice_(w: World, args: dict) -> None:
    o = target(w, args)
    if not o["sliceable"]:
        raise ActionError(f"{o['objectId']} is not a sliceable object!")
    if o["objectId"] == w.held:
        raise ActionError("Can't slice an object while holding it.")
    slice_object(w, o["objectId"])
    apply_effects(w)


def _state(prop: str, value, name: str, key: str, already: str):
    """Handler setting one boolean state, guarded by the object's capability flag."""
    def handler(w: World, args: dict) -> None:
        o = target(w, args)
        if not o[prop]:
            raise ActionError(f"{o['objectId']} is not {name}.")
        if o[key] == value:
            raise ActionError(f"{o['objectId']} is already {already}.")
        o[key] = value
        if key == "isDirty" and not value:
            w.alfred[o["objectId"]]["cleaned"] = True
        apply_effects(w)
    return handler


action("CleanObject")(_state("dirtyable", False, "dirtyable", "isDirty", "clean"))
action("DirtyObject")(_state("dirtyable", True, "dirtyable", "isDirty", "dirty"))
action("CookObject")(_state("cookable", True, "cookable", "isCooked", "cooked"))
action("BreakObject")(_state("breakable", True, "breakable", "isBroken", "broken"))
action("UseUpObject")(_state("canBeUsedUp", True, "able to be used up", "isUsedUp", "used up"))


@action("FillObjectWithLiquid")
def fill(w: World, args: dict) -> None:
    require(args, "objectId", "fillLiquid")
    o = target(w, args)
    liquid = args["fillLiquid"]
    if liquid not in ("water", "coffee", "wine"):
        raise ActionError(f"fillLiquid must be water, coffee or wine, not {liquid!r}",
                          "InvalidArgument")
    if not o["canFillWithLiquid"]:
        raise ActionError(f"{o['objectId']} cannot be filled with liquid.")
    o["isFilledWithLiquid"], o["fillLiquid"] = True, liquid


@action("EmptyLiquidFromObject")
def empty(w: World, args: dict) -> None:
    o = target(w, args)
    if not o["canFillWithLiquid"]:
        raise ActionError(f"{o['objectId']} cannot be filled with liquid.")
    if not o["isFilledWithLiquid"]:
        raise ActionError(f"{o['objectId']} is already empty.")
    o["isFilledWithLiquid"], o["fillLiquid"] = False, None
