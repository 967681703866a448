"""The short-term memory: bounded, policy-driven, with consolidation into long-term memory.

Changes come from perception (:meth:`ShortTermMemory.observe`, which records only what differs
from what the memory holds or last saw) and from skills (:meth:`apply_skill_result`). Usage
comes back from the planner (:meth:`count_usage`, fed by karma_interfaces/MemoryUsage):

- every retrieved id the STM holds gets ``access_count += 1``;
- a **hit** is a referenced id that was retrieved AND is held (``hit_count += 1``);
- a **miss** is any other referenced id (the plan needed an object whose recent state the STM
  did not supply).

Nothing is lost silently: an evicted entry, and an entry unchanged for ``stable_after_s``
seconds (see :meth:`consolidate_stable`), is handed to ``on_consolidate(entry, reason)``.

>>> stm = ShortTermMemory(capacity=4, policy='lru', clock=lambda: 0.0)
>>> stm.observe('Fridge_1', 'Fridge', {'open': False}) is None     # first sighting: baseline
True
>>> stm.observe('Fridge_1', 'Fridge', {'open': True}).states
{'open': True}
>>> stm.count_usage(['Fridge_1'], ['Fridge_1', 'Apple_1']), stm.stats.hit_rate
((1, 1), 0.5)
"""
from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterable

from .entry import StmEntry, parse_state_string, states_from_thor
from .policies import ReplacementPolicy, make_policy

Consolidate = Callable[[StmEntry, str], None]


@dataclass
class PolicyStats:
    """Counters of one policy since the last reset."""

    policy: str
    hits: int = 0
    misses: int = 0
    evictions: int = 0

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class ShortTermMemory:
    """Bounded buffer of recent object-state changes (see the module docstring)."""

    def __init__(self, capacity: int = 32, policy: str | ReplacementPolicy = 'karma',
                 on_consolidate: Consolidate | None = None, stable_after_s: float = 30.0,
                 clock: Callable[[], float] = time.time, baseline_capacity: int = 4096,
                 move_threshold_m: float = 0.05, record_first_sighting: bool = False,
                 half_life: float = 8.0, lam: float = 0.5):
        if capacity < 1:
            raise ValueError('capacity must be >= 1')
        self.capacity = int(capacity)
        self.policy = make_policy(policy, half_life, lam) if isinstance(policy, str) else policy
        self.on_consolidate = on_consolidate
        self.stable_after_s = float(stable_after_s)
        self.clock = clock
        self.baseline_capacity = int(baseline_capacity)
        self.move_threshold_m = float(move_threshold_m)
        self.record_first_sighting = record_first_sighting
        self.reset()

    # -- state -------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every entry, the perception baseline and the statistics."""
        self._entries: dict[str, StmEntry] = {}
        self._baseline: OrderedDict[str, tuple] = OrderedDict()
        self._tick = 0
        self.stats = PolicyStats(self.policy.name)
        # Change log for persistence (karma_memory.short_term.store): ids whose entry or
        # baseline changed, and whether everything was forgotten since the last save.
        self._changed: set[str] = set()
        self._cleared = True

    def take_changes(self) -> tuple[set[str], bool]:
        """Return and reset ``(ids changed, cleared)`` since the last call."""
        out = (self._changed, self._cleared)
        self._changed, self._cleared = set(), False
        return out

    def restore(self, entries: list[StmEntry], baseline: list[tuple], tick: int,
                stats: PolicyStats) -> None:
        """Put back a saved state (entries, baseline oldest first, the tick and statistics)."""
        self.reset()
        self._entries = {e.object_id: e for e in entries}
        for oid, states, receptacle_id, position in baseline[-self.baseline_capacity:]:
            self._baseline[oid] = (states, receptacle_id, position)
        self._tick = tick
        self.stats = stats
        self.take_changes()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, object_id: str) -> bool:
        return object_id in self._entries

    def get(self, object_id: str) -> StmEntry | None:
        return self._entries.get(object_id)

    def ids(self) -> list[str]:
        return list(self._entries)

    def _advance(self) -> int:
        self._tick += 1
        return self._tick

    # -- writing -----------------------------------------------------------------------
    def record(self, object_id: str, object_type: str, states: dict, position=None,
               receptacle_id: str | None = None, source: str = 'perception', step: int = 0,
               stamp: float | None = None) -> StmEntry:
        """Record a change (states in short or THOR names); evicts per policy when full."""
        now = self._advance()
        stamp = self.clock() if stamp is None else float(stamp)
        states = states_from_thor(states)
        e = self._entries.get(object_id)
        if e is None:
            if len(self._entries) >= self.capacity:
                self._evict(now)
            e = StmEntry(object_id, object_type, inserted=now)
            self._entries[object_id] = e
        e.object_type = object_type or e.object_type
        e.states.update(states)
        if position is not None:
            e.position = tuple(float(v) for v in position)
        if receptacle_id is not None:
            e.receptacle_id = receptacle_id
        e.stamp, e.step, e.source = stamp, int(step), source
        e.last_used, e.consolidated = now, False
        # The stability clock is this memory's own: a publisher's stamp may come from a clock
        # that is ahead, behind or simulated.
        e.changed_at = self.clock()
        self._remember(e.object_id, e.states, e.receptacle_id, e.position)
        return e

    def _evict(self, now: int) -> None:
        victim = self.policy.victim(self._entries.values(), now)
        del self._entries[victim.object_id]
        self._changed.add(victim.object_id)
        self.stats.evictions += 1
        if self.on_consolidate is not None:
            self.on_consolidate(victim, 'evicted')

    def _remember(self, object_id, states, receptacle_id, position) -> None:
        self._baseline[object_id] = (dict(states), receptacle_id, position)
        self._baseline.move_to_end(object_id)
        self._changed.add(object_id)
        while len(self._baseline) > self.baseline_capacity:
            self._changed.add(self._baseline.popitem(last=False)[0])

    def observe(self, object_id: str, object_type: str, states: dict, position=None,
                receptacle_id: str | None = None, step: int = 0,
                stamp: float | None = None) -> StmEntry | None:
        """Perception input: record only what changed against the held entry or baseline.

        Returns the entry when a change was recorded, else None. The first sighting of an
        object only sets its baseline (unless ``record_first_sighting``).
        """
        states = states_from_thor(states)
        held = self._entries.get(object_id)
        prev = (held.states, held.receptacle_id, held.position) if held else self._baseline.get(object_id)
        if prev is None:
            if self.record_first_sighting:
                return self.record(object_id, object_type, states, position, receptacle_id,
                                   'perception', step, stamp)
            self._remember(object_id, states, receptacle_id or '', position)
            return None
        pstates, prec, ppos = prev
        changed = {k: v for k, v in states.items() if pstates.get(k) != v}
        moved = (position is not None and ppos is not None
                 and math.dist(tuple(position), ppos) > self.move_threshold_m)
        rec_changed = bool(receptacle_id) and receptacle_id != prec
        if not (changed or moved or rec_changed):
            return None
        return self.record(object_id, object_type, states, position, receptacle_id,
                           'perception', step, stamp)

    def apply_skill_result(self, object_ids: list[str], object_states: list[str],
                           held_object_id: str = '', object_types: dict | None = None,
                           step: int = 0, stamp: float | None = None) -> list[StmEntry]:
        """Skill input (SkillResult fields): record the reported states and the hand.

        ``object_types`` maps ids to types when known (else the type is read from the id's
        prefix, ``Apple|+1|...`` or ``Apple_3`` -> ``Apple``).
        """
        types = object_types or {}
        out = []
        for i, oid in enumerate(object_ids):
            states = parse_state_string(object_states[i]) if i < len(object_states) else {}
            if oid == held_object_id:
                states['held'] = True
            out.append(self.record(oid, types.get(oid) or _type_of(oid), states,
                                   source='skill', step=step, stamp=stamp))
        for oid, e in list(self._entries.items()):
            if e.states.get('held') and oid != held_object_id:
                out.append(self.record(oid, e.object_type, {'held': False}, source='skill',
                                       step=step, stamp=stamp))
        if held_object_id and held_object_id not in object_ids:
            out.append(self.record(held_object_id, types.get(held_object_id) or _type_of(held_object_id),
                                   {'held': True}, source='skill', step=step, stamp=stamp))
        return out

    def set_held(self, held_object_id: str, object_type: str = '', step: int = 0,
                 stamp: float | None = None) -> list[StmEntry]:
        """The robot's own state: ``held_object_id`` is in the hand ('' = the hand is empty).

        Every other entry believed held is released; returns the entries that changed.
        """
        out = []
        for oid, e in list(self._entries.items()):
            if e.states.get('held') and oid != held_object_id:
                out.append(self.record(oid, e.object_type, {'held': False}, source='robot_state',
                                       step=step, stamp=stamp))
        if held_object_id:
            e = self._entries.get(held_object_id)
            if e is None or not e.states.get('held'):
                kind = object_type or (e.object_type if e else '') or _type_of(held_object_id)
                out.append(self.record(held_object_id, kind, {'held': True}, source='robot_state',
                                       step=step, stamp=stamp))
        return out

    # -- usage -------------------------------------------------------------------------
    def count_usage(self, retrieved_ids: Iterable[str], referenced_ids: Iterable[str]) -> tuple[int, int]:
        """Apply one MemoryUsage: access counts, hits and misses. Returns (hits, misses)."""
        now = self._advance()
        retrieved = set(retrieved_ids)
        for oid in retrieved:
            e = self._entries.get(oid)
            if e is not None:
                e.access_count += 1
                e.last_used = now
                self._changed.add(oid)
        hits = misses = 0
        for oid in dict.fromkeys(referenced_ids):
            e = self._entries.get(oid)
            if e is not None and oid in retrieved:
                e.hit_count += 1
                hits += 1
                self._changed.add(oid)
            else:
                misses += 1
        self.stats.hits += hits
        self.stats.misses += misses
        return hits, misses

    def consolidate_stable(self, now: float | None = None) -> list[StmEntry]:
        """Hand entries unchanged for ``stable_after_s`` to the callback (once per change)."""
        now = self.clock() if now is None else now
        done = []
        for e in self._entries.values():
            if not e.consolidated and now - e.changed_at >= self.stable_after_s:
                e.consolidated = True
                self._changed.add(e.object_id)
                done.append(e)
                if self.on_consolidate is not None:
                    self.on_consolidate(e, 'stable')
        return done

    # -- reading -----------------------------------------------------------------------
    def query(self, query: str = '', max_results: int = 0) -> list[StmEntry]:
        """Entries newest first; ``query`` filters by exact id or type (case-insensitive)."""
        q = query.strip().lower()
        hits = [e for e in self._entries.values()
                if not q or e.object_id.lower() == q or e.object_type.lower() == q]
        hits.sort(key=lambda e: (e.stamp, e.last_used), reverse=True)
        return hits[:max_results] if max_results else hits


def _type_of(object_id: str) -> str:
    """``'Apple|+01|..'`` or ``'Apple_3'`` -> ``'Apple'``."""
    head = object_id.split('|', 1)[0]
    base, _, tail = head.rpartition('_')
    return base if base and tail.isdigit() else head
