"""Mode ``none`` under a detector (no ids) names the object in view by the memory's id for it.

Its own module, so its own DDS domain: in ``test_detector_ids`` a module-scoped sim stack stays
up until the module ends, and its memory would answer this test's ``FindObject`` calls too.
"""
import pytest

pytestmark = [pytest.mark.integration]


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
    def memory():
        return [(o.id, o.type, round(o.position.x, 2), round(o.position.y, 2)) for q in ('Apple', 'Plate')
                for o in ros_node.call(find, FindObject.Request(query=q, max_results=10)).objects]
    assert all(known(a) for s, args in steps if s in ('pickup', 'put') for a in args), \
        (steps, memory(), ltm.log_path.read_text()[-3000:], planner.log_path.read_text()[-3000:])
    assert ltm.poll() is None and planner.poll() is None
