"""Operator corrections: add/move/relabel/delete objects and regions, provenance "operator",
perception never silently overwrites them, bad input changes nothing."""
import math
import json

import pytest

from helpers_ltm import kitchen, obs
from karma_memory import MemoryStore, Observer
from karma_memory.corrections import ADD, DELETE, MOVE, RELABEL, Correction, CorrectionError, correct


def test_add_move_relabel_delete_an_object():
    g = kitchen()
    nid = correct(g, Correction(ADD, type="Mug", parent="CounterTop|1"), stamp=5.0)
    item = g.get(nid)
    assert (item.source, item.receptacle_id, item.relation) == ("operator", "CounterTop|1", "on")
    correct(g, Correction(MOVE, nid, parent="Fridge|1"), stamp=6.0)
    assert g.receptacle_of(nid) == ("Fridge|1", "in")
    correct(g, Correction(RELABEL, nid, type="Cup"), stamp=7.0)
    assert g.get(nid).type == "Cup" and [o.id for o in g.find("cup")] == [nid]
    correct(g, Correction(DELETE, nid))
    assert nid not in g


def test_perception_does_not_silently_overwrite_an_operator_object():
    g = kitchen()
    g.apply([obs("Mug", "Mug|1", (1.2, 1.0, 1.0))], source="perception:cam", stamp=1.0)
    correct(g, Correction(MOVE, "Mug|1", parent="Fridge|1"), stamp=2.0)
    where = g.get("Mug|1").position
    report = g.apply([obs("Mug", "Mug|1", (1.2, 1.0, 1.0), states={"isDirty": "true"})],
                     source="perception:cam", stamp=3.0)
    item = g.get("Mug|1")
    assert report.conflicts == ["Mug|1"] and report.moved == []
    assert (item.position, item.receptacle_id, item.source) == (where, "Fridge|1", "operator")
    assert item.last_seen == 3.0 and item.states["isDirty"] == "true"   # seen, states follow
    agree = g.apply([obs("Mug", "Mug|1", where)], source="perception:cam", stamp=4.0)
    assert agree.conflicts == []


def test_operator_objects_are_not_pruned_when_missed():
    g = kitchen()
    nid = correct(g, Correction(ADD, type="Mug", position=(1.2, 1.0, 1.0)), stamp=1.0)
    s45 = math.sin(math.pi / 4)
    eye = Observer(position=(1.2, 3.0, 1.5), orientation=(0.0, 0.0, -s45, s45), fov_deg=90.0,
                   max_range=5.0, forward_axis="x")   # looking along -y at the mug
    for i in range(30):
        report = g.apply([], eye, stamp=2.0 + i)
    assert nid in report.missed and nid in g and g.get(nid).stale


def test_regions_by_hand():
    g = kitchen()
    rid = correct(g, Correction(ADD, "region:pantry", type="pantry",
                                polygon=[(0, 5), (3, 5), (3, 8), (0, 8)]))
    assert rid == "region:pantry" and g.node(rid)["source"] == "operator"
    nid = correct(g, Correction(ADD, type="Apple", position=(1.0, 6.0, 0.5)))
    assert g.region_of(nid) == rid
    correct(g, Correction(MOVE, rid, polygon=[(10, 10), (12, 10), (12, 12)]))
    assert g.region_of(nid) != rid
    correct(g, Correction(RELABEL, rid, type="storage"))
    assert g.node(rid)["room_type"] == "storage"
    correct(g, Correction(DELETE, rid))
    assert rid not in g.regions()


@pytest.mark.parametrize("c, words", [
    (Correction(9, "Mug|1"), "unknown operation"),
    (Correction(MOVE, "Nope|1", position=(1, 1, 1)), "no object"),
    (Correction(MOVE, "CounterTop|1"), "needs a position or a parent"),
    (Correction(ADD, type="Mug", position=(1, float("nan"), 1)), "finite"),
    (Correction(ADD, type="Mug", position=(1, 1)), "3 finite numbers"),
    (Correction(ADD, type="Mug\x00\x07", parent="Ghost|1"), "no receptacle"),
    (Correction(ADD, "Plate|1", type="Plate", position=(1, 1, 1)), "already in memory"),
    (Correction(ADD, type="", position=(1, 1, 1)), "needs a type"),
    (Correction(RELABEL, "Plate|1"), "needs a type"),
    (Correction(ADD, "region:x", type="x", polygon=[(0, 0), (1, 1)]), "polygon"),
    (Correction(DELETE, "region:nowhere"), "no region"),
])
def test_bad_corrections_are_refused_and_change_nothing(c, words):
    g = kitchen()
    before = json.dumps(g.to_node_link(), sort_keys=True)
    with pytest.raises(CorrectionError, match=words):
        correct(g, c)
    assert json.dumps(g.to_node_link(), sort_keys=True) == before


def test_corrections_are_history_with_cause_operator(tmp_path):
    store = MemoryStore(str(tmp_path))
    g = kitchen()
    g.apply([obs("Mug", "Mug|1", (1.2, 1.0, 1.0))], source="perception:cam", stamp=1.0)
    store.commit(g)
    correct(g, Correction(MOVE, "Mug|1", parent="Fridge|1"), stamp=2.0)
    store.commit(g)
    at = store.history.where_at("Mug|1", 2.5)
    assert at["cause"] == "operator" and at["node"]["parent"] == "Fridge|1"
    assert MemoryStore(str(tmp_path)).load().get("Mug|1").source == "operator"
