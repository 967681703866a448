"""The long-term memory's store, behind one interface, two implementations.

* :class:`karma_memory.store.MemoryStore`: the embedded default, one SQLite file (WAL), one
  robot.
* :class:`karma_memory.stores.fleet.FleetStore`: a fleet's shared PostgreSQL store
  (:mod:`karma_memory.stores.postgres`, psycopg 3) behind the robot's own SQLite file as its
  local cache and outbox.

Both run the versioned schema migrations of :mod:`karma_memory.stores.migrations` and keep
the same history and provenance (:class:`karma_memory.history.History` answers on either).
:func:`open_store` picks one from a URL: empty for SQLite, ``postgresql://...`` for a fleet.
"""
from __future__ import annotations

from typing import Protocol


class Store(Protocol):
    """What the memory node needs of a store."""

    path: str

    def load(self, config=None):
        """The stored graph (a :class:`~karma_memory.scene_graph.SceneGraph`)."""

    def commit(self, graph, *, stamp: float | None = None, cause: str = "") -> int:
        """Write the graph's changes since the last commit, durably, in one transaction."""

    def save_all(self, graph, cause: str = "load") -> int:
        """Replace the stored graph by ``graph``."""

    def import_document(self, graph, data: dict, replace: bool) -> int:
        """Load a node-link document all or nothing."""

    def count(self) -> int:
        """Objects and receptacles stored."""

    def close(self) -> None:
        ...


def open_store(url: str, directory: str, robot: str = "", history=None) -> Store:
    """SQLite in ``directory`` when ``url`` is empty; else a fleet store on ``url`` with its
    local cache in ``directory``, for robot ``robot``."""
    if not url:
        from karma_memory.store import MemoryStore
        return MemoryStore(directory, history=history)
    from karma_memory.stores.fleet import FleetStore, is_postgres_url
    if not is_postgres_url(url):
        raise ValueError(f"store url {url[:40]!r}: only postgresql:// URLs name a shared store")
    return FleetStore(directory, url, robot, history)
