"""Changes behind the robot's back over ROS: the bridge (own process, default ``realistic``
perception) applies a task's ``before`` through /karma/sim/apply_world_change, publishes no
perception while doing so, and the ground truth shows the change. Waits are on events."""
from __future__ import annotations

import json

import pytest

rclpy = pytest.importorskip('rclpy')
from karma_interfaces.action import ExecuteSkill  # noqa: E402
from karma_interfaces.msg import ObjectObservationArray  # noqa: E402
from karma_interfaces.srv import ApplyWorldChange, GetGroundTruth  # noqa: E402
from karma_ros_common.qos import SENSOR_DATA  # noqa: E402
from rclpy.action import ActionClient  # noqa: E402

pytestmark = pytest.mark.integration

APPLE = 'Apple|-00.47|+01.15|+00.48'
FRIDGE = 'Fridge|-02.10|+00.00|+01.07'


def _stamp(msg) -> int:
    return msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec


def test_changes_apply_unseen_and_bad_ones_say_why(ros_node, spawn_node):
    bridge = spawn_node('karma_thor_bridge.bridge_node', 'config/bridge.yaml', {'simulator': 'inprocess'})
    frames: list = []
    sub = ros_node.create_subscription(ObjectObservationArray, '/karma/perception/objects',
                                       frames.append, SENSOR_DATA)
    change = ros_node.create_client(ApplyWorldChange, '/karma/sim/apply_world_change')
    gt = ros_node.create_client(GetGroundTruth, '/karma/sim/ground_truth')
    skills = ActionClient(ros_node.node, ExecuteSkill, '/karma/execute_skill')
    try:
        assert change.wait_for_service(timeout_sec=60.0), bridge.log_path.read_text()[-2000:]
        assert gt.wait_for_service(timeout_sec=10.0) and skills.wait_for_server(timeout_sec=10.0)
        truth = json.loads(ros_node.call(gt, GetGroundTruth.Request(), 20.0).json)
        assert 'perceived' in truth  # evaluation only: what perception detected so far

        clock = ros_node.get_clock()
        t0 = clock.now().nanoseconds
        resp = ros_node.call(change, ApplyWorldChange.Request(changes_json=json.dumps(
            [{'move': 'Apple', 'to': 'Fridge'}, {'set': 'Mug', 'state': 'dirty'}])), 30.0)
        t1 = clock.now().nanoseconds
        assert resp.success, resp.message
        applied = json.loads(resp.applied_json)
        assert [r['change'] for r in applied] == [{'move': 'Apple', 'to': 'Fridge'},
                                                   {'set': 'Mug', 'state': 'dirty'}]
        assert applied[0]['object_id'] == APPLE and applied[0]['parent_after'] == FRIDGE

        truth = json.loads(ros_node.call(gt, GetGroundTruth.Request(), 20.0).json)
        objs = {o['objectId']: o for o in truth['objects']}
        assert objs[APPLE]['parentReceptacles'] == [FRIDGE] and not objs[FRIDGE]['isOpen']

        # A skill afterwards publishes frames (the sentinel); none was stamped while the
        # changes were applied.
        fut = skills.send_goal_async(ExecuteSkill.Goal(skill='explore', args=['scene']))
        assert ros_node.spin_until(fut.done, 10.0)
        res = fut.result().get_result_async()
        assert ros_node.spin_until(res.done, 120.0) and res.result().result.success
        assert ros_node.spin_until(lambda: any(_stamp(f) > t1 for f in frames), 10.0)
        assert not [f for f in frames if t0 <= _stamp(f) <= t1]
        assert all(o.instance_id == '' for f in frames for o in f.observations)  # realistic

        bad = ros_node.call(change, ApplyWorldChange.Request(changes_json=json.dumps(
            [{'open': 'Fridge'}, {'move': 'Apple', 'to': 'Toaster'}])), 30.0)
        assert not bad.success and 'no Toaster in the scene accepts Apple' in bad.message
        assert '{"move": "Apple", "to": "Toaster"}' in bad.message
        assert [r['change'] for r in json.loads(bad.applied_json)] == [{'open': 'Fridge'}]
        junk = ros_node.call(change, ApplyWorldChange.Request(changes_json='{not json'), 30.0)
        assert not junk.success and junk.message and bridge.poll() is None
    finally:
        ros_node.destroy_subscription(sub)
        ros_node.destroy_client(change)
        ros_node.destroy_client(gt)
        skills.destroy()
