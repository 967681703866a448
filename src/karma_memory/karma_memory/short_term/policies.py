"""Replacement policies of the short-term memory, behind one interface.

A policy ranks entries; the memory evicts the entry with the LOWEST ``keep_score``. Ties go to
the entry inserted first. ``now`` and the entries' ``inserted``/``last_used`` are logical ticks
(see :class:`~karma_memory.short_term.entry.StmEntry`), so traces are exact and testable.

- ``fifo``: oldest insertion goes first.
- ``lru``: least recently used (inserted, updated, retrieved or hit) goes first.
- ``lfu``: fewest retrievals (``access_count``) goes first; ties by least recent use.
- ``karma``: KARMA's scored policy, keep what plans use: the smoothed hit rate
  ``(hits + 1) / (accesses + 2)`` weighed against age, ``* 0.5 ** (age / half_life)``.
- ``mem4nav``: Mem4Nav's ``lam * frequency - (1 - lam) * recency`` with frequency =
  ``access_count`` and recency = ticks since last use.

>>> from karma_memory.short_term.entry import StmEntry
>>> a = StmEntry('a', 'A', inserted=0, last_used=5, access_count=3)
>>> b = StmEntry('b', 'B', inserted=1, last_used=2)
>>> make_policy('fifo').victim([a, b], now=6).object_id, make_policy('lru').victim([a, b], now=6).object_id
('a', 'b')
"""
from __future__ import annotations

from abc import ABC, abstractmethod

from typing import Iterable

from .entry import StmEntry


class ReplacementPolicy(ABC):
    """Base: subclasses implement :meth:`keep_score` (higher = keep)."""

    name = 'base'

    @abstractmethod
    def keep_score(self, e: StmEntry, now: int) -> float | tuple:
        """How much ``e`` deserves to stay at logical time ``now`` (higher = keep)."""

    def victim(self, entries: Iterable[StmEntry], now: int) -> StmEntry:
        """The entry to evict: lowest keep score, then earliest insertion."""
        return min(entries, key=lambda e: (self.keep_score(e, now), e.inserted))


class Fifo(ReplacementPolicy):
    name = 'fifo'

    def keep_score(self, e, now):
        return e.inserted


class Lru(ReplacementPolicy):
    name = 'lru'

    def keep_score(self, e, now):
        return e.last_used


class Lfu(ReplacementPolicy):
    name = 'lfu'

    def keep_score(self, e, now):
        return (e.access_count, e.last_used)


class KarmaScored(ReplacementPolicy):
    """``(hit_count + 1) / (access_count + 2) * 0.5 ** ((now - last_used) / half_life)``."""

    name = 'karma'

    def __init__(self, half_life: float = 8.0):
        if half_life <= 0:
            raise ValueError('half_life must be > 0')
        self.half_life = float(half_life)

    def keep_score(self, e, now):
        rate = (e.hit_count + 1.0) / (e.access_count + 2.0)
        return rate * 0.5 ** ((now - e.last_used) / self.half_life)


class Mem4Nav(ReplacementPolicy):
    """``lam * access_count - (1 - lam) * (now - last_used)``."""

    name = 'mem4nav'

    def __init__(self, lam: float = 0.5):
        if not 0.0 <= lam <= 1.0:
            raise ValueError('lam must be in [0, 1]')
        self.lam = float(lam)

    def keep_score(self, e, now):
        return self.lam * e.access_count - (1.0 - self.lam) * (now - e.last_used)


POLICIES = {p.name: p for p in (Fifo, Lru, Lfu, KarmaScored, Mem4Nav)}


def make_policy(name: str, half_life: float = 8.0, lam: float = 0.5) -> ReplacementPolicy:
    """Build a policy by name (``fifo``, ``lru``, ``lfu``, ``karma``, ``mem4nav``)."""
    key = name.strip().lower()
    if key not in POLICIES:
        raise ValueError(f'unknown STM policy {name!r} (known: {", ".join(POLICIES)})')
    if key == 'karma':
        return KarmaScored(half_life)
    if key == 'mem4nav':
        return Mem4Nav(lam)
    return POLICIES[key]()
