"""Changes behind the robot's back (a task's ``before``), applied with THOR actions; no rclpy.

EVALUATION / SIMULATION ONLY. Someone else moves an object, opens or closes something,
switches something, or dirties, cleans, fills or empties it while the robot is not looking.
The changes go straight to the simulator (``backend.step``), so no perception frame and no
skill result is published; the robot sees their effects when it next looks. Only actions a
real THOR build also has are used: ``GetSpawnCoordinatesAboveReceptacle`` +
``PlaceObjectAtPoint`` (a move), ``OpenObject`` / ``CloseObject`` / ``ToggleObjectOn`` /
``ToggleObjectOff`` / ``DirtyObject`` / ``CleanObject`` / ``FillObjectWithLiquid`` /
``EmptyLiquidFromObject``, all with ``forceAction``. Semantics: ``task-suite-format.md``.

>>> parse_change({'move': 'Mug', 'to': 'Cabinet'})
Change(verb='move', type='Mug', to='Cabinet', state='')
>>> parse_change({'set': 'Mug', 'state': 'shiny'})
Traceback (most recent call last):
...
karma_thor_bridge.world_change.ChangeError: change {"set": "Mug", "state": "shiny"}: 'state' must be one of dirty, clean, filled, empty
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from .frames import to_map

VERBS = ('move', 'open', 'close', 'toggle_on', 'toggle_off', 'set')
SET_STATES = ('dirty', 'clean', 'filled', 'empty')
# verb or set-state -> (THOR action, capability flag, state key, value that means "done")
_ACTIONS = {
    'open': ('OpenObject', 'openable', 'isOpen', True),
    'close': ('CloseObject', 'openable', 'isOpen', False),
    'toggle_on': ('ToggleObjectOn', 'toggleable', 'isToggled', True),
    'toggle_off': ('ToggleObjectOff', 'toggleable', 'isToggled', False),
    'dirty': ('DirtyObject', 'dirtyable', 'isDirty', True),
    'clean': ('CleanObject', 'dirtyable', 'isDirty', False),
    'filled': ('FillObjectWithLiquid', 'canFillWithLiquid', 'isFilledWithLiquid', True),
    'empty': ('EmptyLiquidFromObject', 'canFillWithLiquid', 'isFilledWithLiquid', False),
}
_MAX_TYPE = 64


class ChangeError(ValueError):
    """A change that is malformed or cannot be applied; the message quotes the change."""


@dataclass(frozen=True)
class Change:
    verb: str        # one of VERBS
    type: str        # the object type it names (matched case-insensitively)
    to: str = ''     # move: the receptacle type
    state: str = ''  # set: one of SET_STATES

    def as_dict(self) -> dict:
        d = {self.verb: self.type}
        if self.verb == 'move':
            d['to'] = self.to
        if self.verb == 'set':
            d['state'] = self.state
        return d


def quote(d) -> str:
    """A change as compact JSON, bounded, for messages."""
    try:
        text = json.dumps(d, ensure_ascii=True)
    except (TypeError, ValueError):
        text = repr(d)
    return text if len(text) <= 200 else text[:197] + '...'


def _name(d: dict, key: str, where: str) -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v.strip() or len(v) > _MAX_TYPE or not v.strip().isalnum():
        raise ChangeError(f'{where}: {key!r} must be an object type such as "Mug"')
    return v.strip()


def parse_change(d) -> Change:
    """Validate one change of a ``before`` list (one verb key; ``to`` / ``state`` as needed)."""
    where = f'change {quote(d)}'
    if not isinstance(d, dict):
        raise ChangeError(f'{where}: expected an object such as {{"open": "Fridge"}}')
    verbs = [k for k in d if k in VERBS]
    if len(verbs) != 1:
        raise ChangeError(f'{where}: needs exactly one of {", ".join(VERBS)}')
    verb = verbs[0]
    otype = _name(d, verb, where)
    if verb == 'move':
        return Change(verb, otype, to=_name(d, 'to', where))
    if verb == 'set':
        state = d.get('state')
        if state not in SET_STATES:
            raise ChangeError(f"{where}: 'state' must be one of {', '.join(SET_STATES)}")
        return Change(verb, otype, state=state)
    return Change(verb, otype)


def parse_changes(items) -> list[Change]:
    if not isinstance(items, list):
        raise ChangeError(f"'before' must be a list of changes, got {type(items).__name__}")
    return [parse_change(d) for d in items]


def _centre(o: dict) -> tuple[float, float, float]:
    c = (o.get('axisAlignedBoundingBox') or {}).get('center') or o.get('position') or {}
    return (float(c.get('x', 0.0)), float(c.get('y', 0.0)), float(c.get('z', 0.0)))


class WorldChanger:
    """Applies changes on a backend (``step(action, **kw) -> metadata``, ``last``).

    ``last_acted`` maps an object type to the object of that type the robot last acted on in
    this episode (:attr:`karma_thor_bridge.skills.SkillRunner.last_acted`); ``accepts(rtype,
    otype)`` is THOR's receptacle rule and ``containers`` the types that must be open to put
    something inside (both from karma_thor, the one place they are defined).
    """

    def __init__(self, backend, last_acted: dict[str, str] | None = None,
                 accepts=None, containers: frozenset[str] | None = None):
        if accepts is None or containers is None:
            from karma_thor.actions_object import accepts as thor_accepts
            from karma_thor.world import containers as thor_containers
            accepts = accepts or thor_accepts
            containers = containers if containers is not None else thor_containers()
        self.backend = backend
        self.last_acted = last_acted if last_acted is not None else {}
        self.accepts, self.containers = accepts, containers

    # ---- helpers ---------------------------------------------------------------------
    def _objects(self) -> dict[str, dict]:
        return {o['objectId']: o for o in self.backend.last.get('objects') or []}

    def _step(self, where: str, action: str, **kw) -> dict:
        meta = self.backend.step(action, forceAction=True, **kw)
        if not meta.get('lastActionSuccess'):
            raise ChangeError(f'{where}: {action} failed: {meta.get("errorMessage") or "no reason"}')
        return meta

    def _in_hand(self, objs: dict[str, dict]) -> set[str]:
        """The held object and everything inside it: never moved or changed."""
        held = {oid for oid, o in objs.items() if o.get('isPickedUp')}
        todo = list(held)
        while todo:
            for c in objs.get(todo.pop(), {}).get('receptacleObjectIds') or []:
                if c in objs and c not in held:
                    held.add(c)
                    todo.append(c)
        return held

    def pick(self, otype: str, where: str) -> dict:
        """The object of ``otype`` the robot last acted on, else the smallest objectId; never
        one in the robot's hand."""
        objs = self._objects()
        hand = self._in_hand(objs)
        cands = {oid: o for oid, o in objs.items()
                 if o['objectType'].lower() == otype.lower() and oid not in hand}
        if not cands:
            held = any(objs[h]['objectType'].lower() == otype.lower() for h in hand)
            raise ChangeError(f'{where}: no {otype} in the scene'
                              + (' outside the robot\'s hand' if held else ''))
        last = next((v for k, v in self.last_acted.items() if k.lower() == otype.lower()), None)
        return cands[last] if last in cands else cands[min(cands)]

    # ---- the changes -----------------------------------------------------------------
    def apply(self, change: Change) -> dict:
        """Apply one change; returns its record (ids and states before and after)."""
        where = f'change {quote(change.as_dict())}'
        o = self.pick(change.type, where)
        if change.verb == 'move':
            return self._move(o, change, where)
        return self._set(o, change, where)

    def apply_all(self, changes: list[Change]) -> list[dict]:
        return [self.apply(c) for c in changes]

    def _record(self, change: Change, before: dict, after: dict, **extra) -> dict:
        return {'change': change.as_dict(), 'object_id': before['objectId'],
                'object_id_after': after['objectId'],
                'parent_before': (before.get('parentReceptacles') or [''])[0],
                'parent_after': (after.get('parentReceptacles') or [''])[0],
                # Reported in map (REP-103), like every position the bridge publishes.
                'position_before': [round(v, 3) for v in to_map(_centre(before))],
                'position_after': [round(v, 3) for v in to_map(_centre(after))], **extra}

    def _set(self, o: dict, change: Change, where: str) -> dict:
        action, capability, key, done = _ACTIONS[change.state or change.verb]
        target = o
        if not o.get(capability) and action.startswith('Toggle'):
            # A burner is switched by its knob, as a person would.
            target = next((k for k in self._objects().values()
                           if o['objectId'] in (k.get('controlledObjects') or [])), o)
        if not target.get(capability):
            raise ChangeError(f'{where}: {o["objectId"]} is not {capability}')
        if bool(target.get(key)) == done:
            return self._record(change, o, o, noop=True)
        kw = {'fillLiquid': 'water'} if action == 'FillObjectWithLiquid' else {}
        self._step(where, action, objectId=target['objectId'], **kw)
        return self._record(change, o, self._objects().get(o['objectId'], o))

    def _receptacle(self, o: dict, rtype: str, where: str) -> dict:
        objs = self._objects()
        inside = set()
        todo = [o['objectId']]
        while todo:  # o and what it holds cannot receive it
            k = todo.pop()
            inside.add(k)
            todo.extend(c for c in objs.get(k, {}).get('receptacleObjectIds') or [] if c in objs)
        cands = [r for r in objs.values() if r['objectType'].lower() == rtype.lower()
                 and r.get('receptacle') and r['objectId'] not in inside
                 and not r.get('isPickedUp') and self.accepts(r['objectType'], o['objectType'])]
        # A sink or bathtub receives things in its basin.
        basins = {r['objectId']: next((b for b in objs.values()
                                       if b['objectId'].startswith(r['objectId'] + '|')
                                       and b['objectType'].endswith('Basin')), None) for r in cands}
        cands = [basins.get(r['objectId']) or r for r in cands]
        if not cands:
            raise ChangeError(f'{where}: no {rtype} in the scene accepts {o["objectType"]}')
        here = _centre(o)
        return min(cands, key=lambda r: (math.dist(_centre(r), here), r['objectId']))

    def _move(self, o: dict, change: Change, where: str) -> dict:
        if not o.get('pickupable'):
            raise ChangeError(f'{where}: {o["objectId"]} cannot be moved (not pickupable)')
        r = self._receptacle(o, change.to, where)
        rid = r['objectId']
        opened = r['objectType'] in self.containers and r.get('openable') and not r.get('isOpen')
        if opened:
            self._step(where, 'OpenObject', objectId=rid)
        try:
            meta = self._step(where, 'GetSpawnCoordinatesAboveReceptacle', objectId=rid, anywhere=True)
            points = [p for p in meta.get('actionReturn') or [] if isinstance(p, dict)]
            placed = None
            for p in points[:25]:
                meta = self.backend.step('PlaceObjectAtPoint', objectId=o['objectId'], position=p)
                now = self._objects().get(o['objectId'])
                if meta.get('lastActionSuccess') and now and self._holds(rid, now):
                    placed = now
                    break
            if placed is None:
                raise ChangeError(f'{where}: {o["objectId"]} could not be placed in {rid}')
        finally:
            if opened:
                self.backend.step('CloseObject', objectId=rid, forceAction=True)
        return self._record(change, o, self._objects().get(o['objectId'], placed),
                            receptacle_id=rid)

    def _holds(self, rid: str, o: dict) -> bool:
        """Whether ``rid`` holds ``o`` directly or through other receptacles."""
        objs, seen = self._objects(), set()
        todo = list(o.get('parentReceptacles') or [])
        while todo:
            p = todo.pop()
            if p == rid:
                return True
            if p in seen or p not in objs:
                continue
            seen.add(p)
            todo.extend(objs[p].get('parentReceptacles') or [])
        return False
