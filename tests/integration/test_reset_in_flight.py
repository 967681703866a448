"""A reset must not inherit the old scene: frames still queued or in flight from before it are
dropped when the reset says so (ResetMemory.ignore_before).

Seen in a benchmark under load: the long-term memory of a new episode (FloorPlan5) held the
lettuce of the previous one (FloorPlan1) at its old place, applied from frames the node had
queued before the reset; the robot walked to it first. Processes: the long-term memory node and
this test process. Every wait is on an event with a timeout.
"""
import pytest
from builtin_interfaces.msg import Time
from karma_interfaces.msg import ObjectObservationArray
from karma_interfaces.srv import FindObject, ResetMemory
from karma_ros_common.qos import SENSOR_DATA

from clients.kitchen_plan_client import observation

pytestmark = pytest.mark.integration


def _frame(iid, label, stamp_s):
    msg = ObjectObservationArray(source='old_scene', fov_deg=0.0, max_range=0.0)
    msg.header.frame_id = 'map'
    msg.header.stamp = Time(sec=int(stamp_s), nanosec=0)
    msg.observations = [observation(iid, label, (1.0, 2.0, 0.9), (0.2, 0.2, 0.2))]
    return msg


def test_reset_drops_perception_stamped_before_it(ros_node, spawn_node, tmp_path):
    ltm = spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml', {'store_dir': str(tmp_path)})
    pub = ros_node.create_publisher(ObjectObservationArray, '/karma/perception/objects', SENSOR_DATA)
    find = ros_node.create_client(FindObject, '/karma/find_object')
    reset = ros_node.create_client(ResetMemory, '/karma/reset_memory')
    for cli in (find, reset):
        assert cli.wait_for_service(timeout_sec=60), ltm.log_path.read_text()[-3000:]

    def has(label):
        return [o for o in ros_node.call(find, FindObject.Request(query=label, max_results=3)).objects
                if o.type == label]
    assert ros_node.publish_until_found(pub, lambda: _frame('Lettuce|old', 'Lettuce', 1000), find, 'Lettuce')

    assert ros_node.call(reset, ResetMemory.Request(ignore_before=Time(sec=2000))).success
    assert not has('Lettuce')
    # the old scene's frames keep coming (queued before the reset); the new scene's first one
    # (stamped after it) is applied
    for _ in range(60):
        pub.publish(_frame('Lettuce|old', 'Lettuce', 1500))
        pub.publish(_frame('Tomato|new', 'Tomato', 2001))
        if ros_node.spin_until(lambda: bool(has('Tomato')), 0.3):
            break
    assert has('Tomato'), ltm.log_path.read_text()[-3000:]
    for _ in range(3):   # a few more old frames after the new one arrived
        pub.publish(_frame('Lettuce|old', 'Lettuce', 1500))
        ros_node.spin_until(lambda: False, 0.2)
    assert not has('Lettuce'), 'a frame stamped before the reset was applied after it'
    # a reset that names no time drops nothing (what older clients send)
    assert ros_node.call(reset, ResetMemory.Request()).success
    assert ros_node.publish_until_found(pub, lambda: _frame('Lettuce|old', 'Lettuce', 1500), find, 'Lettuce')
    assert ltm.poll() is None
