"""Issue acceptance: `./karma up` running, a client in another process plans with memory.

The stack (memories, planner with the default local model, executor) runs under
`./karma up` exactly as a user starts it; the client knows only karma_interfaces.
"""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def karma_up(tmp_path):
    env = dict(os.environ, ROS_AUTOMATIC_DISCOVERY_RANGE='LOCALHOST',
               ROS_DOMAIN_ID=str(os.getpid() % 60 + 20))
    proc = subprocess.Popen([str(ROOT / 'karma'), 'up', '--param', f'ltm.store_dir:={tmp_path}'],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    yield proc, env
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_client_in_another_process_gets_a_plan_naming_the_apple(karma_up):
    proc, env = karma_up
    client = subprocess.run([sys.executable, str(ROOT / 'tests/integration/clients/kitchen_plan_client.py'),
                             'Put the apple on the plate.'], env=dict(env, KARMA_CLIENT_WAIT_S='600'),
                            capture_output=True, text=True, timeout=1500)
    assert client.returncode == 0, client.stderr[-2000:]
    out = json.loads(client.stdout.strip().splitlines()[-1])
    assert out['find_apple'] and out['find_apple'][0].startswith('Apple')
    plan = out['plan']
    assert plan['success'], plan['message']
    assert plan['backend'].startswith('transformers')
    args = [a for _skill, a in plan['steps'] for a in a]
    assert any(a.startswith('Apple') for a in args), plan['steps']
    assert plan['memory_ids'] and plan['prompt_tokens'] > 0 and plan['completion_tokens'] > 0
    # Stopping `karma up` stops every node.
    os.killpg(proc.pid, signal.SIGTERM)
    output = proc.communicate(timeout=60)[0].decode(errors='replace')
    assert 'all nodes stopped' in output
