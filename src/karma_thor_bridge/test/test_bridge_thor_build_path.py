"""``simulator: thor`` end to end, with the embedded player started as if it were a Unity build:
found through ``thor_build`` / ``local_executable_path``, and answering the KARMA extension
actions as unknown (KARMA_THOR_AS_BUILD=1), so the bridge can only use what Unity offers."""
import os

import pytest
from bridge_helpers import first_id

from karma_thor import player_path
from karma_thor_bridge.backend import make_backend
from karma_thor_bridge.skills import RunnerConfig, SkillRunner


@pytest.fixture
def build(tmp_path, monkeypatch):
    """An executable at a path of its own, as a downloaded build would be."""
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.delenv('KARMA_THOR_BUILD', raising=False)
    exe = tmp_path / 'thor-Linux64-local' / 'thor-Linux64-local'
    exe.parent.mkdir()
    exe.write_text(f'#!/bin/sh\nKARMA_THOR_AS_BUILD=1 exec "{player_path()}" "$@"\n')
    exe.chmod(0o755)
    return str(exe)


def test_thor_backend_uses_only_what_a_build_offers(build):
    b = make_backend('thor', scene='FloorPlan1', seed=3, thor_build=build,
                     init=dict(gridSize=0.25, visibilityDistance=1.5))
    try:
        assert b.kind == 'thor'
        spawn = b.controller.last_event.metadata
        assert spawn['lastAction'] == 'InitialRandomSpawn' and spawn['lastActionSuccess']
        assert not b.step('KarmaGetSceneInfo')['lastActionSuccess']  # a build has no extensions
        info = b.scene_info()  # the fallback: THOR's own GetReachablePositions
        assert info['roomType'] == 'kitchen' and len(info['reachable']) > 50
        assert info['interactionPoses'] == {}
        gt = b.ground_truth()
        assert gt['alfredAvailable'] is False and gt['objects']
        ev = b.reset('FloorPlan401', 0)
        assert ev['sceneName'].startswith('FloorPlan401') and b.scene_info()['roomType'] == 'bathroom'
    finally:
        b.close()


def test_skills_run_on_the_build_path(build):
    b = make_backend('thor', scene='FloorPlan1', seed=0, thor_build=build)
    try:
        r = SkillRunner(b, RunnerConfig())
        apple, fridge = first_id(r, 'Apple'), first_id(r, 'Fridge')
        for skill, arg in (('navigate_to', apple), ('pickup', apple), ('navigate_to', fridge),
                           ('open', fridge), ('put', fridge), ('close', fridge)):
            out = r.run(skill, [arg])
            assert out.success, (skill, out.message)
        obj = next(o for o in b.step('Pass')['objects'] if o['objectId'] == apple)
        assert obj['parentReceptacles'] == [fridge]
        assert os.path.basename(b.controller.server.unity_proc.args[0]) == 'thor-Linux64-local'
    finally:
        b.close()
