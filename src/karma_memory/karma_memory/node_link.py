"""Export/import of the scene graph as node-link JSON (format ``karma-scene-graph/1``).

The document is networkx's node-link form with edges under ``"edges"``, so other tools read it
with ``networkx.node_link_graph(data, edges="edges")``, plus a ``"format"`` key::

    {
      "format": "karma-scene-graph/1",
      "directed": true, "multigraph": false,
      "graph": {"revision": 12},
      "nodes": [
        {"id": "scene", "layer": "scene", "type": "scene", "position": [0, 0, 0], "size": [0, 0, 0]},
        {"id": "region:kitchen", "layer": "region", "type": "kitchen", "room_type": "kitchen",
         "polygon": [[0, 0], [5, 0], [5, 5], [0, 5]], "position": [2.5, 0, 2.5],
         "size": [5, 0, 5], "source": "annotation"},
        {"id": "Apple|1", "layer": "object", "type": "Apple",
         "position": [1.0, 0.56, 1.0], "size": [0.1, 0.1, 0.1],
         "states": {"isSliced": "false"}, "parent": "Plate|1", "relation": "on", "near": "",
         "confidence": 0.95, "stale": false, "times_seen": 3,
         "first_seen": 1700000000.0, "last_seen": 1700000042.5, "source": "perception:thor_bridge",
         "obb": {"center": [..3], "extent": [..3], "rotation": [..9 row-major]}}   # obb optional
      ],
      "edges": [
        {"source": "scene", "target": "region:kitchen", "relation": "contains"},
        {"source": "Apple|1", "target": "Plate|1", "relation": "on"}
      ]
    }

Fields: ``layer`` is scene/region/receptacle/object; positions are box centres in metres
(REP-103: right-handed, x forward, y left, z up, frame ``map``); ``size`` box extents along
x, y, z; ``polygon`` a region's ground-plane outline as ``[x, y]`` points; ``states`` text key/values
(AI2-THOR metadata names); ``confidence`` in [0, 1] (lowered by negative observations);
``stale`` true when the object should have been seen and was not; times are seconds since the
epoch. Edge ``relation`` is ``contains`` (scene->region->top-level thing), ``in``/``on``
(held thing -> receptacle) or ``near`` (thing -> nearby receptacle).

On import, edges are authoritative for in/on parents; unknown relations, edges to missing
nodes, cycles and invalid nodes (bad ids/labels, non-finite numbers, counts or times out of
:func:`in_range`) are skipped, and all text is sanitised again.

>>> from karma_memory import SceneGraph, Observation
>>> g = SceneGraph()
>>> _ = g.apply([Observation("Apple", "Apple|1", position=(1, 1, 1), size=(.1, .1, .1))])
>>> data = g.to_node_link()
>>> data["format"], SceneGraph.from_node_link(data).ids()
('karma-scene-graph/1', ['Apple|1'])
"""
from __future__ import annotations

import math

from karma_domain.attributes import NOT_SERIALISED
from karma_domain.text import LabelError, clean_text, validate_id, validate_label

FORMAT = "karma-scene-graph/1"


def to_node_link(graph) -> dict:
    """Deterministic node-link dict of a :class:`~karma_memory.scene_graph.SceneGraph`."""
    g = graph.nx
    nodes = []
    for nid in sorted(g, key=lambda n: (n != "scene", not n.startswith("region:"), n)):
        a = g.nodes[nid]
        d = {"id": nid}
        for k, v in a.items():
            if k in NOT_SERIALISED:
                continue
            d[k] = list(v) if isinstance(v, tuple) else (dict(v) if isinstance(v, dict) else v)
        nodes.append(d)
    edges = [{"source": u, "target": v, "relation": r}
             for u, v, r in sorted(g.edges(data="relation"))]
    return {"format": FORMAT, "directed": True, "multigraph": False,
            "graph": {"revision": graph.revision}, "nodes": nodes, "edges": edges}


def _vec(v, n=3) -> tuple | None:
    try:
        t = tuple(float(c) for c in v)
    except (TypeError, ValueError):
        return None
    return t if len(t) == n and all(math.isfinite(c) for c in t) else None


#: Bounds of stored numbers: SQLite holds 64-bit integers, and a count or a time beyond these
#: is corrupt input, not memory (a ``times_seen`` of 1e30 would fail every later commit).
MAX_COUNT = 2**31 - 1
MAX_TIME = 1e11          # seconds since the epoch: the year 5138


def in_range(times_seen, first_seen: float, last_seen: float) -> bool:
    """Whether a node's sighting numbers can be stored and mean something."""
    return (isinstance(times_seen, int) and 0 <= times_seen <= MAX_COUNT
            and all(isinstance(t, (int, float)) and math.isfinite(t) and 0 <= t <= MAX_TIME
                    for t in (first_seen, last_seen)))


def _evidence(d: dict, lim) -> dict:
    """Miss counters and label votes of a node (absent or malformed: none)."""
    out = {}
    for k in ("misses", "missed_total"):
        v = d.get(k, 0)
        out[k] = v if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**31 else 0
    votes = d.get("type_votes")
    if isinstance(votes, dict) and votes:
        clean = {}
        for label, n in list(votes.items())[:16]:
            try:
                label = validate_label(str(label), lim.max_label_len)
            except LabelError:
                continue
            if isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**31:
                clean[label] = n
        if clean:
            out["type_votes"] = clean
    return out


def merge(graph, data: dict, replace: bool) -> int:
    """Load ``data`` into ``graph``; returns how many objects/receptacles were loaded."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document (missing or different 'format' key)")
    raw_nodes = data.get("nodes")
    raw_edges = data.get("edges", data.get("links", []))
    if not isinstance(raw_nodes, list) or not isinstance(raw_edges, list):
        raise ValueError("'nodes' and 'edges' must be lists")
    if replace:
        graph.clear()
    lim = graph.config.limits
    for d in raw_nodes:
        if isinstance(d, dict) and d.get("layer") == "region":
            try:
                name = str(d.get("id", ""))[len("region:"):] or str(d.get("type", ""))
                graph.add_region(name, d.get("polygon") or [], clean_text(d.get("room_type", ""), 64),
                                 clean_text(d.get("source", "import"), 64))
            except (ValueError, TypeError, IndexError):
                continue
    loaded = []
    for d in raw_nodes:
        if not isinstance(d, dict) or d.get("layer") not in ("object", "receptacle"):
            continue
        try:
            nid = validate_id(str(d.get("id", "")), lim.max_id_len)
            label = validate_label(str(d.get("type", "")), lim.max_label_len)
        except LabelError:
            continue
        pos, size = _vec(d.get("position")), _vec(d.get("size"))
        try:
            conf = float(d.get("confidence", 1.0))
            times = int(d.get("times_seen", 1))
            first, last = float(d.get("first_seen", 0.0)), float(d.get("last_seen", 0.0))
        except (TypeError, ValueError, OverflowError):
            continue
        if pos is None or size is None or not 0 <= conf <= 1 or min(size) < 0 or not (
                in_range(times, first, last)):
            continue
        states = d.get("states") if isinstance(d.get("states"), dict) else {}
        states = {clean_text(k, 64): clean_text(v, lim.max_state_len) for k, v in states.items()
                  if clean_text(k, 64)}
        if nid in graph:
            graph.remove(nid)
        attrs = dict(layer=d["layer"], type=label, position=pos, size=size, states=states,
                     parent="", relation="", near="", confidence=conf, stale=bool(d.get("stale")),
                     times_seen=times, first_seen=first, last_seen=last,
                     source=clean_text(d.get("source", "import"), 64), rev=1)
        attrs.update(_evidence(d, lim))
        if d.get("robot"):   # fleet memory: the robot that last observed or changed it
            attrs["robot"] = clean_text(str(d["robot"]), 64)
        obb = d.get("obb")
        if isinstance(obb, dict) and _vec(obb.get("center")) and _vec(obb.get("extent")) \
                and _vec(obb.get("rotation"), 9):
            attrs["obb"] = {"center": list(_vec(obb["center"])), "extent": list(_vec(obb["extent"])),
                            "rotation": list(_vec(obb["rotation"], 9))}
        graph.insert_loaded(nid, attrs)
        loaded.append(nid)
    new = set(loaded)
    holds, nears = {}, {}
    for e in raw_edges:
        if not isinstance(e, dict):
            continue
        u, v, rel = e.get("source"), e.get("target"), e.get("relation")
        if u in new and graph.has_thing(v) and u != v:
            if rel in ("in", "on"):
                holds.setdefault(u, (v, rel))    # one holder per thing: the first edge wins
            elif rel == "near":
                nears.setdefault(u, v)
    for nid in sorted(loaded):
        parent, rel = holds.get(nid, ("", ""))
        graph.attach_loaded(nid, parent, rel, nears.get(nid, ""))
    graph.revision += 1
    return len(loaded)
