"""Geometric tests behind relations and negative observations (pure functions).

Boxes are axis-aligned: ``(centre, size)`` with y up. Relations follow how a household
robot talks about them: *in* a container (fridge, drawer, bowl), *on* a surface
(table, counter, plate), *near* otherwise.

>>> infer_relation((0, 0.95, 0), (0.1, 0.1, 0.1), "CounterTop", (0, 0.85, 0), (2, 0.1, 1))
'on'
>>> infer_relation((0, 0.5, 0), (0.1, 0.1, 0.1), "Fridge", (0, 0.9, 0), (0.8, 1.8, 0.8))
'in'
>>> infer_relation((3, 0.5, 0), (0.1, 0.1, 0.1), "Fridge", (0, 0.9, 0), (0.8, 1.8, 0.8)) is None
True
"""
from __future__ import annotations

import math

Vec3 = tuple[float, float, float]

#: Receptacle types that hold things *in* them (the rest hold things *on* them).
IN_TYPES = frozenset(t.lower() for t in (
    "Fridge", "Cabinet", "Drawer", "Microwave", "Box", "GarbageCan", "SinkBasin", "Sink",
    "BathtubBasin", "Bathtub", "Bowl", "Cup", "Mug", "Pot", "Safe", "LaundryHamper", "Dresser",
    "Toilet", "Kettle", "CoffeeMachine", "Toaster", "Vase", "Pan", "ShelvingUnit", "Closet",
))
#: How far an object's bottom may float above / sink below a surface and still be "on" it.
ON_TOLERANCE = 0.08
#: Footprint slack: perception boxes are noisy.
XY_MARGIN = 0.03


def volume(size: Vec3) -> float:
    return max(size[0], 1e-3) * max(size[1], 1e-3) * max(size[2], 1e-3)


def dist(a: Vec3, b: Vec3) -> float:
    return math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2)


def infer_relation(pos: Vec3, size: Vec3, rtype: str, rpos: Vec3, rsize: Vec3) -> str | None:
    """Return ``"in"``, ``"on"`` or ``None`` for an object box against a receptacle box.

    *in*: the object's centre is inside the receptacle's box (for container types; for a
    surface type whose box swallows the centre it is *on*). *on*: the centre is over the
    receptacle's footprint and the object's bottom is within :data:`ON_TOLERANCE` of its top.
    """
    hx, hz = rsize[0] / 2 + XY_MARGIN, rsize[2] / 2 + XY_MARGIN
    if abs(pos[0] - rpos[0]) > hx or abs(pos[2] - rpos[2]) > hz:
        return None
    top = rpos[1] + rsize[1] / 2
    bottom = rpos[1] - rsize[1] / 2
    if bottom - XY_MARGIN <= pos[1] <= top + XY_MARGIN:
        return "in" if rtype.lower() in IN_TYPES else "on"
    if abs((pos[1] - size[1] / 2) - top) <= ON_TOLERANCE:
        return "on"
    return None


def in_view(p: Vec3, eye: Vec3, forward: Vec3, half_angle_rad: float, max_range: float) -> bool:
    """True when ``p`` lies within ``max_range`` of ``eye`` inside the view cone.

    >>> in_view((0, 0, 2), (0, 0, 0), (0, 0, 1), math.radians(30), 5)
    True
    >>> in_view((2, 0, 0), (0, 0, 0), (0, 0, 1), math.radians(30), 5)
    False
    """
    d = (p[0] - eye[0], p[1] - eye[1], p[2] - eye[2])
    n = math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
    if n > max_range:
        return False
    if n < 1e-6:
        return True
    cos = (d[0] * forward[0] + d[1] * forward[1] + d[2] * forward[2]) / n
    return cos >= math.cos(half_angle_rad)


def point_in_polygon(x: float, z: float, poly: list[tuple[float, float]]) -> bool:
    """Even-odd ray test of ``(x, z)`` against a polygon in the ground plane.

    >>> point_in_polygon(0.5, 0.5, [(0, 0), (1, 0), (1, 1), (0, 1)])
    True
    """
    inside = False
    n = len(poly)
    j = n - 1
    for i in range(n):
        xi, zi = poly[i]
        xj, zj = poly[j]
        if (zi > z) != (zj > z) and x < (xj - xi) * (z - zi) / (zj - zi) + xi:
            inside = not inside
        j = i
    return inside


def polygon_from(shape) -> list[tuple[float, float]]:
    """Normalise a region shape: a bbox ``(min_x, min_z, max_x, max_z)`` or a polygon.

    >>> polygon_from((0, 0, 2, 1))
    [(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (0.0, 1.0)]
    """
    if len(shape) == 4 and all(isinstance(v, (int, float)) for v in shape):
        x0, z0, x1, z1 = map(float, shape)
        if not (x1 > x0 and z1 > z0):
            raise ValueError("bbox must be (min_x, min_z, max_x, max_z) with max > min")
        return [(x0, z0), (x1, z0), (x1, z1), (x0, z1)]
    poly = [(float(p[0]), float(p[1])) for p in shape]
    if len(poly) < 3:
        raise ValueError("a polygon needs at least 3 (x, z) points")
    if not all(math.isfinite(c) for p in poly for c in p):
        raise ValueError("polygon coordinates must be finite")
    return poly


def polygon_bounds(poly) -> tuple[float, float, float, float]:
    xs = [p[0] for p in poly]
    zs = [p[1] for p in poly]
    return min(xs), min(zs), max(xs), max(zs)


def distance_to_polygon(x: float, z: float, poly) -> float:
    """Distance from ``(x, z)`` to the polygon's boundary (0 inside)."""
    if point_in_polygon(x, z, poly):
        return 0.0
    best = math.inf
    n = len(poly)
    for i in range(n):
        (ax, az), (bx, bz) = poly[i], poly[(i + 1) % n]
        dx, dz = bx - ax, bz - az
        L = dx * dx + dz * dz
        t = 0.0 if L == 0 else max(0.0, min(1.0, ((x - ax) * dx + (z - az) * dz) / L))
        best = min(best, math.hypot(x - (ax + t * dx), z - (az + t * dz)))
    return best
