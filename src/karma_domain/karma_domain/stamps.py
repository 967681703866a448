"""Time conversion between ROS stamps (``sec`` + ``nanosec``) and float seconds, defined once.

The memories keep time as float seconds (``time.time()`` scale, or the simulator's clock);
messages carry ``builtin_interfaces/Time``. The ROS shells build the message from
:func:`to_sec_nanosec` and read it with :func:`to_seconds`; nothing else converts.

A stamp that cannot be represented (negative, NaN, infinite) becomes 0, ROS's "no stamp";
``sec`` saturates at the int32 maximum a ``Time`` holds.

>>> to_seconds(12, 500_000_000)
12.5
>>> to_sec_nanosec(12.5), to_sec_nanosec(-1.0), to_sec_nanosec(float('nan'))
((12, 500000000), (0, 0), (0, 0))
>>> to_sec_nanosec(1.9999999999)
(1, 999999999)
"""
from __future__ import annotations

import math

#: The largest ``sec`` a ``builtin_interfaces/Time`` holds (int32).
MAX_SEC = 2 ** 31 - 1
NANOS = 1_000_000_000


def to_seconds(sec: int, nanosec: int) -> float:
    """Float seconds of a stamp's two fields."""
    return sec + nanosec * 1e-9


def to_sec_nanosec(seconds: float) -> tuple[int, int]:
    """``(sec, nanosec)`` of float seconds: 0 for what no stamp can hold, ``sec`` saturated."""
    t = float(seconds)
    if not math.isfinite(t) or t <= 0.0:
        return 0, 0
    s = int(t)
    if s >= MAX_SEC:
        return MAX_SEC, 0
    return s, min(int((t - s) * 1e9), NANOS - 1)


def stamp_seconds(stamp) -> float:
    """Float seconds of anything with ``sec`` and ``nanosec`` attributes (a ROS ``Time``)."""
    return to_seconds(stamp.sec, stamp.nanosec)
