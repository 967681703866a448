"""THOR 5's event metadata as a JSON schema: the keys a Unity build sends on every step and
their types, written from the fields AI2-THOR documents (its tests validate a Pass event
against such a schema). Values THOR types loosely (actionReturn, fillLiquid) accept what THOR
sends after other actions too."""

VEC = {"type": "object", "required": ["x", "y", "z"],
       "properties": {k: {"type": "number"} for k in "xyz"}}
IDS = {"type": ["array", "null"], "items": {"type": "string"}}
CORNERS = {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}
BOX = {"type": "object", "required": ["cornerPoints", "center", "size"],
       "properties": {"cornerPoints": CORNERS, "center": VEC, "size": VEC}}

_BOOL = ("visible", "obstructed", "receptacle", "toggleable", "isToggled", "breakable", "isBroken",
         "canFillWithLiquid", "isFilledWithLiquid", "dirtyable", "isDirty", "canBeUsedUp",
         "isUsedUp", "cookable", "isCooked", "isHeatSource", "isColdSource", "sliceable",
         "isSliced", "openable", "isOpen", "pickupable", "isPickedUp", "moveable", "isMoving")
OBJECT = {
    "type": "object",
    "required": list(_BOOL) + ["name", "objectId", "objectType", "position", "rotation",
                               "ObjectTemperature", "fillLiquid", "mass", "salientMaterials",
                               "receptacleObjectIds", "parentReceptacles", "distance",
                               "axisAlignedBoundingBox", "objectOrientedBoundingBox"],
    "properties": {
        **{k: {"type": "boolean"} for k in _BOOL},
        "name": {"type": "string"}, "objectId": {"type": "string"},
        "objectType": {"type": "string"}, "position": VEC, "rotation": VEC,
        "ObjectTemperature": {"type": "string"}, "fillLiquid": {"type": ["string", "null"]},
        "mass": {"type": "number"}, "distance": {"type": "number"},
        "salientMaterials": IDS, "receptacleObjectIds": IDS, "parentReceptacles": IDS,
        "axisAlignedBoundingBox": BOX,
        "objectOrientedBoundingBox": {"anyOf": [
            {"type": "null"},
            {"type": "object", "required": ["cornerPoints"], "properties": {"cornerPoints": CORNERS}}]},
    },
}
AGENT = {"type": "object",
         "required": ["name", "position", "rotation", "cameraHorizon", "isStanding",
                      "inHighFrictionArea"],
         "properties": {"name": {"type": "string"}, "position": VEC, "rotation": VEC,
                        "cameraHorizon": {"type": "number"}, "isStanding": {"type": "boolean"},
                        "inHighFrictionArea": {"type": "boolean"}}}
HAND = {"type": "object", "required": ["position", "rotation", "localPosition", "localRotation"],
        "properties": {k: VEC for k in ("position", "rotation", "localPosition", "localRotation")}}
_ARRAYS = ("thirdPartyCameras", "collidedObjects", "inventoryObjects", "flatSurfacesOnGrid",
           "distances", "normals", "isOpenableGrid", "segmentedObjectIds", "objectIdsInBox",
           "actionStringsReturn", "actionFloatsReturn", "actionVector3sReturn")
SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema",
    "type": "object",
    "required": list(_ARRAYS) + [
        "objects", "agent", "heldObjectPose", "isSceneAtRest", "fov", "cameraPosition",
        "cameraOrthSize", "collided", "sceneName", "lastAction", "errorMessage", "errorCode",
        "lastActionSuccess", "screenWidth", "screenHeight", "agentId", "colors", "colorBounds",
        "actionIntReturn", "actionFloatReturn", "visibleRange", "actionReturn", "currentTime",
        "sceneBounds"],
    "properties": {
        **{k: {"type": "array"} for k in _ARRAYS},
        "objects": {"type": "array", "items": OBJECT}, "agent": AGENT, "heldObjectPose": HAND,
        "isSceneAtRest": {"type": "boolean"}, "fov": {"type": "number"}, "cameraPosition": VEC,
        "cameraOrthSize": {"type": "number"}, "collided": {"type": "boolean"},
        "sceneName": {"type": "string"}, "lastAction": {"type": "string"},
        "errorMessage": {"type": "string"},
        # null unless the failure has a code (then the client may raise ValueError)
        "errorCode": {"type": ["null", "string"]},
        "lastActionSuccess": {"type": "boolean"}, "screenWidth": {"type": "integer"},
        "screenHeight": {"type": "integer"}, "agentId": {"type": "integer"},
        "colors": {"type": "null"}, "colorBounds": {"type": "null"},
        "actionIntReturn": {"type": "integer"}, "actionFloatReturn": {"type": "number"},
        "visibleRange": {"type": ["object", "null"]}, "currentTime": {"type": "number"},
        "sceneBounds": BOX,
    },
}
