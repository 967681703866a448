"""GetSpawnCoordinatesAboveReceptacle + PlaceObjectAtPoint through the unmodified ai2thor client."""
from thor_helpers import first, obj, ok

FRIDGE = "Fridge|-02.10|+00.00|+01.07"
APPLE = "Apple|-00.47|+01.15|+00.48"


def test_spawn_points_lie_over_a_surface_and_inside_a_container(ctrl):
    table = first(ctrl.last_event, "CounterTop")
    pts = ok(ctrl.step("GetSpawnCoordinatesAboveReceptacle", objectId=table, anywhere=True)
             ).metadata["actionReturn"]
    box = obj(ctrl.last_event, table)["axisAlignedBoundingBox"]["cornerPoints"]
    top = max(p[1] for p in box)
    assert len(pts) >= 5 and all(abs(p["y"] - top) < 0.05 for p in pts)
    inside = ok(ctrl.step("GetSpawnCoordinatesAboveReceptacle", objectId=FRIDGE, anywhere=True)
                ).metadata["actionReturn"]
    fbox = obj(ctrl.last_event, FRIDGE)["axisAlignedBoundingBox"]["cornerPoints"]
    assert all(min(p[1] for p in fbox) < q["y"] < max(p[1] for p in fbox) for q in inside)
    ev = ctrl.step("GetSpawnCoordinatesAboveReceptacle", objectId=APPLE, anywhere=True)
    assert not ev.metadata["lastActionSuccess"] and "not a receptacle" in ev.metadata["errorMessage"]


def test_place_at_point_needs_an_open_container_and_lands_inside(ctrl):
    pts = ctrl.step("GetSpawnCoordinatesAboveReceptacle", objectId=FRIDGE, anywhere=True
                    ).metadata["actionReturn"]
    ev = ctrl.step("PlaceObjectAtPoint", objectId=APPLE, position=pts[0])
    assert not ev.metadata["lastActionSuccess"] and "closed" in ev.metadata["errorMessage"]
    assert obj(ev, APPLE)["parentReceptacles"][0].startswith("CounterTop")
    ok(ctrl.step("OpenObject", objectId=FRIDGE, forceAction=True))
    ev = ok(ctrl.step("PlaceObjectAtPoint", objectId=APPLE, position=pts[0]))
    apple = obj(ev, APPLE)
    assert apple["parentReceptacles"] == [FRIDGE] and APPLE in obj(ev, FRIDGE)["receptacleObjectIds"]
    c = apple["axisAlignedBoundingBox"]["center"]
    assert abs(c["x"] - pts[0]["x"]) < 1e-6 and abs(c["z"] - pts[0]["z"]) < 1e-6


def test_place_at_point_refuses_what_cannot_be_placed(ctrl):
    table = first(ctrl.last_event, "CounterTop")
    p = ctrl.step("GetSpawnCoordinatesAboveReceptacle", objectId=table, anywhere=True
                  ).metadata["actionReturn"][0]
    for kw, fragment in ((dict(objectId=FRIDGE, position=p), "not pickupable"),
                         (dict(objectId=APPLE, position=dict(x=50, y=50, z=50)), "No valid receptacle")):
        ev = ctrl.step("PlaceObjectAtPoint", **kw)
        assert not ev.metadata["lastActionSuccess"] and fragment in ev.metadata["errorMessage"]
