"""open3d point fusion: boxes from fused segments, downsampling, reset on move."""
import numpy as np
import pytest

from helpers_ltm import obs
from karma_memory import SceneGraph
from karma_memory.fusion import PointFusion


def cube(center, half, n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-half, half, (n, 3)) + np.asarray(center)


def test_fusion_grows_box_and_bounds_points():
    f = PointFusion(voxel=0.01, max_points=500)
    a = f.add("M", cube((0, 0, 0), 0.05, 300, 0))
    b = f.add("M", cube((0, 0, 0), 0.05, 3000, 1))
    assert b.n_points <= 500
    assert b.size[0] >= a.size[0] and b.size[0] == pytest.approx(0.1, abs=0.01)
    assert len(b.obb_rotation) == 9


def test_fusion_resets_when_object_moved():
    f = PointFusion(voxel=0.01, reset_distance=0.3)
    f.add("M", cube((0, 0, 0), 0.05, 300, 0))
    moved = f.add("M", cube((2, 0, 0), 0.05, 300, 1))
    assert moved.center[0] == pytest.approx(2.0, abs=0.02) and moved.size[0] < 0.15


def test_fusion_ignores_non_finite_and_degenerate():
    f = PointFusion()
    assert f.add("X", np.full((5, 3), np.nan)) is None
    flat = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1.0, 0]])   # coplanar: no 3D OBB
    assert f.add("Y", flat).size[2] == pytest.approx(0.0)


def test_scene_graph_uses_fused_box():
    g = SceneGraph()
    pts = cube((1.0, 1.0, 1.0), 0.1, 400, 3)
    g.apply([obs("Pot", "Pot|1", (0.9, 0.9, 0.9), (0.5, 0.5, 0.5), points=pts)], stamp=1.0)
    a = g.get("Pot|1")
    assert a.position == pytest.approx((1.0, 1.0, 1.0), abs=0.02)
    assert a.size == pytest.approx((0.2, 0.2, 0.2), abs=0.03)
    assert "obb" in g.node("Pot|1")
    g.apply([obs("Pot", "Pot|1", (1, 1, 1), points=cube((1.0, 1.0, 1.0), 0.1, 400, 4))], stamp=2.0)
    assert g.get("Pot|1").times_seen == 2
