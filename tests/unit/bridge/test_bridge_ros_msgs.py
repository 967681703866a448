"""Message conversions of the bridge node (ROS message types, no node)."""
import json

import numpy as np
import pytest

pytest.importorskip('rclpy')
from karma_thor_bridge import ros_msgs  # noqa: E402
from karma_thor_bridge.backend import make_backend  # noqa: E402
from karma_thor_bridge.perception import Perception, PerceptionConfig  # noqa: E402
from builtin_interfaces.msg import Time  # noqa: E402


def test_frame_pose_map_image_and_ground_truth_messages():
    b = make_backend('inprocess', scene='FloorPlan1', rgb=True, width=64, height=48)
    meta = b.step('Pass')
    frame = Perception(PerceptionConfig(max_range=1.5)).perceive(meta)
    msg = ros_msgs.observation_array(frame, Time(sec=1), 'map')
    assert msg.source == 'thor_bridge' and msg.header.frame_id == 'map'
    assert len(msg.observations) == len(frame.objects) > 0
    o = msg.observations[0]
    assert o.instance_id and o.label and o.size.x >= 0 and o.pose.orientation.w != 0
    assert msg.observer_pose.position.y == pytest.approx(meta['cameraPosition']['y'])
    pose = ros_msgs.agent_pose(frame, Time(sec=1), 'map')
    assert pose.pose.position.x == pytest.approx(meta['agent']['position']['x'])
    nav = ros_msgs.navigable_map(b.scene_info(), Time(sec=1), 'map')
    assert nav.place_type == 'kitchen' and len(nav.reachable) > 50
    img = ros_msgs.image(b.frame(), Time(sec=1), 'map')
    assert (img.width, img.height, img.encoding, img.step, len(img.data)) == (64, 48, 'rgb8', 192, 64 * 48 * 3)
    gt = json.loads(ros_msgs.ground_truth_json(dict(b.ground_truth(), extra=np.float32(1.5),
                                                    flag=np.bool_(True))))
    assert gt['extra'] == 1.5 and gt['flag'] is True and gt['objects']
