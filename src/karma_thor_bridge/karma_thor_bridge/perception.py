"""What the robot perceives in one THOR frame: visible objects only, optionally noisy; no rclpy.

THOR's metadata lists every object of the scene with a ``visible`` flag. The robot must only
learn what its camera sees, so :class:`Perception` keeps the visible objects and degrades them
the way a detector does: seeded Gaussian position noise and box-size noise, random drop-outs
(missed detections), label confusions among look-alike types (the one table in
:mod:`karma_domain.lookalikes`), false detections (a small object type at a point on a visible
surface), and withheld THOR ids so the memory has to associate observations by class and
position on its own. Named settings of all of these are the profiles in ``config/perception``
(:mod:`karma_thor_bridge.profiles`).

Example::

    >>> p = Perception(PerceptionConfig(noise_std=0.0, dropout=0.0, max_range=1.5))
    >>> meta = {'objects': [dict(objectId='Apple|1', objectType='Apple', visible=True,
    ...          position=dict(x=1, y=1, z=1), receptacle=False, pickupable=True,
    ...          temperature='RoomTemp', isPickedUp=False, parentReceptacles=['Table|1']),
    ...         dict(objectId='Mug|1', objectType='Mug', visible=False)],
    ...         'cameraPosition': dict(x=0, y=1.5, z=0), 'agent': dict(rotation=dict(y=90),
    ...          cameraHorizon=30), 'fov': 90}
    >>> frame = p.perceive(meta)
    >>> [(o.instance_id, o.label, o.parent_id) for o in frame.objects]
    [('Apple|1', 'Apple', 'Table|1')]
    >>> frame.objects[0].states['isPickedUp'], frame.max_range
    ('false', 1.5)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from karma_domain.lookalikes import lookalikes
from karma_domain.states import STATE_CAPABILITY

# State keys reported for an object, each guarded by the capability that makes it meaningful
# (a Mug has no isSliced; a Fridge no isPickedUp). None = always reported.
STATE_KEYS = tuple(STATE_CAPABILITY.items())


# What a false detection claims to be: small objects a detector hallucinates on surfaces.
FALSE_DETECTION_TYPES = ('Apple', 'Cup', 'Mug', 'Pen', 'Pencil', 'Spoon', 'Fork', 'Knife',
                         'CellPhone', 'KeyChain', 'CreditCard', 'SoapBar', 'Tomato', 'Egg')
_FALSE_SIZE = (0.08, 0.08, 0.08)  # box of a false detection, m


@dataclass(frozen=True)
class PerceptionConfig:
    noise_std: float = 0.0      # Gaussian position noise per axis, metres
    dropout: float = 0.0        # probability that a visible object is missed in a frame
    withhold_ids: bool = False  # publish empty instance ids (and parents): memory associates
    seed: int = 0
    max_range: float = 1.5      # reported as the camera's reliable range (THOR visibilityDistance)
    size_noise: float = 0.0     # Gaussian noise on each box side, as a fraction of that side
    confusion: float = 0.0      # probability that a label becomes one of its look-alikes
    false_detections: float = 0.0  # mean false detections per frame (Poisson)


@dataclass
class Observed:
    """One perceived object (message-free twin of karma_interfaces/ObjectObservation)."""

    instance_id: str
    label: str
    position: tuple[float, float, float]
    yaw_deg: float
    size: tuple[float, float, float]
    states: dict[str, str]
    parent_id: str
    is_receptacle: bool
    confidence: float = 1.0


@dataclass
class Frame:
    objects: list[Observed]
    camera_position: tuple[float, float, float]
    camera_quaternion: tuple[float, float, float, float]  # x, y, z, w
    fov_deg: float                                          # horizontal
    max_range: float
    agent_position: tuple[float, float, float] = (0.0, 0.0, 0.0)
    agent_yaw_deg: float = 0.0
    extra: dict = field(default_factory=dict)


def camera_quaternion(yaw_deg: float, horizon_deg: float) -> tuple[float, float, float, float]:
    """Quaternion (x, y, z, w) of a camera looking along local +z, turned ``yaw`` about +y and
    pitched down by ``horizon`` (THOR: positive horizon looks down), i.e. q_y(yaw) * q_x(horizon).

    >>> [round(v, 3) + 0.0 for v in camera_quaternion(90, 0)]
    [0.0, 0.707, 0.0, 0.707]
    """
    y, h = math.radians(yaw_deg) / 2, math.radians(horizon_deg) / 2
    cy, sy, ch, sh = math.cos(y), math.sin(y), math.cos(h), math.sin(h)
    return (cy * sh, sy * ch, -sy * sh, cy * ch)


def yaw_quaternion(yaw_deg: float) -> tuple[float, float, float, float]:
    return camera_quaternion(yaw_deg, 0.0)


def horizontal_fov(vertical_deg: float, width: int, height: int) -> float:
    """THOR's fieldOfView is vertical; the memory wants the horizontal one."""
    if not width or not height:
        return vertical_deg
    return math.degrees(2 * math.atan(math.tan(math.radians(vertical_deg) / 2) * width / height))


def _text(v) -> str:
    return ('true' if v else 'false') if isinstance(v, bool) else str(v)


def object_states(o: dict) -> dict[str, str]:
    """THOR metadata -> KeyValue-style text states (only the keys that apply to ``o``)."""
    out = {}
    for key, capability in STATE_KEYS:
        if key in o and o[key] is not None and (capability is None or o.get(capability)):
            out[key] = _text(o[key])
    return out


def _vec(d: dict | None, default=(0.0, 0.0, 0.0)) -> tuple[float, float, float]:
    if not isinstance(d, dict):
        return default
    return (float(d.get('x', 0.0)), float(d.get('y', 0.0)), float(d.get('z', 0.0)))


class Perception:
    """Turns event metadata into :class:`Frame` s. Deterministic: the same seed and the same
    sequence of events give the same noise and drop-outs (``reset`` re-seeds)."""

    def __init__(self, config: PerceptionConfig):
        self.config = config
        self.reset(config.seed)

    def reset(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(self.config.seed if seed is None else seed)
        # EVALUATION ONLY: THOR id -> frames it was detected in since the reset (ids withheld
        # or not), so a benchmark can judge the memory against what it was shown.
        self.detected: dict[str, int] = {}

    def perceive(self, meta: dict) -> Frame:
        c = self.config
        objs = []
        for o in meta.get('objects') or []:
            if not o.get('visible'):
                continue
            # Draw for every visible object, kept or not, so one object's drop-out does not
            # shift the noise of the others.
            drop = self.rng.random() < c.dropout if c.dropout > 0 else False
            noise = self.rng.normal(0.0, c.noise_std, 3) if c.noise_std > 0 else np.zeros(3)
            grow = self.rng.normal(0.0, c.size_noise, 3) if c.size_noise > 0 else np.zeros(3)
            label = self._confused(str(o.get('objectType', '')))
            if drop:
                continue
            oid = str(o.get('objectId', ''))
            self.detected[oid] = self.detected.get(oid, 0) + 1
            box = o.get('axisAlignedBoundingBox') or {}
            centre = _vec(box.get('center'), _vec(o.get('position')))
            parents = o.get('parentReceptacles') or []
            objs.append(Observed(
                instance_id='' if c.withhold_ids else str(o.get('objectId', '')),
                label=label,
                position=tuple(float(v) for v in np.asarray(centre) + noise),
                yaw_deg=_vec(o.get('rotation'))[1],
                size=tuple(max(0.0, float(v)) for v in np.asarray(_vec(box.get('size'))) * (1.0 + grow)),
                states=object_states(o),
                parent_id='' if c.withhold_ids or not parents else str(parents[0]),
                is_receptacle=bool(o.get('receptacle'))))
        objs += self._false_detections(meta)
        agent = meta.get('agent') or {}
        yaw = _vec(agent.get('rotation'))[1]
        horizon = float(agent.get('cameraHorizon', 0.0) or 0.0)
        fov = float(meta.get('fov') or 0.0)
        return Frame(objects=objs, camera_position=_vec(meta.get('cameraPosition')),
                     camera_quaternion=camera_quaternion(yaw, horizon),
                     fov_deg=horizontal_fov(fov, meta.get('screenWidth') or 0,
                                            meta.get('screenHeight') or 0),
                     max_range=c.max_range, agent_position=_vec(agent.get('position')),
                     agent_yaw_deg=yaw)

    def _confused(self, label: str) -> str:
        """``label``, or with probability ``confusion`` one of its look-alikes."""
        if self.config.confusion <= 0:
            return label
        u, pick = self.rng.random(), self.rng.random()  # always two draws: a stable stream
        others = sorted(lookalikes(label))
        if not others or u >= self.config.confusion:
            return label
        return others[min(int(pick * len(others)), len(others) - 1)]

    def _false_detections(self, meta: dict) -> list[Observed]:
        """Poisson(``false_detections``) hallucinated small objects, each on the top of a
        visible surface (a receptacle nobody picks up: counter, table, shelf)."""
        c = self.config
        if c.false_detections <= 0:
            return []
        n = int(self.rng.poisson(c.false_detections))
        surfaces = [o for o in meta.get('objects') or []
                    if o.get('visible') and o.get('receptacle') and not o.get('pickupable')
                    and (o.get('axisAlignedBoundingBox') or {}).get('size')]
        out = []
        for _ in range(n):
            u = self.rng.random(4)
            if not surfaces:
                continue
            s = surfaces[min(int(u[0] * len(surfaces)), len(surfaces) - 1)]
            box = s['axisAlignedBoundingBox']
            cx, cy, cz = _vec(box.get('center'))
            sx, sy, sz = _vec(box.get('size'))
            label = FALSE_DETECTION_TYPES[min(int(u[1] * len(FALSE_DETECTION_TYPES)),
                                              len(FALSE_DETECTION_TYPES) - 1)]
            pos = (cx + (u[2] - 0.5) * sx, cy + sy / 2 + _FALSE_SIZE[1] / 2, cz + (u[3] - 0.5) * sz)
            out.append(Observed(instance_id='', label=label, position=pos, yaw_deg=0.0,
                                size=_FALSE_SIZE, states={}, parent_id='', is_receptacle=False))
        return out
