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
    # Everything leaves in REP-103 (z up); the camera is a body frame looking along its +x.
    cam = meta['cameraPosition']
    p = msg.observer_pose.position
    assert (p.x, p.y, p.z) == pytest.approx((cam['z'], -cam['x'], cam['y']))
    assert msg.observer_convention == msg.OBSERVER_BODY
    src = next(x for x in frame.objects if x.instance_id == o.instance_id)
    assert (o.pose.position.z, o.size.z) == pytest.approx((src.position[1], src.size[1]))
    pose = ros_msgs.agent_pose(frame, Time(sec=1), 'map')
    agent = meta['agent']['position']
    assert pose.pose.position.x == pytest.approx(agent['z']) and pose.pose.position.y == pytest.approx(-agent['x'])
    q = pose.pose.orientation
    assert q.x == q.y == 0.0                                  # the base turns about z only
    nav = ros_msgs.navigable_map(b.scene_info(), Time(sec=1), 'map')
    assert nav.place_type == 'kitchen' and len(nav.reachable) > 50
    floor = b.scene_info()['reachable'][0]
    assert (nav.reachable[0].x, nav.reachable[0].y, nav.reachable[0].z) == \
        pytest.approx((floor['z'], -floor['x'], floor['y']))
    img = ros_msgs.image(b.frame(), Time(sec=1), 'map')
    assert (img.width, img.height, img.encoding, img.step, len(img.data)) == (64, 48, 'rgb8', 192, 64 * 48 * 3)
    gt = json.loads(ros_msgs.ground_truth_json(dict(b.ground_truth(), extra=np.float32(1.5),
                                                    flag=np.bool_(True))))
    assert gt['extra'] == 1.5 and gt['flag'] is True and gt['objects']
