"""Fuse an object's segment point clouds across observations (open3d).

Each new segment is appended to the object's cloud and voxel-downsampled, so repeated views
refine the box instead of growing memory; the fused cloud gives an axis-aligned box (centre
and size the graph stores) and an oriented box (kept as the ``obb`` attribute). When a new
segment's centroid is far from the fused cloud the object moved: the cloud restarts.

>>> import numpy as np
>>> f = PointFusion(voxel=0.05)
>>> rng = np.random.default_rng(0)
>>> box = f.add("Apple|1", rng.uniform(-0.05, 0.05, (200, 3)) + (1, 1, 1))
>>> [round(c, 1) for c in box.center], box.n_points > 0
([1.0, 1.0, 1.0], True)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Vec3 = tuple[float, float, float]


@dataclass(frozen=True)
class FusedBox:
    """Boxes of a fused cloud: AABB centre/size, OBB centre/extent/rotation (row-major 3x3)."""

    center: Vec3
    size: Vec3
    obb_center: Vec3
    obb_extent: Vec3
    obb_rotation: tuple[float, ...]
    n_points: int


class PointFusion:
    """Per-object fused clouds, bounded by ``voxel`` and ``max_points``."""

    def __init__(self, voxel: float = 0.02, max_points: int = 4000, reset_distance: float = 0.3):
        import open3d  # imported here: only nodes that receive segments pay its import time
        self._o3d = open3d
        self.voxel = voxel
        self.max_points = max_points
        self.reset_distance = reset_distance
        self._clouds: dict[str, np.ndarray] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._clouds

    def forget(self, key: str) -> None:
        self._clouds.pop(key, None)

    def clear(self) -> None:
        self._clouds.clear()

    def add(self, key: str, points) -> FusedBox | None:
        """Fuse ``points`` (N x 3) into ``key``'s cloud; ``None`` when no finite point remains."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        pts = pts[np.isfinite(pts).all(axis=1)]
        if len(pts) == 0:
            return None
        old = self._clouds.get(key)
        if old is not None and np.linalg.norm(old.mean(axis=0) - pts.mean(axis=0)) <= self.reset_distance:
            pts = np.vstack([old, pts])
        o3d = self._o3d
        pc = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(pts))
        pc = pc.voxel_down_sample(self.voxel)
        fused = np.asarray(pc.points)
        if len(fused) > self.max_points:
            # Keep a deterministic, evenly spread subset rather than the first points.
            fused = fused[np.linspace(0, len(fused) - 1, self.max_points).astype(int)]
            pc = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(fused))
        self._clouds[key] = fused
        aabb = pc.get_axis_aligned_bounding_box()
        lo, hi = aabb.get_min_bound(), aabb.get_max_bound()
        center = tuple(float(c) for c in (lo + hi) / 2)
        size = tuple(float(c) for c in hi - lo)
        try:
            obb = pc.get_oriented_bounding_box() if len(fused) >= 4 else None
        except RuntimeError:
            obb = None  # coplanar or degenerate points: qhull cannot build a 3D hull
        if obb is None:
            return FusedBox(center, size, center, size, (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0), len(fused))
        return FusedBox(center, size, tuple(float(c) for c in obb.center),
                        tuple(float(c) for c in obb.extent),
                        tuple(float(c) for c in np.asarray(obb.R).ravel()), len(fused))
