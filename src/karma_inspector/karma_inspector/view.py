"""What the inspector page draws, as plain JSON-able data (no ROS here).

:func:`graph_view` turns scene-graph nodes (``{"id", "layer", "type", "position", "size",
"attributes"}``) into a top-down map: regions and receptacles as rectangles on the floor plane
(``map`` x, y; REP-103, z up), objects as points, each with confidence, staleness, parent and source.
:func:`ground_truth_diff` marks where belief and the simulator's truth disagree. All text is
bounded and stripped of control characters here; the page only ever sets it as text.

>>> v = graph_view([{"id": "Mug|1", "layer": "object", "type": "Mug", "position": [1, 2, 0.9],
...                  "size": [0.1, 0.1, 0.1], "attributes": {"confidence": "0.8", "stale": "false"}}])
>>> v["things"][0]["x"], v["things"][0]["y"], v["things"][0]["confidence"], v["things"][0]["stale"]
(1.0, 2.0, 0.8, False)
"""
from __future__ import annotations

import math

from karma_memory import clean_text
from karma_thor_bridge.frames import dict_to_map

MOVED_BEYOND = 0.5     # m: a believed position this far from the truth is marked "moved"
_TEXT = 160


def _num(v, default=0.0) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) else default


def _t(v, n: int = _TEXT) -> str:
    return clean_text(str(v), n)


def graph_view(nodes: list[dict]) -> dict:
    """``{"regions": [...], "things": [...]}`` of scene-graph node dicts, sorted by id."""
    regions, things = [], []
    for n in sorted(nodes, key=lambda d: str(d.get("id", ""))):
        layer = n.get("layer", "")
        x, y, _ = (list(n.get("position") or (0, 0, 0)) + [0, 0, 0])[:3]
        sx, sy, _ = (list(n.get("size") or (0, 0, 0)) + [0, 0, 0])[:3]
        attrs = n.get("attributes") or {}
        base = {"id": _t(n.get("id", ""), 128), "type": _t(n.get("type", ""), 64),
                "x": _num(x), "y": _num(y), "w": max(_num(sx), 0.0), "d": max(_num(sy), 0.0)}
        if layer == "region":
            base["room_type"] = _t(attrs.get("room_type", ""), 64)
            regions.append(base)
        elif layer in ("object", "receptacle"):
            base.update(layer=layer, confidence=round(min(max(_num(attrs.get("confidence")), 0.0), 1.0), 3),
                        stale=str(attrs.get("stale", "")).lower() == "true",
                        parent=_t(attrs.get("parent", ""), 128), relation=_t(attrs.get("relation", ""), 8),
                        source=_t(attrs.get("source", ""), 64))
            things.append(base)
    return {"regions": regions, "things": things}


def ground_truth_diff(things: list[dict], truth: list[dict]) -> list[dict]:
    """Where belief and truth differ: ``missing`` (true object the memory lacks), ``moved``
    (believed more than :data:`MOVED_BEYOND` from its true place), ``phantom`` (believed,
    not in the world). ``truth``: THOR object metadata (``objectId``, ``objectType``,
    ``position`` ``{x, y, z}`` or ``axisAlignedBoundingBox.center``, ``pickupable``; Unity axes, put
    in ``map`` by the bridge's adapter). Matched by id, else by type and nearest place.
    Only pickupable true objects count as ``missing`` (unseen furniture is not news)."""
    out = []
    believed = {t["id"]: t for t in things}
    unmatched = dict(believed)
    for o in sorted(truth, key=lambda o: str(o.get("objectId", ""))):
        oid = _t(o.get("objectId", ""), 128)
        # Memory keeps box centres; THOR's "position" is the pivot (off-centre for furniture).
        box = o.get("axisAlignedBoundingBox")
        p = (box.get("center") if isinstance(box, dict) else None) or o.get("position") or {}
        gx, gy, _ = dict_to_map({k: _num(p.get(k)) for k in "xyz"})
        b = believed.get(oid)
        if b is None:   # an id-less memory names it <Type>_<n>: the nearest unmatched of its type
            cands = [t for t in unmatched.values() if t["type"].lower() == str(o.get("objectType", "")).lower()]
            b = min(cands, key=lambda t: math.hypot(t["x"] - gx, t["y"] - gy), default=None)
        if b is None:
            if not o.get("pickupable", True):
                continue
            out.append({"id": oid, "type": _t(o.get("objectType", ""), 64), "kind": "missing",
                        "truth": [gx, gy], "belief": None})
            continue
        unmatched.pop(b["id"], None)
        if math.hypot(b["x"] - gx, b["y"] - gy) > MOVED_BEYOND:
            out.append({"id": b["id"], "type": b["type"], "kind": "moved", "truth": [gx, gy],
                        "belief": [b["x"], b["y"]]})
    for b in unmatched.values():
        out.append({"id": b["id"], "type": b["type"], "kind": "phantom", "truth": None,
                    "belief": [b["x"], b["y"]]})
    return out


def short_term_view(entries: list[dict], limit: int = 50) -> list[dict]:
    """Short-term entries (newest first) as the page lists them."""
    return [{"object_id": _t(e.get("object_id", ""), 128), "type": _t(e.get("object_type", ""), 64),
             "states": {_t(k, 32): _t(v, 32) for k, v in (e.get("states") or {}).items()},
             "receptacle": _t(e.get("receptacle_id", ""), 128), "source": _t(e.get("source", ""), 32),
             "stamp": _num(e.get("stamp")), "hits": int(_num(e.get("hit_count")))}
            for e in entries[:limit]]


def plan_view(record: dict | None) -> dict | None:
    """The last plan: instruction, prompt (bounded), memory ids, steps, outcome."""
    if not record:
        return None
    return {"instruction": _t(record.get("instruction", ""), 500),
            "prompt": "\n".join(clean_text(line, 400) for line in
                                 str(record.get("prompt", "")).splitlines()[:400]),
            "memory_ids": [_t(i, 128) for i in record.get("memory_ids", [])[:200]],
            "steps": [f'{_t(s.get("skill", ""), 32)}({", ".join(_t(a, 128) for a in s.get("args", []))})'
                      for s in record.get("steps", [])[:100]],
            "success": bool(record.get("success")), "message": _t(record.get("message", ""), 300),
            "backend": _t(record.get("backend", ""), 64), "stamp": _num(record.get("stamp"))}

