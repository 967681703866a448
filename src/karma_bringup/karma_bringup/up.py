"""``./karma up``: start the stack's nodes, each in its own process, and manage their lifecycle.

The nodes are managed lifecycle nodes started with ``autostart:=false``; ``karma up`` is their
lifecycle manager (:mod:`karma_bringup.lifecycle_manager`): it configures and activates them
one by one in the stack's order (config/stack.yaml: memory first, then planner, executor,
bridge), reports a node that fails to configure once with its reason (the node stays
alive, unconfigured), brings a restarted node back to active, and on shutdown deactivates
and cleans them up in reverse order before stopping the processes.

Output lines are prefixed with the node's name. Ctrl-C / SIGTERM stops every node (SIGINT
first, so nodes shut down cleanly and flush their stores; SIGKILL after a grace period).
A node that crashes is started again with exponential back-off and given up on after
``--max-restarts`` tries (:mod:`karma_bringup.restart`); one that cannot start (a bad
parameter) is reported once. The nodes die with ``karma up``, even when it is killed with
kill -9, and a second ``karma up`` in the same ROS domain and namespace refuses to start while
one runs.

Example::

    ./karma up                       # the robot stack (no simulator)
    ./karma up --sim                 # with the AI2-THOR bridge on the embedded player
    ./karma up --param ltm.store_dir:=/tmp/mem
    ./karma up --namespace robot1    # every name under /robot1/..., store ~/.karma/robot1/memory
    ./karma up --sim --record out/run.mcap --inspect   # plus a recording and the web inspector
"""
from __future__ import annotations

import argparse
import ctypes
import fcntl
import functools
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from karma_bringup.restart import Backoff, RestartPolicy, describe_exit
from karma_bringup.stack import NodeSpec, load_stack
from karma_ros_common.namespaces import namespace_key, normalize_namespace


def node_command(spec: NodeSpec, extra_params: dict[str, str] | None = None,
                 namespace: str = '') -> list[str]:
    """The command line that runs one node (the same node a launch file's Node() runs)."""
    cmd = [sys.executable, '-m', spec.python_module, '--ros-args',
           '-r', f'__node:={spec.name}', '--params-file', str(spec.params_file)]
    if namespace:
        cmd[-2:-2] = ['-r', f'__ns:={namespace}']
    for key, value in (extra_params or {}).items():
        cmd += ['-p', f'{key}:={value}']
    return cmd


def _pump(prefix: str, stream) -> None:
    for line in iter(stream.readline, b''):
        sys.stdout.write(f'[{prefix}] {line.decode(errors="replace")}')
        sys.stdout.flush()


_PR_SET_PDEATHSIG = 1


def _die_with(parent: int):
    """preexec_fn: the child gets SIGTERM when the supervisor dies, even by kill -9."""
    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:   # the supervisor died before prctl took effect
            os._exit(1)
    return preexec


def instance_lock(domain: str, lock_dir: str | None = None, namespace: str = ''):
    """Hold the lock of ``namespace`` in ROS domain ``domain`` (one stack per namespace).

    Returns the open lock file (keep it for the supervisor's lifetime; the kernel releases it
    when the process dies, kill -9 included) or raises SystemExit naming the holder.
    """
    path = Path(lock_dir or os.environ.get('XDG_RUNTIME_DIR') or tempfile.gettempdir()) / \
        (f'karma-up-domain-{domain}.lock' if not namespace else
         f'karma-up-domain-{domain}-ns-{namespace_key(namespace)}.lock')
    f = open(path, 'a+')
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        holder = f.read().strip() or '?'
        f.close()
        where = f'in namespace {namespace} ' if namespace else ''
        raise SystemExit(f'karma up: a stack already runs {where}on ROS_DOMAIN_ID {domain} (pid '
                         f'{holder}, lock {path}); stop it first or use another --namespace')
    f.truncate(0)
    f.write(str(os.getpid()))
    f.flush()
    return f


class Supervisor:
    """Runs a set of node processes, restarts crashed ones (``restart.Backoff``), stops them together.

    The nodes die with the supervisor: each gets SIGTERM from the kernel when it dies.
    """

    def __init__(self, specs: list[NodeSpec], params: dict[str, dict[str, str]],
                 respawn: bool = True, grace_s: float = 10.0,
                 policy: RestartPolicy = RestartPolicy(), command=None):
        self.specs = specs
        self.params = params
        self.respawn = respawn
        self.grace_s = grace_s
        self.policy = policy
        self.command = command or node_command
        self.procs: dict[str, subprocess.Popen] = {}
        self.started_at: dict[str, float] = {}
        self.backoff = {s.key: Backoff(policy) for s in specs}
        self.pending: dict[str, float] = {}     # key -> monotonic time of its restart
        self.given_up: dict[str, str] = {}      # key -> reason
        self._stopping = threading.Event()

    def start(self, spec: NodeSpec) -> None:
        proc = subprocess.Popen(self.command(spec, self.params.get(spec.key)),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=_die_with(os.getpid()))
        self.procs[spec.key] = proc
        self.started_at[spec.key] = time.monotonic()
        threading.Thread(target=_pump, args=(spec.name, proc.stdout), daemon=True).start()
        print(f'[karma up] started {spec.name} (pid {proc.pid}): {spec.description}', flush=True)
        self.on_started(spec)

    def on_started(self, spec: NodeSpec) -> None:
        """Called after every start of a node's process (restarts included)."""

    def before_stop(self) -> None:
        """Called once before the processes are signalled to stop."""

    def _reap(self, by_key: dict[str, NodeSpec]) -> None:
        for key, proc in list(self.procs.items()):
            code = proc.poll()
            if code is None:
                continue
            del self.procs[key]
            ran = time.monotonic() - self.started_at[key]
            name = by_key[key].name
            if not self.respawn:
                print(f'[karma up] {name} {describe_exit(code)}', flush=True)
                continue
            decision = self.backoff[key].on_exit(code, ran)
            print(f'[karma up] {name} {decision.reason}', flush=True)
            if decision.restart:
                self.pending[key] = time.monotonic() + decision.delay_s
            else:
                self.given_up[key] = decision.reason

    def run(self) -> int:
        for spec in self.specs:
            self.start(spec)
        by_key = {s.key: s for s in self.specs}
        while not self._stopping.is_set():
            self._reap(by_key)
            now = time.monotonic()
            for key, when in list(self.pending.items()):
                if when <= now:
                    del self.pending[key]
                    self.start(by_key[key])
            if not self.procs and not self.pending:
                print('[karma up] no node left running'
                      + ''.join(f'; {by_key[k].name}: {r}' for k, r in self.given_up.items()),
                      flush=True)
                return 1
            self._stopping.wait(0.2)
        return self.shutdown()

    def stop(self, *_args) -> None:
        self._stopping.set()

    def shutdown(self) -> int:
        self.before_stop()
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


class ManagedSupervisor(Supervisor):
    """A :class:`Supervisor` that is also the lifecycle manager of its managed nodes.

    Bring-ups run on one worker thread in start order (a restarted node is queued again and
    brought back to active); shut-down goes deactivate -> cleanup in reverse order."""

    def __init__(self, specs, params, manager_factory, **kwargs):
        super().__init__(specs, params, **kwargs)
        self._manager_factory = manager_factory
        self.manager = None
        self.states: dict[str, str] = {}        # node name -> 'active' or why not
        self._queue: queue.Queue = queue.Queue()
        self._worker = threading.Thread(target=self._work, daemon=True)
        self._idle = threading.Event()
        self._idle.set()

    def on_started(self, spec: NodeSpec) -> None:
        if not spec.managed:
            return
        self._idle.clear()
        self._queue.put(spec)
        if not self._worker.is_alive():
            self._worker.start()

    def _work(self) -> None:
        while True:
            spec = self._queue.get()
            if spec is None:
                return
            if self.manager is None:
                self.manager = self._manager_factory()
            if not self._stopping.is_set():
                ok, why = self.manager.bring_up(spec.name)
                self.states[spec.name] = 'active' if ok else why
                if ok:
                    print(f'[karma up] {spec.name} is active', flush=True)
                else:
                    print(f'[karma up] {spec.name} did not come up: {why}; it stays unconfigured '
                          f'(fix the cause, then configure it again)', flush=True)
            if self._queue.empty():
                self._idle.set()

    def wait_until_up(self, timeout_s: float | None = None) -> bool:
        """True once every queued bring-up has been tried."""
        return self._idle.wait(timeout_s)

    def before_stop(self) -> None:
        self._queue.put(None)
        if self._worker.is_alive():
            self._worker.join()
        if self.manager is None:
            return
        running = [s.name for s in self.specs if s.managed and s.key in self.procs
                   and self.procs[s.key].poll() is None]
        for name, state in self.manager.shut_down(list(reversed(running))).items():
            print(f'[karma up] {name}: {state}', flush=True)
        self.manager.close()


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


def managed_params(specs: list[NodeSpec], params: dict[str, dict[str, str]]) -> list[NodeSpec]:
    """Set ``autostart:=false`` on every managed node of ``specs`` (``params`` in place): the
    supervisor, as lifecycle manager, drives their transitions. Returns ``specs``."""
    for spec in specs:
        if spec.managed:
            params.setdefault(spec.key, {}).setdefault('autostart', 'false')
    return specs


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
    ap.add_argument('--namespace', default='',
                    help='run the stack under this ROS namespace (/NS/karma/...); the store '
                         'defaults to ~/.karma/NS/memory')
    ap.add_argument('--param', action='append', default=[], metavar='NODE.NAME:=VALUE',
                    help='override one node parameter (repeatable)')
    ap.add_argument('--record', metavar='FILE', help='also record the stack to this MCAP file')
    ap.add_argument('--inspect', action='store_true', help='also serve the live web inspector')
    ap.add_argument('--respawn', action='store_true', default=True,
                    help='restart crashed nodes with exponential back-off (the default; kept as a '
                         'flag for old scripts)')
    ap.add_argument('--no-respawn', dest='respawn', action='store_false',
                    help='report nodes that exit, do not restart them')
    ap.add_argument('--max-restarts', type=int, default=RestartPolicy.max_restarts,
                    help='restarts of a node (each within 60 s of the last) before giving up')
    ap.add_argument('--dry-run', action='store_true', help='print the node commands and exit')
    args = ap.parse_args(argv)
    try:
        namespace = normalize_namespace(args.namespace)
    except ValueError as e:
        raise SystemExit(f'karma up: {e}')
    if namespace and (args.record or args.inspect):
        # The recorder and the inspector still use absolute /karma/... names (recordings
        # name their topics so); under a namespace they would record and show nothing.
        raise SystemExit('karma up: --record and --inspect do not support --namespace yet')
    command = functools.partial(node_command, namespace=namespace)
    stack = load_stack(args.config)
    specs = stack.nodes_for('sim' if args.sim else args.stack)
    params = {k: {n: str(v) for n, v in d.items()} for k, d in stack.overrides.items()}
    specs, params = add_optional_nodes(stack, specs, params, args.record, args.inspect)
    given = parse_params(args.param)
    for node, values in given.items():
        if node not in stack.nodes:
            raise SystemExit(f'karma up: unknown node {node!r}; known: {sorted(stack.nodes)}')
        params.setdefault(node, {}).update(values)
    if 'store_dir' in given.get('ltm', {}) and 'store_dir' not in given.get('stm', {}) \
            and 'stm' in params:
        params['stm']['store_dir'] = given['ltm']['store_dir']   # one memory folder
    managed_params(specs, params)
    if args.dry_run:
        for spec in specs:
            print(' '.join(command(spec, params.get(spec.key))))
        return 0
    lock = instance_lock(os.environ.get('ROS_DOMAIN_ID', '0'),  # noqa: F841 (held until exit)
                         namespace=namespace)
    from karma_bringup.lifecycle_manager import LifecycleManager
    sup = ManagedSupervisor(specs, params,
                            manager_factory=functools.partial(LifecycleManager, namespace=namespace),
                            respawn=args.respawn,
                            policy=RestartPolicy(max_restarts=max(0, args.max_restarts)),
                            command=command)
    signal.signal(signal.SIGINT, sup.stop)
    signal.signal(signal.SIGTERM, sup.stop)
    return sup.run()


if __name__ == '__main__':
    sys.exit(main())
