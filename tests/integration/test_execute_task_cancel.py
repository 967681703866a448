"""ExecuteTask ends CANCELED with the reason when its client cancels it mid-task, and ABORTED
when the task fails. The executor runs in its own process; this test process is the robot it
drives (its planning service and its skill server, under names of their own), over DDS."""
import threading

import pytest

pytestmark = [pytest.mark.integration]

PLAN, SKILL = '/cancel_test/plan', '/cancel_test/execute_skill'


@pytest.fixture
def robot(ros_env):
    """A planner that plans three moves and a skill server whose moves wait for ``release``."""
    import rclpy
    from rclpy.action import ActionClient, ActionServer, CancelResponse
    from rclpy.callback_groups import ReentrantCallbackGroup
    from rclpy.executors import MultiThreadedExecutor
    from rclpy.node import Node
    from karma_interfaces.action import ExecuteSkill, ExecuteTask
    from karma_interfaces.msg import PlanStep
    from karma_interfaces.srv import Plan
    owns = not rclpy.ok()
    if owns:
        rclpy.init()
    node = Node('cancel_test_robot')
    group = ReentrantCallbackGroup()
    state = {'skills': 0, 'started': threading.Event(), 'release': threading.Event(),
             'fail': False, 'skill_canceled': threading.Event()}

    def plan(_req, resp):
        resp.success = True
        resp.steps = [PlanStep(skill='navigate_to', args=[r]) for r in ('kitchen', 'hall', 'bedroom')]
        return resp

    def skill(handle):
        state['skills'] += 1
        state['started'].set()
        state['release'].wait(120)
        ok = not state['fail']
        handle.succeed() if ok else handle.abort()
        return ExecuteSkill.Result(success=ok, message='' if ok else 'blocked by a closed door')

    node.create_service(Plan, PLAN, plan, callback_group=group)
    def cancel(_goal):
        state['skill_canceled'].set()
        return CancelResponse.ACCEPT
    ActionServer(node, ExecuteSkill, SKILL, skill, callback_group=group, cancel_callback=cancel)
    client = ActionClient(node, ExecuteTask, '/karma/execute_task', callback_group=group)
    ex = MultiThreadedExecutor(num_threads=4)
    ex.add_node(node)
    t = threading.Thread(target=ex.spin, daemon=True)
    t.start()
    yield client, ExecuteTask, state
    state['release'].set()
    ex.shutdown()
    node.destroy_node()
    if owns:
        rclpy.try_shutdown()


def _wait(future, timeout=60):
    done = threading.Event()
    future.add_done_callback(lambda _f: done.set())
    assert done.wait(timeout), 'no answer in time'
    return future.result()


def _executor(spawn_node, **extra):
    return spawn_node('karma_executor.executor_node', 'config/executor.yaml',
                      dict({'plan_service': PLAN, 'skill_action': SKILL, 'verify_on_arrival': 'false',
                            'max_replans': 0}, **extra))


def test_cancel_of_a_running_task_ends_it_canceled_with_the_reason(robot, spawn_node):
    from action_msgs.msg import GoalStatus
    client, ExecuteTask, state = robot
    proc = _executor(spawn_node)
    assert client.wait_for_server(timeout_sec=60)
    handle = _wait(client.send_goal_async(ExecuteTask.Goal(instruction='Tidy the house.')))
    assert handle.accepted
    assert state['started'].wait(60), 'the first skill never started'
    cancel = _wait(handle.cancel_goal_async())
    assert len(cancel.goals_canceling) == 1             # the server accepted the cancel
    assert state['skill_canceled'].wait(60)             # ...and passed it on to the skill
    state['release'].set()                              # the running move ends
    res = _wait(handle.get_result_async(), 90)
    assert res.status == GoalStatus.STATUS_CANCELED
    assert not res.result.success and 'canceled by the client' in res.result.message
    assert len(res.result.executed) == 1 and state['skills'] == 1   # no step after the cancel
    assert proc.poll() is None


def test_a_failed_task_ends_aborted_with_the_reason(robot, spawn_node):
    from action_msgs.msg import GoalStatus
    client, ExecuteTask, state = robot
    state['fail'] = True
    state['release'].set()
    _executor(spawn_node)
    assert client.wait_for_server(timeout_sec=60)
    handle = _wait(client.send_goal_async(ExecuteTask.Goal(instruction='Tidy the house.')))
    assert handle.accepted
    res = _wait(handle.get_result_async(), 90)
    assert res.status == GoalStatus.STATUS_ABORTED
    assert not res.result.success and res.result.message, res.result
