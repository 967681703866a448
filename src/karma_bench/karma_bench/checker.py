"""Judge task goals from the simulator's ground truth (never from the agent's memory).

Feed :class:`TaskJudge` one snapshot (see :mod:`karma_bench.world` for the format) before
the first action of the task and one after every simulator action, then ask
:meth:`TaskJudge.result`.

>>> j = TaskJudge(["IN(Apple, Fridge)"])
>>> j.observe({"objects": [{"objectId": "Apple|1", "objectType": "Apple"}]})
>>> j.observe({"objects": [{"objectId": "Apple|1", "objectType": "Apple",
...                         "parentReceptacles": ["Fridge|2"]},
...                        {"objectId": "Fridge|2", "objectType": "Fridge"}]})
>>> j.result()
JudgeResult(goals_met=1, goals_total=1, success=True, reached_at=(1,))

State semantics (``STATE(X, s)``; an object qualifies when):

=========== ===========================================================================
sliced      ``isSliced``, or it is a piece (``AppleSliced``, ``EggCracked``)
cooked      ``isCooked``
clean       ALFRED ``cleaned`` flag, or seen going from ``isDirty`` to clean during the
            task (``CleanObject``); and not dirty now. Pieces inherit their source's flags.
dirty       ``isDirty``
filled      ``isFilledWithLiquid``
empty       can hold liquid and ``not isFilledWithLiquid``
open/closed ``isOpen`` / openable and ``not isOpen``
on/off      ``isToggled`` (or a toggleable object that controls it, e.g. a StoveKnob for
            its StoveBurner, is toggled) / switchable and not on
broken      ``isBroken``
hot         ALFRED ``heated`` flag or ``temperature == "Hot"``
cold        ALFRED ``cooled`` flag or ``temperature == "Cold"``
used_up     ``isUsedUp``
picked_up   ``isPickedUp`` or listed in ``inventoryObjects``
=========== ===========================================================================
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from karma_domain.goals import Goal, parse_goal, type_key
from karma_bench.world import World, is_piece, source_id


def _flag(world: World, obj: dict, name: str) -> bool:
    """ALFRED flag of the object or, for a piece, of the object it was cut from."""
    oid = obj.get("objectId", "")
    return bool(world.flags(oid).get(name) or world.flags(source_id(obj)).get(name))


def _switch(world: World, obj: dict) -> tuple[bool, bool]:
    """(switchable, on) for an object, following THOR's controlledObjects links."""
    oid = obj.get("objectId")
    controllers = [c for c in world.objects.values() if oid in (c.get("controlledObjects") or ())]
    switchable = bool(obj.get("toggleable", "isToggled" in obj)) or bool(controllers)
    on = bool(obj.get("isToggled")) or any(c.get("isToggled") for c in controllers)
    return switchable, on


def in_state(world: World, obj: dict, state: str, cleaned: Iterable[str] = ()) -> bool:
    """Whether ``obj`` is in ``state`` (see the module table); ``cleaned`` holds the ids the
    judge saw being cleaned."""
    g = obj.get
    if state == "sliced":
        return bool(g("isSliced")) or is_piece(obj)
    if state == "cooked":
        return bool(g("isCooked"))
    if state == "clean":
        cleaned = set(cleaned)
        was = g("objectId") in cleaned or source_id(obj) in cleaned
        return (was or _flag(world, obj, "cleaned")) and not g("isDirty")
    if state == "dirty":
        return bool(g("isDirty"))
    if state == "filled":
        return bool(g("isFilledWithLiquid"))
    if state == "empty":
        return bool(g("canFillWithLiquid", "isFilledWithLiquid" in obj)) and not g("isFilledWithLiquid")
    if state == "open":
        return bool(g("isOpen"))
    if state == "closed":
        return bool(g("openable", "isOpen" in obj)) and not g("isOpen")
    if state in ("on", "off"):
        switchable, on = _switch(world, obj)
        return on if state == "on" else switchable and not on
    if state == "broken":
        return bool(g("isBroken"))
    if state == "hot":
        return _flag(world, obj, "heated") or g("temperature") == "Hot"
    if state == "cold":
        return _flag(world, obj, "cooled") or g("temperature") == "Cold"
    if state == "used_up":
        return bool(g("isUsedUp"))
    if state == "picked_up":
        return bool(g("isPickedUp")) or g("objectId") in world.held
    raise ValueError(f"unknown state {state!r}")


def _identity(goal_type: str, obj: dict) -> str:
    # A goal naming the piece type itself (TomatoSliced) counts pieces one by one; a goal
    # naming the source (Tomato) counts all pieces of one tomato as that one tomato.
    if type_key(obj.get("objectType", "")) == type_key(goal_type):
        return obj.get("objectId", "")
    return source_id(obj)


def satisfiers(goal: Goal, world: World, cleaned: Iterable[str] = ()) -> set[str]:
    """Distinct objects (by :func:`_identity`) that satisfy ``goal`` in ``world``."""
    out: set[str] = set()
    cleaned = frozenset(cleaned)
    for obj in world.of_type(goal.obj):
        oid = obj["objectId"]
        if goal.kind == "in":
            ok = any(world.is_receptacle_type(world.objects[a], goal.arg)
                     for a in world.ancestors(oid) if a in world.objects)
        elif goal.kind == "holding":
            ok = oid in world.held
        else:
            ok = in_state(world, obj, goal.arg, cleaned)
        if ok:
            out.add(_identity(goal.obj, obj))
    return out


def holds(goal: Goal | str, snapshot: dict[str, Any] | World, cleaned: Iterable[str] = ()) -> bool:
    """Whether one goal holds in one snapshot.

    >>> holds("HOLDING(mug)", {"objects": [], "inventoryObjects": [
    ...     {"objectId": "Mug|1", "objectType": "Mug"}]})
    True
    """
    g = parse_goal(goal) if isinstance(goal, str) else goal
    w = snapshot if isinstance(snapshot, World) else World(snapshot)
    return len(satisfiers(g, w, cleaned)) >= g.count


@dataclass(frozen=True)
class JudgeResult:
    """goals_met: goals holding at the end (unordered) or milestones reached in order with
    the last one holding at the end (ordered). reached_at: per goal, the index of the
    observation where it first held (in order for ordered tasks), None if never."""

    goals_met: int
    goals_total: int
    success: bool
    reached_at: tuple[int | None, ...]


class TaskJudge:
    """Incremental judge for one task.

    ``ordered=False``: success when every goal holds at the last observation.
    ``ordered=True``: goal k must hold at an observation at or after the one where goal k-1
    was reached, i.e. first held after goal k-2 was reached (a chain, so a goal that held
    only before its predecessor does not count); several goals may be reached by the same
    observation, and the last goal must hold at the last observation. Observe the state at
    the start of the task too: a goal that already holds then counts as reached at step 0.
    """

    def __init__(self, goals: Sequence[Goal | str], ordered: bool = False):
        self.goals = tuple(parse_goal(g) if isinstance(g, str) else g for g in goals)
        if not self.goals:
            raise ValueError("a task needs at least one goal")
        self.ordered = ordered
        self.steps = 0  # observations so far
        self._next = 0  # ordered: index of the next milestone
        self._reached: list[int | None] = [None] * len(self.goals)
        self._final: list[bool] = [False] * len(self.goals)
        self._was_dirty: set[str] = set()
        self._cleaned: set[str] = set()

    def observe(self, snapshot: dict[str, Any]) -> None:
        """Record one ground-truth snapshot (the state after a simulator step)."""
        world = World(snapshot)
        for oid, o in world.objects.items():
            if o.get("isDirty"):
                self._was_dirty.add(oid)
            elif oid in self._was_dirty:
                self._cleaned.add(oid)
        step = self.steps
        self.steps += 1
        self._final = [holds(g, world, self._cleaned) for g in self.goals]
        if self.ordered:
            while self._next < len(self.goals) and self._final[self._next]:
                self._reached[self._next] = step
                self._next += 1
        else:
            for i, ok in enumerate(self._final):
                if ok and self._reached[i] is None:
                    self._reached[i] = step

    def result(self) -> JudgeResult:
        """Outcome so far (call after the task's last observation)."""
        n = len(self.goals)
        if not self.ordered:
            met = sum(self._final)
        else:
            met = self._next
            if met == n and not self._final[-1]:
                met -= 1  # the last milestone was reached but undone before the end
        return JudgeResult(met, n, met == n, tuple(self._reached))
