"""The reference planner: a GOAL ORACLE for benchmarks (backend "reference (goal oracle)").

It reads the request's goals (karma-task-suite/1 syntax), not the instruction, and picks
object ids by type from memory (retrieved ids first). Plans follow the skill semantics of
``karma_planning.skills``. When memory has no object of a needed type it emits
``explore(region)`` over the known regions and stops (the executor replans after exploring).

>>> from karma_planning.memory_view import MemoryView
>>> v = MemoryView.from_graph([
...     {'id': 'Fridge_1', 'layer': 'receptacle', 'type': 'Fridge'},
...     {'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'},
...     {'id': 'CounterTop_1', 'layer': 'receptacle', 'type': 'CounterTop'}],
...     [{'source': 'Apple_1', 'target': 'CounterTop_1', 'relation': 'on'}])
>>> steps, msg = reference_plan(['IN(Apple, Fridge)'], v)
>>> [f'{s}({",".join(a)})' for s, a in steps]
['navigate_to(Apple_1)', 'pickup(Apple_1)', 'navigate_to(Fridge_1)', 'open(Fridge_1)', 'put(Fridge_1)', 'close(Fridge_1)']
>>> reference_plan(['STATE(Egg, cooked)'], v)
([], 'memory has no Egg and no region to explore')
"""
from __future__ import annotations

import re

from .admissible import SymState
from .memory_view import MemoryItem, MemoryView
from .skills import OPENABLE_TYPES

BACKEND_NAME = 'reference (goal oracle)'
Step = tuple[str, list[str]]
_GOAL = re.compile(r'^\s*(?:(\d+)\s*\*\s*)?([A-Za-z_]+)\s*\((.*)\)\s*$')
_STATE_SKILL = {'hot': 'heat', 'cooked': 'heat', 'cold': 'cool', 'clean': 'clean',
                'filled': 'fill', 'empty': 'empty'}


def parse_goal(text: str) -> tuple[str, str, str | None, int]:
    """(kind, X, arg, N) with kind in/state/holding; raises ValueError on bad goals.

    >>> parse_goal('2*ON(plate, CoffeeTable)'), parse_goal('TOGGLEON(Faucet)')
    (('in', 'plate', 'CoffeeTable', 2), ('state', 'Faucet', 'on', 1))
    """
    m = _GOAL.match(text or '')
    if not m:
        raise ValueError(f'bad goal {text!r}')
    n, pred, inner = int(m.group(1) or 1), m.group(2).lower(), [a.strip() for a in m.group(3).split(',')]
    if pred in ('in', 'on', 'inside') and len(inner) == 2:
        return 'in', inner[0], inner[1], n
    if pred == 'state' and len(inner) == 2:
        return 'state', inner[0], inner[1].lower(), n
    if pred in ('toggleon', 'toggleoff') and len(inner) == 1:
        return 'state', inner[0], 'on' if pred == 'toggleon' else 'off', n
    if pred == 'holding' and len(inner) == 1:
        return 'holding', inner[0], None, n
    raise ValueError(f'bad goal {text!r}')


class _Builder:
    def __init__(self, view: MemoryView, prefer: list[str]):
        self.view, self.steps = view, []
        self.rank = {i: n for n, i in enumerate(prefer)}
        self.state = SymState.initial(view)
        self.used: set[str] = set()

    def add(self, skill: str, *args: str) -> None:
        step = (skill, list(args))
        self.steps.append(step)
        self.state = self.state.after(step, self.view)

    def pick(self, type_name: str, exclude=(), avoid_in: str | None = None) -> MemoryItem | None:
        cands = [it for it in self.view.by_type(type_name) if it.id not in exclude]
        if not cands:
            return None

        def key(it):
            rec = self.view.items.get(it.receptacle)
            in_target = bool(avoid_in and rec and rec.type.lower() == avoid_in.lower())
            return (it.id != self.state.holding, in_target, self.rank.get(it.id, 1 << 30), it.id)
        return min(cands, key=key)

    def goto(self, it: MemoryItem) -> None:
        if self.state.near != it.id:
            self.add('navigate_to', it.id)

    def release(self) -> None:
        if self.state.holding is None:
            return
        spot = self.pick('CounterTop') or self.pick('DiningTable')
        if spot is not None:
            self.put(spot)
        else:
            self.add('drop')

    def acquire(self, it: MemoryItem) -> None:
        if self.state.holding == it.id:
            return
        self.release()
        rec = self.view.items.get(it.receptacle)
        self.goto(it)
        opened = rec is not None and rec.type in OPENABLE_TYPES and rec.id not in self.state.opened
        if opened:
            self.add('open', rec.id)
        self.add('pickup', it.id)
        if opened:
            self.add('close', rec.id)

    def put(self, rec: MemoryItem) -> None:
        self.goto(rec)
        opens = rec.type in OPENABLE_TYPES and rec.id not in self.state.opened
        if opens:
            self.add('open', rec.id)
        self.add('put', rec.id)
        if opens:
            self.add('close', rec.id)


def reference_plan(goals: list[str], view: MemoryView, retrieved: list[str] = (),
                   max_steps: int = 40) -> tuple[list[Step], str]:
    """(steps, message) for ``goals`` over ``view``; see the module docstring."""
    parsed = [parse_goal(g) for g in goals]
    if not parsed:
        return [], 'the reference planner needs goals'
    needed = [t for kind, x, arg, _ in parsed for t in ([x, arg] if kind == 'in' else [x])]
    missing = [t for t in dict.fromkeys(needed) if not view.by_type(t)]
    if missing:
        regions = view.region_names()
        if not regions:
            return [], f'memory has no {", ".join(missing)} and no region to explore'
        return [('explore', [r]) for r in regions][:max_steps], f'memory has no {", ".join(missing)}: exploring'
    b = _Builder(view, list(retrieved))
    notes = []
    for kind, x, arg, n in parsed:
        b.used = set()   # N*GOAL needs N distinct objects; different goals may share one
        for _ in range(n):
            obj = b.pick(x, b.used, avoid_in=arg if kind == 'in' else None)
            if obj is None:
                notes.append(f'only {len(b.used)} {x} known')
                break
            b.used.add(obj.id)
            if kind == 'holding' or (kind == 'state' and arg == 'picked_up'):
                b.acquire(obj)
            elif kind == 'in':
                rec = b.pick(arg, exclude={obj.id})
                if view.items.get(obj.receptacle) is rec and b.state.holding != obj.id:
                    continue   # already there
                b.acquire(obj)
                b.put(rec)
            elif arg in _STATE_SKILL:
                b.acquire(obj)
                b.add(_STATE_SKILL[arg], obj.id)
            elif arg == 'sliced':
                if b.state.holding == obj.id:
                    b.release()
                b.goto(obj)
                b.add('slice', obj.id)
            elif arg in ('open', 'closed', 'on', 'off'):
                b.goto(obj)
                b.add({'open': 'open', 'closed': 'close', 'on': 'toggle_on', 'off': 'toggle_off'}[arg], obj.id)
            else:
                notes.append(f'cannot reach state {arg!r}')
    steps = b.steps[:max_steps]
    msg = 'plan from goals (goal oracle)' + (': ' + '; '.join(notes) if notes else '')
    if len(b.steps) > max_steps:
        msg += f'; truncated to {max_steps} steps'
    return steps, msg
