"""The one adapter between AI2-THOR's axes and the stack's REP-103 world frame (pure).

THOR/Unity is left-handed with y up (x right, y up, z forward); everything outside the
simulator is REP-103: right-handed, x forward, y left, z up, metres, frame ``map``. The map is
``M = R @ S``: ``S`` mirrors Unity's x (the one reflection a change of handedness needs, so
``det M = -1``) and ``R`` is the proper rotation that takes (left, up, forward) to (y, z, x).
A Unity point ``(x, y, z)`` is ``(z, -x, y)`` in ``map``. Nothing else in the stack flips axes.

>>> to_map((1.0, 0.9, 2.0))
(2.0, -1.0, 0.9)
>>> from_map(to_map((1.0, 0.9, 2.0)))
(1.0, 0.9, 2.0)
>>> round(yaw_to_map(90.0), 4)   # Unity yaw 90 faces +x (right) = -y in map
-1.5708
"""
from __future__ import annotations

import math

Vec3 = tuple[float, float, float]
Quat = tuple[float, float, float, float]

#: Mirror of Unity's x: left-handed (right, up, forward) -> right-handed (left, up, forward).
REFLECTION = ((-1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
#: Proper rotation (det +1): (left, up, forward) -> REP-103 (y, z, x).
ROTATION = ((0.0, 0.0, 1.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0))


def _mul(a, b):
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3))


#: Unity -> map, applied once at the bridge's edge; its transpose is its inverse.
UNITY_TO_MAP = _mul(ROTATION, REFLECTION)


def _apply(m, v) -> Vec3:
    return tuple(float(m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2]) + 0.0 for i in range(3))


def to_map(p) -> Vec3:
    """A Unity point or direction ``(x, y, z)`` in ``map``."""
    return _apply(UNITY_TO_MAP, p)


def from_map(p) -> Vec3:
    """A ``map`` point or direction in Unity axes."""
    return _apply(tuple(zip(*UNITY_TO_MAP)), p)


def dict_to_map(d: dict | None) -> Vec3:
    """A THOR ``{"x", "y", "z"}`` dict (missing keys 0) in ``map``."""
    d = d or {}
    return to_map((float(d.get('x', 0.0)), float(d.get('y', 0.0)), float(d.get('z', 0.0))))


def size_to_map(s) -> Vec3:
    """Box extents (non-negative) along Unity's axes -> along map's axes."""
    return tuple(abs(v) for v in to_map(s))


def size_from_map(s) -> Vec3:
    return tuple(abs(v) for v in from_map(s))


def yaw_to_map(yaw_deg: float) -> float:
    """THOR's yaw (degrees, about +y, clockwise seen from above) -> REP-103 yaw (radians about +z,
    counter-clockwise). Unity yaw 0 faces +z (forward), which is map +x, yaw 0."""
    return -math.radians(float(yaw_deg))


def yaw_from_map(yaw_rad: float) -> float:
    """REP-103 yaw (radians) -> THOR yaw in degrees, in [0, 360)."""
    return (-math.degrees(float(yaw_rad))) % 360.0


def orientation_to_map(q: Quat) -> Quat:
    """A Unity orientation (x, y, z, w) as the ``map`` orientation of the same body, whose +x is
    the Unity body's +z (its forward; ObjectObservationArray.OBSERVER_BODY).

    Conjugating by ``M`` turns the rotation axis ``v`` into ``det(M) * M v = -M v`` (an axial
    vector flips under the reflection); the angle, and so ``w``, stays.
    """
    x, y, z = to_map(q[:3])
    return (-x + 0.0, -y + 0.0, -z + 0.0, float(q[3]))


def orientation_from_map(q: Quat) -> Quat:
    """Inverse of :func:`orientation_to_map`."""
    x, y, z = from_map(q[:3])
    return (-x + 0.0, -y + 0.0, -z + 0.0, float(q[3]))

