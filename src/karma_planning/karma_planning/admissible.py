"""Admissible next steps: a small symbolic state (hand, where the robot is, what is open,
where objects were put, what this plan already did) and the skill calls whose
preconditions hold in it (see ``skills`` for the semantics).

Used by constrained decoding (the model only chooses among these) and by the reference
planner (which uses only ``SymState`` and its ``holding`` / ``near`` / ``opened`` fields).

Besides the preconditions, :func:`admissible` drops steps that cannot help:
- no-ops: navigate_to where the robot is (or to the held object), open what is open, close
  what is closed, slice what is sliced, a macro (heat, cool, ...) twice on one object;
- undoing the previous step: close right after open, open right after close, toggle_on right
  after toggle_off and toggle_off right after toggle_on, drop right after pickup, putting an object back where this plan took it
  from, picking up what this plan just put down (unless its state changed since);
- repetition: an identical (skill, args) call twice while nothing changed in between (a
  pickup, put, drop, slice, toggle or macro changes the world; navigate/open/close do not);
- dead ends: navigate_to a place where nothing could be done next;
- unreachable objects: pickup, slice or put into something inside a closed container (open
  it first; from next to an object its container is within reach).

:func:`progress` is the goal-free stop rule used by constrained decoding: the instruction's
named object types (:func:`instruction_focus`) against what the plan has acted on.

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
from karma_domain.pieces import base_type  # noqa: F401 - pieces count as their source
from karma_domain.states import is_true
from karma_domain.skills import OPENABLE_TYPES, SLICEABLE_TYPES, TOGGLEABLE_TYPES
from karma_domain.vocabulary import KNOWN_TYPES
from .text import normalise

Step = tuple[str, list[str]]
#: Steps that change the world (objects move or change state): after one, repeating an
#: earlier call can be meaningful again.
CHANGING = frozenset('pickup put drop slice toggle_on toggle_off clean heat cool fill empty'.split())
MACROS = ('clean', 'heat', 'cool', 'fill')
#: Containers that hold liquid (fill / empty make sense only for these).
FILLABLE_TYPES = frozenset('Mug Cup Bowl Pot Kettle Bottle WateringCan Glassbottle WineBottle Pan'.split())


def _key(step: Step) -> tuple:
    return (step[0], tuple(step[1]))


@dataclass(frozen=True)
class SymState:
    holding: str | None = None
    near: str | None = None
    opened: frozenset = field(default_factory=frozenset)
    toggled: frozenset = field(default_factory=frozenset)
    explored: bool = False
    moved: bool = False        # the last step was navigate_to
    # -- plan bookkeeping (constrained decoding; the reference planner ignores it) --------
    last: tuple | None = None                       # (skill, args) of the previous step
    version: int = 0                                # count of world-changing steps so far
    done: frozenset = field(default_factory=frozenset)      # (skill, args, version) done
    placed: tuple = ()                              # ((object, receptacle), ...) put by this plan
    took_from: str | None = None                    # where the held object was picked up from
    sliced: frozenset = field(default_factory=frozenset)
    treated: frozenset = field(default_factory=frozenset)   # (macro, object) done
    acted: frozenset = field(default_factory=frozenset)     # ids a non-navigate step touched
    opened_here: frozenset = field(default_factory=frozenset)   # opened by this plan

    @classmethod
    def initial(cls, view: MemoryView) -> 'SymState':
        held = view.held_id()
        opened, toggled, sliced = set(), set(), set()
        for it in view.items.values():
            st = {**it.states, **(it.recent or {})}   # one spelling (karma_domain.states)
            if is_true(st, 'isOpen'):
                opened.add(it.id)
            if is_true(st, 'isToggled'):
                toggled.add(it.id)
            if is_true(st, 'isSliced'):
                sliced.add(it.id)
        return cls(held, None, frozenset(opened), frozenset(toggled), sliced=frozenset(sliced))

    # -- where things are -------------------------------------------------------------------
    def location(self, obj: str, view: MemoryView) -> str:
        """The receptacle ``obj`` is in now: where this plan put it, '' when held, else memory's."""
        if obj == self.holding:
            return ''
        for o, r in self.placed:
            if o == obj:
                return r
        it = view.items.get(obj)
        return it.receptacle if it is not None else ''

    def reachable(self, obj: str, view: MemoryView) -> bool:
        """False when ``obj`` is inside a closed openable container (open that first)."""
        rec = view.items.get(self.location(obj, view))
        return rec is None or rec.type not in OPENABLE_TYPES or rec.id in self.opened

    def after(self, step: Step, view: MemoryView) -> 'SymState':
        new = self._effect(step, view)
        skill, args = step
        a = args[0] if args else None
        changed = skill in CHANGING
        acted = set(new.acted)
        if skill not in ('navigate_to', 'explore'):
            acted.update(args)
        if skill == 'put' and self.holding:
            acted.add(self.holding)
        if skill == 'pickup' and a:   # carrying a receptacle carries what is in/on it
            acted.update(o for o in view.contents(a) if self.location(o, view) == a)
            acted.update(o for o, r in self.placed if r == a)
        placed, took = new.placed, new.took_from
        if skill == 'pickup' and a:
            took = None if a in self.sliced else self.location(a, view) or None
            placed = tuple(p for p in placed if p[0] != a)
        elif skill == 'put' and self.holding and a:
            placed = tuple(p for p in placed if p[0] != self.holding) + ((self.holding, a),)
            took = None
        elif skill == 'drop':
            took = None
        elif skill in MACROS or skill in ('toggle_on', 'toggle_off', 'slice'):
            took = None   # a state change: putting it back is meaningful now
            placed = () if skill != 'slice' else placed
        return replace(
            new, last=_key(step), version=self.version + changed,
            done=self.done | {(skill, tuple(args), self.version)}, placed=placed, took_from=took,
            sliced=self.sliced | ({a} if skill == 'slice' else set()),
            treated=self.treated | ({(skill, a)} if skill in MACROS else set()),
            acted=frozenset(acted),
            opened_here=(self.opened_here | {a}) if skill == 'open' else self.opened_here - (
                {a} if skill == 'close' else set()))

    def _effect(self, step: Step, view: MemoryView) -> 'SymState':
        """The physical effect of ``step`` (what the reference planner relies on)."""
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

    def repeats(self, step: Step) -> bool:
        """True when this exact call was already made with nothing changed since."""
        return (step[0], tuple(step[1]), self.version) in self.done


_UNDO = {'open': 'close', 'close': 'open', 'toggle_on': 'toggle_off', 'toggle_off': 'toggle_on'}


def _local(state: SymState, view: MemoryView) -> list[Step]:
    """Non-navigation steps allowed where the robot stands."""
    out: list[Step] = []
    near = view.items.get(state.near) if state.near else None
    h = state.holding
    if near is not None:
        t = near.type
        free = near.id != h   # the robot stands where the held object was
        if free and h is None and near.is_movable and state.reachable(near.id, view) and not any(
                o == near.id for o, _ in state.placed):   # taking back what this plan put down
            out.append(('pickup', [near.id]))
        if free and h is not None and near.is_receptacle and (
                t not in OPENABLE_TYPES or near.id in state.opened) \
                and state.reachable(near.id, view) and near.id != state.took_from:
            out.append(('put', [near.id]))
        # next to an object, its container is within reach too (open the fridge it is in)
        seen = set()
        for rid in (near.id, state.location(near.id, view), near.receptacle):
            x = view.items.get(rid) if rid else None
            if x is None or x.id in seen or x.id == h:
                continue
            seen.add(x.id)
            if x.type in OPENABLE_TYPES:
                out.append(('close' if x.id in state.opened else 'open', [x.id]))
            if x.type in TOGGLEABLE_TYPES:
                out.append(('toggle_off' if x.id in state.toggled else 'toggle_on', [x.id]))
        if free and t in SLICEABLE_TYPES and near.id not in state.sliced and state.reachable(near.id, view):
            out.append(('slice', [near.id]))
    if h is not None:
        ht = view.items[h].type if h in view.items else ''
        for s in MACROS:
            if (s, h) not in state.treated and (s != 'fill' or ht in FILLABLE_TYPES):
                out.append((s, [h]))
        if state.last != ('pickup', (h,)):
            out.append(('drop', []))
    keep = []
    for st in out:
        undo = _UNDO.get(st[0])
        if undo and state.last == (undo, tuple(st[1])):
            continue
        if state.repeats(st):
            continue
        keep.append(st)
    return keep


def admissible(state: SymState, view: MemoryView, ids: list[str], regions: list[str] = (),
               explored=()) -> list[Step]:
    """Skill calls over ``ids`` (and ``regions`` not in ``explored`` for explore) allowed in
    ``state`` (see the module docstring for what is left out)."""
    if state.explored:
        return []   # the executor replans after exploring
    out: list[Step] = []
    items = [view.items[i] for i in ids if i in view.items and view.items[i].layer != 'region']
    if not state.moved:   # two navigate_to in a row never help
        for it in items:
            step = ('navigate_to', [it.id])
            if it.id in (state.near, state.holding) or state.repeats(step):
                continue
            if _local(state.after(step, view), view):   # something to do once there
                out.append(step)
    out += _local(state, view)
    left = [r for r in regions if r not in set(explored)]
    out += [('explore', [r]) for r in (left or list(regions))]   # the search cycles, as reference
    return out


# -- the goal-free stop rule ------------------------------------------------------------------

def instruction_focus(instruction: str, view: MemoryView, ids: list[str], synonyms=None) -> list[frozenset]:
    """Groups of object types the instruction names, among the items ``ids``: one group per
    type named directly ("apple"), one per synonym phrase ("red fruit" -> {Apple, Tomato}).
    A group is satisfied when the plan acted on an item of any of its types.

    >>> from karma_planning.memory_view import MemoryItem
    >>> v = MemoryView({'Apple_1': MemoryItem('Apple_1', 'Apple'),
    ...                 'Fridge_1': MemoryItem('Fridge_1', 'Fridge', 'receptacle'),
    ...                 'Mug_1': MemoryItem('Mug_1', 'Mug')})
    >>> sorted(sorted(g) for g in instruction_focus('Put the apple in the fridge.', v, list(v.items)))
    [['Apple'], ['Fridge']]
    """
    types = {base_type(view.items[i].type) for i in ids if i in view.items and view.items[i].layer != 'region'}
    # the one lexical matcher (FindObject's, retrieval's): names only without a synonym table
    matcher = synonyms.matcher() if synonyms is not None else _names_only()
    named, _ = matcher.named(instruction, sorted(types))
    groups: list[frozenset] = [frozenset({t}) for t in sorted(named)]
    if synonyms is not None:
        by_key = {t.lower(): t for t in types}
        for _phrase, ptypes in matcher.synonym_hits(instruction):
            g = frozenset(by_key[t] for t in ptypes if t in by_key) - named
            if g and not any(g <= x or x <= g for x in groups):
                groups.append(g)
    return groups


def instruction_absent(instruction: str, view: MemoryView, synonyms=None) -> frozenset:
    """Catalogue types the instruction names that the view holds nothing of: what the robot
    must find before it can do the task. A type whose name is part of a type the view does
    hold is left out ("bathtub" in "bathtub basin" when only the basin is known).

    >>> from karma_planning.memory_view import MemoryItem
    >>> v = MemoryView({'SinkBasin_1': MemoryItem('SinkBasin_1', 'SinkBasin', 'receptacle')})
    >>> sorted(instruction_absent('Put the cloth on the sink basin.', v))
    ['Cloth']
    >>> sorted(instruction_absent('Put the cloth in the sink.', v))
    ['Cloth']
    """
    present = {base_type(it.type) for it in view.items.values() if it.layer != 'region'}
    present_keys = [t.lower() for t in present]
    candidates = sorted(set(KNOWN_TYPES.values()) - present)
    matcher = synonyms.matcher() if synonyms is not None else _names_only()
    named, _ = matcher.named(instruction, candidates)
    return frozenset(t for t in named if not any(t.lower() in k for k in present_keys))


def _names_only():
    global _NAMES_ONLY
    if _NAMES_ONLY is None:
        from karma_memory.textsearch import TypeMatcher
        _NAMES_ONLY = TypeMatcher({})
    return _NAMES_ONLY


_NAMES_ONLY = None


#: Instruction verbs -> the skill they need (a plan that needs it is not done before using it).
VERBS = {'slice': ('slice', 'cut'), 'heat': ('heat', 'warm', 'microwave'), 'cool': ('cool', 'chill'),
         'clean': ('wash', 'clean', 'rinse'), 'fill': ('fill',), 'toggle_on': ('turn on', 'switch on', 'toast'),
         'toggle_off': ('turn off', 'switch off'), 'put': ('put', 'place', 'move'),
         'pickup': ('pick up', 'grab', 'take', 'bring', 'get', 'hold'), 'open': ('open',), 'close': ('close',)}


def instruction_skills(instruction: str) -> frozenset:
    """Skills the instruction's verbs ask for.

    >>> sorted(instruction_skills('Slice the apple, then put a slice on a plate.'))
    ['put', 'slice']
    """
    norm = normalise(instruction)
    return frozenset(k for k, words in VERBS.items() if any(f' {w} ' in norm for w in words))


def progress(state: SymState, view: MemoryView, focus: list[frozenset], cands: list[Step],
             skills=frozenset(), absent=frozenset(), search_left: bool = False) -> str:
    """How far the plan is, judged only from the instruction (its named types ``focus``, the
    skills its verbs ask for ``skills``), never from goals:

    ``'done'``   stop now: nothing named is pending (every focus group was acted on, every asked
                 skill used), or no admissible step serves what is pending;
    ``'tidy'``   done, but a container this plan opened can still be closed: only the close steps
                 may compete with stopping;
    ``'busy'``   an admissible step serves what is pending (mentions a pending type or its
                 container, or is a pending skill), or a put is at hand while holding something,
                 or the instruction names a type memory holds nothing of (``absent``) while a
                 region this task has not explored is left (``search_left``) and explore is at
                 hand: stopping is not offered;
    ``'open'``   the rule cannot tell (no focus, nothing to search for); the model decides.
    """
    # what the instruction names and memory lacks is searched for, once around the home
    searching = bool(absent) and search_left and any(s == 'explore' for s, _ in cands)
    if not focus:
        return 'busy' if searching else 'open'
    acted_types = {base_type(view.items[i].type) for i in state.acted if i in view.items}
    pending = [g for g in focus if not g & acted_types]
    pending_types = set().union(*pending) if pending else set()
    used = {k[0] for k in state.done}
    pending_skills = set(skills) - used
    holders = {state.location(i, view) for i, it in view.items.items()
               if base_type(it.type) in pending_types}

    def serves(step: Step) -> bool:
        s, args = step
        return s in pending_skills or any(
            a in holders or (a in view.items and base_type(view.items[a].type) in pending_types) for a in args)

    if (state.holding is not None and any(s == 'put' for s, _ in cands)) or \
            any(serves(c) for c in cands) or searching:
        return 'busy'
    if any(s == 'close' and a[0] in state.opened_here for s, a in cands) and state.holding is None:
        return 'tidy'
    return 'done'
