"""A bare stand-in player: the protocol floor of ``./karma bench sim``.

It speaks the same FIFO protocol as the player (protocol.py) and answers every action at once
with the smallest event the ai2thor client accepts (no world, no objects), so the time per step
is what the client, the pipes and one Python process cost. Run it as ``python -m
karma_thor.stand_in`` from an executable the Controller starts (``local_executable_path``).
With ``KARMA_STAND_IN_EVENT=FILE`` (a JSON per-agent event) it answers with that event instead:
the floor for THOR-sized metadata, which the client must decode whatever sends it.
"""
from __future__ import annotations

import json
import os
import sys

import msgpack

from . import protocol
from .player import grow_pipe


_PACKED: dict[str, bytes] = {}  # action -> packed full event (packing it is not the floor)


def _full_event(seq: int, action: str, full: dict) -> bytes:
    agent = _PACKED.get(action)
    if agent is None:
        agent = _PACKED[action] = msgpack.packb(dict(
            full, lastAction=action,
            actionReturn=["FloorPlan1_physics"] if action == "GetScenesInBuild" else None),
            use_bin_type=True)
    p = msgpack.Packer(use_bin_type=True)
    body = b"".join([p.pack_map_header(4), p.pack("agents"), p.pack_array_header(1), agent,
                     p.pack("sequenceId"), p.pack(seq), p.pack("activeAgentId"), p.pack(0),
                     p.pack("thirdPartyCameras"), p.pack([])])
    return protocol.encode_fields([(protocol.METADATA, body)])


def _event(seq: int, action: str, width: int, height: int, full: dict | None = None) -> bytes:
    if full is not None:
        return _full_event(seq, action, full)
    agent = {"lastAction": action, "lastActionSuccess": True, "errorMessage": "",
             "errorCode": None, "sceneName": "FloorPlan1_physics",
             # the client checks its scene against GetScenesInBuild's answer
             "actionReturn": ["FloorPlan1_physics"] if action == "GetScenesInBuild" else None,
             "screenWidth": width, "screenHeight": height, "thirdPartyCameras": [],
             "objects": [], "agent": {"position": {"x": 0.0, "y": 0.9, "z": 0.0},
                                      "rotation": {"x": 0.0, "y": 0.0, "z": 0.0},
                                      "cameraHorizon": 0.0, "isStanding": True}}
    meta = {"agents": [agent], "sequenceId": seq, "activeAgentId": 0, "thirdPartyCameras": []}
    return protocol.encode_fields([(protocol.METADATA, msgpack.packb(meta, use_bin_type=True))])


def main() -> int:
    server = os.environ["AI2THOR_FIFO_SERVER_PIPE_PATH"]
    client = os.environ["AI2THOR_FIFO_CLIENT_PIPE_PATH"]
    argv = sys.argv[1:]
    size = {a: int(argv[i + 1]) for i, a in enumerate(argv[:-1])
            if a in ("-screen-width", "-screen-height") and argv[i + 1].isdigit()}
    w, h = size.get("-screen-width", 300), size.get("-screen-height", 300)
    full = None
    if os.environ.get("KARMA_STAND_IN_EVENT"):
        with open(os.environ["KARMA_STAND_IN_EVENT"]) as f:
            full = json.load(f)
    with open(server, "wb", buffering=0) as out:
        grow_pipe(out.fileno())
        out.write(_event(0, "", w, h, full))
        with open(client, "rb") as inp:
            while True:
                fields = protocol.read_message(inp)
                if fields is None:
                    return 0
                try:
                    action = json.loads(fields.get(protocol.ACTION, b"{}"))
                except ValueError:
                    action = {}
                out.write(_event(action.get("sequenceId", 0), action.get("action", ""), w, h, full))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
