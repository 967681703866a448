"""The live inspector in headless Chromium against a running stack.

Processes: ltm_node, stm_node and inspector_node, each in its own process; this process
publishes perception (and a plan record, as the planner would) and runs
``browser/inspect_page.js`` with Node.js, which drives the system's Chromium through
playwright-core (``make setup`` installs both): it checks the objects drawn, moves the time
slider into the past, checks what is drawn then, and takes a screenshot.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from karma_interfaces.msg import PlanRecord, PlanStep
from karma_interfaces.srv import QueryShortTerm, ResetSimulation
from karma_memory_ros.conversions import to_time
from karma_ros_common.qos import RELIABLE_EVENTS

from memory_stream import KITCHEN, Stream, ob

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).parent / "browser" / "inspect_page.js"
PLAYWRIGHT = ROOT / ".cache" / "browser" / "node_modules" / "playwright-core"


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    assert exe, "Chromium is missing: `make setup` installs Debian's chromium package"
    assert PLAYWRIGHT.is_dir(), f"playwright-core is missing at {PLAYWRIGHT}: run `make setup`"
    return exe


def _url(proc, timeout=60.0) -> str:
    """The inspector's address, from its start-up log line (an event, not a guess)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(r"inspector at (http://127\.0\.0\.1:\d+/)", proc.log_path.read_text())
        if m:
            return m.group(1)
        assert proc.poll() is None, proc.log_path.read_text()[-2000:]
        time.sleep(0.1)
    raise AssertionError("the inspector never said where it serves")


def _browse(exe: str, url: str, want: list[str], t: float, shot: Path, panels: bool = False) -> dict:
    """Run browser/inspect_page.js; its findings (see the script)."""
    env = dict(os.environ, PLAYWRIGHT_CORE=str(PLAYWRIGHT))
    out = subprocess.run(["node", str(SCRIPT), url, ",".join(want), str(t), str(shot), exe,
                          "panels" if panels else ""],
                         capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_page_draws_memory_live_and_travels_in_time(ros_node, spawn_node, tmp_path):
    exe = _chromium()
    spawn_node("karma_memory_ros.ltm_node", "config/ltm.yaml",
               {"store_dir": str(tmp_path / "ltm"), "publish_rate_hz": 10.0})
    spawn_node("karma_memory_ros.stm_node", "config/stm.yaml")
    insp = spawn_node("karma_inspector.inspector_node", "config/inspector.yaml",
                      {"port": 0, "refresh_period_s": 0.3})
    url = _url(insp)
    s = Stream(ros_node)
    assert s.wait_subscribers(1)
    t0 = float(int(time.time()))
    s.kitchen_map(t0 - 10)
    s.wait_graph(lambda n: "region:kitchen" in n)
    s.frame(t0, KITCHEN + [ob("Apple", "Apple|1", (1.0, 1.0, 1.0))])
    s.wait_graph(lambda n: "Apple|1" in n)
    s.frame(t0 + 10, [ob("Mug", "Mug|1", (4.0, 1.0, 0.9), parent="Fridge|1", states={"isDirty": "false"})])
    s.wait_graph(lambda n: "Mug|1" in n)
    stm = ros_node.create_client(QueryShortTerm, "/karma/stm/query")
    assert stm.wait_for_service(timeout_sec=30)
    # The mug gets dirty, clean, dirty... until the short-term memory (best effort, its own
    # process) has noted a change: an event, polled.
    flips = iter(range(10 ** 6))

    def noted() -> bool:
        i = next(flips)
        s.frame(t0 + 11 + i * 0.01, [ob("Mug", "Mug|1", (4.0, 1.0, 0.9), parent="Fridge|1",
                                        states={"isDirty": "true" if i % 2 == 0 else "false"})])
        return any(e.object_id == "Mug|1" for e in ros_node.call(stm, QueryShortTerm.Request()).entries)
    assert ros_node.spin_until(noted, 30), "the short-term memory never noted the mug"
    plans = ros_node.create_publisher(PlanRecord, "/karma/plan/log", RELIABLE_EVENTS)
    assert ros_node.spin_until(lambda: plans.get_subscription_count() >= 1, 30)
    rec = PlanRecord(instruction="Put the mug on the counter", prompt="Memory:\n- Mug|1 in Fridge|1",
                     memory_ids=["Mug|1"], success=True, backend="test",
                     steps=[PlanStep(skill="navigate_to", args=["Fridge|1"]),
                            PlanStep(skill="pickup", args=["Mug|1"])])
    rec.header.stamp = to_time(t0 + 11)
    plans.publish(rec)

    shot = tmp_path / "inspector.png"
    page = _browse(exe, url, ["Apple|1", "Mug|1", "CounterTop|1", "Fridge|1"], t0 + 5, shot, panels=True)
    live = {d["id"]: d for d in page["live"]}
    assert "object" in live["Apple|1"]["cls"] and float(live["Apple|1"]["confidence"]) > 0.5
    assert "receptacle" in live["Fridge|1"]["cls"] and "region:kitchen" in live
    assert page["slider"]["min"] <= t0 and page["slider"]["max"] >= t0 + 10
    assert abs(page["movedTo"] - (t0 + 5)) < 1e-3
    past = {d["id"] for d in page["past"]}
    assert {"Apple|1", "CounterTop|1", "Fridge|1"} <= past and "Mug|1" not in past   # not yet seen
    assert page["label"].startswith("history at")
    assert "Mug|1" in {d["id"] for d in page["back"]}                                # live again
    assert "Put the mug on the counter" in page["plan"] and "pickup(Mug|1)" in page["plan"]
    assert "Mug|1" in page["stm"] and "isDirty=" in page["stm"]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000


def test_in_simulation_belief_and_ground_truth_side_by_side(ros_node, spawn_node, tmp_path):
    """The bridge on the embedded THOR player: what the memory saw of FloorPlan1 beside the
    simulator's truth; the objects it has not seen yet are marked missing."""
    exe = _chromium()
    spawn_node("karma_thor_bridge.bridge_node", "config/bridge.yaml", {"perception": "oracle"})
    spawn_node("karma_memory_ros.ltm_node", "config/ltm.yaml",
               {"store_dir": str(tmp_path / "ltm"), "publish_rate_hz": 10.0})
    insp = spawn_node("karma_inspector.inspector_node", "config/inspector.yaml",
                      {"port": 0, "refresh_period_s": 0.3})
    url = _url(insp)
    s = Stream(ros_node)
    # The bridge's start-up frame may go out before the memory listens (best effort): once the
    # memory holds the latched map, a reset publishes the spawn view again.
    assert s.wait_graph(lambda n: any(v["layer"] == "region" for v in n.values()), 120)
    reset = ros_node.create_client(ResetSimulation, "/karma/sim/reset")
    assert reset.wait_for_service(timeout_sec=60)
    # THOR's spawn view of FloorPlan1 shows furniture and receptacles (a toaster, cabinets). The
    # view after a reset is one best-effort frame; a loaded machine can drop it, so reset again
    # until the memory shows what it saw (an event, polled).
    def things(n):
        return any(v["layer"] in ("object", "receptacle") for v in n.values())

    def reset_and_wait() -> bool:
        assert ros_node.call(reset, ResetSimulation.Request(scene="FloorPlan1", seed=0), timeout=60).success
        return ros_node.spin_until(lambda: bool(s.graphs) and things(s.nodes(s.graphs[-1])), 20)
    assert any(reset_and_wait() for _ in range(6)), "the memory never showed the spawn view"
    seen = sorted(k for k, v in s.nodes(s.graphs[-1]).items() if v["layer"] in ("object", "receptacle"))
    page = _browse(exe, url, seen, time.time(), tmp_path / "sim.png")
    assert "missing" in page["truth"]                       # true objects not seen yet, in green/red
    assert "missing:" in page["diffs"]
    assert not any(d.startswith("phantom") for d in page["diffs"].split("; ")), page["diffs"]
