"""Helpers shared by the THOR bridge tests: shared in-process backends, ground-truth lookups."""
from __future__ import annotations

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
# Importable before `make setup` has built the workspace.
for sub in ('src/karma_thor_bridge', 'src/karma_planning', 'src/karma_memory', 'sim/karma_thor'):
    path = os.path.join(ROOT, sub)
    if path not in sys.path:
        sys.path.insert(0, path)

from karma_thor_bridge.backend import make_backend  # noqa: E402

_BACKENDS: dict = {}


def backend_for(scene: str):
    """A shared in-process backend, reset to ``scene`` with seed 0."""
    b = _BACKENDS.get(scene)
    if b is None:
        b = _BACKENDS[scene] = make_backend('inprocess', scene=scene, seed=0)
    b.reset(scene, 0)
    return b


def first_id(runner, otype: str) -> str:
    return next(o['objectId'] for o in runner.meta['objects'] if o['objectType'] == otype)


def gt_object(runner, oid: str) -> dict:
    gt = runner.backend.ground_truth()
    return next(o for o in gt['objects'] + gt.get('removed', []) if o['objectId'] == oid)


def alfred(runner, oid: str) -> dict:
    return runner.backend.ground_truth()['alfred'][oid]
