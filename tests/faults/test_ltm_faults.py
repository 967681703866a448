"""The long-term memory under faults, in its own process over DDS (loopback): kill -9 at a
random point of a stream, restart, and it holds every object whose message it had applied;
a load that fails leaves memory untouched; a save outside the allowed folders leaves no file."""
import json
import os
import random
import signal

import pytest
from geometry_msgs.msg import Point, Pose, Quaternion, Vector3
from karma_interfaces.msg import ObjectObservation, ObjectObservationArray
from karma_interfaces.srv import LoadMemory, QuerySceneGraph, SaveMemory
from karma_ros_common.qos import RELIABLE_EVENTS

pytestmark = pytest.mark.integration


def start(spawn_node, store):
    return spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml', {'store_dir': str(store)})


def mug_message(i):
    o = ObjectObservation(instance_id=f'Mug|{i}', label='Mug', confidence=0.9,
                          pose=Pose(position=Point(x=0.1 * i, y=1.0, z=0.9), orientation=Quaternion(w=1.0)),
                          size=Vector3(x=0.1, y=0.1, z=0.1))
    msg = ObjectObservationArray(source='faults', observations=[o])
    msg.header.frame_id = 'map'
    return msg


class Ltm:
    def __init__(self, ros_node):
        self.n = ros_node
        self.pub = ros_node.create_publisher(ObjectObservationArray, '/karma/ltm/consolidate', RELIABLE_EVENTS)
        self.query = ros_node.create_client(QuerySceneGraph, '/karma/query_scene_graph')
        self.load = ros_node.create_client(LoadMemory, '/karma/load_memory')
        self.save = ros_node.create_client(SaveMemory, '/karma/save_memory')

    def call(self, client, req, tries=6):
        for attempt in range(tries):   # a restarted server is matched some time after discovery
            try:
                return self.n.call(client, req, timeout=10)
            except TimeoutError:
                if attempt == tries - 1:
                    raise

    def deliver(self, numbers, rounds=30):
        """Publish the mugs until memory has them all. A publisher may still be matched to a
        killed node's subscription (its DDS lease), so one send can reach nobody."""
        want = {f'Mug|{i}' for i in numbers}
        for _ in range(rounds):
            have = set(self.ids())
            if want <= have:
                return True
            for i in numbers:
                if f'Mug|{i}' not in have:
                    self.pub.publish(mug_message(i))
            self.n.spin_until(lambda: False, 1.0)
        return want <= set(self.ids())

    def ids(self):
        return sorted(n.id for n in self.call(self.query, QuerySceneGraph.Request()).graph.nodes
                      if n.layer in ('object', 'receptacle'))


def test_kill_9_mid_stream_then_restart_keeps_every_applied_message(ros_node, spawn_node, tmp_path):
    ltm = Ltm(ros_node)
    proc = start(spawn_node, tmp_path)
    assert ltm.query.wait_for_service(timeout_sec=60), proc.log_path.read_text()[-2000:]
    assert ros_node.spin_until(lambda: ltm.pub.get_subscription_count() > 0, 30)
    sent = random.Random(os.getpid()).randint(5, 40)
    # Each message is committed before its callback returns, so before the query is answered.
    assert ltm.deliver(range(sent))
    before = ltm.ids()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    start(spawn_node, tmp_path)
    assert ltm.ids() == before and len(before) == sent


def test_failed_loads_leave_memory_untouched_and_saves_stay_inside(ros_node, spawn_node, tmp_path):
    ltm = Ltm(ros_node)
    proc = start(spawn_node, tmp_path / 'store')
    assert ltm.query.wait_for_service(timeout_sec=60), proc.log_path.read_text()[-2000:]
    assert ros_node.spin_until(lambda: ltm.pub.get_subscription_count() > 0, 30)
    assert ltm.deliver(range(3))
    before = ltm.ids()
    (tmp_path / 'store' / 'broken.json').write_text(json.dumps(
        {'format': 'karma-scene-graph/1', 'nodes': 'not a list', 'edges': []}))
    r = ltm.call(ltm.load, LoadMemory.Request(path='broken.json', replace=True))
    assert not r.success and 'must be lists' in r.message
    assert ltm.ids() == before
    huge = {'format': 'karma-scene-graph/1', 'edges': [], 'nodes': [
        {'id': 'Egg|1', 'layer': 'object', 'type': 'Egg', 'position': [1, 1, 1],
         'size': [.1, .1, .1], 'times_seen': 1e30}]}
    (tmp_path / 'store' / 'huge.json').write_text(json.dumps(huge))
    r = ltm.call(ltm.load, LoadMemory.Request(path='huge.json', replace=False))
    assert r.success and r.objects_loaded == 0          # the corrupt node is skipped
    assert ltm.deliver([7])                             # and later commits still work
    for bad in ('.', '..', '../outside.json', '/etc/passwd', 'a\x01b.json'):
        r = ltm.call(ltm.save, SaveMemory.Request(path=bad))
        assert not r.success, bad
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != '.log') == ['store']
    assert not [p for p in (tmp_path / 'store').iterdir() if p.suffix == '.tmp']
    assert proc.poll() is None and 'Mug|7' in ltm.ids() and 'Egg|1' not in ltm.ids()
    # and it was committed: a restart has it
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    start(spawn_node, tmp_path / 'store')
    assert 'Mug|7' in ltm.ids()
