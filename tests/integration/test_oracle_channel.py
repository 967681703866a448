"""BENCHMARK ONLY channel: the goal oracle (reference backend) gets a task's goals from
karma/bench/oracle_goals, served by the benchmark (here: this test process), never from the
product API; Plan.goals is the deprecated alias it falls back to. Planner and memories run in
their own processes over DDS."""
import pytest
from karma_interfaces.msg import ObjectObservationArray
from karma_interfaces.srv import FindObject, OracleGoals, Plan
from karma_ros_common.qos import SENSOR_DATA

from clients.kitchen_plan_client import scene

pytestmark = pytest.mark.integration
INSTRUCTION = 'Put the apple on the plate.'


def test_the_goal_oracle_reads_goals_from_the_benchmark_channel(ros_node, spawn_node, tmp_path):
    spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml', {'store_dir': str(tmp_path)})
    spawn_node('karma_memory_ros.stm_node', 'config/stm.yaml', {'store_dir': str(tmp_path)})
    planner = spawn_node('karma_planner_ros.planner_node', 'config/planner.yaml',
                         {'backend': 'reference', 'embedder': 'hash'})
    pub = ros_node.create_publisher(ObjectObservationArray, '/karma/perception/objects', SENSOR_DATA)
    find = ros_node.create_client(FindObject, '/karma/find_object')
    plan = ros_node.create_client(Plan, '/karma/plan')
    for cli in (find, plan):
        assert cli.wait_for_service(timeout_sec=60), planner.log_path.read_text()[-3000:]
    found = ros_node.publish_until_found(pub, scene, find, 'Apple')
    assert found
    apple = found[0].id

    # No benchmark serves the channel and the request carries no goals: the oracle has none.
    blind = ros_node.call(plan, Plan.Request(instruction=INSTRUCTION), timeout=120)
    assert ('pickup', [apple]) not in [(s.skill, list(s.args)) for s in blind.steps]

    asked = []

    def serve(req, resp):
        asked.append(req.instruction)
        resp.known = req.instruction == INSTRUCTION
        resp.goals = ['IN(Apple, Plate)'] if resp.known else []
        return resp
    ros_node.create_service(OracleGoals, '/karma/bench/oracle_goals', serve)
    # The planner asks once it has discovered the channel (an event: plan until it asks).
    assert ros_node.spin_until(lambda: ros_node.count_clients('/karma/bench/oracle_goals') >= 1, 60)
    replies = []

    def planned_with_channel() -> bool:
        replies.append(ros_node.call(plan, Plan.Request(instruction=INSTRUCTION), timeout=120))
        return bool(asked)
    assert ros_node.spin_until(planned_with_channel, 120), 'the planner never asked the channel'
    r = replies[-1]                                                      # no goals in the request
    assert asked == [INSTRUCTION]
    assert r.success and r.backend == 'reference (goal oracle)', r.message
    steps = [(s.skill, list(s.args)) for s in r.steps]
    assert ('pickup', [apple]) in steps and steps[-1][0] == 'put', steps
    # The deprecated alias still works for one release (and says so in the log).
    ros_node.destroy_service(next(s for s in ros_node.services if s.srv_name == '/karma/bench/oracle_goals'))
    old = ros_node.call(plan, Plan.Request(instruction='Put the apple on the plate!',
                                           goals=['IN(Apple, Plate)']), timeout=120)
    assert old.success and ('pickup', [apple]) in [(s.skill, list(s.args)) for s in old.steps]
    assert ros_node.spin_until(lambda: 'DEPRECATED alias' in planner.log_path.read_text(), 30)
