"""Task bounds from a goal: 0 takes the default, anything above the cap is clamped with a reason."""
from karma_executor.limits import task_limits


def test_zero_takes_the_defaults():
    assert task_limits(0, 0, defaults=(40, 3), caps=(500, 50)) == (40, 3, [])


def test_huge_limits_are_clamped_with_a_reason():
    steps, replans, notes = task_limits(10**9, 10**9, defaults=(40, 3), caps=(500, 50))
    assert (steps, replans) == (500, 50)
    assert notes == ['max_steps 1000000000 clamped to 500', 'max_replans 1000000000 clamped to 50']


def test_limits_within_the_caps_are_kept():
    assert task_limits(7, 1, defaults=(40, 3), caps=(500, 50)) == (7, 1, [])
