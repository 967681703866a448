"""History of every stored node, for time travel: where was X at t, what changed, the graph at t.

Each :meth:`~karma_memory.store.MemoryStore.commit` appends one row per semantically changed
node (its full stored attributes: position, parent, relation, states, confidence, stale,
source) or one ``delete`` row, with the time of the change and its ``cause`` (who or what
changed it: ``perception:<producer>``, ``short_term``, ``robot_state``, ``map``, ``operator``,
``load``, ``reset``). Mere re-sightings (times seen, last seen) are not history rows; the
current sightings table answers "last seen".

Growth is bounded (:class:`HistoryConfig`): rows older than ``retention_s`` before the newest
are folded into one baseline row per node (so "the graph at t" stays answerable from the
horizon on), and each node keeps at most ``max_rows_per_object`` rows. Compaction runs every
``compact_every`` commits, in the commit's transaction.

>>> import tempfile
>>> from karma_memory import MemoryStore, Observation
>>> store = MemoryStore(tempfile.mkdtemp())
>>> g = store.load()
>>> _ = g.apply([Observation("Mug", "Mug|1", position=(1, 1, 1))], stamp=10.0)
>>> _ = store.commit(g)
>>> _ = g.apply([Observation("Mug", "Mug|1", position=(3, 1, 1))], stamp=20.0)
>>> _ = store.commit(g)
>>> store.history.where_at("Mug|1", 15.0)["node"]["position"]
[1.0, 1.0, 1.0]
>>> [(c["id"], c["kind"], c["fields"]) for c in store.history.diff(10.0, 20.0)]
[('Mug|1', 'changed', ['position'])]
"""
from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

from karma_memory.rows import decode_row, nodes_to_node_link

SCHEMA = """
CREATE TABLE IF NOT EXISTS history (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,
    t REAL NOT NULL, op TEXT NOT NULL, layer TEXT NOT NULL, cause TEXT NOT NULL, data TEXT NOT NULL,
    robot TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS history_id_t ON history (id, t);
CREATE INDEX IF NOT EXISTS history_t ON history (t);
"""
SET, DELETE = "set", "delete"
#: Node attributes whose change makes an entry of :meth:`History.diff`.
TRACKED = ("type", "layer", "parent", "relation", "states", "stale")
MOVE_EPS = 0.05          # m: a smaller shift of the stored position is not reported as a move
CONFIDENCE_EPS = 0.1     # a smaller change of confidence is not reported


@dataclass
class HistoryConfig:
    """Bounds on the history table (0 disables a bound)."""

    retention_s: float = 7 * 24 * 3600.0   # full detail for this long before the newest row
    max_rows_per_object: int = 500
    compact_every: int = 500               # history writes between compactions


class History:
    """Time-travel queries over the ``history`` table of a store's SQLite connection."""

    def __init__(self, db: sqlite3.Connection, config: HistoryConfig | None = None,
                 create: bool = True, robot: str = ""):
        self._db = db
        self.config = config or HistoryConfig()
        if create:   # a migrated store (karma_memory.stores.migrations) has the table already
            self._db.executescript(SCHEMA)
        self._commits = 0
        #: Namespace of the robot whose changes this store records (``history.robot``).
        self.robot = robot

    # ------------------------------------------------------------------ writing
    def record(self, rows: list, deleted, t: float, cause: str, wiped=()) -> None:
        """Append the rows of one commit (called inside the store's transaction).

        ``rows``: ``(id, layer, json)`` as stored; ``deleted``: ids; ``wiped``: ids the commit
        removed wholesale (a reset or a replacing load) and did not write again.
        """
        t = float(t)
        written = {r[0] for r in rows}
        robot = self.robot
        gone = [(nid, t, DELETE, "", cause, "{}", robot) for nid in sorted(set(deleted) | set(wiped))
                if nid not in written]
        self._db.executemany("INSERT INTO history (id, t, op, layer, cause, data, robot) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", gone)
        self._db.executemany("INSERT INTO history (id, t, op, layer, cause, data, robot) "
                             "VALUES (?, ?, 'set', ?, ?, ?, ?)",
                             [(nid, t, layer, cause, data, robot) for nid, layer, data in rows])
        self._commits += 1
        if self.config.compact_every and self._commits % self.config.compact_every == 0:
            self.compact()

    def compact(self) -> int:
        """Apply retention and the per-node cap now; returns the rows removed."""
        db, cfg, before = self._db, self.config, self.rows()
        if cfg.retention_s > 0:
            newest = db.execute("SELECT MAX(t) FROM history").fetchone()[0]
            if newest is not None:
                cut = newest - cfg.retention_s
                # Keep one baseline row per node from before the horizon; a deleted node none.
                db.execute("DELETE FROM history WHERE t < ? AND seq NOT IN "
                           "(SELECT MAX(seq) FROM history WHERE t < ? GROUP BY id)", (cut, cut))
                db.execute("DELETE FROM history WHERE t < ? AND op = 'delete'", (cut,))
        if cfg.max_rows_per_object > 0:
            db.execute("DELETE FROM history WHERE seq IN (SELECT seq FROM (SELECT seq, ROW_NUMBER() "
                       "OVER (PARTITION BY id ORDER BY seq DESC) AS n FROM history) AS ranked WHERE n > ?)",
                       (cfg.max_rows_per_object,))
        return before - self.rows()

    # ------------------------------------------------------------------ reading
    def rows(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM history").fetchone()[0]

    def span(self) -> tuple[float, float]:
        """``(oldest, newest)`` change time held, ``(0, 0)`` when empty."""
        lo, hi = self._db.execute("SELECT MIN(t), MAX(t) FROM history").fetchone()
        return (lo or 0.0, hi or 0.0)

    def where_at(self, node_id: str, t: float) -> dict | None:
        """The node as stored at time ``t`` (``{"t", "cause", "node"}``); None when it did not
        exist then (never seen yet, deleted, or before the retention horizon)."""
        row = self._db.execute(
            "SELECT t, op, layer, cause, data FROM history WHERE id = ? AND t <= ? "
            "ORDER BY t DESC, seq DESC LIMIT 1", (node_id, float(t))).fetchone()
        if row is None or row[1] == DELETE:
            return None
        node = decode_row(node_id, row[2], row[4])
        return None if node is None else {"t": row[0], "cause": row[3], "node": node}

    def item_at(self, node_id: str, t: float):
        """:class:`~karma_memory.scene_graph.MemoryItem` of ``node_id`` at ``t`` (its region
        found along the parents as they were then), or None."""
        at = self.where_at(node_id, t)
        return None if at is None else self._item(at["node"], t)

    def _item(self, d: dict, t: float):
        from karma_memory.scene_graph import HOLD_RELATIONS, REGION_PREFIX, MemoryItem
        region, cur = "", d
        for _ in range(32):   # parent chains are short; the bound guards a corrupt cycle
            parent = cur.get("parent") or ""
            if not parent or parent.startswith(REGION_PREFIX):
                region = parent
                break
            up = self.where_at(parent, t)
            if up is None:
                break
            cur = up["node"]
        rel = d.get("relation", "")
        held = rel in HOLD_RELATIONS
        vec = lambda v: tuple(float(c) for c in v) if v and len(v) == 3 else (0.0, 0.0, 0.0)
        return MemoryItem(d["id"], str(d.get("type", "")), d["layer"], vec(d.get("position")),
                          vec(d.get("size")), d.get("parent", "") if held else "",
                          rel if held else "", region, dict(d.get("states") or {}),
                          float(d.get("first_seen", 0.0)), float(d.get("last_seen", 0.0)),
                          int(d.get("times_seen", 0)), float(d.get("confidence", 0.0)),
                          bool(d.get("stale", False)), str(d.get("source", "")))

    def nodes_at(self, t: float) -> list[dict]:
        """Every node that existed at time ``t``, as stored then."""
        rows = self._db.execute(
            "SELECT h.id, h.layer, h.data FROM history h JOIN (SELECT id, MAX(seq) AS s FROM "
            "history WHERE t <= ? GROUP BY id) m ON h.seq = m.s WHERE h.op = 'set' ORDER BY h.id",
            (float(t),))
        return [d for d in (decode_row(*r) for r in rows) if d is not None]

    def graph_at(self, t: float, config=None):
        """A :class:`~karma_memory.scene_graph.SceneGraph` as the memory was at time ``t``."""
        from karma_memory.scene_graph import SceneGraph   # scene_graph -> store -> history
        return SceneGraph.from_node_link(nodes_to_node_link(self.nodes_at(t)), config)

    def events(self, t1: float, t2: float, limit: int = 1000) -> list[dict]:
        """History rows with ``t1 < t <= t2`` in commit order (``{"id","t","op","cause","robot"}``;
        ``robot``: the namespace whose change it was, ``''`` for a single-robot store)."""
        rows = self._db.execute("SELECT id, t, op, cause, robot FROM history WHERE t > ? AND t <= ? "
                                "ORDER BY seq LIMIT ?", (float(t1), float(t2), int(limit)))
        return [{"id": i, "t": t, "op": op, "cause": c, "robot": r} for i, t, op, c, r in rows]

    def diff(self, t1: float, t2: float, limit: int = 1000) -> list[dict]:
        """What changed between ``t1`` and ``t2``, one entry per node, sorted by id.

        ``kind`` is ``added``, ``removed`` or ``changed`` (``fields`` names the changed
        attributes: position, confidence and :data:`TRACKED`); ``before``/``after`` are the
        node at ``t1``/``t2`` (None where it did not exist); ``cause`` of the last change.
        """
        ids = [r[0] for r in self._db.execute(
            "SELECT id FROM history WHERE t > ? AND t <= ? GROUP BY id ORDER BY id LIMIT ?",
            (float(t1), float(t2), int(limit)))]
        out = []
        for nid in ids:
            a, b = self.where_at(nid, t1), self.where_at(nid, t2)
            if a is None and b is None:
                continue
            if a is None or b is None:
                kind, fields = ("added", []) if a is None else ("removed", [])
            else:
                kind, fields = "changed", changed_fields(a["node"], b["node"])
                if not fields:
                    continue
            cause = b["cause"] if b else self._last_cause(nid, t2)
            out.append({"id": nid, "kind": kind, "fields": fields, "cause": cause,
                        "before": a and a["node"], "after": b and b["node"],
                        "before_item": a and self._item(a["node"], t1),
                        "after_item": b and self._item(b["node"], t2)})
        return out

    def last_seen(self, node_id: str) -> float | None:
        """When ``node_id`` was last seen (the current sightings, else its newest history row)."""
        row = self._db.execute("SELECT last_seen FROM sightings WHERE id = ?", (node_id,)).fetchone()
        seen = row[0] if row else None
        for _, layer, data in self._db.execute(
                "SELECT t, layer, data FROM history WHERE id = ? AND op = 'set' "
                "ORDER BY seq DESC LIMIT 1", (node_id,)):
            d = decode_row(node_id, layer, data) or {}
            v = d.get("last_seen")
            if isinstance(v, (int, float)) and (seen is None or v > seen):
                seen = float(v)
        return seen

    def _last_cause(self, nid: str, t: float) -> str:
        row = self._db.execute("SELECT cause FROM history WHERE id = ? AND t <= ? "
                               "ORDER BY t DESC, seq DESC LIMIT 1", (nid, float(t))).fetchone()
        return row[0] if row else ""


def changed_fields(a: dict, b: dict) -> list[str]:
    """Attributes that differ between two versions of a node (see :meth:`History.diff`)."""
    fields = []
    pa, pb = a.get("position"), b.get("position")
    if pa and pb and len(pa) == 3 and len(pb) == 3:
        if math.dist(pa, pb) > MOVE_EPS:
            fields.append("position")
    elif pa != pb:
        fields.append("position")
    fields += [k for k in TRACKED if a.get(k) != b.get(k)]
    ca, cb = a.get("confidence"), b.get("confidence")
    if isinstance(ca, (int, float)) and isinstance(cb, (int, float)) and abs(ca - cb) >= CONFIDENCE_EPS:
        fields.append("confidence")
    return fields
