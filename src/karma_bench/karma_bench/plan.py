"""Plan-service benchmark: ``./karma bench plan --out DIR [--sizes 1000,10000,100000]
[--calls 40] [--embedder minilm|hash]``.

Starts the long-term memory, short-term memory and planner nodes as ``./karma up`` does (one
process each, the real config files; the planner with the ``reference`` backend, a goal
oracle, so generation is a fast deterministic search), loads a synthetic memory of each size
into the long-term memory over ``karma/load_memory`` (iTHOR scenes' initial objects side by
side, ids prefixed per copy, ten regions), and calls ``/karma/plan`` over ROS from this
process with the task suite's instructions and goals: every call's instruction is new in the
run (:func:`fresh_tasks`), so each size's plans include embedding the instruction with the
sentence model in both nodes, never a cached embedding.

Per size it writes to ``DIR/plan_bench.json`` and prints:

- ``plan_overhead_ms`` p50/p95: the client-observed service time minus the planner's
  reported generation time (``Plan.Response.generation_s``): DDS, the short-term and
  long-term memory calls (retrieval over the memory node's graph), prompt building,
  validation; ``generation_ms`` p50/p95 separately;
- ``retrieve_ms`` p50/p95: ``karma/retrieve_memory`` called directly with the same request
  right after each plan call (so its instruction embedding is cached), and the server's split
  (view, query embedding, ranking) from the answers;
- ``first_retrieval_s``: the first retrieval after loading (the view and every item
  embedding computed once), ``load_s`` (LoadMemory);
- reference, same run: ``query_scene_graph_ms`` p50, what the former planner paid per call
  just to fetch the whole graph (before converting and ranking it).

Targets (issue 10): ``plan_overhead_ms`` p95 <= 50 ms at 10k objects and <= 250 ms at 100k.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from karma_domain.states import STATE_CAPABILITY

TARGETS_P95_MS = {'10000': 50.0, '100000': 250.0}
#: (state, the capability that makes it meaningful: karma_domain.states): a closed box says
#: isOpen=false, a mug does not
_STATE_KEYS = tuple((k, STATE_CAPABILITY[k]) for k in ('isOpen', 'isSliced', 'isCooked', 'isDirty',
                                                       'isToggled', 'isFilledWithLiquid'))
REGIONS = 10


def scene_template(scene: str, _cache: dict = {}) -> tuple[list[dict], list[dict]]:
    """(object and receptacle nodes, their edges) of an iTHOR scene's initial objects applied
    once to a scene graph (REP-103 map frame), as node-link dicts; cached per scene."""
    if scene in _cache:
        return _cache[scene]
    from karma_bench.scenedata import scene_objects
    from karma_memory import Observation, SceneGraph
    from karma_thor_bridge.frames import dict_to_map, size_to_map

    g = SceneGraph()
    obs = []
    for o in scene_objects(scene):
        size = (o.get('axisAlignedBoundingBox') or {}).get('size') or {}
        parents = o.get('parentReceptacles') or []
        obs.append(Observation(
            o['objectType'], o['objectId'], position=dict_to_map(o.get('position')),
            size=size_to_map((size.get('x', 0.1), size.get('y', 0.1), size.get('z', 0.1))),
            states={s: str(o[s]).lower() for s, able in _STATE_KEYS
                    if o.get(s) is not None and (o.get(able) or o.get(s) is True)},
            parent_id=parents[0] if parents else '', is_receptacle=bool(o.get('receptacle')),
            stamp=1000.0))
    g.apply(obs, stamp=1000.0)
    doc = g.to_node_link()
    nodes = [nd for nd in doc['nodes'] if nd['layer'] in ('object', 'receptacle')]
    edges = [e for e in doc['edges'] if e['relation'] != 'contains']
    _cache[scene] = (nodes, edges)
    return _cache[scene]


def synthetic_memory(n_objects: int, regions: int = REGIONS) -> dict:
    """Node-link document (karma-scene-graph/1) of about ``n_objects`` objects: iTHOR scenes'
    initial objects (:func:`scene_template`), copied, copy ``k`` shifted 12 m along x with ids
    prefixed ``h<k>/``, in ``regions`` regions tiling the copies (the import places each
    top-level thing in its region)."""
    from karma_bench.scenedata import ROOMS
    from karma_memory import SceneGraph

    scenes = [f'FloorPlan{off + i + 1}' for off in ROOMS.values() for i in range(30)]
    nodes, edges, k = [], [], 0
    while len(nodes) < n_objects:
        tn, te = scene_template(scenes[k % len(scenes)])
        p = f'h{k}/'
        for nd in tn:
            c = dict(nd)
            c['id'] = p + nd['id']
            x, y, z = nd['position']
            c['position'] = [x + 12.0 * k, y, z]
            for key in ('parent', 'near'):
                if c.get(key):
                    c[key] = p + c[key]
            c.pop('obb', None)
            nodes.append(c)
        edges += [{'source': p + e['source'], 'target': p + e['target'], 'relation': e['relation']} for e in te]
        k += 1
    g = SceneGraph()
    span = 12.0 * k / regions
    for r in range(regions):
        g.add_region(f'wing_{r}', (r * span - 6.0, -20.0, (r + 1) * span - 6.0, 20.0))
    doc = g.to_node_link()
    doc['nodes'] += nodes
    doc['edges'] = [e for e in doc['edges']] + edges
    return doc


def pct(xs, q) -> float:
    s = sorted(xs)
    if not s:
        return float('nan')
    return s[min(len(s) - 1, int(round(q / 100.0 * (len(s) - 1))))]


class Client:
    """The bench's rclpy node: service clients, spun on a thread."""

    def __init__(self):
        import rclpy
        from rclpy.executors import SingleThreadedExecutor
        from rclpy.node import Node
        from karma_interfaces.srv import LoadMemory, Plan, QuerySceneGraph, RetrieveMemory
        rclpy.init()
        self.node = Node('karma_bench_plan')
        self.plan = self.node.create_client(Plan, '/karma/plan')
        self.retrieve = self.node.create_client(RetrieveMemory, '/karma/retrieve_memory')
        self.load = self.node.create_client(LoadMemory, '/karma/load_memory')
        self.query = self.node.create_client(QuerySceneGraph, '/karma/query_scene_graph')
        self.ex = SingleThreadedExecutor()
        self.ex.add_node(self.node)
        self.thread = threading.Thread(target=self.ex.spin, daemon=True)
        self.thread.start()

    def call(self, client, request, timeout: float):
        done = threading.Event()
        fut = client.call_async(request)
        fut.add_done_callback(lambda _f: done.set())
        if not done.wait(timeout):
            client.remove_pending_request(fut)
            raise TimeoutError(f'{client.srv_name} did not answer within {timeout} s')
        return fut.result()

    def close(self) -> None:
        import rclpy
        self.ex.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown()


def _start(out_dir: Path, store: str, embedder: str, overlap: bool = True) -> dict:
    from karma_bringup.stack import load_stack
    from karma_bringup.up import node_command
    stack = load_stack()
    extra = {
        'ltm': {'store_dir': store, 'max_objects': 0, 'max_import_bytes': 4_000_000_000,
                'retrieval_embedder': embedder, 'publish_markers': False},
        'stm': {},
        'planner': {'backend': 'reference', 'embedder': embedder, 'memory_mode': 'karma',
                    'memory_timeout_s': 120.0, 'overlap_example_embedding': overlap},
    }
    procs = {}
    for key, params in extra.items():
        log = open(out_dir / f'plan_bench_{key}.log', 'w')
        procs[key] = subprocess.Popen(node_command(stack.nodes[key], params), stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
    return procs


#: Put before an instruction the second, third... time it is used in one run, so every plan
#: call embeds a new text (both nodes cache embeddings by text): each size pays its MiniLM calls.
FRESH_PREFIXES = ('', 'Please: ', 'Robot, please: ', 'Next task: ', 'Now: ', 'Then: ')


def _tasks() -> list[tuple[str, list[str]]]:
    from karma_bench.retrieval import suite_tasks
    out = list({ins: (ins, goals) for _scene, ins, _types, goals in suite_tasks() if goals}.values())
    return out or [('Put the apple on the plate.', ['IN(Apple, Plate)'])]


def fresh_tasks(tasks: list, start: int, count: int) -> list[tuple[str, list[str]]]:
    """``count`` calls from call number ``start`` of the run: the suite's tasks in turn, an
    instruction used before in this run with a new prefix (:data:`FRESH_PREFIXES`).

    >>> [i for i, _ in fresh_tasks([('Get the mug.', []), ('Open it.', [])], 1, 3)]
    ['Open it.', 'Please: Get the mug.', 'Please: Open it.']
    """
    out = []
    for c in range(start, start + count):
        ins, goals = tasks[c % len(tasks)]
        out.append((FRESH_PREFIXES[(c // len(tasks)) % len(FRESH_PREFIXES)] + ins, goals))
    return out


def run(args) -> dict:
    from karma_interfaces.srv import LoadMemory, Plan, QuerySceneGraph, RetrieveMemory
    from karma_planning.planner import goal_types
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    store = tempfile.mkdtemp(prefix='karma-plan-bench-')
    procs = _start(out_dir, store, args.embedder, not args.no_overlap)
    cli = Client()
    res: dict = {'embedder': args.embedder, 'backend': 'reference (goal oracle)', 'memory_mode': 'karma',
                 'calls_per_size': args.calls, 'fresh_instructions': True,
                 'overlap_example_embedding': not args.no_overlap, 'sizes': {}, 'targets_p95_ms': TARGETS_P95_MS,
                 'machine': {'cpus': os.cpu_count(), 'platform': platform.platform()}}
    try:
        for c in (cli.plan, cli.retrieve, cli.load, cli.query):
            if not c.wait_for_service(timeout_sec=180):
                raise RuntimeError(f'{c.srv_name} did not come up; see {out_dir}/plan_bench_*.log')
        tasks = _tasks()
        for j, n in enumerate(args.sizes):
            row: dict = {}
            t = time.perf_counter()
            doc = synthetic_memory(n)
            path = Path(store) / f'synthetic_{n}.json'
            path.write_text(json.dumps(doc, separators=(',', ':')))
            row['objects'] = sum(nd['layer'] in ('object', 'receptacle') for nd in doc['nodes'])
            row['build_s'] = time.perf_counter() - t
            del doc
            t = time.perf_counter()
            lr = cli.call(cli.load, LoadMemory.Request(path=str(path), replace=True), 1800)
            row['load_s'] = time.perf_counter() - t
            if not lr.success:
                raise RuntimeError(lr.message)
            t = time.perf_counter()
            w = cli.call(cli.retrieve, RetrieveMemory.Request(instruction='warm up'), 3600)
            row['first_retrieval_s'] = time.perf_counter() - t
            if not w.success:
                raise RuntimeError(w.message)
            row['memory_objects'] = int(w.memory_objects)
            ref = []
            for _ in range(3 if n >= 100000 else 5):
                t = time.perf_counter()
                cli.call(cli.query, QuerySceneGraph.Request(with_text=False), 600)
                ref.append((time.perf_counter() - t) * 1000.0)
            row['query_scene_graph_ms'] = {'p50': pct(ref, 50), 'n': len(ref)}
            svc, gen, over, ok, rt, split = [], [], [], 0, [], {'view': [], 'embed': [], 'retrieve': []}
            for ins, goals in fresh_tasks(tasks, j * args.calls, args.calls):
                # the plan first: its retrieval embeds the instruction, new in this run, so
                # nothing is cached for it in either node (fresh_tasks)
                t = time.perf_counter()
                r = cli.call(cli.plan, Plan.Request(instruction=ins, goals=goals), 600)
                s_ms = (time.perf_counter() - t) * 1000.0
                extra = ' '.join(dict.fromkeys(t for gl in goals for t in goal_types(gl)))
                rq = RetrieveMemory.Request(instruction=ins, query_extra=extra[:500])
                t = time.perf_counter()
                a = cli.call(cli.retrieve, rq, 600)
                rt.append((time.perf_counter() - t) * 1000.0)
                split['view'].append(a.view_s * 1000.0)
                split['embed'].append(a.embed_s * 1000.0)
                split['retrieve'].append(a.retrieve_s * 1000.0)
                ok += bool(r.success)
                svc.append(s_ms)
                gen.append(r.generation_s * 1000.0)
                over.append(s_ms - r.generation_s * 1000.0)
            row['plan_service_ms'] = {'p50': pct(svc, 50), 'p95': pct(svc, 95)}
            row['generation_ms'] = {'p50': pct(gen, 50), 'p95': pct(gen, 95)}
            row['plan_overhead_ms'] = {'p50': pct(over, 50), 'p95': pct(over, 95)}
            row['retrieve_ms'] = {'p50': pct(rt, 50), 'p95': pct(rt, 95),
                                  **{f'server_{k}_p50': pct(v, 50) for k, v in split.items()}}
            row['plans_ok'] = ok
            res['sizes'][str(n)] = row
            print(f'size {n}: overhead p95 {row["plan_overhead_ms"]["p95"]:.1f} ms', flush=True)
        res['plan_overhead_p50_ms'] = {k: v['plan_overhead_ms']['p50'] for k, v in res['sizes'].items()}
        res['plan_overhead_p95_ms'] = {k: v['plan_overhead_ms']['p95'] for k, v in res['sizes'].items()}
        res['met'] = {k: res['plan_overhead_p95_ms'][k] <= t for k, t in TARGETS_P95_MS.items()
                      if k in res['plan_overhead_p95_ms']}
    finally:
        cli.close()
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    return res


def table(res: dict) -> str:
    head = (f'{"objects":>8s} {"overhead p50":>12s} {"p95":>8s} {"target":>7s} {"generation p50":>14s} '
            f'{"retrieve p50":>12s} {"p95":>8s} {"QuerySceneGraph":>15s} {"1st retrieval s":>15s} {"ok":>5s}')
    lines = [head]
    for n, r in res['sizes'].items():
        tgt = TARGETS_P95_MS.get(n)
        lines.append(f'{r["objects"]:8d} {r["plan_overhead_ms"]["p50"]:12.1f} {r["plan_overhead_ms"]["p95"]:8.1f} '
                     f'{(f"{tgt:.0f}" if tgt else "-"):>7s} {r["generation_ms"]["p50"]:14.1f} '
                     f'{r["retrieve_ms"]["p50"]:12.1f} {r["retrieve_ms"]["p95"]:8.1f} '
                     f'{r["query_scene_graph_ms"]["p50"]:15.1f} {r["first_retrieval_s"]:15.1f} '
                     f'{r["plans_ok"]:5d}')
    return '\n'.join(lines) + '\n(ms unless noted; overhead = plan service time - generation)'


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--sizes', default='1000,10000,100000',
                    type=lambda s: [int(x) for x in s.split(',') if x])
    ap.add_argument('--calls', type=int, default=40)
    ap.add_argument('--embedder', choices=('minilm', 'hash'), default='minilm')
    ap.add_argument('--no-overlap', action='store_true',
                    help='planner: embed for the worked examples after the memory answers (the former order)')
    args = ap.parse_args(argv)
    res = run(args)
    (Path(args.out) / 'plan_bench.json').write_text(json.dumps(res, indent=2))
    print(table(res))
    return 0


if __name__ == '__main__':
    sys.exit(main())
