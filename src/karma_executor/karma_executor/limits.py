"""A task's bounds: the goal's ``max_steps``/``max_replans`` (0 = the server's default), clamped
to the server's caps with a reason the client reads in the result message.

>>> task_limits(10**9, 0, defaults=(40, 3), caps=(500, 50))
(500, 3, ['max_steps 1000000000 clamped to 500'])
"""
from __future__ import annotations


def task_limits(max_steps: int, max_replans: int, defaults: tuple[int, int],
                caps: tuple[int, int]) -> tuple[int, int, list[str]]:
    """``(steps, replans, notes)``: each asked bound, or its default when 0, at most its cap."""
    notes = []
    out = []
    for name, asked, default, cap in (('max_steps', max_steps, defaults[0], caps[0]),
                                      ('max_replans', max_replans, defaults[1], caps[1])):
        value = asked or default
        if value > cap:
            notes.append(f'{name} {value} clamped to {cap}')
            value = cap
        out.append(value)
    return out[0], out[1], notes
