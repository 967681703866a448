"""Export the scene graph to MIT SPARK's Spark-DSG format (``spark_dsg``) and read it back.

Mapping (``spark_dsg.DsgLayers``):

* the scene root -> ``BUILDINGS`` node ``B(0)``; each region -> ``ROOMS`` node ``R(i)``
  (``name`` = room type, bounding box of its outline); objects and receptacles -> ``OBJECTS``
  nodes ``O(i)`` (``name`` = type, ``bounding_box`` = centre and extents);
* ``contains`` edges (scene -> region -> top-level thing) are Spark-DSG's inter-layer
  parent/child edges; ``in``/``on``/``near`` (thing -> receptacle) are intra-layer edges of the
  objects layer. Spark-DSG's graph is undirected, so each edge's metadata names its
  ``relation`` and its ``source`` node;
* every node's metadata holds the KARMA attributes (``karma_id``, ``layer``, ``states``,
  ``confidence``, ``stale``, times, ``source``, a region's ``polygon``), so an export reads back
  into the same graph. A foreign graph (Hydra's) reads too: nodes without ``karma_id`` are named
  by their symbol (``O(3)`` -> ``"O3"``, ``R(0)`` -> ``"region:R0"``), typed by their ``name``, regions outlined by their boxes.

Axes: Spark-DSG and the memory are both REP-103 (right-handed, z up, metres), so points and box
extents are written as they are; no axis is flipped here (that happens once, at the THOR bridge).

>>> import tempfile, os
>>> from karma_memory import SceneGraph, Observation
>>> g = SceneGraph()
>>> _ = g.add_region("kitchen", (0, 0, 5, 5))
>>> _ = g.apply([Observation("Mug", "Mug|1", position=(1, 2, 0.9), size=(.1, .1, .1))])
>>> path = os.path.join(tempfile.mkdtemp(), "g.json")
>>> save_spark(g, path)
>>> read_spark(path).get("Mug|1").position
(1.0, 2.0, 0.9)
"""
from __future__ import annotations

from karma_memory.node_link import FORMAT
from karma_memory.scene_graph import REGION_PREFIX, SCENE, SceneGraph

_META_SKIP = frozenset({"rev", "position", "size", "type"})
#: File names ending so are Spark-DSG files for the save/load services.
SPARK_SUFFIX = ".dsg.json"


def _point(p) -> tuple[float, float, float]:
    x, y, z = (float(c) for c in p)
    return (x, y, z)


def export_dsg(graph: SceneGraph):
    """A ``spark_dsg.DynamicSceneGraph`` of ``graph`` (see the module docstring)."""
    import numpy as np
    import spark_dsg as dsg

    G = dsg.DynamicSceneGraph()
    g = graph.nx
    symbols: dict[str, object] = {}
    order = sorted(g, key=lambda n: (n != SCENE, not n.startswith(REGION_PREFIX), n))
    counts = {"B": 0, "R": 0, "O": 0}
    for nid in order:
        a = g.nodes[nid]
        layer = a.get("layer")
        if nid == SCENE:
            char, key, attrs = "B", dsg.DsgLayers.BUILDINGS, dsg.SemanticNodeAttributes()
        elif layer == "region":
            char, key, attrs = "R", dsg.DsgLayers.ROOMS, dsg.RoomNodeAttributes()
        else:
            char, key, attrs = "O", dsg.DsgLayers.OBJECTS, dsg.ObjectNodeAttributes()
        sym = dsg.NodeSymbol(char, counts[char])
        counts[char] += 1
        symbols[nid] = sym
        attrs.name = str(a.get("room_type") if layer == "region" else a.get("type", nid))
        attrs.position = np.array(_point(a.get("position", (0, 0, 0))), dtype=np.float64)
        sx, sy, sz = a.get("size", (0, 0, 0))
        if layer != "scene":
            attrs.bounding_box = dsg.BoundingBox(
                np.array([sx, sy, sz], dtype=np.float32), attrs.position.astype(np.float32))
        meta = {k: (list(v) if isinstance(v, tuple) else v) for k, v in a.items() if k not in _META_SKIP}
        meta.update(karma_id=nid, type=a.get("type", ""), size=[float(sx), float(sy), float(sz)])
        attrs.metadata.add(meta)
        G.add_node(key, sym, attrs)
    for u, v, rel in g.edges(data="relation"):
        e = dsg.EdgeAttributes()
        e.metadata.add({"relation": rel, "source": u})
        G.insert_edge(symbols[u], symbols[v], e)
    G.metadata.add({"format": FORMAT, "axes": "REP-103 (right-handed, z up, metres)"})
    return G


def save_spark(graph: SceneGraph, path: str) -> None:
    """Write ``graph`` as a Spark-DSG JSON file (``spark_dsg.DynamicSceneGraph.load`` reads it)."""
    export_dsg(graph).save(path, include_mesh=False)


def node_link_from_dsg(G) -> dict:
    """Node-link data (``karma-scene-graph/1``) of a ``spark_dsg.DynamicSceneGraph``."""
    import spark_dsg as dsg

    layers = {G.get_layer_key(dsg.DsgLayers.BUILDINGS).layer: "scene",
              G.get_layer_key(dsg.DsgLayers.ROOMS).layer: "region",
              G.get_layer_key(dsg.DsgLayers.OBJECTS).layer: "object"}
    nodes, ids = [], {}
    for n in G.nodes:
        layer = layers.get(n.layer.layer)
        if layer is None:
            continue   # places, agents, meshes: not part of this memory
        a = n.attributes
        meta = dict(a.metadata.get() or {})
        sym = f"{n.id.category}{n.id.category_id}"   # "O3": memory ids allow no parentheses
        nid = meta.pop("karma_id", "") or (SCENE if layer == "scene" else
                                           (REGION_PREFIX if layer == "region" else "") + sym)
        ids[int(n.id.value)] = nid
        if nid == SCENE:
            continue   # the graph makes its own root
        d = {"id": nid, "layer": meta.pop("layer", "receptacle" if layer == "object" and
                                          meta.get("is_receptacle") else layer),
             "type": meta.pop("type", "") or a.name or "object",
             "position": list(_point(a.position))}
        size = meta.pop("size", None)
        if size is None:
            size = [float(c) for c in a.bounding_box.dimensions]
        d["size"] = size
        if layer == "region" and "polygon" not in meta:
            x, y, _ = d["position"]
            hx, hy = max(size[0], 0.1) / 2, max(size[1], 0.1) / 2
            meta["polygon"] = [[x - hx, y - hy], [x + hx, y - hy], [x + hx, y + hy], [x - hx, y + hy]]
        d.update(meta)
        nodes.append(d)
    edges = []
    for e in G.edges:
        meta = e.info.metadata.get() or {}
        u, v = ids.get(int(e.source)), ids.get(int(e.target))
        if u is None or v is None:
            continue
        if meta.get("source") == v:
            u, v = v, u
        rel = meta.get("relation", "contains")
        if rel in ("in", "on", "near") or (u != SCENE and not u.startswith(REGION_PREFIX)):
            edges.append({"source": u, "target": v, "relation": rel})
    return {"format": FORMAT, "nodes": nodes, "edges": edges}


def load_dsg(path: str):
    """``spark_dsg.DynamicSceneGraph`` of a Spark-DSG file (its own error on a bad file)."""
    import spark_dsg as dsg
    return dsg.DynamicSceneGraph.load(path)


def read_spark(path: str, config=None) -> SceneGraph:
    """A :class:`SceneGraph` from a Spark-DSG JSON file (invalid parts skipped, text sanitised)."""
    return SceneGraph.from_node_link(node_link_from_dsg(load_dsg(path)), config)
