"""Parse model output into skill calls and validate them against the catalogue and memory.

Model text is data: it is parsed, never executed. Accepted forms of a JSON list element:
``{"skill": "pickup", "args": ["Apple_1"]}``, ``["pickup", "Apple_1"]`` or ``"pickup(Apple_1)"``.
Prose around the list is ignored. Validation checks skill names, arity and argument kinds
(ids must exist in memory; regions for ``explore``), and bounds the length.

>>> parse_plan('Sure! Here: [{"skill": "pickup", "args": ["Apple_1"]}, "drop()"] hope it helps')
[('pickup', ['Apple_1']), ('drop', [])]
>>> from karma_planning.memory_view import MemoryView, MemoryItem
>>> v = MemoryView({'Apple_1': MemoryItem('Apple_1', 'Apple')})
>>> validate_plan([('pickup', ['Knife_9']), ('fly', [])], v)[1][0]
"step 1 pickup: unknown id 'Knife_9'"
"""
from __future__ import annotations

import json
import re

from .memory_view import MemoryView
from karma_domain.skills import SKILLS, WHOLE_MAP, check_call, OPENABLE_TYPES

Step = tuple[str, list[str]]
_CALL = re.compile(r'^\s*([A-Za-z_]+)\s*\((.*)\)\s*$')


class PlanParseError(ValueError):
    """No JSON list of skill calls could be read from the text."""


def _element(el) -> Step:
    if isinstance(el, dict):
        skill = el.get('skill', el.get('name', el.get('action')))
        args = el.get('args', el.get('arguments', []))
        if isinstance(args, str):
            args = [args]
        if not isinstance(skill, str) or not isinstance(args, list):
            raise PlanParseError(f'bad step {el!r}: need "skill" (text) and "args" (list)')
        return skill.strip().lower(), [str(a).strip() for a in args]
    if isinstance(el, list) and el and isinstance(el[0], str):
        return el[0].strip().lower(), [str(a).strip() for a in el[1:]]
    if isinstance(el, str):
        m = _CALL.match(el)
        if m:
            args = [a.strip().strip('"\'') for a in m.group(2).split(',') if a.strip()]
            return m.group(1).lower(), args
    raise PlanParseError(f'bad step {el!r}: expected {{"skill": ..., "args": [...]}}')


def parse_plan(text: str) -> list[Step]:
    """The first JSON list in ``text`` that parses, as (skill, args) pairs."""
    dec = json.JSONDecoder()
    for m in re.finditer(r'\[', text or ''):
        try:
            value, _ = dec.raw_decode(text, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, list) and (not value or not isinstance(value[0], str) or '(' in value[0]):
            return [_element(el) for el in value]
    raise PlanParseError('no JSON list of skill calls found in the output')


def _arg_ok(kind: str, arg: str, view: MemoryView) -> str | None:
    region = view.region_item(arg)
    if kind == 'region':
        # explore also searches inside a container (see skills.py)
        it = view.items.get(arg)
        if region is not None or arg == WHOLE_MAP or (it is not None and it.type in OPENABLE_TYPES):
            return None
        return f'{arg!r} is not a known region or container'
    if kind == 'place':
        return None if (arg in view.items or region is not None) else f'unknown id {arg!r}'
    it = view.items.get(arg)
    if it is None or it.layer == 'region':
        return f'unknown id {arg!r}'
    if kind == 'receptacle' and not it.is_receptacle:
        return f'{arg!r} ({it.type}) is not a receptacle'
    if kind == 'object' and not it.is_movable:
        return f'{arg!r} ({it.type}) cannot be moved'
    return None


def validate_plan(steps: list[Step], view: MemoryView, max_steps: int = 30) -> tuple[list[Step], list[str]]:
    """Return (the valid steps, problems). A plan is valid when problems is empty."""
    good, problems = [], []
    if not steps:
        problems.append('the plan is empty')
    if len(steps) > max_steps:
        problems.append(f'the plan has {len(steps)} steps; at most {max_steps} allowed')
    for n, (skill, args) in enumerate(steps[:max_steps], 1):
        why = check_call(skill, args)
        if why:
            problems.append(f'step {n}: {why}')
            continue
        bad = [p for p in (_arg_ok(k, a, view) for k, a in zip(SKILLS[skill].arg_kinds, args)) if p]
        if bad:
            problems.extend(f'step {n} {skill}: {b}' for b in bad)
            continue
        if SKILLS[skill].arg_kinds[:1] in (('region',), ('place',)):
            reg = view.region_item(args[0])
            if reg is not None and (args[0] not in view.items or view.items[args[0]].layer == 'region'):
                args = [reg.type]   # regions travel by name
        good.append((skill, args))
    if not problems:
        problems = _hand_problems(good, view) + _degenerate(good)
    return good, problems


#: Skills that put down what is held, and those that need something held.
_RELEASES = frozenset({'put', 'drop'})


def _hand_problems(steps: list[Step], view: MemoryView) -> list[str]:
    """Walk the hand through the plan from what the robot reports holding: no put, drop or
    held-object macro with an empty hand, no pickup with a full one. Only a report from the
    robot (``view.hand``) is certain; memory's guess alone is not enough to reject a plan."""
    if view.hand.state == 'unknown':
        return []
    held = view.held_id() or (view.hand.held_type if view.hand.state == 'holding' else None)
    for n, (skill, args) in enumerate(steps, 1):
        if skill == 'pickup':
            if held is not None:
                return [f'step {n} pickup: the hand already holds {held!r}; put it down first']
            held = args[0]
        elif skill in _RELEASES or SKILLS[skill].needs_held:
            if held is None:
                return [f'step {n} {skill}: the hand is empty']
            if skill in _RELEASES:
                held = None
    return []


#: The most times a plan may make one call other than navigate_to/explore: three slices of
#: one apple is a plan, a fourth identical call is a loop (a pickup/drop pair undone and redone).
MAX_SAME_CALL = 3


def would_cycle(steps: list[Step], step: Step) -> bool:
    """True when appending ``step`` makes ``steps`` a plan :func:`_degenerate` rejects
    (constrained decoding never offers such a step)."""
    if step[0] in ('navigate_to', 'explore'):
        return False
    key = (step[0], list(step[1]))
    return sum(1 for s, a in steps if (s, list(a)) == key) >= MAX_SAME_CALL


def _degenerate(steps: list[Step]) -> list[str]:
    """A plan that repeats itself is not a plan: the same call more than
    :data:`MAX_SAME_CALL` times."""
    seen: dict[tuple, int] = {}
    for n, (skill, args) in enumerate(steps, 1):
        if skill in ('navigate_to', 'explore'):
            continue
        key = (skill, tuple(args))
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > MAX_SAME_CALL:
            return [f'step {n}: {skill}({", ".join(args)}) repeated {seen[key]} times; the plan cycles']
    return []


def to_json(steps: list[Step]) -> str:
    """Canonical JSON text of a plan (what prompts show and what is counted as completion)."""
    return json.dumps([{'skill': s, 'args': a} for s, a in steps])
