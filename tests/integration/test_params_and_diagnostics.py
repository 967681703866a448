"""Parameters as ROS tools see them, and health on the standard /diagnostics topic, for nodes
in their own processes: descriptors with ranges and read_only, ``ros2 param set`` validated
(applied, or rejected with the reason), a status that warns on bad input and recovers."""
from __future__ import annotations

import math

import pytest

rclpy = pytest.importorskip('rclpy')
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus  # noqa: E402
from karma_interfaces.msg import ObjectObservation, ObjectObservationArray  # noqa: E402
from karma_ros_common.qos import SENSOR_DATA  # noqa: E402
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue  # noqa: E402
from rcl_interfaces.srv import DescribeParameters, GetParameters, SetParameters  # noqa: E402

pytestmark = pytest.mark.integration


def _value(v) -> ParameterValue:
    if isinstance(v, int):
        return ParameterValue(type=ParameterType.PARAMETER_INTEGER, integer_value=v)
    return ParameterValue(type=ParameterType.PARAMETER_DOUBLE, double_value=float(v))


def test_descriptors_ranges_read_only_and_validated_sets(ros_node, spawn_node):
    proc = spawn_node('karma_executor.executor_node', 'config/executor.yaml')
    describe = ros_node.create_client(DescribeParameters, '/executor_node/describe_parameters')
    setp = ros_node.create_client(SetParameters, '/executor_node/set_parameters')
    getp = ros_node.create_client(GetParameters, '/executor_node/get_parameters')
    for cli in (describe, setp, getp):
        assert cli.wait_for_service(timeout_sec=60), proc.log_path.read_text()[-2000:]
    d = ros_node.call(describe, DescribeParameters.Request(
        names=['max_steps', 'plan_timeout_s', 'verify_radius_m']), timeout=20).descriptors
    steps, timeout, radius = d
    assert steps.integer_range[0].from_value == 1 and steps.integer_range[0].to_value == 500
    assert not steps.read_only and 'Skills executed' in steps.description
    assert timeout.read_only and timeout.floating_point_range[0].from_value == pytest.approx(0.1)
    assert radius.floating_point_range[0].to_value == pytest.approx(10.0)

    def set_(name, value):
        req = SetParameters.Request(parameters=[Parameter(name=name, value=_value(value))])
        return ros_node.call(setp, req, timeout=20).results[0]

    r = set_('plan_timeout_s', 5.0)                     # needs a restart
    assert not r.successful and 'read-only' in r.reason.lower()
    r = set_('max_steps', 0)                            # below its range
    assert not r.successful and r.reason
    r = set_('max_steps', 12)                           # dynamic and valid: applied
    assert r.successful, r.reason
    got = ros_node.call(getp, GetParameters.Request(names=['max_steps']), timeout=20).values[0]
    assert got.integer_value == 12
    assert proc.poll() is None


def test_status_on_diagnostics_warns_on_bad_input_and_recovers(ros_node, spawn_node, tmp_path):
    proc = spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml',
                      {'store_dir': str(tmp_path / 'mem'), 'diagnostics_period_s': 0.2})
    statuses: list[DiagnosticStatus] = []
    ros_node.create_subscription(
        DiagnosticArray, '/diagnostics',
        lambda m: statuses.extend(s for s in m.status if s.name == '/ltm_node'), 50)
    assert ros_node.spin_until(lambda: statuses, 60), proc.log_path.read_text()[-2000:]
    assert statuses[-1].level == DiagnosticStatus.OK
    pub = ros_node.create_publisher(ObjectObservationArray, '/karma/perception/objects', SENSOR_DATA)
    bad = ObjectObservationArray(source='test', observations=[ObjectObservation(
        instance_id='Mug|1', label='Mug', confidence=1.0)])
    bad.observations[0].pose.position.x = math.nan
    bad.header.frame_id = 'map'

    def warned():
        pub.publish(bad)
        return any(s.level == DiagnosticStatus.WARN for s in statuses)
    assert ros_node.spin_until(warned, 30), [s.message for s in statuses[-3:]]
    n = len(statuses)
    # the cause is gone: the next periods report OK again, with the count kept
    assert ros_node.spin_until(lambda: any(s.level == DiagnosticStatus.OK for s in statuses[n:]), 30)
    ok = next(s for s in statuses[n:] if s.level == DiagnosticStatus.OK)
    counts = {kv.key: kv.value for kv in ok.values}
    assert any(k.startswith('rejected.') and int(v) >= 1 for k, v in counts.items()), counts
    assert proc.poll() is None
