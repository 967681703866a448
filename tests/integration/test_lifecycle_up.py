"""`./karma up` as a lifecycle manager, as a user runs it: it brings the stack to active in the
stack's order, reports a node that cannot configure once with its reason (that node stays
alive, unconfigured), brings a crashed and restarted node back to active, and on shutdown
deactivates and cleans up in reverse order. Real processes over DDS (loopback)."""
import os
import queue
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration]
ORDER = ['ltm_node', 'stm_node', 'planner_node', 'executor_node']   # config/stack.yaml robot
FAST_PLANNER = ['--param', 'planner.backend:=reference', '--param', 'planner.embedder:=hash']


class Up:
    """`./karma up ARGS` with its output lines collected; waits on lines, never on time."""

    def __init__(self, env, args):
        self.proc = subprocess.Popen([str(ROOT / 'karma'), 'up', *args], env=env, cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.lines: list[str] = []
        self._new = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b''):
            line = raw.decode(errors='replace').rstrip('\n')
            self.lines.append(line)
            self._new.put(line)
        self._new.put(None)

    def wait_for(self, pattern, count=1, timeout=240.0):
        """The ``count`` lines matching ``pattern`` once there are that many."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            hits = [line for line in self.lines if rx.search(line)]
            if len(hits) >= count:
                return hits
            try:
                if self._new.get(timeout=max(0.01, deadline - time.monotonic())) is None:
                    break
            except queue.Empty:
                break
        pytest.fail(f'no {count} x {pattern!r} in karma up output:\n' + '\n'.join(self.lines[-60:]))

    def index(self, pattern):
        rx = re.compile(pattern)
        return next(i for i, line in enumerate(self.lines) if rx.search(line))

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.wait_for(r'.', timeout=1)   # drain


@pytest.fixture
def up(ros_env, tmp_path):
    started = []

    def start(*args):
        u = Up(ros_env, ['--param', f'ltm.store_dir:={tmp_path}', *FAST_PLANNER, *args])
        started.append(u)
        return u
    yield start
    for u in started:
        u.stop()


@pytest.fixture
def manager(ros_env):
    from karma_bringup.lifecycle_manager import LifecycleManager
    mgr = LifecycleManager(name='test_up_observer')
    yield mgr
    mgr.close()


def test_karma_up_brings_the_stack_up_in_order_restarts_to_active_and_down_in_reverse(up, manager):
    u = up()
    for name in ORDER:
        u.wait_for(rf'\[karma up\] {name} is active')
    active_at = [u.index(rf'\[karma up\] {name} is active') for name in ORDER]
    assert active_at == sorted(active_at), u.lines        # memory, planner, executor in order
    assert [manager.get_state(n)[1] for n in ORDER] == ['active'] * 4
    # A crashed node is restarted by the supervisor and brought back to active.
    pid = int(u.wait_for(r'started stm_node \(pid (\d+)\)')[0].split('(pid ')[1].split(')')[0])
    os.kill(pid, signal.SIGKILL)
    u.wait_for(r'\[karma up\] started stm_node', count=2)
    u.wait_for(r'\[karma up\] stm_node is active', count=2)
    assert manager.get_state('stm_node')[1] == 'active'
    u.stop()
    assert u.proc.returncode == 0
    down = [u.index(rf'\[karma up\] {name}: unconfigured') for name in reversed(ORDER)]
    assert down == sorted(down), u.lines                  # deactivate + cleanup, reverse order
    assert u.index('all nodes stopped') > down[-1]


def test_karma_up_reports_a_node_that_cannot_configure_once_and_keeps_it_alive(up, manager):
    u = up('--param', 'ltm.max_label_length:=0')
    hits = u.wait_for(r'\[karma up\] ltm_node did not come up')
    assert "parameter 'max_label_length'" in hits[0], hits
    for name in ORDER[1:]:
        u.wait_for(rf'\[karma up\] {name} is active')
    assert manager.get_state('ltm_node')[1] == 'unconfigured'    # alive, waiting for a retry
    assert len([line for line in u.lines if 'ltm_node did not come up' in line]) == 1
    assert not any('ltm_node exited' in line for line in u.lines)
