"""Planning on THOR's reachable grid: poses, shortest action sequences, view poses; no rclpy.

States are (cell, heading): a cell of the reachable grid and a yaw that is a multiple of the
rotate step. Actions are THOR's MoveAhead (one grid step, only along the axes), RotateLeft and
RotateRight, each costing one simulator step, so a breadth-first search gives the shortest
action sequence. Blocked moves found while driving are remembered and avoided.

Example::

    >>> g = Grid([(0, 0), (0.25, 0), (0.5, 0), (0.5, 0.25)], step=0.25)
    >>> bfs = g.search(g.cell(0, 0), 0.0)
    >>> bfs.actions_to((g.cell(0.5, 0.25), 0.0))
    ['RotateRight', 'MoveAhead', 'MoveAhead', 'RotateLeft', 'MoveAhead']
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

Cell = tuple[int, int]
State = tuple[Cell, float]
HORIZONS = (-30.0, 0.0, 30.0, 60.0)  # THOR's camera limits in LookUp/LookDown steps of 30
# yaw -> (di, dj) of one MoveAhead on the (x, z) grid; yaw 0 faces +z, 90 faces +x.
_AHEAD = {0.0: (0, 1), 90.0: (1, 0), 180.0: (0, -1), 270.0: (-1, 0)}


def norm_yaw(yaw: float) -> float:
    return round(float(yaw) % 360.0, 6) % 360.0


def yaw_towards(x: float, z: float, tx: float, tz: float, step: float = 90.0) -> float:
    """Heading (a multiple of ``step``) that faces the point (tx, tz) from (x, z)."""
    yaw = math.degrees(math.atan2(tx - x, tz - z))
    return norm_yaw(round(yaw / step) * step)


def horizon_towards(cam_y: float, dist_xz: float, ty: float) -> float:
    """Camera horizon (multiple of 30, within THOR's limits) that looks at height ``ty``."""
    pitch = math.degrees(math.atan2(cam_y - ty, max(dist_xz, 1e-3)))
    return min(HORIZONS, key=lambda h: abs(h - pitch))


def box_distance_xz(x: float, z: float, lo: tuple, hi: tuple) -> float:
    """Horizontal distance from (x, z) to an axis-aligned box given by its corners."""
    dx = max(lo[0] - x, 0.0, x - hi[0])
    dz = max(lo[2] - z, 0.0, z - hi[2])
    return math.hypot(dx, dz)


@dataclass
class Search:
    """The result of one breadth-first search from a start state."""

    start: State
    parent: dict[State, tuple[State, str] | None]
    cost: dict[State, int]

    def actions_to(self, goal: State) -> list[str] | None:
        if goal not in self.parent:
            return None
        out = []
        s = goal
        while self.parent[s] is not None:
            prev, act = self.parent[s]
            out.append(act)
            s = prev
        return out[::-1]

    def cell_cost(self, cell: Cell, yaw: float | None = None) -> float:
        """Fewest actions to stand on ``cell`` (facing ``yaw`` when given); inf if unreachable."""
        if yaw is not None:
            return self.cost.get((cell, norm_yaw(yaw)), math.inf)
        return min((c for (cl, _), c in self.cost.items() if cl == cell), default=math.inf)


@dataclass
class Grid:
    """The reachable cells; ``step`` is THOR's gridSize, ``rotate`` its rotateStepDegrees."""

    points: list
    step: float = 0.25
    rotate: float = 90.0
    blocked: set = field(default_factory=set)  # (cell, yaw) whose MoveAhead collided

    def __post_init__(self):
        self.cells: set[Cell] = {self._key(x, z) for x, z in self.points}

    @classmethod
    def from_reachable(cls, reachable: list[dict], step: float = 0.25, rotate: float = 90.0):
        return cls([(p['x'], p['z']) for p in reachable], step, rotate)

    def _key(self, x: float, z: float) -> Cell:
        return (round(x / self.step), round(z / self.step))

    def xz(self, cell: Cell) -> tuple[float, float]:
        return (cell[0] * self.step, cell[1] * self.step)

    def cell(self, x: float, z: float) -> Cell:
        """The cell at (x, z), or the nearest reachable one (float drift, off-grid starts)."""
        k = self._key(x, z)
        if k in self.cells or not self.cells:
            return k
        return min(self.cells, key=lambda c: (c[0] - x / self.step) ** 2 + (c[1] - z / self.step) ** 2)

    def headings(self) -> list[float]:
        n = max(1, int(round(360.0 / self.rotate)))
        return [norm_yaw(i * self.rotate) for i in range(n)]

    def search(self, start: Cell, yaw: float) -> Search:
        start_state = (start, norm_yaw(yaw))
        parent: dict = {start_state: None}
        cost = {start_state: 0}
        todo = deque([start_state])
        while todo:
            s = todo.popleft()
            for nxt, act in self._successors(s):
                if nxt not in parent:
                    parent[nxt] = (s, act)
                    cost[nxt] = cost[s] + 1
                    todo.append(nxt)
        return Search(start_state, parent, cost)

    def _successors(self, s: State):
        (i, j), yaw = s
        d = _AHEAD.get(yaw)
        if d is not None and (s not in self.blocked):
            n = (i + d[0], j + d[1])
            if n in self.cells:
                yield (n, yaw), 'MoveAhead'
        yield ((i, j), norm_yaw(yaw + self.rotate)), 'RotateRight'
        yield ((i, j), norm_yaw(yaw - self.rotate)), 'RotateLeft'


@dataclass(frozen=True)
class ViewPose:
    """Where to stand and look from: cell, yaw, horizon, and a preference score (lower first)."""

    cell: Cell
    yaw: float
    horizon: float
    score: float


def view_poses(grid: Grid, search: Search, box_lo: tuple, box_hi: tuple, cam_height: float,
               reach: float, preferred: list | None = None) -> list[ViewPose]:
    """Poses from which an object with this AABB should be seen and reached, best first.

    Candidates are reachable cells within ``reach`` (horizontal distance to the box); the score
    is the number of actions to get there plus two per metre of distance (closer views are
    less often occluded). ``preferred`` ([x, z, yaw, horizon], alfworld-style interaction
    poses) get a bonus of three actions.
    """
    centre = tuple((a + b) / 2 for a, b in zip(box_lo, box_hi))
    out = []
    for cell in grid.cells:
        x, z = grid.xz(cell)
        d = box_distance_xz(x, z, box_lo, box_hi)
        if d > reach:
            continue
        yaw = yaw_towards(x, z, centre[0], centre[2], grid.rotate)
        cost = search.cell_cost(cell, yaw)
        if math.isinf(cost):
            continue
        horizon = horizon_towards(cam_height, math.hypot(centre[0] - x, centre[2] - z), centre[1])
        out.append(ViewPose(cell, yaw, horizon, cost + 2.0 * d))
    for p in preferred or []:
        cell = grid.cell(p[0], p[1])
        cost = search.cell_cost(cell, p[2])
        if cell in grid.cells and not math.isinf(cost):
            h = min(HORIZONS, key=lambda v: abs(v - p[3]))
            out.append(ViewPose(cell, norm_yaw(p[2]), h, cost - 3.0))
    out.sort(key=lambda v: (v.score, v.cell, v.yaw))
    return out


# ---- coverage search (explore) ---------------------------------------------------------------
@dataclass
class Coverage:
    """What an ``explore`` of a region must see, from geometry the robot knows: the reachable
    grid only (never where unseen objects are).

    Targets are the region's reachable cells and the obstacle cells (furniture, counters, walls:
    lattice points that are not reachable) within ``margin`` of them whose nearest reachable
    cell lies in the region, i.e. the floor and the surfaces objects stand on, split between
    regions. Looking from a viewpoint (a reachable cell) along a heading covers the targets
    within ``radius`` (below THOR's visibility distance, measured horizontally to an object's
    box) inside the camera's horizontal field of view ``fov``.

    >>> g = Grid([(x * .25, z * .25) for x in range(12) for z in range(2)])
    >>> cov = Coverage.of_region(g, g.cells, radius=1.2, margin=0.5)
    >>> v = cov.next_view({c: 0 for c in g.cells})
    >>> before = len(cov.uncovered)
    >>> for yaw in cov.headings_needed(v):
    ...     _ = cov.mark(v, yaw)
    >>> 0 < len(cov.uncovered) < before
    True
    """

    grid: Grid
    candidates: list
    targets: list
    radius: float
    fov: float = 90.0
    uncovered: set = field(default_factory=set)
    _views: dict = field(default_factory=dict)

    @classmethod
    def of_region(cls, grid: Grid, region_cells, radius: float = 1.2, margin: float = 1.0,
                  fov: float = 90.0, bounds: tuple | None = None) -> 'Coverage':
        """``bounds`` (min_x, min_z, max_x, max_z): the walls of the map, when known; obstacle
        cells outside are behind a wall and not worth looking at."""
        region = {c for c in region_cells if c in grid.cells}
        k = max(0, int(math.floor(margin / grid.step + 1e-9)))
        offs = [(di, dj) for di in range(-k, k + 1) for dj in range(-k, k + 1)
                if math.hypot(di, dj) * grid.step <= margin + 1e-9]
        offs.sort(key=lambda d: d[0] ** 2 + d[1] ** 2)
        obstacles = {(i + di, j + dj) for (i, j) in region for di, dj in offs
                     if (i + di, j + dj) not in grid.cells}
        if bounds is not None:
            x0, z0, x1, z1 = bounds
            obstacles = {(i, j) for i, j in obstacles
                         if x0 <= i * grid.step <= x1 and z0 <= j * grid.step <= z1}
        mine = []
        for (i, j) in sorted(obstacles):
            # the nearest reachable cells decide whose surface it is (ties: every region's)
            d_all = next((di * di + dj * dj for di, dj in offs if (i + di, j + dj) in grid.cells), None)
            d_mine = next((di * di + dj * dj for di, dj in offs if (i + di, j + dj) in region), None)
            if d_mine is not None and d_mine == d_all:
                mine.append((i, j))
        targets = sorted(region) + mine
        cov = cls(grid, sorted(region), targets, radius, fov)
        cov.uncovered = set(range(len(targets)))
        return cov

    def views(self, cell: Cell) -> dict:
        """heading -> the targets seen looking that way from ``cell`` (cached)."""
        out = self._views.get(cell)
        if out is not None:
            return out
        g, r = self.grid, self.radius / self.grid.step
        out = {yaw: set() for yaw in g.headings()}
        for t, (i, j) in enumerate(self.targets):
            di, dj = i - cell[0], j - cell[1]
            d = math.hypot(di, dj)
            if d > r + 1e-9:
                continue
            if d < 1e-9:
                continue  # underfoot: seen on the way in, or from the next viewpoint
            bearing = math.degrees(math.atan2(di, dj))  # yaw 0 faces +z, 90 faces +x
            slack = self.fov / 2 + math.degrees(math.atan2(0.5, d))  # half a cell of extent
            for yaw in out:
                if abs((bearing - yaw + 180.0) % 360.0 - 180.0) <= slack:
                    out[yaw].add(t)
        out = {yaw: frozenset(ts) for yaw, ts in out.items()}
        self._views[cell] = out
        return out

    def gain(self, cell: Cell) -> int:
        return len(self.uncovered & frozenset().union(*self.views(cell).values()))

    def headings_needed(self, cell: Cell) -> list:
        return [yaw for yaw, ts in self.views(cell).items() if ts & self.uncovered]

    def mark(self, cell: Cell, yaw: float) -> int:
        """Count the targets seen from ``cell`` facing ``yaw`` as covered; returns how many were new."""
        new = self.uncovered & self.views(cell).get(norm_yaw(yaw), frozenset())
        self.uncovered -= new
        return len(new)

    def next_view(self, costs: dict, min_gain: int = 1, skip: set | None = None,
                  per_heading: float = 1.0) -> Cell | None:
        """The candidate with the most newly covered targets per action: travel (``costs``,
        cell -> actions) plus ``per_heading`` per heading to look along; None when no candidate
        would cover ``min_gain`` new targets."""
        best, best_key = None, None
        for c in self.candidates:
            if skip and c in skip:
                continue
            travel = costs.get(c, math.inf)
            if math.isinf(travel):
                continue
            gain = self.gain(c)
            if gain < max(1, min_gain):
                continue
            looks = per_heading * len(self.headings_needed(c))
            key = (-gain / (travel + looks + 1.0), travel, c)
            if best_key is None or key < best_key:
                best, best_key = c, key
        return best

    @property
    def share(self) -> float:
        return 1.0 - len(self.uncovered) / max(1, len(self.targets))


def cell_costs(search: Search) -> dict:
    """Fewest actions to stand on each cell, any heading."""
    out: dict = {}
    for (cell, _), c in search.cost.items():
        if c < out.get(cell, math.inf):
            out[cell] = c
    return out


def rotation_plan(yaw: float, wanted, step: float = 90.0) -> list[str]:
    """Fewest RotateRight/RotateLeft actions that face every heading in ``wanted`` once.

    >>> rotation_plan(0, [90, 270])
    ['RotateRight', 'RotateLeft', 'RotateLeft']
    >>> rotation_plan(0, [0, 90, 180, 270])
    ['RotateRight', 'RotateRight', 'RotateRight']
    """
    from itertools import permutations
    todo = [norm_yaw(w) for w in wanted if abs((norm_yaw(w) - norm_yaw(yaw) + 180) % 360 - 180) > 1e-3]
    best = None
    for order in permutations(sorted(set(todo))):
        cur, acts = norm_yaw(yaw), []
        for w in order:
            diff = (w - cur + 180.0) % 360.0 - 180.0
            n = int(round(abs(diff) / step))
            acts += ['RotateRight' if diff > 0 else 'RotateLeft'] * n
            cur = w
        if best is None or len(acts) < len(best):
            best = acts
    return best or []
