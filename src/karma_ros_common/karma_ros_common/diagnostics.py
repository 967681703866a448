"""Count and log rejected input, and report each node's health as ROS diagnostics.

Bad input must never crash a node or corrupt memory: the node drops it, logs the reason
(throttled: the first of a kind at once, then at most one line per ``log_period_s`` saying how
many followed) and counts it here. Once a period the node's status goes out on the standard
``/diagnostics`` topic (``diagnostic_msgs/DiagnosticArray``, one status per node, named by its
fully qualified name, so a namespaced second robot reports apart): ``OK``; ``WARN`` while
input was rejected during the last period; ``ERROR`` while the node has declared a fault
(``set_fault``) that has not been cleared. The level recovers by itself when the cause goes;
the totals stay as key/values (``rejected.<reason>``, and the node's own figures).
``/karma/diagnostics`` carries the same messages for one release (deprecated alias).

Example::

    self.rejections = RejectionCounter(self)
    self.rejections.reject('nan_pose', 'observation 3 has a NaN position')
    self.rejections.set_fault('store', 'SQLite store is read-only')   # ERROR until cleared
    self.rejections.clear_fault('store')
"""
from __future__ import annotations

import logging
import time
from collections import Counter

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue

DIAGNOSTICS_TOPIC = '/diagnostics'
LEGACY_TOPIC = 'karma/diagnostics'   # deprecated alias, kept for one release


class RejectionCounter:
    """Counts rejections by reason; logs them throttled; publishes the node's health."""

    def __init__(self, node, period_s: float = 1.0, log_period_s: float = 5.0):
        self._node = node
        self.counts: Counter[str] = Counter()
        self.extra: dict[str, str] = {}
        self.faults: dict[str, str] = {}
        self._window = 0
        self._log_period = log_period_s
        self._last_log: dict[str, float] = {}
        self._quiet: Counter[str] = Counter()
        # Diagnostics go out in every lifecycle state (a managed node's plain publishers and
        # timers are silent unless it is active: karma_ros_common.lifecycle).
        make_pub = getattr(node, 'create_unmanaged_publisher', node.create_publisher)
        self._pubs = [make_pub(DiagnosticArray, DIAGNOSTICS_TOPIC, 10),
                      make_pub(DiagnosticArray, LEGACY_TOPIC, 10)]
        self._timer = getattr(node, 'create_unmanaged_timer', node.create_timer)(period_s, self.publish)
        forward_core_logs(node)

    def reject(self, reason: str, detail: str) -> None:
        """Record one rejection: ``reason`` is a short key, ``detail`` a readable sentence."""
        self.counts[reason] += 1
        self._window += 1
        now = time.monotonic()
        if now - self._last_log.get(reason, -1e9) < self._log_period:
            self._quiet[reason] += 1
            return
        more = self._quiet.pop(reason, 0)
        self._last_log[reason] = now
        tail = f' ({more} more of this kind since the last line)' if more else ''
        self._node.get_logger().warning(f'rejected ({reason}): {detail}{tail}')

    def set_value(self, key: str, value) -> None:
        """Publish an extra figure with the counts (queue depth, objects in memory, ...)."""
        self.extra[key] = str(value)

    def set_fault(self, key: str, message: str) -> None:
        """The node cannot do part of its job (ERROR) until :meth:`clear_fault`."""
        if self.faults.get(key) != message:
            self._node.get_logger().error(f'fault ({key}): {message}')
        self.faults[key] = message

    def clear_fault(self, key: str) -> None:
        if self.faults.pop(key, None) is not None:
            self._node.get_logger().info(f'fault ({key}) cleared')

    def status(self) -> DiagnosticStatus:
        status = DiagnosticStatus(name=self._node.get_fully_qualified_name(), hardware_id='karma')
        total = sum(self.counts.values())
        if self.faults:
            status.level = DiagnosticStatus.ERROR
            status.message = '; '.join(f'{k}: {v}' for k, v in sorted(self.faults.items()))[:500]
        elif self._window:
            status.level = DiagnosticStatus.WARN
            status.message = f'{self._window} inputs rejected in the last period ({total} in all)'
        else:
            status.level = DiagnosticStatus.OK
            status.message = f'ok ({total} inputs rejected since start)'
        state = getattr(self._node, 'lifecycle_state', None)
        if state is not None and state != 'active' and status.level == DiagnosticStatus.OK:
            status.message = f'{state} (not serving); {status.message}'
        status.values = [KeyValue(key=f'rejected.{k}', value=str(v)) for k, v in sorted(self.counts.items())]
        if state is not None:
            status.values.append(KeyValue(key='lifecycle.state', value=state))
        status.values += [KeyValue(key=k, value=v) for k, v in sorted(self.extra.items())]
        return status

    def publish(self) -> None:
        msg = DiagnosticArray()
        msg.header.stamp = self._node.get_clock().now().to_msg()
        msg.status = [self.status()]
        self._window = 0
        for pub in self._pubs:
            pub.publish(msg)


class _ToRosout(logging.Handler):
    """Python logging of the core packages (karma_memory, karma_planning, ...) -> the node's
    ROS logger, so their warnings reach /rosout like the node's own."""

    def __init__(self, node):
        super().__init__(logging.INFO)
        self._logger = node.get_logger()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = f'[{record.name}] {record.getMessage()}'
            if record.levelno >= logging.ERROR:
                self._logger.error(text)
            elif record.levelno >= logging.WARNING:
                self._logger.warning(text)
            else:
                self._logger.info(text)
        except Exception:  # noqa: BLE001 - logging must never take a node down
            pass


CORE_LOGGERS = ('karma_memory', 'karma_planning', 'karma_thor_bridge', 'karma_executor',
                'karma_thor', 'karma_bench', 'karma_inspector')


def forward_core_logs(node) -> None:
    """Send the core packages' log records to ``node``'s ROS logger (once per process)."""
    for name in CORE_LOGGERS:
        log = logging.getLogger(name)
        if not any(isinstance(h, _ToRosout) for h in log.handlers):
            log.addHandler(_ToRosout(node))
            log.setLevel(logging.INFO)
            log.propagate = False
