"""Tentative objects: id-less detections waiting for repeated evidence before memory has them.

A single false detection (a "Mug" on a bare counter for one frame) must not become an object
the planner walks to. A detection that matches no known object opens a tentative track; the
track becomes an object once it was seen in ``confirm_frames`` different frames. A track whose
place is looked at without a matching detection is dropped, a track not confirmed within
``max_age`` frames of its first sighting expires (a real object in front of the camera is seen
again within a few frames; a false detection is not, and one far beyond the camera's range is
never "looked at" to be dropped: without the age limit a second, unrelated false detection of
that type on the same counter much later would confirm it), and the oldest tracks go first
when there are too many, so a stream of false detections costs bounded memory.

>>> t = TentativeTracks(confirm_frames=2, gate=0.3)
>>> t.offer("Mug", (1.0, 1.0, 0.9), frame=1) is None      # first sighting: tentative
True
>>> tr = t.offer("Mug", (1.04, 1.0, 0.9), frame=2)         # second frame: confirmed
>>> tr.frames, round(tr.position[0], 2), len(t)
(2, 1.02, 0)
>>> t = TentativeTracks(confirm_frames=2, gate=0.3, max_age=10)
>>> t.offer("Mug", (1.0, 1.0, 0.9), frame=1) is None
True
>>> t.offer("Mug", (1.0, 1.0, 0.9), frame=12) is None, len(t)   # too late: a new track
(True, 1)
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

Vec3 = tuple[float, float, float]


@dataclass
class Track:
    """Evidence for one not-yet-confirmed object (running means of position and size)."""

    label: str
    position: Vec3
    size: Vec3 | None = None
    frames: int = 1
    last_frame: int = 0
    observations: list = field(default_factory=list)   # the detections, for the final merge
    labels: dict = field(default_factory=dict)          # label -> votes (look-alike confusion)
    first_frame: int = 0                                # frame of the first sighting

    def add(self, label: str, pos: Vec3, size: Vec3 | None, frame: int, obs: Any) -> None:
        n = self.frames + (frame != self.last_frame)
        w = 1.0 / max(n, 1)
        self.position = tuple(p + (q - p) * w for p, q in zip(self.position, pos))
        if size is not None:
            self.size = size if self.size is None else tuple(
                s + (q - s) * w for s, q in zip(self.size, size))
        self.frames, self.last_frame = n, frame
        self.labels[label] = self.labels.get(label, 0) + 1
        self.observations.append(obs)

    @property
    def best_label(self) -> str:
        """Most voted label (ties: the first seen)."""
        return max(self.labels.items(), key=lambda kv: kv[1])[0] if self.labels else self.label


class TentativeTracks:
    """Pending id-less detections (see the module docstring)."""

    def __init__(self, confirm_frames: int = 2, gate: float = 0.5, max_tracks: int = 2000,
                 compatible: Callable[[str], frozenset] | None = None, max_age: int = 0):
        self.confirm_frames = max(1, int(confirm_frames))
        self.gate = float(gate)
        self.max_tracks = int(max_tracks)
        self.max_age = max(0, int(max_age))     # frames a track may wait (0: no limit)
        self._expired_at = None                 # frame of the last expiry sweep
        self._compatible = compatible or (lambda label: frozenset((label,)))
        self._tracks: OrderedDict[int, Track] = OrderedDict()
        self._next = 0

    def __len__(self) -> int:
        return len(self._tracks)

    def tracks(self) -> list[Track]:
        return list(self._tracks.values())

    def offer(self, label: str, pos: Vec3, frame: int, size: Vec3 | None = None,
              obs: Any = None) -> Track | None:
        """Add a detection; return the confirmed :class:`Track` (now removed) or ``None``."""
        if self.max_age and self._expired_at != frame:
            self.expire(frame)
        key = self._nearest(label, pos, frame)
        if key is None:
            if self.confirm_frames <= 1:
                tr = Track(label, pos, size, 1, frame, [obs], {label: 1}, frame)
                return tr
            self._next += 1
            self._tracks[self._next] = Track(label, pos, size, 1, frame, [obs], {label: 1}, frame)
            while len(self._tracks) > self.max_tracks:
                self._tracks.popitem(last=False)
            return None
        tr = self._tracks[key]
        tr.add(label, pos, size, frame, obs)
        self._tracks.move_to_end(key)
        if tr.frames >= self.confirm_frames:
            del self._tracks[key]
            return tr
        return None

    def _nearest(self, label: str, pos: Vec3, frame: int) -> int | None:
        ok = self._compatible(label)
        best, bd = None, self.gate
        for k, tr in self._tracks.items():
            if tr.label not in ok and tr.best_label not in ok:
                continue
            d = math.dist(tr.position, pos)
            if d <= bd and tr.last_frame != frame:
                best, bd = k, d
        return best

    def expire(self, frame: int) -> int:
        """Drop tracks first seen more than ``max_age`` frames before ``frame``."""
        self._expired_at = frame
        if not self.max_age:
            return 0
        old = [k for k, tr in self._tracks.items() if frame - tr.first_frame > self.max_age]
        for k in old:
            del self._tracks[k]
        return len(old)

    def drop_unseen(self, visible: Callable[[Vec3], bool], frame: int) -> int:
        """Drop tracks whose place is in view now but got no detection this frame."""
        gone = [k for k, tr in self._tracks.items() if tr.last_frame != frame and visible(tr.position)]
        for k in gone:
            del self._tracks[k]
        return len(gone)

    def clear(self) -> None:
        self._tracks.clear()
