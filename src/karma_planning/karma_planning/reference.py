"""The reference planner: a GOAL ORACLE for benchmarks (backend "reference (goal oracle)").

It reads the request's goals (karma-task-suite/1 syntax), not the instruction, and picks
object ids by type from memory (retrieved ids first). Plans follow the skill semantics of
``karma_domain.skills``. When memory has no object of a needed type it emits
``explore(region)`` over the regions not yet explored in this task and stops (the executor
replans after exploring); goals it can plan already are planned first.

>>> from karma_planning.memory_view import MemoryView
>>> v = MemoryView.from_graph([
...     {'id': 'Fridge_1', 'layer': 'receptacle', 'type': 'Fridge'},
...     {'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'},
...     {'id': 'CounterTop_1', 'layer': 'receptacle', 'type': 'CounterTop'}],
...     [{'source': 'Apple_1', 'target': 'CounterTop_1', 'relation': 'on'}])
>>> steps, msg = reference_plan(['IN(Apple, Fridge)'], v)
>>> [f'{s}({",".join(a)})' for s, a in steps]
['navigate_to(Apple_1)', 'pickup(Apple_1)', 'navigate_to(Fridge_1)', 'open(Fridge_1)', 'put(Fridge_1)', 'close(Fridge_1)']
>>> reference_plan(['STATE(Egg, cooked)'], v)      # nothing else to search: look in the fridge
([('explore', ['Fridge_1'])], 'memory has no Egg: exploring')
"""
from __future__ import annotations

from .admissible import SymState
from .memory_view import MemoryItem, MemoryView
from karma_domain.goals import parse_goal as _parse_goal
from karma_domain.pieces import source_type  # pieces appear only after slicing their source
from karma_domain.states import is_true, parse_bool
from karma_domain.skills import OPENABLE_TYPES, SEARCHABLE_CONTAINERS, WHOLE_MAP

BACKEND_NAME = 'reference (goal oracle)'
#: The message of a plan for every goal with nothing left out (empty: every goal holds).
GOALS_PLANNED = 'plan from goals (goal oracle)'
Step = tuple[str, list[str]]
_STATE_SKILL = {'hot': 'heat', 'cooked': 'heat', 'cold': 'cool', 'clean': 'clean',
                'filled': 'fill', 'empty': 'empty'}


#: A belief at or under this confidence says "more likely gone than there": a deliberate look at
#: its place failed (memory demotes it to half ``stale_below``) or it was missed again and again.
GONE_BELOW = 0.25


def _gone(it: MemoryItem) -> bool:
    return it.stale and it.confidence <= GONE_BELOW


def _known(view: MemoryView, type_name: str, fresh_only: bool = False,
           plausible_only: bool = False) -> bool:
    """Whether memory has ``type_name`` (or its source) worth acting on: any belief; only fresh
    ones (``fresh_only``); or any but those a look found gone (``plausible_only``)."""
    src = source_type(type_name)
    found = view.by_type(type_name) or (view.by_type(src) if src else [])
    held = view.held_id()
    if fresh_only:
        return any(it.fresh or it.id == held for it in found)
    if plausible_only:
        return any(not _gone(it) or it.id == held for it in found)
    return bool(found)


def _is_sliced(it: MemoryItem) -> bool:
    states = {**it.states, **(it.recent or {})}
    return is_true(states, 'isSliced')


def _already(it: MemoryItem, state: str, b) -> bool:
    """Whether memory (and this plan so far) says ``it`` is already open/closed/on/off."""
    if state in ('open', 'closed'):
        is_open = it.id in b.state.opened
        return is_open if state == 'open' else not is_open
    st = {**it.states, **(it.recent or {})}
    on = parse_bool(st.get('isToggled', ''))     # unknown is neither on nor off
    return on is not None and on == (state == 'on')


#: What memory's states say when a STATE goal already holds (perception reports THOR's states).
_HOLDS = {'cooked': ('isCooked', 'true'), 'hot': ('temperature', 'hot'), 'cold': ('temperature', 'cold'),
          'clean': ('isDirty', 'false'), 'filled': ('isFilledWithLiquid', 'true'),
          'empty': ('isFilledWithLiquid', 'false')}


def _state_holds(it: MemoryItem, state: str) -> bool:
    """Whether memory says ``it`` is already ``state`` (cooked, hot, clean, ...): such a goal
    needs no skill; a goal memory cannot judge (no such state seen) is planned.

    >>> _state_holds(MemoryItem('Bread_1', 'BreadSliced', states={'isCooked': 'true'}), 'cooked')
    True
    >>> _state_holds(MemoryItem('Mug_1', 'Mug', states={'isDirty': 'true'}), 'clean')
    False
    """
    key, want = _HOLDS.get(state, ('', ''))
    st = {**it.states, **(it.recent or {})}
    return bool(key) and str(st.get(key, '')).lower() == want


def parse_goal(text: str) -> tuple[str, str, str | None, int]:
    """(kind, X, arg, N) with kind in/state/holding, by the one goal grammar
    (:func:`karma_domain.goals.parse_goal`); raises ValueError on bad goals.

    >>> parse_goal('2*ON(plate, CoffeeTable)'), parse_goal('TOGGLEON(Faucet)')
    (('in', 'Plate', 'CoffeeTable', 2), ('state', 'Faucet', 'on', 1))
    """
    g = _parse_goal(text)
    return g.kind, g.obj, g.arg, g.count


class _Builder:
    def __init__(self, view: MemoryView, prefer: list[str]):
        self.view, self.steps = view, []
        self.rank = {i: n for n, i in enumerate(prefer)}
        self.state = SymState.initial(view)
        self.used: set[str] = set()
        self.sliced: set[str] = set()

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
            # what is in hand, then fresh beliefs before stale ones (a failed look demoted it)
            return (it.id != self.state.holding, in_target, not it.fresh, _gone(it),
                    self.rank.get(it.id, 1 << 30), -it.confidence, it.id)
        return min(cands, key=key)

    def goto(self, it: MemoryItem) -> None:
        if self.state.near != it.id:
            self.add('navigate_to', it.id)

    def reach(self, it: MemoryItem) -> None:
        """Go to ``it`` and open the closed container holding it (to act on it in place)."""
        self.goto(it)
        rec = self.view.items.get(it.receptacle)
        if rec is not None and rec.type in OPENABLE_TYPES and rec.id not in self.state.opened:
            self.add('open', rec.id)

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
        # a plate inside a closed cabinet: open the cabinet first, as for an object picked up
        self.reach(rec)
        opens = rec.type in OPENABLE_TYPES and rec.id not in self.state.opened
        if opens:
            self.add('open', rec.id)
        self.add('put', rec.id)
        if opens:
            self.add('close', rec.id)


def explore_order(regions: list[str], explored=()) -> list[str]:
    """Regions not yet explored in this task, in order (empty once all were explored: the
    search then opens containers, see :func:`containers_to_search`).

    >>> explore_order(['kitchen', 'office', 'hall'], {'kitchen'}), explore_order(['a'], {'a'})
    (['office', 'hall'], [])
    """
    return [r for r in regions if r not in set(explored)]


#: Containers a search opens when every region has been explored without finding something.
SEARCHABLE = SEARCHABLE_CONTAINERS


def containers_to_search(view: MemoryView, explored=(), near=()) -> list[str]:
    """Closed containers in memory not yet searched in this task: nearest first to the places
    in ``near`` (where memory last had what is sought: someone who moved it most likely put it
    away close by), else fridges first.

    >>> v = MemoryView({'Cabinet_1': MemoryItem('Cabinet_1', 'Cabinet', 'receptacle', position=(4, 0, 1)),
    ...                 'Cabinet_2': MemoryItem('Cabinet_2', 'Cabinet', 'receptacle', position=(1, 0, 1)),
    ...                 'Fridge_1': MemoryItem('Fridge_1', 'Fridge', 'receptacle', position=(9, 0, 1))})
    >>> containers_to_search(v), containers_to_search(v, near=[(0, 0, 1)])
    (['Fridge_1', 'Cabinet_1', 'Cabinet_2'], ['Cabinet_2', 'Cabinet_1', 'Fridge_1'])
    """
    done = set(explored)
    rank = {t.lower(): i for i, t in enumerate(SEARCHABLE)}
    found = [it for it in view.items.values()
             if it.type.lower() in rank and it.layer != 'region' and it.id not in done]
    near = [p for p in near if p is not None]

    def key(it):
        d = min((_dist2(it.position, p) for p in near), default=0.0) if it.position else 1e12
        return (d if near else 0.0, rank[it.type.lower()], it.id)
    return [it.id for it in sorted(found, key=key)]


def _dist2(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b))


def reference_plan(goals: list[str], view: MemoryView, retrieved: list[str] = (),
                   max_steps: int = 40, explored=()) -> tuple[list[Step], str]:
    """(steps, message) for ``goals`` over ``view``; see the module docstring.

    When a needed type is missing, the goals that can be planned are planned first; for an
    ``IN(X, Y)`` goal whose X is known but Y is not, X is picked up (one hand: the first such
    goal only); then the plan explores the regions not in ``explored`` (regions already
    explored in this task), which makes the executor replan with what exploring revealed.
    """
    parsed = [parse_goal(g) for g in goals]
    if not parsed:
        return [], 'the reference planner needs goals'
    needed = [t for kind, x, arg, _ in parsed for t in ([x, arg] if kind == 'in' else [x])]
    # A type memory holds only as stale beliefs is searched for like a missing one while regions
    # are left to explore; then the stale ones are tried, except beliefs a look found gone
    # (confidence <= GONE_BELOW): while closed containers are left to search (nearest to where
    # memory last had it first), those are searched before a known-empty place is visited again.
    unexplored = explore_order(view.region_names(), explored)
    unsearched = bool(containers_to_search(view, explored))
    missing = [t for t in dict.fromkeys(needed)
               if not _known(view, t, fresh_only=bool(unexplored), plausible_only=unsearched)]
    # N*GOAL needs N distinct objects (pieces of one source excepted): too few known is missing.
    for kind, x, arg, n in parsed:
        if n > 1 and not source_type(x) and 0 < len(view.by_type(x)) < n and x not in missing:
            missing.append(x)
    if missing:
        regions = explore_order(view.region_names(), explored)
        if not regions:
            # Every region was looked at: search inside closed containers, one per plan; when
            # none is left, look at the regions again (a memory-less robot has forgotten
            # what it saw there).
            last = [it.position for t in missing for it in view.by_type(t)
                    + view.by_type(source_type(t) or t)]
            regions = containers_to_search(view, explored, near=last)[:1] or list(view.region_names())
        if not regions and WHOLE_MAP not in explored:
            # No map yet (just started or reset): search everything reachable, as a robot
            # would, instead of failing before the map arrives.
            regions = [WHOLE_MAP]
        if not regions:
            return [], f'memory has no {", ".join(missing)}; every region and container was searched'
        miss = {t.lower() for t in missing}
        ready = [g for g in parsed
                 if not ({g[1].lower(), g[2].lower()} if g[0] == 'in' else {g[1].lower()}) & miss]
        steps, msg = _plan_goals(ready, view, retrieved, max_steps) if ready else ([], '')
        b = _Builder(view, list(retrieved))
        for skill, args in steps:
            b.add(skill, *args)
        carry = next((x for kind, x, arg, _ in parsed
                      if kind == 'in' and x.lower() not in miss and arg.lower() in miss), None)
        if carry is not None and not any(g[0] == 'holding' for g in ready):
            obj = b.pick(carry)
            if obj is not None:
                b.acquire(obj)
        work = b.steps[:max(0, max_steps - 1)]   # always keep an explore: it triggers the replan
        steps = work + [('explore', [r]) for r in regions][:max_steps - len(work)]
        note = f'memory has no {", ".join(missing)}: exploring'
        if ready:
            note = f'{len(ready)} goal(s) planned; ' + note
        return steps, note
    steps, msg = _plan_goals(parsed, view, retrieved, max_steps)
    if not steps and msg == GOALS_PLANNED and not explored:
        # Memory says every goal already holds, but someone may have changed the world since
        # the robot last looked: look again (exploring makes the executor replan) before the
        # task is declared done.
        return [('explore', [r]) for r in _regions_of(view, needed)] or [('explore', [WHOLE_MAP])], \
            'memory says the goals hold: looking again before declaring the task done'
    return steps, msg


def _regions_of(view: MemoryView, types: list[str], most: int = 2) -> list[str]:
    """The regions memory places objects of ``types`` in (at most ``most``)."""
    out: list[str] = []
    for t in dict.fromkeys(types):
        for it in view.by_type(t):
            if it.region and it.region not in out:
                out.append(it.region)
    return out[:most]


def _plan_goals(parsed, view: MemoryView, retrieved, max_steps: int) -> tuple[list[Step], str]:
    b = _Builder(view, list(retrieved))
    notes = []
    for kind, x, arg, n in parsed:
        b.used = set()   # N*GOAL needs N distinct objects; different goals may share one
        for _ in range(n):
            obj = b.pick(x, b.used, avoid_in=arg if kind == 'in' else None)
            src = source_type(x)
            if obj is None and src:
                # No piece known yet: slice (or crack) its source; the skill server then picks
                # one piece per pickup of the source's id, so the source serves N pieces.
                obj = b.pick(src)
                if obj is not None and not _is_sliced(obj) and obj.id not in b.sliced:
                    if b.state.holding == obj.id:
                        b.release()
                    b.reach(obj)
                    b.add('slice', obj.id)
                    b.sliced.add(obj.id)
            if obj is None:
                notes.append(f'only {len(b.used)} {x} known')
                break
            if not (src and obj.type.lower() == src.lower()):
                b.used.add(obj.id)
            if kind == 'holding' or (kind == 'state' and arg == 'picked_up'):
                b.acquire(obj)
            elif kind == 'in':
                rec = b.pick(arg, exclude={obj.id})
                if view.items.get(obj.receptacle) is rec and b.state.holding != obj.id and obj.fresh:
                    continue   # already there (a stale belief of it there proves nothing)
                b.acquire(obj)
                b.put(rec)
            elif arg in _STATE_SKILL:
                if _state_holds(obj, arg) and b.state.holding != obj.id:
                    continue   # memory saw it so already (a look again follows if all hold)
                b.acquire(obj)
                b.add(_STATE_SKILL[arg], obj.id)
            elif arg == 'sliced':
                if obj.id in b.sliced or _is_sliced(obj):
                    continue
                if b.state.holding == obj.id:
                    b.release()
                b.reach(obj)
                b.add('slice', obj.id)
                b.sliced.add(obj.id)
            elif arg in ('open', 'closed', 'on', 'off'):
                if _already(obj, arg, b):
                    continue
                b.goto(obj)
                b.add({'open': 'open', 'closed': 'close', 'on': 'toggle_on', 'off': 'toggle_off'}[arg], obj.id)
            else:
                notes.append(f'cannot reach state {arg!r}')
    steps = b.steps[:max_steps]
    msg = GOALS_PLANNED + (': ' + '; '.join(notes) if notes else '')
    if len(b.steps) > max_steps:
        msg += f'; truncated to {max_steps} steps'
    return steps, msg
