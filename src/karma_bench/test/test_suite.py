import json

import pytest

from karma_bench.suite import SuiteError, load_suite, suite_from_dict


def doc(**task_over):
    task = {"id": "t1", "category": "simple", "instruction": "Put the apple in the fridge.",
            "goals": ["IN(Apple, Fridge)"], "ordered": False}
    task.update(task_over)
    task = {k: v for k, v in task.items() if v is not None}
    return {"format": "karma-task-suite/1", "name": "x",
            "episodes": [{"id": "kitchen-1", "scene": "FloorPlan1", "seed": 3, "tasks": [task]}]}


def test_loads_and_ignores_unknown_keys(tmp_path):
    d = doc(hint="ignored")
    d["dropped"] = [{"why": "x"}]
    d["episodes"][0]["room"] = "kitchen"
    p = tmp_path / "s.json"
    p.write_text(json.dumps(d))
    s = load_suite(p)
    ep = s.episodes[0]
    assert (s.name, ep.id, ep.scene, ep.seed) == ("x", "kitchen-1", "FloorPlan1", 3)
    t = ep.tasks[0]
    assert t.goals[0].arg == "Fridge" and t.ordered is False and t.category == "simple"
    assert s.extra == {"dropped": [{"why": "x"}]} and t.extra == {"hint": "ignored"}
    assert [(e.id, t.id) for e, t in s.tasks()] == [("kitchen-1", "t1")]


def test_defaults_for_seed_and_ordered():
    d = doc(ordered=None)
    del d["episodes"][0]["seed"]
    s = suite_from_dict(d)
    assert s.episodes[0].seed == 0 and s.episodes[0].tasks[0].ordered is False


@pytest.mark.parametrize("key", ["id", "category", "instruction", "goals"])
def test_missing_task_key_names_episode_and_task(key):
    d = doc()
    del d["episodes"][0]["tasks"][0][key]
    with pytest.raises(SuiteError) as e:
        suite_from_dict(d)
    msg = str(e.value)
    assert "episode 'kitchen-1'" in msg and f"missing required key {key!r}" in msg
    if key != "id":
        assert "task 't1'" in msg
    else:
        assert "task '#0'" in msg


@pytest.mark.parametrize("key", ["id", "scene", "tasks"])
def test_missing_episode_key(key):
    d = doc()
    del d["episodes"][0][key]
    with pytest.raises(SuiteError, match=f"missing required key '{key}'"):
        suite_from_dict(d)


@pytest.mark.parametrize("key", ["format", "name", "episodes"])
def test_missing_suite_key(key):
    d = doc()
    del d[key]
    with pytest.raises(SuiteError, match=f"suite: missing required key '{key}'"):
        suite_from_dict(d)


@pytest.mark.parametrize("over,fragment", [
    ({"category": "hard"}, "category 'hard' is not one of simple, composite, complex"),
    ({"goals": []}, "'goals' is empty"),
    ({"goals": ["IN(Apple)"]}, "episode 'kitchen-1' task 't1': 'IN(Apple)'"),
    ({"ordered": "yes"}, "'ordered' must be true or false"),
    ({"instruction": 5}, "'instruction' has the wrong type"),
    ({"goals": "IN(Apple, Fridge)"}, "'goals' has the wrong type"),
])
def test_bad_task_values(over, fragment):
    with pytest.raises(SuiteError) as e:
        suite_from_dict(doc(**over))
    assert fragment in str(e.value)


def test_bad_format_seed_and_duplicates():
    d = doc()
    d["format"] = "karma-task-suite/2"
    with pytest.raises(SuiteError, match="format"):
        suite_from_dict(d)
    d = doc()
    d["episodes"][0]["seed"] = True
    with pytest.raises(SuiteError, match="seed"):
        suite_from_dict(d)
    d = doc()
    d["episodes"][0]["tasks"].append(dict(d["episodes"][0]["tasks"][0]))
    with pytest.raises(SuiteError, match="duplicate task id"):
        suite_from_dict(d)
    d = doc()
    d["episodes"].append(d["episodes"][0])
    with pytest.raises(SuiteError, match="duplicate episode id"):
        suite_from_dict(d)


def test_not_json(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("{nope")
    with pytest.raises(SuiteError, match="not valid JSON"):
        load_suite(p)
