"""Count and log rejected input, and publish the counts as ROS diagnostics.

Bad input must never crash a node or corrupt memory: the node drops it, logs the reason,
and counts it here. The counts go out on ``/karma/diagnostics``
(``diagnostic_msgs/DiagnosticArray``) once a second, one status per node, one key per reason.

Example::

    self.rejections = RejectionCounter(self)
    self.rejections.reject('nan_pose', 'observation 3 has a NaN position')
"""
from __future__ import annotations

from collections import Counter

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue

DIAGNOSTICS_TOPIC = '/karma/diagnostics'


class RejectionCounter:
    """Counts rejections by reason; logs each one; publishes totals periodically."""

    def __init__(self, node, period_s: float = 1.0):
        self._node = node
        self.counts: Counter[str] = Counter()
        self.extra: dict[str, str] = {}
        self._pub = node.create_publisher(DiagnosticArray, DIAGNOSTICS_TOPIC, 10)
        self._timer = node.create_timer(period_s, self.publish)

    def reject(self, reason: str, detail: str) -> None:
        """Record one rejection: ``reason`` is a short key, ``detail`` a readable sentence."""
        self.counts[reason] += 1
        self._node.get_logger().warning(f'rejected ({reason}): {detail}')

    def set_value(self, key: str, value) -> None:
        """Publish an extra figure with the counts (queue depth, objects in memory, ...)."""
        self.extra[key] = str(value)

    def publish(self) -> None:
        status = DiagnosticStatus()
        status.name = self._node.get_fully_qualified_name()
        status.hardware_id = 'karma'
        total = sum(self.counts.values())
        status.level = DiagnosticStatus.OK if total == 0 else DiagnosticStatus.WARN
        status.message = f'{total} inputs rejected'
        status.values = [KeyValue(key=f'rejected.{k}', value=str(v)) for k, v in sorted(self.counts.items())]
        status.values += [KeyValue(key=k, value=v) for k, v in sorted(self.extra.items())]
        msg = DiagnosticArray()
        msg.header.stamp = self._node.get_clock().now().to_msg()
        msg.status = [status]
        self._pub.publish(msg)
