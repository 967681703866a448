"""Memory modes without the scene graph under a detector's perception (no THOR ids): every id
the planner names must resolve to a physical object.

Before, the planner of modes ``none`` and ``full-history`` named id-less detections itself
(``Fridge_1``, the first fridge of a frame), ids the simulator and the memory did not know or
knew as another object, and the skill server answered "unknown object". Now those detections
come back from the long-term memory's association (``/karma/ltm/associated``) under its ids,
which the skill server resolves like any memory id.

The whole sim stack in separate processes (in-process simulator, model-free), ``realistic``
perception, reference planner (goal oracle). Every wait is on an event with a timeout.
"""
import pytest

from karma_bench.stack_client import StackClient
from karma_bench.suite import suite_from_dict
from karma_bench.tasks import StackProcesses, run_task

pytestmark = [pytest.mark.integration]

SUITE = {'format': 'karma-task-suite/1', 'name': 'detector-ids', 'episodes': [{
    'id': 'kitchen', 'scene': 'FloorPlan1', 'seed': 0, 'tasks': [
        {'id': 't1', 'category': 'simple', 'instruction': 'Put the apple in the fridge.',
         'goals': ['IN(Apple, Fridge)']}]}]}


@pytest.fixture(scope='module', params=['none', 'full-history'])
def stack(request, ros_env, tmp_path_factory):
    # ros_env: this module's own ROS_DOMAIN_ID (KARMA_TEST_DOMAIN_ID forces one), loopback only
    mode = request.param
    params = {'planner': {'backend': 'reference', 'memory_mode': mode, 'embedder': 'hash'},
              'ltm': {'store_dir': str(tmp_path_factory.mktemp('ltm')), 'retrieval_embedder': 'hash'},
              'bridge': {'simulator': 'inprocess', 'perception': 'realistic'}}
    with StackProcesses(params, tmp_path_factory.mktemp('logs')) as procs:
        client = StackClient(f'test_detector_ids_{mode.replace("-", "_")}')
        try:
            client.wait_ready(timeout_s=180, check_alive=procs.check_alive)
            yield mode, client, procs
        finally:
            client.close()


def test_plans_name_only_what_the_skill_server_resolves(stack):
    mode, client, procs = stack
    ep = suite_from_dict(SUITE).episodes[0]
    client.reset_episode(ep.scene, ep.seed)
    steps = []
    rec = run_task(client, ep, ep.tasks[0], mode, 0, on_step=steps.append)
    log = '\n'.join(f'{fb.step.skill}({", ".join(fb.step.args)}): '
                    f'{"ok" if fb.success else fb.message}' for fb in steps)
    assert not any('unknown object' in fb.message for fb in steps), log
    # the ids it acted on are the memory's (minted by its association), not THOR's
    acted = [a for fb in steps if fb.step.skill in ('pickup', 'put', 'open', 'close')
             for a in fb.step.args]
    assert acted and all('|' not in a for a in acted), log
    assert rec['success'], f'{rec["executor_message"]}\n{log}'
    procs.check_alive()


def _frame(*objs):
    """One detector frame, stamped now as a driver stamps its frames (the planner files the
    memory's late association of a frame under that frame's stamp: frames stamped alike would
    merge, and an old two-apple frame would join the view of a one-apple one)."""
    import time
    from karma_interfaces.msg import ObjectObservationArray
    from karma_memory_ros.conversions import to_time
    from clients.kitchen_plan_client import observation
    msg = ObjectObservationArray(source='detector', fov_deg=0.0, max_range=0.0)
    msg.header.frame_id = 'map'
    msg.header.stamp = to_time(time.time())
    msg.observations = [observation('', label, xyz, size, receptacle=rec) for label, xyz, size, rec in objs]
    return msg


APPLE_A = ('Apple', (1.0, 2.0, 0.95), (0.08, 0.08, 0.08), False)
APPLE_B = ('Apple', (3.0, -1.0, 0.95), (0.08, 0.08, 0.08), False)
PLATE = ('Plate', (3.3, -1.0, 0.93), (0.25, 0.25, 0.03), True)


def test_mode_none_names_the_apple_it_sees_by_the_memory_id(ros_node, spawn_node, tmp_path):
    """Two apples, then a frame that shows only the second one (a detector, no ids). The plan
    of mode ``none`` picks up the apple in view under the memory's id for it. A frame-local id
    (``Apple_1``: the first apple of that frame) would name the memory's other apple, out of
    view across the room."""
    from karma_interfaces.srv import FindObject, Plan
    from karma_ros_common.qos import SENSOR_DATA
    from karma_interfaces.msg import ObjectObservationArray
    ltm = spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml',
                     {'store_dir': str(tmp_path / 'ltm'), 'retrieval_embedder': 'hash'})
    planner = spawn_node('karma_planner_ros.planner_node', 'config/planner.yaml',
                         {'backend': 'reference', 'embedder': 'hash', 'memory_mode': 'none'})
    pub = ros_node.create_publisher(ObjectObservationArray, '/karma/perception/objects', SENSOR_DATA)
    find = ros_node.create_client(FindObject, '/karma/find_object')
    plan = ros_node.create_client(Plan, '/karma/plan')
    assert find.wait_for_service(timeout_sec=60), ltm.log_path.read_text()[-3000:]
    assert plan.wait_for_service(timeout_sec=60), planner.log_path.read_text()[-3000:]

    def apples():
        return [o for o in ros_node.call(find, FindObject.Request(query='Apple', max_results=5)).objects
                if o.type == 'Apple']
    for _ in range(60):    # best-effort frames may be lost; a new object needs two sightings
        pub.publish(_frame(APPLE_A, APPLE_B, PLATE))
        if ros_node.spin_until(lambda: len(apples()) == 2, 0.3):
            break
    found = apples()
    assert len(found) == 2, ltm.log_path.read_text()[-3000:]
    in_view = min(found, key=lambda o: abs(o.position.x - APPLE_B[1][0]) + abs(o.position.y - APPLE_B[1][1])).id
    req = Plan.Request(instruction='Put the apple on the plate.', goals=['IN(Apple, Plate)'])
    # "now" is what the frames since the last plan call showed (the frame at that call carries
    # over): plan once, then the robot turns so that only the second apple is in view
    ros_node.call(plan, req, timeout=30)
    steps = []
    for _ in range(60):
        pub.publish(_frame(APPLE_B, PLATE))
        ros_node.spin_until(lambda: False, 0.2)
        r = ros_node.call(plan, req, timeout=30)
        steps = [(s.skill, list(s.args)) for s in r.steps]
        if any(s == 'pickup' for s, _ in steps) and sum(i.startswith('Apple') for i in r.memory_ids) == 1:
            break    # the view holds one apple: the frames since the last call showed only it
    assert ('pickup', [in_view]) in steps, (steps, in_view, [o.id for o in found])
    def known(mem_id):
        return any(o.id == mem_id for o in ros_node.call(
            find, FindObject.Request(query=mem_id, max_results=3)).objects)
    assert all(known(a) for s, args in steps if s in ('pickup', 'put') for a in args), steps
    assert ltm.poll() is None and planner.poll() is None
