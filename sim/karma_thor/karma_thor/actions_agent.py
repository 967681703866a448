"""Agent actions: moving, turning, looking, crouching, teleporting, reachable positions.

The navigable space is alfworld's 0.25 m grid (cleaned against procthor footprints): a move
succeeds when every point of its path lies on a reachable cell.
"""
from __future__ import annotations

import math

from .actions import ActionError, action, flag, number, require
from .scenes import GRID
from .world import HORIZON_MAX, HORIZON_MIN, World

NO_STANDING = ("locobot", "drone")
MAX_Y_CHANGE = 0.05  # Unity refuses a teleport that would lift or drop the agent more

_MOVE_DIRS = {"MoveAhead": 0.0, "MoveRight": 90.0, "MoveBack": 180.0, "MoveLeft": 270.0}


def _snap(v: float) -> float:
    """Keep positions free of float drift (1e-6 m), so repeated moves land on grid values."""
    return round(v, 6) + 0.0


@action(*_MOVE_DIRS)
def move(w: World, args: dict) -> None:
    mag = number(args, "moveMagnitude", w.params.grid_size)
    if mag < 0:
        raise ActionError("moveMagnitude must be >= 0")
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


def _standing_of(w: World, args: dict) -> bool:
    """Locobot and drone cannot stand or crouch: passing ``standing`` is an error there."""
    if w.params.agent_mode in NO_STANDING:
        if args.get("standing") is not None:
            raise ActionError(f"standing is not a valid argument for the {w.params.agent_mode} "
                              "agent", "InvalidArgument")
        return True
    return flag(args, "standing", w.standing)


@action("Teleport", "TeleportFull")
def teleport(w: World, args: dict) -> None:
    """Both of Unity's forms: ``position={x, y, z}`` or flat ``x=, y=, z=``."""
    pos = args.get("position")
    if pos is None and any(k in args for k in ("x", "y", "z")):
        pos = {k: args[k] for k in ("x", "y", "z") if k in args}
    if args["action"] == "TeleportFull":
        need = ["rotation", "horizon"] + ([] if w.params.agent_mode in NO_STANDING
                                          else ["standing"])
        require(dict(args, position=pos), "position", *need)
    if pos is not None and not isinstance(pos, dict):
        raise ActionError("position must be a dict with x, y, z", "InvalidArgument")
    x = number(pos, "x", w.x) if pos else w.x
    z = number(pos, "z", w.z) if pos else w.z
    yaw = _yaw_of(args, w.yaw)
    horizon = number(args, "horizon", w.horizon)
    standing = _standing_of(w, args)
    if not HORIZON_MIN - 1e-6 <= horizon <= HORIZON_MAX + 1e-6:
        raise ActionError(f"horizon {horizon:g} is outside [{HORIZON_MIN:g}, {HORIZON_MAX:g}]")
    force = flag(args, "forceAction")
    if pos and pos.get("y") is not None and not force:
        y = number(pos, "y", w.agent_y)
        if abs(y - w.agent_y) > MAX_Y_CHANGE:
            raise ActionError(f"Teleport failed: y={y:g} is more than {MAX_Y_CHANGE:g} m from the "
                              f"agent's height {w.agent_y:g} (THOR does not teleport up or down).")
    if not force and not w.standable(x, z):
        raise ActionError(f"Teleport failed: ({x:g}, {z:g}) is not a position the agent can "
                          "stand at (furniture, walls or outside the scene).")
    w.x, w.z, w.yaw, w.horizon, w.standing = _snap(x), _snap(z), _snap(yaw), horizon, standing
    w.place_held()


@action("RotateLook")
def rotate_look(w: World, args: dict) -> None:
    """Absolute yaw (``rotation``) and camera horizon (``horizon``)."""
    yaw = _yaw_of(args, w.yaw)
    horizon = number(args, "horizon", w.horizon)
    if not HORIZON_MIN - 1e-6 <= horizon <= HORIZON_MAX + 1e-6:
        raise ActionError(f"horizon {horizon:g} is outside [{HORIZON_MIN:g}, {HORIZON_MAX:g}]")
    w.yaw, w.horizon = _snap(yaw), _snap(horizon)
    w.place_held()


@action("MoveAgent")
def move_agent(w: World, args: dict) -> None:
    """The arm agent's move: ``ahead`` and ``right`` metres in its own frame."""
    _arm_only(w, args)
    ahead, right = number(args, "ahead", 0.0), number(args, "right", 0.0)
    yaw = math.radians(w.yaw)
    nx = _snap(w.x + ahead * math.sin(yaw) + right * math.cos(yaw))
    nz = _snap(w.z + ahead * math.cos(yaw) - right * math.sin(yaw))
    if not w.path_clear(w.x, w.z, nx, nz):
        w.collided = True
        raise ActionError("MoveAgent failed: the path is blocked.")
    w.x, w.z = nx, nz
    w.place_held()


@action("RotateAgent")
def rotate_agent(w: World, args: dict) -> None:
    _arm_only(w, args)
    w.yaw = _snap((w.yaw + number(args, "degrees", w.params.rotate_step)) % 360.0) % 360.0
    w.place_held()


def _arm_only(w: World, args: dict) -> None:
    if w.params.agent_mode != "arm":
        raise ActionError(f"Invalid action: {args['action']} (only the arm agent has it)",
                          "InvalidAction")


@action("GetReachablePositions")
def reachable(w: World, args: dict) -> list[dict]:
    """The grid's points; ``directionsRelativeAgent``: a lattice turned with the agent's yaw
    and through its position (what the agent reaches moving in its own directions)."""
    g = w.params.grid_size
    if flag(args, "directionsRelativeAgent"):
        pts = _lattice(w, g, math.radians(w.yaw))
    elif abs(g - GRID) < 1e-9:
        pts = w.scene.reachable
    else:  # another grid: lattice points that fall on reachable 0.25 m cells
        pts = _lattice(w, g, 0.0)
    return [{"x": x, "y": w.agent_y, "z": z} for x, z in pts]


def _lattice(w: World, g: float, angle: float) -> list[tuple[float, float]]:
    """Points reachable from the agent by steps of g along (and across) the given heading."""
    ax, az = math.sin(angle) * g, math.cos(angle) * g
    seen, todo, out = {(0, 0)}, [(0, 0)], []
    while todo:
        i, j = todo.pop()
        x, z = w.x + i * ax + j * az, w.z + i * az - j * ax
        if not w.navigable(x, z):
            continue
        out.append((_snap(x), _snap(z)))
        for n in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
            if n not in seen and abs(n[0]) + abs(n[1]) < 400:
                seen.add(n)
                todo.append(n)
    return sorted(out)


@action("Done", "Pass", "NoOp")
def noop(w: World, args: dict) -> None:
    return None
