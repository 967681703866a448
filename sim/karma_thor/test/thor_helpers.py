"""Helpers shared by the THOR player tests (navigation through the real client)."""
from __future__ import annotations

import math


def obj(event, object_id):
    return next(o for o in event.metadata["objects"] if o["objectId"] == object_id)


def first(event, object_type):
    return next(o["objectId"] for o in event.metadata["objects"] if o["objectType"] == object_type)


def go_see(c, object_id):
    """Teleport (through the client) to a pose that sees object_id; returns the event."""
    info = c.step("KarmaGetSceneInfo").metadata["actionReturn"]
    pose = info["interactionPoses"].get(object_id)
    candidates = []
    if pose:
        candidates.append(pose)
    target = obj(c.last_event, object_id)["axisAlignedBoundingBox"]["center"]
    pts = sorted(info["reachable"], key=lambda p: (p["x"] - target["x"]) ** 2
                 + (p["z"] - target["z"]) ** 2)
    for p in pts[:15]:
        yaw = round(math.degrees(math.atan2(target["x"] - p["x"], target["z"] - p["z"])) / 90) * 90
        candidates += [[p["x"], p["z"], yaw % 360, h] for h in (30, 0, 60, -30)]
    for x, z, yaw, h in candidates:
        ev = c.step("TeleportFull", position=dict(x=x, y=0.9, z=z), rotation=dict(x=0, y=yaw, z=0),
                    horizon=h, standing=True)
        if ev and obj(ev, object_id)["visible"]:
            return ev
    raise AssertionError(f"no pose sees {object_id}")


def ok(event):
    assert event.metadata["lastActionSuccess"], event.metadata["errorMessage"]
    return event
