"""Every supported action through the unmodified ai2thor Controller: successes and failures."""
import pytest
from thor_helpers import first, go_see, obj, ok

FRIDGE = "Fridge|-02.10|+00.00|+01.07"
APPLE = "Apple|-00.47|+01.15|+00.48"
MICROWAVE = "Microwave|-00.24|+01.69|-02.53"


def test_handshake_and_metadata(ctrl):
    ev = ctrl.last_event
    assert ev.metadata["lastAction"] == "Initialize"
    assert ev.metadata["sceneName"] == "FloorPlan1_physics"
    assert len(ev.metadata["objects"]) == 77
    o = ev.metadata["objects"][0]
    assert len(o) >= 41
    assert set(o["axisAlignedBoundingBox"]) == {"cornerPoints", "center", "size"}
    assert ev.metadata["agent"]["isStanding"] is True
    assert ev.frame is None  # images are off by default
    assert "FloorPlan430_physics" in ctrl.scenes_in_build
    assert len(ctrl.scenes_in_build) == 120


def test_initialize_params_and_resolution(controller):
    ev = controller.reset("FloorPlan2", gridSize=0.5, rotateStepDegrees=45, width=200, height=150)
    assert ev.metadata["screenWidth"] == 200 and ev.metadata["screenHeight"] == 150
    yaw = ev.metadata["agent"]["rotation"]["y"]
    assert controller.step("RotateRight").metadata["agent"]["rotation"]["y"] == (yaw + 45) % 360
    pts = controller.step("GetReachablePositions").metadata["actionReturn"]
    assert pts and all(set(p) == {"x", "y", "z"} for p in pts)
    controller.reset("FloorPlan1", gridSize=0.25, rotateStepDegrees=90, width=300, height=300)


def test_reset_to_other_room_types(controller):
    for scene, room in (("FloorPlan201", "living_room"), ("FloorPlan301", "bedroom"),
                        ("FloorPlan401", "bathroom"), ("FloorPlan1", "kitchen")):
        ev = controller.reset(scene)
        assert ev.metadata["sceneName"] == scene + "_physics"
        info = controller.step("KarmaGetSceneInfo").metadata["actionReturn"]
        assert info["roomType"] == room
    with pytest.raises(ValueError):
        controller.reset("FloorPlan999")  # the client checks GetScenesInBuild


def test_move_rotate_look_crouch(ctrl):
    pts = ctrl.step("GetReachablePositions").metadata["actionReturn"]
    cells = {(round(p["x"] * 4), round(p["z"] * 4)) for p in pts}
    p0 = next(p for p in pts if all((round(p["x"] * 4) + dx, round(p["z"] * 4) + dz) in cells
                                    for dx, dz in ((1, 0), (-1, 0), (0, 1), (0, -1))))
    ok(ctrl.step("Teleport", position=p0, rotation=0))
    ok(ctrl.step("RotateRight"))
    ev = ok(ctrl.step("MoveAhead"))
    assert ev.metadata["agent"]["position"]["x"] == pytest.approx(p0["x"] + 0.25)
    ok(ctrl.step("MoveBack"))
    ev = ctrl.step("MoveAhead", moveMagnitude=20.0)
    assert not ev and "blocked" in ev.metadata["errorMessage"]
    assert ev.metadata["agent"]["position"]["x"] == pytest.approx(p0["x"])
    ok(ctrl.step("MoveLeft"))
    ok(ctrl.step("MoveRight"))
    assert ok(ctrl.step("RotateLeft", degrees=30)).metadata["agent"]["rotation"]["y"] == 60
    assert ok(ctrl.step("LookDown")).metadata["agent"]["cameraHorizon"] == 30
    ok(ctrl.step("LookDown"))
    assert not ctrl.step("LookDown")  # beyond 60 degrees down
    ok(ctrl.step("LookUp", degrees=90))
    assert not ctrl.step("LookUp")  # beyond 30 degrees up
    cam = ctrl.last_event.metadata["cameraPosition"]["y"]
    ev = ok(ctrl.step("Crouch"))
    assert ev.metadata["agent"]["isStanding"] is False
    assert ev.metadata["cameraPosition"]["y"] < cam
    assert not ctrl.step("Crouch")
    ok(ctrl.step("Stand"))
    assert not ctrl.step("Stand")
    ok(ctrl.step("Done"))
    ok(ctrl.step("Pass"))


def test_teleport(ctrl):
    pts = ctrl.step("GetReachablePositions").metadata["actionReturn"]
    ev = ok(ctrl.step("Teleport", position=pts[3], rotation=180, horizon=30))
    a = ev.metadata["agent"]
    assert (a["position"]["x"], a["position"]["z"]) == (pts[3]["x"], pts[3]["z"])
    assert a["rotation"]["y"] == 180 and a["cameraHorizon"] == 30
    assert not ctrl.step("Teleport", position=dict(x=50, y=0.9, z=50))
    ok(ctrl.step("Teleport", position=dict(x=50, y=0.9, z=50), forceAction=True))
    ok(ctrl.step("TeleportFull", position=pts[0], rotation=dict(x=0, y=90, z=0), horizon=0,
                 standing=False))
    assert ctrl.last_event.metadata["agent"]["isStanding"] is False
    with pytest.raises(ValueError, match="missing"):
        ctrl.step("TeleportFull", position=pts[0])


def test_pickup_put_drop(ctrl):
    with pytest.raises(ValueError, match="objectId"):
        ctrl.step("PickupObject")
    ev = ctrl.step("PickupObject", objectId="Apple|+09.99|+09.99|+09.99")
    assert not ev and ev.metadata["errorMessage"] == "Object ID appears to be invalid."
    go_see(ctrl, APPLE)
    with pytest.raises(ValueError):
        ctrl.step("PutObject")
    assert not ctrl.step("PutObject", objectId=first(ctrl.last_event, "CounterTop"))  # hand empty
    counter = obj(ctrl.last_event, APPLE)["parentReceptacles"][0]
    assert not ctrl.step("PickupObject", objectId=counter)  # not pickupable
    ev = ok(ctrl.step("PickupObject", objectId=APPLE))
    assert obj(ev, APPLE)["isPickedUp"] and APPLE not in obj(ev, counter)["receptacleObjectIds"]
    assert ev.metadata["inventoryObjects"] == [{"objectId": APPLE, "objectType": "Apple"}]
    bread = first(ev, "Bread")
    assert not ctrl.step("PickupObject", objectId=bread, forceAction=True)  # hand full
    ok(ctrl.step("MoveAhead")) if ctrl.step("RotateLeft") else None
    held = obj(ctrl.last_event, APPLE)["position"]
    assert obj(ctrl.step("RotateRight"), APPLE)["position"] != held  # moves with the agent
    ev = ok(ctrl.step("DropHandObject"))
    assert ev.metadata["inventoryObjects"] == [] and obj(ev, APPLE)["parentReceptacles"]
    assert not ctrl.step("DropHandObject")


def test_put_rules(ctrl):
    go_see(ctrl, APPLE)
    ok(ctrl.step("PickupObject", objectId=APPLE))
    toaster = first(ctrl.last_event, "Toaster")
    ctrl.step("PutObject", objectId=toaster, forceAction=True)  # forceAction skips ALFRED rules
    assert obj(ctrl.last_event, APPLE)["parentReceptacles"] == [toaster]
    ok(ctrl.step("PickupObject", objectId=APPLE, forceAction=True))
    ev = ctrl.step("PutObject", objectId=toaster)  # ALFRED: toasters only take bread slices
    assert not ev
    go_see(ctrl, FRIDGE)
    ev = ctrl.step("PutObject", objectId=FRIDGE)
    assert not ev and "CLOSED" in ev.metadata["errorMessage"]
    ok(ctrl.step("OpenObject", objectId=FRIDGE))
    ev = ok(ctrl.step("PutObject", objectId=FRIDGE))
    assert APPLE in obj(ev, FRIDGE)["receptacleObjectIds"]
    assert obj(ev, APPLE)["parentReceptacles"] == [FRIDGE]
    assert obj(ev, APPLE)["visible"]
    ok(ctrl.step("CloseObject", objectId=FRIDGE))
    assert not obj(ctrl.last_event, APPLE)["visible"]  # nothing is seen inside closed things
    gt = ctrl.step("KarmaGetGroundTruth").metadata["actionReturn"]
    assert gt["alfred"][APPLE]["cooled"] is True
    assert obj(ctrl.last_event, APPLE)["temperature"] == "Cold"


def test_open_close(ctrl):
    go_see(ctrl, FRIDGE)
    ev = ctrl.step("OpenObject", objectId=FRIDGE, openness=1.5)  # Unity fails, never raises
    assert not ev and ev.metadata["errorCode"] is None and "openness" in ev.metadata["errorMessage"]
    ev = ok(ctrl.step("OpenObject", objectId=FRIDGE, openness=0.5))
    assert obj(ev, FRIDGE)["isOpen"] and obj(ev, FRIDGE)["openness"] == 0.5
    ok(ctrl.step("CloseObject", objectId=FRIDGE))
    assert not ctrl.step("CloseObject", objectId=FRIDGE)
    floor = first(ctrl.last_event, "Floor")
    assert not ctrl.step("OpenObject", objectId=floor, forceAction=True)


def test_toggle_and_microwave(ctrl):
    go_see(ctrl, APPLE)
    ok(ctrl.step("PickupObject", objectId=APPLE))
    go_see(ctrl, MICROWAVE)
    ok(ctrl.step("OpenObject", objectId=MICROWAVE))
    ok(ctrl.step("PutObject", objectId=MICROWAVE))
    assert not ctrl.step("ToggleObjectOn", objectId=MICROWAVE)  # door open
    ok(ctrl.step("CloseObject", objectId=MICROWAVE))
    ev = ok(ctrl.step("ToggleObjectOn", objectId=MICROWAVE))
    assert obj(ev, MICROWAVE)["isToggled"]
    assert not ctrl.step("ToggleObjectOn", objectId=MICROWAVE)
    gt = ctrl.step("KarmaGetGroundTruth").metadata["actionReturn"]
    assert gt["alfred"][APPLE]["heated"]
    assert next(o for o in gt["objects"] if o["objectId"] == APPLE)["temperature"] == "Hot"
    ok(ctrl.step("ToggleObjectOff", objectId=MICROWAVE))
    assert not ctrl.step("ToggleObjectOff", objectId=MICROWAVE)
    assert not ctrl.step("ToggleObjectOn", objectId=FRIDGE, forceAction=True)  # not toggleable


def test_slice_bread_and_egg(ctrl):
    bread = first(ctrl.last_event, "Bread")
    go_see(ctrl, bread)
    ev = ok(ctrl.step("SliceObject", objectId=bread))
    pieces = [o for o in ev.metadata["objects"] if o["objectType"] == "BreadSliced"]
    assert len(pieces) > 1 and all(p["objectId"].startswith(bread + "|BreadSliced_") for p in pieces)
    assert bread not in {o["objectId"] for o in ev.metadata["objects"]}
    parent = pieces[0]["parentReceptacles"][0]
    assert {p["objectId"] for p in pieces} <= set(obj(ev, parent)["receptacleObjectIds"])
    gt = ctrl.step("KarmaGetGroundTruth").metadata["actionReturn"]
    assert [o["isSliced"] for o in gt["removed"] if o["objectId"] == bread] == [True]
    assert not ctrl.step("SliceObject", objectId=pieces[0]["objectId"])  # slices don't slice
    egg = first(ctrl.last_event, "Egg")
    ev = ok(ctrl.step("SliceObject", objectId=egg, forceAction=True))
    assert obj(ev, egg + "|EggCracked_0")["objectType"] == "EggCracked"


def test_state_actions(ctrl):
    mug = first(ctrl.last_event, "Mug")
    go_see(ctrl, mug)
    ok(ctrl.step("DirtyObject", objectId=mug))
    assert not ctrl.step("DirtyObject", objectId=mug)
    ev = ok(ctrl.step("CleanObject", objectId=mug))
    assert obj(ev, mug)["isDirty"] is False
    with pytest.raises(ValueError, match="fillLiquid"):
        ctrl.step("FillObjectWithLiquid", objectId=mug)
    with pytest.raises(ValueError):
        ctrl.step("FillObjectWithLiquid", objectId=mug, fillLiquid="lava")
    ev = ok(ctrl.step("FillObjectWithLiquid", objectId=mug, fillLiquid="coffee"))
    assert obj(ev, mug)["isFilledWithLiquid"] and obj(ev, mug)["fillLiquid"] == "coffee"
    ok(ctrl.step("EmptyLiquidFromObject", objectId=mug))
    assert not ctrl.step("EmptyLiquidFromObject", objectId=mug)
    ok(ctrl.step("BreakObject", objectId=mug))
    assert not ctrl.step("BreakObject", objectId=mug)
    potato = first(ctrl.last_event, "Potato")
    ev = ok(ctrl.step("CookObject", objectId=potato, forceAction=True))
    assert obj(ev, potato)["isCooked"]
    assert not ctrl.step("CookObject", objectId=potato, forceAction=True)
    assert not ctrl.step("CookObject", objectId=mug)  # mugs are not cookable
    assert not ctrl.step("UseUpObject", objectId=mug)  # nothing in the 4.x data can be used up


def test_unknown_action_and_bad_arguments(ctrl):
    with pytest.raises(ValueError, match="Invalid action"):
        ctrl.step("FlyToTheMoon")
    with pytest.raises(ValueError):
        ctrl.step("MoveAhead", moveMagnitude="far")
    ev = ctrl.step("OpenObject", objectId=12)
    assert not ev and "invalid" in ev.metadata["errorMessage"]
    assert ok(ctrl.step("Pass"))  # the player is still alive


def test_ground_truth_and_scene_info(ctrl):
    gt = ok(ctrl.step("KarmaGetGroundTruth")).metadata["actionReturn"]
    assert len(gt["objects"]) == 77 and set(gt) >= {"objects", "alfred", "agent"}
    assert set(gt["alfred"][APPLE]) == {"cleaned", "heated", "cooled"}
    info = ok(ctrl.step("KarmaGetSceneInfo")).metadata["actionReturn"]
    assert info["roomType"] == "kitchen" and len(info["reachable"]) > 100
    assert set(info["sceneBounds"]) == {"cornerPoints", "center", "size"}
    x, z, yaw, horizon = info["interactionPoses"][FRIDGE]
    ev = ok(ctrl.step("TeleportFull", position=dict(x=x, y=0.9, z=z), rotation=yaw,
                      horizon=horizon, standing=True))
    assert obj(ev, FRIDGE)["visible"]
