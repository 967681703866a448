"""The long-term memory: a layered 3D scene graph on networkx, updated from observations.

Layers: ``scene`` (the root, id ``"scene"``) -> ``region`` (rooms or reachable-area regions,
ids ``"region:<name>"``) -> ``receptacle`` (furniture and containers) -> ``object``.
Edges are directed and typed by their ``relation`` attribute:

* ``contains`` – hierarchy: scene -> region, region -> a top-level receptacle/object;
* ``in`` / ``on`` – an object (or smaller receptacle) held by a receptacle
  (source = held thing, target = receptacle);
* ``near`` – a loose thing to its nearest receptacle within ``near_distance``.

Every object/receptacle has at most one parent (its receptacle, else its region), so the
containment path is a chain: ``apple -> plate -> fridge -> region:kitchen``.

Example (REP-103: z up)::

    >>> from karma_memory import SceneGraph, Observation
    >>> g = SceneGraph()
    >>> _ = g.add_region("kitchen", (0, 0, 5, 5))
    >>> r = g.apply([
    ...     Observation("Fridge", "Fridge|1", position=(1, 1, 0.9), size=(0.8, 0.8, 1.8),
    ...                 is_receptacle=True),
    ...     Observation("Plate", "Plate|1", position=(1, 1, 0.5), size=(0.25, 0.25, 0.03),
    ...                 is_receptacle=True),
    ...     Observation("Apple", "Apple|1", position=(1, 1, 0.56), size=(0.1, 0.1, 0.1))])
    >>> g.containment_path("Apple|1")
    ['Apple|1', 'Plate|1', 'Fridge|1', 'region:kitchen']
    >>> [o.id for o in g.find("apple")]
    ['Apple|1']
    >>> [o.id for o in g.objects_in("Fridge|1")]
    ['Plate|1', 'Apple|1']
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from heapq import nsmallest
from types import MappingProxyType
from typing import Iterable, Iterator

import networkx as nx

from karma_memory import beliefs, node_link, render
from karma_memory.geometry import (IN_TYPES, best_holder, dist, distance_to_polygon, in_view, infer_relation,
                                   point_in_polygon, polygon_bounds, polygon_from, volume)
from karma_domain.attributes import HOLD_RELATIONS as _HOLD_RELATIONS
from karma_domain.attributes import REGION_PREFIX, SCENE_ID  # noqa: F401 - re-exported
from karma_domain.lookalikes import lookalikes
from karma_memory.observation import (Limits, Observation, Observer, UpdateReport,
                                      bound_observer, check_observation, check_observer)
from karma_domain.text import (LabelError, clean_text, validate_id, validate_label)
from karma_domain.states import typed_value
from karma_memory.spatial import FootprintIndex, VoxelIndex
from karma_memory.textsearch import TypeMatcher
from karma_memory.tracks import TentativeTracks
from karma_domain.vocabulary import FIXED_TYPES, HAND_STATES, canonical_type, is_receptacle_type

#: Provenance of a hand correction; perception never silently overwrites such a node.
OPERATOR = "operator"

SCENE = SCENE_ID
HOLD_RELATIONS = _HOLD_RELATIONS   # karma_domain.attributes
#: Sightings after which an id-less object's parent is inferred again from its running-mean
#: box (the first inference uses two noisy sightings; the mean keeps improving below the
#: rewiring threshold). Log-spaced: cheap on the hot path.
REPLACE_AT = frozenset((3, 5, 8, 13, 21, 34, 55))
#: Hand states of :meth:`SceneGraph.set_robot_state` (karma_interfaces/RobotState.hand_state).
HAND_UNKNOWN, HAND_EMPTY, HAND_HOLDING = (HAND_STATES.index(h) for h in ('unknown', 'empty', 'holding'))


@dataclass
class MemoryConfig:
    """Tuning of association, relations and negative observations (metres, [0, 1])."""

    association_distance: float = 0.5   # same-class match radius for observations without id
    move_threshold: float = 0.05        # re-place an object (rewire relations) beyond this
    near_distance: float = 1.0          # "near" edge to the closest receptacle within this
    miss_decay: float = 0.6             # unused since beliefs replaced the fixed factor (kept
                                        # so old parameter files still load)
    prior_detection_rate: float = 0.8   # how often a visible object is detected, before history
    confirm_frames: int = 2             # frames an id-less new object must be seen in first
    track_max_age: int = 30             # ... within this many frames of its first sighting
    lookalike_penalty: float = 0.15     # extra match distance for a look-alike label, m
    stale_below: float = 0.5            # belief under which an object is stale
    prune_below: float = 0.02           # belief under which an object missed often is dropped
    prune_after_misses: int = 5         # ... after at least this many misses in a row
    merge_distance: float = 0.3         # two same-type objects this close may be one
    merge_after: int = 3                # frames seen apart (never together) before merging
    smoothing_floor: float = 0.2        # least weight of a new id-less sighting in the mean
    hand_radius: float = 0.6            # detections of the held type this close are the hand's
    release_radius: float = 2.0         # match radius of an object just put down
    view_margin: float = 0.85           # shrink the view cone: border objects are often cut off
    region_snap: float = 1.0            # a point outside every region joins one this close
    cell: float = 1.0                   # voxel size of the spatial index
    fusion_voxel: float = 0.02          # open3d voxel for fused segment clouds
    fusion_max_points: int = 4000       # fused points kept per object
    limits: Limits = field(default_factory=Limits)
    #: Most objects and receptacles memory holds (0 = no bound). Past it, the least seen
    #: objects are forgotten (see SceneGraph._forget_least_seen), down to 95 % of it.
    max_objects: int = 0
    #: Appended to ids the memory mints (``Mug_1`` + ``:robot1``): a fleet robot's namespace,
    #: so robots sharing a store never mint one id for two things. Empty for a single robot.
    id_suffix: str = ""


@dataclass(frozen=True)
class MemoryItem:
    """A read-only snapshot of one object or receptacle (mirrors ``MemoryObject.msg``)."""

    id: str
    type: str
    layer: str
    position: tuple[float, float, float]
    size: tuple[float, float, float]
    receptacle_id: str
    relation: str
    region_id: str
    states: dict
    first_seen: float
    last_seen: float
    times_seen: int
    confidence: float
    stale: bool
    source: str
    score: float = 0.0
    held: bool = False   # the robot's gripper holds it (robot state)
    robot: str = ""      # fleet memory: namespace of the robot that last observed or changed it


def mint_base(label: str) -> str:
    """Id-safe form of a label for minted ids (``"Butter Knife"`` -> ``"Butter_Knife"``)."""
    return re.sub(r"[^A-Za-z0-9_]", "", label.replace(" ", "_")) or "Object"


class SceneGraph:
    """Long-term memory of where things are. See the module docstring for the model.

    Mutate only through :meth:`apply`, :meth:`add_region`, :meth:`set_regions_from_reachable`,
    :meth:`remove`, :meth:`clear` and :meth:`merge_node_link`; they keep the indices, the
    edges and the change log (read by :class:`karma_memory.store.MemoryStore`) consistent.
    """

    def __init__(self, config: MemoryConfig | None = None):
        self.config = config or MemoryConfig()
        self._g = nx.DiGraph()
        self._index = VoxelIndex(self.config.cell)
        self._footprints = FootprintIndex(0.5, pad=self.config.near_distance)
        self._by_type: dict[str, set[str]] = {}
        self._type_names: dict[str, str] = {}
        self._regions: dict[str, tuple[list, tuple]] = {}
        self._minted: dict[str, int] = {}
        self._matcher = TypeMatcher()
        self._labels: dict[str, object] = {}
        self._valid_ids: set[str] = set()   # ids validate_id accepted (under config.limits)
        self._match_cache: dict[tuple[str, int, int], list] = {}
        self._fusion = None
        self._tracks = TentativeTracks(self.config.confirm_frames, self.config.association_distance,
                                       compatible=self._compatible_labels,
                                       max_age=self.config.track_max_age)
        self._frame = 0                    # apply() calls so far: one frame each
        self._pairs: dict[tuple[str, str], int] = {}   # near same-type pairs: frames seen apart
        self._co_seen: set[tuple[str, str]] = set()    # pairs detected in one frame: distinct
        self._gone: dict[str, list[tuple[str, float]]] = {}   # pruned ids by type key
        self._held = ""                    # id of the object in the robot's hand
        self._released = ""                # object just put down (wider match radius)
        self._base: tuple | None = None    # robot base position from the robot state
        self._dirty: set[str] = set()      # nodes whose stored row must be rewritten
        self._sighted: set[str] = set()    # nodes only re-seen (times_seen/last_seen/confidence)
        self._deleted: set[str] = set()
        self._conflicts: set[str] = set()  # operator nodes perception disagreed with (this frame)
        self._hinted: set[str] = set()     # nodes whose parent came from a source's parent id
        #: Bumped on every change a subscriber should see (not on a mere re-sighting).
        self.revision = 0
        #: Stamp of the last applied message (the time of its changes in the store's history).
        self.clock: float | None = None
        self._add_scene()

    # ------------------------------------------------------------------ read API
    @property
    def nx(self) -> nx.DiGraph:
        """Read-only networkx view of the whole graph (node/edge attributes as stored)."""
        return self._g.copy(as_view=True)

    def __len__(self) -> int:
        """Number of objects and receptacles."""
        return len(self._index)

    def __contains__(self, node_id: str) -> bool:
        return node_id in self._g

    def ids(self) -> list[str]:
        """Ids of every object and receptacle, sorted."""
        return sorted(self._index._where)

    def objects(self, layer: str | None = None) -> Iterator[MemoryItem]:
        """Every object and receptacle (``layer`` = "object"/"receptacle" to filter), by id."""
        for nid in self.ids():
            if layer is None or self._g.nodes[nid]["layer"] == layer:
                yield self._item(nid)

    def get(self, node_id: str) -> MemoryItem | None:
        """The object/receptacle ``node_id`` as a :class:`MemoryItem`, or ``None``."""
        if node_id not in self._index:
            return None
        return self._item(node_id)

    def node(self, node_id: str) -> dict:
        """A copy of any node's raw attributes (regions and the scene included)."""
        return dict(self._g.nodes[node_id])

    def regions(self) -> list[str]:
        """Region node ids, sorted."""
        return sorted(self._regions)

    def receptacle_of(self, node_id: str) -> tuple[str, str]:
        """``(receptacle id, "in"|"on")`` holding ``node_id``, or ``("", "")``."""
        a = self._g.nodes[node_id]
        if a.get("relation") in HOLD_RELATIONS:
            return a["parent"], a["relation"]
        return "", ""

    def region_of(self, node_id: str) -> str:
        """Region id of ``node_id`` (through its receptacles), or ``""``."""
        for nid in self.containment_path(node_id)[1:]:
            if nid.startswith(REGION_PREFIX):
                return nid
        return ""

    def containment_path(self, node_id: str) -> list[str]:
        """``[node, receptacle, ..., region]`` following in/on then contains upwards.

        >>> SceneGraph().containment_path("nothing")
        []
        """
        if node_id not in self._g:
            return []
        path = [node_id]
        cur = self._g.nodes[node_id].get("parent", "")
        while cur and cur not in path and cur != SCENE:
            path.append(cur)
            cur = self._g.nodes[cur].get("parent", "")
        return path

    def objects_in(self, container: str, recursive: bool = True) -> list[MemoryItem]:
        """Things held by a receptacle or contained in a region, breadth-first, by id per level.

        ``container`` is a receptacle id, a region id, or a region name (``"kitchen"``).
        ``recursive=False`` returns only the direct children.
        """
        if container not in self._g and REGION_PREFIX + container in self._g:
            container = REGION_PREFIX + container
        if container not in self._g:
            return []
        out, frontier, seen = [], [container], {container}
        while frontier:
            nxt = []
            for c in frontier:
                for child in sorted(self._children(c)):
                    if child not in seen:
                        seen.add(child)
                        out.append(child)
                        nxt.append(child)
            frontier = nxt if recursive else []
        return [self._item(n) for n in out if n in self._index]

    def find(self, query: str, k: int = 10, matcher: TypeMatcher | None = None) -> list[MemoryItem]:
        """Best ``k`` objects for a type or free-text query, best first (``score`` set).

        Exact ids match first; otherwise each known type is scored once per query by
        ``matcher`` (:class:`~karma_memory.textsearch.TypeMatcher`, the one retrieval takes
        its type boosts from; default: over the domain's synonym table; cached), and its
        instances ranked by type score x (0.5 + 0.5 x confidence), stale ones halved; ties
        break by id. ``FindObject`` is served through
        :meth:`karma_planning.memory_query.MemoryQuery.find`, which passes its retriever's.
        """
        q = clean_text(query, 256)
        if not q or k <= 0:
            return []
        if q in self._index:
            return [self._item(q, 1.0)]
        nodes = self._g._node   # the raw attribute dicts: this loop is the hot path
        best: list[tuple[float, str]] = []
        for ts, tl in self._type_matches(q, matcher or self._matcher):
            # Item scores never exceed their type's score: once k items beat it, stop.
            if len(best) >= k and ts < -best[-1][0]:
                break
            for nid in self._by_type[tl]:
                a = nodes[nid]
                v = ts * (0.5 + 0.5 * a["confidence"]) * (0.5 if a["stale"] else 1.0)
                best.append((-v, nid))
            # nsmallest on (-score, id): best first, ties by ascending id (deterministic).
            best = nsmallest(k, best)
        return [self._item(nid, round(-v, 6)) for v, nid in best]

    def _type_matches(self, q: str, matcher: TypeMatcher) -> list[tuple[float, str]]:
        """Known types matching ``q`` as ``(type score, type key)``, best first (cached)."""
        key = (q, len(self._type_names), id(matcher))
        hit = self._match_cache.get(key)
        if hit is None:
            names = self._type_names
            hit = [(sc, name.lower()) for sc, name in matcher.match(q, names.values())]
            if len(self._match_cache) > 4096:
                self._match_cache.clear()
            self._match_cache[key] = hit
        return hit

    def subgraph(self, ids: Iterable[str], hops: int = 1) -> nx.DiGraph:
        """Copy of the nodes within ``hops`` (ignoring edge direction) of ``ids``.

        The scene root is never expanded through (it would join everything at two hops).
        """
        return self._g.subgraph(self.neighbourhood(ids, hops)).copy()

    def neighbourhood(self, ids: Iterable[str], hops: int = 1) -> set[str]:
        """Node ids within ``hops`` of ``ids`` (unknown ids are ignored)."""
        keep = {i for i in ids if i in self._g}
        frontier = set(keep)
        for _ in range(max(0, hops)):
            nxt = set()
            for n in frontier:
                if n == SCENE:
                    continue
                nxt.update(self._g.successors(n))
                nxt.update(self._g.predecessors(n))
            nxt -= keep
            keep |= nxt
            frontier = nxt
        return keep

    def render_text(self, ids: Iterable[str] | None = None, hops: int = 0) -> str:
        """Compact deterministic text of ``ids`` (and ``hops`` around them; all when None).

        See :func:`karma_memory.render.render_text` for the format.
        """
        nodes = set(self._g) if ids is None else self.neighbourhood(ids, hops)
        return render.render_text(self, nodes)

    # ------------------------------------------------------------------ regions
    def add_region(self, name: str, shape, room_type: str = "", source: str = "annotation") -> str:
        """Add (or replace) region ``name`` with a ``(min_x, min_y, max_x, max_y)`` box or an
        ``[(x, y), ...]`` polygon in the ground plane (z up); returns its id ``"region:<name>"``.

        Top-level objects are re-assigned to regions afterwards.
        """
        name = validate_label(name.replace("_", " "), self.config.limits.max_label_len).replace(" ", "_")
        poly = polygon_from(shape)
        rid = REGION_PREFIX + name
        x0, y0, x1, y1 = polygon_bounds(poly)
        attrs = dict(layer="region", type=name, room_type=clean_text(room_type or name, 64),
                     polygon=[list(p) for p in poly], position=((x0 + x1) / 2, (y0 + y1) / 2, 0.0),
                     size=(x1 - x0, y1 - y0, 0.0), source=clean_text(source, 64), rev=1)
        self._g.add_node(rid, **attrs)
        self._g.add_edge(SCENE, rid, relation="contains")
        self._regions[rid] = (poly, (x0, y0, x1, y1))
        self._touch(rid)
        self._reassign_regions()
        return rid

    def remove_region(self, region_id: str) -> None:
        """Remove a region; its top-level things are re-assigned to the remaining regions."""
        if region_id in self._regions:
            del self._regions[region_id]
            self._g.remove_node(region_id)
            self._deleted.add(region_id)
            self._dirty.discard(region_id)
            self.revision += 1
            self._reassign_regions()

    def set_regions_from_reachable(self, points, room_type: str = "house", **kwargs) -> list[str]:
        """Replace the regions previously derived for ``room_type`` by k-means regions of the
        reachable ``(x, y, z)`` points (see :func:`karma_memory.regions.cluster_reachable`).

        >>> g = SceneGraph()
        >>> g.set_regions_from_reachable([(x * .25, y * .25, 0) for x in range(8) for y in range(8)])
        ['region:house_region_1']
        """
        from karma_memory.regions import cluster_reachable
        clusters = cluster_reachable(points, room_type, **kwargs)
        for rid in [r for r in self._regions if self._g.nodes[r].get("source") == "reachable"
                    and self._g.nodes[r].get("room_type") == room_type]:
            del self._regions[rid]
            self._g.remove_node(rid)
            self._deleted.add(rid)
            self._dirty.discard(rid)
        out = []
        for name, poly in clusters:
            out.append(self.add_region(name, poly, room_type=room_type, source="reachable"))
        self._reassign_regions()
        return out

    def region_at(self, x: float, y: float) -> str:
        """Region containing ground point ``(x, y)``; else the closest within ``region_snap``; else ``""``."""
        best, bd = "", self.config.region_snap
        for rid in sorted(self._regions):
            poly, (x0, y0, x1, y1) = self._regions[rid]
            if x0 <= x <= x1 and y0 <= y <= y1 and point_in_polygon(x, y, poly):
                return rid
        for rid in sorted(self._regions):
            poly, (x0, y0, x1, y1) = self._regions[rid]
            if x0 - bd <= x <= x1 + bd and y0 - bd <= y <= y1 + bd:
                d = distance_to_polygon(x, y, poly)
                if d <= bd:
                    best, bd = rid, d
        return best

    # ------------------------------------------------------------------ updates
    def apply(self, observations: Iterable[Observation], observer: Observer | None = None,
              source: str = "", stamp: float | None = None) -> UpdateReport:
        """Apply one frame (or batch) of observations; return what happened.

        Invalid observations are rejected (``report.rejected``) without touching memory;
        duplicate instance ids within the batch are all rejected (they contradict each other).
        Receptacles are applied first so objects can name them as parents in the same batch.
        Observations without an instance id are associated with known objects (type or
        look-alike type, distance); one that matches nothing becomes an object only once it
        was seen in ``confirm_frames`` frames (``report.tentative`` until then), unless it
        turns out to be a stale object seen elsewhere (moved). With an ``observer``, objects in
        its view cone that were not seen lose belief (see :mod:`karma_memory.beliefs`), and
        become stale only when their belief drops under ``stale_below``.
        """
        now = time.time() if stamp is None else float(stamp)
        self.clock = now
        self._frame += 1
        frame = self._frame
        report = UpdateReport()
        accepted = self._validate(list(observations), report, source)
        eye = None   # where the camera is in this frame: a carried object is right in front of it
        if observer is not None:
            try:
                eye = tuple(float(c) for c in observer.position)[:3]
            except (TypeError, ValueError):
                eye = None
        # Receptacles first (stable), so objects can name them as parents in the same batch.
        accepted = [t for t in accepted if t[1].is_receptacle] + [t for t in accepted if not t[1].is_receptacle]
        seen: set[str] = set()
        guessed: set[str] = set()     # matched by association, not by the source's id
        slots: dict[int, str] = {}
        known = self._index._where
        for idx, obs in accepted:
            nid = obs.instance_id
            if nid in known and self._resight(nid, obs, now):
                pass   # the common case of a stream: seen again where memory has it
            elif nid and nid in known:
                if self._update(nid, obs, now):
                    report.moved.append(nid)
            elif obs.position is None:
                report.rejected.append((idx, "no_pose", "an unknown pose can only update a known object"))
                continue
            elif nid:
                self._create(nid, obs, now)
                report.created.append(nid)
            elif self._held and (hid := self._in_hand(obs, eye)):
                nid = hid             # the gripper's object (or what it carries) at the camera
            else:
                nid = self._associate(obs, seen)
                if nid:
                    report.associated.append(nid)
                    if self._update(nid, obs, now, smooth=True):
                        report.moved.append(nid)
                else:
                    track = self._tracks.offer(obs.label, obs.position, frame, obs.size, obs)
                    if track is None:
                        report.tentative.append(idx)
                        continue
                    nid = self._confirm(track, obs, now, report)
                guessed.add(nid)
            seen.add(nid)
            slots[idx] = nid
        report.applied = [slots[i] for i in sorted(slots)]
        report.ids = dict(slots)
        self._pair_evidence(guessed, seen)
        if observer is not None:
            problem = check_observer(observer)
            if not problem:
                observer, note = bound_observer(observer, self.config.limits)
                if note:
                    report.refused.append((-1, "observer_clamped", note))
            if problem:
                report.rejected.append((-1, *problem))
            elif observer.fov_deg > 0 and observer.max_range > 0:
                report.missed = self._negative(observer, seen, now, frame)
        report.merged = self._merge_duplicates(seen)
        report.pruned = self._prune(report.missed, now)
        report.conflicts, self._conflicts = sorted(self._conflicts), set()
        report.pruned += self._forget_least_seen(set(report.applied))
        if report.created or report.moved or report.missed or report.merged or report.pruned:
            self.revision += 1
        return report

    # ------------------------------------------------------------------ robot state
    def set_robot_state(self, hand_state: int, held_id: str = "", held_type: str = "",
                        base_position=None, stamp: float | None = None) -> list[str]:
        """Take the robot's own state (karma_interfaces/RobotState) as given; returns changed ids.

        ``HAND_HOLDING``: the held object (``held_id``, else the known object of ``held_type``
        nearest the base) leaves its receptacle, follows the base, is never matched with a
        detection elsewhere and never missed. ``HAND_EMPTY``: a held object was put down near
        the base; its place is unknown until it is seen again (a wider match radius then).
        ``HAND_UNKNOWN``: memory keeps its own belief.
        """
        now = time.time() if stamp is None else float(stamp)
        self.clock = now
        if base_position is not None:
            base = tuple(float(c) for c in base_position)
            if len(base) == 3 and all(math.isfinite(c) for c in base):
                self._base = base
        changed: list[str] = []
        if hand_state == HAND_HOLDING:
            nid = held_id if held_id in self._index else self._nearest_of_type(held_type)
            if self._held and self._held != nid:
                changed += self._release(now)
            if nid:
                self._hold(nid, now)
                changed.append(nid)
        elif hand_state == HAND_EMPTY and self._held:
            changed += self._release(now)
        if changed:
            self.revision += 1
        return changed

    # ------------------------------------------------------------------ skill evidence
    def note_put(self, receptacle: str, stamp: float | None = None) -> list[str]:
        """The robot's own successful ``put(receptacle)``: the object it held (or just released)
        is in or on ``receptacle``, a belief as good as a sighting; returns changed ids."""
        now = time.time() if stamp is None else float(stamp)
        if receptacle not in self._index:
            return []
        changed = self._release(now) if self._held else []
        nid = self._released
        if not nid or nid not in self._index or nid == receptacle:
            return changed
        a = self._g.nodes[nid]
        p, old = self._g.nodes[receptacle]["position"], a["position"]
        a["position"] = (p[0], p[1], p[2])
        self._shift_descendants(nid, (p[0] - old[0], p[1] - old[1], p[2] - old[2]))
        self._reindex(nid)
        self._place(nid, receptacle)
        a["stale"], a["misses"], a["last_seen"] = False, 0, now
        a["confidence"] = max(a["confidence"], min(0.9, self.config.stale_below + 0.2))
        self._touch(nid)
        self.revision += 1
        return sorted(set(changed) | {nid})

    def note_skill_failure(self, kind: str, target: str, stamp: float | None = None,
                           blocking: str = "") -> list[str]:
        """A failed skill is evidence about ``target`` (a memory id); returns changed ids.

        ``not_found``: the robot went to look where memory has it and it was not there: a
        deliberate look, so the belief drops below ``stale_below`` at once (the object is
        kept, demoted: a later sighting restores it, and a new object of its type elsewhere
        may be recognised as it, moved). ``hand_empty``: nothing is held. ``container_closed``:
        ``blocking`` (when memory knows it), else the receptacle holding ``target`` (or
        ``target`` itself when it opens), is closed.
        Other kinds say nothing about the world.
        """
        now = time.time() if stamp is None else float(stamp)
        if target not in self._index and kind != "hand_empty":
            return []
        changed: list[str] = []
        if kind == "not_found" and target != self._held:
            a = self._g.nodes[target]
            if a.get("layer") not in ("object", "receptacle") or a["type"] in FIXED_TYPES:
                return []   # furniture does not walk away: the look failed, not the belief
            a["confidence"] = min(a["confidence"], self.config.stale_below * 0.5)
            a["misses"] = a.get("misses", 0) + 1
            a["missed_total"] = a.get("missed_total", 0) + 1
            was, a["stale"] = a["stale"], True
            self._touch(target)
            changed.append(target)
            if not was:
                self._reidentify_stale(target)
        elif kind == "hand_empty" and self._held:
            changed += self._release(now)
        elif kind == "container_closed":
            nid = blocking if blocking in self._index else target
            if "isOpen" not in self._g.nodes[nid]["states"]:
                nid = self._g.nodes[nid].get("parent", "")
            if nid in self._index and "isOpen" in self._g.nodes[nid]["states"]:
                self._g.nodes[nid]["states"]["isOpen"] = "false"
                self._touch(nid)
                changed.append(nid)
        if changed:
            self.revision += 1
        return changed

    @property
    def held(self) -> str:
        """Id of the object memory believes is in the robot's hand ("" when none)."""
        return self._held

    def _nearest_of_type(self, type_: str) -> str:
        if not type_ or self._base is None:
            return ""
        key = canonical_type(clean_text(type_, self.config.limits.max_label_len)).lower()
        cands = [(dist(self._g.nodes[n]["position"], self._base), n)
                 for n in self._by_type.get(key, ())]
        return min(cands)[1] if cands and min(cands)[0] <= 2 * self.config.hand_radius else ""

    def _hold(self, nid: str, now: float) -> None:
        a = self._g.nodes[nid]
        self._held = nid
        if self._released == nid:
            self._released = ""
        a["states"]["isPickedUp"] = "true"
        a.update(stale=False, misses=0, last_seen=now,
                 confidence=max(a["confidence"], self.config.stale_below))
        if self._base is not None:
            old = a["position"]
            a["position"] = (self._base[0], self._base[1], old[2])
            self._shift_descendants(nid, (a["position"][0] - old[0], a["position"][1] - old[1], 0.0))
            self._reindex(nid)
        # In the hand, nothing holds it: it joins the region the robot stands in.
        self._unlink_parent(nid)
        a["parent"] = a["relation"] = ""
        region = self.region_at(a["position"][0], a["position"][1])
        if region:
            self._g.add_edge(region, nid, relation="contains")
            a["parent"], a["relation"] = region, "contains"
        self._touch(nid)

    def _release(self, now: float) -> list[str]:
        nid, self._held = self._held, ""
        if nid not in self._index:
            return []
        a = self._g.nodes[nid]
        a["states"]["isPickedUp"] = "false"
        # Put down somewhere near the base: believed, not seen, until a detection re-anchors it.
        a.update(stale=True, confidence=min(a["confidence"], self.config.stale_below * 0.8))
        self._released = nid
        self._touch(nid)
        return [nid]

    def _in_hand(self, obs: Observation, eye) -> str:
        """The held object, or a thing it carries (the remote in a carried box), that a
        detection shows, else ``""``: its (look-alike) type, within ``hand_radius`` of the
        camera of this frame or of the base. The base pose comes after each skill, the frames
        while the robot walks, so the camera is the better reference; without this, a carried
        object seen on the way leaves a trail of ghosts along the path."""
        refs = [r for r in (eye, self._base) if r is not None and len(r) >= 2]
        p = obs.position
        if not refs or not any(math.hypot(p[0] - r[0], p[1] - r[1]) <= self.config.hand_radius
                               for r in refs):
            return ""
        key = obs.label.lower()
        stack, hops = [self._held], 0
        while stack and hops < 64:
            c = stack.pop(0)
            hops += 1
            if key in self._compatible_keys(self._g.nodes[c]["type"]):
                return c
            stack.extend(self._children(c))
        return ""

    def remove(self, node_id: str) -> bool:
        """Forget an object/receptacle; what it held becomes top-level (re-placed)."""
        if node_id not in self._index:
            return False
        children = [c for c in self._g.predecessors(node_id)
                    if self._g.nodes[c].get("parent") == node_id]
        for n in list(self._g.predecessors(node_id)):
            if self._g.nodes[n].get("near") == node_id:
                self._g.nodes[n]["near"] = ""
                self._touch(n)
        a = self._g.nodes[node_id]
        if self._held == node_id:
            self._held = ""
        if self._released == node_id:
            self._released = ""
        self._by_type.get(a["type"].lower(), set()).discard(node_id)
        self._index.remove(node_id)
        self._footprints.remove(node_id)
        if self._fusion is not None:
            self._fusion.forget(node_id)
        self._g.remove_node(node_id)
        self._deleted.add(node_id)
        self._dirty.discard(node_id)
        self._hinted.discard(node_id)
        for c in children:
            self._g.nodes[c]["parent"] = self._g.nodes[c]["relation"] = ""
            self._place(c, "")
            self._touch(c)
        self.revision += 1
        return True

    def clear(self) -> None:
        """Forget everything (regions included)."""
        self._deleted.update(n for n in self._g if n != SCENE)
        self._g.clear()
        self._index.clear()
        self._footprints.clear()
        self._by_type.clear()
        self._type_names.clear()
        self._match_cache.clear()
        self._regions.clear()
        self._minted.clear()
        self._dirty.clear()
        self._sighted.clear()
        self._hinted.clear()
        self._tracks.clear()
        self._pairs.clear()
        self._co_seen.clear()
        self._gone.clear()
        self._held = self._released = ""
        if self._fusion is not None:
            self._fusion.clear()
        self._add_scene()
        self.revision += 1

    def take_changes(self) -> tuple[set[str], set[str], set[str]]:
        """Return and reset ``(changed ids, only-re-seen ids, deleted ids)`` since the last call.

        Used by :class:`~karma_memory.store.MemoryStore` to write only what changed.
        """
        dirty, sighted, deleted = self._dirty, self._sighted - self._dirty, self._deleted
        self._dirty, self._sighted, self._deleted = set(), set(), set()
        return dirty, sighted, deleted - dirty

    # ------------------------------------------------------------------ node-link
    def to_node_link(self) -> dict:
        """The graph as node-link JSON data; see :mod:`karma_memory.node_link`."""
        return node_link.to_node_link(self)

    @classmethod
    def from_node_link(cls, data: dict, config: MemoryConfig | None = None) -> "SceneGraph":
        """Build a graph from node-link data written by :meth:`to_node_link` (or another tool)."""
        g = cls(config)
        g.merge_node_link(data, replace=True)
        return g

    def merge_node_link(self, data: dict, replace: bool = False) -> int:
        """Load node-link data into this graph (``replace`` clears it first); returns the
        number of objects/receptacles loaded. Invalid nodes and edges are skipped."""
        return node_link.merge(self, data, replace)

    # ------------------------------------------------------------------ serialiser and store API
    # What node_link, render, store and corrections need, so no sibling module touches the
    # graph's private state.
    def node_attrs(self, node_id: str) -> MappingProxyType:
        """The stored attributes of any node (scene, region, object), read-only."""
        return MappingProxyType(self._g.nodes[node_id])

    def has_thing(self, node_id: str) -> bool:
        """True when ``node_id`` is an object or receptacle of this graph."""
        return node_id in self._g and self._g.nodes[node_id]["layer"] in ("object", "receptacle")

    def insert_loaded(self, node_id: str, attrs: dict) -> None:
        """Add an object or receptacle with complete, validated attributes (a loader's node),
        indexed by type and position; link it with :meth:`attach_loaded` afterwards."""
        self._g.add_node(node_id, **attrs)
        key = attrs["type"].lower()
        self._by_type.setdefault(key, set()).add(node_id)
        self._type_names.setdefault(key, attrs["type"])
        self._reindex(node_id)

    def attach_loaded(self, node_id: str, holder: str = "", relation: str = "", near: str = "") -> None:
        """Link a loaded node: held by ``holder`` (``in``/``on``) unless that makes a cycle, else
        contained by the region under it (and ``near`` another thing); marks it changed."""
        g, a = self._g, self._g.nodes[node_id]
        if holder and not self._is_ancestor(node_id, holder):
            g.add_edge(node_id, holder, relation=relation)
            a["parent"], a["relation"] = holder, relation
        else:
            region = self.region_at(a["position"][0], a["position"][1])
            if region:
                g.add_edge(region, node_id, relation="contains")
                a["parent"], a["relation"] = region, "contains"
            if near and not g.has_edge(node_id, near):
                g.add_edge(node_id, near, relation="near")
                a["near"] = near
        self._touch(node_id)

    def restore_changes(self, dirty: set[str], sighted: set[str], deleted: set[str]) -> None:
        """Give back what :meth:`take_changes` returned (a failed write retries them later)."""
        self._dirty |= dirty
        self._sighted |= sighted
        self._deleted |= deleted

    def mark_all_changed(self) -> None:
        """Every node but the scene root counts as changed (the store rewrites them all)."""
        self._dirty.update(n for n in self._g if n != SCENE)

    def mint_id(self, label: str) -> str:
        """A new memory id for a raw label (validated, canonical type, ``<Type>_<n>``); raises
        :class:`LabelError` for a label memory would reject."""
        return self._mint(self._label(label))

    # ------------------------------------------------------------------ internals
    def _add_scene(self) -> None:
        self._g.add_node(SCENE, layer="scene", type="scene", position=(0.0, 0.0, 0.0),
                         size=(0.0, 0.0, 0.0), rev=1)

    def _touch(self, nid: str, semantic: bool = True) -> None:
        self._deleted.discard(nid)
        if semantic:
            self._dirty.add(nid)
            a = self._g.nodes[nid]
            a["rev"] = a.get("rev", 0) + 1
        else:
            self._sighted.add(nid)

    def _item(self, nid: str, score: float = 0.0) -> MemoryItem:
        a = self._g.nodes[nid]
        rel = a.get("relation", "")
        held = rel in HOLD_RELATIONS
        return MemoryItem(nid, a["type"], a["layer"], a["position"], a["size"],
                          a["parent"] if held else "", rel if held else "", self.region_of(nid),
                          dict(a["states"]), a["first_seen"], a["last_seen"], a["times_seen"],
                          a["confidence"], a["stale"], a["source"], score, nid == self._held,
                          a.get("robot", ""))

    def _children(self, nid: str) -> list[str]:
        """Things whose hierarchy parent is ``nid``."""
        g = self._g
        if nid.startswith(REGION_PREFIX) or nid == SCENE:
            return [c for c in g.successors(nid) if g.nodes[c].get("parent") == nid
                    or (nid == SCENE and c.startswith(REGION_PREFIX))]
        return [c for c in g.predecessors(nid) if g.nodes[c].get("parent") == nid]

    def _label(self, raw: str) -> str:
        """validate_label with a bounded cache: a stream repeats the same few labels."""
        hit = self._labels.get(raw)
        if hit is None:
            try:
                hit = validate_label(raw, self.config.limits.max_label_len)
                # Open-vocabulary labels ("fridge", "trash can") become the catalogue's types.
                hit = validate_label(canonical_type(hit), self.config.limits.max_label_len)
            except LabelError as e:
                hit = e
            if len(self._labels) > 4096:
                self._labels.clear()
            self._labels[raw] = hit
        if isinstance(hit, LabelError):
            raise hit
        return hit

    def _validate(self, observations: list, report: UpdateReport, source: str) -> list:
        lim = self.config.limits
        ok: list[tuple[int, Observation]] = []
        counts: dict[str, int] = {}
        for o in observations:
            if o.instance_id:
                counts[o.instance_id] = counts.get(o.instance_id, 0) + 1
        default_source = clean_text(source, 64)
        valid_ids = self._valid_ids
        for idx, o in enumerate(observations):
            try:
                label = self._label(o.label)
            except LabelError as e:
                report.rejected.append((idx, e.reason, e.detail))
                continue
            iid = o.instance_id
            if iid and iid not in valid_ids:
                try:
                    validate_id(iid, lim.max_id_len)
                    if len(valid_ids) > 65536:
                        valid_ids.clear()   # bounded; a stream repeats the same ids
                    valid_ids.add(iid)
                except LabelError as e:
                    # Untrusted text never becomes structure: the detection is kept, without
                    # its id (memory associates it or mints its own), and the id is only counted.
                    report.refused.append((idx, e.reason, f'{e.detail}; id dropped'))
                    iid = ""
            try:
                if iid:
                    if counts[iid] > 1:
                        raise LabelError("duplicate_id", f"id {iid!r} appears "
                                         f"{counts[iid]} times in one batch")
            except LabelError as e:
                report.rejected.append((idx, e.reason, e.detail))
                continue
            problem = check_observation(o, lim)
            if problem:
                report.rejected.append((idx, *problem))
                continue
            states = {}
            for k, v in o.states.items():
                k = clean_text(k, 64)
                if not k:
                    continue
                typed = typed_value(k, clean_text(v, lim.max_state_len))
                if typed is None:
                    report.refused.append((idx, "bad_state", f"state {k!r}: value "
                                           f"{clean_text(v, 40)!r} is not of its type"))
                else:
                    states[k] = typed
            p, s = o.position, o.size
            ok.append((idx, Observation(
                label, iid, float(o.confidence),
                None if p is None else (float(p[0]), float(p[1]), float(p[2])),
                None if s is None else (float(s[0]), float(s[1]), float(s[2])), states,
                clean_text(o.parent_id, lim.max_id_len) if o.parent_id else "",
                bool(o.is_receptacle) or is_receptacle_type(label),
                o.points if p is not None else None,
                clean_text(o.source, 64) if o.source else default_source, o.stamp)))
        return ok

    def _compatible_labels(self, label: str) -> frozenset:
        """``label`` and its look-alikes (the types a detector confuses it with)."""
        return frozenset((label,)) | lookalikes(label)

    def _compatible_keys(self, label: str) -> frozenset:
        return frozenset(t.lower() for t in self._compatible_labels(label))

    def _associate(self, obs: Observation, taken: set[str]) -> str:
        """Best known match of an id-less detection, not already matched in this frame.

        Candidates have the detection's type or a look-alike type (at a distance penalty),
        lie within the association radius (or within half their own extent, for furniture),
        and are not in the robot's hand. An object just put down matches within
        ``release_radius``: where exactly it was put is what this detection says.
        """
        cfg = self.config
        size = obs.size or (0.0, 0.0, 0.0)
        r = max(cfg.association_distance, 0.5 * max(size), cfg.release_radius if self._released else 0)
        best, bc = "", math.inf
        nodes = self._g.nodes
        own = obs.label.lower()
        for key in self._compatible_keys(obs.label):
            penalty = 0.0 if key == own else cfg.lookalike_penalty
            for c in self._index.near(obs.position, r, key):
                if c in taken or c == self._held:
                    continue
                a = nodes[c]
                d = dist(a["position"], obs.position)
                gate = max(cfg.association_distance, 0.5 * max(a["size"]))
                if c == self._released:
                    gate = max(gate, cfg.release_radius)
                cost = d + penalty
                if d <= gate and (cost < bc or (cost == bc and c < best)):
                    best, bc = c, cost
        return best

    def _confirm(self, track, obs: Observation, now: float, report: UpdateReport) -> str:
        """A tentative track seen often enough: a moved known object, or a new one."""
        label = track.best_label
        merged = Observation(label, "", max(o.confidence for o in track.observations),
                             track.position, track.size or obs.size, dict(obs.states),
                             obs.parent_id, any(o.is_receptacle for o in track.observations),
                             None, obs.source, obs.stamp)
        old = self._moved_candidate(label, exclude=())
        if old:
            self._update(old, merged, now)
            a = self._g.nodes[old]
            a["times_seen"] += track.frames - 1
            report.moved.append(old)
            report.associated.append(old)
            return old
        gone = self._gone.get(label.lower(), [])
        # One object of this type was dropped as gone, and one appears: it is back, moved.
        nid = gone.pop()[0] if len(gone) == 1 and gone[0][0] not in self._g else self._mint(label)
        nid = self._create(nid, merged, now)
        self._g.nodes[nid]["times_seen"] = track.frames
        report.created.append(nid)
        return nid

    def _moved_candidate(self, label: str, exclude) -> str:
        """The one stale known object of ``label``'s kind, if exactly one: it moved.

        A look at its old place found it gone, and now one object of its type appears
        elsewhere: the evidence says it is that object, not a new one. With two or more
        stale candidates the evidence does not say which, so nothing is assumed.
        """
        nodes = self._g.nodes
        stale = [n for n in self._by_type.get(label.lower(), ())
                 if n not in exclude and n != self._held and nodes[n]["stale"]
                 and nodes[n].get("misses", 0) > 0]
        return stale[0] if len(stale) == 1 else ""

    def _mint(self, label: str) -> str:
        base = mint_base(label)
        n = self._minted.get(base, 0)
        while True:
            n += 1
            nid = f"{base}_{n}{self.config.id_suffix}"
            if nid not in self._g:
                self._minted[base] = n
                return nid

    def _create(self, nid: str, obs: Observation, now: float) -> str:
        tl = obs.label.lower()
        self._g.add_node(
            nid, layer="receptacle" if obs.is_receptacle else "object", type=obs.label,
            position=obs.position, size=obs.size or (0.0, 0.0, 0.0), states=dict(obs.states),
            parent="", relation="", near="", confidence=float(obs.confidence), stale=False,
            times_seen=1, first_seen=now, last_seen=now, source=obs.source, rev=0, misses=0,
            missed_total=0)
        self._by_type.setdefault(tl, set()).add(nid)
        self._type_names.setdefault(tl, obs.label)
        if obs.points is not None and len(obs.points):
            self._fuse(nid, obs.points)
        self._reindex(nid)
        self._place(nid, obs.parent_id)
        self._touch(nid)
        if obs.is_receptacle:
            self._replace_around(nid)
        return nid

    def _replace_around(self, rec: str) -> None:
        """A new receptacle: objects over its footprint placed before it was known (parent by
        geometry, not by a source's parent id) may be in or on it."""
        a = self._g.nodes[rec]
        r = 0.5 * math.hypot(a["size"][0], a["size"][1]) + 0.05
        for c in sorted(self._index.near(a["position"], r + 0.5 * a["size"][2])):
            b = self._g.nodes[c]
            if c != rec and c != self._held and c not in self._hinted and b["layer"] == "object":
                before = (b["parent"], b["relation"])
                self._place(c, "")
                if (b["parent"], b["relation"]) != before:
                    self._touch(c)

    def _update(self, nid: str, obs: Observation, now: float, smooth: bool = False) -> bool:
        """Merge a re-sighting into ``nid``; return True when it moved (relations rewired).

        Unknown pose, size or parent (``None`` / ``""`` with no pose) leave what memory holds.
        ``smooth``: the sighting is an id-less noisy detection, so position and size are
        running means (weight ``1/n``, at least ``smoothing_floor`` so a real move is followed)
        and a look-alike label only changes the type once it out-votes the current one.
        """
        a = self._g._node[nid]   # raw attribute dict: re-sightings are the hot path
        if a["source"] == OPERATOR and obs.source != OPERATOR:
            return self._operator_sighting(nid, a, obs, now)
        semantic = self._seen_again(a, obs, now)
        if obs.label != a["type"] and self._votes_for(a, obs.label, smooth):
            self._by_type.get(a["type"].lower(), set()).discard(nid)
            tl = obs.label.lower()
            self._by_type.setdefault(tl, set()).add(nid)
            self._type_names.setdefault(tl, obs.label)
            a["type"] = obs.label
            semantic = True
        if obs.is_receptacle and a["layer"] == "object":
            a["layer"] = "receptacle"
            semantic = True
        if obs.position is None:   # states only: where it is and how big stay as they were
            hint = self._resolve_parent(nid, obs.parent_id) if obs.parent_id else ""
            if hint and hint != a["parent"] and nid != self._held:
                # A known new holder (the STM saw it put there): it is where its holder is, a
                # belief as good as a sighting (the robot's own put), no longer a lost one.
                p = self._g._node[hint]["position"]
                a["position"] = (p[0], p[1], p[2])
                a["stale"], a["misses"] = False, 0
                a["confidence"] = max(a["confidence"], min(0.9, self.config.stale_below + 0.2))
                self._reindex(nid)
                self._place(nid, hint)
                self._touch(nid)
                return True
            if semantic:
                self._touch(nid)
            else:
                self._sighted.add(nid)
            return False
        old, osz, th = a["position"], a["size"], self.config.move_threshold
        pos = obs.position
        size = osz if obs.size is None else obs.size
        if obs.points is not None and len(obs.points):
            fused = self._fuse(nid, obs.points)
            if fused is not None:
                pos, size = fused.center, fused.size
        elif smooth:
            w = max(1.0 / a["times_seen"], self.config.smoothing_floor)
            pos = (old[0] + (pos[0] - old[0]) * w, old[1] + (pos[1] - old[1]) * w,
                   old[2] + (pos[2] - old[2]) * w)
            if obs.size is not None:
                size = (osz[0] + (size[0] - osz[0]) * w, osz[1] + (size[1] - osz[1]) * w,
                        osz[2] + (size[2] - osz[2]) * w)
        dx, dy, dz = pos[0] - old[0], pos[1] - old[1], pos[2] - old[2]
        moved = dx * dx + dy * dy + dz * dz > th * th
        resized = (abs(size[0] - osz[0]) > th or abs(size[1] - osz[1]) > th
                   or abs(size[2] - osz[2]) > th)
        hint = obs.parent_id
        reparent = bool(hint) and hint != a["parent"] and not (
            a["relation"] in HOLD_RELATIONS and self._g._node[a["parent"]]["type"] == hint)
        if nid == self._held:
            moved = resized = reparent = False   # the hand holds it; nothing else does
        if moved or resized or reparent:
            if moved:
                self._shift_descendants(nid, (dx, dy, dz))
            a["position"], a["size"] = pos, size
            self._reindex(nid)
            self._place(nid, hint)
            semantic = True
        elif smooth and nid != self._held:
            # The mean keeps improving below the rewiring threshold; now and then the parent
            # is inferred again from the better box.
            a["position"], a["size"] = pos, size
            self._reindex(nid)
            if a["times_seen"] in REPLACE_AT and nid not in self._hinted:
                before = (a["parent"], a["relation"])
                self._place(nid, "")
                semantic = semantic or (a["parent"], a["relation"]) != before
        if nid == self._released:
            self._released = ""
        if semantic:
            self._touch(nid)
        else:
            self._sighted.add(nid)
        return moved or reparent

    @staticmethod
    def _seen_again(a: dict, obs: Observation, now: float) -> bool:
        """Book a sighting (count, time, belief, source, states); True when a subscriber
        should see it (it was stale, its belief jumped, a state changed)."""
        semantic = a["stale"]
        a["times_seen"] += 1
        a["last_seen"] = now
        a["misses"] = 0
        old_conf = a["confidence"]
        conf = beliefs.after_sighting(old_conf, obs.confidence)
        if conf - old_conf > 0.05 or old_conf - conf > 0.05:
            semantic = True
        a["confidence"] = conf
        a["stale"] = False
        if obs.source:
            a["source"] = obs.source
        if obs.states:
            st = a["states"]
            if any(st.get(k) != v for k, v in obs.states.items()):
                st.update(obs.states)
                semantic = True
        return semantic

    def _resight(self, nid: str, obs: Observation, now: float) -> bool:
        """:meth:`_update`'s outcome for a plain re-sighting by id, at a fraction of its cost:
        the source's id, its type, no parent hint, no cloud, neither moved nor resized beyond
        ``move_threshold``, not held, put down or operator-placed. Returns False (nothing
        done) for anything else, which :meth:`_update` then handles."""
        p, s = obs.position, obs.size
        if p is None or s is None or obs.parent_id or obs.points is not None \
                or nid == self._held or nid == self._released:
            return False
        a = self._g._node[nid]
        if a["source"] == OPERATOR or obs.label != a["type"] or (obs.is_receptacle and a["layer"] == "object"):
            return False
        q, r, th = a["position"], a["size"], self.config.move_threshold
        dx, dy, dz = p[0] - q[0], p[1] - q[1], p[2] - q[2]
        if dx * dx + dy * dy + dz * dz > th * th or abs(s[0] - r[0]) > th \
                or abs(s[1] - r[1]) > th or abs(s[2] - r[2]) > th:
            return False
        if self._seen_again(a, obs, now):
            self._touch(nid)
        else:
            self._sighted.add(nid)
        return True

    def _operator_sighting(self, nid: str, a: dict, obs: Observation, now: float) -> bool:
        """Perception re-saw an operator-placed object: it is there (belief, last seen, states),
        but its place, parent and type stay the operator's; a disagreement is reported."""
        semantic = a["stale"]
        a["times_seen"] += 1
        a["last_seen"] = now
        a["misses"] = 0
        a["confidence"] = beliefs.after_sighting(a["confidence"], obs.confidence)
        a["stale"] = False
        if obs.states and any(a["states"].get(k) != v for k, v in obs.states.items()):
            a["states"].update(obs.states)
            semantic = True
        p, q = obs.position, a["position"]
        if (obs.label != a["type"] or (obs.parent_id and obs.parent_id != a["parent"])
                or (p is not None and dist(p, q) > max(self.config.move_threshold,
                                                          self.config.association_distance))):
            self._conflicts.add(nid)
            a["operator_conflicts"] = a.get("operator_conflicts", 0) + 1
        if semantic:
            self._touch(nid)
        else:
            self._sighted.add(nid)
        return False

    @staticmethod
    def _votes_for(a: dict, label: str, smooth: bool) -> bool:
        """Count a label vote; True when ``label`` should become the type."""
        if not smooth:
            return True   # the source's own id: its label is the type
        # type_votes holds the other labels' votes; the type has every other sighting.
        votes = a.setdefault("type_votes", {})
        votes[label] = votes.get(label, 0) + 1
        support = a["times_seen"] - sum(votes.values())
        if votes[label] <= support:
            return False
        del votes[label]
        votes[a["type"]] = support
        return True

    def _shift_descendants(self, nid: str, delta) -> None:
        """Things held by a moved receptacle move with it (a plate carried with its apple)."""
        stack = self._children(nid)
        while stack:
            c = stack.pop()
            a = self._g.nodes[c]
            a["position"] = tuple(p + d for p, d in zip(a["position"], delta))
            self._reindex(c)
            self._touch(c)
            stack.extend(self._children(c))

    def _reindex(self, nid: str) -> None:
        a = self._g.nodes[nid]
        rec = a["layer"] == "receptacle"
        self._index.insert(nid, a["position"], (a["type"].lower(),))
        if rec:
            self._footprints.insert(nid, a["position"], a["size"])

    def _is_ancestor(self, nid: str, of: str) -> bool:
        """True when ``nid`` is on ``of``'s containment path (or is ``of``)."""
        cur, hops = of, 0
        while cur and hops < 64:
            if cur == nid:
                return True
            cur = self._g.nodes[cur].get("parent", "") if cur in self._g else ""
            hops += 1
        return False

    def _place(self, nid: str, hint: str) -> None:
        """(Re)compute ``nid``'s parent (receptacle or region) and near edge."""
        g = self._g
        nodes = g._node   # raw attribute dicts: placing is on the ingest path
        a = nodes[nid]
        pos, size = a["position"], a["size"]
        parent, rel, near = "", "", ""
        if hint:
            parent = self._resolve_parent(nid, hint)
            if parent:
                p = nodes[parent]
                rel = infer_relation(pos, size, p["type"], p["position"], p["size"]) or (
                    "in" if p["type"].lower() in IN_TYPES else "on")
        if not parent:
            best_near, holders = self.config.near_distance, []
            for c in sorted(self._footprints.at(pos[0], pos[1])):
                if c == nid:
                    continue
                p = nodes[c]
                if infer_relation(pos, size, p["type"], p["position"], p["size"]) is not None:
                    if not self._is_ancestor(nid, c):
                        holders.append((c, p["type"], p["position"], p["size"]))
                else:
                    d = dist(pos, p["position"])
                    if d < best_near:
                        near, best_near = c, d
            parent, rel = best_holder(pos, size, holders)
        if hint and parent:
            self._hinted.add(nid)
        else:
            self._hinted.discard(nid)
        if parent:
            near = ""
        else:
            region = self.region_at(pos[0], pos[1])
            parent, rel = (region, "contains") if region else ("", "")
        if parent != a["parent"] or rel != a["relation"]:
            self._unlink_parent(nid)
            if rel in HOLD_RELATIONS:
                g.add_edge(nid, parent, relation=rel)
            elif parent:
                g.add_edge(parent, nid, relation="contains")
            a["parent"], a["relation"] = parent, rel
        if near != a["near"]:
            if a["near"] and g.has_edge(nid, a["near"]) and g.edges[nid, a["near"]]["relation"] == "near":
                g.remove_edge(nid, a["near"])
            if near:
                g.add_edge(nid, near, relation="near")
            a["near"] = near

    def _unlink_parent(self, nid: str) -> None:
        a = self._g.nodes[nid]
        old, rel = a.get("parent", ""), a.get("relation", "")
        if not old:
            return
        if rel in HOLD_RELATIONS and self._g.has_edge(nid, old):
            self._g.remove_edge(nid, old)
        elif rel == "contains" and self._g.has_edge(old, nid):
            self._g.remove_edge(old, nid)

    def _resolve_parent(self, nid: str, hint: str) -> str:
        """A parent hint is an id, or a type: then the closest receptacle of that type."""
        g = self._g
        if hint in self._index:
            ok = hint != nid and not self._is_ancestor(nid, hint)
            return hint if ok else ""
        pos = g.nodes[nid]["position"]
        best, bd = "", 3.0
        for c in self._index.near(pos, bd, hint.lower()):
            if c != nid and g.nodes[c]["layer"] == "receptacle" and not self._is_ancestor(nid, c):
                d = dist(pos, g.nodes[c]["position"])
                if d < bd or (d == bd and c < best):
                    best, bd = c, d
        return best

    def _reassign_regions(self) -> None:
        for nid in self.ids():
            a = self._g.nodes[nid]
            if a["relation"] not in HOLD_RELATIONS:
                region = self.region_at(a["position"][0], a["position"][1])
                if region != a["parent"]:
                    self._unlink_parent(nid)
                    a["parent"], a["relation"] = (region, "contains") if region else ("", "")
                    if region:
                        self._g.add_edge(region, nid, relation="contains")
                    self._touch(nid)
        self.revision += 1

    def _hidden(self, nid: str) -> bool:
        """True when a closed receptacle on the containment path hides ``nid``."""
        g = self._g
        cur = g.nodes[nid].get("parent", "")
        rel = g.nodes[nid].get("relation", "")
        while cur and rel == "in":
            p = g.nodes[cur]
            if p["states"].get("isOpen", "").lower() == "false":
                return True
            rel = p.get("relation", "")
            cur = p.get("parent", "")
        return False

    def _negative(self, observer: Observer, seen: set[str], now: float, frame: int) -> list[str]:
        """Objects in view and not detected lose belief; returns their ids.

        Tentative tracks in view without a detection are dropped (a false detection does not
        come back). The held object is never missed: the hand has it.
        """
        eye = tuple(float(c) for c in observer.position)
        fwd = observer.forward()
        half = math.radians(min(observer.fov_deg, 179.0) / 2) * self.config.view_margin
        rng = observer.max_range
        self._tracks.drop_unseen(lambda p: in_view(p, eye, fwd, half, rng), frame)
        cfg = self.config
        missed = []
        for nid in sorted(self._index.near(eye, rng)):
            if nid in seen or nid == self._held or nid not in self._index:
                continue   # (not in the index: absorbed by a moved object in this loop)
            a = self._g.nodes[nid]
            if not in_view(a["position"], eye, fwd, half, rng) or self._hidden(nid):
                continue
            total, run = a.get("missed_total", 0), a.get("misses", 0)
            q = beliefs.detection_rate(a["times_seen"], total - run, cfg.prior_detection_rate)
            a["confidence"] = beliefs.after_miss(a["confidence"], q)
            a["misses"] = run + 1
            a["missed_total"] = total + 1
            was = a["stale"]
            a["stale"] = a["confidence"] < cfg.stale_below
            self._touch(nid)
            missed.append(nid)
            if a["stale"] and not was:
                self._reidentify_stale(nid)
        return missed

    def _reidentify_stale(self, nid: str) -> None:
        """``nid`` was just found gone; if one object of its type appeared since it was last
        seen (and nothing else of that type is stale), that object is ``nid``, moved."""
        a = self._g.nodes[nid]
        if self._moved_candidate(a["type"], exclude=()) != nid:
            return
        newer = [n for n in self._by_type.get(a["type"].lower(), ()) if n != nid
                 and n != self._held and self._g.nodes[n]["first_seen"] > a["last_seen"]
                 and not self._g.nodes[n]["stale"]]
        if len(newer) == 1:
            self._absorb(nid, newer[0])

    def _absorb(self, keep: str, gone: str) -> None:
        """``gone`` and ``keep`` are one object: ``keep`` (the older id) takes ``gone``'s place
        and sightings; ``gone`` is removed."""
        a, b = self._g.nodes[keep], self._g.nodes[gone]
        pos, size = b["position"], b["size"]
        a.update(times_seen=a["times_seen"] + b["times_seen"], last_seen=max(a["last_seen"], b["last_seen"]),
                 first_seen=min(a["first_seen"], b["first_seen"]), confidence=max(a["confidence"], b["confidence"]),
                 stale=b["stale"], misses=b.get("misses", 0))
        a["states"].update(b["states"])
        self.remove(gone)
        old = a["position"]
        self._shift_descendants(keep, (pos[0] - old[0], pos[1] - old[1], pos[2] - old[2]))
        a["position"], a["size"] = pos, size
        self._reindex(keep)
        self._place(keep, "")
        self._touch(keep)

    def _pair_evidence(self, guessed: set[str], seen: set[str]) -> None:
        """Near same-type pairs: count frames where one was detected without the other;
        a pair detected in one frame is two objects for good. Only objects matched by
        association can be duplicates (two source ids are two objects), so only they are
        checked: id-based streams pay nothing."""
        r = self.config.merge_distance
        nodes = self._g.nodes
        for nid in guessed:
            if nid not in self._index:
                continue
            a = nodes[nid]
            for c in self._index.near(a["position"], r, a["type"].lower()):
                if c == nid or dist(nodes[c]["position"], a["position"]) > r:
                    continue
                pair = (nid, c) if nid < c else (c, nid)
                if c in seen:
                    self._co_seen.add(pair)
                    self._pairs.pop(pair, None)
                elif pair not in self._co_seen:
                    self._pairs[pair] = self._pairs.get(pair, 0) + 1
        if len(self._pairs) > 100000 or len(self._co_seen) > 100000:
            self._pairs.clear()      # bounded; evidence is re-collected
            self._co_seen.clear()

    def _merge_duplicates(self, seen: set[str]) -> list[str]:
        """Merge pairs seen apart ``merge_after`` times and never together; returns removed ids."""
        out = []
        for pair, n in list(self._pairs.items()):
            if n < self.config.merge_after:
                continue
            del self._pairs[pair]
            u, v = pair
            if u not in self._index or v not in self._index or self._held in pair:
                continue
            nu, nv = self._g.nodes[u], self._g.nodes[v]
            if dist(nu["position"], nv["position"]) > self.config.merge_distance:
                continue
            # The older object keeps its id; the fresher position wins.
            keep, gone = (u, v) if nu["first_seen"] <= nv["first_seen"] else (v, u)
            self._absorb(keep, gone)
            out.append(gone)
        return out

    def _prune(self, missed: list[str], now: float) -> list[str]:
        """Drop objects whose belief is nearly gone after many misses in a row (ghosts)."""
        cfg = self.config
        out = []
        for nid in missed:
            a = self._g.nodes.get(nid) if nid in self._index else None
            if a is not None and a["source"] != OPERATOR and a["confidence"] < cfg.prune_below and \
                    a.get("misses", 0) >= cfg.prune_after_misses:
                gone = self._gone.setdefault(a["type"].lower(), [])
                gone.append((nid, now))
                del gone[:-8]          # bounded: only recent disappearances matter
                self.remove(nid)
                out.append(nid)
        return out

    def _forget_least_seen(self, keep: set[str]) -> list[str]:
        """Capacity policy: over ``max_objects``, forget objects seen least often (then longest
        ago), never a receptacle, the held object or one seen in this frame, down to 95 % of
        the bound (the slack spares a sort on every frame of a flood)."""
        cap = self.config.max_objects
        if not cap or len(self._index) <= cap:
            return []
        nodes = self._g.nodes
        candidates = [n for n, layer in self._g.nodes(data="layer")
                      if layer == "object" and n != self._held and n not in keep]
        candidates.sort(key=lambda n: (nodes[n]["times_seen"], nodes[n]["last_seen"]))
        out = candidates[:len(self._index) - int(cap * 0.95)]
        for nid in out:
            self.remove(nid)
        return out

    def _fuse(self, nid: str, points):
        if self._fusion is None:
            from karma_memory.fusion import PointFusion
            self._fusion = PointFusion(self.config.fusion_voxel, self.config.fusion_max_points)
        fused = self._fusion.add(nid, points)
        if fused is not None:
            a = self._g.nodes[nid]
            a["position"], a["size"] = fused.center, fused.size
            a["obb"] = {"center": list(fused.obb_center), "extent": list(fused.obb_extent),
                        "rotation": list(fused.obb_rotation)}
        return fused

