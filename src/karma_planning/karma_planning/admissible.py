"""Admissible next steps: a small symbolic state (hand, where the robot is, what is open)
and the skill calls whose preconditions hold in it (see ``skills`` for the semantics).

Used by constrained decoding (the model only chooses among these) and by the reference planner.

>>> from karma_planning.memory_view import MemoryView, MemoryItem
>>> v = MemoryView({'Apple_1': MemoryItem('Apple_1', 'Apple'),
...                 'Plate_1': MemoryItem('Plate_1', 'Plate', 'receptacle')})
>>> s = SymState.initial(v)
>>> [st for st in admissible(s, v, ['Apple_1', 'Plate_1']) if st[0] != 'navigate_to']
[]
>>> s = s.after(('navigate_to', ['Apple_1']), v)
>>> admissible(s, v, ['Apple_1', 'Plate_1'])
[('pickup', ['Apple_1']), ('slice', ['Apple_1'])]
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .memory_view import MemoryView
from .skills import OPENABLE_TYPES, SLICEABLE_TYPES, TOGGLEABLE_TYPES

Step = tuple[str, list[str]]
_TRUE = (True, 'true')


@dataclass(frozen=True)
class SymState:
    holding: str | None = None
    near: str | None = None
    opened: frozenset = field(default_factory=frozenset)
    toggled: frozenset = field(default_factory=frozenset)
    explored: bool = False
    moved: bool = False        # the last step was navigate_to

    @classmethod
    def initial(cls, view: MemoryView) -> 'SymState':
        held = None
        opened, toggled = set(), set()
        for it in view.items.values():
            st = {**it.states, **(it.recent or {})}
            if st.get('held') in _TRUE or st.get('isPickedUp') in _TRUE:
                held = it.id
            if st.get('open') in _TRUE or st.get('isOpen') in _TRUE:
                opened.add(it.id)
            if st.get('toggled') in _TRUE or st.get('isToggled') in _TRUE:
                toggled.add(it.id)
        return cls(held, None, frozenset(opened), frozenset(toggled))

    def after(self, step: Step, view: MemoryView) -> 'SymState':
        skill, args = step
        a = args[0] if args else None
        if skill == 'navigate_to':
            return replace(self, near=a, moved=True)
        self = replace(self, moved=False)
        if skill == 'explore':
            return replace(self, near=None, explored=True)
        if skill == 'pickup':
            return replace(self, holding=a)
        if skill in ('put', 'drop'):
            return replace(self, holding=None)
        if skill == 'open':
            return replace(self, opened=self.opened | {a})
        if skill == 'close':
            return replace(self, opened=self.opened - {a})
        if skill == 'toggle_on':
            return replace(self, toggled=self.toggled | {a})
        if skill == 'toggle_off':
            return replace(self, toggled=self.toggled - {a})
        if skill in ('clean', 'heat', 'cool', 'fill'):
            return replace(self, near=None)   # macros move the robot to the appliance
        return self


def admissible(state: SymState, view: MemoryView, ids: list[str], regions: list[str] = ()) -> list[Step]:
    """Skill calls over ``ids`` (and ``regions`` for explore) allowed in ``state``."""
    if state.explored:
        return []   # the executor replans after exploring
    out: list[Step] = []
    items = [view.items[i] for i in ids if i in view.items and view.items[i].layer != 'region']
    if not state.moved:   # two navigate_to in a row never help
        out += [('navigate_to', [it.id]) for it in items if it.id != state.near]
    near = view.items.get(state.near) if state.near else None
    h = state.holding
    if near is not None:
        t = near.type
        if h is None and near.is_movable:
            out.append(('pickup', [near.id]))
        if h is not None and h != near.id and near.is_receptacle and (
                t not in OPENABLE_TYPES or near.id in state.opened):
            out.append(('put', [near.id]))
        # next to an object, its receptacle is within reach too (open the fridge it is in)
        for x in (near, view.items.get(near.receptacle)):
            if x is not None and x.type in OPENABLE_TYPES:
                out.append(('close' if x.id in state.opened else 'open', [x.id]))
            if x is not None and x.type in TOGGLEABLE_TYPES:
                out.append(('toggle_off' if x.id in state.toggled else 'toggle_on', [x.id]))
        if t in SLICEABLE_TYPES and h != near.id:
            out.append(('slice', [near.id]))
    if h is not None:
        out += [(s, [h]) for s in ('clean', 'heat', 'cool', 'fill')]
        out.append(('drop', []))
    out += [('explore', [r]) for r in regions]
    return out
