"""Spark-DSG interop: the export loads in spark_dsg (layers, attributes, edges) and reads back."""
import json

import numpy as np
import spark_dsg as dsg

from helpers_ltm import kitchen, obs
from karma_memory.spark import export_dsg, read_spark, save_spark


def _graph():
    g = kitchen()
    g.apply([obs("Apple", "Apple|1", (1.0, 1.0, 1.03), states={"isSliced": "false"}),
             obs("Mug", "Mug|1", (4.0, 1.0, 0.9), parent="Fridge|1"),
             obs("Egg", "Egg|1", (2.5, 3.0, 0.05))], source="perception:cam", stamp=2.0)
    return g


def _canon(g):
    d = g.to_node_link()
    d["graph"] = {}
    return json.dumps(d, sort_keys=True)


def test_export_loads_in_spark_dsg_with_layers_attributes_edges(tmp_path):
    g = _graph()
    path = str(tmp_path / "dsg.json")
    save_spark(g, path)
    G = dsg.DynamicSceneGraph.load(path)
    by_layer = {}
    for n in G.nodes:
        by_layer.setdefault(n.layer.layer, []).append(n)
    key = lambda name: G.get_layer_key(name).layer
    assert len(by_layer[key(dsg.DsgLayers.ROOMS)]) == 2
    assert len(by_layer[key(dsg.DsgLayers.OBJECTS)]) == 7        # 4 receptacles + 3 objects
    assert len(by_layer[key(dsg.DsgLayers.BUILDINGS)]) == 1
    objs = {n.attributes.metadata.get()["karma_id"]: n for n in by_layer[key(dsg.DsgLayers.OBJECTS)]}
    mug = objs["Mug|1"].attributes
    assert mug.name == "Mug"
    assert np.allclose(mug.position, g.get("Mug|1").position)       # both REP-103, z up
    assert np.allclose(mug.bounding_box.dimensions, g.get("Mug|1").size)
    meta = mug.metadata.get()
    assert meta["parent"] == "Fridge|1" and meta["relation"] == "in" and meta["source"] == "perception:cam"
    assert objs["Apple|1"].attributes.metadata.get()["states"] == {"isSliced": "false"}
    assert G.num_edges() == g.nx.number_of_edges()
    rels = sorted(e.info.metadata.get()["relation"] for e in G.edges)
    assert rels == sorted(r for _, _, r in g.nx.edges(data="relation"))
    fridge = objs["Fridge|1"]
    assert G.has_edge(fridge.id.value, objs["Mug|1"].id.value)                  # intra-layer in
    assert fridge.has_parent()                                                 # room -> fridge


def test_export_reads_back_into_the_same_graph(tmp_path):
    g = _graph()
    path = str(tmp_path / "dsg.json")
    save_spark(g, path)
    back = read_spark(path)
    assert _canon(back) == _canon(g)


def test_export_keeps_rep103_axes():
    G = export_dsg(_graph())
    assert "z up" in G.metadata.get()["axes"]


def test_a_foreign_dsg_without_karma_metadata_reads(tmp_path):
    G = dsg.DynamicSceneGraph()
    room = dsg.RoomNodeAttributes()
    room.name, room.position = "kitchen", np.array([2.0, -2.0, 0.0])
    room.bounding_box = dsg.BoundingBox(np.array([4, 4, 3], dtype=np.float32),
                                        np.array([2, -2, 0], dtype=np.float32))
    G.add_node(dsg.DsgLayers.ROOMS, dsg.NodeSymbol("R", 0), room)
    chair = dsg.ObjectNodeAttributes()
    chair.name, chair.position = "Chair", np.array([2.0, -1.0, 0.4])
    G.add_node(dsg.DsgLayers.OBJECTS, dsg.NodeSymbol("O", 3), chair)
    G.insert_edge(dsg.NodeSymbol("R", 0), dsg.NodeSymbol("O", 3))
    path = str(tmp_path / "hydra.json")
    G.save(path, include_mesh=False)
    g = read_spark(path)
    item = g.get("O3")
    assert item.type == "Chair" and np.allclose(item.position, (2.0, -1.0, 0.4))
    assert g.region_of("O3") == "region:R0"
    assert export_dsg(g).num_nodes() == 3
