"""How sure memory is that an object is still where it believes: a per-object Bayes filter.

A detector misses a visible object now and then, so one miss is weak evidence. Each object's
detection rate ``q`` is estimated from its own history (sightings versus misses while it was in
view, with a prior), and a miss updates the belief ``P(still there)`` with likelihood ``1 - q``
against "gone" (likelihood 1). An object that is seen nine times out of ten loses its belief
after two or three misses in a row; one seen half the time needs more. Staleness is
``belief < stale_below``, so it has hysteresis proportional to how often the object should
have been seen (three misses in a row for a well-seen object).

>>> q = detection_rate(times_seen=9, misses=1, prior=0.8)
>>> round(q, 2)
0.85
>>> b = 1.0
>>> [round(b := after_miss(b, q), 2) for _ in range(4)]
[0.88, 0.52, 0.14, 0.02]
"""
from __future__ import annotations

#: The belief never reaches certainty: anything can be moved by someone else.
BELIEF_CAP = 0.98


def detection_rate(times_seen: int, misses: int, prior: float) -> float:
    """Estimated probability of detecting the object when it is in view.

    ``misses`` are the misses of earlier runs (a run still going on is what is being judged,
    so it must not lower the rate it is judged by). Beta prior of weight 2 with mean
    ``prior``; clamped to [0.3, 0.85] so neither a lucky nor an unlucky history makes one
    miss decisive or meaningless.
    """
    q = (times_seen + 2.0 * prior) / (times_seen + misses + 2.0)
    return min(0.85, max(0.3, q))


def after_miss(belief: float, q: float) -> float:
    """Belief after the object was in view and not detected (detection rate ``q``)."""
    b = min(belief, BELIEF_CAP)
    kept = b * (1.0 - q)
    return kept / (kept + (1.0 - b))


def after_sighting(belief: float, detection_confidence: float) -> float:
    """Belief after a detection of confidence ``c``: noisy-or of the two.

    >>> after_sighting(0.2, 0.9)
    0.92
    """
    return round(1.0 - (1.0 - belief) * (1.0 - detection_confidence), 12)
