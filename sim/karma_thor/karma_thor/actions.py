"""Action registry, THOR's error codes and argument helpers.

Handlers take ``(world, args)``, return the ``actionReturn`` and raise ``ActionError`` on
failure; the Simulator turns that into lastActionSuccess/errorMessage/errorCode.

>>> try:
...     require({"action": "PickupObject"}, "objectId")
... except ActionError as e:
...     print(e.code)
MissingArguments
"""
from __future__ import annotations

from typing import Any, Callable

from .world import World

Handler = Callable[[World, dict], Any]
REGISTRY: dict[str, Handler] = {}
# Actions whose full signature is declared: any other argument fails like in Unity
# ("has an invalid argument"); undeclared actions ignore what they do not read.
SIGNATURES: dict[str, frozenset[str]] = {}
# Codes for which ai2thor's Controller.step raises ValueError; any other failure is a falsy Event.
CLIENT_RAISES = ("InvalidAction", "MissingArguments", "AmbiguousAction", "InvalidArgument")


class ActionError(Exception):
    """A failed action: message for errorMessage, code for errorCode ('' = ordinary failure)."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.message, self.code = message, code


def action(*names: str, params: tuple[str, ...] | None = None) -> Callable[[Handler], Handler]:
    """Register a handler under one or more THOR action names (``params``: its signature)."""
    def deco(fn: Handler) -> Handler:
        for n in names:
            REGISTRY[n] = fn
            if params is not None:
                SIGNATURES[n] = frozenset(params) | {"action"}
        return fn
    return deco


def check_signature(args: dict) -> None:
    allowed = SIGNATURES.get(args.get("action"))
    if allowed is None:
        return
    extra = sorted(k for k in args if k not in allowed)
    if extra:
        raise ActionError(f"action: {args['action']} has an invalid argument: {extra[0]}",
                          "InvalidArgument")


def require(args: dict, *names: str) -> None:
    missing = [n for n in names if args.get(n) is None]
    if missing:
        raise ActionError(f"action: {args.get('action')} is missing the following arguments: "
                          f"{', '.join(missing)}", "MissingArguments")


def number(args: dict, name: str, default: float) -> float:
    v = args.get(name, default)
    if v is None:
        return float(default)
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ActionError(f"{name} must be a number, got {v!r}", "InvalidArgument") from None
    if f != f or f in (float("inf"), float("-inf")):
        raise ActionError(f"{name} must be finite, got {v!r}", "InvalidArgument")
    return f


def flag(args: dict, name: str, default: bool = False) -> bool:
    v = args.get(name, default)
    return bool(v) if v is not None else default


def screen_point(args: dict) -> tuple[float, float]:
    """The x, y screen point of an action (fractions of the image, origin top left)."""
    x, y = number(args, "x", 0.0), number(args, "y", 0.0)
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
        raise ActionError(f"x and y must be in [0:1] (screen fractions), got ({x:g}, {y:g}).")
    return x, y


def target(w: World, args: dict, need_visible: bool = True) -> dict:
    """The object named by objectId, or the one at screen point x, y; checked like THOR
    (exists, visible unless forceAction)."""
    if args.get("objectId") is None and args.get("x") is not None and args.get("y") is not None:
        oid, _ = w.raycast(*screen_point(args))
        if oid is None:
            raise ActionError("No object found at that screen point.")
        args = dict(args, objectId=oid)
    require(args, "objectId")
    oid = args["objectId"]
    if not isinstance(oid, str) or oid not in w.objects:
        raise ActionError("Object ID appears to be invalid.")
    if need_visible and not flag(args, "forceAction") and not w.is_visible(oid):
        raise ActionError(f"{oid} is not interactable and (perhaps it is occluded by something).")
    return w.objects[oid]


def load_handlers() -> dict[str, Handler]:
    """Import the modules that register handlers (kept apart to keep each module short)."""
    from . import (actions_agent, actions_hand, actions_karma, actions_object,  # noqa: F401
                   actions_placement, actions_query, actions_spawn)
    return REGISTRY
