"""The checked-in ALFRED-L suite is exactly what the cleaning script builds."""
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# The raw lists live in the shared data folder beside the repo (as in CI); KARMA_SHARED_DIR
# points elsewhere.
import os  # noqa: E402
RAW = Path(os.environ.get("KARMA_SHARED_DIR", ROOT.parent / "shared")) / "benchmarks" / "karma-alfred-l"


def test_split_raw_handles_counts_and_coordinates():
    from karma_bench.clean_alfred_l import split_raw
    assert split_raw("ON(a, b): 1, INSIDE(c, d)") == ["ON(a, b)", "INSIDE(c, d)"]
    assert split_raw("ON(s,(-1.7, 0.8, 0.3))") == ["ON(s,(-1.7, 0.8, 0.3))"]


def test_map_goal_uses_scene_types():
    from karma_bench.clean_alfred_l import map_goal
    notes = []
    assert map_goal("ON(apple, table): 1".split(":")[0], "FloorPlan1", {}, notes) == "ON(Apple, CounterTop)"
    assert map_goal("ON(bowl, table)", "FloorPlan11", {}, notes) == "ON(Bowl, DiningTable)"
    assert map_goal("INSIDE(toilet paper, trash)", "FloorPlan416", {}, notes) == \
        "INSIDE(ToiletPaper, GarbageCan)"
    assert map_goal("SWITCHON(lamp)", "FloorPlan224", {}, notes) == "TOGGLEON(DeskLamp)"
    assert map_goal("STATE(plate, washed)", "FloorPlan28", {}, notes) == "STATE(Plate, clean)"
    assert any("FloorPlan1 has no DiningTable" in n for n in notes)


def test_checked_in_suite_is_reproducible(tmp_path):
    assert RAW.is_dir(), f"raw ALFRED-L lists not found at {RAW} (set KARMA_SHARED_DIR)"
    from karma_bench.clean_alfred_l import main
    assert main([str(RAW), "--out", str(tmp_path)]) == 0
    for name in ("alfred_l.json", "ALFRED_L_CLEANING.md"):
        assert (tmp_path / name).read_text() == (ROOT / "suites" / name).read_text(), name
    doc = json.loads((tmp_path / "alfred_l.json").read_text())
    assert len(doc["dropped"]) + sum(len(e["tasks"]) for e in doc["episodes"]) == 48


def test_fix_table_covers_every_raw_task():
    from karma_bench.alfred_l_fixes import FIXES
    assert sorted(k for k in FIXES if k[0] == "simple") == [("simple", i) for i in range(1, 16)]
    assert len([k for k in FIXES if k[0] == "composite"]) == 15
    assert len([k for k in FIXES if k[0] == "complex"]) == 18
    for key, fix in FIXES.items():
        assert fix.drop or fix.goals is None or fix.goals, key
