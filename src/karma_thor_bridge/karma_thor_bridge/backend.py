"""One controller-like object over the three ways to run AI2-THOR; no rclpy.

``simulator`` picks the backend:

* ``thor``      a real AI2-THOR Unity build found on this machine (never downloaded), driven by
                ``ai2thor.controller.Controller(local_executable_path=...)``;
* ``embedded``  the embedded player (``karma_thor.player_path()``) through the same unmodified
                ai2thor Controller, over its FIFO protocol;
* ``inprocess`` ``karma_thor.Simulator`` in this process (no pipes; fastest, used by unit tests);
* ``auto``      ``thor`` when a build is found locally, else ``embedded``.

Every backend answers ``step(action, **kw) -> metadata dict`` (THOR's per-agent event metadata)
and never raises for a failed or invalid action: the failure is in ``lastActionSuccess`` /
``errorMessage`` like any other THOR failure.

Example::

    >>> b = make_backend('inprocess', scene='FloorPlan1', seed=0)
    >>> b.step('RotateRight')['lastActionSuccess'], b.kind
    (True, 'inprocess')
    >>> b.step('NoSuchAction')['lastActionSuccess']
    False
    >>> b.scene_info()['roomType']
    'kitchen'
    >>> b.close()
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import copy
import os
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

SIMULATORS = ('auto', 'thor', 'embedded', 'inprocess')
_ROOM_OFFSETS = ((400, 'bathroom'), (300, 'bedroom'), (200, 'living_room'), (0, 'kitchen'))


def detect_thor_build(explicit: str = '') -> str | None:
    """Path of a locally installed real AI2-THOR build, or None. Never touches the network.

    Looks at ``explicit``, then ``$KARMA_THOR_BUILD``, then ``~/.ai2thor/releases/<name>/<name>``
    (the layout ai2thor's downloader leaves behind; the newest wins).
    """
    for cand in (explicit, os.environ.get('KARMA_THOR_BUILD', '')):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return os.path.abspath(cand)
    releases = Path(os.path.expanduser('~/.ai2thor/releases'))
    found = []
    try:
        for d in releases.iterdir():
            exe = d / d.name
            if d.is_dir() and exe.is_file() and os.access(exe, os.X_OK):
                found.append(exe)
    except OSError:
        return None
    return str(max(found, key=lambda p: p.stat().st_mtime)) if found else None


def room_type_of(scene: str) -> str:
    """iTHOR room type from the FloorPlan number ('FloorPlan301' -> 'bedroom')."""
    m = re.search(r'(\d+)', scene or '')
    n = int(m.group(1)) if m else 0
    return next((room for off, room in _ROOM_OFFSETS if n > off), 'house')


class _Base(ABC):
    """Shared parts: a lock (the node's service threads and the skill thread share the
    simulator), and scene info / ground truth through the KARMA extension actions with a
    fallback for builds that lack them (a real THOR build)."""

    kind = 'base'

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.last: dict = {}
        self._scene_info: dict | None = None

    def step(self, action: str | dict | None = None, **kw: Any) -> dict:
        with self.lock:
            self.last = self._step(action, **kw)
            return self.last

    def reset(self, scene: str, seed: int = 0) -> dict:
        with self.lock:
            self._scene_info = None
            self.last = self._reset(scene, seed)
            return self.last

    def scene_info(self) -> dict:
        """``{roomType, sceneName, sceneBounds, reachable: [{x,y,z}], interactionPoses}``,
        cached per scene. Not a robot action: it is the map the robot was given."""
        with self.lock:
            if self._scene_info is None:
                ev = self._raw('KarmaGetSceneInfo')
                info = ev.get('actionReturn') if ev.get('lastActionSuccess') else None
                if not isinstance(info, dict):
                    reach = self._raw('GetReachablePositions').get('actionReturn') or []
                    scene = str(self.last.get('sceneName', '')).replace('_physics', '')
                    info = {'roomType': room_type_of(scene), 'sceneName': scene,
                            'sceneBounds': self.last.get('sceneBounds'), 'reachable': reach,
                            'interactionPoses': {}}
                self._scene_info = info
            return self._scene_info

    def ground_truth(self) -> dict:
        """EVALUATION ONLY: every object, ALFRED's cleaned/heated/cooled flags, the agent."""
        with self.lock:
            ev = self._raw('KarmaGetGroundTruth')
            gt = ev.get('actionReturn') if ev.get('lastActionSuccess') else None
            if not isinstance(gt, dict):
                # A real build: its metadata already lists every object; ALFRED's appliance
                # flags are not tracked by THOR itself.
                gt = {'objects': self.last.get('objects', []), 'alfred': {},
                      'agent': self.last.get('agent', {}), 'alfredAvailable': False}
            gt = dict(gt)
            gt['inventoryObjects'] = self.last.get('inventoryObjects', [])
            return gt

    def _raw(self, action: str) -> dict:
        """A query action that must not replace ``last`` (perception keeps the robot's frame)."""
        return self._step(action)

    def frame(self) -> np.ndarray | None:
        return None

    def close(self) -> None:
        pass

    @abstractmethod
    def _step(self, action, **kw) -> dict:
        """Run one THOR action on the concrete simulator."""

    @abstractmethod
    def _reset(self, scene: str, seed: int) -> dict:
        """Load ``scene`` with ``seed`` on the concrete simulator."""


class InProcessBackend(_Base):
    """``karma_thor.Simulator`` in this process."""

    kind = 'inprocess'

    def __init__(self, scene: str, seed: int, init: dict, width: int, height: int,
                 rgb: bool = False):
        super().__init__()
        from karma_thor import Simulator
        self.rgb = rgb
        self.sim = Simulator(scene, seed, width=width, height=height, **init)
        self.last = self.sim.last_event

    def _step(self, action, **kw) -> dict:
        return self.sim.step(action, **kw)

    def _reset(self, scene: str, seed: int) -> dict:
        return self.sim.reset(scene, seed)

    def frame(self) -> np.ndarray | None:
        if not self.rgb:
            return None
        from karma_thor.render import render_rgb
        p = self.sim.world.params
        img = np.frombuffer(render_rgb(self.sim.world), np.uint8).reshape(p.height, p.width, 3)
        return img[::-1]  # THOR sends rows bottom-up; images are top-down


class ControllerBackend(_Base):
    """The unmodified ``ai2thor.controller.Controller`` driving an executable: a real build
    (``kind='thor'``) or the embedded player (``kind='embedded'``)."""

    def __init__(self, executable: str, kind: str, scene: str, seed: int, init: dict,
                 width: int, height: int, rgb: bool = False, x_display: str = ':0',
                 server_timeout: float = 60.0):
        super().__init__()
        from ai2thor.controller import Controller
        self.kind = kind
        kwargs = dict(init)
        if kind == 'embedded':
            kwargs['seed'] = seed  # the embedded player takes the seed in Initialize
            if rgb:
                kwargs['karmaRenderImage'] = True
        # headless=True makes the client add renderImage=False to every action: no frames.
        # x_display must be explicit on headless machines (the client exports DISPLAY).
        self.controller = Controller(local_executable_path=executable, scene=scene,
                                     width=width, height=height, headless=not rgb,
                                     x_display=x_display, server_timeout=server_timeout,
                                     **kwargs)
        self.last = self.controller.last_event.metadata
        if kind == 'thor' and seed:
            self._thor_seed(seed)

    def _step(self, action, **kw) -> dict:
        try:
            return self.controller.step(action, **kw).metadata
        except ValueError:
            # InvalidAction/MissingArguments/... raise in the client after it stored the event.
            return self.controller.last_event.metadata
        except Exception as e:  # the player died or timed out: a failure, not a crash
            ev = copy.copy(self.last) if self.last else {}
            ev.update(lastActionSuccess=False, errorCode='UnityException', actionReturn=None,
                      errorMessage=f'simulator failure: {type(e).__name__}: {e}')
            return ev

    def _reset(self, scene: str, seed: int) -> dict:
        if self.kind == 'embedded':
            ev = self.controller.reset(scene, seed=seed)
        else:
            ev = self.controller.reset(scene)
            if seed:
                self._thor_seed(seed)
                ev = self.controller.last_event
        return ev.metadata

    def _thor_seed(self, seed: int) -> None:
        # A real build has no seeded start: seed object placement like ALFRED does.
        self._step(dict(action='InitialRandomSpawn', randomSeed=int(seed),
                        forceVisible=False, numPlacementAttempts=5))

    def frame(self) -> np.ndarray | None:
        return self.controller.last_event.frame

    def close(self) -> None:
        try:
            self.controller.stop()
        except Exception:
            pass  # already gone


def make_backend(simulator: str = 'auto', scene: str = 'FloorPlan1', seed: int = 0,
                 init: dict | None = None, width: int = 300, height: int = 300,
                 rgb: bool = False, x_display: str = ':0', thor_build: str = '',
                 server_timeout: float = 60.0) -> _Base:
    """Build the backend named by ``simulator`` (see the module doc). ``init`` holds THOR's
    Initialize arguments (gridSize, visibilityDistance, rotateStepDegrees, fieldOfView).

    Raises ValueError for an unknown name and RuntimeError when ``thor`` finds no build.
    """
    init = dict(init or {})
    if simulator not in SIMULATORS:
        raise ValueError(f'simulator must be one of {SIMULATORS}, got {simulator!r}')
    if simulator in ('auto', 'thor'):
        build = detect_thor_build(thor_build)
        if build:
            return ControllerBackend(build, 'thor', scene, seed, init, width, height, rgb,
                                     x_display, server_timeout)
        if simulator == 'thor':
            raise RuntimeError('simulator: thor, but no AI2-THOR build is installed locally '
                               '(set KARMA_THOR_BUILD or thor_build to its executable)')
        simulator = 'embedded'
    if simulator == 'embedded':
        from karma_thor import player_path
        return ControllerBackend(player_path(), 'embedded', scene, seed, init, width, height,
                                 rgb, x_display, server_timeout)
    return InProcessBackend(scene, seed, init, width, height, rgb)
