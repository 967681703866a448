"""Checks a suite's tasks against the iTHOR scene data (see :mod:`karma_bench.scenedata`).

Used by ``clean_alfred_l`` and by the tests that load every suite in ``suites/``.

>>> from karma_domain.goals import parse_goal
>>> goal_problems(parse_goal("IN(Apple, Sofa)"), "FloorPlan1")  # doctest: +SKIP
["IN(Apple, Sofa): no 'Sofa' in FloorPlan1"]
"""
from __future__ import annotations

from karma_bench.checker import TaskJudge, holds
from karma_domain.goals import Goal, type_key
from karma_bench.scenedata import compatible, scene_objects, scene_types, type_in_scene
from karma_domain.pieces import is_piece_type


def goal_problems(goal: Goal, scene: str,
                  allowed: frozenset[tuple[str, str]] = frozenset()) -> list[str]:
    """Problems of one goal in one scene: absent types, too few objects for ``N*``,
    placements ALFWorld's table rejects (unless ``(obj, receptacle)`` is in ``allowed``,
    lower-cased), receptacles that hold nothing in the scene."""
    out = []
    for i, t in enumerate(goal.types()):
        if not type_in_scene(t, scene, receptacle=(goal.kind == "in" and i == 1)):
            out.append(f"{goal.text}: no {t!r} in {scene}")
    if out:
        return out
    if goal.count > 1:
        n = sum(1 for o in scene_objects(scene) if type_key(o["objectType"]) == type_key(goal.obj))
        piece = is_piece_type(goal.obj)
        if n < goal.count and not piece:
            out.append(f"{goal.text}: only {n} {goal.obj} in {scene}")
    if goal.kind == "in":
        key = (type_key(goal.obj), type_key(goal.arg))
        ok = compatible(goal.obj, goal.arg)
        if ok is False and key not in allowed:
            out.append(f"{goal.text}: ALFWorld's VAL_RECEPTACLE_OBJECTS has no {goal.obj} in"
                       f" {goal.arg}")
        if ok is None:
            holders = {type_key(o["objectType"]) for o in scene_objects(scene) if o.get("receptacle")}
            if type_key(goal.arg) not in holders:
                out.append(f"{goal.text}: {goal.arg} is not a receptacle in {scene}")
    return out


def initial_snapshot(scene: str) -> dict:
    """The scene's state at reset as a checker snapshot (nothing held, no ALFRED flags)."""
    return {"objects": scene_objects(scene), "alfred": {}, "inventoryObjects": []}


def solved_at_reset(goals, ordered: bool, scene: str) -> tuple[bool, list[str]]:
    """(task already succeeds at reset, texts of goals that already hold at reset)."""
    snap = initial_snapshot(scene)
    judge = TaskJudge(goals, ordered)
    judge.observe(snap)
    res = judge.result()
    return res.success, [g.text for g in judge.goals if holds(g, snap)]


def task_allowed(task) -> frozenset[tuple[str, str]]:
    """Placements a suite task declares as deliberate although ALFWorld's table lacks them
    (its ``allowed_placements`` key, a list of ``[obj, receptacle]``)."""
    pairs = task.extra.get("allowed_placements") or []
    return frozenset((type_key(o), type_key(r)) for o, r in pairs)


def change_problems(change, scene: str) -> list[str]:
    """Problems of one change of a task's ``before`` that the scene data shows: the object or
    the receptacle type absent, or a move THOR's receptacle rules reject."""
    text = ", ".join(f"{k}: {v}" for k, v in change.as_dict().items())
    if not type_in_scene(change.type, scene):
        return [f"before {{{text}}}: no {change.type!r} in {scene}"]
    if change.verb != "move":
        return []
    if not type_in_scene(change.to, scene, receptacle=True):
        return [f"before {{{text}}}: no receptacle {change.to!r} in {scene}"]
    if compatible(change.type, change.to) is False:
        return [f"before {{{text}}}: ALFWorld's VAL_RECEPTACLE_OBJECTS has no {change.type} in"
                f" {change.to}"]
    return []


def suite_problems(suite) -> list[str]:
    """Every goal problem of a loaded suite, every change of a ``before`` the scene cannot
    take, plus first tasks already solved at reset."""
    out = []
    for ep in suite.episodes:
        for i, task in enumerate(ep.tasks):
            where = f"{ep.id}/{task.id}"
            out += [f"{where}: {p}" for c in task.before for p in change_problems(c, ep.scene)]
            try:
                for g in task.goals:
                    out += [f"{where}: {p}" for p in goal_problems(g, ep.scene, task_allowed(task))]
            except KeyError as e:
                out.append(f"{where}: {e}")
                continue
            # Only the first task sees the scene as reset; later ones see earlier tasks' work.
            if i == 0 and solved_at_reset(task.goals, task.ordered, ep.scene)[0]:
                out.append(f"{where}: already succeeds at reset")
    return out
