"""Geometric tests behind relations and negative observations (pure functions).

Coordinates are REP-103: metres in a right-handed world frame (``map``) with x forward, y left
and **z up**; the ground plane is (x, y). Boxes are axis-aligned: ``(centre, size)``.
Relations follow how a household robot talks about them: *in* a container (fridge, drawer,
bowl), *on* a surface (table, counter, plate), *near* otherwise.

>>> infer_relation((0, 0, 0.95), (0.1, 0.1, 0.1), "CounterTop", (0, 0, 0.85), (2, 1, 0.1))
'on'
>>> infer_relation((0, 0, 0.5), (0.1, 0.1, 0.1), "Fridge", (0, 0, 0.9), (0.8, 0.8, 1.8))
'in'
>>> infer_relation((3, 0, 0.5), (0.1, 0.1, 0.1), "Fridge", (0, 0, 0.9), (0.8, 0.8, 1.8)) is None
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
    hx, hy = rsize[0] / 2 + XY_MARGIN, rsize[1] / 2 + XY_MARGIN
    if abs(pos[0] - rpos[0]) > hx or abs(pos[1] - rpos[1]) > hy:
        return None
    top = rpos[2] + rsize[2] / 2
    bottom = rpos[2] - rsize[2] / 2
    if bottom - XY_MARGIN <= pos[2] <= top + XY_MARGIN:
        return "in" if rtype.lower() in IN_TYPES else "on"
    if abs((pos[2] - size[2] / 2) - top) <= ON_TOLERANCE:
        return "on"
    return None


#: Two "on" fits this close (m) are equally good: the smaller receptacle wins among them.
ON_SLACK = 0.02
#: Receptacles whose box top is no surface things rest on: a drawer or cabinet sits inside
#: furniture under its top; a chair's, sofa's or bed's box top is its back or headboard (things
#: lie on the seat or mattress, inside the box).
NO_TOP_SUPPORT = frozenset(("drawer", "cabinet", "chair", "armchair", "sofa", "bed"))


def best_holder(pos: Vec3, size: Vec3, candidates) -> tuple[str, str]:
    """``(id, relation)`` of the receptacle an object box is in or on, ``("", "")`` if none.

    ``candidates`` are ``(id, type, centre, size)`` boxes; only receptacles larger than the
    object qualify, and only those :func:`infer_relation` relates it to. Each fit is one of:

    * *inside* a container (:data:`IN_TYPES`): the centre clearly within its box (a drawer, a
      bowl, a fridge);
    * *resting*: the object's bottom within :data:`ON_TOLERANCE` of the receptacle's top (its
      gap); never on a box in :data:`NO_TOP_SUPPORT` (a drawer's top is under the furniture's,
      a chair's box top is its back);
    * *swallowed*: the centre inside a surface's box whose top is elsewhere (a desk with a
      hutch, a sofa's seat under its back): weaker, used only when nothing rests.

    Among resting fits only those within :data:`ON_SLACK` of the best gap stay (a box whose top
    is a few centimetres off does not win by being smaller). The smallest remaining
    receptacle is the holder: an apple in a bowl on a counter is in the bowl, a vase on a shelf
    is on the shelf, not in the shelving unit around it.

    >>> desk = ("Desk_1", "Desk", (0, 0, 0.40), (1.2, 0.6, 0.80))          # top at 0.80
    >>> drawer = ("Drawer_1", "Drawer", (0, 0, 0.70), (0.5, 0.5, 0.14))    # top 3 cm lower
    >>> best_holder((0, 0, 0.81), (0.1, 0.1, 0.02), [desk, drawer])        # a pen on the desk
    ('Desk_1', 'on')
    >>> bowl = ("Bowl_1", "Bowl", (0, 0, 0.84), (0.2, 0.2, 0.08))
    >>> best_holder((0, 0, 0.84), (0.06, 0.06, 0.05), [desk, drawer, bowl])
    ('Bowl_1', 'in')
    >>> best_holder((0, 0, 0.70), (0.1, 0.1, 0.05), [desk, drawer])        # in the open drawer
    ('Drawer_1', 'in')
    >>> cabinet = ("Cabinet_1", "Cabinet", (0, 0, 1.80), (0.6, 0.4, 0.60))
    >>> best_holder((0, 0, 1.51), (0.25, 0.25, 0.02), [cabinet])           # a plate on its floor
    ('Cabinet_1', 'in')
    >>> chair = ("Chair_1", "Chair", (0, 0, 0.45), (0.5, 0.5, 0.90))       # tucked under, back high
    >>> best_holder((0, 0, 0.82), (0.1, 0.1, 0.04), [desk, chair])
    ('Desk_1', 'on')
    """
    vol = volume(size)
    inside, resting, swallowed = [], [], []
    for cid, rtype, rpos, rsize in candidates:
        rel = infer_relation(pos, size, rtype, rpos, rsize)
        v = volume(rsize)
        if rel is None or not vol < v:
            continue
        top, bottom = rpos[2] + rsize[2] / 2, rpos[2] - rsize[2] / 2
        gap = abs((pos[2] - size[2] / 2) - top)
        within = bottom - XY_MARGIN <= pos[2] <= top - XY_MARGIN   # a plate lies at the bottom
        kind = rtype.lower()
        if within and kind in IN_TYPES:
            inside.append((v, cid, rel))
        elif gap <= ON_TOLERANCE and kind not in NO_TOP_SUPPORT:
            resting.append((gap, v, cid, rel))
        elif within:
            swallowed.append((v, cid, rel))
    if resting:
        best = min(r[0] for r in resting)
        keep = inside + [(v, cid, rel) for gap, v, cid, rel in resting if gap <= best + ON_SLACK]
    else:
        keep = inside + swallowed
    if not keep:
        return "", ""
    v, cid, rel = min(keep)
    return cid, rel


def in_view(p: Vec3, eye: Vec3, forward: Vec3, half_angle_rad: float, max_range: float) -> bool:
    """True when ``p`` lies within ``max_range`` of ``eye`` inside the view cone.

    >>> in_view((2, 0, 0), (0, 0, 0), (1, 0, 0), math.radians(30), 5)
    True
    >>> in_view((0, 2, 0), (0, 0, 0), (1, 0, 0), math.radians(30), 5)
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


def point_in_polygon(x: float, y: float, poly: list[tuple[float, float]]) -> bool:
    """Even-odd ray test of ``(x, y)`` against a polygon in the ground plane.

    >>> point_in_polygon(0.5, 0.5, [(0, 0), (1, 0), (1, 1), (0, 1)])
    True
    """
    inside = False
    n = len(poly)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def polygon_from(shape) -> list[tuple[float, float]]:
    """Normalise a region shape: a bbox ``(min_x, min_y, max_x, max_y)`` or a polygon.

    >>> polygon_from((0, 0, 2, 1))
    [(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (0.0, 1.0)]
    """
    if len(shape) == 4 and all(isinstance(v, (int, float)) for v in shape):
        x0, y0, x1, y1 = map(float, shape)
        if not (x1 > x0 and y1 > y0):
            raise ValueError("bbox must be (min_x, min_y, max_x, max_y) with max > min")
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    poly = [(float(p[0]), float(p[1])) for p in shape]
    if len(poly) < 3:
        raise ValueError("a polygon needs at least 3 (x, y) points")
    if not all(math.isfinite(c) for p in poly for c in p):
        raise ValueError("polygon coordinates must be finite")
    return poly


def polygon_bounds(poly) -> tuple[float, float, float, float]:
    xs = [p[0] for p in poly]
    ys = [p[1] for p in poly]
    return min(xs), min(ys), max(xs), max(ys)


def distance_to_polygon(x: float, y: float, poly) -> float:
    """Distance from ``(x, y)`` to the polygon's boundary (0 inside)."""
    if point_in_polygon(x, y, poly):
        return 0.0
    best = math.inf
    n = len(poly)
    for i in range(n):
        (ax, ay), (bx, by) = poly[i], poly[(i + 1) % n]
        dx, dy = bx - ax, by - ay
        L = dx * dx + dy * dy
        t = 0.0 if L == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / L))
        best = min(best, math.hypot(x - (ax + t * dx), y - (ay + t * dy)))
    return best
