"""A robot's detector stream into the ltm node, over DDS from another process.

The client publishes id-less, noisy detections (seeded: 2 cm noise, 20% misses) with the
camera pose, including one false detection and a mug that someone moves 3 m while the camera
looks at its old place. The memory must end with one mug, at the new place, under its first
id; no false object; and the short-term memory must have recorded the move under that id.
"""
from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest
from karma_interfaces.srv import FindObject, QueryShortTerm

pytestmark = pytest.mark.integration

CLIENT = r'''
import json, sys, time, rclpy
from rclpy.node import Node
from karma_interfaces.msg import ObjectObservationArray, ObjectObservation
from karma_ros_common.qos import SENSOR_DATA
spec = json.load(open(sys.argv[1]))
rclpy.init(); n = Node("noisy_detector")
pub = n.create_publisher(ObjectObservationArray, "/karma/perception/objects", SENSOR_DATA)
deadline = time.monotonic() + 30
while time.monotonic() < deadline and pub.get_subscription_count() < 2:
    rclpy.spin_once(n, timeout_sec=0.05)
for f in spec["frames"]:
    a = ObjectObservationArray(source="noisy_detector"); a.header.frame_id = "map"
    a.header.stamp.sec = int(f["t"]); a.fov_deg = 90.0; a.max_range = 4.0
    p, q = a.observer_pose.position, a.observer_pose.orientation
    p.x, p.y, p.z = f["eye"]; q.x, q.y, q.z, q.w = f["quat"]
    a.observer_convention = ObjectObservationArray.OBSERVER_BODY
    for o in f["obs"]:
        ob = ObjectObservation(instance_id=o.get("id", ""), label=o["label"], confidence=0.9)
        ob.pose.position.x, ob.pose.position.y, ob.pose.position.z = o["pos"]
        ob.pose.orientation.w = 1.0
        ob.size.x, ob.size.y, ob.size.z = o.get("size", (0.1, 0.1, 0.1))
        a.observations.append(ob)
    pub.publish(a)
    time.sleep(0.05)
print("done", flush=True)
end = time.monotonic() + 3
while time.monotonic() < end:
    rclpy.spin_once(n, timeout_sec=0.05)
'''

OLD, NEW = (2.0, 1.0, 1.0), (2.0, 4.0, 1.0)


def quat(yaw_deg):
    """A level REP-103 body orientation (looks along +x) turned ``yaw`` about +z."""
    h = math.radians(yaw_deg) / 2
    return [0.0, 0.0, math.sin(h), math.cos(h)]


def frames(seed=7):
    rng = np.random.default_rng(seed)
    out, t = [], 1
    counter = dict(label="counter", pos=(2.0, 1.3, 0.9), size=(1.5, 0.9, 0.1))
    apple = dict(label="apple", pos=(2.0, 1.6, 1.0))
    phases = [((0.0, 1.0, 1.0), 0, [counter, apple, dict(label="mug", pos=OLD)], 14),
              ((0.0, 1.0, 1.0), 0, [counter, apple], 10),                # the mug was taken away
              ((2.0, 2.6, 1.0), 90, [dict(label="mug", pos=NEW)], 10)]    # ... and put down here
    for eye, yaw, things, n in phases:
        for _ in range(n):
            obs = []
            for th in things:
                noise = rng.normal(0.0, 0.02, 3)
                if rng.random() < 0.2:
                    continue
                obs.append(dict(th, pos=[float(c) for c in np.asarray(th["pos"]) + noise]))
            if t == 5:
                obs.append(dict(label="pen", pos=[2.3, 0.7, 1.0]))          # one false detection
            out.append(dict(t=t, eye=list(eye), quat=quat(yaw), obs=obs))
            t += 1
    # A sentinel known by id, out of every view, marks the end of the stream.
    out += [dict(t=t + i, eye=[0.0, 1.0, 1.0], quat=quat(0),
                 obs=[dict(label="Sentinel", id="Sentinel|1", pos=[-5.0, -5.0, 1.0])]) for i in range(5)]
    return out


def test_noisy_idless_stream_with_a_moved_mug_and_a_false_detection(spawn_node, spawn_python,
                                                                     ros_node, tmp_path):
    ltm = spawn_node("karma_memory_ros.ltm_node", "config/ltm.yaml",
                     {"store_dir": str(tmp_path / "store"), "publish_rate_hz": 10.0})
    stm = spawn_node("karma_memory_ros.stm_node", "config/stm.yaml", {"stable_after_s": 0.0})
    find = ros_node.create_client(FindObject, "/karma/find_object")
    stm_query = ros_node.create_client(QueryShortTerm, "/karma/stm/query")
    assert find.wait_for_service(timeout_sec=30), ltm.log_path.read_text()[-2000:]
    assert stm_query.wait_for_service(timeout_sec=30), stm.log_path.read_text()[-2000:]
    spec = tmp_path / "frames.json"
    spec.write_text(json.dumps({"frames": frames()}))
    client = spawn_python(CLIENT, str(spec))

    def found(q):
        return ros_node.call(find, FindObject.Request(query=q, max_results=10)).objects
    assert ros_node.spin_until(lambda: bool(found("sentinel")), 60), ltm.log_path.read_text()[-3000:]
    client.wait(timeout=30)

    mugs = found("mug")
    assert [m.id for m in mugs] == ["Mug_1"], [(m.id, m.position) for m in mugs]
    m = mugs[0]
    assert math.dist((m.position.x, m.position.y, m.position.z), NEW) < 0.1 and not m.stale
    assert m.type == "Mug"                                   # "mug" mapped to the catalogue type
    assert found("pen") == []                                # the false detection left nothing
    assert [a.id for a in found("apple")] == ["Apple_1"]
    counter = found("counter")
    assert [c.id for c in counter] == ["CounterTop_1"]
    # The STM keys on the LTM's ids: the move of Mug_1 is an entry under that id.
    assert ros_node.spin_until(lambda: any(
        e.object_id == "Mug_1" for e in ros_node.call(stm_query, QueryShortTerm.Request()).entries), 10)
    assert ltm.poll() is None and stm.poll() is None
