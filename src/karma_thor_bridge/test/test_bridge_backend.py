"""Backends: one step() API for the in-process simulator and the embedded player via ai2thor."""
import os

import pytest

from karma_thor_bridge.backend import detect_thor_build, make_backend, room_type_of


def test_inprocess_step_never_raises_and_reports_failures():
    b = make_backend('inprocess', scene='FloorPlan1', seed=0)
    assert b.kind == 'inprocess'
    assert b.step('RotateRight')['lastActionSuccess']
    for bad in ('NoSuchAction', {'action': 'PickupObject'}, {'action': 'PickupObject', 'objectId': 'x'}):
        ev = b.step(bad)
        assert ev['lastActionSuccess'] is False and ev['errorMessage']
    info = b.scene_info()
    assert info['roomType'] == 'kitchen' and len(info['reachable']) > 50 and info['interactionPoses']
    gt = b.ground_truth()
    assert {'objects', 'alfred', 'agent', 'inventoryObjects'} <= set(gt)


def test_embedded_player_through_the_real_client(tmp_path, monkeypatch):
    monkeypatch.setenv('KARMA_THOR_BUILD', '')
    monkeypatch.setenv('HOME', str(tmp_path))  # no ~/.ai2thor/releases: auto must pick embedded
    b = make_backend('auto', scene='FloorPlan1', seed=0, init=dict(gridSize=0.25))
    try:
        assert b.kind == 'embedded'
        yaw = b.last['agent']['rotation']['y']  # THOR's spawn pose of the scene
        ev = b.step('RotateRight')
        assert ev['lastActionSuccess'] and ev['agent']['rotation']['y'] == pytest.approx((yaw + 90) % 360)
        ev = b.step('NoSuchAction')  # the client raises ValueError; the backend does not
        assert ev['lastActionSuccess'] is False and 'NoSuchAction' in ev['errorMessage']
        assert b.scene_info()['roomType'] == 'kitchen'
        assert b.ground_truth()['objects']
        assert b.last['lastAction'] == 'NoSuchAction'  # query actions leave the robot's frame alone
        ev = b.reset('FloorPlan401', 2)
        assert ev['sceneName'].startswith('FloorPlan401') and b.scene_info()['roomType'] == 'bathroom'
    finally:
        b.close()


def test_thor_build_detection_is_local_only(tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.delenv('KARMA_THOR_BUILD', raising=False)
    assert detect_thor_build() is None
    with pytest.raises(RuntimeError, match='no AI2-THOR build'):
        make_backend('thor')
    rel = tmp_path / '.ai2thor' / 'releases' / 'thor-Linux64-abc'
    rel.mkdir(parents=True)
    exe = rel / 'thor-Linux64-abc'
    exe.write_text('#!/bin/sh\n')
    exe.chmod(0o755)
    assert detect_thor_build() == str(exe)
    monkeypatch.setenv('KARMA_THOR_BUILD', str(exe))
    assert detect_thor_build() == os.path.abspath(exe)
    with pytest.raises(ValueError):
        make_backend('unity')


def test_room_types():
    assert [room_type_of(s) for s in ('FloorPlan1', 'FloorPlan230', 'FloorPlan301', 'FloorPlan430')] \
        == ['kitchen', 'living_room', 'bedroom', 'bathroom']
