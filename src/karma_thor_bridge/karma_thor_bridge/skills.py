"""The skill runner: karma_planning's skills executed as THOR actions; no rclpy.

Semantics follow :mod:`karma_domain.skills` (the one catalogue). Every call returns a
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

from karma_domain.pieces import is_piece_type
from karma_domain.skills import FAILURE_CODE, SEARCHABLE_CONTAINERS, SKILLS, check_call

from .macros import Macros
from .motion import Motion
from .navigation import Coverage, Grid, cell_costs, rotation_plan, view_poses
from .resolve import Ref, Resolver, looks_like_region, resolve_object, resolve_region

NAVIGATION_MODES = ('grid', 'teleport')
# Closed, these hide what is inside (ALFRED's openable receptacles); a closed toilet lid or
# laptop does not hide what lies on it.
CONTAINER_TYPES = frozenset(SEARCHABLE_CONTAINERS)
# Actions that also act on the object in hand (besides the objectId they name).
_HAND_ACTIONS = frozenset({'PutObject', 'DropHandObject', 'ThrowObject'})


@dataclass(frozen=True)
class SkillOutcome:
    success: bool
    message: str
    steps: int
    failure: str = 'none'    # karma_domain.skills.FAILURES; 'none' on success
    blocking_id: str = ''    # container_closed: the simulator id of the closed container


def fail(kind: str, message: str, blocking_id: str = '') -> tuple:
    """A skill's failure with its kind (see karma_domain.skills.FAILURES)."""
    assert kind in FAILURE_CODE, kind
    return False, message, kind, blocking_id


#: Skills that need the hand free (a robot's skill server checks this before moving).
NEEDS_FREE_HAND = frozenset({'pickup'})


@dataclass(frozen=True)
class RunnerConfig:
    navigation: str = 'grid'        # grid: real MoveAhead/Rotate steps; teleport: TeleportFull
    grid_size: float = 0.25
    rotate_step: float = 90.0
    reach: float = 1.25             # stand within this horizontal distance of the target's box
    max_nav_attempts: int = 6       # view poses tried per navigate_to
    max_replans: int = 4            # re-plans after a blocked move, per view pose
    match_radius: float = 1.5       # memory position -> simulator object of that type
    act_reach: float = 1.5          # acting on a memory id: only objects this close to the robot
    type_fallback: bool = False     # unresolvable Apple_3 -> nearest Apple to the agent
    explore_viewpoints: int = 20    # most viewpoints looked around from per explore
    explore_max_steps: int = 130    # THOR actions one explore may spend (travel and looks)
    explore_radius: float = 1.35    # a viewpoint covers floor/surface cells this close, m
    explore_margin: float = 1.0     # surfaces (non-reachable cells) this far from the floor count, m
    explore_min_gain: int = 2       # a viewpoint must newly cover at least this many cells
    explore_use_bounds: bool = True  # skip obstacle cells outside the map's walls
    explore_horizons: tuple = (30.0,)  # camera horizons of each look (30 down, 0 level)
    region_radius: float = 1.5      # extent of a region the memory gives without a size
    max_steps_per_skill: int = 400
    container_looks: int = 3        # frames held looking into an opened container (explore(C))


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
        # objectType -> the object of that type the robot last acted on in this episode: the
        # one a change behind its back picks (world_change.py)
        self.last_acted: dict[str, str] = {}

    # ---- plumbing ------------------------------------------------------------------------
    def reset_map(self) -> None:
        """Forget the grid (call after the simulator was reset to another scene)."""
        self._grid_obj = None
        self.meta = self.backend.last
        self.last_acted = {}

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
        touched = [kw.get('objectId'), self.held() if action in _HAND_ACTIONS else None]
        types = {o['objectId']: o['objectType'] for o in self.meta.get('objects') or []
                 if o['objectId'] in touched}  # before the action: slicing removes the original
        self.meta = self.backend.step(action, **kw)
        if self.meta.get('lastActionSuccess'):
            self.last_acted.update({t: oid for oid, t in types.items()})
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
                return SkillOutcome(False, 'skill and args must be strings', 0, 'invalid_call')
            problem = check_call(skill, args)
            if problem:
                return SkillOutcome(False, problem, 0, 'invalid_call')
            self.meta = self.backend.last
            result = self._precondition(skill, args) or getattr(self, f'_skill_{skill}')(*args)
        except _Budget:
            result = fail('budget', f'{skill}: gave up after {self.cfg.max_steps_per_skill} simulator steps')
        except Exception as e:  # a bug must not take the node down; report it as a failure
            result = (False, f'{skill}: internal error {type(e).__name__}: {e}')
        finally:
            self._status_cb = None
        ok, msg, *why = result
        kind, blocking = (why + [''])[:2] if why else ('none' if ok else 'other', '')
        return SkillOutcome(ok, msg, self._steps, 'none' if ok else kind, blocking)

    def _precondition(self, skill: str, args: list[str]) -> tuple | None:
        """The hand check a robot's skill server makes before it moves at all."""
        held = self.held()
        if held is None and (SKILLS[skill].needs_held or skill in ('put', 'drop')):
            return fail('hand_empty', f'{skill} needs an object in hand; the hand is empty')
        if held is not None and skill in NEEDS_FREE_HAND:
            return fail('hand_full', f'{skill} needs a free hand; holding {held}')
        return None

    # ---- argument resolution ---------------------------------------------------------
    def _agent_xyz(self):
        x, z, _, _ = self.pose()
        return (x, self.cam_y(), z)

    def resolve(self, arg: str, acting: bool = False) -> tuple[dict | None, str]:
        """The simulator object ``arg`` names; ``acting``: the robot is about to act on it, so
        only objects within ``act_reach`` of where it stands qualify (see resolve.py)."""
        return resolve_object(arg, self.meta.get('objects') or [], self.resolver,
                              self._agent_xyz(), self.cfg.match_radius, self.cfg.type_fallback,
                              reach=self.cfg.act_reach if acting else None)

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
            if p.get('openable') and not p.get('isOpen') and p['objectType'] in CONTAINER_TYPES:
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
            return self._look_where_believed(arg, why)
        if o.get('isPickedUp') or o['objectId'] == self.held():
            return True, f'{o["objectId"]} is in hand'
        # a sink or bathtub is used through its basin: stand where the basin is in view
        target = self._visible_target(self._redirect(o, 'PutObject'))
        ok, msg, *why = self.approach(target)
        if ok and target is not o and not target['objectId'].startswith(o['objectId'] + '|'):
            return True, f'{o["objectId"]} is inside closed {target["objectId"]}; standing at it'
        return (ok, msg, *why)

    def _look_where_believed(self, arg: str, why: str):
        """Nothing of that type where memory places ``arg``: go there and look anyway, as a
        robot must to find out (its perception then shows the place without it), and fail
        with the reason."""
        ref = self._object_ref(arg)
        if ref is None or ref.position is None:
            return fail('not_found', why)
        half = [max(0.05, v / 2) for v in (ref.size or (0.1, 0.1, 0.1))]
        lo = tuple(c - h for c, h in zip(ref.position, half))
        hi = tuple(c + h for c, h in zip(ref.position, half))
        x, z, yaw, _ = self.pose()
        g = self.grid()
        poses = view_poses(g, g.search(g.cell(x, z), self._aligned(yaw)), lo, hi, self.cam_y(),
                           self.cfg.reach)
        px, py, pz = ref.position
        where = f'({px:.2f}, {py:.2f}, {pz:.2f})'
        self._status(f'navigating to where memory places {arg} {where}')
        if not poses or not self._go_to(poses[0].cell, poses[0].yaw, poses[0].horizon):
            return fail('not_found', f'{arg}: could not reach where memory places it {where}; {why}')
        return fail('not_found', f'{arg} not found where memory places it {where}: looked from '
                                 f'there; {why}')

    def _object_ref(self, arg: str) -> Ref | None:
        if self.resolver is None or '|' in arg:
            return None
        try:
            ref = self.resolver(arg)
        except Exception:  # a memory that is down must not break the skill
            return None
        return ref if ref is not None and ref.layer in ('object', 'receptacle') else None

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
        """Coverage search of a region: greedy viewpoints over the region's reachable cells
        (most newly covered floor and surface cells per action, travel included, see
        :class:`Coverage`), a look around at each, until it is covered, the viewpoint cap or
        the step budget (``explore_max_steps``) is reached. Perception is published after
        every action by ``on_step`` as for any skill."""
        if self._region_ref(arg) is None and self._is_container(arg):
            return self._search_container(arg)
        pts, _centre, note = self._region(arg)
        if not pts:
            return False, f'region {arg!r} has no reachable floor'
        c = self.cfg
        g = self.grid()
        cov = Coverage.of_region(g, {g.cell(px, pz) for px, pz in pts}, c.explore_radius,
                                 c.explore_margin, bounds=self._walls())
        limit = self._steps + min(c.explore_max_steps, c.max_steps_per_skill)
        visited, failed = 0, set()
        try:
            while cov.uncovered and visited < c.explore_viewpoints and self._steps < limit:
                x, z, yaw, _ = self.pose()
                here = g.cell(x, z)
                costs = cell_costs(g.search(here, self._aligned(yaw)))
                v = cov.next_view(costs, c.explore_min_gain, skip=failed,
                                  per_heading=len(c.explore_horizons))
                if v is None:
                    break
                if visited and self._steps + costs[v] + 1 > limit:
                    break  # the budget would run out before a look there
                vx, vz = g.xz(v)
                self._status(f'exploring {arg}: viewpoint {visited + 1} ({vx:.2f}, {vz:.2f}), '
                             f'{cov.share:.0%} covered')
                if v != here and not self._go_to(v, None, None):
                    failed.add(v)
                    continue
                self._look_from(cov, v, c.explore_horizons, limit)
                visited += 1
        except _Budget:
            pass  # the skill's own step cap: report what was seen so far
        if visited == 0:
            return False, f'could not reach any spot of {arg}'
        return True, ((note + '; ') if note else '') + (
            f'explored {arg} from {visited} viewpoint(s); {cov.share:.0%} of its floor and '
            f'surfaces within {c.explore_radius:g} m of a viewpoint')

    def _walls(self):
        """(min_x, min_z, max_x, max_z) inside the walls, from the map's scene bounds (the
        outline a robot's map has); None when unknown."""
        if not self.cfg.explore_use_bounds:
            return None
        pts = (self.scene_info().get('sceneBounds') or {}).get('cornerPoints')
        if not pts:
            return None
        inset = 0.1  # wall thickness
        return (min(p[0] for p in pts) + inset, min(p[2] for p in pts) + inset,
                max(p[0] for p in pts) - inset, max(p[2] for p in pts) - inset)

    def _look_from(self, cov: Coverage, cell, horizons, limit: int) -> None:
        """Look along the headings from ``cell`` that still have uncovered targets, at each
        horizon (the first one decides which headings; the rest repeat them)."""
        wanted = cov.headings_needed(cell)
        for k, hz in enumerate(horizons):
            if not wanted or self._steps >= limit:
                return
            self._set_horizon(float(hz))
            yaw = self.pose()[2]
            cov.mark(cell, yaw)
            for act in rotation_plan(yaw, wanted, self.grid().rotate):
                if self._steps >= limit:
                    return
                self._act(act, degrees=self.grid().rotate)
                cov.mark(cell, self.pose()[2])

    # ---- object skills ---------------------------------------------------------------
    def _interact(self, arg: str, action: str, **kw):
        o, why = self.resolve(arg, acting=True)
        if o is None:
            return fail('not_found', why)
        o = self._redirect(o, action)
        oid = o['objectId']
        hider = self._visible_target(o)
        if hider is not o:  # no look can reach it: say what the plan lacks
            return fail('container_closed', f'{oid} is inside closed {hider["objectId"]}: open it first',
                        hider['objectId'])
        if not self.visible(oid) and not self.look_for(oid) and self._near_enough(o):
            # near it but out of sight (a put left it at the far end of a bed): step to a
            # view pose first, as a skill server would. Far away is the plan's business
            # (navigate_to first), and so is a closed container hiding it.
            self.approach(o)
        ev = self._act(action, objectId=oid, **kw)
        if ev['lastActionSuccess']:
            return True, ''
        hint = '' if self.visible(oid) else f' ({oid} is not in view: navigate_to it first)'
        return False, self._err() + hint

    def _near_enough(self, o: dict) -> bool:
        """Within a short step of a view pose: the box is at most ``reach`` + 1 m away."""
        from .motion import _corners
        from .navigation import box_distance_xz
        x, z, _, _ = self.pose()
        lo, hi = _corners(o)
        return box_distance_xz(x, z, lo, hi) <= self.cfg.reach + 1.0

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

    def _is_container(self, arg: str) -> bool:
        """Whether ``arg`` names an openable container in the scene (THOR id or memory id)."""
        by_id = {o['objectId']: o for o in self.meta.get('objects') or []}
        o = by_id.get(arg)
        if o is None and self.resolver is not None and '|' not in arg:
            try:
                ref = self.resolver(arg)
            except Exception:
                ref = None
            return bool(ref is not None and ref.type in CONTAINER_TYPES)
        return bool(o is not None and o.get('openable') and o['objectType'] in CONTAINER_TYPES)

    def _search_container(self, arg: str):
        """explore(C) of a container: open it so perception sees inside, then close it again."""
        ok, msg, *why = self._skill_navigate_to(arg)
        if ok:
            ok, msg, *why = self._skill_open(arg)
        if not ok:
            return (False, f'searching {arg}: {msg}', *why)
        # Hold the look for a few frames, as a robot's camera would: a detector that misses
        # one frame in five still confirms what is inside (memory wants repeated evidence).
        for _ in range(self.cfg.container_looks):
            self._act('Pass')
        ok, msg, *_ = self._skill_close(arg)
        return True, f'searched inside {arg}' + ('' if ok else f' (left open: {msg})')

    def _to_state(self, arg: str, action: str, key: str, value: bool, word: str):
        """Open, close or switch ``arg``; when the robot sees it already so (a laptop someone
        closed, a lamp already off), the skill's goal holds: done, as a robot's routine that
        looks before it acts would report (THOR would refuse the action)."""
        o, _why = self.resolve(arg, acting=True)
        if o is not None and o.get(key) is value and (self.visible(o['objectId'])
                                                       or self.look_for(o['objectId'])):
            return True, f'{arg} is already {word}'
        return self._interact(arg, action)

    def _skill_open(self, arg):
        return self._to_state(arg, 'OpenObject', 'isOpen', True, 'open')

    def _skill_close(self, arg):
        return self._to_state(arg, 'CloseObject', 'isOpen', False, 'closed')

    def _skill_toggle_on(self, arg):
        return self._to_state(arg, 'ToggleObjectOn', 'isToggled', True, 'on')

    def _skill_toggle_off(self, arg):
        return self._to_state(arg, 'ToggleObjectOff', 'isToggled', False, 'off')

    def _skill_slice(self, arg):
        # THOR slices without a knife; a real skill server would fetch one here.
        o, _why = self.resolve(arg, acting=True)
        if o is not None and is_piece_type(o['objectType']):
            # The id names an object already cut into pieces: the skill's goal holds.
            return True, f'{arg} is already sliced'
        return self._interact(arg, 'SliceObject')

    def _skill_drop(self):
        if self.held() is None:
            return False, 'drop needs an object in hand; the hand is empty'
        ev = self._act('DropHandObject')
        return bool(ev['lastActionSuccess']), '' if ev['lastActionSuccess'] else self._err()
