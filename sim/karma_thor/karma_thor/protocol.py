"""ai2thor's FIFO framing: fields of ``struct "!BI"`` (type, big-endian length) + body.

Client -> player: ACTION (JSON) then END_OF_MESSAGE; player -> client: METADATA (msgpack),
optional image fields, END_OF_MESSAGE.

>>> encode_fields([(ACTION, b"{}")]) == b"\\x02\\x00\\x00\\x00\\x02{}\\xff\\x00\\x00\\x00\\x00"
True
"""
from __future__ import annotations

import struct
from typing import BinaryIO

HEADER = struct.Struct("!BI")
METADATA, ACTION, RGB_IMAGE, END_OF_MESSAGE = 1, 2, 4, 255
MAX_FIELD = 256 * 1024 * 1024  # a longer "length" can only be garbage


class ProtocolError(Exception):
    """A malformed message; the player answers it with an error event."""


def encode_fields(fields: list[tuple[int, bytes]]) -> bytes:
    parts = []
    for ftype, body in fields:
        parts.append(HEADER.pack(ftype, len(body)))
        parts.append(body)
    parts.append(HEADER.pack(END_OF_MESSAGE, 0))
    return b"".join(parts)


def read_message(stream: BinaryIO) -> dict[int, bytes] | None:
    """Read fields up to END_OF_MESSAGE; None when the client closed the pipe.

    Raises ProtocolError for an impossible field length (the stream is then unusable).
    """
    fields: dict[int, bytes] = {}
    while True:
        header = stream.read(HEADER.size)
        if len(header) < HEADER.size:
            return None
        ftype, length = HEADER.unpack(header)
        if ftype == END_OF_MESSAGE:
            return fields
        if length > MAX_FIELD:
            raise ProtocolError(f"field of type {ftype} claims {length} bytes")
        body = stream.read(length) if length else b""
        if len(body) < length:
            return None
        fields[ftype] = body
