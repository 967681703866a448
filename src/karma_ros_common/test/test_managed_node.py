"""karma_ros_common.lifecycle.ManagedNode in one process (real rclpy, no DDS peer needed):
entities follow the state, a failed configure leaves nothing behind and can be retried."""
import pytest
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.lifecycle import TransitionCallbackReturn
from std_msgs.msg import String
from std_srvs.srv import Trigger

from karma_ros_common.lifecycle import ManagedNode, bring_up
from karma_ros_common.params import Param, declare_and_validate

SCHEMA = {'rate': Param(1.0, 'A rate', min_value=0.5)}


class Demo(ManagedNode):
    def __init__(self, fail=None):
        self.fail, self.released, self.got = fail, 0, []
        super().__init__('managed_demo')

    def configure(self):
        self.cfg = declare_and_validate(self, SCHEMA)
        self.pub = self.create_publisher(String, 'demo/out', 10)
        self.create_subscription(String, 'demo/in', self.got.append, 10)
        self.create_service(Trigger, 'demo/trigger', self.on_trigger)
        self.ticks = 0
        self.create_timer(0.01, self.tick)
        if self.fail:
            raise RuntimeError(self.fail)

    def tick(self):
        self.ticks += 1

    def on_trigger(self, _req, resp):
        resp.success, resp.message = True, 'done'
        return resp

    def release(self):
        self.released += 1


@pytest.fixture
def ctx():
    rclpy.init()
    yield
    rclpy.try_shutdown()


def counts(node):
    return (len(list(node.publishers)), len(list(node.services)), len(list(node.timers)),
            len(list(node.subscriptions)))


def test_entities_follow_the_lifecycle(ctx):
    node = Demo()
    base = counts(node)
    assert node.lifecycle_state == 'unconfigured' and not node.has_parameter('rate')
    assert node.trigger_configure() == TransitionCallbackReturn.SUCCESS
    assert node.lifecycle_state == 'inactive' and node.get_parameter('rate').value == 1.0
    pubs, srvs, timers, subs = counts(node)
    assert (pubs - base[0], srvs - base[1], timers - base[2], subs - base[3]) == (1, 1, 1, 0)
    assert node.trigger_activate() == TransitionCallbackReturn.SUCCESS
    assert counts(node)[3] == base[3] + 1          # subscribed only while active
    assert node.pub.is_activated
    assert node.trigger_deactivate() == TransitionCallbackReturn.SUCCESS
    assert counts(node)[3] == base[3] and not node.pub.is_activated
    assert node.trigger_cleanup() == TransitionCallbackReturn.SUCCESS
    assert counts(node) == base and node.released == 1 and not node.has_parameter('rate')
    assert bring_up(node) == ''                    # configure again from scratch
    assert node.lifecycle_state == 'active'
    node.destroy_node()
    assert node.released == 2


def test_a_failed_configure_leaves_nothing_and_keeps_the_reason(ctx):
    node = Demo(fail='no simulator on port 8200')
    base = counts(node)
    assert node.trigger_configure() == TransitionCallbackReturn.FAILURE
    assert node.lifecycle_state == 'unconfigured'
    assert node.configure_failure == 'no simulator on port 8200'
    assert counts(node) == base and node.released == 1 and not node.has_parameter('rate')
    node.fail = None                               # the cause went: a retry succeeds
    assert bring_up(node) == '' and node.configure_failure == ''
    node.destroy_node()


def test_a_bad_parameter_fails_configure_with_its_name(ctx):
    node = Demo()
    from rclpy.parameter import Parameter
    # what a params file or `-p rate:=0.1` gives the node
    node._parameter_overrides['rate'] = Parameter('rate', value=0.1)
    assert bring_up(node).startswith("parameter 'rate': 0.1 is below the minimum 0.5")
    assert node.lifecycle_state == 'unconfigured'
    node.destroy_node()


def test_timers_and_services_idle_unless_active(ctx):
    node = Demo()
    assert node.trigger_configure() == TransitionCallbackReturn.SUCCESS
    ex = SingleThreadedExecutor()
    ex.add_node(node)
    for _ in range(20):
        ex.spin_once(timeout_sec=0.02)
    assert node.ticks == 0                          # inactive: the timer does nothing
    assert node.trigger_activate() == TransitionCallbackReturn.SUCCESS
    for _ in range(2000):
        if node.ticks:
            break
        ex.spin_once(timeout_sec=0.05)
    assert node.ticks > 0
    ex.shutdown()
    node.destroy_node()
