"""Fleet memory benchmark: several robots on one PostgreSQL store, against SQLite alone.

``./karma bench fleet --out DIR`` starts a private PostgreSQL server (karma_bench.pgcluster,
loopback, temporary folder), then for 1, 2 and 4 simulated robots (one process each, the
memory's real code path: ``SceneGraph.apply`` -> ``FleetStore.commit`` per frame, and
``FleetStore.sync`` once ``--sync-period`` seconds have passed, as the LTM node's timer does)
measures

* *ingest*: frames of ``--obs`` observations applied as fast as they go, observations per
  second per robot; the reference is the embedded SQLite store (``MemoryStore``), one robot,
  the same stream, in the same run (``ratio`` = fleet / SQLite);
* *keep-up*: frames at ``--rate`` Hz for ``--seconds``; a robot keeps up when it applied every
  frame and its achieved rate is within 5 % of the target (work per frame below the period);
* *visibility*: for every object a robot creates, the delay from its stamp (wall clock when the
  writer applied it) until another robot's sync merged it into that robot's graph; p50/p95
  over all pairs. With 1 robot a passive second robot (sync only) is the reader.

The stream per robot: its own scene of ``4 * obs`` objects with perception ids; each frame sees
``obs`` of them (a sliding window), 5 % moved by 0.3 m, plus 2 new objects. Prints a table,
writes ``DIR/fleet_bench.json``. Targets: 2 robots each at 30 Hz x 200 observations keep up;
visibility p95 <= 500 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time

TARGETS = {"keep_up_robots": 2, "rate_hz": 30.0, "obs_per_frame": 200, "visibility_p95_ms": 500.0}


def _stream(name: str, obs: int, seed: int):
    from karma_memory import Observation
    rng = random.Random(seed)
    ox = 40.0 * (sum(map(ord, name)) % 20)      # each robot's own part of the house
    scene = [[f"{name}/Obj|{i}", rng.choice(("Mug", "Apple", "Book", "Cup", "Plate", "Bowl")),
              [ox + rng.uniform(0, 30), rng.uniform(0, 30), rng.uniform(0.5, 1.5)]]
             for i in range(4 * obs)]
    frame, new = 0, 0
    while True:
        start = (frame * obs // 10) % len(scene)
        window = [scene[(start + k) % len(scene)] for k in range(obs - 2)]
        for s in rng.sample(window, max(1, len(window) // 20)):
            s[2][0] += 0.3
        fresh = []
        for _ in range(2):
            fresh.append([f"{name}/New|{new}", "Vase", [ox + rng.uniform(0, 30), rng.uniform(0, 30), 1.0]])
            new += 1
        yield [Observation(t, i, 0.9, tuple(p), (0.1, 0.1, 0.1)) for i, t, p in window + fresh], \
            [f[0] for f in fresh]
        frame += 1


def worker(args) -> dict:
    """One simulated robot (``--worker``); prints its figures as one JSON line."""
    from karma_memory import MemoryConfig, MemoryStore
    from karma_memory.stores.fleet import FleetStore
    cfg = MemoryConfig(id_suffix=f":{args.name}")
    if args.url:
        store = FleetStore(args.dir, args.url, args.name)
    else:
        store = MemoryStore(args.dir)
    graph = store.load(cfg)
    sync = getattr(store, "sync", None)
    stream = _stream(args.name, args.obs, args.seed)
    frames, work, delays, created = 0, [], [], {}
    period = 1.0 / args.rate if args.rate > 0 else 0.0
    # Start together: every robot waits for the same wall-clock instant.
    while time.time() < args.start_at:
        time.sleep(min(0.05, max(0.0, args.start_at - time.time())))   # a start barrier
    t0 = time.monotonic()
    end = t0 + args.seconds
    nxt = next_sync = t0
    while True:
        now = time.monotonic()
        if args.frames and frames >= args.frames:
            break
        if not args.frames and now >= end:
            break
        if period:
            if now < nxt:
                time.sleep(nxt - now)      # pacing the simulated camera, not waiting on a result
            nxt += period
        w0 = time.perf_counter()
        if args.passive:
            rep = sync(graph)
        else:
            obs, fresh = next(stream)
            stamp = time.time()
            graph.apply(obs, stamp=stamp, source=f"perception:{args.name}")
            store.commit(graph)
            for nid in fresh:
                created[nid] = stamp
            rep = None
            if sync and time.monotonic() >= next_sync:
                rep = sync(graph)
                next_sync = time.monotonic() + args.sync_period
        work.append(time.perf_counter() - w0)
        if rep is not None:
            t = time.time()
            delays += [t - ts for nid, robot, ts in rep.applied if "/New|" in nid and robot != args.name]
        frames += 1
    elapsed = time.monotonic() - t0
    # Drain: the others' last objects (bounded wait, for visibility only).
    if sync:
        stop = time.monotonic() + 3.0
        while time.monotonic() < stop:
            rep = sync(graph)
            t = time.time()
            delays += [t - ts for nid, robot, ts in rep.applied if "/New|" in nid and robot != args.name]
            time.sleep(0.05)
    out = {"name": args.name, "frames": frames, "elapsed_s": elapsed,
           "obs_per_s": 0.0 if args.passive else frames * args.obs / elapsed,
           "hz": frames / elapsed, "work_p50_ms": 1e3 * statistics.median(work) if work else 0.0,
           "work_p95_ms": 1e3 * _pct(work, 95) if work else 0.0,
           "delays_ms": [1e3 * d for d in delays], "objects": len(graph)}
    print(json.dumps(out), flush=True)
    return out


def _pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else 0.0


def _run(robots: int, url: str, base: str, tag: str, args, rate: float, passive: bool = False):
    start_at = time.time() + 3.0 + robots          # time for the processes to import and connect
    procs = []
    names = [f"robot{i + 1}" for i in range(robots)]
    if passive:
        names.append("observer")
    for n in names:
        argv = [sys.executable, "-m", "karma_bench.fleet", "--worker", "--name", n,
                "--dir", os.path.join(base, tag, n), "--url", url, "--obs", str(args.obs),
                "--rate", str(rate), "--seconds", str(args.seconds), "--start-at", str(start_at),
                "--sync-period", str(args.sync_period), "--seed", str(args.seed)]
        if rate <= 0:
            argv += ["--frames", str(args.frames)]
        if n == "observer":
            argv += ["--passive"]
        procs.append(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outs = []
    for p in procs:
        so, se = p.communicate(timeout=900)
        if p.returncode != 0:
            raise RuntimeError(f"robot process failed: {se[-2000:]}")
        outs.append(json.loads(so.strip().splitlines()[-1]))
    return [o for o in outs if o["name"] != "observer"], outs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="karma bench fleet", description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="out/bench")
    ap.add_argument("--robots", default="1,2,4")
    ap.add_argument("--obs", type=int, default=200, help="observations per frame")
    ap.add_argument("--rate", type=float, default=30.0, help="keep-up frame rate, Hz")
    ap.add_argument("--seconds", type=float, default=10.0, help="keep-up run length")
    ap.add_argument("--frames", type=int, default=150, help="frames of the unpaced ingest run")
    ap.add_argument("--sync-period", type=float, default=0.1,
                    help="seconds between syncs (the node's fleet_sync_period_s)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--url", default="", help="an existing server (default: a private cluster)")
    # worker mode (internal)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--passive", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--name", default="robot1", help=argparse.SUPPRESS)
    ap.add_argument("--dir", default="", help=argparse.SUPPRESS)
    ap.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    from karma_bench.pgcluster import PgCluster
    import psycopg
    base = tempfile.mkdtemp(prefix="karma-fleet-bench-")
    pg = None if args.url else PgCluster().start()
    server_url = args.url or pg.url
    try:
        ref, _ = _run(1, "", base, "sqlite", args, rate=0.0)
        ref_ops = ref[0]["obs_per_s"]
        ref_hz, _ = _run(1, "", base, "sqlite-30hz", args, rate=args.rate)
        rows = []
        for n in [int(x) for x in args.robots.split(",")]:
            urls = []
            for phase in ("ingest", "keepup"):
                db = f"fleet_{n}_{phase}"
                with psycopg.connect(server_url, autocommit=True) as c:
                    c.execute(f"DROP DATABASE IF EXISTS {db}")
                    c.execute(f"CREATE DATABASE {db}")
                urls.append(server_url.rsplit("/", 1)[0] + "/" + db)
            ing, _ = _run(n, urls[0], base, f"ingest{n}", args, rate=0.0)
            kept, every = _run(n, urls[1], base, f"keepup{n}", args, rate=args.rate, passive=(n == 1))
            delays = [d for o in every for d in o["delays_ms"]]
            ops = statistics.mean(o["obs_per_s"] for o in ing)
            rows.append({
                "robots": n, "ingest_obs_per_s_per_robot": ops, "ratio_vs_sqlite": ops / ref_ops,
                "keepup_hz": [round(o["hz"], 2) for o in kept],
                "keepup_work_p95_ms": [round(o["work_p95_ms"], 2) for o in kept],
                "keeps_up": all(o["hz"] >= 0.95 * args.rate for o in kept),
                "visibility_p50_ms": statistics.median(delays) if delays else None,
                "visibility_p95_ms": _pct(delays, 95) if delays else None,
                "visibility_samples": len(delays)})
    finally:
        if pg is not None:
            pg.destroy()
    two = next((r for r in rows if r["robots"] == 2), None)
    p95s = [r["visibility_p95_ms"] for r in rows if r["visibility_p95_ms"] is not None]
    doc = {"load_average_1min_after": os.getloadavg()[0], "reference": {"store": "sqlite (MemoryStore, WAL), 1 robot",
                         "ingest_obs_per_s": ref_ops, "keepup_hz": ref_hz[0]["hz"],
                         "keepup_work_p95_ms": ref_hz[0]["work_p95_ms"]},
           "fleet": rows, "targets": TARGETS,
           "met": {"two_robots_keep_up": bool(two and two["keeps_up"]),
                   "visibility_p95_le_500ms": bool(p95s) and max(p95s) <= TARGETS["visibility_p95_ms"]},
           "config": {"obs_per_frame": args.obs, "rate_hz": args.rate, "seconds": args.seconds,
                      "ingest_frames": args.frames, "sync_period_s": args.sync_period,
                      "server": "private cluster (fsync=off, synchronous_commit=on)" if pg else "given"},
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "platform": platform.platform()}}
    print(f"\nFleet memory: {args.obs} observations per frame, keep-up at {args.rate:g} Hz for "
          f"{args.seconds:g} s, sync every {args.sync_period:g} s; load average before: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'store':<22}{'robots':>7}{'ingest obs/s/robot':>20}{'vs SQLite':>11}"
          f"{'Hz at ' + format(args.rate, 'g'):>16}{'keeps up':>10}{'vis p50 ms':>12}{'vis p95 ms':>12}")
    print(f"{'sqlite (reference)':<22}{1:>7}{ref_ops:>20.0f}{1.0:>11.2f}{ref_hz[0]['hz']:>16.1f}"
          f"{'yes' if ref_hz[0]['hz'] >= 0.95 * args.rate else 'no':>10}{'-':>12}{'-':>12}")
    for r in rows:
        fmt = lambda v: "-" if v is None else f"{v:.0f}"
        print(f"{'postgresql':<22}{r['robots']:>7}{r['ingest_obs_per_s_per_robot']:>20.0f}"
              f"{r['ratio_vs_sqlite']:>11.2f}{'/'.join(f'{h:.1f}' for h in r['keepup_hz']):>16}"
              f"{'yes' if r['keeps_up'] else 'no':>10}{fmt(r['visibility_p50_ms']):>12}"
              f"{fmt(r['visibility_p95_ms']):>12}")
    print(f"targets: 2 robots keep up at {args.rate:g} Hz: {'met' if doc['met']['two_robots_keep_up'] else 'MISSED'}; "
          f"visibility p95 <= 500 ms: {'met' if doc['met']['visibility_p95_le_500ms'] else 'MISSED'}")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "fleet_bench.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
