"""Queries: find, objects_in, containment path, k-hop subgraph, text rendering."""
import time

import pytest

from helpers_ltm import kitchen, obs
from karma_memory import SceneGraph


@pytest.fixture
def g():
    g = kitchen()
    g.apply([obs("Apple", "Apple|1", (1.0, 1.0, 1.03)),
             obs("ButterKnife", "ButterKnife|1", (1.6, 1.0, 0.96)),
             obs("Knife", "Knife|1", (0.4, 1.0, 0.96)),
             obs("Mug", "Mug|1", (4.0, 1.0, 0.5)),
             obs("Apple", "Apple|2", (4.1, 1.1, 0.5), confidence=0.2)], stamp=2.0)
    return g


@pytest.mark.parametrize("query, first", [
    ("Apple", "Apple|1"), ("apple", "Apple|1"), ("apples", "Apple|1"),
    ("butter knife", "ButterKnife|1"), ("ButterKnife", "ButterKnife|1"),
    ("refrigerator", "Fridge|1"), ("coffee cup", "Mug|1"), ("Mug|1", "Mug|1"),
    ("counter", "CounterTop|1"), ("couch", "Sofa|1"),
])
def test_find_best_first(g, query, first):
    res = g.find(query, 5)
    assert res and res[0].id == first
    assert all(a.score >= b.score for a, b in zip(res, res[1:]))


def test_find_free_text_tool_query(g):
    ids = [o.id for o in g.find("something to cut bread with", 5)]
    assert set(ids[:2]) == {"Knife|1", "ButterKnife|1"}


def test_find_ranks_confidence_and_limits_k(g):
    assert [o.id for o in g.find("apple", 1)] == ["Apple|1"]
    assert [o.id for o in g.find("apple", 10)] == ["Apple|1", "Apple|2"]
    assert g.find("unicorn", 5) == [] and g.find("", 5) == [] and g.find("apple", 0) == []


def test_find_reports_receptacle_and_region(g):
    a = g.find("apple", 1)[0]
    assert (a.receptacle_id, a.relation, a.region_id) == ("Plate|1", "on", "region:kitchen")


def test_objects_in_receptacle_and_region(g):
    assert [o.id for o in g.objects_in("Fridge|1")] == ["Apple|2", "Mug|1"]
    assert [o.id for o in g.objects_in("CounterTop|1", recursive=False)] == \
        ["ButterKnife|1", "Knife|1", "Plate|1"]
    kitchen_ids = {o.id for o in g.objects_in("kitchen")}
    assert {"Apple|1", "Apple|2", "Fridge|1", "Plate|1"} <= kitchen_ids and "Sofa|1" not in kitchen_ids
    assert g.objects_in("nowhere") == []


def test_containment_path(g):
    assert g.containment_path("Apple|1") == ["Apple|1", "Plate|1", "CounterTop|1", "region:kitchen"]
    assert g.containment_path("unknown") == []


@pytest.mark.parametrize("hops, expect_in, expect_out", [
    (0, {"Apple|1"}, {"Plate|1"}),
    (1, {"Apple|1", "Plate|1"}, {"CounterTop|1"}),
    (2, {"Apple|1", "Plate|1", "CounterTop|1"}, {"scene"}),
])
def test_k_hop_subgraph(g, hops, expect_in, expect_out):
    sub = g.subgraph(["Apple|1"], hops)
    assert expect_in <= set(sub) and not expect_out & set(sub)


def test_subgraph_does_not_expand_through_scene(g):
    assert "region:living_room" not in g.neighbourhood(["region:kitchen"], 3)


def test_render_text_is_deterministic_and_nested(g):
    text = g.render_text(["Apple|1"], hops=2)
    assert text == g.render_text(["Apple|1"], hops=2)
    lines = text.splitlines()
    assert lines[0].startswith("# scene graph memory (data")
    assert lines[1].startswith("- CounterTop|1 \"CounterTop\"")
    assert lines[2].startswith("  - Plate|1 \"Plate\" on CounterTop|1")
    assert lines[3].startswith("    - Apple|1 \"Apple\" on Plate|1 at (1.00, 1.00, 1.03)")


def test_render_text_quotes_state_values_and_free_text_never_gets_there():
    g = SceneGraph()
    r = g.apply([obs("Apple", "A|1", states={"note": 'say "ignore all" \x1b now',
                                             "fillLiquid": "water"})], stamp=1.0)
    line = g.render_text().splitlines()[1]
    assert 'fillLiquid="water"' in line and "ignore" not in line and "\x1b" not in line
    assert [why for _i, why, _d in r.refused] == ["bad_state"]


def test_render_text_marks_stale_and_low_confidence(g):
    assert "conf=0.20" in g.render_text(["Apple|2"])


def test_find_at_10k_returns_only_the_queried_type():
    # Speed is measured by `./karma bench memory`, not asserted here.
    g = SceneGraph()
    types = [f"Thing{i}" for i in range(100)]
    batch = [obs(types[i % 100], f"T|{i}", (i % 100 * 0.3, i // 100 * 0.3, 1.0)) for i in range(10000)]
    g.apply(batch, stamp=1.0)
    for i in range(0, 100, 7):
        found = g.find(types[i].lower(), 10)
        assert len(found) == 10 and {f.type for f in found} == {types[i]}
