"""The player executable: speaks ai2thor's FIFO protocol to an unmodified Controller.

The Controller launches ``PATH -screen-... `` (or ``-batchmode -nographics``) with
AI2THOR_SERVER_TYPE=FIFO and the two pipe paths in the environment; stdout/stderr end up in
``~/.ai2thor/log/unity.log``. Bad messages get an error event; the player only exits when the
client goes away.
"""
from __future__ import annotations

import json
import os
import sys

from . import protocol
from .packing import ReplyPacker
from .render import render_rgb
from .simulator import Simulator


def _screen_size(argv: list[str]) -> tuple[int, int]:
    size = {"-screen-width": 300, "-screen-height": 300}
    for i, a in enumerate(argv[:-1]):
        if a in size:
            try:
                size[a] = max(1, int(argv[i + 1]))
            except ValueError:
                pass
    return size["-screen-width"], size["-screen-height"]


class Player:
    """One connection: a Simulator plus the bookkeeping of sequence ids and rendering."""

    def __init__(self, width: int, height: int, scene: str = "FloorPlan1",
                 extensions: bool = True):
        self.sim = Simulator(scene, extensions=extensions, width=width, height=height)
        self.sequence_id = 0
        self.render = os.environ.get("KARMA_THOR_RENDER", "") not in ("", "0")
        self.packer = ReplyPacker()

    def handle(self, fields: dict[int, bytes]) -> bytes:
        """Answer one client message with the encoded reply (always exactly one reply)."""
        body = fields.get(protocol.ACTION)
        try:
            if body is None:
                raise ValueError("message without an ACTION field")
            action = json.loads(body.decode("utf-8"))
            if not isinstance(action, dict):
                raise ValueError(f"ACTION must be a JSON object, got {type(action).__name__}")
        except (ValueError, UnicodeDecodeError) as e:
            return self.reject(f"Malformed action message: {e}")
        seq = action.get("sequenceId")
        self.sequence_id = seq if isinstance(seq, int) else self.sequence_id + 1
        if "karmaRenderImage" in action:
            self.render = bool(action.pop("karmaRenderImage"))
        event = self.sim.step(action)
        return self._reply(event, action.get("renderImage", True) is not False)

    def first_event(self) -> bytes:
        return self._reply(self.sim.last_event, True)

    def reject(self, message: str) -> bytes:
        """Answer an unreadable message; its sequence id is the one the client assumes."""
        self.sequence_id += 1
        return self._reply(self._error_event(message), False)

    def _error_event(self, message: str) -> dict:
        ev = self.sim.step("Pass")
        return dict(ev, lastAction="", lastActionSuccess=False, errorMessage=message,
                    errorCode="InvalidArgument", actionReturn=None)

    def _reply(self, event: dict, want_image: bool) -> bytes:
        meta = {"agents": [event], "sequenceId": self.sequence_id, "activeAgentId": 0,
                "thirdPartyCameras": []}
        fields = [(protocol.METADATA, self.packer.pack(meta, self.sim.world))]
        if self.render and want_image:
            fields.append((protocol.RGB_IMAGE, render_rgb(self.sim.world)))
        return protocol.encode_fields(fields)


def grow_pipe(fd: int) -> None:
    """A reply (~90 KB) larger than the default 64 KB pipe would need two wake-ups of the
    client per step; Linux lets an unprivileged process grow the pipe up to 1 MB."""
    try:
        import fcntl
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1024 * 1024)
    except (OSError, ImportError):
        pass


def serve_fifo(server_path: str, client_path: str, player: Player) -> int:
    # The client reads server.pipe first (for the unprompted event), then writes client.pipe.
    with open(server_path, "wb", buffering=0) as out:
        grow_pipe(out.fileno())
        out.write(player.first_event())
        with open(client_path, "rb") as inp:
            while True:
                try:
                    fields = protocol.read_message(inp)
                except protocol.ProtocolError as e:
                    out.write(player.reject(str(e)))
                    return 1  # framing lost: nothing after this can be trusted
                if fields is None:
                    return 0  # client closed its end
                out.write(player.handle(fields))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--path" in argv:  # convenience for scripts: where is the executable?
        from .paths import player_path
        print(player_path())
        return 0
    server_type = os.environ.get("AI2THOR_SERVER_TYPE", "FIFO")
    if server_type != "FIFO":
        print(f"karma thor_player: server type {server_type} is not supported (use FIFO)",
              file=sys.stderr)
        return 2
    server_path = os.environ.get("AI2THOR_FIFO_SERVER_PIPE_PATH")
    client_path = os.environ.get("AI2THOR_FIFO_CLIENT_PIPE_PATH")
    if not server_path or not client_path:
        print("karma thor_player: AI2THOR_FIFO_SERVER_PIPE_PATH / _CLIENT_PIPE_PATH not set; "
              "start me through ai2thor.controller.Controller(local_executable_path=...)",
              file=sys.stderr)
        return 2
    width, height = _screen_size(argv)
    try:
        # KARMA_THOR_AS_BUILD=1: behave as a Unity build would (no KARMA extension actions)
        pure = os.environ.get("KARMA_THOR_AS_BUILD", "") not in ("", "0")
        return serve_fifo(server_path, client_path, Player(width, height, extensions=not pure))
    except BrokenPipeError:
        return 0  # the client stopped reading: a normal way to end


if __name__ == "__main__":
    sys.exit(main())
