"""Which iTHOR FloorPlans training may use (issue 13); every other scene is for evaluation.

>>> is_training_scene('FloorPlan5'), is_training_scene('FloorPlan3'), len(TRAINING_SCENES)
(True, False, 102)
"""
from __future__ import annotations


def _span(lo: int, hi: int) -> list[int]:
    return list(range(lo, hi + 1))


_NUMBERS = ([1, 2, 5, 6, 8, 9, 11, 15, 16] + _span(18, 23) + _span(25, 30)            # kitchens
            + _span(201, 203) + _span(205, 208) + _span(210, 218) + _span(220, 230)    # living rooms
            + [301, 302, 304] + _span(306, 315) + _span(317, 330)                      # bedrooms
            + [401, 403, 404] + _span(406, 409) + _span(411, 430))                     # bathrooms

TRAINING_SCENES: tuple[str, ...] = tuple(f'FloorPlan{n}' for n in _NUMBERS)


def is_training_scene(scene: str) -> bool:
    return scene in TRAINING_SCENES
