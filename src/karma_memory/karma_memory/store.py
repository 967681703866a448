"""SQLite persistence of the scene graph (WAL journal, one transaction per applied batch).

One row per node (``id``, ``layer``, JSON attributes) plus a narrow ``sightings`` row
(times seen, last seen, confidence, stale) that a mere re-sighting updates without
re-encoding the node; edges are rebuilt on load from each
node's ``parent``/``relation``/``near`` attributes, so a row is self-contained and a crash can
never leave an edge without its node. :meth:`MemoryStore.commit` writes what changed since the
last commit (the graph's change log) in one transaction. With ``journal_mode=WAL`` and
``synchronous=NORMAL`` a committed transaction survives the process being killed (kill -9);
only an operating-system crash or power loss can lose the last commits. Every commit also
appends to the node history (:mod:`karma_memory.history`, ``store.history``) in the same
transaction, so time-travel queries see exactly what was stored.

>>> import tempfile
>>> from karma_memory import SceneGraph, Observation, MemoryStore
>>> d = tempfile.mkdtemp()
>>> store = MemoryStore(d)
>>> g = store.load()
>>> _ = g.apply([Observation("Apple", "Apple|1", position=(1, 1, 1), size=(.1, .1, .1))])
>>> store.commit(g)
1
>>> MemoryStore(d).load().ids()
['Apple|1']
"""
from __future__ import annotations

import json
import math
import os
import sqlite3
import time

from karma_domain.attributes import NOT_STORED
from karma_memory.history import History, HistoryConfig
from karma_memory.node_link import FORMAT, MAX_COUNT, MAX_TIME
from karma_memory.rows import decode_row, nodes_to_node_link
from karma_memory.scene_graph import HOLD_RELATIONS, MemoryConfig, SceneGraph
from karma_memory.stores.migrations import migrate_sqlite

_UPSERT = ("INSERT INTO nodes VALUES (?, ?, ?) "
           "ON CONFLICT(id) DO UPDATE SET layer = excluded.layer, data = excluded.data")
_UPSERT_SEEN = ("INSERT INTO sightings VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "times_seen = excluded.times_seen, last_seen = excluded.last_seen, "
                "confidence = excluded.confidence, stale = excluded.stale")
_ENCODE = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
_SKIP = NOT_STORED   # the layer has its own column; rev is runtime (karma_domain.attributes)


class MemoryStore:
    """The SQLite file ``<directory>/<filename>``; created on first use, schema migrated
    (:mod:`karma_memory.stores.migrations`).

    ``robot`` (a namespace, fleet memory): every node a commit writes carries it as its
    ``robot`` attribute, every history row in its ``robot`` column. ``outbox``: each commit
    also lists the ids it wrote in the ``outbox`` table, in the same transaction, for
    :class:`karma_memory.stores.fleet.FleetStore` to push to the shared store."""

    def __init__(self, directory: str, filename: str = "memory.sqlite3",
                 history: HistoryConfig | None = None, robot: str = "", outbox: bool = False):
        directory = os.path.expanduser(directory)
        os.makedirs(directory, exist_ok=True)
        self.directory = directory
        self.path = os.path.join(directory, filename)
        # Autocommit mode; transactions are explicit (BEGIN ... COMMIT) in commit().
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        # Checkpoint the WAL into the database every ~16 MB instead of ~4 MB: fewer latency spikes.
        self._db.execute("PRAGMA wal_autocheckpoint=4000")
        self.schema_version = migrate_sqlite(self._db)
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
        self.robot, self.outbox = robot, outbox
        self.history = History(self._db, history, create=False, robot=robot)

    def count(self) -> int:
        """Number of stored object/receptacle rows."""
        return self._db.execute(
            "SELECT COUNT(*) FROM nodes WHERE layer IN ('object', 'receptacle')").fetchone()[0]

    def load(self, config: MemoryConfig | None = None) -> SceneGraph:
        """Build a :class:`SceneGraph` from the stored rows (unreadable rows are skipped)."""
        nodes = []
        rows = self._db.execute(
            "SELECT n.id, n.layer, n.data, s.times_seen, s.last_seen, s.confidence, s.stale "
            "FROM nodes n LEFT JOIN sightings s ON s.id = n.id ORDER BY n.id")
        for nid, layer, data, times, last, conf, stale in rows:
            d = decode_row(nid, layer, data)
            if d is None:
                continue
            if times is not None and last >= d.get("last_seen", 0.0):
                d.update(times_seen=times, last_seen=last, confidence=conf, stale=bool(stale))
            nodes.append(d)
        graph = SceneGraph(config)
        graph.merge_node_link(nodes_to_node_link(nodes), replace=True)
        graph.take_changes()  # what was just read is already stored
        return graph

    def commit(self, graph: SceneGraph, _wipe: bool = False, *, stamp: float | None = None,
               cause: str = "") -> int:
        """Write the graph's changes since the last commit in one transaction; returns rows written.

        History rows get time ``stamp`` (default: the graph's clock, the stamp of the last
        applied message, else now) and ``cause`` (default: each node's own ``source``).

        On failure the changes are handed back to the graph's change log and the error raised,
        so a later commit retries them.
        """
        dirty, sighted, deleted = graph.take_changes()
        if not dirty and not sighted and not deleted and not _wipe:
            return 0
        g = graph.nx
        rows, seen = [], []
        for nid in dirty:
            if nid in g:
                a = g.nodes[nid]
                if self.robot:
                    a["robot"] = self.robot
                rows.append((nid, a["layer"], _ENCODE({k: v for k, v in a.items() if k not in _SKIP})))
        for nid in sighted:
            if nid in g:
                a = g.nodes[nid]
                seen.append(sighting_row(nid, a))
        try:
            self._db.execute("BEGIN")
            wiped = ()
            if _wipe:
                wiped = [r[0] for r in self._db.execute("SELECT id FROM nodes")]
                self._db.execute("DELETE FROM nodes")
                self._db.execute("DELETE FROM sightings")
            if deleted:
                gone = [(n,) for n in deleted]
                self._db.executemany("DELETE FROM nodes WHERE id = ?", gone)
                self._db.executemany("DELETE FROM sightings WHERE id = ?", gone)
            if rows:
                # An upsert rewrites the row in place; INSERT OR REPLACE would delete and
                # re-insert it (4x slower at 200 rows per commit).
                self._db.executemany(_UPSERT, rows)
            if seen:
                self._db.executemany(_UPSERT_SEEN, seen)
            t = stamp if stamp is not None else graph.clock
            t = time.time() if t is None else t
            if cause:
                self.history.record(rows, deleted, t, cause, wiped)
            else:
                self._record_by_source(graph, rows, deleted, t, wiped)
            if self.outbox:
                changed = set(dirty) | set(deleted) | set(wiped)
                self._db.executemany("INSERT INTO outbox (id, t, seen) VALUES (?, ?, ?)",
                                     [(n, t, 0) for n in sorted(changed)] +
                                     [(n, t, 1) for n in sorted(set(sighted) - changed)])
            self._db.execute("COMMIT")
        except Exception:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            graph.restore_changes(dirty, sighted, deleted)
            raise
        return len(rows) + len(seen) + len(deleted)

    def _record_by_source(self, graph: SceneGraph, rows, deleted, t: float, wiped) -> None:
        """History rows caused by what each node names as its source (one insert per source)."""
        by: dict[str, list] = {}
        for r in rows:
            by.setdefault(str(graph.node_attrs(r[0]).get("source", "")), []).append(r)
        for i, (cause, part) in enumerate(sorted(by.items())):
            self.history.record(part, deleted if i == 0 else (), t, cause, wiped if i == 0 else ())
        if not by:
            self.history.record([], deleted, t, "", wiped)

    def import_document(self, graph: SceneGraph, data: dict, replace: bool) -> int:
        """Load a node-link document into ``graph`` all or nothing; returns objects loaded.

        The document is first merged into a scratch graph, so a document that raises leaves
        ``graph`` and the store untouched. Then it is merged into ``graph`` and written in one
        transaction (history cause ``load``); if that write fails, the graph is put back as the
        store holds it (the failed transaction did not change the store) and the error raised.
        """
        scratch = SceneGraph(graph.config)
        scratch.merge_node_link(data, replace=True)   # raises on a foreign or malformed document
        self.commit(graph)                             # what was applied before is kept either way
        try:
            n = graph.merge_node_link(data, replace=replace)
            if replace:
                self.save_all(graph, cause="load")
            else:
                self.commit(graph, cause="load")
        except Exception:
            # The failed transaction left the store as it was before the import: go back to it.
            graph.merge_node_link(self.load(graph.config).to_node_link(), replace=True)
            graph.take_changes()
            raise
        return n

    def save_all(self, graph: SceneGraph, cause: str = "load") -> int:
        """Replace the stored graph by ``graph`` entirely (after a load or a reset)."""
        graph.take_changes()
        graph.mark_all_changed()
        return self.commit(graph, _wipe=True, cause=cause)

    def close(self) -> None:
        self._db.close()


def sighting_row(nid: str, a: dict) -> tuple:
    """The ``sightings`` row of node ``nid``, each number forced into what SQLite and the
    memory accept: a corrupt number must not make this and every later commit fail."""
    times = a.get("times_seen", 0)
    times = min(max(int(times), 0), MAX_COUNT) if isinstance(times, (int, float)) and \
        math.isfinite(times) else 0
    last = a.get("last_seen", 0.0)
    last = min(max(float(last), 0.0), MAX_TIME) if isinstance(last, (int, float)) and \
        math.isfinite(last) else 0.0
    conf = a.get("confidence", 0.0)
    conf = min(max(float(conf), 0.0), 1.0) if isinstance(conf, (int, float)) and \
        math.isfinite(conf) else 0.0
    return (nid, times, last, conf, int(bool(a.get("stale"))))
