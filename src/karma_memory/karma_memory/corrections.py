"""Operator corrections: add, move, relabel or delete an object or region by hand.

A corrected node gets provenance ``source = "operator"``. Perception then never silently
overwrites it: a later sighting refreshes its belief, last-seen time and states, but its
place, parent and type stay the operator's, and a disagreeing sighting is reported in
``UpdateReport.conflicts`` (and counted on the node as ``operator_conflicts``). Operator
objects are never pruned for being missed; operator regions survive a new map. A later
correction, or deleting the node, is the only way to change it.

>>> from karma_memory import SceneGraph
>>> g = SceneGraph()
>>> c = correct(g, Correction(ADD, type="Mug", position=(1.0, 2.0, 0.9)), stamp=5.0)
>>> c, g.get("Mug_1").source
('Mug_1', 'operator')
>>> _ = correct(g, Correction(MOVE, "Mug_1", position=(3.0, 2.0, 0.9)))
>>> g.get("Mug_1").position
(3.0, 2.0, 0.9)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from karma_memory.observation import Observation
from karma_domain.text import LabelError, clean_text, validate_id
from karma_memory.scene_graph import OPERATOR, REGION_PREFIX, SceneGraph

#: Operations (karma_interfaces/srv/CorrectMemory.srv uses the same numbers).
ADD, MOVE, RELABEL, DELETE = 1, 2, 3, 4
OPERATIONS = {ADD: "add", MOVE: "move", RELABEL: "relabel", DELETE: "delete"}


class CorrectionError(ValueError):
    """A correction that cannot be applied; memory is unchanged."""


@dataclass
class Correction:
    """One hand correction. ``target``: the node id (``region:<name>`` for a region; for ADD
    of an object optional, minted from the type when empty). ``position``/``size`` in metres
    (None: keep / unknown), ``parent``: receptacle id, ``polygon``: a region's ground-plane ``[(x, y)]``."""

    op: int
    target: str = ""
    type: str = ""
    position: tuple | None = None
    size: tuple | None = None
    parent: str = ""
    is_receptacle: bool = False
    polygon: list | None = None


def correct(graph: SceneGraph, c: Correction, stamp: float | None = None) -> str:
    """Apply ``c``; returns the id it touched. Raises :class:`CorrectionError` on bad input."""
    if c.op not in OPERATIONS:
        raise CorrectionError(f"unknown operation {c.op!r} (expected one of {sorted(OPERATIONS)})")
    target = clean_text(c.target, graph.config.limits.max_id_len)
    if target.startswith(REGION_PREFIX) or (c.op == ADD and c.polygon):
        return _region(graph, c, target)
    if c.op == ADD:
        return _add(graph, c, target, stamp)
    if target not in graph or graph.node(target).get("layer") not in ("object", "receptacle"):
        raise CorrectionError(f"no object {target!r} in memory")
    if c.op == DELETE:
        graph.remove(target)
        return target
    if c.op == MOVE and c.position is None and not c.parent:
        raise CorrectionError("move needs a position or a parent")
    if c.op == RELABEL and not c.type:
        raise CorrectionError("relabel needs a type")
    cur = graph.get(target)
    label = c.type if c.op == RELABEL else cur.type
    position = _vec(c.position, "position") if c.op == MOVE else None
    parent = _parent(graph, c.parent) if c.op == MOVE else ""
    if parent and position is None:
        position = graph.get(parent).position   # put into/onto it: where it is
    _apply(graph, Observation(label, target, 1.0, position, None, parent_id=parent,
                              is_receptacle=cur.layer == "receptacle", source=OPERATOR), stamp)
    return target


def _add(graph: SceneGraph, c: Correction, target: str, stamp) -> str:
    if not c.type:
        raise CorrectionError("add needs a type")
    position = _vec(c.position, "position")
    parent = _parent(graph, c.parent)
    if position is None:
        if not parent:
            raise CorrectionError("add needs a position or a parent")
        position = graph.get(parent).position
    if target:
        try:
            validate_id(target, graph.config.limits.max_id_len)
        except LabelError as e:
            raise CorrectionError(e.detail) from None
        if target in graph:
            raise CorrectionError(f"{target!r} is already in memory (use move or relabel)")
    else:
        try:
            target = graph.mint_id(c.type)
        except LabelError as e:
            raise CorrectionError(e.detail) from None
    size = _vec(c.size, "size") or (0.1, 0.1, 0.1)
    _apply(graph, Observation(c.type, target, 1.0, position, size, parent_id=parent,
                              is_receptacle=c.is_receptacle, source=OPERATOR), stamp)
    return target


def _apply(graph: SceneGraph, o: Observation, stamp) -> None:
    report = graph.apply([o], source=OPERATOR, stamp=stamp)
    if report.rejected:
        _, reason, detail = report.rejected[0]
        raise CorrectionError(f"{reason}: {detail}")


def _region(graph: SceneGraph, c: Correction, rid: str) -> str:
    name = rid[len(REGION_PREFIX):] if rid.startswith(REGION_PREFIX) else clean_text(c.type, 64)
    rid = REGION_PREFIX + name
    exists = rid in graph.regions()
    if c.op == DELETE:
        if not exists:
            raise CorrectionError(f"no region {rid!r}")
        graph.remove_region(rid)
        return rid
    if c.op == ADD and exists:
        raise CorrectionError(f"region {rid!r} exists (use move to give it a new outline)")
    if c.op != ADD and not exists:
        raise CorrectionError(f"no region {rid!r}")
    try:
        if c.op == RELABEL:   # the room type; the id (its name) stays, so edges to it stay
            if not c.type:
                raise CorrectionError("relabel needs a type")
            node = graph.node(rid)
            return graph.add_region(name, node["polygon"], room_type=c.type, source=OPERATOR)
        if not c.polygon or len(c.polygon) < 3:
            raise CorrectionError("a region needs a polygon of at least 3 (x, y) points")
        poly = [_vec(p, "polygon point", 2) for p in c.polygon]
        room = c.type if c.op == ADD else graph.node(rid).get("room_type", "")
        return graph.add_region(name, poly, room_type=room, source=OPERATOR)
    except (LabelError, ValueError) as e:
        if isinstance(e, CorrectionError):
            raise
        raise CorrectionError(f"bad region: {clean_text(str(e), 200)}") from None


def _parent(graph: SceneGraph, parent: str) -> str:
    if not parent:
        return ""
    parent = clean_text(parent, graph.config.limits.max_id_len)
    if parent not in graph or graph.node(parent).get("layer") not in ("object", "receptacle"):
        raise CorrectionError(f"no receptacle {parent!r} in memory")
    return parent


def _vec(v, what: str, n: int = 3):
    if v is None:
        return None
    try:
        t = tuple(float(x) for x in v)
    except (TypeError, ValueError):
        raise CorrectionError(f"{what} must be {n} numbers") from None
    if len(t) != n or not all(math.isfinite(x) for x in t):
        raise CorrectionError(f"{what} must be {n} finite numbers")
    return t
