"""Read-only queries over one ground-truth simulator snapshot.

Snapshot format (what the simulator, never the agent's memory, reports after a step)::

    {"objects": [<THOR object metadata>, ...],   # objectId, objectType, parentReceptacles,
                                                  # receptacleObjectIds, isSliced, isCooked, ...
     "alfred": {objectId: {"cleaned": bool, "heated": bool, "cooled": bool}},  # optional
     "agent": {...},                              # optional, unused here
     "inventoryObjects": [{"objectId": ..., "objectType": ...}]}               # optional

Type matching rules (documented in ``suites/ALFRED_L_CLEANING.md`` as well):

* types compare case-insensitively;
* a piece counts as its source: ``AppleSliced`` / ``EggCracked`` match ``Apple`` / ``Egg``,
  and so does any object whose objectId ends in a piece part (``Apple|..|AppleSliced_0``);
  a goal naming the piece type itself (``TomatoSliced``) matches only pieces;
* containment is transitive through portable receptacles only (an apple on a plate in the
  fridge is in the fridge; a counter THOR reports inside a sink basin does not put its
  contents in the sink);
* receptacle aliases (:data:`RECEPTACLE_ALIASES`): THOR keeps things *in* the basin part of a
  sink or bathtub (``Sink|..|SinkBasin`` has type ``SinkBasin``), so a receptacle type
  ``Sink`` also accepts ``SinkBasin`` and ``Bathtub`` also accepts ``BathtubBasin``.

>>> w = World({"objects": [
...     {"objectId": "Fridge|1", "objectType": "Fridge", "receptacleObjectIds": ["Plate|2"]},
...     {"objectId": "Plate|2", "objectType": "Plate", "parentReceptacles": ["Fridge|1"]},
...     {"objectId": "Apple|3|AppleSliced_0", "objectType": "AppleSliced",
...      "parentReceptacles": ["Plate|2"]}]})
>>> sorted(w.ancestors("Apple|3|AppleSliced_0"))
['Fridge|1', 'Plate|2']
>>> [o["objectId"] for o in w.of_type("apple")]
['Apple|3|AppleSliced_0']
"""
from __future__ import annotations

from typing import Any, Iterator

from karma_domain.goals import type_key
from karma_domain import pieces

# Receptacle goal type -> extra object types that count as it (see module docstring).
RECEPTACLE_ALIASES: dict[str, frozenset[str]] = {
    "sink": frozenset({"sinkbasin"}),
    "bathtub": frozenset({"bathtubbasin"}),
}

# The piece rule (slices, the cracked egg) is the domain's: karma_domain.pieces.


def source_type(obj: dict) -> str:
    """Type of the object a piece was made from (the object's own type otherwise).

    >>> source_type({"objectId": "Bread|+1|+0|+2|BreadSliced_3", "objectType": "BreadSliced"})
    'Bread'
    >>> source_type({"objectId": "Sink|+1|+0|+2|SinkBasin", "objectType": "SinkBasin"})
    'SinkBasin'
    """
    oid = obj.get("objectId", "")
    src = pieces.source_id(oid)
    if src != oid:
        return src.split("|")[0]
    return pieces.base_type(obj.get("objectType", ""))


def is_piece(obj: dict) -> bool:
    """True for slices and cracked eggs."""
    return source_type(obj) != obj.get("objectType", "")


def source_id(obj: dict) -> str:
    """Identity used when counting distinct objects: a piece counts as its source object.

    >>> source_id({"objectId": "Apple|1|2|3|AppleSliced_0", "objectType": "AppleSliced"})
    'Apple|1|2|3'
    """
    return pieces.source_id(obj.get("objectId", ""))


class World:
    """Index over one snapshot: objects by id, containment closure, inventory."""

    def __init__(self, snapshot: dict[str, Any]):
        self.snapshot = snapshot
        self.objects: dict[str, dict] = {}
        for o in snapshot.get("objects") or []:
            if isinstance(o, dict) and o.get("objectId"):
                self.objects[o["objectId"]] = o
        inventory = [i for i in snapshot.get("inventoryObjects") or [] if isinstance(i, dict)]
        for item in inventory:
            # A held object may be missing from "objects" in a partial snapshot.
            if item.get("objectId") and item["objectId"] not in self.objects:
                self.objects[item["objectId"]] = dict(item, isPickedUp=True)
        self.alfred: dict[str, dict] = snapshot.get("alfred") or {}
        # Parents from both directions: THOR reports parentReceptacles on the child and
        # receptacleObjectIds on the parent; either may be missing in a hand-built or
        # partial snapshot, and a union is never wrong.
        self._parents: dict[str, set[str]] = {oid: set() for oid in self.objects}
        for oid, o in self.objects.items():
            for p in o.get("parentReceptacles") or []:
                self._parents[oid].add(p)
            for c in o.get("receptacleObjectIds") or []:
                self._parents.setdefault(c, set()).add(oid)
        self._ancestors: dict[str, frozenset[str]] = {}
        held = {i.get("objectId") for i in inventory}
        held |= {oid for oid, o in self.objects.items() if o.get("isPickedUp")}
        self.held: frozenset[str] = frozenset(h for h in held if h)

    def of_type(self, name: str) -> Iterator[dict]:
        """Objects matching goal type ``name`` (pieces count as their source)."""
        key = type_key(name)
        for o in self.objects.values():
            if type_key(o.get("objectType", "")) == key or type_key(source_type(o)) == key:
                yield o

    def is_receptacle_type(self, obj: dict, name: str) -> bool:
        """Whether ``obj`` counts as a receptacle of goal type ``name`` (aliases included)."""
        key = type_key(name)
        t = type_key(obj.get("objectType", ""))
        return t == key or t in RECEPTACLE_ALIASES.get(key, ())

    def _carried(self, oid: str) -> bool:
        # Only a portable receptacle (plate, pot, box) carries its contents somewhere else.
        # THOR also reports static receptacles inside each other (FloorPlan28's CounterTop
        # has parentReceptacles [SinkBasin]); following those would put everything on that
        # counter "in the sink". Hand-built snapshots without the key are followed.
        return bool(self.objects.get(oid, {}).get("pickupable", True))

    def ancestors(self, oid: str) -> frozenset[str]:
        """Every receptacle holding ``oid`` directly or through portable receptacles."""
        if oid in self._ancestors:
            return self._ancestors[oid]
        seen: set[str] = set()
        stack = list(self._parents.get(oid, ()))
        while stack:  # iterative, and `seen` guards against cycles in bad snapshots
            p = stack.pop()
            if p in seen or p == oid:
                continue
            seen.add(p)
            if self._carried(p):
                stack.extend(self._parents.get(p, ()))
        self._ancestors[oid] = frozenset(seen)
        return self._ancestors[oid]

    def flags(self, oid: str) -> dict:
        """ALFRED bookkeeping flags of ``oid`` (cleaned/heated/cooled), empty when unknown."""
        f = self.alfred.get(oid)
        return f if isinstance(f, dict) else {}
