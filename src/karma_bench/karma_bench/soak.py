"""Soak benchmark: the memories under a sensor-rate stream, measured per node.

``./karma bench soak --out DIR [--minutes 10] [--seconds S] [--rate 30] [--observations 200]
[--objects 500] [--flood] [--preload N] [--find-clients K]`` starts the long-term and short-term memory nodes as ``./karma up`` does (one
process each, the real config), publishes ``--rate`` messages per second of ``--observations``
observations drawn from a fixed set of ``--objects`` objects (``--flood``: every observation a
new object) on ``/karma/perception/objects``, and writes ``DIR/soak_bench.json``::

    {"sent": .., "applied": .., "dropped": .., "drop_rate": ..,       # long-term memory
     "lag_ms": {"p50": .., "p95": .., "p99": .., "n": ..},
     "nodes": {"ltm": {"cpu_cores": .., "rss_mb_start": .., "rss_mb_end": ..,
                       "rss_growth_mb_per_min": ..}, "stm": {...}},
     "targets": {...}, "met": {...}, "config": {...}, "machine": {...}}

*applied* is the long-term memory's own ``applied.perception_messages`` figure (set after the SQLite commit;
the short-term memory's consolidations are not counted)
once the stream stopped and the node drained; *lag* is, for each message, the time from its
header stamp (set when published) to the long-term memory's republication of the message's one
id-less observation on ``/karma/ltm/associated`` (so it includes DDS, queueing, validation,
apply and commit). CPU is the node's user+system time over the stream divided by its length;
RSS growth is the slope of a least-squares line through one-second RSS samples after the first
quarter of the run (start-up and the initial fill excluded).

Concurrency (issue 11 section 7): ``--preload 10000`` starts the long-term memory with that many
synthetic objects already stored (the memory benchmark's scene), and ``--find-clients 4`` runs
four FindObject clients, each its own process (:mod:`karma_bench.find_client`, 10 calls/s),
beside the stream; ``find`` in the JSON holds their round-trip percentiles (target p95 <= 10 ms)::

    "find": {"clients": 4, "calls": .., "timeouts": .., "p50_ms": .., "p95_ms": .., "p99_ms": ..}
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from karma_domain.stamps import stamp_seconds, to_sec_nanosec

TARGETS = {'drop_rate': 0.0, 'lag_p95_ms': 100.0, 'ltm_cpu_cores': 0.5,
           'rss_growth_mb_per_min': 1.0, 'find_p95_ms': 10.0}
TYPES = ('Apple', 'Mug', 'Bowl', 'Book', 'Cup', 'Plate', 'Vase', 'Pen', 'Egg', 'Tomato')


def _proc_cpu_s(pid: int) -> float:
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def _proc_rss_mb(pid: int) -> float:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    return 0.0


def slope_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of ``(seconds, value)`` samples, per minute.

    >>> slope_per_min([(0, 1.0), (60, 2.0), (120, 3.0)])
    1.0
    """
    n = len(samples)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in samples) / n
    mv = sum(v for _, v in samples) / n
    var = sum((t - mt) ** 2 for t, _ in samples)
    return 60.0 * sum((t - mt) * (v - mv) for t, v in samples) / var if var else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float('nan')
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def frames(n_frames: int, per_msg: int, n_objects: int, seed: int = 0):
    """Fixed observation sets: ``per_msg`` of the ``n_objects`` objects per frame, by id, plus
    one id-less probe (a lamp always at the same place) whose association is echoed."""
    from geometry_msgs.msg import Point, Pose, Quaternion, Vector3
    from karma_interfaces.msg import ObjectObservation, ObjectObservationArray
    rng = random.Random(seed)
    places = [(rng.uniform(0, 10), rng.uniform(0, 10), rng.uniform(0, 2)) for _ in range(n_objects)]  # z up

    def obs(iid, label, xyz):
        return ObjectObservation(instance_id=iid, label=label, confidence=0.9,
                                 pose=Pose(position=Point(x=xyz[0], y=xyz[1], z=xyz[2]),
                                           orientation=Quaternion(w=1.0)),
                                 size=Vector3(x=0.1, y=0.1, z=0.1))
    out = []
    for _ in range(n_frames):
        chosen = rng.sample(range(n_objects), min(per_msg - 1, n_objects))
        msg = ObjectObservationArray(source='soak')
        msg.header.frame_id = 'map'
        msg.observations = [obs(f'{TYPES[i % len(TYPES)]}|{i}', TYPES[i % len(TYPES)], places[i])
                            for i in chosen] + [obs('', 'DeskLamp', (5.0, 5.0, 1.0))]
        out.append(msg)
    return out


class Probe:
    """The bench's rclpy node: publishes the stream, collects lags and the memory's figures."""

    def __init__(self):
        import rclpy
        from diagnostic_msgs.msg import DiagnosticArray
        from rclpy.executors import SingleThreadedExecutor
        from rclpy.node import Node
        from karma_interfaces.msg import ObjectObservationArray
        from karma_ros_common.qos import RELIABLE_EVENTS, SENSOR_DATA
        rclpy.init()
        self.node = Node('karma_bench_soak')
        self.pub = self.node.create_publisher(ObjectObservationArray, '/karma/perception/objects',
                                              SENSOR_DATA)
        self.lags: list[float] = []
        self.figures: dict[str, dict[str, str]] = {}
        self.reports: dict[str, int] = {}   # diagnostics received per node
        self.node.create_subscription(ObjectObservationArray, '/karma/ltm/associated', self._echo,
                                      RELIABLE_EVENTS)
        self.node.create_subscription(DiagnosticArray, '/karma/diagnostics', self._diag, 50)
        self.ex = SingleThreadedExecutor()
        self.ex.add_node(self.node)
        self.thread = threading.Thread(target=self.ex.spin, daemon=True)
        self.thread.start()

    def _echo(self, msg) -> None:
        if msg.source == 'soak':
            sent = stamp_seconds(msg.header.stamp)
            self.lags.append((time.time() - sent) * 1000.0)

    def _diag(self, msg) -> None:
        for s in msg.status:
            name = s.name.rsplit('/', 1)[-1]
            self.figures[name] = {kv.key: kv.value for kv in s.values}
            self.reports[name] = self.reports.get(name, 0) + 1

    def applied(self) -> int:
        # Perception messages only: the short-term memory's consolidations are applied too.
        return int(self.figures.get('ltm_node', {}).get('applied.perception_messages', -1))

    def close(self) -> None:
        import rclpy
        self.ex.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown()


def _start_nodes(store: str, log_dir: Path) -> dict[str, subprocess.Popen]:
    from karma_bringup.stack import load_stack
    from karma_bringup.up import node_command
    stack = load_stack()
    procs = {}
    for key in ('ltm', 'stm'):
        spec = stack.nodes[key]
        log = open(log_dir / f'{key}.log', 'w')
        procs[key] = subprocess.Popen(node_command(spec, {'store_dir': store}), stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
    return procs


def _preload(store: str, n: int) -> None:
    """Store ``n`` objects of the memory benchmark's synthetic scene before the node starts."""
    from karma_bench.memory import synthetic_scene
    from karma_memory import MemoryStore, SceneGraph
    scene = synthetic_scene(n, seed=7)
    g = SceneGraph()
    for i in range(0, n, 200):
        g.apply(scene[i:i + 200], stamp=1.0)
    MemoryStore(store).save_all(g)


def _start_find_client(out_dir: Path, k: int, seconds: float):
    path = out_dir / f'find_client_{k}.json'
    log = open(out_dir / f'find_client_{k}.log', 'w')
    proc = subprocess.Popen([sys.executable, '-m', 'karma_bench.find_client', '--seconds', str(seconds),
                             '--out', str(path), '--seed', str(k)], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    return proc, path


def _find_figures(paths: list[Path]) -> dict:
    lat, timeouts, errors = [], 0, 0
    for p in paths:
        try:
            d = json.loads(p.read_text())
        except (OSError, ValueError):
            errors += 1
            continue
        lat += d['latencies_ms']
        timeouts += d['timeouts']
        errors += d['errors']
    return {'clients': len(paths), 'calls': len(lat), 'timeouts': timeouts, 'errors': errors,
            'p50_ms': round(percentile(lat, 0.5), 2), 'p95_ms': round(percentile(lat, 0.95), 2),
            'p99_ms': round(percentile(lat, 0.99), 2), 'how': 'client round trip over DDS, '
            'each client its own process at 10 calls/s, type and free-text queries, top 10'}


def run(args) -> dict:
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    duration = args.seconds if args.seconds else args.minutes * 60.0
    store = tempfile.mkdtemp(prefix='karma-soak-')
    if args.preload:
        _preload(store, args.preload)
    procs = _start_nodes(store, out_dir)
    clients = []
    probe = Probe()
    try:
        deadline = time.monotonic() + 120
        while not ('ltm_node' in probe.figures and 'stm_node' in probe.figures
                   and probe.pub.get_subscription_count() >= 2):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs.values()):
                raise RuntimeError(f'memory nodes did not come up; see {out_dir}/*.log')
            time.sleep(0.1)   # start-up: waits on the nodes' own diagnostics, bounded above
        pool = frames(60, args.observations, args.objects)
        clients = [_start_find_client(out_dir, k, duration) for k in range(args.find_clients)]
        base_applied = probe.applied()
        cpu0 = {k: _proc_cpu_s(p.pid) for k, p in procs.items()}
        rss = {k: [] for k in procs}
        t0 = time.monotonic()
        period = 1.0 / args.rate
        sent, next_rss = 0, t0
        while (now := time.monotonic()) - t0 < duration:
            msg = pool[sent % len(pool)]
            if args.flood:   # every observation a new object (the capacity policy's case)
                for k, o in enumerate(msg.observations[:-1]):
                    o.instance_id = f'{o.label}|new{sent}_{k}'
            wall = time.time()
            msg.header.stamp.sec, msg.header.stamp.nanosec = to_sec_nanosec(wall)
            probe.pub.publish(msg)
            sent += 1
            if now >= next_rss:
                for k, p in procs.items():
                    rss[k].append((now - t0, _proc_rss_mb(p.pid)))
                next_rss += 1.0
            time.sleep(max(0.0, t0 + sent * period - time.monotonic()))   # the sensor's rate
        elapsed = time.monotonic() - t0
        cpu = {k: (_proc_cpu_s(p.pid) - cpu0[k]) / elapsed for k, p in procs.items()}
        # Drain: wait until the applied count stops moving over three fresh diagnostics reports
        # (once a second; a starved node may report late, and a silent one proves nothing).
        last, still, reports = -2, 0, probe.reports.get('ltm_node', 0)
        drain_deadline = time.monotonic() + 120
        while still < 3 and time.monotonic() < drain_deadline:
            time.sleep(1.0)
            if probe.reports.get('ltm_node', 0) == reports:
                continue
            reports = probe.reports.get('ltm_node', 0)
            a = probe.applied()
            still = still + 1 if a == last else 0
            last = a
        applied = probe.applied() - base_applied
        for c, _ in clients:
            c.wait(60 + duration)   # each client stops after the stream's length
    finally:
        for c, _ in clients:
            if c.poll() is None:
                c.kill()
        probe.close()
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(2)
        for p in procs.values():
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
    quarter = duration / 4
    nodes = {k: {'cpu_cores': round(cpu[k], 3),
                 'rss_mb_start': round(rss[k][0][1], 1) if rss[k] else None,
                 'rss_mb_end': round(rss[k][-1][1], 1) if rss[k] else None,
                 'rss_growth_mb_per_min': round(slope_per_min([s for s in rss[k] if s[0] >= quarter]), 3)}
             for k in procs}
    dropped = max(0, sent - applied)
    result = {
        'sent': sent, 'applied': applied, 'dropped': dropped,
        'drop_rate': round(dropped / sent, 5) if sent else None,
        'lag_ms': {'p50': round(percentile(probe.lags, 0.5), 1), 'p95': round(percentile(probe.lags, 0.95), 1),
                   'p99': round(percentile(probe.lags, 0.99), 1), 'n': len(probe.lags)},
        'nodes': nodes,
        'seconds': round(elapsed, 1),
        'achieved_rate_hz': round(sent / elapsed, 2),
        'config': {'rate_hz': args.rate, 'observations_per_message': args.observations,
                   'objects': args.objects, 'flood': args.flood, 'preload': args.preload,
                   'find_clients': args.find_clients},
        'targets': TARGETS,
        'machine': {'cpus': os.cpu_count(), 'python': platform.python_version(),
                    'load_avg_1m': round(os.getloadavg()[0], 2)},
    }
    if clients:
        result['find'] = _find_figures([f for _, f in clients])
    result['met'] = {
        'drop_rate': result['drop_rate'] is not None and result['drop_rate'] <= TARGETS['drop_rate'],
        'lag_p95_ms': result['lag_ms']['p95'] <= TARGETS['lag_p95_ms'],
        'ltm_cpu_cores': nodes['ltm']['cpu_cores'] <= TARGETS['ltm_cpu_cores'],
        'rss_growth_mb_per_min': all(n['rss_growth_mb_per_min'] <= TARGETS['rss_growth_mb_per_min']
                                     for n in nodes.values()),
    }
    if clients:
        result['met']['find_p95_ms'] = (result['find']['p95_ms'] <= TARGETS['find_p95_ms']
                                        and result['find']['timeouts'] == 0)
    (out_dir / 'soak_bench.json').write_text(json.dumps(result, indent=2))
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='karma bench soak', description=__doc__.split('\n')[0])
    ap.add_argument('--out', default='out/bench', help='folder of soak_bench.json')
    ap.add_argument('--minutes', type=float, default=10.0, help='length of the stream')
    ap.add_argument('--seconds', type=float, default=0.0, help='length in seconds (overrides --minutes)')
    ap.add_argument('--rate', type=float, default=30.0, help='messages per second')
    ap.add_argument('--observations', type=int, default=200, help='observations per message')
    ap.add_argument('--objects', type=int, default=500, help='distinct objects in the stream')
    ap.add_argument('--flood', action='store_true',
                    help='every observation is a new object (memory bounded by max_objects)')
    ap.add_argument('--preload', type=int, default=0,
                    help='objects the long-term memory holds before the stream (e.g. 10000)')
    ap.add_argument('--find-clients', type=int, default=0,
                    help='concurrent FindObject clients beside the stream (e.g. 4)')
    args = ap.parse_args(argv)
    r = run(args)
    print(json.dumps({k: r[k] for k in ('sent', 'applied', 'drop_rate', 'lag_ms', 'nodes', 'find', 'met')
                      if k in r}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
