#!/usr/bin/env python3
"""The "Done when" check of the embedded THOR player, written against the ai2thor client only.

Usage: python done_when.py [PLAYER_PATH]   (default: ../thor_player next to this file)
Exits 0 and prints "DONE" when every check holds; raises AssertionError otherwise.
"""
import math
import os
import sys

from ai2thor.controller import Controller

OBJECT_KEYS = {
    "name", "objectId", "objectType", "assetId", "position", "rotation", "distance", "visible",
    "isInteractable", "receptacle", "receptacleObjectIds", "parentReceptacles", "pickupable",
    "isPickedUp", "moveable", "openable", "isOpen", "openness", "toggleable", "isToggled",
    "breakable", "isBroken", "canFillWithLiquid", "isFilledWithLiquid", "fillLiquid",
    "dirtyable", "isDirty", "canBeUsedUp", "isUsedUp", "cookable", "isCooked", "sliceable",
    "isSliced", "isHeatSource", "isColdSource", "temperature", "mass", "salientMaterials",
    "isMoving", "controlledObjects", "axisAlignedBoundingBox", "objectOrientedBoundingBox"}


def find(event, object_type):
    return [o for o in event.metadata["objects"] if o["objectType"] == object_type]


def obj(event, object_id):
    return next(o for o in event.metadata["objects"] if o["objectId"] == object_id)


def go_see(c, object_id):
    """Teleport to the nearest reachable pose from which object_id is visible."""
    target = obj(c.last_event, object_id)["axisAlignedBoundingBox"]["center"]
    points = c.step("GetReachablePositions").metadata["actionReturn"]
    points.sort(key=lambda p: (p["x"] - target["x"]) ** 2 + (p["z"] - target["z"]) ** 2)
    for p in points[:20]:
        yaw = round(math.degrees(math.atan2(target["x"] - p["x"], target["z"] - p["z"])) / 90) * 90
        for horizon in (30, 0, 60):
            c.step("TeleportFull", position=p, rotation=dict(x=0, y=yaw % 360, z=0),
                   horizon=horizon, standing=True)
            if obj(c.last_event, object_id)["visible"]:
                return
    raise AssertionError(f"no pose sees {object_id}")


def main(player_path):
    c = Controller(local_executable_path=player_path, x_display=":0", scene="FloorPlan1",
                   headless=True, width=300, height=300)
    try:
        ev = c.last_event
        objects = ev.metadata["objects"]
        assert 60 <= len(objects) <= 90, len(objects)
        assert all(OBJECT_KEYS <= set(o) for o in objects)
        for key in ("agent", "inventoryObjects", "cameraPosition", "fov", "sceneName", "lastAction",
                    "lastActionSuccess", "errorMessage", "errorCode", "actionReturn", "collided",
                    "sceneBounds", "screenWidth", "screenHeight"):
            assert key in ev.metadata, key
        assert ev.metadata["sceneName"].startswith("FloorPlan1")

        apple = find(ev, "Apple")[0]["objectId"]
        fridge = find(ev, "Fridge")[0]["objectId"]
        tomato = find(ev, "Tomato")[0]["objectId"]

        # Across the room: the reachable point furthest from the apple.
        a = obj(ev, apple)["position"]
        points = c.step("GetReachablePositions").metadata["actionReturn"]
        far = max(points, key=lambda p: (p["x"] - a["x"]) ** 2 + (p["z"] - a["z"]) ** 2)
        c.step("Teleport", position=far)
        ev = c.step("PickupObject", objectId=apple)
        assert not ev and not ev.metadata["lastActionSuccess"], "picked up from across the room"

        go_see(c, apple)
        assert c.step("PickupObject", objectId=apple), c.last_event.metadata["errorMessage"]
        assert c.last_event.metadata["inventoryObjects"][0]["objectId"] == apple

        go_see(c, fridge)
        ev = c.step("PutObject", objectId=fridge)
        assert not ev, "put into a closed fridge"
        assert c.step("OpenObject", objectId=fridge), c.last_event.metadata["errorMessage"]
        ev = c.step("PutObject", objectId=fridge)
        assert ev, ev.metadata["errorMessage"]
        assert apple in obj(ev, fridge)["receptacleObjectIds"]
        assert fridge in obj(ev, apple)["parentReceptacles"]
        assert ev.metadata["inventoryObjects"] == []

        go_see(c, tomato)
        ev = c.step("SliceObject", objectId=tomato)
        assert ev, ev.metadata["errorMessage"]
        pieces = find(ev, "TomatoSliced")
        assert pieces and all(p["objectId"].startswith(tomato + "|TomatoSliced_") for p in pieces)

        try:
            c.step("FlyToTheMoon")
        except ValueError:
            pass
        else:
            raise AssertionError("an unknown action did not raise ValueError")
    finally:
        c.stop()
    print("DONE")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "thor_player"))
