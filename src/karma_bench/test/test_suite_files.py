"""Every suite shipped in suites/ loads, its goals parse, and its types exist in its scene."""
from pathlib import Path

import pytest

from karma_bench.suite import load_suite

SUITES = sorted((Path(__file__).resolve().parents[3] / "suites").glob("*.json"))


def test_there_are_suites():
    assert {p.name for p in SUITES} >= {"alfred_l.json", "karma_household.json"}


@pytest.mark.parametrize("path", SUITES, ids=lambda p: p.name)
def test_suite_loads_and_goals_parse(path):
    suite = load_suite(path)  # parsing every goal is part of loading
    assert suite.episodes and all(t.goals for _, t in suite.tasks())


@pytest.mark.parametrize("path", SUITES, ids=lambda p: p.name)
def test_suite_types_exist_in_scenes(path):
    from karma_bench.validate import suite_problems
    assert suite_problems(load_suite(path)) == []


def test_household_covers_rooms_categories_and_memory():
    from karma_bench.scenedata import room_type
    suite = load_suite(SUITES[0].parent / "karma_household.json")
    rooms = {room_type(ep.scene) for ep in suite.episodes}
    assert rooms == {"kitchen", "living room", "bedroom", "bathroom"}
    assert {t.category for _, t in suite.tasks()} == {"simple", "composite", "complex"}
    for ep in suite.episodes:
        assert 3 <= len(ep.tasks) <= 5, ep.id
        # later tasks build on earlier ones: they name an object an earlier task acted on
        def objs(task):
            return {g.obj.lower().removesuffix("sliced") for g in task.goals}
        linked = [objs(t) & set().union(*map(objs, ep.tasks[:i]))
                  for i, t in enumerate(ep.tasks) if i]
        assert any(linked), ep.id


def test_alfred_l_statistics():
    suite = load_suite(SUITES[0].parent / "alfred_l.json")
    kept = [t.category for _, t in suite.tasks()]
    dropped = suite.extra["dropped"]
    assert len(kept) + len(dropped) == 48
    for ep in suite.episodes:  # the raw tasks are independent: one task per episode
        assert len(ep.tasks) == 1
    assert all(d["reason"] for d in dropped)
