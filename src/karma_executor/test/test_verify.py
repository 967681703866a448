"""Verify before acting: the approach frames must show the object where memory has it."""
import doctest

import pytest

import karma_executor.verify as verify
from karma_executor.verify import seen_on_arrival


def test_doctests():
    assert doctest.testmod(verify).failed == 0


@pytest.mark.parametrize('frames,expected', [
    ([], False),                                              # nothing seen at all
    ([[('Mug', (1.0, 0.9, 2.0))]], True),
    ([[('mug', (1.0, 0.9, 2.0))]], True),                     # detector labels in any case
    ([[('Cup', (1.0, 0.9, 2.0))]], False),                    # another type at the place
    ([[('Mug', (2.5, 0.9, 2.0))]], False),                    # the mug moved 1.5 m
    ([[], [], [('Mug', (1.3, 0.9, 2.2))]], True),             # one frame of the approach is enough
])
def test_seen_on_arrival(frames, expected):
    assert seen_on_arrival('Mug', (1.0, 0.9, 2.0), frames, radius=1.0) is expected


def test_a_ghost_needs_several_looks_at_its_place():
    import math
    from karma_executor.verify import verdict
    cam = ((0.0, 1.0, 0.0), (0.0, 0.0, 1.0), math.radians(45), 5.0)
    believed = (0.0, 1.0, 2.0)
    assert verdict('Mug', believed, [([], cam)] * 2) == 'unknown'       # two misses decide nothing
    assert verdict('Mug', believed, [([], cam)] * 3) == 'absent'
    assert verdict('Mug', believed, [([], None)] * 9) == 'unknown'      # frames that say no view
    assert verdict('Mug', believed, [([], cam)] * 5 + [([('Mug', believed)], cam)]) == 'seen'
