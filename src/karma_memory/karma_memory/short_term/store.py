"""SQLite persistence of the short-term memory (WAL), so its state survives kill -9.

One row per entry and per baseline object (JSON), and the memory's tick and statistics.
:meth:`StmStore.save` writes what changed since the last save (the memory's change log) in one
transaction; the node calls it after every input, so a restarted node comes back with the
entries, the perception baseline (what it last saw, to find the next change) and the counters
it had. Rows that do not parse are skipped on load.

>>> import tempfile
>>> from karma_memory.short_term import ShortTermMemory
>>> d = tempfile.mkdtemp()
>>> stm = ShortTermMemory(capacity=4, clock=lambda: 5.0)
>>> _ = stm.record('Fridge_1', 'Fridge', {'open': True}, source='skill')
>>> StmStore(d).save(stm)             # the entry and its baseline row
2
>>> back = ShortTermMemory(capacity=4, clock=lambda: 6.0)
>>> StmStore(d).load(back)
1
>>> back.get('Fridge_1').states, back.stats.policy
({'open': True}, 'karma')
"""
from __future__ import annotations

import dataclasses
import json
import os
import sqlite3

from .entry import StmEntry
from .memory import PolicyStats, ShortTermMemory

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS baseline (id TEXT PRIMARY KEY, ord INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_ENCODE = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
_FIELDS = {f.name for f in dataclasses.fields(StmEntry)}


class StmStore:
    """The SQLite file ``<directory>/<filename>``; created on first use."""

    def __init__(self, directory: str, filename: str = "short_term.sqlite3"):
        directory = os.path.expanduser(directory)
        os.makedirs(directory, exist_ok=True)
        self.path = os.path.join(directory, filename)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._ord = self._db.execute("SELECT COALESCE(MAX(ord), 0) FROM baseline").fetchone()[0]

    def save(self, stm: ShortTermMemory, extra: dict | None = None) -> int:
        """Write the memory's changes (and ``extra`` meta values) in one transaction; returns
        the entry and baseline rows written or deleted. On failure the changes go back."""
        changed, cleared = stm.take_changes()
        entries, base, gone = [], [], []
        for oid in sorted(changed):
            e = stm._entries.get(oid)
            if e is not None:
                entries.append((oid, _ENCODE(dataclasses.asdict(e))))
            b = stm._baseline.get(oid)
            if b is not None:
                self._ord += 1
                base.append((oid, self._ord, _ENCODE([b[0], b[1], b[2]])))
            if e is None or b is None:
                gone.append((oid, e is None, b is None))
        meta = {"tick": stm._tick, "stats": dataclasses.asdict(stm.stats), **(extra or {})}
        try:
            self._db.execute("BEGIN")
            if cleared:
                self._db.execute("DELETE FROM entries")
                self._db.execute("DELETE FROM baseline")
            self._db.executemany("DELETE FROM entries WHERE id = ?", [(g[0],) for g in gone if g[1]])
            self._db.executemany("DELETE FROM baseline WHERE id = ?", [(g[0],) for g in gone if g[2]])
            self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", entries)
            self._db.executemany("INSERT OR REPLACE INTO baseline VALUES (?, ?, ?)", base)
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                 [(k, _ENCODE(v)) for k, v in meta.items()])
            self._db.execute("COMMIT")
        except Exception:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            stm._changed |= changed
            stm._cleared |= cleared
            raise
        return len(entries) + len(base) + len(gone)

    def meta(self, key: str, default=None):
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        try:
            return json.loads(row[0]) if row else default
        except ValueError:
            return default

    def load(self, stm: ShortTermMemory) -> int:
        """Put the stored state into ``stm``; returns the number of entries restored."""
        entries = []
        for oid, data in self._db.execute("SELECT id, data FROM entries ORDER BY id"):
            try:
                d = json.loads(data)
                d = {k: v for k, v in d.items() if k in _FIELDS}
                if d.get("position") is not None:
                    d["position"] = tuple(float(v) for v in d["position"])
                e = StmEntry(**d)
            except (ValueError, TypeError):
                continue
            if e.object_id == oid:
                entries.append(e)
        baseline = []
        for oid, data in self._db.execute("SELECT id, data FROM baseline ORDER BY ord"):
            try:
                states, rec, pos = json.loads(data)
                baseline.append((oid, dict(states), rec, tuple(pos) if pos is not None else None))
            except (ValueError, TypeError):
                continue
        stats = self.meta("stats") or {}
        try:
            ps = PolicyStats(stm.policy.name, int(stats.get("hits", 0)), int(stats.get("misses", 0)),
                             int(stats.get("evictions", 0)))
        except (TypeError, ValueError):
            ps = PolicyStats(stm.policy.name)
        tick = self.meta("tick", 0)
        stm.restore(entries[:stm.capacity], baseline, tick if isinstance(tick, int) else 0, ps)
        return len(stm)

    def close(self) -> None:
        self._db.close()
