"""Benchmark of the embedded THOR player: ``./karma bench sim`` (``python -m karma_bench.sim``).

Measures in-process steps/s (``karma_thor.Simulator``), FIFO steps/s through the unmodified
``ai2thor.controller.Controller``, in the same run the protocol floor (a bare stand-in,
``karma_thor.stand_in``, answering every action with a minimal event over the same FIFO
protocol), and scene load times: warm (per-scene disk cache present;
median over a few scenes, including building the world) and cold (the 43 MB procthor JSON
parsed and every scene derived; measured against a throw-away cache folder).
Writes ``DIR/sim_bench.json`` with ``--out DIR``.

Targets: FIFO >= 0.8 x the protocol floor, in-process >= 10 x FIFO, >= 300 FIFO steps/s,
>= 3000 in-process steps/s, warm scene load <= 0.5 s.
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

# A cycle that ends where it starts, so every step of a long run succeeds
NAV = ["MoveAhead", "RotateRight", "RotateLeft", "MoveBack", "LookDown", "LookUp"]
SCENES = ["FloorPlan1", "FloorPlan201", "FloorPlan301", "FloorPlan401", "FloorPlan15"]
TARGETS = {"fifo_steps_per_s": 300.0, "inprocess_steps_per_s": 3000.0, "scene_load_s": 0.5,
           "fifo_to_floor_ratio": 0.8, "inprocess_to_fifo_ratio": 10.0}


def _import_karma_thor():
    try:
        import karma_thor  # noqa: F401
    except ImportError:  # source tree: sim/karma_thor next to src/
        sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "sim" / "karma_thor"))
    import karma_thor
    return karma_thor


# An open spot of FloorPlan1 where every action of NAV succeeds (THOR's spawn faces a wall)
START = dict(action="TeleportFull", position=dict(x=1.25, y=0.9, z=-0.5),
             rotation=dict(x=0, y=0, z=0), horizon=0, standing=True)


def bench_inprocess(steps: int) -> float:
    kt = _import_karma_thor()
    sim = kt.Simulator("FloorPlan1")
    sim.step(dict(START))
    t = time.perf_counter()
    for i in range(steps):
        sim.step(NAV[i % len(NAV)])
    return steps / (time.perf_counter() - t)


def stand_in_executable(folder: str) -> str:
    """An executable that starts the bare stand-in with this interpreter."""
    kt = _import_karma_thor()
    pkg = str(Path(kt.__file__).resolve().parent.parent)
    path = os.path.join(folder, "thor_stand_in")
    with open(path, "w") as f:
        f.write(f"#!/bin/sh\nPYTHONPATH={pkg}${{PYTHONPATH:+:$PYTHONPATH}} "
                f"exec {sys.executable} -m karma_thor.stand_in \"$@\"\n")
    os.chmod(path, 0o755)
    return path


def full_event_file(folder: str) -> str:
    """A THOR-sized event (the player's, FloorPlan1 after one move) for the stand-in to replay."""
    kt = _import_karma_thor()
    path = os.path.join(folder, "event.json")
    with open(path, "w") as f:
        sim = kt.Simulator("FloorPlan1")
        sim.step(dict(START))
        json.dump(sim.step("MoveAhead"), f)
    return path


def bench_fifo(steps: int, executable: str | None = None) -> float | None:
    """Steps/s through the client against the player (or ``executable``)."""
    kt = _import_karma_thor()
    try:
        from ai2thor.controller import Controller
    except ImportError:
        return None
    c = Controller(local_executable_path=executable or kt.player_path(), x_display=":0",
                   scene="FloorPlan1", headless=True)
    try:
        c.step(dict(START))
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
    inproc = bench_inprocess(args.steps)
    with tempfile.TemporaryDirectory() as tmp:
        exe = stand_in_executable(tmp)
        floor = bench_fifo(args.fifo_steps, exe)
        os.environ["KARMA_STAND_IN_EVENT"] = full_event_file(tmp)
        try:
            full_floor = bench_fifo(args.fifo_steps, exe)
        finally:
            os.environ.pop("KARMA_STAND_IN_EVENT", None)
    fifo = bench_fifo(args.fifo_steps)
    res = {"inprocess_steps_per_s": round(inproc, 1),
           "fifo_steps_per_s": None if fifo is None else round(fifo, 1),
           "fifo_protocol_floor_steps_per_s": None if floor is None else round(floor, 1),
           "fifo_to_floor_ratio": None if not (fifo and floor) else round(fifo / floor, 3),
           # the same stand-in replaying a THOR-sized event: what decoding THOR's metadata
           # costs the client, whoever sends it (a Unity build sends as much)
           "fifo_full_event_floor_steps_per_s": None if full_floor is None else round(full_floor, 1),
           "fifo_to_full_event_floor_ratio": None if not (fifo and full_floor)
           else round(fifo / full_floor, 3),
           "inprocess_to_fifo_ratio": None if not fifo else round(inproc / fifo, 2),
           "scene_load_s": round(warm, 4), "scene_load_cold_s": round(cold, 3),
           "scenes": SCENES, "actions": NAV, "targets": TARGETS}
    print(f"{'metric':<32}{'value':>12}  target")
    for key in ("fifo_steps_per_s", "fifo_protocol_floor_steps_per_s", "fifo_to_floor_ratio",
                "fifo_full_event_floor_steps_per_s", "fifo_to_full_event_floor_ratio",
                "inprocess_steps_per_s", "inprocess_to_fifo_ratio", "scene_load_s",
                "scene_load_cold_s"):
        target = TARGETS.get(key)
        val = res[key]
        mark = "" if target is None or val is None else (
            "ok" if (val <= target if key == "scene_load_s" else val >= target) else "MISSED")
        print(f"{key:<32}{str(val):>12}  {'' if target is None else target} {mark}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "sim_bench.json").write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
