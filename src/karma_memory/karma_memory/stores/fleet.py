"""Fleet memory: a robot's local SQLite cache synchronised with the fleet's PostgreSQL store.

A :class:`FleetStore` is what the long-term memory node uses when ``store_url`` names a
PostgreSQL server. Every commit goes first to the robot's own SQLite store (the namespace's
default file, WAL): it is durable before the callback returns, whatever the network or the
server does. In the same transaction the written ids enter the local ``outbox``.
:meth:`FleetStore.sync` (the node calls it on a timer) then

1. pushes the outbox to the shared store (the robot's history rows, its nodes and sightings;
   one transaction; conflicts resolved there by recency then confidence, see
   :mod:`karma_memory.stores.postgres`) and empties the outbox only once that committed;
2. pulls what other robots wrote since the cursor (``nodes.rev``) and merges it into the
   robot's graph (:func:`merge_remote`), writing it to the local cache without re-queuing it;
3. associates across robots: a node another robot created that is, by the memory's own rule
   for duplicates (same type within ``merge_distance``, never seen together), one the robot
   already holds, is merged with it (:meth:`SceneGraph._absorb`: the older id stays, the
   fresher position wins), and the merge is pushed, so the fleet keeps one node per thing.
   Both robots apply the same deterministic rule and reach the same result.

When the server is unreachable, ``sync`` reports ``online=False`` and the robot works on its
cache; the outbox keeps growing (on disk) and is pushed when the server is back, so nothing
applied is lost, also across a kill -9 of the robot. Ids minted by a fleet robot carry its
namespace (``Mug_1:robot1``) so two robots never mint the same id for different things.
"""
from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass, field

from karma_memory.history import HistoryConfig
from karma_memory.rows import decode_row, nodes_to_node_link
from karma_memory.scene_graph import MemoryConfig, SceneGraph
from karma_memory.store import MemoryStore

log = logging.getLogger("karma_memory.fleet")


@dataclass
class SyncReport:
    """What one :meth:`FleetStore.sync` did."""

    online: bool = False
    pushed: int = 0                 # node rows written to the shared store
    lost: int = 0                   # of those, writes the shared store kept another version of
    pulled: int = 0                 # rows other robots wrote, read this time
    merged: list[str] = field(default_factory=list)     # ids changed in the graph by them
    associated: list[tuple[str, str]] = field(default_factory=list)   # (kept, merged away)
    error: str = ""
    #: ``(id, robot, change time)`` of every node another robot wrote that this sync applied.
    applied: list[tuple[str, str, float]] = field(default_factory=list)


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


class FleetStore:
    """The store interface of :class:`~karma_memory.store.MemoryStore` (``load``, ``commit``,
    ``save_all``, ``import_document``, ``count``, ``history``, ``close``) over a local SQLite
    cache in ``directory`` plus the shared PostgreSQL store at ``url``."""

    def __init__(self, directory: str, url: str, robot: str, history: HistoryConfig | None = None,
                 retry_s: float = 1.0, batch: int = 2000):
        if not robot:
            raise ValueError("a fleet store needs the robot's name (its namespace)")
        self.url, self.robot, self.retry_s, self.batch = url, robot, retry_s, batch
        self._history_cfg = history
        self.local = MemoryStore(directory, history=history, robot=robot, outbox=True)
        self.path = self.local.path
        self.remote = None
        self._next_try = 0.0
        self._refetch: set[str] = set()
        self.last_error = ""
        self._connect()

    # ------------------------------------------------------------------ connection
    def _connect(self) -> bool:
        if self.remote is not None:
            return True
        if time.monotonic() < self._next_try:
            return False
        from karma_memory.stores.postgres import PostgresStore
        try:
            self.remote = PostgresStore(self.url, self.robot, self._history_cfg)
            self.last_error = ""
            return True
        except Exception as e:   # unreachable, refused, authentication: work on the cache
            self._offline(e)
            return False

    def _offline(self, e: Exception) -> None:
        self.last_error = f"{type(e).__name__}: {str(e).strip()[:200]}"
        if self.remote is not None:
            self.remote.close()
        self.remote = None
        self._next_try = time.monotonic() + self.retry_s

    @property
    def online(self) -> bool:
        return self.remote is not None

    @property
    def history(self):
        """The fleet's history when the shared store is reachable, else the local one."""
        return self.remote.history if self.remote is not None else self.local.history

    # ------------------------------------------------------------------ store interface
    def load(self, config: MemoryConfig | None = None) -> SceneGraph:
        graph = self.local.load(config)
        self.sync(graph)
        return graph

    def commit(self, graph: SceneGraph, *args, **kwargs) -> int:
        return self.local.commit(graph, *args, **kwargs)

    def save_all(self, graph: SceneGraph, cause: str = "load") -> int:
        return self.local.save_all(graph, cause=cause)

    def import_document(self, graph: SceneGraph, data: dict, replace: bool) -> int:
        return self.local.import_document(graph, data, replace)

    def count(self) -> int:
        return self.local.count()

    def pending(self) -> int:
        """Changes applied here and not yet in the shared store."""
        return self.local._db.execute("SELECT COUNT(DISTINCT id) FROM outbox").fetchone()[0]

    def close(self) -> None:
        if self.remote is not None:
            self.remote.close()
            self.remote = None
        self.local.close()

    # ------------------------------------------------------------------ sync
    def _meta(self, key: str, default: int = 0) -> int:
        row = self.local._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else default

    def _set_meta(self, key: str, value: int) -> None:
        self.local._db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                               "value = excluded.value", (key, str(int(value))))

    def sync(self, graph: SceneGraph) -> SyncReport:
        """Push this robot's pending changes, pull and merge the others'. Never raises for a
        lost server (the report says ``online=False`` and why)."""
        rep = SyncReport()
        self.local.commit(graph)   # what the graph holds beyond the cache goes to the outbox first
        if not self._connect():
            rep.error = self.last_error
            return rep
        try:
            self._push(rep)
            self._pull(graph, rep)
            rep.online = True
        except Exception as e:
            import psycopg
            if not isinstance(e, psycopg.Error):
                raise
            self._offline(e)
            rep.error = self.last_error
        return rep

    def _push(self, rep: SyncReport) -> None:
        db = self.local._db
        while True:
            out = db.execute("SELECT seq, id, t, seen FROM outbox ORDER BY seq LIMIT ?",
                             (self.batch,)).fetchall()
            hist_from = self._meta("fleet_history_seq")
            hist = db.execute("SELECT seq, id, t, op, layer, cause, data FROM history WHERE seq > ? "
                              "AND robot = ? ORDER BY seq LIMIT ?",
                              (hist_from, self.robot, self.batch)).fetchall()
            if not out and not hist:
                return
            t_of: dict[str, float] = {}
            changed: set[str] = set()       # semantic changes; the rest were only re-seen
            for _, nid, t, only_seen in out:
                t_of[nid] = max(t, t_of.get(nid, t))
                if not only_seen:
                    changed.add(nid)
            nodes, seen = [], []
            ids = sorted(t_of)
            rows = {}
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                marks = ",".join("?" * len(part))
                for r in db.execute(
                        "SELECT n.id, n.layer, n.data, s.times_seen, s.last_seen, s.confidence, "
                        f"s.stale FROM nodes n LEFT JOIN sightings s ON s.id = n.id WHERE n.id IN ({marks})",
                        part):
                    rows[r[0]] = r
            for nid in ids:
                r = rows.get(nid)
                if r is None:
                    if nid in changed:
                        nodes.append((nid, "", "{}", t_of[nid], 1.0, True))
                    continue
                if r[3] is not None:
                    seen.append((nid, r[3], r[4], r[5], r[6]))
                if nid not in changed:
                    continue   # a re-sighting: the sightings row only, no new revision
                d = decode_row(nid, r[1], r[2]) or {}
                if r[3] is not None and r[4] >= d.get("last_seen", 0.0):
                    d.update(times_seen=r[3], last_seen=r[4], confidence=r[5], stale=bool(r[6]))
                conf = d.get("confidence", 0.0)
                conf = float(conf) if isinstance(conf, (int, float)) and math.isfinite(conf) else 0.0
                data = json.dumps({k: v for k, v in d.items() if k not in ("id", "layer")},
                                  separators=(",", ":"))
                nodes.append((nid, r[1], data, t_of[nid], conf, False))
            lost = self.remote.push(nodes, seen, hist)
            # The shared store committed: only now forget what was pushed.
            if out:
                db.execute("DELETE FROM outbox WHERE seq <= ?", (out[-1][0],))
            if hist:
                self._set_meta("fleet_history_seq", hist[-1][0])
            rep.pushed += len(nodes)
            rep.lost += len(lost)
            self._refetch |= lost
            if len(out) < self.batch and len(hist) < self.batch:
                return

    def _pull(self, graph: SceneGraph, rep: SyncReport) -> None:
        cursor = self._meta("fleet_rev")
        while True:
            # A cache that never synced takes everything, its own earlier writes included.
            rows = self.remote.changes_since(cursor, self.batch, others_only=cursor > 0)
            if self._refetch:
                rows = rows + self.remote.fetch(sorted(self._refetch))
                self._refetch.clear()
            if not rows:
                return
            rep.pulled += len(rows)
            self._merge(graph, rows, rep)
            cursor = max(cursor, max(r[7] for r in rows))
            self._set_meta("fleet_rev", cursor)
            if len(rows) < self.batch:
                return

    def _merge(self, graph: SceneGraph, rows: list[tuple], rep: SyncReport) -> None:
        pending = {}
        ids = sorted({r[0] for r in rows})
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            marks = ",".join("?" * len(part))
            for nid, t in self.local._db.execute(
                    f"SELECT id, MAX(t) FROM outbox WHERE id IN ({marks}) GROUP BY id", part):
                pending[nid] = t
        # The newest row per id, grouped by the robot that wrote it.
        newest: dict[str, tuple] = {}
        for r in rows:
            if r[0] not in newest or r[7] > newest[r[0]][7]:
                newest[r[0]] = r
        by_robot: dict[str, list[tuple]] = {}
        for nid, r in newest.items():
            if r[3] == self.robot and (nid in graph) != r[6]:
                continue   # our own write, already here (a fresh cache does take it)
            if nid in pending and pending[nid] > r[4]:
                continue   # a newer change of ours is on its way; the shared store decides
            if nid == graph.held:
                continue   # the robot's own hand is trusted over anyone's sighting
            by_robot.setdefault(r[3], []).append(r)
        new_ids = []
        for robot, part in sorted(by_robot.items()):
            changed = merge_remote(graph, part)
            new_ids += [r[0] for r in part if not r[6] and r[0] in changed["added"]]
            rep.merged += changed["added"] + changed["updated"] + changed["removed"]
            rep.applied += [(r[0], robot, r[4]) for r in part]
            # Into the local cache as that robot's change, not queued to be pushed back.
            self.local.robot, self.local.outbox = robot, False
            try:
                self.local.commit(graph)
            finally:
                self.local.robot, self.local.outbox = self.robot, True
        for keep, gone in associate(graph, new_ids):
            rep.associated.append((keep, gone))
        if rep.associated:
            self.local.commit(graph, cause="fleet_association")   # pushed on the next sync


def merge_remote(graph: SceneGraph, rows: list[tuple]) -> dict[str, list[str]]:
    """Apply rows of the shared store (``(id, layer, data, robot, t, confidence, deleted,
    rev)``) to ``graph``; returns the ids ``added``, ``updated`` and ``removed``."""
    out = {"added": [], "updated": [], "removed": []}
    nodes = []
    for nid, layer, data, robot, *_rest in rows:
        deleted = _rest[2]
        if deleted:
            if graph.remove(nid):
                out["removed"].append(nid)
            continue
        d = decode_row(nid, layer, data)
        if d is None:
            continue
        d.setdefault("robot", robot)
        out["updated" if nid in graph else "added"].append(nid)
        nodes.append(d)
    if nodes:
        # Receptacles first, so a thing's parent exists when its edge is read.
        nodes.sort(key=lambda d: (d["layer"] != "region", d["layer"] != "receptacle", d["id"]))
        graph.merge_node_link(nodes_to_node_link(nodes), replace=False)
        for d in nodes:   # node-link import keeps the attributes it knows; keep the robot too
            if d["id"] in graph._g:
                graph._g.nodes[d["id"]]["robot"] = d["robot"]
    return out


_MINTED = re.compile(r"^[A-Za-z0-9_]+_[0-9]+:([A-Za-z0-9_]+)$")


def minted_by(nid: str) -> str:
    """The robot that minted ``nid`` (``Mug_3:robot2`` -> ``robot2``); ``""`` for an id the
    perception gave (two perception ids are two things, as in the memory's own rule)."""
    m = _MINTED.match(nid)
    return m.group(1) if m else ""


def associate(graph: SceneGraph, new_ids: list[str]) -> list[tuple[str, str]]:
    """Cross-robot association: each node just received from another robot that is, by the
    memory's own duplicate rule (same type within ``merge_distance``, never seen together;
    only ids minted for id-less detections), a node another robot minted is merged with it."""
    from karma_memory.geometry import dist
    cfg, g, out = graph.config, graph._g, []
    for nid in new_ids:
        if nid not in graph._index or not minted_by(nid):
            continue
        a = g.nodes[nid]
        if a.get("layer") not in ("object", "receptacle"):
            continue
        for c in sorted(graph._index.near(a["position"], cfg.merge_distance, a["type"].lower())):
            if c == nid or c not in graph._index or g.nodes[c].get("layer") != a["layer"]:
                continue
            if minted_by(c) in ("", minted_by(nid)):
                continue   # a perception id, or one robot's own two things
            if dist(g.nodes[c]["position"], a["position"]) > cfg.merge_distance:
                continue
            pair = (nid, c) if nid < c else (c, nid)
            if pair in graph._co_seen or graph.held in pair:
                continue   # seen together in one frame: two things
            keep, gone = sorted((nid, c), key=lambda n: (g.nodes[n]["first_seen"], n))
            graph._absorb(keep, gone)
            out.append((keep, gone))
            break
    return out
