"""Managed lifecycle nodes, in their own processes over DDS (loopback): every node answers
get_state/configure/activate/deactivate/cleanup, serves only while active (refusing with the
reason otherwise), and a start-up failure leaves it unconfigured, alive, with the reason on
/diagnostics. The transitions are driven by the lifecycle manager `./karma up` uses."""
import threading

import pytest

pytestmark = [pytest.mark.integration]

ACTIVE, INACTIVE, UNCONFIGURED = 'active', 'inactive', 'unconfigured'


@pytest.fixture
def manager(ros_env):
    from karma_bringup.lifecycle_manager import LifecycleManager
    mgr = LifecycleManager(service_timeout_s=90.0, name='test_lifecycle_manager')
    yield mgr
    mgr.close()


def _probe_reset(srv_name):
    """A service probe: (type, name, request) of a ResetMemory/ResetSimulation service."""
    from karma_interfaces.srv import ResetMemory, ResetSimulation
    if srv_name == 'karma/sim/reset':
        return ResetSimulation, srv_name, ResetSimulation.Request(scene='FloorPlan1', seed=0)
    return ResetMemory, srv_name, ResetMemory.Request()


NODES = {
    'ltm': ('karma_memory_ros.ltm_node', 'ltm_node', 'config/ltm.yaml', {}, 'karma/reset_memory'),
    'stm': ('karma_memory_ros.stm_node', 'stm_node', 'config/stm.yaml', {}, 'karma/stm/reset'),
    'planner': ('karma_planner_ros.planner_node', 'planner_node', 'config/planner.yaml',
                {'backend': 'reference', 'embedder': 'hash'}, 'karma/planner/reset'),
    'executor': ('karma_executor.executor_node', 'executor_node', 'config/executor.yaml',
                 {'plan_service': '/karma_lifecycle/no_planner', 'verify_on_arrival': 'false'}, None),
    'bridge': ('karma_thor_bridge.bridge_node', 'thor_bridge', 'config/bridge.yaml',
               {'simulator': 'embedded', 'perception': 'oracle'}, 'karma/sim/reset'),
}


def _call(ros_node, srv_type, name, request):
    client = ros_node.create_client(srv_type, name)
    try:
        assert client.wait_for_service(timeout_sec=60), f'{name} not served'
        return ros_node.call(client, request, timeout=60)
    finally:
        ros_node.destroy_client(client)


def _send_task(ros_node):
    """An ExecuteTask goal; whether it was accepted."""
    from rclpy.action import ActionClient
    from karma_interfaces.action import ExecuteTask
    client = ActionClient(ros_node.node, ExecuteTask, 'karma/execute_task')
    try:
        assert client.wait_for_server(timeout_sec=60)
        fut = client.send_goal_async(ExecuteTask.Goal(instruction='Put the apple on the plate.'))
        assert ros_node.spin_until(fut.done, timeout=30)
        handle = fut.result()
        if handle.accepted:   # do not leave it running: it waits for a planner that never comes
            ros_node.spin_until(handle.cancel_goal_async().done, timeout=30)
        return handle.accepted
    finally:
        client.destroy()


def _serves(ros_node, key):
    """True when the node's probe is served, False when refused as inactive (with the reason)."""
    probe = NODES[key][4]
    if probe is None:
        return _send_task(ros_node)
    resp = _call(ros_node, *_probe_reset(probe))
    if resp.success:
        return True
    assert 'not active' in resp.message and 'activate it first' in resp.message, resp.message
    return False


@pytest.mark.parametrize('key', list(NODES))
def test_every_node_answers_its_lifecycle_transitions(key, manager, ros_node, spawn_node, tmp_path):
    from diagnostic_msgs.msg import DiagnosticArray
    from lifecycle_msgs.msg import Transition
    module, name, params, overrides, _probe = NODES[key]
    states = []                                # the node's lifecycle state on /diagnostics
    ros_node.create_subscription(DiagnosticArray, '/diagnostics', lambda m: states.extend(
        kv.value for st in m.status if st.name == f'/{name}' for kv in st.values
        if kv.key == 'lifecycle.state'), 50)
    proc = spawn_node(module, params, dict(overrides, autostart='false',
                                           **({'store_dir': str(tmp_path)} if key in ('ltm', 'stm') else {})))
    assert manager.get_state(name)[1] == UNCONFIGURED     # autostart false: waits for a manager
    assert manager.change_state(name, Transition.TRANSITION_CONFIGURE)
    assert manager.get_state(name)[1] == INACTIVE
    assert not _serves(ros_node, key)                      # created, but refusing while inactive
    assert manager.change_state(name, Transition.TRANSITION_ACTIVATE)
    assert manager.get_state(name)[1] == ACTIVE
    assert _serves(ros_node, key)
    assert ros_node.spin_until(lambda: ACTIVE in states, 30), states   # reports on /diagnostics
    assert manager.change_state(name, Transition.TRANSITION_DEACTIVATE)
    assert manager.get_state(name)[1] == INACTIVE
    assert not _serves(ros_node, key)
    assert manager.change_state(name, Transition.TRANSITION_CLEANUP)
    assert manager.get_state(name)[1] == UNCONFIGURED
    # ...and it can be brought up again from scratch (store reopened, simulator reconnected)
    assert manager.bring_up(name) == (True, 'active')
    assert _serves(ros_node, key)
    assert proc.poll() is None


@pytest.mark.parametrize('override,expected', [
    ({'max_label_length': 0}, "parameter 'max_label_length'"),     # a bad parameter
    ({'store_dir': 'A_FILE'}, 'cannot open the store'),             # a store that cannot open
])
def test_a_start_up_failure_leaves_the_node_unconfigured_with_the_reason(
        override, expected, manager, ros_node, spawn_node, tmp_path):
    from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
    from lifecycle_msgs.msg import Transition
    seen, got = [], threading.Event()

    def on_diag(msg):
        for s in msg.status:
            if s.name == '/ltm_node' and s.level == DiagnosticStatus.ERROR:
                seen.append(s.message)
                got.set()
    ros_node.create_subscription(DiagnosticArray, '/diagnostics', on_diag, 10)
    (tmp_path / 'a_file').write_text('not a folder')
    params = dict({'store_dir': str(tmp_path), 'autostart': 'false'}, **override)
    if params['store_dir'] == 'A_FILE':
        params['store_dir'] = str(tmp_path / 'a_file')
    proc = spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml', params)
    assert manager.get_state('ltm_node')[1] == UNCONFIGURED
    assert not manager.change_state('ltm_node', Transition.TRANSITION_CONFIGURE)
    assert manager.get_state('ltm_node')[1] == UNCONFIGURED
    reason = manager.failure_reason('ltm_node', timeout_s=30)
    assert reason.startswith('unconfigured: cannot configure:') and expected in reason, reason
    assert ros_node.spin_until(got.is_set, timeout=30)            # on /diagnostics, as ERROR
    assert expected in seen[-1]
    ok, why = manager.bring_up('ltm_node')                         # a retry fails the same way
    assert not ok and expected in why, why
    assert proc.poll() is None                                     # alive, for a retry
    assert expected in proc.log_path.read_text()                   # and logged


def test_a_standalone_node_that_cannot_configure_exits_2_with_the_reason(spawn_node, tmp_path):
    proc = spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml',
                      {'store_dir': str(tmp_path), 'max_label_length': 0})   # autostart true
    assert proc.wait(120) == 2
    text = proc.log_path.read_text()
    assert "cannot start: parameter 'max_label_length'" in text, text
