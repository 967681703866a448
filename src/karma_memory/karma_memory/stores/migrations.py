"""Versioned schema migrations of both stores (SQLite and PostgreSQL).

The schema version lives in ``meta`` (key ``schema_version``). Opening a store runs every
migration above the stored version, in order, each in its own transaction that also records
the new version, so a crash mid-way leaves the store at a whole version. A migration is
never edited once released: a change of schema is a new entry at the end of the list.

Versions (the same numbers mean the same content on both backends):
  1. ``nodes``, ``sightings``, ``meta``, ``history`` as the first release of the SQLite store
     wrote them (a store file without ``schema_version`` is at version 1).
  2. Fleet memory: ``history.robot`` (namespace of the robot whose change a row records,
     ``''`` before fleets), the ``outbox`` of changes a fleet robot has not yet pushed to the
     shared store (SQLite; ``seen`` = 1 for a mere re-sighting), and on PostgreSQL the columns that order and resolve the fleet's
     writes (``nodes.robot``, ``nodes.t``, ``nodes.confidence``, ``nodes.deleted``,
     ``nodes.rev``; ``history.robot_seq``, unique per robot, makes a re-push idempotent).

>>> import sqlite3
>>> db = sqlite3.connect(":memory:", isolation_level=None)
>>> migrate_sqlite(db)
2
>>> migrate_sqlite(db)   # idempotent
2
"""
from __future__ import annotations

import sqlite3

CURRENT = 2

SQLITE: dict[int, str] = {
    1: """
CREATE TABLE IF NOT EXISTS nodes (id TEXT PRIMARY KEY, layer TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sightings (id TEXT PRIMARY KEY, times_seen INTEGER NOT NULL,
    last_seen REAL NOT NULL, confidence REAL NOT NULL, stale INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS history (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,
    t REAL NOT NULL, op TEXT NOT NULL, layer TEXT NOT NULL, cause TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_id_t ON history (id, t);
CREATE INDEX IF NOT EXISTS history_t ON history (t);
""",
    2: """
ALTER TABLE history ADD COLUMN robot TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,
    t REAL NOT NULL, seen INTEGER NOT NULL DEFAULT 0);
""",
}

POSTGRES: dict[int, str] = {
    1: """
CREATE TABLE IF NOT EXISTS nodes (id TEXT PRIMARY KEY, layer TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sightings (id TEXT PRIMARY KEY, times_seen INTEGER NOT NULL,
    last_seen DOUBLE PRECISION NOT NULL, confidence DOUBLE PRECISION NOT NULL,
    stale INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS history (seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL,
    t DOUBLE PRECISION NOT NULL, op TEXT NOT NULL, layer TEXT NOT NULL, cause TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_id_t ON history (id, t);
CREATE INDEX IF NOT EXISTS history_t ON history (t);
""",
    2: """
ALTER TABLE history ADD COLUMN robot TEXT NOT NULL DEFAULT '';
ALTER TABLE history ADD COLUMN robot_seq BIGINT;
CREATE UNIQUE INDEX history_robot_seq ON history (robot, robot_seq);
CREATE SEQUENCE node_rev;
ALTER TABLE nodes ADD COLUMN robot TEXT NOT NULL DEFAULT '';
ALTER TABLE nodes ADD COLUMN t DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN confidence DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE nodes ADD COLUMN rev BIGINT NOT NULL DEFAULT nextval('node_rev');
CREATE INDEX nodes_rev ON nodes (rev);
""",
}

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
#: Advisory lock id that serialises migrations (and the fleet's writes) on PostgreSQL.
PG_LOCK = 0x4B41524D   # "KARM"


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def sqlite_version(db: sqlite3.Connection) -> int:
    db.execute(_META)
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is not None:
        return int(row[0])
    has_nodes = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'nodes'"
                           ).fetchone()
    return 1 if has_nodes else 0


def migrate_sqlite(db: sqlite3.Connection, target: int = CURRENT) -> int:
    """Bring an SQLite store (autocommit connection) to ``target``; returns the version."""
    version = sqlite_version(db)
    for v in range(version + 1, target + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            if sqlite_version(db) < v:     # another connection may have migrated meanwhile
                for stmt in _statements(SQLITE[v]):
                    db.execute(stmt)
                db.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT(key) "
                           "DO UPDATE SET value = excluded.value", (str(v),))
            db.execute("COMMIT")
        except Exception:
            db.execute("ROLLBACK")
            raise
    return max(version, sqlite_version(db))


def postgres_version(conn) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate_postgres(conn, target: int = CURRENT) -> int:
    """Bring a PostgreSQL store to ``target`` (``conn``: psycopg connection, autocommit).

    Robots starting together serialise on an advisory lock; each migration runs in one
    transaction with its version row."""
    with conn.transaction():   # robots starting together: only one creates the table
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK,))
        conn.execute(_META)
    for v in range(1, target + 1):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK,))
            if postgres_version(conn) >= v:
                continue
            for stmt in _statements(POSTGRES[v]):
                conn.execute(stmt)
            conn.execute("INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT (key) "
                         "DO UPDATE SET value = excluded.value", (str(v),))
    return postgres_version(conn)
