"""The THOR bridge node in its own process (embedded player through the real ai2thor client),
this test process as its client: skills, perception, ground truth, reset, malformed goals.

Fixtures ``ros_env`` / ``ros_node`` / ``spawn_node`` come from tests/integration/conftest.py
(a ROS_DOMAIN_ID of this module's own, DDS on loopback). One bridge process serves the
module's tests in order; every wait is on an event with a timeout.
"""
from __future__ import annotations

import json

import pytest

rclpy = pytest.importorskip('rclpy')
from geometry_msgs.msg import PoseStamped  # noqa: E402
from karma_interfaces.action import ExecuteSkill  # noqa: E402
from karma_interfaces.msg import NavigableMap, ObjectObservationArray, RobotState, SkillResult  # noqa: E402
from karma_interfaces.srv import GetGroundTruth, ResetSimulation  # noqa: E402
from karma_ros_common.qos import LATCHED, SENSOR_DATA  # noqa: E402
from rclpy.action import ActionClient  # noqa: E402

pytestmark = pytest.mark.integration

NODE = 'karma_thor_bridge.bridge_node'
APPLE = 'Apple|-00.47|+01.15|+00.48'
FRIDGE = 'Fridge|-02.10|+00.00|+01.07'


class Client:
    """The test process's view of the bridge: subscriptions, the action client, services."""

    def __init__(self, ros_node):
        self.n = ros_node
        self.frames: list[ObjectObservationArray] = []
        self.maps: list[NavigableMap] = []
        self.poses: list[PoseStamped] = []
        self.states: list[RobotState] = []
        self.subs = [
            ros_node.create_subscription(RobotState, '/karma/robot_state', self.states.append, LATCHED),
            ros_node.create_subscription(ObjectObservationArray, '/karma/perception/objects',
                                         self.frames.append, SENSOR_DATA),
            ros_node.create_subscription(NavigableMap, '/karma/map/navigable', self.maps.append,
                                         LATCHED),
            ros_node.create_subscription(PoseStamped, '/karma/agent_pose', self.poses.append, 10)]
        self.action = ActionClient(ros_node.node, ExecuteSkill, '/karma/execute_skill')
        self.gt = ros_node.create_client(GetGroundTruth, '/karma/sim/ground_truth')
        self.reset = ros_node.create_client(ResetSimulation, '/karma/sim/reset')

    def skill(self, skill: str, args: list[str], timeout: float = 60.0):
        feedback = []
        fut = self.action.send_goal_async(ExecuteSkill.Goal(skill=skill, args=args),
                                          feedback_callback=lambda f: feedback.append(f.feedback.status))
        assert self.n.spin_until(fut.done, 10.0), 'goal not answered'
        handle = fut.result()
        assert handle.accepted
        res = handle.get_result_async()
        assert self.n.spin_until(res.done, timeout), f'{skill} did not finish in {timeout} s'
        return res.result().result, feedback

    def ground_truth(self) -> dict:
        resp = self.n.call(self.gt, GetGroundTruth.Request(), timeout=20.0)
        assert resp.success
        return json.loads(resp.json)


@pytest.fixture
def bridge_proc(spawn_node):
    """The bridge in its own process (default node name ``thor_bridge``, as in stack.yaml),
    on the embedded player through the real ai2thor client."""
    return spawn_node(NODE, 'config/bridge.yaml', {'simulator': 'embedded', 'perception': 'oracle'})


@pytest.fixture
def client(ros_node, bridge_proc):
    c = Client(ros_node)
    if not c.action.wait_for_server(timeout_sec=60.0):
        pytest.fail('bridge did not come up:\n' + bridge_proc.log_path.read_text()[-3000:])
    assert c.gt.wait_for_service(timeout_sec=20.0) and c.reset.wait_for_service(timeout_sec=20.0)
    yield c
    for sub in c.subs:
        ros_node.destroy_subscription(sub)
    c.action.destroy()
    ros_node.destroy_client(c.gt)
    ros_node.destroy_client(c.reset)


def test_navigate_and_pick_up_an_apple(client, ros_node, bridge_proc):
    assert ros_node.spin_until(lambda: client.maps, 20.0), 'no latched navigable map'
    m = client.maps[-1]
    assert m.place_type == 'kitchen' and len(m.reachable) > 50 and m.header.frame_id == 'map'

    # THOR's spawn pose already sees the apple: turn to the fridge first, so the
    # navigation below has steps to make
    res, _ = client.skill('navigate_to', [FRIDGE])
    assert res.success, res.message
    before = len(client.frames)
    res, feedback = client.skill('navigate_to', [APPLE])
    assert res.success, res.message
    assert res.simulator_steps > 0
    # feedback per phase and per THOR action (it may trail the result: wait for the phase line)
    assert ros_node.spin_until(lambda: any('navigating to ' + APPLE in f for f in feedback), 30.0), feedback
    # perception frames during the skill (best effort on loopback: frames may be lost or trail
    # the result): wait for one that shows the apple the robot walked to
    def showing_apple():
        return [f for f in client.frames[before:] if APPLE in {o.instance_id for o in f.observations}]
    assert ros_node.spin_until(lambda: bool(showing_apple()), 30.0), len(client.frames) - before
    last = showing_apple()[-1]
    assert last.source == 'thor_bridge' and last.header.frame_id == 'map'
    assert last.fov_deg == pytest.approx(90.0) and last.max_range == pytest.approx(1.5)
    assert APPLE in {o.instance_id for o in last.observations}
    apple_obs = next(o for o in last.observations if o.instance_id == APPLE)
    assert apple_obs.label == 'Apple' and apple_obs.parent_id.startswith('CounterTop|')
    assert ros_node.spin_until(lambda: client.poses, 5.0)

    # the robot's own state: latched, the hand empty before the pickup
    assert ros_node.spin_until(lambda: client.states, 10.0), 'no latched robot state'
    assert client.states[-1].hand_state == RobotState.HAND_EMPTY
    res, _ = client.skill('pickup', [APPLE])
    assert res.success and res.simulator_steps == 1, res.message
    assert res.hand_state == RobotState.HAND_HOLDING and res.held_object_id == APPLE
    assert res.held_object_type == 'Apple'
    assert ros_node.spin_until(lambda: client.states[-1].hand_state == RobotState.HAND_HOLDING, 10.0)
    st = client.states[-1]
    assert st.held_object_id == APPLE and st.held_object_type == 'Apple' and st.header.frame_id == 'map'
    res, _ = client.skill('pickup', [APPLE])
    assert not res.success and res.failure == SkillResult.FAILURE_HAND_FULL, res
    gt = client.ground_truth()
    apple = next(o for o in gt['objects'] if o['objectId'] == APPLE)
    assert apple['isPickedUp'] is True
    assert [o['objectId'] for o in gt['inventoryObjects']] == [APPLE]
    assert {'objects', 'alfred', 'agent', 'inventoryObjects'} <= set(gt)
    assert bridge_proc.poll() is None


MALFORMED = [
    ('fly', [], "unknown skill 'fly'"),
    ('pickup', [], 'pickup takes 1 argument(s), got 0'),
    ('navigate_to', ['a', 'b', 'c'], 'navigate_to takes 1 argument(s), got 3'),
    ('pickup', ['No|such|object'], "unknown object 'No|such|object'"),
    ('put', ['\x07' * 5000], 'hand is empty'),
    ('open', ['\x07' * 5000], 'unknown object'),
]


def test_malformed_goals_fail_and_the_node_keeps_running(client, bridge_proc):
    for skill, args, fragment in MALFORMED:
        res, _ = client.skill(skill, args, timeout=20.0)
        assert not res.success and fragment in res.message and res.simulator_steps == 0, res
        assert res.failure in (SkillResult.FAILURE_INVALID_CALL, SkillResult.FAILURE_NOT_FOUND,
                               SkillResult.FAILURE_HAND_EMPTY), res
        assert bridge_proc.poll() is None
    res, _ = client.skill('navigate_to', [APPLE])  # still serving real work
    assert res.success, res.message


def test_reset_to_another_room_type_and_keep_serving(client, ros_node, bridge_proc):
    n_maps = len(client.maps)
    resp = ros_node.call(client.reset, ResetSimulation.Request(scene='FloorPlan401', seed=0), 30.0)
    assert resp.success, resp.message
    assert ros_node.spin_until(lambda: len(client.maps) > n_maps, 10.0)
    assert client.maps[-1].place_type == 'bathroom'
    bad = ros_node.call(client.reset, ResetSimulation.Request(scene='NoSuchPlace', seed=0), 30.0)
    assert not bad.success and bad.message
    bad = ros_node.call(client.reset, ResetSimulation.Request(scene='../etc', seed=0), 30.0)
    assert not bad.success
    gt = client.ground_truth()
    assert any(o['objectType'] == 'Toilet' for o in gt['objects']) and gt['inventoryObjects'] == []
    res, _ = client.skill('explore', ['scene'])
    assert res.success and res.simulator_steps >= 8, res.message
    assert bridge_proc.poll() is None
