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
