"""Verify before acting: does what the robot saw on arrival show the object it came for?

After ``navigate_to(X)`` succeeds, a robot looks before it grasps. The executor keeps the
perception frames received while the skill ran (and the last few before it, for a
navigate_to that did not move) and asks: did any of them show a detection of X's type (or a
piece cut from it) within ``radius`` of where memory believes X is? If none did, the belief
is a ghost: the executor reports the step as ``not_found`` so memory demotes it and the
planner searches again, instead of acting on nothing. No rclpy.

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

Detection = tuple[str, tuple[float, float, float]]


def _matches(label: str, wanted: str) -> bool:
    label, wanted = label.lower(), wanted.lower()
    # a sliced or cracked object is seen as its pieces (AppleSliced, EggCracked)
    return label == wanted or label in (wanted + 'sliced', wanted + 'cracked')


def seen_on_arrival(target_type: str, believed: Sequence[float],
                    frames: Iterable[Iterable[Detection]], radius: float = 1.0) -> bool:
    """True when some frame shows ``target_type`` within ``radius`` m of ``believed``."""
    for frame in frames:
        for label, pos in frame:
            if _matches(label, target_type) and math.dist(pos, believed) <= radius:
                return True
    return False
