"""Queries beside ingest (issue 11 section 7): FindObject and QuerySceneGraph are served by
their own reentrant callback group while a stream of new objects is being applied, and the
lock around each apply keeps every answer consistent (no internal error, nothing lost).

The memory node spins a MultiThreadedExecutor exactly as its ``main`` does; the stream and
four concurrent FindObject clients are separate nodes talking to it over DDS.
"""
from __future__ import annotations

import threading
import time

import pytest
import rclpy
from karma_interfaces.msg import ObjectObservation, ObjectObservationArray
from karma_interfaces.srv import FindObject, QuerySceneGraph
from rclpy.executors import MultiThreadedExecutor, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter

from karma_memory_ros.concurrency import EXECUTOR_THREADS
from karma_memory_ros.ltm_node import LtmNode
from karma_ros_common.lifecycle import bring_up
from karma_ros_common.qos import RELIABLE_EVENTS

MESSAGES, PER_MESSAGE, CLIENTS = 40, 200, 4


def _message(k: int) -> ObjectObservationArray:
    m = ObjectObservationArray(source="concurrency-test")
    m.header.frame_id = "map"
    for i in range(PER_MESSAGE):
        o = ObjectObservation(instance_id=f"Apple|m{k}_{i}", label="Apple", confidence=0.9)
        o.pose.position.x, o.pose.position.y = 0.3 * (i % 20) + 6.0 * (k % 7), 0.3 * (i // 20) + 3.0 * (k // 7)
        o.pose.position.z = 0.9
        o.pose.orientation.w = 1.0
        o.size.x = o.size.y = o.size.z = 0.1
        m.observations.append(o)
    return m


@pytest.fixture
def memory(tmp_path):
    rclpy.init()
    node = LtmNode(parameter_overrides=[Parameter("store_dir", value=str(tmp_path)),
                                        Parameter("publish_markers", value=False)])
    assert bring_up(node) == ""   # a managed node: configure (open the store) and activate
    ex = MultiThreadedExecutor(num_threads=EXECUTOR_THREADS)
    ex.add_node(node)
    spin = threading.Thread(target=ex.spin, daemon=True)
    spin.start()
    yield node
    ex.shutdown(timeout_sec=30)
    spin.join(30)   # the spin thread has returned before the node goes
    node.destroy_node()
    rclpy.try_shutdown()


def test_queries_have_their_own_group(memory):
    groups = {s.srv_name.lstrip("/"): s.callback_group for s in memory.services}
    for name in ("karma/find_object", "karma/query_scene_graph"):
        assert groups[name] is memory.access.queries
        assert groups[name] is not memory.default_callback_group
    assert EXECUTOR_THREADS > 1


def test_finds_answered_consistently_during_a_stream(memory):
    client = Node("concurrency_test_client")
    ex = SingleThreadedExecutor()
    ex.add_node(client)
    spin = threading.Thread(target=ex.spin, daemon=True)
    spin.start()
    try:
        pub = client.create_publisher(ObjectObservationArray, "/karma/ltm/consolidate", RELIABLE_EVENTS)
        finds = [client.create_client(FindObject, "/karma/find_object") for _ in range(CLIENTS)]
        query = client.create_client(QuerySceneGraph, "/karma/query_scene_graph")
        assert all(c.wait_for_service(timeout_sec=30) for c in finds + [query])
        deadline = time.monotonic() + 30
        while pub.get_subscription_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)   # discovery: waits on the match, bounded above
        answers: list[list] = [[] for _ in finds]
        done = threading.Event()

        def ask(k: int) -> None:
            while not done.is_set():
                f = finds[k].call_async(FindObject.Request(query="apple", max_results=5))
                got = threading.Event()
                f.add_done_callback(lambda _f: got.set())
                assert got.wait(60), "FindObject not answered"
                answers[k].append(f.result())

        askers = [threading.Thread(target=ask, args=(k,), daemon=True) for k in range(CLIENTS)]
        for t in askers:
            t.start()
        deadline = time.monotonic() + 180
        for k in range(MESSAGES):
            # At most a few messages in flight (the reliable queue is bounded): waits on the
            # node's own applied count, bounded above.
            while memory.applied_messages < k - 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            pub.publish(_message(k))
        while memory.applied_messages < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.05)
        f = query.call_async(QuerySceneGraph.Request())
        got = threading.Event()
        f.add_done_callback(lambda _f: got.set())
        assert got.wait(60)
        done.set()
        for t in askers:
            t.join(60)
        assert memory.applied_messages == MESSAGES
        assert len(memory.graph) == MESSAGES * PER_MESSAGE
        assert f.result().success and len(f.result().graph.nodes) >= MESSAGES * PER_MESSAGE
        assert all(answers), "every client got answers while the stream was applied"
        for a in answers:
            assert all(len(r.objects) <= 5 and all(o.type == "Apple" for o in r.objects) for r in a)
        last = finds[0].call(FindObject.Request(query="apple", max_results=5), timeout_sec=60) \
            if hasattr(finds[0], "call") else None
        assert last is None or len(last.objects) == 5
        assert memory.rejections.counts.get("internal_error", 0) == 0, memory.rejections.counts
    finally:
        ex.shutdown(timeout_sec=30)
        spin.join(30)
        client.destroy_node()
