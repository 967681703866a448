"""In-process backend: the same metadata the player sends, without pipes or processes.

>>> sim = Simulator("FloorPlan1", seed=0)
>>> ev = sim.step("MoveAhead")
>>> sorted(k for k in ("lastActionSuccess", "objects", "agent") if k in ev)
['agent', 'lastActionSuccess', 'objects']
>>> sim.step("NoSuchAction")["errorCode"]
'InvalidAction'
"""
from __future__ import annotations

from typing import Any

from .actions import ActionError, check_signature, load_handlers, number
from .metadata import event_metadata
from .scenes import normalize_scene_name, scene_names
from .world import Params, World

# Keys the client or protocol adds to every action; never action arguments.
PROTOCOL_KEYS = ("sequenceId", "renderImage", "renderDepthImage", "renderInstanceSegmentation",
                 "renderSemanticSegmentation", "renderNormalsImage", "renderFlowImage",
                 "renderClassImage", "renderObjectImage", "agentId")
# Actions that only move the agent (object dicts untouched, except the held one, which bumps
# World.version); every other action bumps World.state_version.
AGENT_ONLY = frozenset({"MoveAhead", "MoveBack", "MoveLeft", "MoveRight", "RotateLeft",
                        "RotateRight", "LookUp", "LookDown", "Crouch", "Stand", "Teleport",
                        "TeleportFull", "GetReachablePositions", "Done", "Pass",
                        "KarmaGetSceneInfo", "KarmaGetGroundTruth", "RotateLook", "MoveAgent",
                        "RotateAgent", "GetInteractablePoses", "GetCoordinateFromRaycast",
                        "SetObjectFilter", "ResetObjectFilter"})
AGENT_MODES = ("default", "arm", "locobot", "drone")
EXTENSION_PREFIX = "Karma"  # KarmaGetGroundTruth, KarmaGetSceneInfo: not in any Unity build
_INIT_PARAMS = {"gridSize": "grid_size", "visibilityDistance": "visibility_distance",
                "rotateStepDegrees": "rotate_step", "fieldOfView": "fov"}


class Simulator:
    """``Simulator(scene='FloorPlan1', seed=0, **init_kwargs)``; init_kwargs as THOR's
    Initialize (gridSize, visibilityDistance, rotateStepDegrees, fieldOfView, width, height)."""

    def __init__(self, scene: str = "FloorPlan1", seed: int = 0, extensions: bool = True,
                 **init_kwargs: Any):
        # extensions=False: answer the KARMA extension actions like a Unity build (unknown)
        self.handlers = {k: v for k, v in load_handlers().items()
                         if extensions or not k.startswith(EXTENSION_PREFIX)}
        self.params = Params()
        self.seed = seed
        self.world = World(scene, seed, self.params)
        self.last_event: dict = self.step(dict(action="Initialize", **init_kwargs))

    # ---- public API ------------------------------------------------------------------------
    def reset(self, scene: str | None = None, seed: int | None = None) -> dict:
        """Reload a scene (default: the current one) with a seed (default: the current one)."""
        args = {"action": "Reset", "sceneName": scene or self.world.scene.name}
        if seed is not None:
            args["seed"] = seed
        return self.step(args)

    def step(self, action: str | dict | None = None, **kwargs: Any) -> dict:
        """Run one THOR action; never raises for bad input (see errorCode / errorMessage)."""
        args = dict(action) if isinstance(action, dict) else {"action": action}
        args.update(kwargs)
        for k in PROTOCOL_KEYS:
            args.pop(k, None)
        name = args.get("action")
        w = self.world
        w.collided = False
        if name not in AGENT_ONLY:
            w.state_version += 1
        ret, ok, err, code = None, True, "", ""
        try:
            ret = self._dispatch(name, args)
        except ActionError as e:
            ok, err, code = False, e.message, e.code
        except Exception as e:  # a bug or absurd input must not kill the player
            ok, err, code = False, f"{type(e).__name__}: {e}", "UnityException"
        self.last_event = event_metadata(self.world, name if isinstance(name, str) else str(name),
                                         ok, err, code, ret, collided=w.collided)
        return self.last_event

    # ---- session actions -------------------------------------------------------------------
    def _dispatch(self, name: Any, args: dict) -> Any:
        if name == "Initialize":
            return self._initialize(args)
        if name == "Reset":
            return self._reset(args)
        if name == "GetScenesInBuild":
            return [n + "_physics" for n in scene_names()]
        if name == "ChangeResolution":
            x, y = int(number(args, "x", self.params.width)), int(number(args, "y", self.params.height))
            if x <= 0 or y <= 0:
                raise ActionError("resolution must be positive", "InvalidArgument")
            self.params.width, self.params.height = x, y
            return None
        if name in ("ChangeQuality", "UpdateThirdPartyCamera"):
            return None
        handler = self.handlers.get(name) if isinstance(name, str) else None
        if handler is None:
            raise ActionError(f"Invalid action: {name}", "InvalidAction")
        check_signature(args)
        return handler(self.world, args)

    def _initialize(self, args: dict) -> dict:
        p = self.params
        for key, attr in _INIT_PARAMS.items():
            if key in args:
                v = number(args, key, getattr(p, attr))
                if v <= 0:
                    raise ActionError(f"{key} must be > 0", "InvalidArgument")
                setattr(p, attr, v)
        for key in ("width", "height"):
            if key in args:
                setattr(p, key, int(number(args, key, getattr(p, key))))
        mode = str(args.get("agentMode", "default")).lower()
        if mode == "bot":
            mode = "locobot"
        if mode not in AGENT_MODES:
            raise ActionError(f"agentMode {mode!r} is not supported by the KARMA player",
                              "InvalidArgument")
        p.agent_mode = mode
        if "seed" in args and args["seed"] != self.seed:
            self.seed = int(number(args, "seed", 0))
            self.world.reset(self.world.scene.name, self.seed)
        return {"cameraNearPlane": 0.1, "cameraFarPlane": 20.0}

    def _reset(self, args: dict) -> None:
        scene = args.get("sceneName") or self.world.scene.name
        try:
            scene = normalize_scene_name(str(scene))
        except KeyError:
            raise ActionError(f"Scene {scene!r} is not in this build.", "InvalidArgument") from None
        if args.get("seed") is not None:
            self.seed = int(number(args, "seed", 0))
        self.world.reset(scene, self.seed)
        return None
