"""Time travel from a real episode: the THOR bridge (embedded player, real ai2thor client) and
ltm_node in their own processes; the robot picks the apple up and drops it elsewhere; the
history says where the apple was before, what changed, and who changed it."""
from __future__ import annotations

import time

import pytest
from karma_interfaces.action import ExecuteSkill
from karma_interfaces.srv import QueryHistory
from rclpy.action import ActionClient

from karma_memory_ros.conversions import to_sec, to_time
from memory_stream import Stream

pytestmark = pytest.mark.integration
APPLE = "Apple|-00.47|+01.15|+00.48"


def _skill(ros_node, action, skill, args, timeout=90.0):
    fut = action.send_goal_async(ExecuteSkill.Goal(skill=skill, args=args))
    assert ros_node.spin_until(fut.done, 20), f"{skill}: goal not answered"
    res = fut.result().get_result_async()
    assert ros_node.spin_until(res.done, timeout), f"{skill} did not finish"
    out = res.result().result
    assert out.success, out.message
    return out


def test_where_was_the_apple_before_the_robot_moved_it(ros_node, spawn_node, tmp_path):
    spawn_node("karma_thor_bridge.bridge_node", "config/bridge.yaml", {"perception": "oracle"})
    spawn_node("karma_memory_ros.ltm_node", "config/ltm.yaml",
               {"store_dir": str(tmp_path), "publish_rate_hz": 10.0})
    s = Stream(ros_node)
    action = ActionClient(ros_node.node, ExecuteSkill, "/karma/execute_skill")
    hist = ros_node.create_client(QueryHistory, "/karma/query_history")
    assert action.wait_for_server(timeout_sec=120) and hist.wait_for_service(timeout_sec=60)
    _skill(ros_node, action, "navigate_to", [APPLE])
    s.wait_graph(lambda n: n.get(APPLE, {}).get("parent", "").startswith("CounterTop|"), 60)
    on_counter = s.nodes(s.graphs[-1])[APPLE]
    t_before = time.time()
    _skill(ros_node, action, "pickup", [APPLE])
    _skill(ros_node, action, "drop", [])
    # The embedded player drops it at a free spot (on the counter in FloorPlan1): it moved.
    # Moved on the floor plane (map x, y: REP-103, z up).
    s.wait_graph(lambda n: abs(n[APPLE]["x"] - on_counter["x"]) + abs(n[APPLE]["y"] - on_counter["y"]) > 0.1, 60)
    Q = QueryHistory.Request
    then = ros_node.call(hist, Q(query=Q.QUERY_WHERE_AT, object_id=APPLE, t=to_time(t_before)))
    assert then.success and then.found
    assert then.objects[0].receptacle_id == on_counter["parent"]
    assert abs(then.objects[0].position.x - on_counter["x"]) < 1e-4
    now = ros_node.call(hist, Q(query=Q.QUERY_WHERE_AT, object_id=APPLE))
    assert now.found
    assert abs(now.objects[0].position.x - on_counter["x"]) + abs(now.objects[0].position.y - on_counter["y"]) > 0.1
    changes = ros_node.call(hist, Q(query=Q.QUERY_CHANGES, t_start=to_time(t_before)))
    [apple] = [c for c in changes.changes if c.id == APPLE]
    assert "position" in apple.fields and apple.before.receptacle_id == on_counter["parent"]
    assert abs(apple.before.position.x - on_counter["x"]) < 1e-4
    assert apple.cause in ("perception:thor_bridge", "robot_state")
    seen = ros_node.call(hist, Q(query=Q.QUERY_LAST_SEEN, object_id=APPLE))
    assert seen.found and to_sec(seen.last_seen) >= t_before - 1.0
