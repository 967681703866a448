"""Fixtures for the embedded THOR player: one real ai2thor Controller per test session."""
from __future__ import annotations

import os
import sys

import pytest

SIM_PKG = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "sim",
                                       "karma_thor"))
if SIM_PKG not in sys.path:
    sys.path.insert(0, SIM_PKG)

from karma_thor import player_path  # noqa: E402


@pytest.fixture(scope="session")
def controller():
    from ai2thor.controller import Controller
    # x_display must be given on headless machines (the client puts DISPLAY in the env).
    c = Controller(local_executable_path=player_path(), x_display=":0", scene="FloorPlan1",
                   headless=True, server_timeout=30)
    yield c
    c.stop()


@pytest.fixture
def ctrl(controller):
    """The shared controller, freshly reset to FloorPlan1."""
    controller.reset("FloorPlan1")
    return controller
