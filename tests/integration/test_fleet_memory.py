"""Fleet memory over DDS: two long-term memory nodes under /robot1 and /robot2 (separate
processes, loopback) share one PostgreSQL database (a private server started by the test).

What robot1 sees reaches robot2's FindObject and robot2's planner (reference backend, hash
embedder: no model to load), carrying robot1 as its robot; the same mug seen
by robot2 stays one object in both; a kill -9 of a robot mid-stream, or of the database
mid-stream, loses no update the robot had applied (robot2 ends up with every one)."""
import os
import signal

import pytest
from geometry_msgs.msg import Point, Pose, Quaternion, Vector3
from karma_interfaces.msg import ObjectObservation, ObjectObservationArray
from karma_interfaces.srv import FindObject, Plan, QuerySceneGraph
from karma_ros_common.qos import RELIABLE_EVENTS, SENSOR_DATA

pytestmark = pytest.mark.integration

LTM = 'import sys; from karma_memory_ros.ltm_node import main; sys.exit(main(sys.argv))'
PLANNER = 'import sys; from karma_planner_ros.planner_node import main; sys.exit(main(sys.argv))'


def obs(iid, label, x, y=0.4, z=0.85):
    return ObjectObservation(instance_id=iid, label=label, confidence=0.9,
                             pose=Pose(position=Point(x=x, y=y, z=z), orientation=Quaternion(w=1.0)),
                             size=Vector3(x=0.1, y=0.1, z=0.1))


def message(*observations, source='fleet_test'):
    msg = ObjectObservationArray(source=source, observations=list(observations))
    msg.header.frame_id = 'map'
    return msg


class Robot:
    def __init__(self, ros_node, spawn_python, ns, store, url):
        self.n, self.ns, self.args = ros_node, ns, (store, url)
        self.spawn = spawn_python
        self.pub = ros_node.create_publisher(ObjectObservationArray, f'/{ns}/karma/perception/objects',
                                             SENSOR_DATA)
        self.consolidate = ros_node.create_publisher(ObjectObservationArray,
                                                     f'/{ns}/karma/ltm/consolidate', RELIABLE_EVENTS)
        self.find = ros_node.create_client(FindObject, f'/{ns}/karma/find_object')
        self.query = ros_node.create_client(QuerySceneGraph, f'/{ns}/karma/query_scene_graph')
        self.start()

    def start(self):
        store, url = self.args
        self.proc = self.spawn(LTM, '--ros-args', '-r', f'__ns:=/{self.ns}', '--params-file',
                               'config/ltm.yaml', '-p', f'store_dir:={store}', '-p', f'store_url:={url}',
                               '-p', 'confirm_frames:=1', '-p', 'fleet_sync_period_s:=0.05')
        assert self.query.wait_for_service(timeout_sec=90), self.proc.log_path.read_text()[-3000:]
        return self

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def call(self, client, req, tries=6):
        for attempt in range(tries):   # a restarted server is matched some time after discovery
            try:
                return self.n.call(client, req, timeout=10)
            except TimeoutError:
                if attempt == tries - 1:
                    raise

    def objects(self, label):
        r = self.call(self.find, FindObject.Request(query=label, max_results=100))
        return [o for o in r.objects if o.type == label]

    def ids(self):
        return {n.id for n in self.call(self.query, QuerySceneGraph.Request()).graph.nodes
                if n.layer in ('object', 'receptacle')}

    def deliver(self, make, numbers, rounds=40):
        """Consolidate ``make(i)`` until this robot's memory answers with them all (applied)."""
        want = {f'Obj|{i}' for i in numbers}
        for _ in range(rounds):
            have = self.ids()
            if want <= have:
                return True
            for i in sorted(numbers):
                if f'Obj|{i}' not in have:
                    self.consolidate.publish(make(i))
            self.n.spin_until(lambda: False, 0.5)
        return want <= self.ids()


def until(ros_node, predicate, timeout=60.0, step=0.3):
    """Poll a service-backed predicate until it holds (events arrive over DDS and the DB)."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        ros_node.spin_until(lambda: False, step)
    return predicate()


def thing(i):
    return message(obs(f'Obj|{i}', 'Book', 0.3 * i, 3.0, 0.5))


def test_two_namespaced_memories_share_one_database(ros_node, spawn_python, pg_cluster, tmp_path):
    r1 = Robot(ros_node, spawn_python, 'robot1', tmp_path / 'r1', pg_cluster.url)
    r2 = Robot(ros_node, spawn_python, 'robot2', tmp_path / 'r2', pg_cluster.url)
    assert ros_node.spin_until(lambda: r1.pub.get_subscription_count() > 0
                               and r2.pub.get_subscription_count() > 0, 30)
    # robot1 sees a mug (no perception id: the memory mints one) on a table.
    scene = message(obs('Table|1', 'DiningTable', 1.0, 0.4, 0.4), obs('', 'Mug', 1.0))
    scene.observations[0].size = Vector3(x=1.2, y=0.8, z=0.8)
    assert until(ros_node, lambda: r1.pub.publish(scene) or r1.objects('Mug'))
    (mug1,) = r1.objects('Mug')
    assert mug1.id.endswith(':robot1') and mug1.robot == 'robot1'
    assert until(ros_node, lambda: r2.objects('Mug')), r2.proc.log_path.read_text()[-3000:]
    (seen,) = r2.objects('Mug')
    assert seen.id == mug1.id and seen.robot == 'robot1' and seen.receptacle_id == 'Table|1'
    # robot2's planner plans from what robot1 saw (it asks robot2's own memory).
    planner = spawn_python(PLANNER, '--ros-args', '-r', '__ns:=/robot2', '--params-file',
                           'config/planner.yaml', '-p', 'backend:=reference', '-p', 'embedder:=hash')
    plan = ros_node.create_client(Plan, '/robot2/karma/plan')
    assert plan.wait_for_service(timeout_sec=120), planner.log_path.read_text()[-3000:]
    for _ in range(30):   # a planner just started may not have discovered the memory yet
        r = ros_node.call(plan, Plan.Request(instruction='Pick up the mug.', goals=['HOLDING(Mug)']),
                          timeout=120)
        if 'long-term memory unavailable' not in r.message:
            break
        ros_node.spin_until(lambda: False, 1.0)
    assert mug1.id in r.memory_ids, (r.message, list(r.memory_ids))
    # robot2 sees the same mug a little off: still one mug in both memories, now robot2's sighting.
    other = message(obs('', 'Mug', 1.05))
    assert until(ros_node, lambda: r2.pub.publish(other) or r2.objects('Mug')[0].robot == 'robot2')
    assert until(ros_node, lambda: r1.objects('Mug')[0].robot == 'robot2')
    assert [o.id for o in r1.objects('Mug')] == [o.id for o in r2.objects('Mug')] == [mug1.id]

    # kill -9 of robot1 mid-stream: whatever it had applied reaches robot2 after its restart.
    assert ros_node.spin_until(lambda: r1.consolidate.get_subscription_count() > 0, 30)
    assert r1.deliver(thing, range(0, 12))
    r1.kill()
    r1.start()
    assert r1.deliver(thing, range(12, 16))
    assert until(ros_node, lambda: {f'Obj|{i}' for i in range(16)} <= r2.ids(), 90)

    # kill -9 of the database mid-stream: robot1 keeps applying on its cache, catches up later.
    pg_cluster.kill()
    assert r1.deliver(thing, range(16, 30))       # applied while the server is gone
    assert not {f'Obj|{i}' for i in range(16, 30)} & r2.ids()
    pg_cluster.start()
    assert until(ros_node, lambda: {f'Obj|{i}' for i in range(30)} <= r2.ids(), 90), \
        r1.proc.log_path.read_text()[-3000:]
    assert r1.proc.poll() is None and r2.proc.poll() is None
    # One of each in both memories: no duplicate from the replays and restarts.
    assert len(r1.objects('Book')) == len(r2.objects('Book')) == 30
