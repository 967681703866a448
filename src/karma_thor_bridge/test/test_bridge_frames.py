"""The one Unity <-> REP-103 adapter: round trips, a proper rotation times one reflection, and
camera poses that look where THOR's camera looks."""
import math

import numpy as np
import pytest
from karma_memory import Observer

from karma_thor_bridge import frames
from karma_thor_bridge.perception import camera_quaternion, yaw_quaternion

PTS = [(1.0, 0.9, 2.0), (-3.25, 0.0, 0.5), (0.0, 1.8, -4.0)]


def thor_camera_forward(yaw_deg, horizon_deg):
    """Where a THOR camera looks, in Unity axes: yaw about +y from +z, horizon > 0 looks down."""
    y, h = math.radians(yaw_deg), math.radians(horizon_deg)
    return (math.sin(y) * math.cos(h), -math.sin(h), math.cos(y) * math.cos(h))


def test_the_map_is_one_rotation_composed_with_one_reflection():
    R, S, M = (np.array(m) for m in (frames.ROTATION, frames.REFLECTION, frames.UNITY_TO_MAP))
    assert np.allclose(R @ R.T, np.eye(3)) and np.linalg.det(R) == pytest.approx(1.0)
    assert np.allclose(S @ S, np.eye(3)) and np.linalg.det(S) == pytest.approx(-1.0)
    assert np.allclose(M, R @ S) and np.linalg.det(M) == pytest.approx(-1.0)
    # Unity up is map up, Unity forward is map forward, Unity right is map's -y (right).
    assert frames.to_map((0, 1, 0)) == (0, 0, 1)
    assert frames.to_map((0, 0, 1)) == (1, 0, 0)
    assert frames.to_map((1, 0, 0)) == (0, -1, 0)


@pytest.mark.parametrize("p", PTS)
def test_positions_and_boxes_round_trip(p):
    assert frames.from_map(frames.to_map(p)) == pytest.approx(p)
    size = tuple(abs(v) for v in p)
    out = frames.size_to_map(size)
    assert min(out) >= 0 and out[2] == size[1]          # the vertical extent becomes z
    assert frames.size_from_map(out) == pytest.approx(size)
    assert frames.dict_to_map(dict(zip("xyz", p))) == frames.to_map(p)


@pytest.mark.parametrize("yaw", [0.0, 45.0, 90.0, 180.0, 270.0, 359.0])
def test_yaw_round_trips_and_keeps_the_heading(yaw):
    assert frames.yaw_from_map(frames.yaw_to_map(yaw)) == pytest.approx(yaw % 360.0)
    unity_heading = (math.sin(math.radians(yaw)), 0.0, math.cos(math.radians(yaw)))
    a = frames.yaw_to_map(yaw)
    assert frames.to_map(unity_heading) == pytest.approx((math.cos(a), math.sin(a), 0.0), abs=1e-12)
    q = frames.orientation_to_map(yaw_quaternion(yaw))
    assert q[0] == q[1] == 0.0                                            # a turn about z only
    assert abs((2 * math.atan2(q[2], q[3]) - a + math.pi) % (2 * math.pi) - math.pi) < 1e-9


@pytest.mark.parametrize("yaw,horizon", [(0, 0), (90, 30), (37, -30), (200, 60), (315, 0)])
def test_camera_pose_looks_where_the_thor_camera_looks(yaw, horizon):
    q_unity = camera_quaternion(yaw, horizon)
    q_map = frames.orientation_to_map(q_unity)
    looks = Observer((0, 0, 0), q_map, forward_axis="x").forward()        # REP-103 body: +x
    assert looks == pytest.approx(frames.to_map(thor_camera_forward(yaw, horizon)), abs=1e-9)
    assert (looks[2] < 0) == (horizon > 0)                                # THOR horizon > 0 looks down
    assert frames.orientation_from_map(q_map) == pytest.approx(q_unity)
    assert sum(v * v for v in q_map) == pytest.approx(1.0)
