"""The planner publishes every answer on /karma/plan/log (PlanRecord): instruction, prompt,
memory ids and steps, as recordings and the inspector show them."""
import pytest
from karma_interfaces.msg import ObjectObservationArray, PlanRecord
from karma_interfaces.srv import FindObject, Plan
from karma_ros_common.qos import RELIABLE_EVENTS, SENSOR_DATA

from clients.kitchen_plan_client import scene

pytestmark = pytest.mark.integration


def test_each_plan_is_logged_with_its_prompt(ros_node, spawn_node, tmp_path):
    spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml', {'store_dir': str(tmp_path),
                                                                'retrieval_embedder': 'hash'})
    planner = spawn_node('karma_planner_ros.planner_node', 'config/planner.yaml',
                         {'backend': 'reference', 'embedder': 'hash', 'use_short_term': False})
    records = []
    ros_node.create_subscription(PlanRecord, '/karma/plan/log', records.append, RELIABLE_EVENTS)
    pub = ros_node.create_publisher(ObjectObservationArray, '/karma/perception/objects', SENSOR_DATA)
    find = ros_node.create_client(FindObject, '/karma/find_object')
    plan = ros_node.create_client(Plan, '/karma/plan')
    for cli in (find, plan):
        assert cli.wait_for_service(timeout_sec=60), planner.log_path.read_text()[-3000:]
    # Perception is best effort: publish until the memory has the apple (an event, polled).
    assert ros_node.spin_until(lambda: pub.publish(scene()) or bool(ros_node.call(
        find, FindObject.Request(query='Apple', max_results=1)).objects), 30)
    r = ros_node.call(plan, Plan.Request(instruction='Put the apple on the plate.',
                                         goals=['IN(Apple, Plate)']), timeout=120)
    assert r.success, r.message
    assert ros_node.spin_until(lambda: bool(records), 20)
    rec = records[-1]
    assert rec.instruction == 'Put the apple on the plate.' and rec.success
    assert [(s.skill, list(s.args)) for s in rec.steps] == [(s.skill, list(s.args)) for s in r.steps]
    assert list(rec.memory_ids) == list(r.memory_ids) and rec.backend == r.backend
    assert any(m in rec.prompt for m in r.memory_ids)        # the memory the model was shown
