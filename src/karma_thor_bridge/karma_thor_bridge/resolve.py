"""Skill arguments -> simulator objects or regions; no rclpy.

A plan names things by memory id. With THOR ids published, memory ids ARE THOR objectIds and
are used directly. Otherwise (ids withheld: the memory mints ``Apple_2``) the node supplies a
*resolver* callback that asks the long-term memory what it knows (type, believed position),
and the bridge picks the simulator object of that type nearest to that position, as a robot
would look for "the apple on the counter" where its map says it is. Sliced objects resolve to
one of their pieces (``Apple_1`` sliced -> an ``AppleSliced`` piece).

When the robot *acts* (``reach`` given: pickup, put, open, ...), the object is found the way a
grasping or door-opening routine finds it: only objects of that type within ``reach`` of where
the robot stands qualify (the skill then looks at it before acting), nearest to the memory's
believed position. Ground truth from across the room is never used.

Example::

    >>> objs = [dict(objectId='Apple|+1.00|+1.00|+1.00', objectType='Apple',
    ...              position=dict(x=1, y=1, z=1), visible=True)]
    >>> r = lambda mid: Ref(mid, 'Apple', (1.1, 1.0, 1.0)) if mid == 'Apple_2' else None
    >>> resolve_object('Apple_2', objs, r)[0]['objectId']
    'Apple|+1.00|+1.00|+1.00'
    >>> resolve_object('Pear_9', objs, r)
    (None, "unknown object 'Pear_9': not a simulator objectId and memory does not know it")
    >>> resolve_object('Apple_2', objs, r, agent_pos=(4.0, 1.0, 1.0), reach=1.5)[1]
    'no Apple within reach (1.5 m) of where the robot stands'
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from karma_domain.attributes import REGION_PREFIX
from karma_domain.pieces import is_piece_id_of, is_piece_type, piece_type

from . import frames

THOR_ID = re.compile(r'^([A-Za-z]+)\|([-+]?[\d.]+)\|([-+]?[\d.]+)\|([-+]?[\d.]+)(?:\|([A-Za-z]+))?')
MINTED_ID = re.compile(r'^([A-Za-z]+)_\d+$')
PLACE_NAMES = {'scene', 'house', 'kitchen', 'living_room', 'livingroom', 'bedroom', 'bathroom'}


@dataclass(frozen=True)
class Ref:
    """What the memory knows about an id: its type, believed centre, layer and extent."""

    id: str
    type: str
    position: tuple[float, float, float] | None
    layer: str = 'object'       # scene | region | receptacle | object
    size: tuple[float, float, float] | None = None

    @classmethod
    def from_map(cls, id: str, type: str, position, layer: str = 'object', size=None) -> 'Ref':
        """What the memory says (frame ``map``, REP-103) in the simulator's Unity axes."""
        return cls(id, type, None if position is None else frames.from_map(position), layer,
                   None if size is None else frames.size_from_map(size))


Resolver = Callable[[str], 'Ref | None']


def centre(o: dict) -> tuple[float, float, float]:
    box = o.get('axisAlignedBoundingBox') or {}
    c = box.get('center') or o.get('position') or {}
    return (float(c.get('x', 0.0)), float(c.get('y', 0.0)), float(c.get('z', 0.0)))


def _dist(a, b) -> float:
    return math.dist(a, b)


def _pieces_of(oid: str, objects: list[dict]) -> list[dict]:
    return [o for o in objects if is_piece_id_of(o['objectId'], oid) and is_piece_type(o['objectType'])]


def _uncarried(pieces: list[dict]) -> list[dict]:
    """Of a sliced object's pieces, those still where most of them lie (where it was cut): a
    slice the robot already put into a bowl is not taken out again for the next one."""
    if len(pieces) < 3 or not all(is_piece_type(o['objectType']) for o in pieces):
        return pieces
    def where(o):
        return tuple(sorted(o.get('parentReceptacles') or ()))
    counts = Counter(where(o) for o in pieces)
    home = max(counts, key=lambda k: (counts[k], k))
    return [o for o in pieces if where(o) == home] if counts[home] > 1 else pieces


def _pick(cands: list[dict], near) -> dict:
    """Visible first (a robot reaches for what it sees), then nearest to ``near``."""
    return min(cands, key=lambda o: (not o.get('visible'), _dist(centre(o), near) if near else 0.0,
                                     o['objectId']))


def of_type(otype: str, objects: list[dict]) -> list[dict]:
    """Objects of a type as the robot can act on them: whole ones, or pieces of sliced ones."""
    piece = piece_type(otype)
    return [o for o in objects if (o['objectType'] == otype and not o.get('isSliced'))
            or o['objectType'] == piece]


def box_distance_xz(o: dict, pos) -> float:
    """Horizontal distance from ``pos`` (x, y, z) to ``o``'s box (0 inside it)."""
    box = o.get('axisAlignedBoundingBox') or {}
    pts = box.get('cornerPoints')
    if pts:
        lo = (min(p[0] for p in pts), min(p[2] for p in pts))
        hi = (max(p[0] for p in pts), max(p[2] for p in pts))
    else:
        c = centre(o)
        lo = hi = (c[0], c[2])
    dx = max(lo[0] - pos[0], 0.0, pos[0] - hi[0])
    dz = max(lo[1] - pos[2], 0.0, pos[2] - hi[1])
    return math.hypot(dx, dz)


def within_reach(cands: list[dict], agent_pos, reach: float | None) -> list[dict]:
    """The candidates a robot standing at ``agent_pos`` can act on (all when ``reach`` is None);
    a held object always qualifies."""
    if reach is None or agent_pos is None:
        return cands
    return [o for o in cands if o.get('isPickedUp') or box_distance_xz(o, agent_pos) <= reach]


def nearest_of_type(otype: str, objects: list[dict], pos, radius: float, agent_pos=None,
                    reach: float | None = None) -> tuple[dict | None, str]:
    cands = of_type(otype, objects)
    if not cands:
        return None, f'no {otype} in the scene'
    cands = within_reach(cands, agent_pos, reach)
    if not cands:
        return None, f'no {otype} within reach ({reach:g} m) of where the robot stands'
    best = min(cands, key=lambda o: (_dist(centre(o), pos), o['objectId']))
    d = _dist(centre(best), pos)
    if d > radius:
        return None, (f'no {otype} within {radius:g} m of where memory places it '
                      f'({pos[0]:.2f}, {pos[1]:.2f}, {pos[2]:.2f}); nearest is {d:.2f} m away')
    near = [o for o in cands if _dist(centre(o), pos) <= d + 0.3]  # pieces lie side by side
    return _pick(_uncarried(near), pos), ''


def resolve_object(arg: str, objects: list[dict], resolver: Resolver | None = None,
                   agent_pos=None, match_radius: float = 1.5,
                   type_fallback: bool = False,
                   reach: float | None = None) -> tuple[dict | None, str]:
    """(simulator object, '') or (None, why). Order: THOR objectId present in the scene, the
    pieces of a sliced THOR id, a THOR id no longer present (type and position from the id
    itself), the memory's answer through ``resolver``, and (only with ``type_fallback``) the
    type in a minted id ``Apple_3`` -> the nearest Apple to the agent. With ``reach`` (the
    robot acts now), everything found by type and position is limited to objects within
    ``reach`` of ``agent_pos``."""
    if not isinstance(arg, str) or not arg.strip():
        return None, 'empty object id'
    by_id = {o['objectId']: o for o in objects}
    o = by_id.get(arg)
    if o is not None and not o.get('isSliced'):
        return o, ''
    pieces = _uncarried(_pieces_of(arg, objects))
    if pieces:
        return _pick(pieces, agent_pos or centre(pieces[0])), ''
    m = THOR_ID.match(arg)
    if m:
        pos = (float(m.group(2)), float(m.group(3)), float(m.group(4)))
        return nearest_of_type(m.group(5) or m.group(1), objects, pos, match_radius, agent_pos, reach)
    ref = _ask(resolver, arg)
    if ref is not None and ref.layer not in ('region', 'scene') and ref.type:
        if ref.position is None:
            return _fallback(ref.type, objects, agent_pos, arg, reach)
        return nearest_of_type(ref.type, objects, ref.position, match_radius, agent_pos, reach)
    if type_fallback:
        t = MINTED_ID.match(arg)
        if t:
            return _fallback(t.group(1), objects, agent_pos, arg, reach)
    return None, f'unknown object {arg!r}: not a simulator objectId and memory does not know it'


def _fallback(otype, objects, agent_pos, arg, reach=None) -> tuple[dict | None, str]:
    cands = of_type(otype, objects)
    if not cands:
        return None, f'{arg!r}: no {otype} in the scene'
    cands = within_reach(cands, agent_pos, reach)
    if not cands:
        return None, f'{arg!r}: no {otype} within reach ({reach:g} m) of where the robot stands'
    return _pick(cands, agent_pos or (0.0, 0.0, 0.0)), ''


def _ask(resolver: Resolver | None, arg: str) -> Ref | None:
    if resolver is None:
        return None
    try:
        return resolver(arg)
    except Exception:  # a memory that is down or confused must not break the skill
        return None


def resolve_region(arg: str, reachable: list[tuple[float, float]], resolver: Resolver | None = None,
                   radius: float = 1.5) -> tuple[list[tuple[float, float]], tuple[float, float], str]:
    """(reachable points of the region, its centre, note). A region the memory knows (``kitchen_1``
    or ``region:kitchen_1``) is its box (or ``radius`` around its centre when it has no size);
    ``scene`` and anything unresolvable is the whole reachable area, with a note saying so.

    >>> pts = [(0.0, 0.0), (1.0, 0.0), (5.0, 0.0)]
    >>> r = lambda i: Ref(i, 'kitchen', (0.5, 0.0, 0.0), 'region', (2.0, 0.0, 1.0)) if i == 'region:k' else None
    >>> resolve_region('k', pts, r)[:2]
    ([(0.0, 0.0), (1.0, 0.0)], (0.5, 0.0))
    """
    arg = (arg or '').strip()
    name = arg[len(REGION_PREFIX):] if arg.startswith(REGION_PREFIX) else arg
    whole = (list(reachable), _mean(reachable))
    if name == 'scene' or not reachable:
        return whole[0], whole[1], ''
    ref = None
    for key in ([arg] if arg.startswith(REGION_PREFIX) else [REGION_PREFIX + name, name]):
        ref = _ask(resolver, key)
        if ref is not None and ref.position is not None:
            break
        ref = None
    if ref is None:
        return whole[0], whole[1], f'region {arg!r} is not in memory; using the whole scene'
    cx, cz = ref.position[0], ref.position[2]
    if ref.size and ref.size[0] > 0 and ref.size[2] > 0:
        hx, hz = ref.size[0] / 2 + 0.125, ref.size[2] / 2 + 0.125
        pts = [p for p in reachable if abs(p[0] - cx) <= hx and abs(p[1] - cz) <= hz]
    else:
        pts = [p for p in reachable if math.hypot(p[0] - cx, p[1] - cz) <= radius]
    if not pts:  # memory's region lies off the reachable floor: the nearest reachable spots
        pts = sorted(reachable, key=lambda p: math.hypot(p[0] - cx, p[1] - cz))[:8]
    return pts, (cx, cz), ''


def looks_like_region(arg: str) -> bool:
    name = arg[len(REGION_PREFIX):] if arg.startswith(REGION_PREFIX) else arg
    return arg.startswith(REGION_PREFIX) or name in PLACE_NAMES or '_region_' in name


def _mean(pts) -> tuple[float, float]:
    if not pts:
        return (0.0, 0.0)
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
