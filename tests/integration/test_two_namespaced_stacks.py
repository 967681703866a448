"""Two robot stacks under /robot1 and /robot2 in one ROS domain do not hear each other.

Each stack (ltm, stm, planner with the reference backend and the hash embedder, executor)
runs under its own `karma up --namespace` supervisor, one process per node. An observation
published to one robot reaches only that robot's memory; each answers its own FindObject,
and each planner plans from its own memory.
"""
import sys

import pytest
from karma_interfaces.action import ExecuteTask
from karma_interfaces.srv import FindObject, Plan
from rclpy.action import ActionClient
from karma_ros_common.qos import SENSOR_DATA
from karma_interfaces.msg import ObjectObservationArray

from clients.kitchen_plan_client import observation, scene

pytestmark = pytest.mark.integration

UP = 'import sys; from karma_bringup.up import main; sys.exit(main(sys.argv[1:]))'


def mug_scene() -> ObjectObservationArray:
    msg = ObjectObservationArray(source='robot2_test', fov_deg=0.0, max_range=0.0)
    msg.header.frame_id = 'map'
    msg.observations = [
        observation('Table|+1.00|+0.00|+1.00', 'DiningTable', (1.0, 0.4, 1.0), (1.2, 0.8, 0.8),
                    receptacle=True),
        observation('Mug|+1.00|+0.82|+1.00', 'Mug', (1.0, 0.85, 1.0), (0.1, 0.1, 0.1),
                    parent='Table|+1.00|+0.00|+1.00'),
    ]
    return msg


def _up(spawn_python, ns, store):
    return spawn_python(UP, '--namespace', ns, '--no-respawn',
                        '--param', f'ltm.store_dir:={store}',
                        '--param', 'planner.backend:=reference',
                        '--param', 'planner.embedder:=hash',
                        '--param', 'ltm.retrieval_embedder:=hash')


def _find(ros_node, cli, label):
    return [o.id for o in ros_node.call(cli, FindObject.Request(query=label, max_results=5)).objects
            if o.type == label]


def test_two_namespaced_stacks_do_not_hear_each_other(ros_node, spawn_python, tmp_path):
    ups = {ns: _up(spawn_python, ns, tmp_path / ns) for ns in ('robot1', 'robot2')}
    pubs, finds, plans = {}, {}, {}
    for ns in ups:
        pubs[ns] = ros_node.create_publisher(ObjectObservationArray,
                                             f'/{ns}/karma/perception/objects', SENSOR_DATA)
        finds[ns] = ros_node.create_client(FindObject, f'/{ns}/karma/find_object')
        plans[ns] = ros_node.create_client(Plan, f'/{ns}/karma/plan')
    for ns, proc in ups.items():
        for cli in (finds[ns], plans[ns]):
            assert cli.wait_for_service(timeout_sec=120), proc.log_path.read_text()[-3000:]
        task = ActionClient(ros_node.node, ExecuteTask, f'/{ns}/karma/execute_task')
        assert task.wait_for_server(timeout_sec=120), proc.log_path.read_text()[-3000:]
    # Unnamespaced names stay free: nothing of either stack lives under /karma.
    assert not ros_node.count_subscribers('/karma/perception/objects')
    sent = {'robot1': scene(), 'robot2': mug_scene()}
    wanted = {'robot1': 'Apple', 'robot2': 'Mug'}
    found = {}
    for ns in ups:
        assert ros_node.spin_until(lambda: pubs[ns].get_subscription_count() >= 2, 30)
    for _ in range(60):
        for ns in ups:
            if ns not in found:
                pubs[ns].publish(sent[ns])
        ros_node.spin_until(lambda: False, 0.2)
        for ns in ups:
            ids = _find(ros_node, finds[ns], wanted[ns])
            if ids:
                found[ns] = ids
        if len(found) == 2:
            break
    assert set(found) == {'robot1', 'robot2'}, found
    # Both memories have applied their own messages; neither holds the other's objects.
    assert _find(ros_node, finds['robot1'], 'Mug') == []
    assert _find(ros_node, finds['robot2'], 'Apple') == []
    # Each planner reads its own robot's memory (its clients resolve in its namespace).
    r = ros_node.call(plans['robot1'], Plan.Request(instruction='Put the apple on the plate.',
                                                    goals=['IN(Apple, Plate)']), timeout=120)
    assert r.success, r.message
    assert found['robot1'][0] in r.memory_ids
    assert not any(i.startswith('Mug') for i in r.memory_ids)
    # The store of each namespace is its own folder.
    assert (tmp_path / 'robot1').is_dir() and (tmp_path / 'robot2').is_dir()
    for proc in ups.values():
        assert proc.poll() is None, proc.log_path.read_text()[-3000:]


def test_karma_up_refuses_a_second_stack_in_the_same_namespace_only(tmp_path):
    import subprocess
    from karma_bringup.up import instance_lock
    held = instance_lock('47', str(tmp_path), namespace='/robot1')
    try:
        with pytest.raises(SystemExit, match='namespace /robot1'):
            instance_lock('47', str(tmp_path), namespace='/robot1')
        instance_lock('47', str(tmp_path), namespace='/robot2').close()
        instance_lock('47', str(tmp_path)).close()
    finally:
        held.close()
    bad = subprocess.run([sys.executable, '-c', UP, '--namespace', '1robot', '--dry-run'],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and 'must start with a letter' in bad.stderr
