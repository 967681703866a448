"""Moving the THOR agent: drive to view poses on the grid (or teleport), look, look around.

A mixin of :class:`karma_thor_bridge.skills.SkillRunner`: it relies on ``self._act`` (one
counted THOR action), ``self.meta`` (the latest event), ``self.cfg`` and ``self._grid()``.
No rclpy.
"""
from __future__ import annotations

import math

from .navigation import HORIZONS, Grid, box_distance_xz, horizon_towards, norm_yaw, view_poses, yaw_towards
from .resolve import centre


def _corners(o: dict):
    pts = (o.get('axisAlignedBoundingBox') or {}).get('cornerPoints')
    if pts:
        lo = tuple(min(p[i] for p in pts) for i in range(3))
        hi = tuple(max(p[i] for p in pts) for i in range(3))
        return lo, hi
    c = centre(o)
    return c, c


class Motion:
    # ---- the agent as THOR reports it ----------------------------------------------------
    def pose(self) -> tuple[float, float, float, float]:
        """(x, z, yaw, horizon) of the agent."""
        a = self.meta.get('agent') or {}
        p, r = a.get('position') or {}, a.get('rotation') or {}
        return (float(p.get('x', 0)), float(p.get('z', 0)), norm_yaw(r.get('y', 0)),
                float(a.get('cameraHorizon', 0) or 0))

    def cam_y(self) -> float:
        return float((self.meta.get('cameraPosition') or {}).get('y', 1.576))

    def obj(self, oid: str) -> dict | None:
        return next((o for o in self.meta.get('objects') or [] if o['objectId'] == oid), None)

    def visible(self, oid: str) -> bool:
        o = self.obj(oid)
        return bool(o and (o.get('visible') or o.get('isPickedUp')))

    # ---- primitive motions ------------------------------------------------------------
    def _set_horizon(self, target: float) -> bool:
        """LookDown/LookUp in 30 degree steps until the camera horizon is ``target``."""
        for _ in range(6):
            h = self.pose()[3]
            if abs(h - target) < 1e-3:
                return True
            deg = min(30.0, abs(target - h))
            if not self._act('LookDown' if target > h else 'LookUp', degrees=deg)['lastActionSuccess']:
                return False
        return abs(self.pose()[3] - target) < 1e-3

    def _turn_to(self, yaw: float) -> bool:
        cur = self.pose()[2]
        diff = (norm_yaw(yaw) - cur + 180.0) % 360.0 - 180.0
        step = self.grid().rotate
        while abs(diff) > 1e-3:
            deg = min(step, abs(diff))
            self._act('RotateRight' if diff > 0 else 'RotateLeft', degrees=deg)
            diff -= math.copysign(deg, diff)
        return True

    def _go_to(self, cell, yaw: float | None, horizon: float | None) -> bool:
        """Drive (or teleport) onto ``cell``, facing ``yaw`` (any when None)."""
        g = self.grid()
        if self.cfg.navigation == 'teleport':
            x, z = g.xz(cell)
            y = (self.meta.get('agent') or {}).get('position', {}).get('y', 0.9)
            ev = self._act('TeleportFull', position=dict(x=x, y=y, z=z),
                           rotation=dict(x=0, y=self.pose()[2] if yaw is None else yaw, z=0),
                           horizon=self.pose()[3] if horizon is None else horizon, standing=True)
            return bool(ev['lastActionSuccess'])
        for _ in range(self.cfg.max_replans + 1):
            x, z, cur_yaw, _h = self.pose()
            search = g.search(g.cell(x, z), self._aligned(cur_yaw))
            goals = [(cell, yaw)] if yaw is not None else [(cell, h) for h in g.headings()]
            plan = min((search.actions_to(s) for s in goals if s in search.parent),
                       key=len, default=None)
            if plan is None:
                return False
            if self._drive(plan, g):
                return horizon is None or self._set_horizon(horizon)
        return False

    def _aligned(self, yaw: float) -> float:
        """Headings on the grid are multiples of the rotate step: square up first if needed."""
        step = self.grid().rotate
        if abs(yaw / step - round(yaw / step)) > 1e-3:
            self._turn_to(round(yaw / step) * step)
        return self.pose()[2]

    def _drive(self, plan: list[str], g: Grid) -> bool:
        for i, act in enumerate(plan):
            self._status(f'moving {i + 1}/{len(plan)}')
            x, z, yaw, _ = self.pose()
            ev = self._act(act)
            if not ev['lastActionSuccess']:
                if act == 'MoveAhead':  # remember the collision and plan around it
                    g.blocked.add((g.cell(x, z), yaw))
                return False
        return True

    # ---- composite motions ------------------------------------------------------------
    def approach(self, o: dict) -> tuple[bool, str]:
        """Go where ``o`` is visible (within reach, THOR's visibility distance) and face it."""
        oid = o['objectId']
        if self.visible(oid):
            return True, ''
        lo, hi = _corners(o)
        info = self.scene_info()
        preferred = [info.get('interactionPoses', {}).get(oid)] if info.get('interactionPoses', {}).get(oid) else []
        tried: set = set()
        for attempt in range(self.cfg.max_nav_attempts):
            x, z, yaw, _ = self.pose()
            g = self.grid()
            search = g.search(g.cell(x, z), self._aligned(yaw))
            poses = [p for p in view_poses(g, search, lo, hi, self.cam_y(), self.cfg.reach, preferred)
                     if (p.cell, p.yaw) not in tried]
            if not poses:
                break
            p = poses[0]
            tried.add((p.cell, p.yaw))
            self._status(f'navigating to {oid} (try {attempt + 1})')
            if not self._go_to(p.cell, p.yaw, p.horizon):
                continue
            if self.visible(oid) or self.look_for(oid, move=False):
                return True, ''
        return False, f'could not reach a pose that sees {oid}', 'unreachable', ''

    def look_for(self, oid: str, move: bool = False) -> bool:
        """Turn and tilt in place until ``oid`` is visible (a robot turning its head)."""
        if self.visible(oid):
            return True
        o = self.obj(oid)
        if o is None:
            return False
        x, z, yaw, h = self.pose()
        c = centre(o)
        lo, hi = _corners(o)
        if box_distance_xz(x, z, lo, hi) > self.cfg.reach + 0.5:
            return False  # too far to see from here: do not waste steps tilting
        want = yaw_towards(x, z, c[0], c[2], self.grid().rotate)
        if abs(want - yaw) > 1e-3:
            self._turn_to(want)
            if self.visible(oid):
                return True
        best = horizon_towards(self.cam_y(), math.hypot(c[0] - x, c[2] - z), c[1])
        for hz in sorted(HORIZONS, key=lambda v: (abs(v - best), v)):
            if abs(hz - self.pose()[3]) < 1e-3:
                continue
            if self._set_horizon(hz) and self.visible(oid):
                return True
        return False

    def go_to_point(self, px: float, pz: float) -> bool:
        g = self.grid()
        return self._go_to(g.cell(px, pz), None, None)

    def look_around(self, horizons=(30.0, 0.0), limit: int | None = None) -> None:
        """Full turns in place, one per camera horizon (30: tables, counters, floor; 0: shelves).
        The heading the robot faces is already in view, so a turn is one rotation short of
        360 degrees. ``limit``: stop before the skill's step count reaches it."""
        g = self.grid()
        n = len(g.headings())
        for k, horizon in enumerate(horizons):
            if limit is not None and self._steps >= limit:
                return
            self._set_horizon(float(horizon))
            for i in range(n - 1):
                if limit is not None and self._steps >= limit:
                    return
                self._status(f'looking around (horizon {horizon:g}) {i + 2}/{n}')
                self._act('RotateRight', degrees=g.rotate)
