"""The in-process Simulator and the FIFO player give identical metadata for the same actions."""
from karma_thor import Simulator

APPLE = "Apple|-00.47|+01.15|+00.48"
FRIDGE = "Fridge|-02.10|+00.00|+01.07"
SEQUENCE = [
    dict(action="RotateRight"), dict(action="MoveAhead"), dict(action="LookDown"),
    dict(action="GetReachablePositions"),
    dict(action="TeleportFull", position=dict(x=-0.25, y=0.9, z=0.5), rotation=dict(x=0, y=270, z=0),
         horizon=30, standing=True),
    dict(action="PickupObject", objectId=APPLE),
    dict(action="PickupObject", objectId="Nope|1|2|3"),
    dict(action="MoveBack"), dict(action="Crouch"), dict(action="Stand"),
    dict(action="OpenObject", objectId=FRIDGE, forceAction=True),
    dict(action="PutObject", objectId=FRIDGE, forceAction=True),
    dict(action="SliceObject", objectId="Tomato|-00.39|+01.14|-00.81", forceAction=True),
    dict(action="ToggleObjectOn", objectId="StoveKnob|-00.02|+00.88|-02.19", forceAction=True),
    dict(action="KarmaGetGroundTruth"), dict(action="KarmaGetSceneInfo"),
    dict(action="Done"),
]


def test_inprocess_equals_fifo(ctrl):
    sim = Simulator("FloorPlan1")
    assert dict(ctrl.last_event.metadata) == sim.last_event
    for act in SEQUENCE:
        ev = ctrl.step(dict(act))
        expected = sim.step(dict(act))
        assert dict(ev.metadata) == expected, act["action"]
    assert any(o["objectType"] == "TomatoSliced" for o in expected["objects"])


def test_same_seed_same_world():
    a, b = Simulator("FloorPlan301", seed=7), Simulator("FloorPlan301", seed=7)
    assert a.last_event == b.last_event
    for act in ("MoveAhead", "RotateLeft", "MoveAhead", "LookDown"):
        assert a.step(act) == b.step(act)
    assert a.reset(seed=7) == Simulator("FloorPlan301", seed=7).step("Reset", sceneName="FloorPlan301")
