"""Writing and reading MCAP recordings of ROS 2 topics (rosbag2's storage format).

A recording holds CDR-serialised messages (profile ``ros2``, message encoding ``cdr``) with
``ros2msg`` schemas, as rosbag2's MCAP storage writes them, so ``ros2 bag play``, Foxglove and
``mcap-ros2-support`` open it. The writer takes already serialised bytes (a raw subscription
hands them over as they came off the wire); nothing is re-encoded.

>>> import io
>>> buf = io.BytesIO()
>>> log = McapLog(buf, schema_of=lambda t: "int32 data\\n")
>>> log.write("/n", "std_msgs/msg/Int32", b"\\x00\\x01\\x00\\x00\\x05\\x00\\x00\\x00", 10)
>>> log.close()
>>> [(t, ty, ns) for t, ty, ns, _ in read_raw(io.BytesIO(buf.getvalue()))]
[('/n', 'std_msgs/msg/Int32', 10)]
"""
from __future__ import annotations

import threading
from typing import IO, Callable, Iterator

from mcap.reader import make_reader
from mcap.writer import CompressionType, Writer

from karma_inspector.schemas import ros2msg_schema

PROFILE = "ros2"


class McapLog:
    """An MCAP file being written; thread-safe (callbacks of several topics write into it)."""

    def __init__(self, out: str | IO[bytes], schema_of: Callable[[str], str] = ros2msg_schema,
                 compression: CompressionType = CompressionType.ZSTD):
        self._own = isinstance(out, str)
        self._stream = open(out, "wb") if self._own else out
        self._writer = Writer(self._stream, compression=compression)
        self._writer.start(profile=PROFILE, library="karma_inspector")
        self._schema_of = schema_of
        self._schemas: dict[str, int] = {}
        self._channels: dict[str, int] = {}
        self._seq: dict[str, int] = {}
        self._lock = threading.Lock()
        self.messages = 0
        self.closed = False

    def add_topic(self, topic: str, type_name: str, metadata: dict[str, str] | None = None) -> int:
        """Register a channel (done on first write otherwise); returns its id."""
        with self._lock:
            return self._channel(topic, type_name, metadata)

    def _channel(self, topic: str, type_name: str, metadata=None) -> int:
        cid = self._channels.get(topic)
        if cid is None:
            sid = self._schemas.get(type_name)
            if sid is None:
                sid = self._writer.register_schema(
                    name=type_name, encoding="ros2msg",
                    data=self._schema_of(type_name).encode("utf-8"))
                self._schemas[type_name] = sid
            cid = self._writer.register_channel(topic=topic, message_encoding="cdr",
                                                schema_id=sid, metadata=metadata or {})
            self._channels[topic] = cid
        return cid

    def write(self, topic: str, type_name: str, data: bytes, log_time_ns: int,
              publish_time_ns: int | None = None) -> None:
        """Append one serialised message (ignored once closed)."""
        with self._lock:
            if self.closed:
                return
            cid = self._channel(topic, type_name)
            seq = self._seq.get(topic, 0)
            self._seq[topic] = seq + 1
            self._writer.add_message(channel_id=cid, log_time=int(log_time_ns), data=bytes(data),
                                     publish_time=int(publish_time_ns if publish_time_ns is not None
                                                      else log_time_ns), sequence=seq)
            self.messages += 1

    def close(self) -> None:
        """Write the summary and index (a file without them still reads, more slowly)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            self._writer.finish()
            if self._own:
                self._stream.close()


def read_raw(source: str | IO[bytes], topics=None) -> Iterator[tuple[str, str, int, bytes]]:
    """``(topic, type name, log time ns, CDR bytes)`` of every message, in log-time order."""
    stream = open(source, "rb") if isinstance(source, str) else source
    try:
        reader = make_reader(stream)
        for schema, channel, message in reader.iter_messages(topics=topics, log_time_order=True):
            yield channel.topic, schema.name if schema else "", message.log_time, message.data
    finally:
        if isinstance(source, str):
            stream.close()
