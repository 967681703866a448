"""./karma bench sim: the protocol floor (bare stand-in) and the player measured in one run."""
import json

import pytest

from ai2thor.controller import Controller
from karma_bench import sim


def test_stand_in_speaks_the_protocol_to_the_real_client(tmp_path):
    c = Controller(local_executable_path=sim.stand_in_executable(str(tmp_path)), x_display=":0",
                   scene="FloorPlan1", headless=True, server_timeout=30)
    try:
        ev = c.step("MoveAhead")
        assert ev.metadata["lastActionSuccess"] and ev.metadata["lastAction"] == "MoveAhead"
        assert ev.metadata["objects"] == []  # the minimal event: nothing to decode
    finally:
        c.stop()


def test_the_bench_cycle_succeeds_from_its_start_pose():
    from karma_thor import Simulator
    s = Simulator("FloorPlan1")
    assert s.step(dict(sim.START))["lastActionSuccess"]
    assert all(s.step(sim.NAV[i % len(sim.NAV)])["lastActionSuccess"] for i in range(60))


def test_bench_writes_floor_player_and_ratios(tmp_path):
    assert sim.main(["--out", str(tmp_path), "--steps", "30", "--fifo-steps", "30"]) == 0
    res = json.loads((tmp_path / "sim_bench.json").read_text())
    for key in ("fifo_steps_per_s", "fifo_protocol_floor_steps_per_s",
                "fifo_full_event_floor_steps_per_s", "inprocess_steps_per_s"):
        assert res[key] > 0, key
    # the ratios come from the unrounded rates
    assert res["fifo_to_floor_ratio"] == pytest.approx(
        res["fifo_steps_per_s"] / res["fifo_protocol_floor_steps_per_s"], rel=0.02, abs=2e-3)
    assert res["inprocess_to_fifo_ratio"] == pytest.approx(
        res["inprocess_steps_per_s"] / res["fifo_steps_per_s"], rel=0.02, abs=0.01)
    assert res["targets"]["fifo_to_floor_ratio"] == 0.8
