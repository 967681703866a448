"""The player behaves as AI2-THOR 5 does (what its own Unity tests check), through the real
ai2thor client: metadata schema, THOR's start state, the actions THOR 5 added, and failures
that fail the action instead of raising."""
import jsonschema
import pytest
from karma_thor import scenes
from metadata_schema import SCHEMA
from thor_helpers import obj, ok

FP28_SPAWN = (-1.5, -1.5, 180.0)  # the pose AI2-THOR's own tests assume for FloorPlan28
SOAP = "SoapBottle|-00.84|+00.93|-03.76"


@pytest.fixture
def fp28(controller):
    controller.reset("FloorPlan28", agentMode="default")
    yield controller
    controller.step("ResetObjectFilter")


def near(a, b, tol=1e-3):
    return all(abs(a[k] - b[k]) < tol for k in b)


def step_any(c, **action):
    """One step whose failure may raise in the client; the event is in last_event either way."""
    try:
        c.step(dict(action))
    except ValueError:
        pass
    return c.last_event


def test_metadata_validates_against_thor5_schema_for_every_action(fp28):
    fridge = next(o["objectId"] for o in fp28.last_event.metadata["objects"]
                  if o["objectType"] == "Fridge")
    actions = [
        dict(action="Pass"), dict(action="MoveAhead"), dict(action="RotateLook", rotation=90, horizon=30),
        dict(action="LookUp"), dict(action="Crouch"), dict(action="Stand"),
        dict(action="GetReachablePositions"), dict(action="NoSuchAction"),
        dict(action="PickupObject", objectId=SOAP, forceAction=True),
        dict(action="MoveHeldObject", ahead=0.1), dict(action="RotateHeldObject", yaw=90),
        dict(action="DropHeldObject"), dict(action="OpenObject", objectId=fridge, forceAction=True),
        dict(action="GetInteractablePoses", objectId=fridge, maxPoses=3),
        dict(action="GetCoordinateFromRaycast", x=0.5, y=0.5),
        dict(action="SetObjectFilter", objectIds=[fridge]), dict(action="ResetObjectFilter"),
        dict(action="FillObjectWithLiquid", objectId="Pot|-00.61|+00.80|-03.42",
             fillLiquid="wine", forceAction=True),
        dict(action="PutObject", objectId=fridge, z=1),
    ]
    for a in actions:
        ev = step_any(fp28, **a)
        jsonschema.validate(instance=dict(ev.metadata), schema=SCHEMA)
    assert ev.metadata["errorCode"] == "InvalidArgument"
    assert fp28.step("Pass").metadata["errorCode"] is None  # Unity sends null, not ''


def test_failures_fail_the_action_like_unity(fp28):
    fridge = next(o["objectId"] for o in fp28.last_event.metadata["objects"]
                  if o["objectType"] == "Fridge")
    for bad in (dict(action="OpenObject", objectId=fridge, openness=1.5, forceAction=True),
                dict(action="OpenObject", x=1.5, y=0.5),
                dict(action="GetCoordinateFromRaycast", x=-0.1, y=0.8)):
        ev = fp28.step(bad)  # no ValueError: an ordinary failure with a message
        assert not ev and ev.metadata["errorMessage"] and ev.metadata["errorCode"] is None
    with pytest.raises(ValueError, match="invalid argument: z"):
        fp28.step("PutObject", x=0.0, y=0.0, z=1.0, placeStationary=True)


def test_start_state_is_thors_floorplan28(fp28):
    a = fp28.last_event.metadata["agent"]
    assert near(a["position"], dict(x=FP28_SPAWN[0], z=FP28_SPAWN[1], y=0.901))
    assert a["rotation"]["y"] == FP28_SPAWN[2] and a["cameraHorizon"] == 0
    ev = fp28.reset("FloorPlan28", agentMode="arm")
    assert ev.metadata["agent"]["rotation"]["y"] == FP28_SPAWN[2]


@pytest.mark.parametrize("scene", ["FloorPlan5", "FloorPlan205", "FloorPlan305", "FloorPlan405"])
def test_start_pose_per_room_type_reproduces_thors_distances(controller, scene):
    """Each object's distance from the agent at the start equals the one THOR's own dump
    recorded, so the agent starts where THOR starts it; that cell is on the 0.25 m grid."""
    ev = controller.reset(scene)
    key, _, i = scenes._scene_index()[scene]
    dump = {o["objectId"]: o["distance"] for o in scenes.procthor_scenes()[key][i]}
    got = {o["objectId"]: o["distance"] for o in ev.metadata["objects"]}
    assert max(abs(got[k] - d) for k, d in dump.items()) < 1e-3
    pos = ev.metadata["agent"]["position"]
    cells = {(round(p["x"] * 4), round(p["z"] * 4))
             for p in controller.step("GetReachablePositions").metadata["actionReturn"]}
    assert (round(pos["x"] * 4), round(pos["z"] * 4)) in cells
    assert ev.metadata["agent"]["rotation"]["y"] in (0, 90, 180, 270)


def test_teleport_takes_both_forms_and_checks_height(fp28):
    ok(fp28.step("TeleportFull", x=-2.0, y=0.95, z=-2.5, rotation=dict(x=0, y=0, z=0), horizon=0,
                 standing=True))
    assert near(fp28.last_event.metadata["agent"]["position"], dict(x=-2.0, z=-2.5))
    ok(fp28.step("Teleport", position=dict(x=-1.5, y=0.9, z=-1.5)))
    before = fp28.last_event.metadata["agent"]["position"]
    ev = fp28.step("Teleport", x=-2.0, y=1.0, z=-2.5)  # 0.1 m up: THOR refuses
    assert not ev and ev.metadata["agent"]["position"] == before
    ev = fp28.step("Teleport", horizon=10)
    assert ev.metadata["agent"]["cameraHorizon"] == 10 and ev.metadata["agent"]["position"] == before


def test_teleport_checks_the_agents_room_not_the_grid(fp28):
    grid = {(p["x"], p["z"]) for p in fp28.step("GetReachablePositions").metadata["actionReturn"]}
    assert (-1.0, -0.5) not in grid  # off the grid, but the capsule fits there (as in Unity)
    ev = ok(fp28.step("TeleportFull", x=-1.0, y=0.9, z=-0.5, rotation=dict(y=90), horizon=0,
                      standing=True))
    assert next(o for o in ev.metadata["objects"] if o["objectType"] == "Fridge")["visible"]
    for x, z in ((-1.5, -3.5), (-1.5, 0.0), (20.0, 90.0)):  # furniture, wall, outside
        assert not fp28.step("Teleport", x=x, y=0.9, z=z)


def test_rotate_look_and_look_limits(fp28):
    ev = ok(fp28.step("RotateLook", rotation=90, horizon=31))
    assert ev.metadata["agent"]["rotation"] == dict(x=0, y=90, z=0)
    assert ev.metadata["agent"]["cameraHorizon"] == 31
    fp28.step("RotateLook", rotation=0, horizon=0)
    for _ in range(3):
        ev = fp28.step("LookDown")
    assert ev.metadata["agent"]["cameraHorizon"] == 60  # stays at the limit


def test_object_filter_limits_metadata_not_the_world(fp28):
    ok(fp28.step("TeleportFull", position=dict(x=-1.5, y=0.9, z=-1.5), rotation=dict(y=90),
                 horizon=0, standing=True))
    cabinet = "Cabinet|-00.34|+01.89|-01.29"
    all_ids = {o["objectId"] for o in fp28.last_event.metadata["objects"]}
    ev = ok(fp28.step("SetObjectFilter", objectIds=[cabinet]))
    assert [o["objectId"] for o in ev.metadata["objects"]] == [cabinet]
    assert ok(fp28.step("SetObjectFilter", objectIds=[])).metadata["objects"] == []
    ok(fp28.step("OpenObject", objectId=cabinet))  # still interactable while filtered out
    ev = ok(fp28.step("ResetObjectFilter"))
    assert {o["objectId"] for o in ev.metadata["objects"]} == all_ids and obj(ev, cabinet)["isOpen"]


def test_open_by_screen_point_openness_and_box(fp28):
    ok(fp28.step("TeleportFull", position=dict(x=-1.5, y=0.9, z=-1.5), rotation=dict(y=90),
                 horizon=0, standing=True))
    cabinet = "Cabinet|-00.34|+01.89|-01.29"
    point = ok(fp28.step("GetCoordinateFromRaycast", x=0.5, y=0.5)).metadata["actionReturn"]
    assert near(point, dict(x=-0.344, y=1.576, z=-1.5), tol=2e-3)  # the cabinet's front
    size = obj(fp28.last_event, cabinet)["axisAlignedBoundingBox"]["size"]
    ev = ok(fp28.step("OpenObject", x=0.5, y=0.5))
    assert obj(ev, cabinet)["isOpen"] and obj(ev, cabinet)["axisAlignedBoundingBox"]["size"] != size
    ok(fp28.step("CloseObject", objectId=cabinet))
    assert obj(fp28.last_event, cabinet)["axisAlignedBoundingBox"]["size"] == size
    for mag, openness in ((0, 1.0), (0.65, 0.65)):  # moveMagnitude: the old openness
        ev = ok(fp28.step("OpenObject", objectId=cabinet, moveMagnitude=mag))
        assert abs(obj(ev, cabinet)["openness"] - openness) < 1e-6


def test_held_object_pose_moves_and_turns(fp28):
    h1 = ok(fp28.step("PickupObject", objectId=SOAP, forceAction=True)).metadata["heldObjectPose"]
    assert h1["localRotation"] == dict(x=0, y=0, z=0) and h1["rotation"]["y"] == 180
    h2 = ok(fp28.step("MoveHeldObject", ahead=0.1, right=0.05, up=-0.1)).metadata["heldObjectPose"]
    d = {k: h2["localPosition"][k] - h1["localPosition"][k] for k in "xyz"}
    assert near(d, dict(x=0.05, y=-0.1, z=0.1))
    assert near(h2["position"], obj(fp28.last_event, SOAP)["position"])
    h3 = ok(fp28.step("RotateHeldObject", roll=90, pitch=90, yaw=90)).metadata["hand"]
    assert h3["position"] == h2["position"] and near(h3["rotation"], dict(x=90, y=0, z=0))
    ok(fp28.step("DropHeldObject"))
    assert fp28.last_event.metadata["inventoryObjects"] == []
    assert not fp28.step("MoveHeldObject", ahead=0.1)  # nothing held


def test_interactable_poses(fp28):
    fridge = next(o["objectId"] for o in fp28.last_event.metadata["objects"]
                  if o["objectType"] == "Fridge")
    poses = ok(fp28.step("GetInteractablePoses", objectId=fridge)).metadata["actionReturn"]
    assert len(poses) > 100 and set(poses[0]) == {"x", "y", "z", "rotation", "horizon", "standing"}
    ev = ok(fp28.step("TeleportFull", **poses[len(poses) // 2]))
    assert obj(ev, fridge)["visible"]
    assert len(fp28.step("GetInteractablePoses", objectId=fridge, maxPoses=7)
               .metadata["actionReturn"]) == 7
    assert fp28.step("GetInteractablePoses", objectId=fridge, rotations=[270]).metadata["actionReturn"] == []
    potato = next(o["objectId"] for o in ev.metadata["objects"] if o["objectType"] == "Potato")
    assert fp28.step("GetInteractablePoses", objectId=potato).metadata["actionReturn"] == []  # in the closed fridge


def test_agent_modes(fp28):
    ev = fp28.reset("FloorPlan28", agentMode="locobot")
    assert ev.metadata["agent"]["isStanding"] is None
    ok(fp28.step("TeleportFull", position=dict(x=-1.5, y=0.9, z=-1.5), rotation=dict(y=90), horizon=30))
    with pytest.raises(ValueError):
        fp28.step("Teleport", position=dict(x=-1.5, y=0.9, z=-1.5), standing=True)
    fp28.reset("FloorPlan28", agentMode="arm")
    ev = ok(fp28.step("MoveAgent", ahead=0.25, right=0.15))
    assert near(ev.metadata["agent"]["position"], dict(x=-1.65, z=-1.75))
    assert ok(fp28.step("RotateAgent", degrees=60)).metadata["agent"]["rotation"]["y"] == 240
    assert not fp28.step("PickupObject", objectId=SOAP, forceAction=True)  # the arm picks up, not the hand
    fp28.reset("FloorPlan28", agentMode="default")
    with pytest.raises(ValueError, match="Invalid action"):
        fp28.step("MoveAgent", ahead=0.25)


def test_reachable_positions_relative_to_the_agent(fp28):
    aligned = fp28.step("GetReachablePositions").metadata["actionReturn"]
    ok(fp28.step("TeleportFull", position=dict(x=-1.5, y=0.9, z=-1.5), rotation=dict(y=49.1),
                 horizon=0, standing=True))
    assert len(fp28.step("GetReachablePositions").metadata["actionReturn"]) == len(aligned)
    turned = fp28.step("GetReachablePositions", directionsRelativeAgent=True).metadata["actionReturn"]
    assert turned and {(p["x"], p["z"]) for p in turned} != {(p["x"], p["z"]) for p in aligned}


def test_teleport_object(fp28):
    ev = ok(fp28.step("TeleportObject", objectId=SOAP, position=dict(x=-1.0, y=1.0, z=-2.0),
                      rotation=dict(x=0, y=90, z=0), forceAction=True))
    o = obj(ev, SOAP)
    assert near(o["position"], dict(x=-1.0, y=1.0, z=-2.0)) and o["rotation"]["y"] == 90
    assert not o["parentReceptacles"]
