"""The in-process Simulator: API, robustness, player path."""
import math
import os
import subprocess
import sys

from karma_thor import Simulator, player_path


def test_api_and_reset():
    sim = Simulator("FloorPlan1", seed=0, visibilityDistance=1.0)
    assert sim.last_event["lastAction"] == "Initialize"
    assert sim.world.params.visibility_distance == 1.0
    yaw = sim.last_event["agent"]["rotation"]["y"]
    ev = sim.step({"action": "RotateRight"})
    assert ev is sim.last_event and ev["agent"]["rotation"]["y"] == (yaw + 90) % 360
    ev = sim.reset("FloorPlan401", seed=3)
    assert ev["sceneName"] == "FloorPlan401_physics" and ev["lastActionSuccess"]
    assert sim.reset("FloorPlan999")["errorCode"] == "InvalidArgument"


def test_never_raises_on_garbage():
    sim = Simulator("FloorPlan1")
    for bad in (None, 42, {"action": None}, {"action": "MoveAhead", "moveMagnitude": math.nan},
                {"action": "Teleport", "position": "here"}, {"action": "OpenObject", "objectId": []},
                {"action": "RotateLeft", "degrees": {"y": 1}}, {"action": "Initialize", "gridSize": -1}):
        ev = sim.step(bad)
        assert ev["lastActionSuccess"] is False and ev["errorMessage"]
    assert sim.step("Pass")["lastActionSuccess"]


def test_snapshots_are_not_mutated_later():
    sim = Simulator("FloorPlan1")
    apple = "Apple|-00.47|+01.15|+00.48"
    before = next(o for o in sim.last_event["objects"] if o["objectId"] == apple)
    pos = dict(before["position"])
    sim.step("PickupObject", objectId=apple, forceAction=True)
    sim.step("MoveBack")
    assert before["position"] == pos and not before["isPickedUp"]


def test_player_path_is_executable():
    path = player_path()
    assert os.path.isabs(path) and os.access(path, os.X_OK)
    out = subprocess.run([sys.executable, path, "--path"], capture_output=True, text=True,
                         timeout=30)
    assert out.stdout.strip() == path
    # without the client's environment it explains itself instead of hanging
    env = {k: v for k, v in os.environ.items() if not k.startswith("AI2THOR_")}
    out = subprocess.run([sys.executable, path], capture_output=True, text=True, env=env,
                         timeout=30)
    assert out.returncode == 2 and "Controller" in out.stderr


def test_optional_rgb_frames():
    from karma_thor.render import render_rgb
    sim = Simulator("FloorPlan1", width=64, height=48)
    frame = render_rgb(sim.world)
    assert len(frame) == 64 * 48 * 3


def test_rgb_frames_through_the_client():
    from ai2thor.controller import Controller
    c = Controller(local_executable_path=player_path(), x_display=":0", scene="FloorPlan1",
                   width=96, height=64, karmaRenderImage=True, server_timeout=30)
    try:
        info = c.step("KarmaGetSceneInfo").metadata["actionReturn"]
        x, z, yaw, horizon = info["interactionPoses"]["Fridge|-02.10|+00.00|+01.07"]
        ev = c.step("TeleportFull", position=dict(x=x, y=0.9, z=z), rotation=yaw, horizon=horizon,
                    standing=True)
        assert ev.frame is not None and ev.frame.shape == (64, 96, 3)
        assert len({tuple(p) for p in ev.frame.reshape(-1, 3)[::37]}) > 2  # objects drawn
    finally:
        c.stop()
