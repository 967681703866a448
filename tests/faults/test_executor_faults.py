"""kill -9 of the executor while a task runs: the client (with the shipped watchdog,
karma_ros_common.action_watchdog) gets an outcome with the reason in bounded time, whether the
executor is restarted or not. Huge goal limits are clamped with a reason; a planner that is not
served gives "planner unavailable". Real executor processes over DDS (loopback)."""
import os
import signal
import threading
import time

import pytest

pytestmark = [pytest.mark.integration]

NO_PLANNER = {'plan_service': '/karma_faults/no_planner', 'verify_on_arrival': 'false'}


@pytest.fixture
def task_client(ros_env):
    import rclpy
    from rclpy.action import ActionClient
    from rclpy.executors import MultiThreadedExecutor
    from rclpy.node import Node
    from karma_interfaces.action import ExecuteTask
    owns = not rclpy.ok()
    if owns:
        rclpy.init()
    node = Node('faults_task_client')
    client = ActionClient(node, ExecuteTask, '/karma/execute_task')
    ex = MultiThreadedExecutor(num_threads=2)
    ex.add_node(node)
    t = threading.Thread(target=ex.spin, daemon=True)
    t.start()
    yield client, ExecuteTask
    # Stop spinning and wait for the spin thread before destroying anything: destroying the
    # node while the thread still dispatches (and DDS is dropping the killed executor's
    # endpoints) once deadlocked inside the middleware.
    ex.shutdown(timeout_sec=30)
    t.join(30)
    client.destroy()
    node.destroy_node()
    if owns:
        rclpy.try_shutdown()


def wait(future, timeout):
    done = threading.Event()
    future.add_done_callback(lambda _f: done.set())
    assert done.wait(timeout), 'no answer in time'
    return future.result()


def start_executor(spawn_node):
    return spawn_node('karma_executor.executor_node', 'config/executor.yaml', NO_PLANNER)


def send(client, ExecuteTask, **fields):
    assert client.wait_for_server(timeout_sec=60), 'executor did not come up'
    handle = wait(client.send_goal_async(ExecuteTask.Goal(instruction='Put the apple on the plate.',
                                                          **fields)), 30)
    assert handle.accepted
    return handle


def test_a_goal_of_a_killed_and_restarted_executor_ends_with_the_reason(task_client, spawn_node):
    from karma_ros_common.action_watchdog import await_result
    client, ExecuteTask = task_client
    first = start_executor(spawn_node)
    handle = send(client, ExecuteTask)     # in flight: waiting for a planner that never comes
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    start_executor(spawn_node)             # what `karma up` does after the crash
    t0 = time.monotonic()
    outcome = await_result(client, handle, timeout_s=90)
    assert outcome.status == 'server_restarted', outcome
    assert 'send it again' in outcome.reason
    print(f'restart noticed {time.monotonic() - t0:.1f} s after the kill')


def test_a_goal_of_a_killed_executor_ends_when_it_leaves_the_graph(task_client, spawn_node):
    from karma_ros_common.action_watchdog import await_result
    client, ExecuteTask = task_client
    first = start_executor(spawn_node)
    handle = send(client, ExecuteTask)
    os.kill(first.pid, signal.SIGKILL)
    t0 = time.monotonic()
    outcome = await_result(client, handle, timeout_s=90)
    assert outcome.status == 'server_lost', outcome
    assert 'it died' in outcome.reason
    print(f'loss noticed {time.monotonic() - t0:.1f} s after the kill')


def test_huge_limits_are_clamped_and_a_missing_planner_is_named(task_client, spawn_node):
    from karma_ros_common.action_watchdog import await_result
    client, ExecuteTask = task_client
    start_executor(spawn_node)
    handle = send(client, ExecuteTask, max_steps=10**9, max_replans=10**9)
    outcome = await_result(client, handle, timeout_s=90)
    assert outcome.status == 'aborted', outcome      # the task failed: ABORTED...
    msg = outcome.result.message
    assert not outcome.result.success                # ...saying why
    assert 'max_steps 1000000000 clamped to 500' in msg and 'max_replans' in msg, msg
    assert 'planner unavailable' in msg, msg


def test_bad_goals_are_refused_or_bounded_and_the_executor_lives(task_client, spawn_node):
    from karma_ros_common.action_watchdog import await_result
    client, ExecuteTask = task_client
    proc = start_executor(spawn_node)
    assert client.wait_for_server(timeout_sec=60)
    for empty in ('', ' \t\n'):
        handle = wait(client.send_goal_async(ExecuteTask.Goal(instruction=empty)), 30)
        assert not handle.accepted
    huge = 'Put the apple\x00\x1b[2J on the plate. ' * 3000          # ~100 kB, control characters
    handle = send(client, ExecuteTask, goals=['x' * 1000] * 1000)     # 1,000 goal strings
    outcome = await_result(client, handle, timeout_s=90)
    assert outcome.status == 'aborted' and 'planner unavailable' in outcome.result.message
    handle = wait(client.send_goal_async(ExecuteTask.Goal(instruction=huge)), 30)
    assert handle.accepted
    outcome = await_result(client, handle, timeout_s=90)
    assert outcome.status == 'aborted' and not outcome.result.success
    assert proc.poll() is None
