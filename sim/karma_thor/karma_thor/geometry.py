"""Vectorised geometry in Unity axes (x right, y up, z forward; yaw 0 faces +z, 90 faces +x).

>>> import numpy as np
>>> f, r, u = camera_basis(90.0, 0.0)
>>> bool(np.allclose(f, [1, 0, 0]))
True
"""
from __future__ import annotations

import math

import numpy as np

# AABB sample points as fractions of the half-size: the centre and the 8 corners pulled 20 %
# inwards, so big furniture counts as in view when any part of it is.
_SAMPLES = np.array([[0, 0, 0]] + [[sx, sy, sz] for sx in (-.8, .8) for sy in (-.8, .8)
                                   for sz in (-.8, .8)], dtype=float)


def camera_basis(yaw_deg: float, horizon_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(forward, right, up) unit vectors; a positive horizon pitches the camera down."""
    y, h = math.radians(yaw_deg), math.radians(horizon_deg)
    forward = np.array([math.sin(y) * math.cos(h), -math.sin(h), math.cos(y) * math.cos(h)])
    right = np.array([math.cos(y), 0.0, -math.sin(y)])
    up = np.array([math.sin(y) * math.sin(h), math.cos(h), math.cos(y) * math.sin(h)])
    return forward, right, up


def in_view(cam: np.ndarray, yaw: float, horizon: float, fov_v: float, aspect: float,
            centers: np.ndarray, half: np.ndarray) -> np.ndarray:
    """(N,) bool: some sample point of each AABB lies inside the camera frustum."""
    forward, right, up = camera_basis(yaw, horizon)
    tan_v = math.tan(math.radians(fov_v) / 2)
    tan_h = tan_v * aspect
    pts = centers[:, None, :] + _SAMPLES[None, :, :] * half[:, None, :] - cam  # (N, 9, 3)
    c = pts @ forward
    a = np.abs(pts @ right)
    b = np.abs(pts @ up)
    ok = (c > 0.05) & (a <= c * tan_h) & (b <= c * tan_v)
    return ok.any(axis=1)


def xz_distance_to_box(cam: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """(N,) horizontal distance from the camera to the nearest point of each AABB."""
    dx = np.maximum(np.maximum(lo[:, 0] - cam[0], cam[0] - hi[:, 0]), 0.0)
    dz = np.maximum(np.maximum(lo[:, 2] - cam[2], cam[2] - hi[:, 2]), 0.0)
    return np.hypot(dx, dz)


def segment_hits_boxes(origin: np.ndarray, targets: np.ndarray, lo: np.ndarray,
                       hi: np.ndarray) -> np.ndarray:
    """(T, K) bool: does the segment origin->target[t] pass through box k (slab test)?"""
    d = targets - origin  # (T, 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / np.where(np.abs(d) < 1e-9, 1e-9, d)
    t1 = (lo[None, :, :] - origin) * inv[:, None, :]  # (T, K, 3)
    t2 = (hi[None, :, :] - origin) * inv[:, None, :]
    tmin = np.maximum(np.minimum(t1, t2).max(axis=2), 0.0)
    tmax = np.minimum(np.maximum(t1, t2).min(axis=2), 1.0)
    # Grazing an edge is not a hit: the segment must run 1 cm inside the box.
    return (tmax - tmin) * np.linalg.norm(d, axis=1)[:, None] > 0.01


def nearest_points(cam: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """(N, 3) point of each AABB nearest to the camera."""
    return np.clip(cam, lo, hi)


def translate_object(obj: dict, dx: float, dy: float, dz: float) -> None:
    """Move an object's pose and both bounding boxes; nested dicts are replaced, not mutated,
    so metadata handed out earlier stays a true snapshot."""
    p = obj["position"]
    obj["position"] = {"x": p["x"] + dx, "y": p["y"] + dy, "z": p["z"] + dz}
    box = obj["axisAlignedBoundingBox"]
    c = box["center"]
    obj["axisAlignedBoundingBox"] = {
        "cornerPoints": [[x + dx, y + dy, z + dz] for x, y, z in box["cornerPoints"]],
        "center": {"x": c["x"] + dx, "y": c["y"] + dy, "z": c["z"] + dz},
        "size": box["size"],
    }
    oob = obj.get("objectOrientedBoundingBox")
    if oob and oob.get("cornerPoints"):
        obj["objectOrientedBoundingBox"] = {
            "cornerPoints": [[x + dx, y + dy, z + dz] for x, y, z in oob["cornerPoints"]]}


def box_of(center: dict, size: dict) -> dict:
    """An axisAlignedBoundingBox dict from a centre and a size."""
    cx, cy, cz = center["x"], center["y"], center["z"]
    hx, hy, hz = size["x"] / 2, size["y"] / 2, size["z"] / 2
    corners = [[cx + sx * hx, cy + sy * hy, cz + sz * hz]
               for sx in (1, -1) for sy in (1, -1) for sz in (1, -1)]
    return {"cornerPoints": corners, "center": dict(center), "size": dict(size)}


def rotation_matrix(x: float, y: float, z: float) -> np.ndarray:
    """Unity's Euler angles (degrees) as a matrix: roll z, then pitch x, then yaw y."""
    ax, ay, az = (math.radians(v) for v in (x, y, z))
    cx, sx, cy, sy, cz, sz = (math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay),
                              math.cos(az), math.sin(az))
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return ry @ rx @ rz


def euler_angles(r: np.ndarray) -> tuple[float, float, float]:
    """Inverse of rotation_matrix, normalised like Unity (each angle in [0, 360); at pitch
    +-90 the roll is 0). Rounded to 1e-4 degrees so exact turns stay exact."""
    sx = max(-1.0, min(1.0, -float(r[1, 2])))
    x = math.degrees(math.asin(sx))
    if abs(sx) < 1 - 1e-9:
        y = math.degrees(math.atan2(r[0, 2], r[2, 2]))
        z = math.degrees(math.atan2(r[1, 0], r[1, 1]))
    else:
        y, z = math.degrees(math.atan2(-r[2, 0], r[0, 0])), 0.0
    return tuple(round(v % 360.0, 4) % 360.0 + 0.0 for v in (x, y, z))  # type: ignore[return-value]


def ray_hits_boxes(origin: np.ndarray, direction: np.ndarray, lo: np.ndarray,
                   hi: np.ndarray) -> np.ndarray:
    """(K,) distance along the unit ray to where it enters box k (inf when it misses);
    a box around the origin is entered where the ray leaves it."""
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / np.where(np.abs(direction) < 1e-12, 1e-12, direction)
    t1, t2 = (lo - origin) * inv, (hi - origin) * inv
    tmin = np.minimum(t1, t2).max(axis=1)
    tmax = np.maximum(t1, t2).min(axis=1)
    t = np.where(tmin > 1e-6, tmin, tmax)
    return np.where((tmax >= np.maximum(tmin, 0.0)) & (t > 1e-6), t, np.inf)


def screen_ray(yaw: float, horizon: float, fov_v: float, aspect: float, sx: float,
               sy: float) -> np.ndarray:
    """Unit direction through screen point (sx, sy) in [0, 1], origin top left, like THOR."""
    forward, right, up = camera_basis(yaw, horizon)
    tan_v = math.tan(math.radians(fov_v) / 2)
    d = forward + (2 * sx - 1) * tan_v * aspect * right + (1 - 2 * sy) * tan_v * up
    return d / np.linalg.norm(d)
