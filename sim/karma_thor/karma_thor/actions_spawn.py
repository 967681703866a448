"""InitialRandomSpawn: THOR's seeded shuffle of the pickupable objects over the receptacles.

Each pickupable object (not held, not excluded) goes to a receptacle drawn with
``random.Random(randomSeed)`` among those that accept it (ALFRED's rules, as PutObject);
closed containers take things too, as in THOR, which spawns inside cabinets.
"""
from __future__ import annotations

import random

from .actions import ActionError, action, number
from .actions_object import accepts, place_in
from .world import World


@action("InitialRandomSpawn", params=("randomSeed", "forceVisible", "numPlacementAttempts",
                                      "placeStationary", "numDuplicatesOfType",
                                      "excludedReceptacles", "excludedObjectIds", "allowFloor",
                                      "allowMoveable"))
def initial_random_spawn(w: World, args: dict) -> None:
    rng = random.Random(int(number(args, "randomSeed", 0)))
    excluded_types = set(args.get("excludedReceptacles") or [])
    excluded_ids = set(args.get("excludedObjectIds") or [])
    if not all(isinstance(v, str) for v in excluded_types | excluded_ids):
        raise ActionError("excludedReceptacles / excludedObjectIds must list strings",
                          "InvalidArgument")
    items = sorted(oid for oid, o in w.objects.items()
                   if o["pickupable"] and oid != w.held and oid not in excluded_ids)
    moving = set(items)
    for oid in items:
        inside = set(w.descendants(oid)) | {oid}
        otype = w.objects[oid]["objectType"]
        spots = sorted(rid for rid, r in w.objects.items()
                       if r["receptacle"] and rid not in inside and rid not in moving
                       and r["objectType"] not in excluded_types and r["objectType"] != "Floor"
                       and accepts(r["objectType"], otype))
        if spots:
            place_in(w, oid, rng.choice(spots))
