"""STM node in its own process: perception changes, skill results, usage hits, consolidation."""
import pytest
from karma_interfaces.msg import MemoryUsage, ObjectObservationArray, SkillResult
from karma_interfaces.srv import QueryShortTerm, ResetMemory
from karma_ros_common.qos import RELIABLE_EVENTS, SENSOR_DATA

from clients.kitchen_plan_client import observation

pytestmark = pytest.mark.integration


def frame(fridge_open: str):
    msg = ObjectObservationArray(source='test')
    msg.header.frame_id = 'map'
    msg.observations = [observation('Fridge_1', 'Fridge', (1, 0, 1), (1, 2, 1), receptacle=True,
                                     states=[('isOpen', fridge_open)]),
                        observation('Apple_1', 'Apple', (1, 1, 1), (.1, .1, .1), parent='Fridge_1')]
    return msg


def test_stm_node_records_counts_and_consolidates(ros_node, spawn_node):
    proc = spawn_node('karma_memory_ros.stm_node', 'config/stm.yaml', {'capacity': 1, 'stable_after_s': 0.0})
    consolidated = []
    ros_node.create_subscription(ObjectObservationArray, '/karma/ltm/consolidate', consolidated.append, RELIABLE_EVENTS)
    objects = ros_node.create_publisher(ObjectObservationArray, '/karma/perception/objects', SENSOR_DATA)
    skills = ros_node.create_publisher(SkillResult, '/karma/skill_results', RELIABLE_EVENTS)
    usage = ros_node.create_publisher(MemoryUsage, '/karma/memory_usage', RELIABLE_EVENTS)
    query = ros_node.create_client(QueryShortTerm, '/karma/stm/query')
    reset = ros_node.create_client(ResetMemory, '/karma/stm/reset')
    assert query.wait_for_service(timeout_sec=30), proc.log_path.read_text()[-2000:]

    def entries():
        return ros_node.call(query, QueryShortTerm.Request()).entries

    def until(pred, publish=None):
        for _ in range(40):
            if publish:
                publish()
            if ros_node.spin_until(pred, 0.25):
                return True
        return False

    # first sighting is only a baseline; the fridge opening is a change
    assert until(lambda: any(e.object_id == 'Fridge_1' for e in entries()),
                 lambda: (objects.publish(frame('false')), ros_node.spin_until(lambda: False, 0.2),
                          objects.publish(frame('true'))))
    e = entries()[0]
    assert {(kv.key, kv.value) for kv in e.states} >= {('isOpen', 'true')} and e.source == 'perception'
    # a skill result replaces it (capacity 1): the fridge entry is evicted and consolidated
    skills.publish(SkillResult(skill='pickup', args=['Apple_1'], success=True, object_ids=['Apple_1'],
                               object_states=['isPickedUp=true'], held_object_id='Apple_1'))
    assert until(lambda: bool(consolidated) and entries() and entries()[0].object_id == 'Apple_1')
    c = consolidated[0]
    assert c.source == 'short_term' and c.observations[0].instance_id == 'Fridge_1'
    # a plan used the apple: one hit
    usage.publish(MemoryUsage(retrieved_ids=['Apple_1', 'Plate_1'], referenced_ids=['Apple_1']))
    assert until(lambda: ros_node.call(query, QueryShortTerm.Request()).hits == 1)
    r = ros_node.call(query, QueryShortTerm.Request(query='apple'))
    assert r.policy == 'karma' and r.evictions == 1 and r.hit_rate == 1.0 and r.entries[0].hit_count == 1
    assert ros_node.call(reset, ResetMemory.Request()).success and not entries()
