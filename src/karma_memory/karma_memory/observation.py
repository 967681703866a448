"""Plain data the long-term memory consumes and reports: observations, observer, update report.

>>> obs = Observation(instance_id="Apple|1", label="Apple", confidence=0.9,
...                   position=(1.0, 0.9, -2.0), size=(0.1, 0.1, 0.1))
>>> check_observation(obs) is None
True
>>> check_observation(Observation(label="Apple", position=(float("nan"), 0, 0)))
('bad_position', 'position is not finite')
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

Vec3 = tuple[float, float, float]


@dataclass(slots=True)
class Observation:
    """One object seen once (core form of ``karma_interfaces/ObjectObservation``).

    ``instance_id`` is the source's stable id ("" when unknown: the memory associates by class
    and distance). ``position``/``size`` are the box centre and extents in metres, REP-103 world
    frame (right-handed, z up); ``None`` means unknown, and leaves what memory holds (an
    unknown position can only update an object known by id: states alone). ``parent_id`` is the holding receptacle's id
    or type ("" = unknown: inferred from geometry when the position is known, else kept).
    ``points`` is an optional ``(N, 3)`` float array of the object's segment, fused per object.
    ``stamp`` is the observation time in seconds (any monotonic-ish clock; stored as given).
    """

    label: str
    instance_id: str = ""
    confidence: float = 1.0
    position: Vec3 | None = (0.0, 0.0, 0.0)
    size: Vec3 | None = (0.0, 0.0, 0.0)
    states: dict[str, str] = field(default_factory=dict)
    parent_id: str = ""
    is_receptacle: bool = False
    points: Any = None
    source: str = ""
    stamp: float = 0.0


@dataclass(slots=True)
class Observer:
    """The camera of one frame: position, orientation quaternion ``(x, y, z, w)``, view cone.

    The camera looks along its local +z axis (a REP-103 optical frame,
    ``forward_axis="z"``), or along +x for a REP-103 body frame (``forward_axis="x"``:
    camera_link, base_link). See karma_interfaces/msg/ObjectObservationArray.msg. ``fov_deg`` is the full horizontal field of view; the memory uses it as a
    cone half-angle of ``fov_deg / 2`` (shrunk by a margin) so objects at the image border are
    not penalised. ``fov_deg <= 0`` or ``max_range <= 0`` disables negative observations.
    """

    position: Vec3
    orientation: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
    fov_deg: float = 0.0
    max_range: float = 0.0
    forward_axis: str = "z"

    def forward(self) -> Vec3:
        """Unit viewing axis of the camera in the world frame (local +z, or +x for a body frame).

        >>> Observer((0, 0, 0)).forward(), Observer((0, 0, 0), forward_axis="x").forward()
        ((0.0, 0.0, 1.0), (1.0, 0.0, 0.0))
        """
        x, y, z, w = self.orientation
        n = math.sqrt(x * x + y * y + z * z + w * w) or 1.0
        x, y, z, w = x / n, y / n, z / n, w / n
        if self.forward_axis == "x":   # first column of the rotation matrix
            return (1 - 2 * (y * y + z * z), 2 * (x * y + w * z), 2 * (x * z - w * y))
        # Third column of the rotation matrix of the unit quaternion.
        return (2 * (x * z + w * y), 2 * (y * z - w * x), 1 - 2 * (x * x + y * y))


@dataclass
class UpdateReport:
    """What one :meth:`SceneGraph.apply` call did.

    ``applied`` holds the memory id of each accepted observation, in input order;
    ``rejected`` holds ``(index, reason, detail)`` for each refused one (memory untouched by it).
    """

    applied: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    associated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    #: ``(index, reason, detail)`` for a part of an accepted observation that was refused: an id
    #: outside the id grammar (dropped: the detection is associated like an id-less one), a
    #: state value not of its type (dropped).
    refused: list[tuple[int, str, str]] = field(default_factory=list)
    #: Indices of id-less detections held back as tentative (not yet seen often enough).
    tentative: list[int] = field(default_factory=list)
    #: Input index -> memory id of every applied observation.
    ids: dict[int, str] = field(default_factory=dict)
    #: Ids removed because they were duplicates of another object (absorbed into it).
    merged: list[str] = field(default_factory=list)
    #: Ids removed because repeated looks found them gone (belief under ``prune_below``), or
    #: forgotten by the capacity policy (``MemoryConfig.max_objects``: the least seen first).
    pruned: list[str] = field(default_factory=list)
    #: Operator-placed objects that perception saw elsewhere or as another type: the operator's
    #: version stands (see :mod:`karma_memory.corrections`), the sighting is only counted.
    conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the graph's content changed in a way a subscriber should see."""
        return bool(self.created or self.moved or self.missed or self.applied or self.merged
                    or self.pruned)


@dataclass(frozen=True)
class Limits:
    """Bounds on accepted input (the node fills them from its parameters)."""

    max_label_len: int = 64
    max_id_len: int = 128
    max_state_len: int = 256
    max_states: int = 32
    workspace_limit: float = 1000.0   # |coordinate| bound, metres
    max_object_size: float = 50.0     # largest box extent, metres
    # Negative evidence ("should have been seen") only within what a camera can see: a frame
    # claiming 360 degrees and 1e9 m would mark the whole house stale with one empty image.
    max_fov_deg: float = 120.0
    max_sensor_range: float = 10.0    # metres
    max_points: int = 50000           # points per observation segment


_NUMBER_TYPES = (float, int)


def _finite3(v) -> bool:
    try:
        x, y, z = v
        return math.isfinite(x) and math.isfinite(y) and math.isfinite(z)
    except (TypeError, ValueError):
        return False


def check_observation(obs: Observation, limits: Limits = Limits()) -> tuple[str, str] | None:
    """Return ``(reason, detail)`` when ``obs`` must be rejected, else ``None``.

    Labels and ids are checked separately (see :mod:`karma_memory.sanitize`) because they are
    also cleaned; this checks the numbers.
    """
    p, s, c = obs.position, obs.size, obs.confidence
    w, m = limits.workspace_limit, limits.max_object_size
    try:   # the common case in one expression (NaN and inf fail the bound comparisons)
        if ((p is None or (len(p) == 3 and -w <= p[0] <= w and -w <= p[1] <= w and -w <= p[2] <= w))
                and (s is None or (len(s) == 3 and 0 <= s[0] <= m and 0 <= s[1] <= m and 0 <= s[2] <= m))
                and type(c) in _NUMBER_TYPES and 0 <= c <= 1 and w < math.inf and m < math.inf
                and len(obs.states) <= limits.max_states
                and (obs.points is None or len(obs.points) <= limits.max_points)):
            return None
    except TypeError:
        pass   # not numbers: the checks below say which
    if p is not None:   # None: unknown, the object's known position stays
        if not _finite3(p):
            return "bad_position", "position is not finite"
        w = limits.workspace_limit
        if not (-w <= p[0] <= w and -w <= p[1] <= w and -w <= p[2] <= w):
            return "out_of_bounds", f"position beyond +-{w} m"
    if s is not None and (not _finite3(s) or not (0 <= s[0] <= m and 0 <= s[1] <= m and 0 <= s[2] <= m)):
        return "bad_size", f"size must be finite, in [0, {m}] m"
    if not isinstance(c, (int, float)) or not 0 <= c <= 1:   # NaN fails the comparison too
        return "bad_confidence", "confidence must be in [0, 1]"
    if len(obs.states) > limits.max_states:
        return "too_many_states", f"{len(obs.states)} states (max {limits.max_states})"
    if obs.points is not None and len(obs.points) > limits.max_points:
        return "too_many_points", f"{len(obs.points)} points (max {limits.max_points})"
    return None


def bound_observer(obs: Observer, limits: Limits = Limits()) -> tuple[Observer, str]:
    """``obs`` with its view cone clamped to ``limits``, and what was clamped ('' if nothing).

    >>> o, note = bound_observer(Observer((0, 0, 0), fov_deg=360, max_range=1e9))
    >>> o.fov_deg, o.max_range, note
    (120.0, 10.0, 'fov_deg 360 clamped to 120; max_range 1e+09 clamped to 10')
    """
    notes = []
    fov, rng = obs.fov_deg, obs.max_range
    if fov > limits.max_fov_deg:
        notes.append(f"fov_deg {fov:g} clamped to {limits.max_fov_deg:g}")
        fov = limits.max_fov_deg
    if rng > limits.max_sensor_range:
        notes.append(f"max_range {rng:g} clamped to {limits.max_sensor_range:g}")
        rng = limits.max_sensor_range
    if not notes:
        return obs, ""
    return replace(obs, fov_deg=float(fov), max_range=float(rng)), "; ".join(notes)


def check_observer(obs: Observer) -> tuple[str, str] | None:
    """Return ``(reason, detail)`` when the observer cannot be used for negative observations."""
    if not _finite3(obs.position) or not all(math.isfinite(c) for c in obs.orientation):
        return "bad_observer_pose", "observer pose is not finite"
    if sum(c * c for c in obs.orientation) < 1e-6:
        return "bad_observer_pose", "observer orientation is a zero quaternion"
    if not math.isfinite(obs.fov_deg) or not 0 <= obs.fov_deg <= 360:
        return "bad_fov", "fov_deg must be in [0, 360]"
    if obs.forward_axis not in ("x", "z"):
        return "bad_convention", "forward_axis must be 'x' (REP-103 body) or 'z' (camera/optical)"
    if not math.isfinite(obs.max_range) or obs.max_range < 0:
        return "bad_range", "max_range must be finite and >= 0"
    return None
