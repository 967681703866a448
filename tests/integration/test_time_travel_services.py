"""ltm_node's time travel (/karma/query_history), operator corrections (/karma/correct_memory)
and Spark-DSG save/load, over DDS with the node in its own process."""
from __future__ import annotations

import time

import pytest
import spark_dsg as dsg
from karma_interfaces.msg import HistoryChange
from karma_interfaces.srv import CorrectMemory, LoadMemory, QueryHistory, SaveMemory

from karma_memory_ros.conversions import to_sec, to_time
from memory_stream import KITCHEN, Stream, ob

pytestmark = pytest.mark.integration
LTM = "karma_memory_ros.ltm_node"


@pytest.fixture
def memory(ros_node, spawn_node, tmp_path):
    spawn_node(LTM, "config/ltm.yaml", {"store_dir": str(tmp_path), "publish_rate_hz": 10.0})
    s = Stream(ros_node)
    assert s.wait_subscribers(1)
    s.kitchen_map(99.0)
    s.wait_graph(lambda n: "region:kitchen" in n)
    s.frame(100.0, KITCHEN + [ob("Mug", "Mug|1", (1.0, 1.0, 1.0))])
    s.wait_graph(lambda n: n.get("Mug|1", {}).get("parent") == "CounterTop|1")
    s.frame(200.0, [ob("Mug", "Mug|1", (4.0, 1.0, 0.9), parent="Fridge|1")])
    s.wait_graph(lambda n: n["Mug|1"].get("parent") == "Fridge|1")
    hist = ros_node.create_client(QueryHistory, "/karma/query_history")
    fix = ros_node.create_client(CorrectMemory, "/karma/correct_memory")
    assert hist.wait_for_service(timeout_sec=20) and fix.wait_for_service(timeout_sec=20)
    return s, hist, fix


def _q(ros_node, hist, **kw):
    for k in ("t", "t_start", "t_end"):
        if k in kw:
            kw[k] = to_time(kw[k])
    return ros_node.call(hist, QueryHistory.Request(**kw))


def test_where_was_the_mug_and_what_changed(ros_node, memory):
    _, hist, _ = memory
    Q = QueryHistory.Request
    r = _q(ros_node, hist, query=Q.QUERY_WHERE_AT, object_id="Mug|1", t=150.0)
    assert r.success and r.found and r.objects[0].receptacle_id == "CounterTop|1"
    assert r.objects[0].region_id == "region:kitchen"
    r = _q(ros_node, hist, query=Q.QUERY_WHERE_AT, object_id="Mug|1", t=250.0)
    assert r.objects[0].receptacle_id == "Fridge|1" and abs(r.objects[0].position.x - 4.0) < 1e-6
    assert not _q(ros_node, hist, query=Q.QUERY_WHERE_AT, object_id="Mug|1", t=50.0).found
    r = _q(ros_node, hist, query=Q.QUERY_CHANGES, t_start=150.0, t_end=250.0)
    [c] = [c for c in r.changes if c.id == "Mug|1"]
    assert c.kind == HistoryChange.KIND_CHANGED and "position" in c.fields and "parent" in c.fields
    assert c.before.receptacle_id == "CounterTop|1" and c.after.receptacle_id == "Fridge|1"
    assert c.cause == "perception:test_cam"
    r = _q(ros_node, hist, query=Q.QUERY_LAST_SEEN, object_id="Mug|1")
    assert r.found and to_sec(r.last_seen) == 200.0
    assert to_sec(r.history_start) <= 100.0 and to_sec(r.history_end) >= 200.0
    r = _q(ros_node, hist, query=Q.QUERY_GRAPH_AT, t=150.0)
    nodes = {n.id: n for n in r.graph.nodes}
    assert {"Mug|1", "CounterTop|1", "Fridge|1", "region:kitchen"} <= set(nodes)
    assert abs(nodes["Mug|1"].position.x - 1.0) < 1e-6
    bad = _q(ros_node, hist, query=0)
    assert not bad.success and "unknown query" in bad.message


def test_operator_corrections_stand_against_perception(ros_node, memory):
    s, hist, fix = memory
    C = CorrectMemory.Request
    r = ros_node.call(fix, C(operation=C.OP_MOVE, target_id="Mug|1", parent_id="CounterTop|1"))
    assert r.success, r.message
    s.wait_graph(lambda n: n["Mug|1"].get("parent") == "CounterTop|1" and n["Mug|1"]["source"] == "operator")
    # The correction is stamped with the node's clock (now); perception disagrees after it.
    later = float(int(time.time()) + 100)
    s.frame(later, [ob("Mug", "Mug|1", (4.0, 1.0, 0.9), parent="Fridge|1")])
    # Wait on the event that proves the frame was applied: the mug was seen then.
    q = QueryHistory.Request(query=QueryHistory.Request.QUERY_LAST_SEEN, object_id="Mug|1")
    assert ros_node.spin_until(lambda: to_sec(ros_node.call(hist, q).last_seen) == later, 20)
    assert s.nodes(s.graphs[-1])["Mug|1"]["parent"] == "CounterTop|1"
    at = _q(ros_node, hist, query=QueryHistory.Request.QUERY_WHERE_AT, object_id="Mug|1", t=later)
    assert at.objects[0].source == "operator" and at.objects[0].receptacle_id == "CounterTop|1"
    added = ros_node.call(fix, C(operation=C.OP_ADD, type="Kettle", has_position=True,
                                 position=to_point((2.0, 3.0, 0.9))))
    assert added.success and added.id == "Kettle_1"
    for bad in (C(operation=C.OP_MOVE, target_id="Ghost|9", parent_id="Fridge|1"),
                C(operation=9, target_id="Mug|1"),
                C(operation=C.OP_ADD, type="Cup", has_position=True, position=to_point((float("nan"), 0, 0)))):
        r = ros_node.call(fix, bad)
        assert not r.success and r.message.startswith("correction refused")
    r = ros_node.call(fix, C(operation=C.OP_DELETE, target_id="Kettle_1"))
    assert r.success
    s.wait_graph(lambda n: "Kettle_1" not in n)


def test_spark_dsg_save_and_load_over_the_services(ros_node, memory, tmp_path):
    save = ros_node.create_client(SaveMemory, "/karma/save_memory")
    load = ros_node.create_client(LoadMemory, "/karma/load_memory")
    assert save.wait_for_service(timeout_sec=20) and load.wait_for_service(timeout_sec=20)
    r = ros_node.call(save, SaveMemory.Request(path="graph.dsg.json"))
    assert r.success, r.message
    G = dsg.DynamicSceneGraph.load(r.path)
    names = sorted(n.attributes.name for n in G.get_layer(dsg.DsgLayers.OBJECTS).nodes)
    assert names == ["CounterTop", "Fridge", "Mug"]
    assert G.get_layer(dsg.DsgLayers.ROOMS).num_nodes() == 1
    r = ros_node.call(load, LoadMemory.Request(path="graph.dsg.json", replace=True))
    assert r.success and r.objects_loaded == 3, r.message


def to_point(p):
    from geometry_msgs.msg import Point
    return Point(x=float(p[0]), y=float(p[1]), z=float(p[2]))
