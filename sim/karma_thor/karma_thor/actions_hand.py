"""Moving objects directly: the held object inside the hand, and TeleportObject.

``MoveHeldObject(ahead, right, up)`` shifts the hand (metres, agent frame);
``RotateHeldObject(pitch, yaw, roll)`` turns the held object relative to the agent, or sets that
rotation with ``rotation={x, y, z}``. The hand's pose is in ``heldObjectPose`` (metadata.py).
"""
from __future__ import annotations

import numpy as np

from . import geometry
from .actions import ActionError, action, flag, number, require
from .world import World

MAX_HAND_REACH = 1.5  # metres from the camera; Unity refuses moves out of its hand box


def _holding(w: World) -> dict:
    if w.held is None:
        raise ActionError("Can't move or rotate the held object: the agent holds nothing.")
    return w.objects[w.held]


@action("MoveHeldObject", "MoveHandDelta", params=("ahead", "right", "up", "forceVisible"))
def move_held(w: World, args: dict) -> None:
    _holding(w)
    delta = [number(args, k, 0.0) for k in ("right", "up", "ahead")]
    new = [h + d for h, d in zip(w.hand, delta)]
    if float(np.linalg.norm(new)) > MAX_HAND_REACH:
        raise ActionError("The hand can't reach that far from the agent.")
    w.hand = new
    w.place_held()


@action("RotateHeldObject", "RotateHand", params=("pitch", "yaw", "roll", "rotation"))
def rotate_held(w: World, args: dict) -> None:
    _holding(w)
    rot = args.get("rotation")
    if rot is not None:
        if not isinstance(rot, dict):
            raise ActionError("rotation must be a dict with x, y, z", "InvalidArgument")
        w.hand_rotation = geometry.rotation_matrix(*(number(rot, k, 0.0) for k in "xyz"))
    else:
        # Unity's roll is positive to the right, its z angle positive to the left.
        turn = geometry.rotation_matrix(number(args, "pitch", 0.0), number(args, "yaw", 0.0),
                                        -number(args, "roll", 0.0))
        w.hand_rotation = turn @ w.hand_rotation
    w.place_held()


@action("TeleportObject", params=("objectId", "position", "rotation", "forceAction",
                                  "forceKinematic", "makeUnbreakable", "allowTeleportOutOfHand"))
def teleport_object(w: World, args: dict) -> None:
    """Put an object at ``position`` (its pivot, like THOR) with ``rotation``; it leaves its
    receptacle. Without forceAction the point must be inside the scene bounds."""
    require(args, "objectId", "position")
    oid = args["objectId"]
    if not isinstance(oid, str) or oid not in w.objects:
        raise ActionError("Object ID appears to be invalid.")
    o = w.objects[oid]
    pos = args["position"]
    if not isinstance(pos, dict):
        raise ActionError("position must be a dict with x, y, z", "InvalidArgument")
    if oid == w.held and not flag(args, "allowTeleportOutOfHand"):
        raise ActionError("Can't teleport the held object (allowTeleportOutOfHand=False).")
    if not o["moveable"] and not o["pickupable"] and not flag(args, "forceAction"):
        raise ActionError(f"{oid} is neither moveable nor pickupable.")
    p = o["position"]
    target = [number(pos, k, p[k]) for k in "xyz"]
    if oid == w.held:
        w.held, o["isPickedUp"] = None, False
    w.detach(oid)
    w.move_subtree(oid, target[0] - p["x"], target[1] - p["y"], target[2] - p["z"])
    rot = args.get("rotation")
    if isinstance(rot, dict):
        o["rotation"] = {k: number(rot, k, o["rotation"][k]) for k in "xyz"}
