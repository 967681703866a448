"""Static scene data for the 120 iTHOR FloorPlans (objects, reachable grid, poses, room type).

The 43 MB procthor JSON is parsed at most once per process, and only when the small per-scene
cache under ``~/.cache/karma_thor`` (derived data, safe to delete) is missing or stale.

>>> s = load_scene("FloorPlan1")
>>> s.room_type, len(s.objects()) > 50
('kitchen', True)
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import data, geometry

ROOM_TYPES = {"kitchens": ("kitchen", 0), "living_rooms": ("living_room", 200),
              "bedrooms": ("bedroom", 300), "bathrooms": ("bathroom", 400)}
GRID = 0.25
CACHE_VERSION = 6
# L-shaped counters have AABBs covering walkable floor, so they cannot veto alfworld's grid.
UNRELIABLE_FOOTPRINT = {"Floor", "CounterTop"}


def scene_names() -> list[str]:
    """All iTHOR scene names, e.g. ['FloorPlan1', ..., 'FloorPlan430']."""
    return [f"FloorPlan{off + i}" for _, off in ROOM_TYPES.values() for i in range(1, 31)]


def normalize_scene_name(name: str) -> str:
    """'FloorPlan1_physics' -> 'FloorPlan1'; raises KeyError for scenes that do not exist."""
    base = name[:-len("_physics")] if name.endswith("_physics") else name
    if base not in _scene_index():
        raise KeyError(name)
    return base


@functools.lru_cache(maxsize=1)
def _scene_index() -> dict[str, tuple[str, str, int]]:
    """scene name -> (procthor key, room type, index in that list)."""
    out = {}
    for key, (room, off) in ROOM_TYPES.items():
        for i in range(30):
            out[f"FloorPlan{off + i + 1}"] = (key, room, i)
    return out


@dataclass(frozen=True)
class Scene:
    name: str
    room_type: str
    objects_json: str  # kept as text: json.loads is a cheap deep copy for every reset
    reachable: tuple[tuple[float, float], ...]
    alfworld_poses: dict[str, list[float]]  # procthor objectId -> [x, z, yaw, horizon]
    scene_bounds: dict
    spawn: tuple[float, float, float]  # THOR's start pose of the scene: x, z, yaw

    def objects(self) -> list[dict]:
        """A fresh, mutable copy of the initial object metadata."""
        return json.loads(self.objects_json)


def cache_dir() -> Path:
    base = os.environ.get("KARMA_THOR_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "karma_thor")
    src = data.procthor_metadata_path().stat()
    return Path(base) / f"scenes-v{CACHE_VERSION}-{src.st_size}-{int(src.st_mtime)}"


@functools.lru_cache(maxsize=None)
def load_scene(name: str) -> Scene:
    """Load one scene (FloorPlan1 or FloorPlan1_physics); KeyError for unknown names."""
    name = normalize_scene_name(name)
    path = cache_dir() / f"{name}.json"
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError):
        raw = _build_cache()[name]
    return Scene(name=name, room_type=raw["roomType"],
                 objects_json=json.dumps(raw["objects"]),
                 reachable=tuple(tuple(p) for p in raw["reachable"]),
                 alfworld_poses=raw["alfworldPoses"], scene_bounds=raw["sceneBounds"],
                 spawn=tuple(raw["spawn"]))


@functools.lru_cache(maxsize=1)
def procthor_scenes() -> dict:
    """The parsed procthor JSON (cold path, ~0.5 s)."""
    with open(data.procthor_metadata_path()) as f:
        return json.load(f)


def _build_cache() -> dict[str, dict]:
    """Derive every scene from the raw data and write the per-scene cache files."""
    raw = procthor_scenes()
    out = {}
    for name, (key, room, i) in _scene_index().items():
        out[name] = derive_scene(name, room, raw[key][i])
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, rec in out.items():
            tmp = directory / f".{name}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps(rec))
            os.replace(tmp, directory / f"{name}.json")  # atomic: readers never see half a file
    except OSError:
        pass  # read-only home: stay correct, just slower
    return out


def derive_scene(name: str, room: str, objects: list[dict]) -> dict:
    """Merge procthor objects with alfworld's grid and poses (procthor wins on conflicts)."""
    spawn_xz = spawn_position(objects)
    spawn_yaw = spawn_rotation(objects, spawn_xz)
    objects = _single_parents([_normalize_object(o) for o in objects])
    bounds = _scene_bounds(objects)
    layout = data.alfworld_layouts_dir()
    reachable = None
    try:
        pts = np.load(layout / f"{name}-layout.npy")
        boxes = footprints(objects, UNRELIABLE_FOOTPRINT)
        reachable = [(float(x), float(z)) for x, z in pts if not inside(x, z, boxes, 0.0)]
    except (OSError, ValueError):
        pass
    if not reachable:
        reachable = _compute_grid(objects, bounds)
    spawn_cell = (round(spawn_xz[0] / GRID) * GRID, round(spawn_xz[1] / GRID) * GRID)
    if all(abs(x - spawn_cell[0]) + abs(z - spawn_cell[1]) > 1e-6 for x, z in reachable):
        reachable.append(spawn_cell)  # THOR starts the agent there, so it is reachable
    poses = {}
    try:
        alf = json.loads((layout / f"{name}-openable.json").read_text())
        poses = _map_alfworld_ids(alf, objects)
    except (OSError, ValueError):
        pass
    return {"roomType": room, "objects": objects, "reachable": sorted(reachable),
            "alfworldPoses": poses, "sceneBounds": bounds,
            "spawn": [spawn_xz[0], spawn_xz[1], spawn_yaw]}


def spawn_position(objects: list[dict]) -> tuple[float, float]:
    """THOR's start position, recovered from the dump: every object's ``distance`` is its
    distance from the agent where the scene started, so the agent is where those spheres meet
    (linear least squares: subtracting one sphere equation from the others)."""
    p = np.array([[o["position"][k] for k in "xyz"] for o in objects], dtype=float)
    d = np.array([o["distance"] for o in objects], dtype=float)
    a = 2 * (p[1:] - p[0])
    b = (p[1:] ** 2).sum(1) - (p[0] ** 2).sum() - d[1:] ** 2 + d[0] ** 2
    c = np.linalg.lstsq(a, b, rcond=None)[0]
    return round(float(c[0]), 4) + 0.0, round(float(c[2]), 4) + 0.0


def spawn_rotation(objects: list[dict], xz: tuple[float, float]) -> float:
    """The yaw (multiple of 90) whose view holds the most of the objects the dump marks
    visible, then the fewest others within THOR's 1.5 m (no object visible: facing a wall)."""
    floor = [o for o in objects if o["objectType"] == "Floor"]
    top = max((max(c[1] for c in f["axisAlignedBoundingBox"]["cornerPoints"]) for f in floor),
              default=0.0)
    cam = np.array([xz[0], top + 0.9009997 + 0.675, xz[1]])
    boxes = [_aabb_minmax(o) for o in objects]
    lo, hi = np.array([b[0] for b in boxes]), np.array([b[1] for b in boxes])
    near = geometry.xz_distance_to_box(cam, lo, hi) <= 1.5
    seen = np.array([bool(o["visible"]) for o in objects])

    def score(yaw: float) -> tuple[int, int]:
        view = geometry.in_view(cam, yaw, 0.0, 90.0, 1.0, (lo + hi) / 2, (hi - lo) / 2) & near
        return int((view & seen).sum()), -int((view & ~seen).sum())
    return max((0.0, 90.0, 180.0, 270.0), key=score)


def _normalize_object(o: dict) -> dict:
    """Fill THOR-default values the 4.x dump leaves null, keep one parent (the innermost)."""
    o = dict(o)
    o["visible"] = False
    o["isInteractable"] = False
    o["distance"] = 0.0
    if o.get("salientMaterials") is None:
        o["salientMaterials"] = []
    if o["receptacle"] and o.get("receptacleObjectIds") is None:
        o["receptacleObjectIds"] = []
    return o


def _single_parents(objects: list[dict]) -> list[dict]:
    """Keep a tree: an object in several receptacles keeps only the smallest (innermost) one."""
    by_id = {o["objectId"]: o for o in objects}

    def volume(oid: str) -> float:
        s = by_id[oid]["axisAlignedBoundingBox"]["size"]
        return s["x"] * s["y"] * s["z"]

    for o in objects:
        parents = [p for p in (o.get("parentReceptacles") or []) if p in by_id]
        keep = min(parents, key=volume) if parents else None
        o["parentReceptacles"] = [keep] if keep else None
        for p in parents:
            ids = by_id[p]["receptacleObjectIds"] or []
            if p != keep and o["objectId"] in ids:
                by_id[p]["receptacleObjectIds"] = [i for i in ids if i != o["objectId"]]
            elif p == keep and o["objectId"] not in ids:
                by_id[p]["receptacleObjectIds"] = ids + [o["objectId"]]
    _break_parent_cycles(by_id, volume)
    return objects


def _break_parent_cycles(by_id: dict[str, dict], volume) -> None:
    """Some 4.x dumps have containment loops (two cabinets each listing the other, a counter
    "in" the plate on it). A tree is needed: in each loop the largest object cannot be inside
    a smaller one, so its parent link is cut."""
    def parent(oid: str) -> str | None:
        ps = by_id[oid]["parentReceptacles"]
        return ps[0] if ps else None

    done: set[str] = set()
    for start in by_id:
        path, seen = [], set()
        node = start
        while node is not None and node not in done and node not in seen:
            seen.add(node)
            path.append(node)
            node = parent(node)
        if node is not None and node in seen:  # a loop: path[path.index(node):]
            loop = path[path.index(node):]
            big = max(loop, key=volume)
            outer = parent(big)
            by_id[big]["parentReceptacles"] = None
            ids = by_id[outer]["receptacleObjectIds"] or []
            by_id[outer]["receptacleObjectIds"] = [i for i in ids if i != big]
        done.update(path)


def _aabb_minmax(o: dict) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(o["axisAlignedBoundingBox"]["cornerPoints"], dtype=float)
    return c.min(0), c.max(0)


def footprints(objects: list[dict], skip: set[str]) -> np.ndarray:
    """(K, 4) [xmin, xmax, zmin, zmax] of non-pickupable furniture standing on the floor."""
    rows = []
    for o in objects:
        if o["pickupable"] or o["objectType"] in skip:
            continue
        lo, hi = _aabb_minmax(o)
        if lo[1] > 1.2:  # wall-mounted (upper cabinets, paintings): the agent walks under them
            continue
        rows.append((lo[0], hi[0], lo[2], hi[2]))
    return np.asarray(rows, dtype=float).reshape(-1, 4)


def inside(x: float, z: float, boxes: np.ndarray, margin: float) -> bool:
    return bool(np.any((boxes[:, 0] - margin < x) & (x < boxes[:, 1] + margin)
                       & (boxes[:, 2] - margin < z) & (z < boxes[:, 3] + margin)))


def _compute_grid(objects: list[dict], bounds: dict) -> list[tuple[float, float]]:
    """Fallback reachable grid: 0.25 m lattice inside the bounds, clear of footprints."""
    c, s = bounds["center"], bounds["size"]
    xs = np.arange(np.ceil((c["x"] - s["x"] / 2 + 0.3) / GRID), np.floor((c["x"] + s["x"] / 2 - 0.3) / GRID) + 1)
    zs = np.arange(np.ceil((c["z"] - s["z"] / 2 + 0.3) / GRID), np.floor((c["z"] + s["z"] / 2 - 0.3) / GRID) + 1)
    boxes = footprints(objects, {"Floor"})
    return [(float(x * GRID), float(z * GRID)) for x in xs for z in zs
            if not inside(x * GRID, z * GRID, boxes, 0.2)]


def _scene_bounds(objects: list[dict]) -> dict:
    pts = np.asarray([p for o in objects for p in o["axisAlignedBoundingBox"]["cornerPoints"]])
    lo, hi = pts.min(0), pts.max(0)
    corners = [[float(x), float(y), float(z)] for x in (hi[0], lo[0]) for y in (hi[1], lo[1])
               for z in (hi[2], lo[2])]
    mid, size = (lo + hi) / 2, hi - lo
    return {"cornerPoints": corners,
            "center": {"x": float(mid[0]), "y": float(mid[1]), "z": float(mid[2])},
            "size": {"x": float(size[0]), "y": float(size[1]), "z": float(size[2])}}


_ID_RE = re.compile(r"^([A-Za-z]+)\|([-+]?[\d.]+)\|([-+]?[\d.]+)\|([-+]?[\d.]+)(?:\|([A-Za-z]+))?")


def _map_alfworld_ids(alf: dict[str, list], objects: list[dict]) -> dict[str, list[float]]:
    """alfworld (ai2thor 2.1) receptacle ids -> the procthor object of that type nearest to it."""
    out = {}
    for alf_id, pose in alf.items():
        m = _ID_RE.match(alf_id)
        if not m:
            continue
        otype = m.group(5) or m.group(1)
        p = np.array([float(m.group(2)), float(m.group(3)), float(m.group(4))])
        best, best_d = None, 0.6  # ids further apart than this are different objects
        for o in objects:
            if o["objectType"] != otype:
                continue
            q = _ID_RE.match(o["objectId"])
            if not q:
                continue
            d = float(np.linalg.norm(p - [float(q.group(2)), float(q.group(3)), float(q.group(4))]))
            if d < best_d:
                best, best_d = o["objectId"], d
        if best is not None and best not in out:
            out[best] = [float(v) for v in pose]
    return out
