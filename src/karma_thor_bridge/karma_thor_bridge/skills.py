"""The skill runner: karma_planning's skills executed as THOR actions; no rclpy.

Semantics follow :mod:`karma_planning.skills` (the one catalogue). Every call returns a
:class:`SkillOutcome` (success, THOR's error message or ours, THOR actions spent) and never
raises: unknown skills, wrong arity, unknown ids and simulator errors are failures with a
readable message.

Example::

    >>> from karma_thor_bridge.backend import make_backend
    >>> runner = SkillRunner(make_backend('inprocess', scene='FloorPlan1'))
    >>> apple = next(o['objectId'] for o in runner.meta['objects'] if o['objectType'] == 'Apple')
    >>> runner.run('navigate_to', [apple]).success, runner.run('pickup', [apple]).success
    (True, True)
    >>> runner.run('fly', []).message.startswith("unknown skill 'fly'")
    True
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from karma_planning.skills import check_call

from .macros import Macros
from .motion import Motion
from .navigation import Grid
from .resolve import Ref, Resolver, looks_like_region, resolve_object, resolve_region

NAVIGATION_MODES = ('grid', 'teleport')


@dataclass(frozen=True)
class SkillOutcome:
    success: bool
    message: str
    steps: int


@dataclass(frozen=True)
class RunnerConfig:
    navigation: str = 'grid'        # grid: real MoveAhead/Rotate steps; teleport: TeleportFull
    grid_size: float = 0.25
    rotate_step: float = 90.0
    reach: float = 1.25             # stand within this horizontal distance of the target's box
    max_nav_attempts: int = 6       # view poses tried per navigate_to
    max_replans: int = 4            # re-plans after a blocked move, per view pose
    match_radius: float = 1.5       # memory position -> simulator object of that type
    type_fallback: bool = False     # unresolvable Apple_3 -> nearest Apple to the agent
    explore_viewpoints: int = 2     # spots visited per explore
    region_radius: float = 1.5      # extent of a region the memory gives without a size
    max_steps_per_skill: int = 400


class _Budget(Exception):
    pass


class SkillRunner(Motion, Macros):
    """Runs skills on a backend (see backend.py). ``resolver`` maps memory ids to :class:`Ref`;
    ``on_step(meta)`` is called after every counted THOR action (the node publishes perception
    there); ``status`` in :meth:`run` receives progress text."""

    def __init__(self, backend, config: RunnerConfig | None = None,
                 resolver: Resolver | None = None, on_step: Callable[[dict], None] | None = None):
        self.backend = backend
        self.cfg = config or RunnerConfig()
        self.resolver = resolver
        self.on_step = on_step
        self.meta: dict = backend.last
        self._grid_obj: Grid | None = None
        self._steps = 0
        self._status_cb: Callable[[str], None] | None = None
        self._phase_text = ''
        self.total_steps = 0

    # ---- plumbing ------------------------------------------------------------------------
    def reset_map(self) -> None:
        """Forget the grid (call after the simulator was reset to another scene)."""
        self._grid_obj = None
        self.meta = self.backend.last

    def scene_info(self) -> dict:
        return self.backend.scene_info()

    def grid(self) -> Grid:
        if self._grid_obj is None:
            self._grid_obj = Grid.from_reachable(self.scene_info().get('reachable') or [],
                                                 self.cfg.grid_size, self.cfg.rotate_step)
        return self._grid_obj

    def _act(self, action: str, **kw) -> dict:
        if self._steps >= self.cfg.max_steps_per_skill:
            raise _Budget()
        self.meta = self.backend.step(action, **kw)
        self._steps += 1
        self.total_steps += 1
        if self.on_step is not None:
            self.on_step(self.meta)
        if self._status_cb is not None:  # feedback per THOR action, within the current phase
            ok = 'ok' if self.meta.get('lastActionSuccess') else 'failed'
            self._status_cb(f'{self._phase_text}: {action} {ok} (step {self._steps})')
        return self.meta

    def _status(self, text: str) -> None:
        self._phase_text = text
        if self._status_cb is not None:
            self._status_cb(text)

    def held(self) -> str | None:
        inv = self.meta.get('inventoryObjects') or []
        return inv[0]['objectId'] if inv else None

    def _err(self, prefix: str = '') -> str:
        msg = self.meta.get('errorMessage') or 'the simulator reported a failure'
        return f'{prefix}{msg}'.strip()

    # ---- entry point -------------------------------------------------------------------
    def run(self, skill: str, args: list[str],
            status: Callable[[str], None] | None = None) -> SkillOutcome:
        """Execute one skill call; see the module doc."""
        self._steps = 0
        self._status_cb = status
        self._phase_text = skill if isinstance(skill, str) else 'skill'
        try:
            args = list(args)
            if not isinstance(skill, str) or not all(isinstance(a, str) for a in args):
                return SkillOutcome(False, 'skill and args must be strings', 0)
            problem = check_call(skill, args)
            if problem:
                return SkillOutcome(False, problem, 0)
            self.meta = self.backend.last
            ok, msg = getattr(self, f'_skill_{skill}')(*args)
        except _Budget:
            ok, msg = False, f'{skill}: gave up after {self.cfg.max_steps_per_skill} simulator steps'
        except Exception as e:  # a bug must not take the node down; report it as a failure
            ok, msg = False, f'{skill}: internal error {type(e).__name__}: {e}'
        finally:
            self._status_cb = None
        return SkillOutcome(ok, msg, self._steps)

    # ---- argument resolution ---------------------------------------------------------
    def _agent_xyz(self):
        x, z, _, _ = self.pose()
        return (x, self.cam_y(), z)

    def resolve(self, arg: str) -> tuple[dict | None, str]:
        return resolve_object(arg, self.meta.get('objects') or [], self.resolver,
                              self._agent_xyz(), self.cfg.match_radius, self.cfg.type_fallback)

    def _region_ref(self, arg: str) -> Ref | None:
        if self.resolver is None:
            return None
        for key in (arg, 'region:' + arg):
            try:
                ref = self.resolver(key)
            except Exception:
                ref = None
            if ref is not None and ref.layer in ('region', 'scene'):
                return ref
        return None

    def _region(self, arg: str):
        reach = [(p['x'], p['z']) for p in self.scene_info().get('reachable') or []]
        return resolve_region(arg, reach, self.resolver, self.cfg.region_radius)

    def _visible_target(self, o: dict) -> dict:
        """What must be seen to reach ``o``: o itself, or the closed container hiding it."""
        by_id = {x['objectId']: x for x in self.meta.get('objects') or []}
        hider, seen = None, set()
        todo = list(o.get('parentReceptacles') or [])
        while todo:
            pid = todo.pop(0)
            p = by_id.get(pid)
            if p is None or pid in seen:
                continue
            seen.add(pid)
            if p.get('openable') and not p.get('isOpen') and p['objectType'] not in ('Floor',):
                hider = p  # keep climbing: the outermost closed container is what one walks to
            todo.extend(p.get('parentReceptacles') or [])
        return hider or o

    # ---- navigation skills -------------------------------------------------------------
    def _skill_navigate_to(self, arg: str):
        if arg == 'scene' or arg.startswith('region:'):
            return self._to_region(arg)
        o, why = self.resolve(arg)
        if o is None:
            if self._region_ref(arg) is not None or looks_like_region(arg):
                return self._to_region(arg)
            return False, why
        if o.get('isPickedUp') or o['objectId'] == self.held():
            return True, f'{o["objectId"]} is in hand'
        target = self._visible_target(o)
        ok, msg = self.approach(target)
        if ok and target is not o:
            return True, f'{o["objectId"]} is inside closed {target["objectId"]}; standing at it'
        return ok, msg

    def _to_region(self, arg: str):
        pts, (cx, cz), note = self._region(arg)
        if not pts:
            return False, f'region {arg!r} has no reachable floor'
        g = self.grid()
        x, z, _, _ = self.pose()
        cells = {g.cell(px, pz) for px, pz in pts}
        if g.cell(x, z) in cells:
            return True, note or f'already in {arg}'
        goal = min(pts, key=lambda p: (math.hypot(p[0] - cx, p[1] - cz), p))
        self._status(f'navigating into {arg}')
        if self.go_to_point(*goal):
            return True, note
        return False, f'could not reach region {arg}'

    def _skill_explore(self, arg: str):
        pts, (cx, cz), note = self._region(arg)
        if not pts:
            return False, f'region {arg!r} has no reachable floor'
        reached = 0
        for vx, vz in self._viewpoints(pts, cx, cz):
            self._status(f'exploring {arg}: going to ({vx:.2f}, {vz:.2f})')
            if self.go_to_point(vx, vz):
                reached += 1
                self.look_around()
        if reached == 0:
            return False, f'could not reach any spot of {arg}'
        return True, (note + '; ' if note else '') + f'explored {reached} spot(s) of {arg}'

    def _viewpoints(self, pts, cx, cz):
        """The spot nearest the centre, then the spots farthest from those chosen so far."""
        first = min(pts, key=lambda p: (math.hypot(p[0] - cx, p[1] - cz), p))
        chosen = [first]
        while len(chosen) < min(self.cfg.explore_viewpoints, len(pts)):
            nxt = max(pts, key=lambda p: (min(math.hypot(p[0] - c[0], p[1] - c[1]) for c in chosen), p))
            if min(math.hypot(nxt[0] - c[0], nxt[1] - c[1]) for c in chosen) < 1.0:
                break  # the region is small: one look around covers it
            chosen.append(nxt)
        return chosen

    # ---- object skills ---------------------------------------------------------------
    def _interact(self, arg: str, action: str, **kw):
        o, why = self.resolve(arg)
        if o is None:
            return False, why
        o = self._redirect(o, action)
        oid = o['objectId']
        if not self.visible(oid):
            self.look_for(oid)
        ev = self._act(action, objectId=oid, **kw)
        if ev['lastActionSuccess']:
            return True, ''
        hint = '' if self.visible(oid) else f' ({oid} is not in view: navigate_to it first)'
        return False, self._err() + hint

    def _redirect(self, o: dict, action: str) -> dict:
        """Parts THOR acts on: a Sink's basin receives objects; a StoveKnob switches a burner."""
        objs = self.meta.get('objects') or []
        if action == 'PutObject' and o['objectType'] in ('Sink', 'Bathtub'):
            basin = next((b for b in objs if b['objectId'].startswith(o['objectId'] + '|')
                          and b['objectType'].endswith('Basin')), None)
            return basin or o
        if action.startswith('ToggleObject') and o['objectType'] == 'StoveBurner' and not o.get('toggleable'):
            knob = next((k for k in objs if o['objectId'] in (k.get('controlledObjects') or [])), None)
            return knob or o
        return o

    def _skill_pickup(self, arg):
        return self._interact(arg, 'PickupObject')

    def _skill_put(self, arg):
        if self.held() is None:
            return False, 'put needs an object in hand; the hand is empty'
        return self._interact(arg, 'PutObject')

    def _skill_open(self, arg):
        return self._interact(arg, 'OpenObject')

    def _skill_close(self, arg):
        return self._interact(arg, 'CloseObject')

    def _skill_toggle_on(self, arg):
        return self._interact(arg, 'ToggleObjectOn')

    def _skill_toggle_off(self, arg):
        return self._interact(arg, 'ToggleObjectOff')

    def _skill_slice(self, arg):
        # THOR slices without a knife; a real skill server would fetch one here.
        return self._interact(arg, 'SliceObject')

    def _skill_drop(self):
        if self.held() is None:
            return False, 'drop needs an object in hand; the hand is empty'
        ev = self._act('DropHandObject')
        return bool(ev['lastActionSuccess']), '' if ev['lastActionSuccess'] else self._err()
