"""``make demo``: the whole stack on the embedded AI2-THOR player, one KARMA episode.

Brings up the bridge, both memories, the planner with the default local model
(SmolLM2-135M-Instruct, constrained decoding) and the executor, each in its own process,
runs the composite kitchen episode of ``suites/karma_household.json`` (later tasks depend on
what earlier ones changed), prints every step (skill, result, memory used), the long-term
memory's scene graph at the end, and the metrics table with the paths of the plots.

The episode is recorded (MCAP, ``<out>/recordings/<memory>/<episode>.mcap``; replay it with
``./karma replay FILE``) and the live inspector serves the memory on loopback while it runs;
the demo ends by printing both.

Options: ``--planner reference`` runs the goal oracle instead of the model (fast; labelled as
such), ``--episode ID`` another episode, ``--out DIR`` where results go (default out/demo),
``--perception NAME|FILE`` the perception profile (default ``realistic``: no THOR ids, noise,
misses, confusions and false detections, as a robot's detector).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from karma_bench.report import write_results
from karma_bench.suite import load_suite
from karma_bench.tasks import perception_profile, run_mode
from karma_thor_bridge.profiles import ProfileError

ROOT = Path(os.environ.get('KARMA_ROOT', Path(__file__).resolve().parents[3]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='karma demo', description=__doc__.split('\n')[0])
    ap.add_argument('--suite', default=str(ROOT / 'suites' / 'karma_household.json'))
    ap.add_argument('--episode', default='kitchen-breakfast')
    ap.add_argument('--planner', default='transformers', choices=['transformers', 'reference', 'openai'])
    ap.add_argument('--memory', default='karma')
    ap.add_argument('--out', default=str(ROOT / 'out' / 'demo'))
    ap.add_argument('--perception', default='realistic',
                    help='perception profile: oracle, realistic (default: what a robot\'s '
                         'detector gives), harsh, or a profile YAML file')
    args = ap.parse_args(argv)
    try:
        profile = perception_profile(args)
    except ProfileError as e:
        print(f'karma demo: {e}', file=sys.stderr)
        return 2
    suite = load_suite(args.suite)
    episodes = [e for e in suite.episodes if e.id == args.episode]
    if not episodes:
        print(f'no episode {args.episode!r} in {args.suite}', file=sys.stderr)
        return 2
    ep = episodes[0]
    label = 'reference (goal oracle)' if args.planner == 'reference' else args.planner
    print(f'KARMA-ROS demo: episode {ep.id} in {ep.scene}, planner {label}, memory {args.memory}, '
          f'perception {profile.name}')
    print('starting the stack (bridge, long-term memory, short-term memory, planner, executor)...',
          flush=True)
    t0 = time.monotonic()
    state = {'task': None}

    def on_step(fb):
        ok = 'ok  ' if fb.success else 'FAIL'
        used = ', '.join(fb.memory_ids[:6]) + (' ...' if len(fb.memory_ids) > 6 else '')
        msg = f' ({fb.message[:80]})' if fb.message and not fb.success else ''
        print(f'    step {fb.step_index:2d} {ok} {fb.step.skill}({", ".join(fb.step.args)}){msg}'
              f'\n              memory used: {used or "-"}', flush=True)

    def progress(rec):
        print(f'  => task {rec["task"]} ({rec["category"]}): '
              f'{"SUCCESS" if rec["success"] else "not achieved"}, '
              f'goals {rec["goals_met"]}/{rec["goals_total"]}, {rec["steps"]} THOR steps, '
              f'{rec["planner_calls"]} planner calls, {rec["prompt_tokens"]} prompt tokens, '
              f'{rec["wall_s"]:.1f} s', flush=True)

    def on_episode_end(client, episode):
        print('\nLong-term memory (scene graph) at the end of the episode:', flush=True)
        print(client.scene_graph_text(), flush=True)

    class Args:
        planner = args.planner
        perception = profile.source
        stm_policy = ''
        max_steps = 0
        startup_timeout = 900.0   # the model loads (and merges its adapter) slowly on a loaded 2-core machine
        record = str(Path(args.out) / 'recordings')

    from karma_bringup.processes import NodeProcess
    inspector = NodeProcess('inspector', {'port': '0'}, Path(args.out) / 'logs' / 'inspector.log')
    url = inspector.wait_log(r'inspector at (\S+)').group(1)
    print(f'live inspector: {url} (open it while the demo runs)', flush=True)

    # Print each task's instruction as it starts: wrap the episode's tasks.
    for task in ep.tasks:
        print(f'  task {task.id} [{task.category}]: {task.instruction}  goals: '
              f'{", ".join(g.text for g in task.goals)}')
    print(flush=True)
    try:
        records = run_mode(suite, [ep], args.memory, Args, Path(args.out) / 'logs', progress,
                           on_step=on_step, on_episode_end=on_episode_end)
    finally:
        inspector.stop()
    paths = write_results(args.out, suite.name, {'planner': label, 'memory_modes': [args.memory],
                                                 'path': 'ros2 graph (separate processes)',
                                                 'demo_episode': ep.id,
                                                 'perception': profile.as_record()}, records)
    print()
    print(Path(paths['md']).read_text())
    print(f'results: {paths["json"]}\nplots: ' +
          ', '.join(str(p) for k, p in paths.items() if k not in ('json', 'md')))
    print(f'demo finished in {time.monotonic() - t0:.0f} s')
    recording = Path(Args.record) / args.memory / f'{ep.id}.mcap'
    print(f'recording: {recording} (replay: ./karma replay {recording}; opens in Foxglove)')
    print(f'inspector: {url} was live during the run; `./karma up --sim --inspect` serves one again')
    return 0


if __name__ == '__main__':
    sys.exit(main())
