"""Plan-level evaluation of the local planner in scenes it was not trained on (bounded, CPU).

    python -m karma_bench.training.evaluate --out DIR [--tasks 2] [--modes karma,none]
        [--adapters none,default] [--threads 2]

For random tasks of every category in held-out FloorPlans (one per room type, never in
``scenes.TRAINING_SCENES``), each memory mode's planning call is made as the service makes it
(``traces.calls``), once by the goal oracle (its admissible plan is the target) and once by the
model per adapter choice. Reported per (adapter, mode): exact plan match, first-step match,
share of target steps matched in order from the start, and plan latency p50/p95 (the whole
``Planner.plan`` call). This is one planning call, not a task: task success needs the
simulator loop (``./karma bench tasks``).
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

from .cli import spread
from .scenes import is_training_scene


def held_out_scenes(n: int) -> list[str]:
    """``n`` evaluation FloorPlans, room types in turn.

    >>> held_out_scenes(4)
    ['FloorPlan3', 'FloorPlan204', 'FloorPlan303', 'FloorPlan402']
    """
    groups = [f'FloorPlan{off + i}' for off in (0, 200, 300, 400) for i in range(1, 31)]
    return spread([s for s in groups if not is_training_scene(s)], n)


def held_out_suite(n_scenes: int = 4, n_tasks: int = 3, seed: int = 2000) -> dict:
    """A ``karma-task-suite/1`` suite of random tasks (every category) in held-out scenes."""
    from .tasks import random_tasks
    rng = random.Random(seed)
    episodes = []
    for scene in held_out_scenes(n_scenes):
        tasks = [{'id': f't{k + 1}', 'category': c, 'instruction': ins, 'goals': goals, 'ordered': False}
                 for k, (c, ins, goals) in enumerate(random_tasks(scene, rng, n_tasks))]
        episodes.append({'id': f'unseen-{scene.lower()}', 'scene': scene, 'seed': 0, 'tasks': tasks})
    return {'format': 'karma-task-suite/1', 'name': 'unseen-scenes', 'episodes': episodes,
            'note': 'random tasks (karma_bench.training.tasks) in FloorPlans outside the training list'}


def _prefix(a: list, b: list) -> int:
    n = 0
    while n < len(a) and n < len(b) and list(a[n]) == list(b[n]):
        n += 1
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--scenes', type=int, default=4)
    ap.add_argument('--tasks', type=int, default=2, help='random tasks per scene')
    ap.add_argument('--modes', default='karma,none')
    ap.add_argument('--adapters', default='none,shipped', help='comma-separated: none (base), shipped, a path')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=1000)
    ap.add_argument('--write-suite', default='', help='only write the held-out task suite to this file')
    args = ap.parse_args(argv)
    if args.write_suite:
        Path(args.write_suite).write_text(json.dumps(held_out_suite(), indent=1) + '\n')
        return 0
    from karma_planning.backends.hf import TransformersBackend
    from karma_planning.embedding import SentenceEmbedder
    from karma_planning.planner import Planner
    from .traces import calls, make_planner, plan_call
    modes = args.modes.split(',')
    embedder = SentenceEmbedder()
    rows = []
    adapters = args.adapters.split(',')
    for adapter in adapters:
        backend = TransformersBackend(adapter=adapter, threads=args.threads)
        oracle = make_planner(backend.tokenizer, embedder, backend.context_tokens)
        model = Planner(oracle.retriever, oracle.prompts, backend)
        rng = random.Random(args.seed)   # the same calls for every adapter
        for scene in held_out_scenes(args.scenes):
            for c in calls(scene, rng, args.tasks, modes):
                oracle.backend.last = None
                plan_call(oracle, c)
                if oracle.backend.last is None or not oracle.backend.last[1]:
                    continue
                target = [list(s) for s in oracle.backend.last[1]]
                res = plan_call(model, c)
                got = [[s, list(a)] for s, a in res.steps]
                rows.append({'adapter': adapter, 'scene': scene, 'mode': c.mode,
                             'category': c.category, 'instruction': c.instruction, 'target': target,
                             'plan': got, 'exact': got == target, 'first': got[:1] == target[:1],
                             'prefix': _prefix(got, target) / len(target), 'latency_s': res.elapsed_s})
                print(json.dumps({k: rows[-1][k] for k in ('adapter', 'scene', 'mode', 'exact', 'first',
                                                           'prefix', 'latency_s')}), flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'plan_eval.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows))
    lines = ['| adapter | memory | calls | exact plan | first step | prefix matched | latency p50 s | p95 s |',
             '|---|---|---|---|---|---|---|---|']
    for adapter in dict.fromkeys(r['adapter'] for r in rows):
        for mode in modes:
            rs = [r for r in rows if r['adapter'] == adapter and r['mode'] == mode]
            if not rs:
                continue
            lat = sorted(r['latency_s'] for r in rs)
            p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
            lines.append(f'| {adapter} | {mode} | {len(rs)} | {sum(r["exact"] for r in rs) / len(rs):.0%} | '
                         f'{sum(r["first"] for r in rs) / len(rs):.0%} | '
                         f'{statistics.mean(r["prefix"] for r in rs):.0%} | {statistics.median(lat):.1f} | {p95:.1f} |')
    (out / 'plan_eval.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    return 0


if __name__ == '__main__':
    sys.exit(main())
