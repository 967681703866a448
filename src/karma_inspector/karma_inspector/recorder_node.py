"""Recorder node: writes the stack's topics to an MCAP file (rosbag2's format) as they arrive.

Subscribes (raw, nothing re-encoded) to every topic of :data:`karma_inspector.topics.RECORDED`
(or the ``topics`` parameter's subset) with the QoS of its publisher, and appends each message
with its receive time; ``/karma/diagnostics`` carries ``recorded.<topic>`` counts (so a
client can tell what the file holds before it is closed). The file is complete (summary and index written) when the node stops
(Ctrl-C / SIGTERM); until then it reads as a stream. ``./karma up --record FILE`` starts it.

Run::

    python -m karma_inspector.recorder_node --ros-args -p path:=/tmp/run.mcap
"""
from __future__ import annotations

import os

from rclpy.node import Node

from karma_inspector.mcap_log import McapLog
from karma_inspector.topics import RECORDED, message_class
from karma_ros_common import qos
from karma_ros_common.diagnostics import RejectionCounter
from karma_ros_common.node_main import run_node
from karma_ros_common.params import Param, declare_and_validate


def _path(v):
    return None if v.strip() else 'must name the MCAP file to write'


SCHEMA = {
    'path': Param('', 'MCAP file to write (its directory is created; an existing file is replaced)',
                  check=_path),
    'topics': Param([t for t, _, _ in RECORDED], 'Topics to record (a subset of the default set)',
                    check=lambda v: None if set(v) <= {t for t, _, _ in RECORDED}
                    else f'unknown topics {sorted(set(v) - {t for t, _, _ in RECORDED})}'),
}


class RecorderNode(Node):
    def __init__(self, **kwargs):
        super().__init__('recorder_node', **kwargs)
        cfg = declare_and_validate(self, SCHEMA)
        self.path = os.path.abspath(os.path.expanduser(cfg['path']))
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.log = McapLog(self.path)
        self.counts: dict[str, int] = {}
        self.diagnostics = RejectionCounter(self, 1.0)
        for topic, type_name, qos_name in RECORDED:
            if topic not in cfg['topics']:
                continue
            self.log.add_topic(topic, type_name)
            self.create_subscription(message_class(type_name), topic,
                                     lambda data, t=topic, ty=type_name: self._on(t, ty, data),
                                     getattr(qos, qos_name), raw=True)
        self.get_logger().info(f'recording {len(cfg["topics"])} topics to {self.path}')

    def _on(self, topic: str, type_name: str, data: bytes) -> None:
        self.log.write(topic, type_name, data, self.get_clock().now().nanoseconds)
        self.counts[topic] = n = self.counts.get(topic, 0) + 1
        self.diagnostics.set_value(f'recorded.{topic}', n)

    def destroy_node(self):
        self.log.close()
        self.get_logger().info(f'recorded {self.log.messages} messages to {self.path}')
        return super().destroy_node()


def main(argv=None) -> int:
    return run_node(RecorderNode, 'recorder_node', argv)


if __name__ == '__main__':
    raise SystemExit(main())
