"""The long-term memory node's store: embedded SQLite, or a fleet's shared PostgreSQL store.

``store_url`` empty (the default): :class:`karma_memory.MemoryStore`, the SQLite file in
``store_dir``, exactly as a single robot always had it. ``store_url`` =
``postgresql://user@host:port/db``: a :class:`karma_memory.stores.fleet.FleetStore` whose
local cache is that same SQLite file and whose shared store is the server; the robot's name
is its namespace (``robot1``), minted ids end in ``:robot1``, and a timer (every
``fleet_sync_period_s``) pushes this robot's changes and merges the other robots'.

Diagnostics (``karma/diagnostics`` values): ``fleet.online`` (1/0), ``fleet.pending`` (changes
not yet in the shared store), ``fleet.pulled`` / ``fleet.pushed`` / ``fleet.associated`` /
``fleet.lost_conflicts`` (totals). A lost server is counted (``fleet_offline``) and logged at
most every 10 s; the memory keeps working on its cache.
"""
from __future__ import annotations

import time

from karma_memory.history import HistoryConfig
from karma_memory.stores import open_store as open_url
from karma_memory.stores.fleet import is_postgres_url
from karma_ros_common.namespaces import namespace_key
from karma_ros_common.params import Param

PARAMS = {
    'store_url': Param('', 'Shared store of a robot fleet, postgresql://user@host:port/database '
                       '(the robot is named by its namespace); empty = the embedded SQLite store '
                       'in store_dir', check=lambda v: None if not v or is_postgres_url(v)
                       else 'must be empty or a postgresql:// URL'),
    'fleet_sync_period_s': Param(0.1, 'Period of pushing to and pulling from the fleet store '
                                 '(bounds how soon other robots see a change)',
                                 min_value=0.01, max_value=60.0),
}


def robot_name(node) -> str:
    return namespace_key(node.get_namespace())


def open_store(node, store_dir: str, history: HistoryConfig):
    """The store ``node.cfg`` asks for (see the module docstring)."""
    url = node.cfg['store_url']
    if not url:
        return open_url('', store_dir, history=history)
    robot = robot_name(node)
    node.memory_config.id_suffix = f':{robot}'
    store = open_url(url, store_dir, robot, history)
    state = 'connected' if store.online else f'offline ({store.last_error}); working on the cache'
    node.get_logger().info(f'fleet memory as robot {robot!r}: {state}')
    return store


class FleetSync:
    """Timer-driven :meth:`FleetStore.sync` of ``node.store`` into ``node.graph``."""

    def __init__(self, node):
        self.node = node
        self.totals = {'pulled': 0, 'pushed': 0, 'associated': 0, 'lost_conflicts': 0}
        self._was_online = node.store.online
        self._last_log = 0.0
        # The timer sits in the node's default (mutually exclusive) group with ingest, and
        # holds the graph lock so queries served beside ingest never see a half-merged pull.
        node.create_timer(node.cfg['fleet_sync_period_s'], node.access.locked(self.tick))

    def tick(self) -> None:
        node = self.node
        try:
            rep = node.store.sync(node.graph)
        except Exception as e:   # a bug must not take the memory down; the cache stays
            node.rejections.reject('internal_error', f'fleet sync: {type(e).__name__}: {e}')
            return
        self.totals['pulled'] += rep.pulled
        self.totals['pushed'] += rep.pushed
        self.totals['associated'] += len(rep.associated)
        self.totals['lost_conflicts'] += rep.lost
        r = node.rejections
        r.set_value('fleet.online', int(rep.online))
        r.set_value('fleet.pending', node.store.pending())
        for k, v in self.totals.items():
            r.set_value(f'fleet.{k}', v)
        if not rep.online:
            now = time.monotonic()
            if self._was_online or now - self._last_log > 10.0:
                r.reject('fleet_offline', f'shared store unreachable ({rep.error}); '
                         f'{node.store.pending()} changes kept in the local outbox')
                self._last_log = now
        elif not self._was_online:
            node.get_logger().info('fleet store reachable again; outbox pushed')
        self._was_online = rep.online
        if rep.merged:
            r.set_value('objects', len(node.graph))
