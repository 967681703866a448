"""Verify before acting: does what the robot saw on arrival show the object it came for?

After ``navigate_to(X)`` succeeds, a robot looks before it grasps. The executor keeps the
perception frames received while the skill ran (and the last few before it, for a
navigate_to that did not move) and asks: did any of them show a detection of X's type (or a
piece cut from it) within ``radius`` of where memory believes X is? If none did although the
believed place was in the camera's view in at least ``min_views`` frames (a detector that
misses one frame in five misses three in a row once in a hundred and twenty-five times), the
belief is a ghost: the executor reports the step as ``not_found`` so memory demotes it and the
planner searches again, instead of acting on nothing. Fewer looks decide nothing. No rclpy.

>>> frames = [[('Mug', (1.0, 0.9, 2.0))], [('Apple', (3.0, 0.9, 1.0))]]
>>> seen_on_arrival('Mug', (1.1, 0.9, 2.0), frames)
True
>>> seen_on_arrival('Mug', (4.0, 0.9, 2.0), frames)      # a mug, but not where memory has it
False
>>> seen_on_arrival('Apple', (3.0, 0.9, 1.1), [[('AppleSliced', (3.05, 0.9, 1.0))]])
True
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence

from karma_domain.pieces import counts_as
from karma_memory.geometry import in_view

Detection = tuple[str, tuple[float, float, float]]


def _matches(label: str, wanted: str) -> bool:
    # a sliced or cracked object is seen as its pieces (AppleSliced, EggCracked)
    return counts_as(label, wanted)


def seen_on_arrival(target_type: str, believed: Sequence[float],
                    frames: Iterable[Iterable[Detection]], radius: float = 1.0) -> bool:
    """True when some frame shows ``target_type`` within ``radius`` m of ``believed``."""
    for frame in frames:
        for label, pos in frame:
            if _matches(label, target_type) and math.dist(pos, believed) <= radius:
                return True
    return False


#: A frame's camera for the view test: (eye, forward unit vector, half field of view in
#: radians, range in metres); None when the frame did not say.
View = tuple[tuple[float, float, float], tuple[float, float, float], float, float]


def verdict(target_type: str, believed: Sequence[float],
            frames: Iterable[tuple[Iterable[Detection], View | None]], radius: float = 1.0,
            min_views: int = 3) -> str:
    """``seen``, ``absent`` (in view ``min_views`` times, never detected) or ``unknown``.

    >>> cam = ((0.0, 1.0, 0.0), (0.0, 0.0, 1.0), math.radians(45), 5.0)   # looks along +z
    >>> verdict('Mug', (0, 1, 2), [([('Mug', (0.1, 1, 2))], cam)])
    'seen'
    >>> verdict('Mug', (0, 1, 2), [([], cam)] * 3), verdict('Mug', (0, 1, 2), [([], cam)] * 2)
    ('absent', 'unknown')
    >>> verdict('Mug', (0, 1, -2), [([], cam)] * 5)      # behind the camera: never looked
    'unknown'
    """
    looks = 0
    for dets, view in frames:
        if seen_on_arrival(target_type, believed, [dets], radius):
            return 'seen'
        if view is not None and in_view(tuple(believed), *view):
            looks += 1
    return 'absent' if looks >= min_views else 'unknown'
