"""Loader and validator for task suites in ``karma-task-suite/1``.

Required keys: suite ``format``, ``name``, ``episodes``; episode ``id``, ``scene``,
``tasks``; task ``id``, ``category``, ``instruction``, ``goals``. Optional with defaults:
episode ``seed`` (0), task ``ordered`` (false), task ``before`` (no changes behind the robot's
back; each change is checked here, applied by the bridge: karma_thor_bridge.world_change).
Unknown keys anywhere are ignored (kept in ``extra`` for tools such as the ALFRED-L
``dropped`` list).

>>> s = suite_from_dict({"format": "karma-task-suite/1", "name": "x", "episodes": [
...     {"id": "e1", "scene": "FloorPlan1", "tasks": [
...         {"id": "t1", "category": "simple", "instruction": "Put the apple in the fridge.",
...          "goals": ["IN(Apple, Fridge)"]}]}]})
>>> s.episodes[0].tasks[0].goals[0].arg
'Fridge'
>>> suite_from_dict({"format": "karma-task-suite/1", "name": "x", "episodes": [
...     {"id": "e1", "scene": "FloorPlan1", "tasks": [{"id": "t1", "category": "simple",
...      "instruction": "?"}]}]})
Traceback (most recent call last):
...
karma_bench.suite.SuiteError: episode 'e1' task 't1': missing required key 'goals'
>>> suite_from_dict({"format": "karma-task-suite/1", "name": "x", "episodes": [
...     {"id": "e1", "scene": "FloorPlan1", "tasks": [{"id": "t1", "category": "simple",
...      "instruction": "Find the mug.", "goals": ["HOLDING(Mug)"],
...      "before": [{"move": "Mug", "to": "Cabinet"}]}]}]}).episodes[0].tasks[0].before
(Change(verb='move', type='Mug', to='Cabinet', state=''),)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from karma_domain.goals import Goal, GoalParseError, parse_goal
from karma_thor_bridge.world_change import Change, ChangeError, parse_changes

FORMAT = "karma-task-suite/1"
CATEGORIES = ("simple", "composite", "complex")


class SuiteError(ValueError):
    """The suite is malformed; the message names the episode and task at fault."""


@dataclass(frozen=True)
class Task:
    id: str
    category: str
    instruction: str
    goals: tuple[Goal, ...]
    ordered: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Changes someone else makes after the previous task and before this one's first plan.
    before: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Episode:
    id: str
    scene: str
    seed: int
    tasks: tuple[Task, ...]
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Suite:
    name: str
    episodes: tuple[Episode, ...]
    format: str = FORMAT
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def tasks(self):
        """Yield ``(episode, task)`` pairs in run order."""
        for ep in self.episodes:
            for t in ep.tasks:
                yield ep, t


def _req(d: Any, key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(d, dict):
        raise SuiteError(f"{where}: expected a JSON object, got {type(d).__name__}")
    if key not in d:
        raise SuiteError(f"{where}: missing required key {key!r}")
    value = d[key]
    # bool is an int in Python; a seed of `true` is still a mistake.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SuiteError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def _extra(d: dict, known: set[str]) -> dict:
    return {k: v for k, v in d.items() if k not in known}


def _task(d: Any, ep_id: str, index: int) -> Task:
    tid = d.get("id") if isinstance(d, dict) else None
    where = f"episode {ep_id!r} task {tid if tid is not None else '#' + str(index)!r}"
    tid = _req(d, "id", where, str)
    category = _req(d, "category", where, str)
    if category not in CATEGORIES:
        raise SuiteError(f"{where}: category {category!r} is not one of {', '.join(CATEGORIES)}")
    instruction = _req(d, "instruction", where, str)
    raw_goals = _req(d, "goals", where, list)
    if not raw_goals:
        raise SuiteError(f"{where}: 'goals' is empty")
    try:
        goals = tuple(parse_goal(g) for g in raw_goals)
    except GoalParseError as e:
        raise SuiteError(f"{where}: {e}") from None
    ordered = d.get("ordered", False)
    if not isinstance(ordered, bool):
        raise SuiteError(f"{where}: 'ordered' must be true or false")
    try:
        before = tuple(parse_changes(d.get("before", [])))
    except ChangeError as e:
        raise SuiteError(f"{where}: 'before': {e}") from None
    known = {"id", "category", "instruction", "goals", "ordered", "before"}
    return Task(tid, category, instruction, goals, ordered, _extra(d, known), before)


def _episode(d: Any, index: int) -> Episode:
    eid = d.get("id") if isinstance(d, dict) else None
    where = f"episode {eid if eid is not None else '#' + str(index)!r}"
    eid = _req(d, "id", where, str)
    scene = _req(d, "scene", where, str)
    seed = d.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise SuiteError(f"{where}: 'seed' must be an integer")
    raw_tasks = _req(d, "tasks", where, list)
    if not raw_tasks:
        raise SuiteError(f"{where}: 'tasks' is empty")
    tasks = tuple(_task(t, eid, i) for i, t in enumerate(raw_tasks))
    ids = [t.id for t in tasks]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SuiteError(f"{where}: duplicate task id(s) {sorted(dup)}")
    return Episode(eid, scene, seed, tasks, _extra(d, {"id", "scene", "seed", "tasks"}))


def suite_from_dict(d: Any) -> Suite:
    """Validate a decoded suite document and return a :class:`Suite`."""
    fmt = _req(d, "format", "suite", str)
    if fmt != FORMAT:
        raise SuiteError(f"suite: format {fmt!r} is not {FORMAT!r}")
    name = _req(d, "name", "suite", str)
    episodes = tuple(_episode(e, i) for i, e in enumerate(_req(d, "episodes", "suite", list)))
    ids = [e.id for e in episodes]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SuiteError(f"suite {name!r}: duplicate episode id(s) {sorted(dup)}")
    return Suite(name, episodes, fmt, _extra(d, {"format", "name", "episodes"}))


def load_suite(path: str | Path) -> Suite:
    """Read and validate a suite file (UTF-8 JSON)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise SuiteError(f"{path}: not valid JSON ({e})") from None
    return suite_from_dict(data)
