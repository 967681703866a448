"""The shared PostgreSQL store of a robot fleet (psycopg 3).

Tables (schema and migrations: :mod:`karma_memory.stores.migrations`) mirror the SQLite
store: ``nodes`` (id, layer, JSON attributes), ``sightings``, ``history`` (the same columns,
so :class:`karma_memory.history.History` answers time-travel queries over it unchanged), plus
what a fleet needs:

* ``nodes.robot`` and ``history.robot``: the namespace of the robot that observed or made
  the change; ``nodes.t`` the time of that change, ``nodes.confidence`` its belief.
* ``nodes.rev`` from the ``node_rev`` sequence, bumped by every accepted write: a robot
  reads what others wrote with a cursor (``rev > cursor``). Writers serialise on one
  advisory lock, so revisions become visible in order and a cursor never skips a row.
* Deleted nodes stay as tombstones (``deleted``), so a delete reaches every robot.
* Conflicts are resolved by recency, then confidence: a write replaces the stored node only
  when its change time is newer, or equally new with at least the stored confidence. Every
  write, accepted or not, is a history row (both observations are kept).

>>> PostgresStore.upsert_rule()
'excluded.t > nodes.t OR (excluded.t = nodes.t AND excluded.confidence >= nodes.confidence)'
"""
from __future__ import annotations

import json

from karma_memory.history import History, HistoryConfig
from karma_memory.stores.migrations import PG_LOCK, migrate_postgres

_WINS = "excluded.t > nodes.t OR (excluded.t = nodes.t AND excluded.confidence >= nodes.confidence)"
# Rows travel as one JSON array per statement (one parameter, encoded by the json module):
# far cheaper on the client than one array parameter per column or one statement per row.
_UPSERT_NODES = (
    "INSERT INTO nodes (id, layer, data, robot, t, confidence, deleted, rev) "
    "SELECT u.id, u.layer, u.data, %s, u.t, u.confidence, u.deleted, nextval('node_rev') "
    "FROM json_to_recordset(%s::json) AS u(id text, layer text, data text, t float8, "
    "confidence float8, deleted bool) ON CONFLICT (id) DO UPDATE SET "
    "layer = excluded.layer, data = excluded.data, robot = excluded.robot, t = excluded.t, "
    "confidence = excluded.confidence, deleted = excluded.deleted, rev = nextval('node_rev') "
    f"WHERE {_WINS} RETURNING id")
_UPSERT_SEEN = (
    "INSERT INTO sightings SELECT u.id, u.times_seen, u.last_seen, u.confidence, u.stale "
    "FROM json_to_recordset(%s::json) AS u(id text, times_seen int, last_seen float8, "
    "confidence float8, stale int) ON CONFLICT (id) DO UPDATE SET "
    "times_seen = GREATEST(sightings.times_seen, excluded.times_seen), "
    "last_seen = excluded.last_seen, confidence = excluded.confidence, stale = excluded.stale "
    "WHERE excluded.last_seen >= sightings.last_seen")
_HISTORY = (
    "INSERT INTO history (id, t, op, layer, cause, data, robot, robot_seq) "
    "SELECT u.id, u.t, u.op, u.layer, u.cause, u.data, %s, u.robot_seq "
    "FROM json_to_recordset(%s::json) AS u(robot_seq bigint, id text, t float8, op text, "
    "layer text, cause text, data text) ORDER BY u.robot_seq "
    "ON CONFLICT (robot, robot_seq) DO NOTHING")
_JSON = json.JSONEncoder(separators=(",", ":")).encode


def _records(keys: tuple[str, ...], rows) -> str:
    return _JSON([dict(zip(keys, r)) for r in rows])


_COLUMNS = "id, layer, data, robot, t, confidence, deleted, rev"


class _Db:
    """An sqlite3-like face of a psycopg connection (``?`` placeholders, ``executemany``), so
    :class:`~karma_memory.history.History` runs its queries on PostgreSQL unchanged."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql: str, params=()):
        return self.conn.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, seq) -> None:
        seq = list(seq)
        if seq:
            with self.conn.cursor() as cur:
                cur.executemany(sql.replace("?", "%s"), seq)


class PostgresStore:
    """One connection to the shared database at ``url`` (``postgresql://...``); migrates it."""

    def __init__(self, url: str, robot: str = "", history: HistoryConfig | None = None,
                 connect_timeout: float = 2.0):
        import psycopg   # only a fleet needs the driver
        self.url, self.robot = url, robot
        self.conn = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(connect_timeout)))
        self.schema_version = migrate_postgres(self.conn)
        self.history = History(_Db(self.conn), history, create=False, robot=robot)

    @staticmethod
    def upsert_rule() -> str:
        return _WINS

    # ------------------------------------------------------------------ writing
    def push(self, nodes: list[tuple], seen: list[tuple], history: list[tuple]) -> set[str]:
        """Write one robot's changes in one transaction; returns the ids whose write lost.

        ``nodes``: ``(id, layer, data_json, t, confidence, deleted)``; ``seen``: sightings rows
        ``(id, times_seen, last_seen, confidence, stale)``; ``history``: ``(robot_seq, id, t, op,
        layer, cause, data)`` of the robot's own history, idempotent by ``robot_seq``.
        """
        lost: set[str] = set()
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK,))
            if history:
                cur.execute(_HISTORY, (self.robot, _records(
                    ("robot_seq", "id", "t", "op", "layer", "cause", "data"), history)))
            if nodes:
                cur.execute(_UPSERT_NODES, (self.robot, _records(
                    ("id", "layer", "data", "t", "confidence", "deleted"), nodes)))
                lost = {n[0] for n in nodes} - {r[0] for r in cur.fetchall()}
            alive = {n[0] for n in nodes if not n[5]}
            # Sightings of what this write kept (or did not touch: a mere re-sighting).
            won = [s for s in seen if s[0] not in lost]
            if won:
                cur.execute(_UPSERT_SEEN, (_records(
                    ("id", "times_seen", "last_seen", "confidence", "stale"), won),))
            gone = [n[0] for n in nodes if n[5] and n[0] not in lost and n[0] not in alive]
            if gone:
                cur.execute("DELETE FROM sightings WHERE id = ANY(%s)", (gone,))
        return lost

    # ------------------------------------------------------------------ reading
    def changes_since(self, rev: int, limit: int = 5000, others_only: bool = True) -> list[tuple]:
        """Nodes (tombstones included) written after revision ``rev``, in revision order:
        ``(id, layer, data, robot, t, confidence, deleted, rev)``; ``others_only``: leave out
        this robot's own writes (it has them)."""
        if others_only:
            return self.conn.execute(f"SELECT {_COLUMNS} FROM nodes WHERE rev > %s AND robot <> %s "
                                     "ORDER BY rev LIMIT %s", (int(rev), self.robot, int(limit))).fetchall()
        return self.conn.execute(f"SELECT {_COLUMNS} FROM nodes WHERE rev > %s ORDER BY rev LIMIT %s",
                                 (int(rev), int(limit))).fetchall()

    def fetch(self, ids) -> list[tuple]:
        """The stored rows of ``ids`` (for a robot whose write lost: adopt the winner)."""
        return self.conn.execute(f"SELECT {_COLUMNS} FROM nodes WHERE id = ANY(%s) ORDER BY rev",
                                 (list(ids),)).fetchall()

    def revision(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(rev), 0) FROM nodes").fetchone()[0]

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM nodes WHERE NOT deleted AND layer IN "
                                 "('object', 'receptacle')").fetchone()[0]

    def node(self, nid: str) -> dict | None:
        """The stored attributes of ``nid`` (with ``robot``), None when absent or deleted."""
        row = self.conn.execute("SELECT data, robot, deleted FROM nodes WHERE id = %s", (nid,)).fetchone()
        if row is None or row[2]:
            return None
        d = json.loads(row[0])
        d.setdefault("robot", row[1])
        return d

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:
            pass
