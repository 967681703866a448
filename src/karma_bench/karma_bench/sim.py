"""Benchmark of the embedded THOR player: ``./karma bench sim`` (``python -m karma_bench.sim``).

Measures in-process steps/s (``karma_thor.Simulator``), FIFO steps/s through the unmodified
``ai2thor.controller.Controller``, and scene load times: warm (per-scene disk cache present;
median over a few scenes, including building the world) and cold (the 43 MB procthor JSON
parsed and every scene derived; measured against a throw-away cache folder).
Writes ``DIR/sim_bench.json`` with ``--out DIR``.

Targets: >= 300 FIFO steps/s, >= 3000 in-process steps/s, warm scene load <= 0.5 s.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

NAV = ["MoveAhead", "RotateRight", "MoveBack", "RotateLeft", "LookDown", "LookUp"]
SCENES = ["FloorPlan1", "FloorPlan201", "FloorPlan301", "FloorPlan401", "FloorPlan15"]
TARGETS = {"fifo_steps_per_s": 300.0, "inprocess_steps_per_s": 3000.0, "scene_load_s": 0.5}


def _import_karma_thor():
    try:
        import karma_thor  # noqa: F401
    except ImportError:  # source tree: sim/karma_thor next to src/
        sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "sim" / "karma_thor"))
    import karma_thor
    return karma_thor


def bench_inprocess(steps: int) -> float:
    kt = _import_karma_thor()
    sim = kt.Simulator("FloorPlan1")
    t = time.perf_counter()
    for i in range(steps):
        sim.step(NAV[i % len(NAV)])
    return steps / (time.perf_counter() - t)


def bench_fifo(steps: int) -> float | None:
    kt = _import_karma_thor()
    try:
        from ai2thor.controller import Controller
    except ImportError:
        return None
    c = Controller(local_executable_path=kt.player_path(), x_display=":0", scene="FloorPlan1",
                   headless=True)
    try:
        for i in range(20):  # warm up
            c.step(NAV[i % len(NAV)])
        t = time.perf_counter()
        for i in range(steps):
            c.step(NAV[i % len(NAV)])
        return steps / (time.perf_counter() - t)
    finally:
        c.stop()


def bench_scene_load() -> tuple[float, float]:
    """(warm median seconds per scene reset, cold seconds for the first scene)."""
    kt = _import_karma_thor()
    from karma_thor import scenes
    old = os.environ.get("KARMA_THOR_CACHE")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KARMA_THOR_CACHE"] = tmp
        try:
            scenes.load_scene.cache_clear()
            scenes.procthor_scenes.cache_clear()
            t = time.perf_counter()
            scenes.load_scene(SCENES[0])
            cold = time.perf_counter() - t
            sim = kt.Simulator(SCENES[0])
            warm = []
            for name in SCENES:
                scenes.load_scene.cache_clear()  # force the per-scene disk cache path
                t = time.perf_counter()
                sim.reset(name)
                warm.append(time.perf_counter() - t)
        finally:
            scenes.load_scene.cache_clear()
            scenes.procthor_scenes.cache_clear()  # release the 43 MB parse
            if old is None:
                os.environ.pop("KARMA_THOR_CACHE", None)
            else:
                os.environ["KARMA_THOR_CACHE"] = old
    return statistics.median(warm), cold


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="karma bench sim", description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="folder for sim_bench.json")
    ap.add_argument("--steps", type=int, default=3000, help="in-process steps")
    ap.add_argument("--fifo-steps", type=int, default=1000, help="steps through the client")
    args = ap.parse_args(argv)
    warm, cold = bench_scene_load()
    res = {"inprocess_steps_per_s": round(bench_inprocess(args.steps), 1),
           "fifo_steps_per_s": bench_fifo(args.fifo_steps),
           "scene_load_s": round(warm, 4), "scene_load_cold_s": round(cold, 3),
           "scenes": SCENES, "actions": NAV, "targets": TARGETS}
    if res["fifo_steps_per_s"] is not None:
        res["fifo_steps_per_s"] = round(res["fifo_steps_per_s"], 1)
    print(f"{'metric':<24}{'value':>12}  target")
    for key in ("fifo_steps_per_s", "inprocess_steps_per_s", "scene_load_s", "scene_load_cold_s"):
        target = TARGETS.get(key)
        val = res[key]
        mark = "" if target is None or val is None else (
            "ok" if (val <= target if key == "scene_load_s" else val >= target) else "MISSED")
        print(f"{key:<24}{str(val):>12}  {'' if target is None else target} {mark}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "sim_bench.json").write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
