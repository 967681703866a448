"""Bad input on the pipe is answered like THOR (an error event), never a crash."""
import json
import struct

from ai2thor.controller import Controller
from ai2thor.fifo_server import FieldType
from karma_thor import player_path, protocol


def _raw(controller, field_type, body):
    """Send one raw field as the client would, expecting the next sequence id back."""
    controller.server.sequence_id += 1
    controller.server._send_message(field_type, body)
    return controller.server.receive()


def test_framing_roundtrip():
    import io
    blob = protocol.encode_fields([(protocol.ACTION, b'{"action": "Pass"}'), (7, b"xyz")])
    fields = protocol.read_message(io.BytesIO(blob))
    assert fields == {protocol.ACTION: b'{"action": "Pass"}', 7: b"xyz"}
    assert protocol.read_message(io.BytesIO(blob[:5])) is None  # truncated = client gone


def test_malformed_messages_get_error_events(controller):
    for body in (b"not json", b"\xff\xfe", b"[1, 2, 3]", b"42"):
        ev = _raw(controller, FieldType.ACTION, body)
        assert ev.metadata["lastActionSuccess"] is False
        assert "Malformed" in ev.metadata["errorMessage"]
    ev = _raw(controller, FieldType.METADATA, b"no action here")
    assert not ev and "without an ACTION" in ev.metadata["errorMessage"]
    ev = _raw(controller, FieldType.ACTION, json.dumps({"action": 5}).encode())
    assert not ev and ev.metadata["errorCode"] == "InvalidAction"
    ev = _raw(controller, FieldType.ACTION, json.dumps({"action": "MoveAhead",
                                                        "moveMagnitude": [1]}).encode())
    assert not ev and ev.metadata["errorCode"] == "InvalidArgument"
    assert controller.step("Pass")  # still serving, sequence ids in step


def test_impossible_length_answers_then_exits():
    c = Controller(local_executable_path=player_path(), x_display=":0", scene="FloorPlan1",
                   headless=True, server_timeout=30)
    try:
        c.server.sequence_id += 1
        if c.server.client_pipe is None:
            c.server.client_pipe = open(c.server.client_pipe_path, "wb")
        c.server.client_pipe.write(struct.pack("!BI", 2, 2**31))
        c.server.client_pipe.flush()
        ev = c.server.receive()
        assert not ev and "claims" in ev.metadata["errorMessage"]
        c.server.unity_proc.wait(timeout=10)
        assert c.server.unity_proc.returncode == 1
    finally:
        c.stop()
