"""Queries beside ingest: the long-term memory's callback groups and the lock that orders them.

The node spins an executor with :data:`EXECUTOR_THREADS` threads (see there). Ingest (perception,
consolidation, robot state, skill results, the map, load/save/reset, corrections, the graph
publication timer) stays in the node's default mutually exclusive group: one at a time, in
arrival order. Read-only queries (``find_object``, ``query_scene_graph``) sit in their own
reentrant group, so a query is served by another thread instead of waiting in the executor's
queue behind a backlog of 30 Hz messages, a plan being generated elsewhere, or each other.

Threads share one :class:`SceneGraph`, so :attr:`GraphAccess.lock` orders access: every
mutation of the graph holds it together with the SQLite commit that stores it, and so does
every query. A query therefore answers only what is committed (what it reports survives a
kill -9) and waits at most one ``apply`` plus its commit (a few milliseconds for 200
observations), never the queue.

Three faults were found with the threads on and are fixed where they arise:

- a query answered between ``apply`` and the commit (the lock used to end before the
  commit), so it could report objects a kill -9 then lost;
- at shutdown (SIGINT/SIGTERM, or an exception out of the executor) the node was destroyed,
  closing the SQLite connection, while worker threads were still committing: SIGSEGV.
  :func:`karma_ros_common.node_main.run_node` now joins the executor's threads first;
- a cleanup destroyed the query services while a query was being answered; sending its
  response raised ``InvalidHandle`` out of the executor and ended the process.
  :class:`karma_ros_common.lifecycle.ManagedNode` drains such requests first.

>>> access = GraphAccess()
>>> calls = []
>>> f = access.locked(lambda x: calls.append(access.lock._is_owned()) or x)
>>> f(3), calls, access.lock._is_owned()
(3, [True], False)
"""
from __future__ import annotations

import functools
import threading

from rclpy.callback_groups import ReentrantCallbackGroup

#: Threads of the long-term memory's executor: ingest, plus queries served beside it.
EXECUTOR_THREADS = 4


class GraphAccess:
    """The lock around the shared graph and the callback group of read-only queries."""

    def __init__(self):
        self.lock = threading.RLock()   # reset re-applies the map under it
        self.queries = ReentrantCallbackGroup()

    def locked(self, fn):
        """``fn`` run while holding :attr:`lock` (for callbacks that touch the graph)."""
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with self.lock:
                return fn(*args, **kwargs)
        return run
