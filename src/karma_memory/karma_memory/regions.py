"""Regions from the reachable area, for maps without room annotations.

Reachable ``(x, y, z)`` positions in ``map`` (a simulator's reachable grid, or a robot's
free-space samples) are clustered in the ground plane with k-means into regions of roughly
``target_area`` square metres; each region is the convex hull of its cluster, padded by half
the grid step, named ``<room_type>_region_<i>`` in a deterministic order (by centroid x, y; REP-103, z up).
The planner can then ``explore`` regions by name.

>>> pts = [(x * 0.25, y * 0.25, 0.0) for x in range(20) for y in range(8)]
>>> [name for name, _ in cluster_reachable(pts, "house", target_area=6.0)]
['house_region_1', 'house_region_2']
"""
from __future__ import annotations

import math

import numpy as np


def _hull(points: np.ndarray, pad: float) -> list[tuple[float, float]]:
    """Convex hull (x, y) of ``points`` padded outward by ``pad``; a padded box when degenerate."""
    from scipy.spatial import ConvexHull, QhullError
    lo, hi = points.min(axis=0) - pad, points.max(axis=0) + pad
    if len(points) >= 3:
        try:
            hull = ConvexHull(points)
            ring = points[hull.vertices]
            centre = ring.mean(axis=0)
            out = ring - centre
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            ring = ring + out / np.maximum(norms, 1e-9) * pad * math.sqrt(2)
            return [(round(float(x), 3), round(float(y), 3)) for x, y in ring]
        except (QhullError, ValueError):
            pass  # collinear points: fall back to the padded box
    return [(round(float(lo[0]), 3), round(float(lo[1]), 3)), (round(float(hi[0]), 3), round(float(lo[1]), 3)),
            (round(float(hi[0]), 3), round(float(hi[1]), 3)), (round(float(lo[0]), 3), round(float(hi[1]), 3))]


def cluster_reachable(points, room_type: str = "house", target_area: float = 9.0,
                      grid_step: float = 0.25, n_regions: int | None = None,
                      seed: int = 0) -> list[tuple[str, list[tuple[float, float]]]]:
    """Split reachable ``(x, y, z)`` points into named convex regions.

    Returns ``[(name, polygon), ...]``. ``n_regions`` overrides the count derived from
    ``target_area`` (area = points x grid_step^2). Deterministic for a given ``seed``.
    """
    from scipy.cluster.vq import kmeans2
    xy = np.asarray([(p[0], p[1]) for p in points], dtype=float)  # the ground plane (z up)
    if xy.size == 0:
        return []
    if not np.isfinite(xy).all():
        raise ValueError("reachable points must be finite")
    area = len(xy) * grid_step * grid_step
    k = n_regions or max(1, round(area / target_area))
    k = min(k, len(xy))
    if k == 1:
        labels = np.zeros(len(xy), dtype=int)
    else:
        rng = np.random.default_rng(seed)
        # k-means++ init from a fixed seed keeps region names stable across runs.
        _, labels = kmeans2(xy, k, minit="++", seed=rng)
    clusters = [xy[labels == i] for i in range(k) if (labels == i).any()]
    clusters.sort(key=lambda c: (round(float(c[:, 0].mean()), 3), round(float(c[:, 1].mean()), 3)))
    return [(f"{room_type}_region_{i + 1}", _hull(c, grid_step / 2)) for i, c in enumerate(clusters)]
