"""Stored rows (id, layer, JSON attributes) to node-link data, shared by the store and history.

A row is self-contained: edges are rebuilt from its ``parent``/``relation``/``near``
attributes, so a row can never leave an edge without its node.

>>> data = rows_to_node_link([("Mug|1", "object", '{"type": "Mug", "parent": "Table|1", "relation": "on"}')])
>>> data["edges"]
[{'source': 'Mug|1', 'target': 'Table|1', 'relation': 'on'}]
"""
from __future__ import annotations

import json
from typing import Iterable

from karma_memory.node_link import FORMAT

#: Relations of a held thing to its receptacle (same as scene_graph.HOLD_RELATIONS).
HOLD_RELATIONS = ("in", "on")


def decode_row(nid: str, layer: str, data: str) -> dict | None:
    """The node dict of one row, or None when the JSON is unreadable."""
    try:
        d = json.loads(data)
    except ValueError:
        return None
    if not isinstance(d, dict):
        return None
    d["id"], d["layer"] = nid, layer
    return d


def nodes_to_node_link(nodes: Iterable[dict]) -> dict:
    """Node-link data of node dicts, with the edges their attributes name."""
    nodes, edges = list(nodes), []
    for d in nodes:
        nid = d["id"]
        if d.get("relation") in HOLD_RELATIONS and d.get("parent"):
            edges.append({"source": nid, "target": d["parent"], "relation": d["relation"]})
        if d.get("near"):
            edges.append({"source": nid, "target": d["near"], "relation": "near"})
    return {"format": FORMAT, "nodes": nodes, "edges": edges}


def rows_to_node_link(rows: Iterable[tuple[str, str, str]]) -> dict:
    """Node-link data of ``(id, layer, json)`` rows; unreadable rows are skipped."""
    return nodes_to_node_link(d for d in (decode_row(*r) for r in rows) if d is not None)
