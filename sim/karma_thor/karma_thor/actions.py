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
# Codes for which ai2thor's Controller.step raises ValueError; any other failure is a falsy Event.
CLIENT_RAISES = ("InvalidAction", "MissingArguments", "AmbiguousAction", "InvalidArgument")


class ActionError(Exception):
    """A failed action: message for errorMessage, code for errorCode ('' = ordinary failure)."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.message, self.code = message, code


def action(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under one or more THOR action names."""
    def deco(fn: Handler) -> Handler:
        for n in names:
            REGISTRY[n] = fn
        return fn
    return deco


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


def target(w: World, args: dict, need_visible: bool = True) -> dict:
    """The object named by objectId, checked like THOR (exists, visible unless forceAction)."""
    require(args, "objectId")
    oid = args["objectId"]
    if not isinstance(oid, str) or oid not in w.objects:
        raise ActionError("Object ID appears to be invalid.")
    if need_visible and not flag(args, "forceAction") and not w.is_visible(oid):
        raise ActionError(f"{oid} is not interactable and (perhaps it is occluded by something).")
    return w.objects[oid]


def load_handlers() -> dict[str, Handler]:
    """Import the modules that register handlers (kept apart to keep each module short)."""
    from . import actions_agent, actions_karma, actions_object  # noqa: F401
    from . import actions_placement  # noqa: F401
    return REGISTRY
