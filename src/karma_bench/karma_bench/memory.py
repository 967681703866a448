"""Long-term memory benchmark: ingest, find latency, node callback, reference graph libraries.

``python -m karma_bench.memory --out DIR`` (or ``./karma bench memory --out DIR``) prints a table
and writes ``DIR/memory_bench.json``::

    {"ingest_us_per_obs": {"1000": .., "10000": .., "100000": ..},   # steady stream, see below
     "fill_us_per_obs":   {...},                                     # creating N new objects
     "find_p50_ms": {...}, "find_p95_ms": {...},                    # wall clock
     "find_p95_cpu_ms": {...},          # the same calls in thread CPU time (without waiting for a core)
     "callback_median_ms": .., "callback_how": "ltm_node.handle_observations ...",
     "reference": {"networkx_us_per_node_edge": .., "spark_dsg_us_per_node": ..,   # see below
                   "spark_dsg_cpu_us_per_node": .., "spark_dsg_us_per_node_alone": ..},
     "ratio": {...}, "ratio_cpu": {...},     # ingest at 10k / spark_dsg, wall and CPU time
     "targets": {...}, "machine": {...}}

*ingest* is what a robot produces once the memory holds N objects: batches of 200
observations, 90 % re-sightings by instance id (5 % of those moved, so relations are rewired)
and 10 % new objects, applied with :meth:`SceneGraph.apply`. *fill* is building the memory
from empty (every observation creates a node and infers its relations). *find* mixes type
queries and free-text queries, top 10, through the function the memory node serves
``FindObject`` with (:meth:`karma_planning.memory_query.MemoryQuery.find`: retrieval's type
matcher and synonym table, without the embedding). The callback figure runs the node's real ingest path
(message conversion, validation, apply, SQLite commit) in-process on 30 messages of 200
observations at 10k objects; without rclpy it falls back to apply + commit.
The spark_dsg reference inserts 200 raw nodes after each ingest batch of the 10k run, so both
see the same moments of a shared machine's load; ``..._alone`` is a separate 20k-node run.
Synthetic scenes are deterministic (seeded); timings are wall-clock on this machine, the
``cpu`` figures thread CPU time of the same calls.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time

from karma_memory import MemoryStore, Observation, SceneGraph

OBJECT_TYPES = ["Apple", "Bread", "Knife", "ButterKnife", "Mug", "Cup", "Plate", "Bowl", "Egg",
                "Tomato", "Potato", "Lettuce", "Spoon", "Fork", "Pan", "Pot", "Book", "CellPhone",
                "Pen", "Pencil", "KeyChain", "RemoteControl", "Vase", "Statue", "Towel",
                "SoapBottle", "Candle", "Newspaper", "Laptop", "Pillow"] + [f"Gadget{i}" for i in range(50)]
RECEPTACLE_TYPES = ["CounterTop", "DiningTable", "Fridge", "Cabinet", "Drawer", "Shelf", "SideTable",
                    "Desk", "Sofa", "Bed", "CoffeeTable", "Dresser"]
QUERIES = ["apple", "Mug", "butter knife", "something to cut bread with", "coffee cup", "fridge",
           "a pen to write with", "Gadget7", "table", "phone", "remote", "where is the towel"]
TARGETS = {"ingest_us_per_obs@10000": "<= reference.spark_dsg_us_per_node (same run)",
           "ratio": 1.0, "find_p95_ms@10000": 1.0, "callback_median_ms": 5.0}


def synthetic_scene(n: int, seed: int = 0) -> list[Observation]:
    """``n`` observations: ~10 % receptacles spread over a floor of 2.5 objects/m^2, the rest
    lying on random receptacles (so relations are inferred from geometry)."""
    rng = random.Random(seed)
    n_rec = max(10, n // 10)
    side = (n / 2.5) ** 0.5
    recs = []
    for i in range(n_rec):
        t = rng.choice(RECEPTACLE_TYPES)
        recs.append(Observation(t, f"{t}|{i}", 0.9, (rng.uniform(0, side), rng.uniform(0, side), 0.8),
                                (1.0, 0.6, 0.1), is_receptacle=True))
    objs = []
    for i in range(n - n_rec):
        r, t = rng.choice(recs), rng.choice(OBJECT_TYPES)
        p = (r.position[0] + rng.uniform(-0.4, 0.4), r.position[1] + rng.uniform(-0.25, 0.25), 0.9)
        objs.append(Observation(t, f"{t}|o{i}", 0.9, p, (0.1, 0.1, 0.1)))
    return recs + objs


def stream_batch(scene: list[Observation], rng: random.Random, fresh: list[int], size: int = 200):
    """One batch: 90 % re-sightings (5 % moved by 0.3 m, else 1 cm jitter), 10 % new objects."""
    batch = []
    for o in rng.sample(scene, size - size // 10):
        dx = 0.3 if rng.random() < 0.05 else 0.01
        batch.append(Observation(o.label, o.instance_id, 0.9, (o.position[0] + dx, o.position[1], o.position[2]),
                                 o.size, is_receptacle=o.is_receptacle))
    for _ in range(size // 10):
        fresh[0] += 1
        base = rng.choice(scene).position
        batch.append(Observation(rng.choice(OBJECT_TYPES), f"New|{fresh[0]}", 0.9,
                                 (base[0] + 0.2, base[1], 0.9), (0.1, 0.1, 0.1)))
    return batch


def fill(n: int) -> tuple[SceneGraph, list[Observation], float]:
    scene = synthetic_scene(n)
    g = SceneGraph()
    t = time.perf_counter()
    for i in range(0, n, 200):
        g.apply(scene[i:i + 200], stamp=1.0)
    return g, scene, (time.perf_counter() - t) / n * 1e6


def find_query():
    """The memory node's query object as ``retrieval_service`` builds it (the installed
    synonym table; item embeddings are not needed to find)."""
    from karma_planning.embedding import HashEmbedder
    from karma_planning.memory_query import MemoryQuery
    from karma_planning.prompt import default_prompts_dir
    from karma_planning.retrieval import Retriever
    from karma_planning.synonyms import SynonymTable
    return MemoryQuery(Retriever(HashEmbedder(), SynonymTable.load(default_prompts_dir() / "synonyms.yaml")))


def bench_size(n: int, batches: int = 20, queries: int = 600) -> dict:
    g, scene, fill_us = fill(n)
    mq = find_query()
    rng, fresh = random.Random(1), [0]
    work = [stream_batch(scene, rng, fresh) for _ in range(batches)]
    spark = SparkInserts()
    wall = cpu = 0.0
    for i, b in enumerate(work):
        c, t = time.thread_time(), time.perf_counter()
        g.apply(b, stamp=2.0 + i)
        wall += time.perf_counter() - t
        cpu += time.thread_time() - c
        spark.insert(len(b))     # the reference, interleaved: the same moments' load
    obs = sum(map(len, work))
    ingest_us, ingest_cpu_us = wall / obs * 1e6, cpu / obs * 1e6
    lat, cpu = [], []
    for i in range(queries):
        q = QUERIES[i % len(QUERIES)] if i % 2 else rng.choice(OBJECT_TYPES + RECEPTACLE_TYPES)
        c, t = time.thread_time(), time.perf_counter()
        mq.find(g, q, 10)
        lat.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.thread_time() - c) * 1e3)
    lat.sort()
    cpu.sort()
    return {"fill_us": fill_us, "ingest_us": ingest_us, "ingest_cpu_us": ingest_cpu_us,
            "spark_us": spark.us_per_node(), "spark_cpu_us": spark.cpu_us_per_node(), "find_p50": lat[len(lat) // 2],
            "find_p95": lat[int(0.95 * len(lat)) - 1], "find_p95_cpu": cpu[int(0.95 * len(cpu)) - 1],
            "graph": g, "scene": scene}


class SparkInserts:
    """spark_dsg's raw node insert, timed in chunks between the memory's ingest batches (so the
    reference sees the same moments' machine load as the ingest it is compared with)."""

    def __init__(self):
        try:
            import numpy as np
            import spark_dsg as dsg
        except ImportError:
            self.dsg = None
            return
        self.dsg, self.np = dsg, np
        self.G = dsg.DynamicSceneGraph()
        self.n = 0
        self.wall = self.cpu = 0.0

    def insert(self, count: int) -> None:
        if self.dsg is None:
            return
        dsg, np, G = self.dsg, self.np, self.G
        c, t = time.thread_time(), time.perf_counter()
        for i in range(self.n, self.n + count):
            attrs = dsg.ObjectNodeAttributes()
            attrs.position = np.array([0.0, 1.0, 2.0])
            G.add_node(dsg.DsgLayers.OBJECTS, dsg.NodeSymbol("O", i), attrs)
        self.wall += time.perf_counter() - t
        self.cpu += time.thread_time() - c
        self.n += count

    def us_per_node(self) -> float | None:
        return self.wall / self.n * 1e6 if self.dsg is not None and self.n else None

    def cpu_us_per_node(self) -> float | None:
        return self.cpu / self.n * 1e6 if self.dsg is not None and self.n else None


def reference_networkx(n: int = 20000) -> float:
    import networkx as nx
    G = nx.DiGraph()
    t = time.perf_counter()
    for i in range(n):
        G.add_node(i, layer="object", type="Apple", position=(0.0, 1.0, 2.0), size=(0.1, 0.1, 0.1))
        G.add_edge(i, i // 10, relation="on")
    return (time.perf_counter() - t) / n * 1e6


def reference_spark_dsg(n: int = 20000) -> float | None:
    try:
        import numpy as np
        import spark_dsg as dsg
    except ImportError:
        return None
    G = dsg.DynamicSceneGraph()
    t = time.perf_counter()
    for i in range(n):
        attrs = dsg.ObjectNodeAttributes()
        attrs.position = np.array([0.0, 1.0, 2.0])
        G.add_node(dsg.DsgLayers.OBJECTS, dsg.NodeSymbol("O", i), attrs)
    return (time.perf_counter() - t) / n * 1e6


def _observation_msgs(scene, count: int, size: int = 200):
    from karma_interfaces.msg import ObjectObservation, ObjectObservationArray
    rng = random.Random(2)
    msgs = []
    for _ in range(count):
        m = ObjectObservationArray()
        m.header.frame_id = "map"
        m.source = "bench"
        obs = []
        for o in rng.sample(scene, size):
            x = ObjectObservation(instance_id=o.instance_id, label=o.label, confidence=0.9,
                                  is_receptacle=o.is_receptacle)
            x.pose.position.x, x.pose.position.y, x.pose.position.z = o.position
            x.pose.orientation.w = 1.0
            x.size.x, x.size.y, x.size.z = o.size
            obs.append(x)
        m.observations = obs
        msgs.append(m)
    return msgs


def callback_median(g: SceneGraph, scene, messages: int = 30) -> tuple[float, str]:
    """Median of the node's ingest path per 200-observation message, memory at len(g)."""
    store_dir = tempfile.mkdtemp(prefix="karma_bench_ltm_")
    MemoryStore(store_dir).save_all(g)
    try:
        os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
        os.environ.setdefault("ROS_DOMAIN_ID", "64")
        import rclpy
        from rclpy.parameter import Parameter
        from karma_memory_ros.ltm_node import LtmNode
        from karma_ros_common.lifecycle import bring_up
    except ImportError:
        store = MemoryStore(store_dir)
        g2 = store.load()
        times = []
        rng = random.Random(3)
        for i in range(messages):
            b = [Observation(o.label, o.instance_id, 0.9, o.position, o.size) for o in rng.sample(scene, 200)]
            t = time.perf_counter()
            g2.apply(b, stamp=100.0 + i)
            store.commit(g2)
            times.append((time.perf_counter() - t) * 1e3)
        return statistics.median(times), "SceneGraph.apply + MemoryStore.commit (rclpy unavailable)"
    rclpy.init(args=[])
    try:
        node = LtmNode(parameter_overrides=[Parameter("store_dir", value=store_dir),
                                            Parameter("publish_markers", value=False)])
        failure = bring_up(node)   # a managed node: configure (open the store) and activate
        if failure:
            raise RuntimeError(f"ltm_node cannot configure: {failure}")
        msgs = _observation_msgs(scene, messages)
        times = []
        for m in msgs:
            t = time.perf_counter()
            node.handle_observations(m, "perception")
            times.append((time.perf_counter() - t) * 1e3)
        node.destroy_node()
    finally:
        rclpy.try_shutdown()
    return statistics.median(times), ("ltm_node.handle_observations (msg conversion, validation, "
                                      "apply, SQLite commit) in-process, 200 observations/message")


def _r(v, nd: int = 3):
    return round(v, nd) if v is not None else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory for memory_bench.json")
    ap.add_argument("--sizes", default="1000,10000,100000", help="objects in memory, comma separated")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    res = {"ingest_us_per_obs": {}, "ingest_cpu_us_per_obs": {}, "fill_us_per_obs": {}, "find_p50_ms": {}, "find_p95_ms": {},
           "find_p95_cpu_ms": {}}
    cb_graph = None
    by_size = {}
    for n in sizes:
        r = bench_size(n)
        by_size[n] = r
        res["ingest_us_per_obs"][str(n)] = round(r["ingest_us"], 2)
        res["ingest_cpu_us_per_obs"][str(n)] = round(r["ingest_cpu_us"], 2)
        res["fill_us_per_obs"][str(n)] = round(r["fill_us"], 2)
        res["find_p50_ms"][str(n)] = round(r["find_p50"], 4)
        res["find_p95_ms"][str(n)] = round(r["find_p95"], 4)
        res["find_p95_cpu_ms"][str(n)] = round(r["find_p95_cpu"], 4)
        if n == 10000 or cb_graph is None:
            cb_graph = (r["graph"], r["scene"])
    cb, how = callback_median(*cb_graph)
    res["callback_median_ms"] = round(cb, 3)
    res["callback_how"] = f"{how}; memory of {len(cb_graph[0])} objects"
    ref = by_size.get(10000) or by_size[sizes[-1]]
    res["reference"] = {"networkx_us_per_node_edge": round(reference_networkx(), 3),
                        "spark_dsg_us_per_node": _r(ref["spark_us"]),
                        "spark_dsg_cpu_us_per_node": _r(ref["spark_cpu_us"]),
                        "spark_dsg_how": "raw ObjectNodeAttributes add_node, 200 per ingest batch, interleaved "
                                         "with the ingest at 10k objects",
                        "spark_dsg_us_per_node_alone": _r(reference_spark_dsg())}
    spark = res["reference"]["spark_dsg_us_per_node"]
    if spark and "10000" in res["ingest_us_per_obs"]:
        # issue 10: ingest per observation at 10k no slower than spark_dsg's raw node insert
        # measured in this same run (ratio <= 1 meets it); also in CPU time (no core waits).
        res["ratio"] = {"ingest_us_per_obs@10000 / spark_dsg_us_per_node":
                        round(res["ingest_us_per_obs"]["10000"] / spark, 3)}
        if res["reference"]["spark_dsg_cpu_us_per_node"]:
            res["ratio_cpu"] = {"ingest_cpu_us_per_obs@10000 / spark_dsg_cpu_us_per_node":
                                round(res["ingest_cpu_us_per_obs"]["10000"] / res["reference"]["spark_dsg_cpu_us_per_node"], 3)}
    res["targets"] = TARGETS
    res["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                      "load_avg_1m": round(os.getloadavg()[0], 2)}
    with open(os.path.join(args.out, "memory_bench.json"), "w") as f:
        json.dump(res, f, indent=2)
    print(f"{'objects':>8} {'ingest us/obs':>14} {'fill us/obs':>12} {'find p50 ms':>12} {'find p95 ms':>12} "
          f"{'p95 CPU ms':>11}")
    for n in sizes:
        k = str(n)
        print(f"{n:>8} {res['ingest_us_per_obs'][k]:>14} {res['fill_us_per_obs'][k]:>12} "
              f"{res['find_p50_ms'][k]:>12} {res['find_p95_ms'][k]:>12} {res['find_p95_cpu_ms'][k]:>11}")
    print(f"callback median: {res['callback_median_ms']} ms ({res['callback_how']})")
    print(f"reference: networkx {res['reference']['networkx_us_per_node_edge']} us/node+edge, "
          f"spark_dsg {res['reference']['spark_dsg_us_per_node']} us/node")
    print(f"spark_dsg interleaved with the 10k ingest: {spark} us/node wall, "
          f"{res['reference']['spark_dsg_cpu_us_per_node']} us/node CPU; ingest CPU "
          f"{res['ingest_cpu_us_per_obs']}")
    for k, v in res.get("ratio", {}).items():
        print(f"ratio {k}: {v} (target <= 1.0: {'met' if v <= 1.0 else 'missed'})")
    for k, v in res.get("ratio_cpu", {}).items():
        print(f"ratio in CPU time {k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
