"""The whole sim stack in separate processes: ExecuteTask plans, acts and is judged from
ground truth; the same path `./karma bench tasks` takes, on one small episode."""
import json

import pytest

from karma_bench.checker import TaskJudge
from karma_bench.stack_client import StackClient
from karma_bench.suite import suite_from_dict
from karma_bench.tasks import StackProcesses, run_task

pytestmark = [pytest.mark.integration]

SUITE = {'format': 'karma-task-suite/1', 'name': 'tiny', 'episodes': [{
    'id': 'kitchen', 'scene': 'FloorPlan1', 'seed': 0, 'tasks': [
        {'id': 't1', 'category': 'simple', 'instruction': 'Put the apple in the fridge.',
         'goals': ['IN(Apple, Fridge)']},
        {'id': 't2', 'category': 'composite', 'instruction': 'Slice the apple you put away.',
         'goals': ['STATE(Apple, sliced)']}]}]}


@pytest.fixture(scope='module')
def stack(ros_env, tmp_path_factory):
    # ros_env: this module's own ROS_DOMAIN_ID in the tests' range, loopback only
    params = {'planner': {'backend': 'reference', 'memory_mode': 'karma', 'embedder': 'hash'},
              'ltm': {'store_dir': str(tmp_path_factory.mktemp('ltm')), 'retrieval_embedder': 'hash'},
              'bridge': {'simulator': 'inprocess', 'perception': 'oracle'}}
    with StackProcesses(params, tmp_path_factory.mktemp('logs')) as procs:
        client = StackClient('test_execute_task')
        try:
            client.wait_ready(timeout_s=180, check_alive=procs.check_alive)
            yield client, procs
        finally:
            client.close()


def test_an_episode_runs_through_the_ros_graph_and_memory_carries_over(stack):
    client, procs = stack
    suite = suite_from_dict(SUITE)
    ep = suite.episodes[0]
    client.reset_episode(ep.scene, ep.seed)
    first = run_task(client, ep, ep.tasks[0], 'karma', 0)
    assert first['success'], first['executor_message']
    # (the verdict comes from ground truth, the steps from the action's result: rclpy drops
    # feedback that arrives after the result)
    assert first['steps'] > 0 and first['planner_calls'] >= 1
    # Task 2 needs the apple put away in task 1: memory knows it is in the (closed) fridge.
    second = run_task(client, ep, ep.tasks[1], 'karma', 0)
    assert second['success'], second['executor_message']
    steps = second['executed']
    assert steps and not any(st['skill'] == 'explore' for st in steps), \
        f'memory should make exploring unnecessary: {steps}'
    # The robot knows what its own slice did (no camera sees the whole apple any more): the
    # skill result says so and the short-term memory holds it.
    from karma_interfaces.srv import QueryShortTerm
    sliced = next(st['args'][0] for st in steps if st['skill'] == 'slice' and st['success'])
    entries = client.call(client.query_stm, QueryShortTerm.Request(query=sliced, max_results=10)).entries
    assert any(e.source == 'skill' and {kv.key: kv.value for kv in e.states}.get('isSliced') == 'true'
               for e in entries), [(e.source, [(kv.key, kv.value) for kv in e.states]) for e in entries]
    gt = client.ground_truth()
    judge = TaskJudge(['STATE(Apple, sliced)'])
    judge.observe(gt)
    assert judge.result().success
    procs.check_alive()


def test_a_task_with_an_empty_instruction_is_rejected(stack):
    client, _ = stack
    assert client.execute_task('   ', ['IN(Apple, Fridge)']) is None


def test_a_task_over_its_time_is_cancelled_and_counted_as_failed(stack):
    """A slow task fails the task, not the benchmark: it is cancelled, its result says why,
    and the stack takes the next task (before, the bench raised and lost the whole run)."""
    client, procs = stack
    client.reset_episode('FloorPlan1', 0)
    res = client.execute_task('Put the apple in the fridge.', ['IN(Apple, Fridge)'], timeout_s=0.5)
    assert res is not None and not res.success, res
    assert res.message.startswith('timeout: no result in 0.5 s, goal cancelled'), res.message
    again = client.execute_task('Put the apple in the fridge.', ['IN(Apple, Fridge)'])
    assert again is not None and 'timeout' not in again.message, again.message
    procs.check_alive()
