"""``./karma bench tasks``: run a task suite through the ROS 2 graph and judge it.

For every memory mode asked for, the stack runs in separate processes (THOR bridge on the
embedded player, long- and short-term memory, planner, executor), started exactly as
``./karma up --sim`` starts them, with the mode and planner set by parameters. Each
episode resets the simulator and empties the memories; its tasks then run in order, with
world and memory carried over. Goals are judged from the simulator's ground truth after
every executed skill (the checker never reads the agent's memory).

    ./karma bench tasks --suite suites/karma_household.json --out out/tasks \\
        [--planner reference|transformers|openai] [--memory karma|none|ltm|stm|full-history|all]
        [--perception realistic|oracle|harsh|FILE] [--stm-policy NAME] [--episodes ID,...]

``--perception`` picks the bridge's perception profile (``config/perception``); the default is
``realistic``, what a robot's detector gives (no THOR ids, noise, misses, confusions, false
detections). ``results.json`` records the profile under ``config.perception``.

The ``reference`` planner is a goal oracle (it reads each task's goals); its numbers show what
the memory and execution stack can do with a perfect planner, not what a model achieves.

A task's ``before`` (changes behind the robot's back) is applied through the bridge's
evaluation-only /karma/sim/apply_world_change before its first plan; each task record lists
them (``world_changes``), and one that cannot be applied leaves the task not run (``not_run``
says why). After every task the long-term memory itself is judged against the ground truth
(``memory_quality``, see karma_bench.quality), per task and per memory mode in the summary.
"""
from __future__ import annotations

import argparse
import os
import queue
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from karma_bench.checker import TaskJudge
from karma_domain.modes import MEMORY_MODES
from karma_bench.quality import judge as judge_memory
from karma_bench.report import write_results
from karma_bench.suite import load_suite

PLANNERS = ('reference', 'transformers', 'openai')


def memory_type(memory_id: str) -> str:
    """Object type behind a memory id: ``Apple|+1|+2|+3`` and ``Apple_4`` -> ``Apple``."""
    if memory_id.startswith('region:'):
        return ''
    head = memory_id.split('|', 1)[0]
    return head.rsplit('_', 1)[0] if '|' not in memory_id and '_' in head else head


def retrieval_accuracy(goal_types: set[str], memory_ids: set[str]) -> float | None:
    """Share of the object types a task's goals name that the prompted memory contained."""
    if not goal_types:
        return None
    have = {memory_type(m).lower() for m in memory_ids}
    have |= {t.replace('sliced', '') for t in have}
    return sum(1 for t in goal_types if t.lower().replace('sliced', '') in have) / len(goal_types)


class StackProcesses:
    """The sim stack as child processes (one per node), logs under ``log_dir``."""

    def __init__(self, params: dict[str, dict[str, str]], log_dir: Path):
        from karma_bringup.stack import load_stack
        self.specs = load_stack().nodes_for('sim')
        self.params = params
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        from karma_bringup.up import node_command
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for spec in self.specs:
            log = open(self.log_dir / f'{spec.name}.log', 'wb')
            self.procs.append(subprocess.Popen(node_command(spec, self.params.get(spec.key)),
                                               stdout=log, stderr=subprocess.STDOUT))
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(2)
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def check_alive(self) -> None:
        for spec, p in zip(self.specs, self.procs):
            if p.poll() is not None:
                raise RuntimeError(f'{spec.name} exited with code {p.returncode}; '
                                   f'see {self.log_dir / (spec.name + ".log")}')


def _nav_distance(snapshots: list[dict]) -> float:
    pts = [s.get('agent', {}).get('position') for s in snapshots]
    pts = [p for p in pts if p]
    return float(sum(((a['x'] - b['x']) ** 2 + (a['z'] - b['z']) ** 2) ** 0.5
                     for a, b in zip(pts, pts[1:])))


def _not_run(ep, task, mode: str, why: str, changes: list[dict]) -> dict:
    """The record of a task whose ``before`` could not be applied (it was not run)."""
    return {'episode': ep.id, 'task': task.id, 'category': task.category, 'success': False,
            'goals_met': 0, 'goals_total': len(task.goals), 'steps': 0, 'planner_calls': 0,
            'prompt_tokens': 0, 'wall_s': 0.0, 'memory': mode, 'not_run': why,
            'world_changes': changes, 'memory_quality': None,
            'executor_message': f'not run: {why}'[:300], 'executed': []}


def run_task(client, ep, task, mode: str, max_steps: int, on_step=None) -> dict:
    """Apply the task's ``before`` (changes behind the robot's back), run the task through
    /karma/execute_task, judge it from ground truth, and judge the memory it left."""
    changes: list[dict] = []
    if task.before:
        ok, why, changes = client.apply_world_change([c.as_dict() for c in task.before])
        if not ok:
            return _not_run(ep, task, mode, f'episode {ep.id!r} task {task.id!r}: {why}', changes)
    judge = TaskJudge(task.goals, task.ordered)
    snapshots = [client.ground_truth()]
    judge.observe(snapshots[0])
    events: queue.Queue = queue.Queue()
    start = time.monotonic()
    def on_feedback(fb):
        events.put(fb)
        if on_step:
            on_step(fb)
    client.drain_plan_records()   # an earlier task's late records are not this task's
    result = client.execute_task(task.instruction, [g.text for g in task.goals], max_steps,
                                 on_feedback=on_feedback)
    feedback = []
    while not events.empty():
        feedback.append(events.get())
    # Snapshots after every step come from the bridge's evaluation stream when it has one;
    # the final state is always read.
    for snap in client.drain_ground_truth_events():
        snapshots.append(snap)
        judge.observe(snap)
    final = client.ground_truth()
    snapshots.append(final)
    judge.observe(final)
    verdict = judge.result()
    # What ran comes from the result: rclpy drops an action's feedback that arrives after its
    # result, so the feedback stream can miss the last steps (memory ids only it carries).
    executed = [{'skill': st.skill, 'args': list(st.args), 'success': bool(ok)}
                for st, ok in zip(result.executed, result.step_success)] if result else []
    memory_ids = {m for fb in feedback for m in fb.memory_ids}
    # the planning service's own timing of each call (its log is reliable, but a record still
    # in flight when the result came is missed: plan_latency_s may be shorter than planner_calls)
    latencies = [round(float(p.elapsed_s), 3) for p in client.drain_plan_records()]
    explored = {a for st in executed if st['skill'] == 'explore' for a in st['args']}
    goal_types = {t for g in task.goals for t in g.types()}
    rec = {
        'episode': ep.id, 'task': task.id, 'category': task.category,
        'success': bool(verdict.success), 'goals_met': int(verdict.goals_met),
        'goals_total': int(verdict.goals_total),
        'steps': int(result.simulator_steps) if result else 0,
        'planner_calls': int(result.planner_calls) if result else 0,
        'prompt_tokens': int(result.prompt_tokens) if result else 0,
        'completion_tokens': int(result.completion_tokens) if result else 0,
        'wall_s': round(time.monotonic() - start, 3),
        'skills': len(result.executed) if result else 0,
        'replans': int(result.replans) if result else 0,
        'nav_distance_m': round(_nav_distance(snapshots), 3),
        'regions_explored': len(explored),
        'retrieval_accuracy': retrieval_accuracy(goal_types, memory_ids),
        'memory': mode,
        'executor_message': (result.message if result else 'goal rejected')[:300],
        'executed': executed,
        'plan_latency_s': latencies,
        'world_changes': changes,
    }
    try:  # EVALUATION: the long-term memory's objects against the ground truth
        rec['memory_quality'] = judge_memory(client.memory_objects(), final)
    except Exception as e:  # the memory's answer is not needed for the task's verdict
        rec['memory_quality'], rec['memory_quality_error'] = None, str(e)[:200]
    try:
        rec['stm_hit_rate'] = client.stm_stats()['hit_rate'] if mode in ('karma', 'stm') else None
    except Exception:  # the short-term node is optional for the benchmark's verdict
        rec['stm_hit_rate'] = None
    return rec


def run_mode(suite, episodes, mode: str, args, log_dir: Path, progress, on_step=None,
             on_episode_end=None) -> list[dict]:
    from karma_bench.stack_client import StackClient
    store = tempfile.mkdtemp(prefix=f'karma-bench-{mode}-')
    params = {'planner': {'backend': args.planner, 'memory_mode': mode},
              'ltm': {'store_dir': store},
              'stm': {},
              'bridge': {'perception': perception_profile(args).source}}
    if args.stm_policy:
        params['stm']['policy'] = args.stm_policy
    if episodes:
        params['bridge']['scene'] = episodes[0].scene
    records = []
    from karma_bringup.processes import EpisodeRecorder   # --record DIR: one MCAP per episode
    recorder = EpisodeRecorder(getattr(args, 'record', None), mode)
    with StackProcesses(params, log_dir / mode) as stack:
        client = StackClient(f'karma_bench_{mode.replace("-", "_")}')
        try:
            client.wait_ready(timeout_s=args.startup_timeout, check_alive=stack.check_alive,
                              oracle=args.planner == 'reference')
            for ep in episodes:
                stack.check_alive()
                recorder.start(ep.id)
                client.reset_episode(ep.scene, ep.seed)
                for task in ep.tasks:
                    rec = run_task(client, ep, task, mode, args.max_steps, on_step)
                    records.append(rec)
                    progress(rec)
                if on_episode_end:
                    on_episode_end(client, ep)
                recorder.stop()
        finally:
            recorder.stop()
            client.close()
    return records


def perception_profile(args):
    """The perception profile a run asked for (``args.perception``; realistic by default)."""
    from karma_thor_bridge.profiles import DEFAULT_PROFILE, load_profile
    return load_profile(getattr(args, 'perception', '') or DEFAULT_PROFILE)


def parse_args(argv):
    ap = argparse.ArgumentParser(prog='karma bench tasks', description=__doc__.split('\n')[0])
    ap.add_argument('--suite', required=True, help='task suite (karma-task-suite/1 JSON)')
    ap.add_argument('--out', required=True, help='output directory')
    ap.add_argument('--planner', default='reference', choices=PLANNERS,
                    help='planner backend; "reference" is a goal oracle')
    ap.add_argument('--memory', default='karma',
                    help=f'memory mode(s), comma-separated, or "all": {", ".join(MEMORY_MODES)}')
    ap.add_argument('--perception', default='realistic',
                    help='perception profile: oracle, realistic (default), harsh, or a profile '
                         'YAML file (see config/perception)')
    ap.add_argument('--stm-policy', default='', help='short-term replacement policy')
    ap.add_argument('--episodes', default='', help='only these episode ids (comma-separated)')
    ap.add_argument('--max-steps', type=int, default=0, help='skills per task (0: executor default)')
    ap.add_argument('--startup-timeout', type=float, default=180.0)
    ap.add_argument('--record', metavar='DIR', help='record each episode to DIR/<memory>/<episode>.mcap')
    args = ap.parse_args(argv)
    args.modes = list(MEMORY_MODES) if args.memory == 'all' else args.memory.split(',')
    bad = [m for m in args.modes if m not in MEMORY_MODES]
    if bad:
        ap.error(f'unknown memory mode(s) {bad}; known: {", ".join(MEMORY_MODES)}')
    from karma_thor_bridge.profiles import ProfileError
    try:
        perception_profile(args)
    except ProfileError as e:
        ap.error(str(e))
    return args


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from tqdm import tqdm
    os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
    suite = load_suite(args.suite)
    wanted = {e for e in args.episodes.split(',') if e}
    episodes = [e for e in suite.episodes if not wanted or e.id in wanted]
    if wanted - {e.id for e in episodes}:
        print(f'unknown episodes: {sorted(wanted - {e.id for e in episodes})}', file=sys.stderr)
        return 2
    out = Path(args.out)
    n_tasks = sum(len(e.tasks) for e in episodes) * len(args.modes)
    records: list[dict] = []
    label = 'reference (goal oracle)' if args.planner == 'reference' else args.planner
    with tqdm(total=n_tasks, desc='tasks', unit='task', file=sys.stderr) as bar:
        def progress(rec):
            bar.set_postfix_str(f'{rec["memory"]} {rec["episode"]}/{rec["task"]} '
                                f'{"ok" if rec["success"] else "FAIL"}')
            bar.update(1)
        for mode in args.modes:
            records += run_mode(suite, episodes, mode, args, out / 'logs', progress)
    config = {'planner': label, 'memory_modes': args.modes, 'stm_policy': args.stm_policy or 'default',
              'path': 'ros2 graph (separate processes)', 'suite_file': str(args.suite),
              'perception': perception_profile(args).as_record()}
    paths = write_results(out, suite.name, config, records)
    print((out / 'results.md').read_text())
    print('wrote ' + ', '.join(str(p) for p in paths.values()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
