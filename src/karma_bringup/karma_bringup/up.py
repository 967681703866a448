"""``./karma up``: start the stack's nodes, each in its own process, as ``ros2 launch`` would.

Output lines are prefixed with the node's name. Ctrl-C / SIGTERM stops every node (SIGINT
first, so nodes shut down cleanly and flush their stores; SIGKILL after a grace period).
A node that exits is reported; with ``respawn`` it is started again.

Example::

    ./karma up                       # the robot stack (no simulator)
    ./karma up --sim                 # with the AI2-THOR bridge on the embedded player
    ./karma up --param ltm.store_dir:=/tmp/mem
    ./karma up --sim --record out/run.mcap --inspect   # plus a recording and the web inspector
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from karma_bringup.stack import NodeSpec, load_stack


def node_command(spec: NodeSpec, extra_params: dict[str, str] | None = None) -> list[str]:
    """The command line that runs one node (the same node a launch file's Node() runs)."""
    cmd = [sys.executable, '-m', spec.python_module, '--ros-args',
           '-r', f'__node:={spec.name}', '--params-file', str(spec.params_file)]
    for key, value in (extra_params or {}).items():
        cmd += ['-p', f'{key}:={value}']
    return cmd


def _pump(prefix: str, stream) -> None:
    for line in iter(stream.readline, b''):
        sys.stdout.write(f'[{prefix}] {line.decode(errors="replace")}')
        sys.stdout.flush()


class Supervisor:
    """Runs a set of node processes and stops them together."""

    def __init__(self, specs: list[NodeSpec], params: dict[str, dict[str, str]],
                 respawn: bool = False, grace_s: float = 10.0):
        self.specs = specs
        self.params = params
        self.respawn = respawn
        self.grace_s = grace_s
        self.procs: dict[str, subprocess.Popen] = {}
        self._stopping = threading.Event()

    def start(self, spec: NodeSpec) -> None:
        proc = subprocess.Popen(node_command(spec, self.params.get(spec.key)),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs[spec.key] = proc
        threading.Thread(target=_pump, args=(spec.name, proc.stdout), daemon=True).start()
        print(f'[karma up] started {spec.name} (pid {proc.pid}): {spec.description}', flush=True)

    def run(self) -> int:
        for spec in self.specs:
            self.start(spec)
        by_key = {s.key: s for s in self.specs}
        while not self._stopping.is_set():
            for key, proc in list(self.procs.items()):
                code = proc.poll()
                if code is None:
                    continue
                print(f'[karma up] {by_key[key].name} exited with code {code}', flush=True)
                del self.procs[key]
                if self.respawn:
                    self.start(by_key[key])
            if not self.procs:
                return 1
            self._stopping.wait(0.2)
        return self.shutdown()

    def stop(self, *_args) -> None:
        self._stopping.set()

    def shutdown(self) -> int:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
        deadline = time.monotonic() + self.grace_s
        for key, proc in self.procs.items():
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f'[karma up] {key} did not stop in {self.grace_s}s, killing', flush=True)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        print('[karma up] all nodes stopped', flush=True)
        return 0


def parse_params(items: list[str]) -> dict[str, dict[str, str]]:
    """``['ltm.store_dir:=/tmp/x']`` -> ``{'ltm': {'store_dir': '/tmp/x'}}``."""
    out: dict[str, dict[str, str]] = {}
    for item in items:
        if ':=' not in item or '.' not in item.split(':=', 1)[0]:
            raise SystemExit(f'karma up: --param wants NODE.NAME:=VALUE, got {item!r}')
        lhs, value = item.split(':=', 1)
        node, name = lhs.split('.', 1)
        out.setdefault(node, {})[name] = value
    return out


def add_optional_nodes(stack, specs, params, record: str | None = None, inspect: bool = False):
    """``specs``/``params`` plus the recorder (writing ``record``) and the inspector."""
    specs, params = list(specs), {k: dict(v) for k, v in params.items()}
    if record:   # first, so it is listening before the first perception frame
        specs.insert(0, stack.nodes['recorder'])
        params.setdefault('recorder', {})['path'] = os.path.abspath(record)
    if inspect:
        specs.append(stack.nodes['inspector'])
    return specs, params


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog='karma up', description=__doc__.split('\n')[0])
    ap.add_argument('--config', help='stack file or config directory (default: config/)')
    ap.add_argument('--stack', help='which stack of the file to start (default: its default_stack)')
    ap.add_argument('--sim', action='store_true', help='start the "sim" stack (AI2-THOR bridge)')
    ap.add_argument('--param', action='append', default=[], metavar='NODE.NAME:=VALUE',
                    help='override one node parameter (repeatable)')
    ap.add_argument('--record', metavar='FILE', help='also record the stack to this MCAP file')
    ap.add_argument('--inspect', action='store_true', help='also serve the live web inspector')
    ap.add_argument('--respawn', action='store_true', help='restart nodes that exit')
    ap.add_argument('--dry-run', action='store_true', help='print the node commands and exit')
    args = ap.parse_args(argv)
    stack = load_stack(args.config)
    specs = stack.nodes_for('sim' if args.sim else args.stack)
    params = {k: {n: str(v) for n, v in d.items()} for k, d in stack.overrides.items()}
    specs, params = add_optional_nodes(stack, specs, params, args.record, args.inspect)
    for node, values in parse_params(args.param).items():
        if node not in stack.nodes:
            raise SystemExit(f'karma up: unknown node {node!r}; known: {sorted(stack.nodes)}')
        params.setdefault(node, {}).update(values)
    if args.dry_run:
        for spec in specs:
            print(' '.join(node_command(spec, params.get(spec.key))))
        return 0
    sup = Supervisor(specs, params, respawn=args.respawn)
    signal.signal(signal.SIGINT, sup.stop)
    signal.signal(signal.SIGTERM, sup.stop)
    return sup.run()


if __name__ == '__main__':
    sys.exit(main())
