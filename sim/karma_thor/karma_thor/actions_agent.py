"""Agent actions: moving, turning, looking, crouching, teleporting, reachable positions.

The navigable space is alfworld's 0.25 m grid (cleaned against procthor footprints): a move
succeeds when every point of its path lies on a reachable cell.
"""
from __future__ import annotations

import math

from .actions import ActionError, action, flag, number, require
from .world import HORIZON_MAX, HORIZON_MIN, World

_MOVE_DIRS = {"MoveAhead": 0.0, "MoveRight": 90.0, "MoveBack": 180.0, "MoveLeft": 270.0}


def _snap(v: float) -> float:
    """Keep positions free of float drift (1e-6 m), so repeated moves land on grid values."""
    return round(v, 6) + 0.0


@action(*_MOVE_DIRS)
def move(w: World, args: dict) -> None:
    mag = number(args, "moveMagnitude", w.params.grid_size)
    if mag < 0:
        raise ActionError("moveMagnitude must be >= 0", "InvalidArgument")
    ang = math.radians(w.yaw + _MOVE_DIRS[args["action"]])
    nx, nz = _snap(w.x + mag * math.sin(ang)), _snap(w.z + mag * math.cos(ang))
    if not w.path_clear(w.x, w.z, nx, nz):
        w.collided = True
        raise ActionError(f"{args['action']} failed: the path is blocked (collided with an "
                          "obstacle or left the navigable area).")
    w.x, w.z = nx, nz
    w.place_held()


@action("RotateLeft", "RotateRight")
def rotate(w: World, args: dict) -> None:
    deg = number(args, "degrees", w.params.rotate_step)
    sign = 1.0 if args["action"] == "RotateRight" else -1.0
    w.yaw = _snap((w.yaw + sign * deg) % 360.0) % 360.0
    w.place_held()


@action("LookUp", "LookDown")
def look(w: World, args: dict) -> None:
    deg = number(args, "degrees", 30.0)
    new = w.horizon + (deg if args["action"] == "LookDown" else -deg)
    if not HORIZON_MIN - 1e-6 <= new <= HORIZON_MAX + 1e-6:
        raise ActionError(f"can't look {'down' if deg > 0 and args['action'] == 'LookDown' else 'up'}"
                          f" beyond the camera limits [{HORIZON_MIN:g}, {HORIZON_MAX:g}] "
                          f"(would be {new:g}).")
    w.horizon = _snap(new)
    w.place_held()


@action("Crouch")
def crouch(w: World, args: dict) -> None:
    if not w.standing:
        raise ActionError("Already crouching.")
    w.standing = False
    w.place_held()


@action("Stand")
def stand(w: World, args: dict) -> None:
    if w.standing:
        raise ActionError("Already standing.")
    w.standing = True
    w.place_held()


def _yaw_of(args: dict, current: float) -> float:
    r = args.get("rotation")
    if r is None:
        return current
    if isinstance(r, dict):
        return number(r, "y", current) % 360.0
    return number(args, "rotation", current) % 360.0


@action("Teleport", "TeleportFull")
def teleport(w: World, args: dict) -> None:
    if args["action"] == "TeleportFull":
        require(args, "position", "rotation", "horizon", "standing")
    pos = args.get("position")
    if pos is None and "x" in args:
        pos = {"x": args.get("x"), "z": args.get("z")}
    if pos is not None and not isinstance(pos, dict):
        raise ActionError("position must be a dict with x, y, z", "InvalidArgument")
    x = number(pos, "x", w.x) if pos else w.x
    z = number(pos, "z", w.z) if pos else w.z
    yaw = _yaw_of(args, w.yaw)
    horizon = number(args, "horizon", w.horizon)
    standing = flag(args, "standing", w.standing)
    if not HORIZON_MIN - 1e-6 <= horizon <= HORIZON_MAX + 1e-6:
        raise ActionError(f"horizon {horizon:g} is outside [{HORIZON_MIN:g}, {HORIZON_MAX:g}]")
    if not flag(args, "forceAction") and not w.navigable(x, z):
        raise ActionError(f"Teleport failed: ({x:g}, {z:g}) is not a reachable position.")
    w.x, w.z, w.yaw, w.horizon, w.standing = _snap(x), _snap(z), _snap(yaw), horizon, standing
    w.place_held()


@action("GetReachablePositions")
def reachable(w: World, args: dict) -> list[dict]:
    g = w.params.grid_size
    if abs(g - 0.25) < 1e-9:
        pts = w.scene.reachable
    else:  # another grid: lattice points that fall on reachable 0.25 m cells
        c = w.scene.scene_bounds["center"]
        s = w.scene.scene_bounds["size"]
        nx, nz = int(s["x"] / g) + 1, int(s["z"] / g) + 1
        x0, z0 = c["x"] - s["x"] / 2, c["z"] - s["z"] / 2
        pts = [(_snap(x0 + i * g), _snap(z0 + j * g)) for i in range(nx) for j in range(nz)
               if w.navigable(x0 + i * g, z0 + j * g)]
    return [{"x": x, "y": w.agent_y, "z": z} for x, z in pts]


@action("Done", "Pass", "NoOp")
def noop(w: World, args: dict) -> None:
    return None
