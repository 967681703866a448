"""Fixtures for the THOR bridge core: in-process simulators, one per scene per session."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from bridge_helpers import backend_for  # noqa: E402
from karma_thor_bridge.skills import RunnerConfig, SkillRunner  # noqa: E402


@pytest.fixture
def make_runner():
    """``make_runner(scene, resolver=None, **config)`` -> SkillRunner on a fresh episode.
    The runner records every THOR action it takes in ``runner.actions``."""
    def make(scene: str = 'FloorPlan1', resolver=None, **config):
        actions = []
        r = SkillRunner(backend_for(scene), RunnerConfig(**config), resolver=resolver,
                        on_step=lambda m: actions.append((m['lastAction'], m['lastActionSuccess'])))
        r.actions = actions
        return r
    return make
