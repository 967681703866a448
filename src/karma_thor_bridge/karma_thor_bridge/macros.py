"""Appliance macros of karma_domain.skills: clean, heat, cool, fill, empty (object held).

A mixin of :class:`karma_thor_bridge.skills.SkillRunner`. The appliance is the one of its type
nearest to the robot, found in the simulator's object list: a robot's skill server knows where
its kitchen appliances are; the plan does not name them. Each phase reports progress and a
failed phase ends the macro with ``"<skill>: <phase> failed: <THOR's message>"``. No rclpy.
"""
from __future__ import annotations

import math

from .resolve import centre

BASINS = ('SinkBasin', 'BathtubBasin')


class Macros:
    # ---- helpers ---------------------------------------------------------------------
    def _held_arg(self, skill: str, arg: str) -> tuple[str | None, str]:
        """The held object's id when ``arg`` names it (directly, through memory, or by type:
        memory's position of a carried object lags behind the hand)."""
        held = self.held()
        if held is None:
            return None, f'{skill}({arg}) needs {arg} in hand; the hand is empty'
        if arg == held:
            return held, ''
        held_type = (self.obj(held) or {}).get('objectType', '')
        o, _ = self.resolve(arg)
        if o is not None and (o['objectId'] == held or o['objectType'] == held_type):
            return held, ''
        ref = None
        if self.resolver is not None:
            try:
                ref = self.resolver(arg)
            except Exception:
                ref = None
        if ref is not None and ref.type == held_type:
            return held, ''
        if arg.split('|')[0].split('_')[0] == held_type:  # THOR id or minted id of that type
            return held, ''
        return None, f'{skill}({arg}): {arg} is not the held object (holding {held})'

    def _nearest(self, types) -> dict | None:
        x, z, _, _ = self.pose()
        for t in types:  # the first type present wins (sink basin before bathtub basin)
            cands = [o for o in self.meta.get('objects') or [] if o['objectType'] == t]
            if cands:
                return min(cands, key=lambda o: (math.hypot(centre(o)[0] - x, centre(o)[2] - z),
                                                 o['objectId']))
        return None

    def _phase(self, skill: str, phase: str, action: str, **kw) -> str | None:
        """Run one macro phase; None on success, else the failure message."""
        self._status(f'{skill}: {phase}')
        oid = kw.get('objectId')
        want = {'ToggleObjectOn': True, 'ToggleObjectOff': False}.get(action)
        if want is not None and (self.obj(oid) or {}).get('isToggled') == want:
            return None  # already in the wanted state (someone left it on): nothing to do
        if oid and not self.visible(oid) and not self.look_for(oid):
            target = self.obj(oid)
            if target is not None:
                self.approach(target)  # e.g. the item sits deep in the appliance: step closer
        ev = self._act(action, **kw)
        return None if ev['lastActionSuccess'] else f'{skill}: {phase} failed: {self._err()}'

    def _go_appliance(self, skill: str, types) -> tuple[dict | None, str]:
        app = self._nearest(types)
        if app is None:
            return None, f'{skill}: no {" or ".join(types)} in this scene'
        self._status(f'{skill}: going to {app["objectId"]}')
        ok, msg, *why = self.approach(app)
        return (app, '') if ok else (None, f'{skill}: {msg}')

    def _cycle(self, skill: str, item: str, app: dict, middle) -> tuple[bool, str]:
        """open (if closed), put item in, close, ``middle`` phases, open, pick item up, close."""
        aid = app['objectId']
        phases = []
        if not (self.obj(aid) or {}).get('isOpen'):
            phases.append(('opening', 'OpenObject', dict(objectId=aid)))
        phases += [('putting it in', 'PutObject', dict(objectId=aid)),
                   ('closing', 'CloseObject', dict(objectId=aid))]
        phases += middle
        phases += [('opening', 'OpenObject', dict(objectId=aid)),
                   ('taking it out', 'PickupObject', dict(objectId=item)),
                   ('closing', 'CloseObject', dict(objectId=aid))]
        for phase, action, kw in phases:
            err = self._phase(skill, phase, action, **kw)
            if err:
                return False, err
        return True, ''

    # ---- the macros ------------------------------------------------------------------
    def _skill_heat(self, arg):
        item, why = self._held_arg('heat', arg)
        if item is None:
            return False, why
        app, why = self._go_appliance('heat', ('Microwave',))
        if app is None:
            return False, why
        aid = app['objectId']
        middle = [('switching on', 'ToggleObjectOn', dict(objectId=aid)),
                  ('switching off', 'ToggleObjectOff', dict(objectId=aid))]
        return self._cycle('heat', item, app, middle)

    def _skill_cool(self, arg):
        item, why = self._held_arg('cool', arg)
        if item is None:
            return False, why
        app, why = self._go_appliance('cool', ('Fridge',))
        if app is None:
            return False, why
        return self._cycle('cool', item, app, [('waiting', 'Pass', {})])

    def _skill_clean(self, arg):
        item, why = self._held_arg('clean', arg)
        if item is None:
            return False, why
        basin, why = self._go_appliance('clean', BASINS)
        if basin is None:
            return False, why
        faucet = self._faucet_of(basin)
        if faucet is None:
            return False, f'clean: no faucet near {basin["objectId"]}'
        fid = faucet['objectId']
        phases = [('putting it in the basin', 'PutObject', dict(objectId=basin['objectId'])),
                  ('faucet on', 'ToggleObjectOn', dict(objectId=fid)),
                  ('faucet off', 'ToggleObjectOff', dict(objectId=fid)),
                   ('taking it out', 'PickupObject', dict(objectId=item))]
        for phase, action, kw in phases:
            err = self._phase('clean', phase, action, **kw)
            if err:
                return False, err
        return True, ''

    def _faucet_of(self, basin: dict) -> dict | None:
        bx, _, bz = centre(basin)
        faucets = [o for o in self.meta.get('objects') or [] if o['objectType'] == 'Faucet']
        return min(faucets, key=lambda f: (math.hypot(centre(f)[0] - bx, centre(f)[2] - bz),
                                           f['objectId']), default=None)

    def _skill_fill(self, arg):
        item, why = self._held_arg('fill', arg)
        if item is None:
            return False, why
        basin, why = self._go_appliance('fill', BASINS)
        if basin is None:
            return False, why
        err = self._phase('fill', 'filling with water', 'FillObjectWithLiquid', objectId=item,
                          fillLiquid='water')
        return (False, err) if err else (True, '')

    def _skill_empty(self, arg):
        item, why = self._held_arg('empty', arg)
        if item is None:
            return False, why
        err = self._phase('empty', 'pouring out', 'EmptyLiquidFromObject', objectId=item)
        return (False, err) if err else (True, '')
