"""Soak benchmark: the memories under a sensor-rate stream, measured per node.

``./karma bench soak --out DIR [--minutes 10] [--seconds S] [--rate 30] [--observations 200]
[--objects 500] [--flood]`` starts the long-term and short-term memory nodes as ``./karma up`` does (one
process each, the real config), publishes ``--rate`` messages per second of ``--observations``
observations drawn from a fixed set of ``--objects`` objects (``--flood``: every observation a
new object) on ``/karma/perception/objects``, and writes ``DIR/soak_bench.json``::

    {"sent": .., "applied": .., "dropped": .., "drop_rate": ..,       # long-term memory
     "lag_ms": {"p50": .., "p95": .., "p99": .., "n": ..},
     "nodes": {"ltm": {"cpu_cores": .., "rss_mb_start": .., "rss_mb_end": ..,
                       "rss_growth_mb_per_min": ..}, "stm": {...}},
     "targets": {...}, "met": {...}, "config": {...}, "machine": {...}}

*applied* is the long-term memory's own ``applied.messages`` figure (set after the SQLite commit)
once the stream stopped and the node drained; *lag* is, for each message, the time from its
header stamp (set when published) to the long-term memory's republication of the message's one
id-less observation on ``/karma/ltm/associated`` (so it includes DDS, queueing, validation,
apply and commit). CPU is the node's user+system time over the stream divided by its length;
RSS growth is the slope of a least-squares line through one-second RSS samples after the first
quarter of the run (start-up and the initial fill excluded).
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
           'rss_growth_mb_per_min': 1.0}
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
            self.figures[s.name.rsplit('/', 1)[-1]] = {kv.key: kv.value for kv in s.values}

    def applied(self) -> int:
        return int(self.figures.get('ltm_node', {}).get('applied.messages', -1))

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


def run(args) -> dict:
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    duration = args.seconds if args.seconds else args.minutes * 60.0
    store = tempfile.mkdtemp(prefix='karma-soak-')
    procs = _start_nodes(store, out_dir)
    probe = Probe()
    try:
        deadline = time.monotonic() + 120
        while not ('ltm_node' in probe.figures and 'stm_node' in probe.figures
                   and probe.pub.get_subscription_count() >= 2):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs.values()):
                raise RuntimeError(f'memory nodes did not come up; see {out_dir}/*.log')
            time.sleep(0.1)   # start-up: waits on the nodes' own diagnostics, bounded above
        pool = frames(60, args.observations, args.objects)
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
        # Drain: wait until the applied count stops moving (diagnostics come once a second).
        last, still = -2, 0
        drain_deadline = time.monotonic() + 120
        while still < 3 and time.monotonic() < drain_deadline:
            time.sleep(1.0)
            a = probe.applied()
            still = still + 1 if a == last else 0
            last = a
        applied = probe.applied() - base_applied
    finally:
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
                   'objects': args.objects, 'flood': args.flood},
        'targets': TARGETS,
        'machine': {'cpus': os.cpu_count(), 'python': platform.python_version()},
    }
    result['met'] = {
        'drop_rate': result['drop_rate'] is not None and result['drop_rate'] <= TARGETS['drop_rate'],
        'lag_p95_ms': result['lag_ms']['p95'] <= TARGETS['lag_p95_ms'],
        'ltm_cpu_cores': nodes['ltm']['cpu_cores'] <= TARGETS['ltm_cpu_cores'],
        'rss_growth_mb_per_min': all(n['rss_growth_mb_per_min'] <= TARGETS['rss_growth_mb_per_min']
                                     for n in nodes.values()),
    }
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
    args = ap.parse_args(argv)
    r = run(args)
    print(json.dumps({k: r[k] for k in ('sent', 'applied', 'drop_rate', 'lag_ms', 'nodes', 'met')}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
