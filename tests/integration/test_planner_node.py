"""Planner node in its own process with the LTM and STM nodes: /karma/plan from another process.

The reference backend (goal oracle) keeps this fast; the default local model is exercised by
test_stack_up.py (issue acceptance) and src/karma_planning/test/test_backends.py.
"""
import pytest
from karma_interfaces.msg import MemoryUsage, ObjectObservationArray
from karma_interfaces.srv import FindObject, Plan, QueryShortTerm
from karma_ros_common.qos import RELIABLE_EVENTS, SENSOR_DATA

from clients.kitchen_plan_client import scene

pytestmark = pytest.mark.integration


def test_plan_service_with_both_memories(ros_node, spawn_node, tmp_path):
    spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml', {'store_dir': str(tmp_path),
                                                                'retrieval_embedder': 'hash'})
    spawn_node('karma_memory_ros.stm_node', 'config/stm.yaml')
    planner = spawn_node('karma_planner_ros.planner_node', 'config/planner.yaml',
                         {'backend': 'reference', 'embedder': 'hash'})
    usage = []
    ros_node.create_subscription(MemoryUsage, '/karma/memory_usage', usage.append, RELIABLE_EVENTS)
    pub = ros_node.create_publisher(ObjectObservationArray, '/karma/perception/objects', SENSOR_DATA)
    find = ros_node.create_client(FindObject, '/karma/find_object')
    plan = ros_node.create_client(Plan, '/karma/plan')
    stm = ros_node.create_client(QueryShortTerm, '/karma/stm/query')
    for cli in (find, plan, stm):
        assert cli.wait_for_service(timeout_sec=60), planner.log_path.read_text()[-3000:]
    found = ros_node.publish_until_found(pub, scene, find, 'Apple')
    assert found
    r = ros_node.call(plan, Plan.Request(instruction='Put the apple on the plate.', goals=['IN(Apple, Plate)']),
                      timeout=120)
    assert r.success, r.message
    assert r.backend == 'reference (goal oracle)'
    steps = [(s.skill, list(s.args)) for s in r.steps]
    apple = found[0].id
    assert ('pickup', [apple]) in steps and steps[-1][0] == 'put'
    assert apple in r.memory_ids and r.prompt_tokens > 0 and r.completion_tokens > 0 and r.elapsed_s > 0
    assert ros_node.spin_until(lambda: bool(usage), 10)
    assert apple in usage[-1].referenced_ids and set(usage[-1].referenced_ids) <= set(usage[-1].retrieved_ids)
    # adversarial input: an empty instruction without goals is a failed plan, not a crash
    bad = ros_node.call(plan, Plan.Request(instruction='\x1b[2J' * 50), timeout=60)
    assert not bad.success and bad.message


@pytest.mark.slow
def test_default_local_model_plan_from_another_process(spawn_node, spawn_python, tmp_path):
    """Acceptance in miniature: SmolLM2 (constrained) answers a client process that knows
    only karma_interfaces; the plan names the apple and reports memory ids and tokens."""
    import json
    spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml', {'store_dir': str(tmp_path)})
    spawn_node('karma_memory_ros.stm_node', 'config/stm.yaml')
    planner = spawn_node('karma_planner_ros.planner_node', 'config/planner.yaml', {'threads': 1})
    # The planner loads SmolLM2 and MiniLM before it serves; on a loaded machine that takes
    # minutes, so the client waits for the service as long as this test allows.
    client = spawn_python("import os, runpy, sys; os.environ['KARMA_CLIENT_WAIT_S'] = '600'; "
                          "sys.argv = ['client', 'Put the apple on the plate.']; "
                          "runpy.run_path('tests/integration/clients/kitchen_plan_client.py', run_name='__main__')")
    client.wait(timeout=1500)
    lines = [ln for ln in client.log_path.read_text().splitlines() if ln.startswith('{')]
    assert lines, client.log_path.read_text()[-2000:] + planner.log_path.read_text()[-2000:]
    plan = json.loads(lines[-1])['plan']
    assert plan['success'], plan['message']
    assert plan['backend'] == 'transformers'
    assert any(a.startswith('Apple') for _, args in plan['steps'] for a in args), plan['steps']
    assert plan['memory_ids'] and plan['prompt_tokens'] > 0 and plan['completion_tokens'] > 0


def test_memory_mode_none_sees_only_the_latest_frame(ros_node, spawn_node):
    """memory_mode none: no memory node runs; the planner plans from the latest perception
    frame it received, reports those ids, and /karma/planner/reset forgets it."""
    from karma_interfaces.srv import ResetMemory
    planner = spawn_node('karma_planner_ros.planner_node', 'config/planner.yaml',
                         {'backend': 'reference', 'embedder': 'hash', 'memory_mode': 'none',
                          'memory_timeout_s': 0.3})
    bad = spawn_node('karma_planner_ros.planner_node', 'config/planner.yaml',
                     {'backend': 'reference', 'embedder': 'hash', 'memory_mode': 'everything'})
    pub = ros_node.create_publisher(ObjectObservationArray, '/karma/perception/objects', SENSOR_DATA)
    plan = ros_node.create_client(Plan, '/karma/plan')
    reset = ros_node.create_client(ResetMemory, '/karma/planner/reset')
    for cli in (plan, reset):
        assert cli.wait_for_service(timeout_sec=60), planner.log_path.read_text()[-3000:]
    req = Plan.Request(instruction='Put the apple on the plate.', goals=['IN(Apple, Plate)'])
    r = ros_node.call(plan, req, timeout=30)
    # no frame and no map yet: the planner searches the whole map instead of failing
    assert r.success and 'no perception frame yet' in r.message and not r.memory_ids
    assert [(s.skill, list(s.args)) for s in r.steps] == [('explore', ['scene'])]
    frame = scene()
    ids = {o.instance_id for o in frame.observations}
    apple = next(i for i in ids if i.startswith('Apple'))
    for _ in range(50):
        pub.publish(frame)
        ros_node.spin_until(lambda: False, 0.1)
        r = ros_node.call(plan, req, timeout=30)
        if r.success and r.memory_ids:   # the frame arrived
            break
    assert r.success, r.message + planner.log_path.read_text()[-2000:]
    steps = [(s.skill, list(s.args)) for s in r.steps]
    assert ('pickup', [apple]) in steps and steps[-1][0] == 'put'
    assert set(r.memory_ids) <= ids and apple in r.memory_ids and r.prompt_tokens > 0
    assert 'long-term memory unavailable' in r.message   # regions come from the scene graph
    assert ros_node.call(reset, ResetMemory.Request(), timeout=10).success
    r = ros_node.call(plan, req, timeout=30)
    assert not r.memory_ids and [s.skill for s in r.steps] == ['explore'], r.message
    assert bad.wait(timeout=60) != 0 and "'memory_mode'" in bad.log_path.read_text()
