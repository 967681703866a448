"""Memory modes without the scene graph under a detector's perception (no THOR ids): every id
the planner names must resolve to a physical object.

Before, the planner of modes ``none`` and ``full-history`` named id-less detections itself
(``Fridge_1``, the first fridge of a frame), ids the simulator and the memory did not know or
knew as another object, and the skill server answered "unknown object". Now those detections
come back from the long-term memory's association (``/karma/ltm/associated``) under its ids,
which the skill server resolves like any memory id.

The whole sim stack in separate processes (in-process simulator, model-free), ``realistic``
perception, reference planner (goal oracle). Every wait is on an event with a timeout.
"""
import pytest

from karma_bench.stack_client import StackClient
from karma_bench.suite import suite_from_dict
from karma_bench.tasks import StackProcesses, run_task

pytestmark = [pytest.mark.integration]

SUITE = {'format': 'karma-task-suite/1', 'name': 'detector-ids', 'episodes': [{
    'id': 'kitchen', 'scene': 'FloorPlan1', 'seed': 0, 'tasks': [
        {'id': 't1', 'category': 'simple', 'instruction': 'Put the apple in the fridge.',
         'goals': ['IN(Apple, Fridge)']}]}]}


@pytest.fixture(scope='module', params=['none', 'full-history'])
def stack(request, ros_env, tmp_path_factory):
    # ros_env: this module's own ROS_DOMAIN_ID (KARMA_TEST_DOMAIN_ID forces one), loopback only
    mode = request.param
    params = {'planner': {'backend': 'reference', 'memory_mode': mode, 'embedder': 'hash'},
              'ltm': {'store_dir': str(tmp_path_factory.mktemp('ltm')), 'retrieval_embedder': 'hash'},
              'bridge': {'simulator': 'inprocess', 'perception': 'realistic'}}
    with StackProcesses(params, tmp_path_factory.mktemp('logs')) as procs:
        client = StackClient(f'test_detector_ids_{mode.replace("-", "_")}')
        try:
            client.wait_ready(timeout_s=180, check_alive=procs.check_alive)
            yield mode, client, procs
        finally:
            client.close()


def test_plans_name_only_what_the_skill_server_resolves(stack):
    mode, client, procs = stack
    ep = suite_from_dict(SUITE).episodes[0]
    client.reset_episode(ep.scene, ep.seed)
    feedback = []
    rec = run_task(client, ep, ep.tasks[0], mode, 0, on_step=feedback.append)
    # the steps that ran from the action's result (rclpy drops feedback that comes after it);
    # the failure messages from the feedback that arrived
    log = '\n'.join([f'{st["skill"]}({", ".join(st["args"])}): {"ok" if st["success"] else "failed"}'
                     for st in rec['executed']]
                    + [f'{fb.step.skill}: {fb.message}' for fb in feedback if not fb.success]
                    + [f'executor: {rec["executor_message"]}'])
    assert not any('unknown object' in fb.message for fb in feedback), log
    assert 'unknown object' not in rec['executor_message'], log
    # the ids it acted on are the memory's (minted by its association), not THOR's
    acted = [a for st in rec['executed'] if st['skill'] in ('pickup', 'put', 'open', 'close')
             for a in st['args']]
    assert acted and all('|' not in a for a in acted), log
    assert rec['success'], log
    procs.check_alive()
