import json

import pytest

from karma_bench.report import FORMAT, check_record, render_md, results_doc, summarize, write_results


def rec(ep="e1", task="t1", category="simple", success=True, met=1, total=1, steps=10,
        memory=None, **kw):
    r = {"episode": ep, "task": task, "category": category, "success": success,
         "goals_met": met, "goals_total": total, "steps": steps, "planner_calls": 2,
         "prompt_tokens": 500, "wall_s": 1.5, "completion_tokens": 40, "nav_distance_m": 3.2,
         "regions_explored": 2, "retrieval_accuracy": 0.5, "stm_hit_rate": 0.25}
    if memory:
        r["memory"] = memory
    r.update(kw)
    return r


TASKS = [rec("e1", "t1", "simple", True, 1, 1, 10, "full"),
         rec("e1", "t2", "composite", False, 1, 2, 30, "full"),
         rec("e1", "t1", "simple", False, 0, 1, 20, "none"),
         rec("e1", "t2", "composite", False, 0, 2, 50, "none")]


def test_summary_numbers():
    s = summarize(TASKS)
    assert s["n"] == 4 and s["success_rate"] == 0.25
    assert s["goal_condition_rate"] == pytest.approx((1 + 0.5 + 0 + 0) / 4)
    assert s["mean_steps"] == 27.5
    assert s["by_category"]["simple"]["success_rate"] == 0.5
    assert s["by_memory"]["full"]["mean_steps"] == 20.0
    assert s["by_category_memory"]["composite/none"]["goal_condition_rate"] == 0.0
    assert list(s["by_category"]) == ["simple", "composite"]  # natural order


def test_default_memory_from_config():
    doc = results_doc("x", {"memory": "ltm"}, [rec()])
    assert list(doc["summary"]["by_memory"]) == ["ltm"]


@pytest.mark.parametrize("bad,fragment", [
    ({"steps": None}, "missing 'steps'"),
    ({"success": 1}, "'success' has the wrong type"),
    ({"steps": True}, "'steps' has the wrong type"),
    ({"category": "hard"}, "category"),
    ({"goals_met": 3}, "goals_met"),
])
def test_check_record(bad, fragment):
    r = rec()
    for k, v in bad.items():
        if v is None:
            del r[k]
        else:
            r[k] = v
    with pytest.raises(ValueError, match=fragment):
        check_record(r)


def test_write_results(tmp_path):
    paths = write_results(tmp_path / "out", "alfred-l", {"planner": "mock"}, TASKS)
    doc = json.loads(paths["json"].read_text())
    assert doc["format"] == FORMAT == "karma-bench-results/1"
    assert doc["suite"] == "alfred-l" and doc["config"] == {"planner": "mock"}
    t = doc["tasks"][0]
    for key in ("episode", "task", "category", "success", "goals_met", "goals_total", "steps",
                "planner_calls", "prompt_tokens", "wall_s", "completion_tokens",
                "nav_distance_m", "regions_explored", "retrieval_accuracy", "stm_hit_rate",
                "memory"):
        assert key in t, key
    for key in ("success_rate", "goal_condition_rate", "mean_steps", "by_category",
                "by_memory", "by_category_memory"):
        assert key in doc["summary"]
    md = paths["md"].read_text()
    assert "## simple" in md and "## composite" in md and "| full |" in md and "| none |" in md
    for name in ("success_rate", "mean_steps"):
        data = paths[name].read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


def test_render_md_handles_empty_and_no_plots(tmp_path):
    doc = results_doc("empty", {}, [])
    assert doc["summary"]["success_rate"] is None
    assert "0 tasks" in render_md(doc)
    paths = write_results(tmp_path, "empty", {}, [], plots=False)
    assert set(paths) == {"json", "md"}


def test_memory_quality_per_memory_mode_in_summary_and_markdown(tmp_path):
    from karma_bench.quality import judge
    from karma_bench.report import render_md, results_doc
    # The truth in THOR's (Unity) axes, the memory in map (REP-103): (0, 1, 0) there is (0, 0, 1) here.
    gt = {'objects': [{'objectId': 'Mug|1', 'objectType': 'Mug', 'pickupable': True,
                       'position': {'x': 0, 'y': 1, 'z': 0}}], 'perceived': ['Mug|1']}
    good = judge([{'id': 'Mug_1', 'type': 'Mug', 'position': (0, 0, 1)}], gt)
    bad = judge([{'id': 'Mug_1', 'type': 'Mug', 'position': (0, -2, 1)}], gt)
    base = {"category": "simple", "success": True, "goals_met": 1, "goals_total": 1,
            "steps": 3, "planner_calls": 1, "prompt_tokens": 1, "wall_s": 0.1}
    doc = results_doc("s", {}, [dict(base, episode="e", task="t", memory="karma", memory_quality=good),
                                dict(base, episode="e", task="t", memory="none", memory_quality=bad),
                                dict(base, episode="e", task="u", memory="none", memory_quality=None)])
    q = doc["summary"]["by_memory"]
    assert q["karma"]["memory_quality"]["recall"] == 1.0
    assert q["none"]["memory_quality"]["recall"] == 0.0 and q["none"]["memory_quality"]["tasks"] == 1
    assert doc["summary"]["memory_quality"]["tasks"] == 2
    md = render_md(doc)
    assert "## Memory quality" in md and "| karma | 100.0% |" in md
