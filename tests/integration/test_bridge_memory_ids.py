"""Withheld THOR ids end to end: the bridge publishes anonymous observations, the long-term
memory mints its own ids (``Apple_1``), and a skill on that memory id is resolved by the
bridge through /karma/query_scene_graph back to the right simulator object.

Processes: the bridge (in-process simulator, ``withhold_ids: true``), the LTM node, and this
test process as the client. Every wait is on an event with a timeout.
"""
from __future__ import annotations

import json

import pytest

rclpy = pytest.importorskip('rclpy')
from karma_interfaces.action import ExecuteSkill  # noqa: E402
from karma_interfaces.srv import FindObject, GetGroundTruth  # noqa: E402
from rclpy.action import ActionClient  # noqa: E402

pytestmark = pytest.mark.integration

APPLE = 'Apple|-00.47|+01.15|+00.48'


def _run(ros_node, client, skill, args, timeout=60.0):
    fut = client.send_goal_async(ExecuteSkill.Goal(skill=skill, args=args))
    assert ros_node.spin_until(fut.done, 10.0)
    res = fut.result().get_result_async()
    assert ros_node.spin_until(res.done, timeout)
    return res.result().result


def test_memory_minted_ids_resolve_to_simulator_objects(ros_node, spawn_node, tmp_path):
    bridge = spawn_node('karma_thor_bridge.bridge_node', 'config/bridge.yaml',
                        {'simulator': 'inprocess', 'perception': 'oracle', 'withhold_ids': 'true'})
    ltm = spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml', {'store_dir': str(tmp_path)})
    skills = ActionClient(ros_node.node, ExecuteSkill, '/karma/execute_skill')
    find = ros_node.create_client(FindObject, '/karma/find_object')
    gt = ros_node.create_client(GetGroundTruth, '/karma/sim/ground_truth')
    try:
        assert skills.wait_for_server(timeout_sec=60.0), bridge.log_path.read_text()[-2000:]
        assert find.wait_for_service(timeout_sec=60.0), ltm.log_path.read_text()[-2000:]
        assert gt.wait_for_service(timeout_sec=10.0)

        def apples():
            return [o for o in ros_node.call(find, FindObject.Request(query='Apple', max_results=5)).objects
                    if o.type == 'Apple']

        # Look around until the memory has seen the apple (the robot does not know its id).
        found = []
        for _ in range(3):
            res = _run(ros_node, skills, 'explore', ['scene'])
            assert res.success, res.message
            if ros_node.spin_until(lambda: bool(found.extend(apples()) or found), 5.0):
                break
        assert found, 'the memory never saw an apple'
        mem_id = found[0].id
        assert '|' not in mem_id  # minted by the memory, not THOR's objectId

        res = _run(ros_node, skills, 'navigate_to', [mem_id])
        assert res.success, res.message
        res = _run(ros_node, skills, 'pickup', [mem_id])
        assert res.success, res.message
        truth = json.loads(ros_node.call(gt, GetGroundTruth.Request()).json)
        assert [o['objectId'] for o in truth['inventoryObjects']] == [APPLE]

        res = _run(ros_node, skills, 'heat', [mem_id])
        assert res.success, res.message
        truth = json.loads(ros_node.call(gt, GetGroundTruth.Request()).json)
        assert truth['alfred'][APPLE]['heated']
        assert bridge.poll() is None and ltm.poll() is None
    finally:
        skills.destroy()
        ros_node.destroy_client(find)
        ros_node.destroy_client(gt)
