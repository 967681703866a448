"""World state: objects (THOR metadata dicts), the receptacle tree, the agent and visibility.

Deterministic: the seed only picks the start pose (seed 0: THOR's own start pose of the scene,
recovered from the dump; another seed: a random reachable cell and yaw). Action rules live in
actions_*.py, appliance effects in effects.py.

>>> w = World("FloorPlan1")
>>> (w.x, w.z, w.agent_pose()["rotation"])  # THOR's spawn pose of FloorPlan1
(-1.0, 1.0, 270.0)
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from . import data, geometry
from .scenes import GRID, UNRELIABLE_FOOTPRINT, footprints, inside, load_scene

AGENT_Y_ABOVE_FLOOR = 0.9009997  # THOR's agent pivot height on a floor at y=0
CAMERA_OFFSET = {True: 0.675, False: 0.0}  # standing / crouching camera above the pivot
HAND_OFFSET = (0.0, -0.25, 0.5)  # where THOR's hand holds things, from the camera
AGENT_RADIUS = 0.2  # THOR's agent capsule: a teleport target keeps furniture this far
HORIZON_MIN, HORIZON_MAX = -30.0, 60.0
# Solid furniture that blocks the line of sight (thin slabs such as L-shaped counters would
# block far too much through their loose AABBs, so they are not in the list).
OCCLUDER_TYPES = {"Fridge", "Cabinet", "Drawer", "Microwave", "Safe", "Dresser", "Sofa", "Bed",
                  "ArmChair", "Television", "Toilet", "Box", "Desk", "TVStand"}


def containers() -> frozenset[str]:
    """Receptacle types that must be open to see or put things inside (ALFRED's openables)."""
    return frozenset(data.alfworld_constants().OPENABLE_CLASS_LIST)


@dataclass
class Params:
    grid_size: float = GRID
    visibility_distance: float = 1.5
    rotate_step: float = 90.0
    fov: float = 90.0
    width: int = 300
    height: int = 300
    agent_mode: str = "default"  # default, arm, locobot or drone (Initialize's agentMode)


class World:
    def __init__(self, scene: str = "FloorPlan1", seed: int = 0, params: Params | None = None):
        self.params = params or Params()
        self.reset(scene, seed)

    # ---- lifecycle -------------------------------------------------------------------------
    def reset(self, scene: str, seed: int = 0) -> None:
        self.scene = load_scene(scene)
        self.seed = seed
        self.objects: dict[str, dict] = {o["objectId"]: o for o in self.scene.objects()}
        self.removed: dict[str, dict] = {}
        self.alfred = {oid: {"cleaned": False, "heated": False, "cooled": False}
                       for oid in self.objects}
        self.held: str | None = None
        floor = [o for o in self.objects.values() if o["objectType"] == "Floor"]
        floor_top = max((max(c[1] for c in f["axisAlignedBoundingBox"]["cornerPoints"])
                         for f in floor), default=0.0)
        self.floor_id = floor[0]["objectId"] if floor else None
        self._feet = footprints(list(self.objects.values()), UNRELIABLE_FOOTPRINT)
        corners = np.array([c for f in floor for c in f["axisAlignedBoundingBox"]["cornerPoints"]]
                           or [[0.0, 0.0, 0.0]])
        self._floor_lo, self._floor_hi = corners.min(0), corners.max(0)
        self.agent_y = floor_top + AGENT_Y_ABOVE_FLOOR
        self.cells = {(round(x / GRID), round(z / GRID)) for x, z in self.scene.reachable}
        self.x, self.z, self.yaw = self._start_pose(seed)
        self.horizon, self.standing = 0.0, True
        self.object_filter: set[str] | None = None  # SetObjectFilter: ids reported, None = all
        self.hand = list(HAND_OFFSET)  # held object's offset from the camera: right, up, ahead
        self.hand_rotation = np.eye(3)  # held object's rotation relative to the agent
        self.body: dict[str, dict] = {}  # closed AABB of opened furniture (doors.swing)
        # Monotonic across resets, so caches keyed on them never mistake one scene for another.
        self.version = getattr(self, "version", 0) + 1  # bumped on every object change
        self.state_version = getattr(self, "state_version", 0) + 1  # bumped by Simulator.step
        self.collided = False
        self._arr_version = None
        self._vis_key = None
        self._pose_cache: dict | None = None

    def _start_pose(self, seed: int) -> tuple[float, float, float]:
        pts = sorted(self.scene.reachable)
        if seed == 0:
            return self.scene.spawn
        rng = random.Random(seed)
        x, z = rng.choice(pts)
        return x, z, float(rng.choice((0, 90, 180, 270)))

    def changed(self) -> None:
        self.version += 1

    # ---- agent -----------------------------------------------------------------------------
    def camera(self) -> np.ndarray:
        return np.array([self.x, self.agent_y + CAMERA_OFFSET[self.standing], self.z])

    def agent_pose(self) -> dict:
        return {"x": self.x, "z": self.z, "rotation": self.yaw, "horizon": self.horizon,
                "standing": self.standing}

    def navigable(self, x: float, z: float) -> bool:
        return (round(x / GRID), round(z / GRID)) in self.cells

    def standable(self, x: float, z: float) -> bool:
        """Where a teleport may put the agent. Unity checks the agent's capsule, not the grid:
        a grid cell, or a point within one cell of the grid whose capsule clears every piece
        of furniture and stays over the floor."""
        if self.navigable(x, z):
            return True
        i, j = round(x / GRID), round(z / GRID)
        near = any((i + di, j + dj) in self.cells
                   and math.hypot(x - (i + di) * GRID, z - (j + dj) * GRID) <= GRID + 1e-6
                   for di in (-1, 0, 1) for dj in (-1, 0, 1))
        lo, hi = self._floor_lo, self._floor_hi
        return (near and lo[0] + AGENT_RADIUS < x < hi[0] - AGENT_RADIUS
                and lo[2] + AGENT_RADIUS < z < hi[2] - AGENT_RADIUS
                and not inside(x, z, self._feet, AGENT_RADIUS))

    def path_clear(self, x0: float, z0: float, x1: float, z1: float) -> bool:
        """Every point of the straight path (sampled every 5 cm) is on a reachable cell."""
        n = max(1, int(math.ceil(math.hypot(x1 - x0, z1 - z0) / 0.05)))
        return all(self.navigable(x0 + (x1 - x0) * i / n, z0 + (z1 - z0) * i / n)
                   for i in range(1, n + 1))

    # ---- receptacle tree -------------------------------------------------------------------
    def parent_of(self, oid: str) -> str | None:
        p = self.objects[oid].get("parentReceptacles")
        return p[0] if p else None

    def children(self, oid: str) -> list[str]:
        return [c for c in (self.objects[oid].get("receptacleObjectIds") or [])
                if c in self.objects]

    def descendants(self, oid: str) -> list[str]:
        out, todo = [], self.children(oid)
        while todo:
            c = todo.pop()
            out.append(c)
            todo.extend(self.children(c))
        return out

    def detach(self, oid: str) -> None:
        p = self.parent_of(oid)
        if p is not None and p in self.objects:
            rec = self.objects[p]
            rec["receptacleObjectIds"] = [c for c in rec["receptacleObjectIds"] if c != oid]
        self.objects[oid]["parentReceptacles"] = None
        self.changed()

    def attach(self, oid: str, rid: str) -> None:
        self.detach(oid)
        self.objects[oid]["parentReceptacles"] = [rid]
        rec = self.objects[rid]
        rec["receptacleObjectIds"] = list(rec.get("receptacleObjectIds") or []) + [oid]
        self.changed()

    def move_subtree(self, oid: str, dx: float, dy: float, dz: float) -> None:
        for o in [oid] + self.descendants(oid):
            geometry.translate_object(self.objects[o], dx, dy, dz)
        self.changed()

    def move_center_to(self, oid: str, x: float, bottom_y: float, z: float) -> None:
        """Move an object (with whatever it holds) so its AABB bottom centre is at x, y, z."""
        box = self.objects[oid]["axisAlignedBoundingBox"]
        c, s = box["center"], box["size"]
        self.move_subtree(oid, x - c["x"], bottom_y + s["y"] / 2 - c["y"], z - c["z"])

    def hand_position(self) -> np.ndarray:
        """World point of the hand: ``self.hand`` (right, up, ahead) in the agent's yaw frame."""
        cam = self.camera()
        yaw = math.radians(self.yaw)
        r, u, a = self.hand
        return np.array([cam[0] + a * math.sin(yaw) + r * math.cos(yaw), cam[1] + u,
                         cam[2] + a * math.cos(yaw) - r * math.sin(yaw)])

    def hand_world_rotation(self) -> np.ndarray:
        return geometry.rotation_matrix(0.0, self.yaw, 0.0) @ self.hand_rotation

    def place_held(self) -> None:
        """Keep the held object's centre at the hand, turned with the agent."""
        if self.held is None:
            return
        p = self.hand_position()
        size_y = self.objects[self.held]["axisAlignedBoundingBox"]["size"]["y"]
        self.move_center_to(self.held, float(p[0]), float(p[1]) - size_y / 2, float(p[2]))
        x, y, z = geometry.euler_angles(self.hand_world_rotation())
        self.objects[self.held]["rotation"] = {"x": x, "y": y, "z": z}

    def box(self, oid: str) -> dict:
        """The AABB the physics uses: an open door's swept box is only reported, never used
        to place, catch or hide things."""
        return self.body.get(oid) or self.objects[oid]["axisAlignedBoundingBox"]

    # ---- visibility ------------------------------------------------------------------------
    def _arrays(self) -> dict:
        """Per-object numpy arrays, rebuilt only when some object changed."""
        if self._arr_version == self.version:
            return self._arr
        ids = list(self.objects)
        idx = {o: i for i, o in enumerate(ids)}
        objs = [self.objects[o] for o in ids]
        corners = np.array([self.box(o)["cornerPoints"] for o in ids])
        lo, hi = corners.min(1), corners.max(1)
        size = hi - lo
        vol = size.prod(1)
        boxed = containers()
        hidden = np.zeros(len(ids), bool)
        related = np.eye(len(ids), dtype=bool)  # self, ancestors and descendants
        for i, oid in enumerate(ids):
            p = self.parent_of(oid)
            while p is not None and p in idx:
                po = self.objects[p]
                if po["objectType"] in boxed and not po["isOpen"] and oid != self.held:
                    hidden[i] = True
                related[i, idx[p]] = related[idx[p], i] = True
                p = self.parent_of(p)
        occluder = np.array([o["objectType"] in OCCLUDER_TYPES and o["objectId"] != self.held
                             for o in objs], bool)
        pos = np.array([[o["position"]["x"], o["position"]["y"], o["position"]["z"]]
                        for o in objs])
        self._arr = dict(ids=ids, lo=lo, hi=hi, center=(lo + hi) / 2, half=size / 2, vol=vol,
                         hidden=hidden, related=related, occluder=occluder, pos=pos)
        self._arr_version = self.version
        return self._arr

    def visibility(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(ids, visible mask, distance agent->object position), cached per pose and version."""
        key = (self.version, self.x, self.z, self.yaw, self.horizon, self.standing,
               self.params.visibility_distance, self.params.fov)
        if key == self._vis_key:
            return self._vis
        a = self._arrays()
        cam = self.camera()
        # THOR measures an object's distance from the agent's pivot, not from the camera
        dist = np.linalg.norm(a["pos"] - np.array([self.x, self.agent_y, self.z]), axis=1)
        p = self.params
        near = geometry.xz_distance_to_box(cam, a["lo"], a["hi"]) <= p.visibility_distance
        cand = near & ~a["hidden"]
        cand[cand] = geometry.in_view(cam, self.yaw, self.horizon, p.fov, p.width / p.height,
                                      a["center"][cand], a["half"][cand])
        ti = np.nonzero(cand)[0]
        ki = np.nonzero(a["occluder"])[0]
        if len(ti) and len(ki):
            # Seen when the ray to its centre or to its nearest point is clear.
            clear = ~self._blocked(cam, a, ti, ki, a["center"][ti])
            clear |= ~self._blocked(cam, a, ti, ki, geometry.nearest_points(cam, a["lo"][ti],
                                                                              a["hi"][ti]))
            cand[ti[~clear]] = False
        self._vis_key, self._vis = key, (a["ids"], cand, dist)
        return self._vis

    @staticmethod
    def _blocked(cam: np.ndarray, a: dict, ti: np.ndarray, ki: np.ndarray,
                 pts: np.ndarray) -> np.ndarray:
        """(T,) the segment camera->pts[t] crosses an occluder that counts: bigger than the
        target, unrelated to it in the receptacle tree, around neither the camera nor pts[t]."""
        lo, hi = a["lo"][ki], a["hi"][ki]
        hits = geometry.segment_hits_boxes(cam, pts, lo, hi)
        bigger = a["vol"][ki][None, :] > a["vol"][ti][:, None]
        unrelated = ~a["related"][np.ix_(ti, ki)]
        around_cam = np.all((lo <= cam) & (cam <= hi), axis=1)
        p = pts[:, None, :]
        around_pt = np.all((lo[None] <= p) & (p <= hi[None]), axis=2)
        return (hits & bigger & unrelated & ~around_cam[None, :] & ~around_pt).any(1)

    def is_visible(self, oid: str) -> bool:
        ids, vis, _ = self.visibility()
        return bool(vis[self._arrays()["ids"].index(oid)]) if oid in self.objects else False

    def raycast(self, sx: float, sy: float) -> tuple[str | None, np.ndarray]:
        """(object hit or None, hit point) along the ray through screen point sx, sy; the ray
        stops at the scene bounds (the walls) when it hits no object."""
        a = self._arrays()
        cam = self.camera()
        p = self.params
        d = geometry.screen_ray(self.yaw, self.horizon, p.fov, p.width / p.height, sx, sy)
        t = geometry.ray_hits_boxes(cam, d, a["lo"], a["hi"])
        around = np.all((a["lo"] <= cam) & (cam <= a["hi"]), axis=1)
        t[a["hidden"] | around] = np.inf
        if self.held is not None:
            t[a["ids"].index(self.held)] = np.inf
        b = self.scene.scene_bounds
        c, s = b["center"], b["size"]
        lo = np.array([c["x"] - s["x"] / 2, c["y"] - s["y"] / 2, c["z"] - s["z"] / 2])
        hi = np.array([c["x"] + s["x"] / 2, c["y"] + s["y"] / 2, c["z"] + s["z"] / 2])
        t_room = float(geometry.ray_hits_boxes(cam, d, lo[None], hi[None])[0])
        i = int(np.argmin(t)) if len(t) else -1
        if i >= 0 and t[i] <= t_room:
            return a["ids"][i], cam + t[i] * d
        return None, cam + (t_room if np.isfinite(t_room) else 0.0) * d
