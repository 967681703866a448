"""`./karma up` as a supervisor: back-off and give-up, configuration errors once, nodes die with
it (kill -9 included), one stack per ROS domain. Real child processes, no ROS needed."""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from karma_bringup.restart import Backoff, RestartPolicy
from karma_bringup.stack import NodeSpec
from karma_bringup.up import Supervisor, instance_lock

ROOT = Path(__file__).resolve().parents[2]
FAST = RestartPolicy(max_restarts=3, base_s=0.05, max_s=0.2, stable_s=60.0)


def spec(key):
    return NodeSpec(key=key, package='p', executable=key, name=key, params_file=Path('/dev/null'))


def script(code):
    return lambda _spec, _params: [sys.executable, '-c', code]


def run_with_deadline(sup, deadline_s=60):
    """Run the supervisor in a thread; the test fails if it has not returned by the deadline."""
    result = []
    t = threading.Thread(target=lambda: result.append(sup.run()), daemon=True)
    t.start()
    t.join(deadline_s)
    if t.is_alive():
        sup.stop()
        t.join(30)
        pytest.fail('supervisor did not finish')
    return result[0]


def test_backoff_doubles_caps_and_resets_after_a_stable_run():
    b = Backoff(RestartPolicy(max_restarts=4, base_s=1.0, max_s=3.0, stable_s=10.0))
    assert [b.on_exit(1, 0.5).delay_s for _ in range(3)] == [1.0, 2.0, 3.0]
    d = b.on_exit(-9, 11.0)            # ran long enough: counted from scratch
    assert d.restart and d.delay_s == 1.0 and 'signal 9' in d.reason


def test_a_crashing_node_is_restarted_with_backoff_then_given_up(capsys):
    sup = Supervisor([spec('crasher')], {}, policy=FAST, command=script('import os; os._exit(3)'))
    assert run_with_deadline(sup) == 1
    out = capsys.readouterr().out
    assert out.count('started crasher') == 1 + FAST.max_restarts
    assert 'gave up after 3 restarts' in out and 'exited with code 3' in out
    assert 'crasher' in sup.given_up


def test_a_configuration_error_is_reported_once_and_not_restarted(capsys):
    sup = Supervisor([spec('badparam')], {}, policy=FAST,
                     command=script("import sys; print('bad: max_label_length 0'); sys.exit(2)"))
    assert run_with_deadline(sup) == 1
    out = capsys.readouterr().out
    assert out.count('started badparam') == 1
    assert out.count('[karma up] badparam exited with code 2: it cannot start (configuration error') == 1
    assert 'not restarted' in out


def _dead(pid):
    try:
        state = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ('Z', 'X')


SUPERVISED = """
import sys, time
from pathlib import Path
from karma_bringup.stack import NodeSpec
from karma_bringup.up import Supervisor
spec = NodeSpec(key='n', package='p', executable='n', name='n', params_file=Path('/dev/null'))
code = "import os, time; print('child', os.getpid(), flush=True); time.sleep(600)"
Supervisor([spec], {}, command=lambda s, p: [sys.executable, '-c', code]).run()
"""


def test_nodes_die_when_the_supervisor_is_killed_with_sigkill():
    sup = subprocess.Popen([sys.executable, '-c', SUPERVISED], stdout=subprocess.PIPE, text=True)
    try:
        child = None
        for line in sup.stdout:             # waits on the child's own report
            if line.startswith('[n] child'):
                child = int(line.split()[2])
                break
        assert child and not _dead(child)
        os.kill(sup.pid, signal.SIGKILL)
        sup.wait(30)
        deadline = time.monotonic() + 30
        while not _dead(child) and time.monotonic() < deadline:
            time.sleep(0.05)                # polls the condition; bounded by the deadline
        assert _dead(child), f'node {child} outlived its supervisor'
    finally:
        if sup.poll() is None:
            sup.kill()


def test_a_second_stack_on_the_same_domain_refuses_to_start(tmp_path):
    held = instance_lock('77', str(tmp_path))
    try:
        with pytest.raises(SystemExit, match='already runs on ROS_DOMAIN_ID 77'):
            instance_lock('77', str(tmp_path))
        instance_lock('78', str(tmp_path)).close()   # another domain is free
    finally:
        held.close()
    instance_lock('77', str(tmp_path)).close()       # released with its holder
