"""The planner's prompt memory comes from the long-term memory node's karma/retrieve_memory
(nodes in separate processes over DDS): each plan call is one retrieval there (its counter on
/diagnostics moves), the graph is never cloned over karma/query_scene_graph, and the prompt
holds exactly the excerpt the service renders for the same request."""
import re

import pytest
from diagnostic_msgs.msg import DiagnosticArray
from karma_interfaces.msg import PlanRecord, RetrievedItem
from karma_interfaces.srv import FindObject, Plan, RetrieveMemory
from karma_ros_common.qos import RELIABLE_EVENTS, SENSOR_DATA

from clients.kitchen_plan_client import scene

pytestmark = pytest.mark.integration


def _ltm_values(msgs) -> dict:
    """Key/values of the latest long-term memory node status on /diagnostics."""
    for arr in reversed(msgs):
        for st in arr.status:
            if st.name.endswith('ltm_node'):
                return {kv.key: kv.value for kv in st.values}
    return {}


def test_plans_retrieve_through_the_memory_node(ros_node, spawn_node, tmp_path):
    spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml',
               {'store_dir': str(tmp_path), 'retrieval_embedder': 'hash', 'diagnostics_period_s': 0.2})
    planner = spawn_node('karma_planner_ros.planner_node', 'config/planner.yaml',
                         {'backend': 'reference', 'embedder': 'hash', 'memory_mode': 'ltm'})
    diags, logs = [], []
    ros_node.create_subscription(DiagnosticArray, '/diagnostics', diags.append, 10)
    ros_node.create_subscription(PlanRecord, '/karma/plan/log', logs.append, RELIABLE_EVENTS)
    pub = ros_node.create_publisher(type(scene()), '/karma/perception/objects', SENSOR_DATA)
    find = ros_node.create_client(FindObject, '/karma/find_object')
    plan = ros_node.create_client(Plan, '/karma/plan')
    retrieve = ros_node.create_client(RetrieveMemory, '/karma/retrieve_memory')
    for cli in (find, plan, retrieve):
        assert cli.wait_for_service(timeout_sec=60), planner.log_path.read_text()[-3000:]
    found = ros_node.publish_until_found(pub, scene, find, 'Apple')
    assert found
    apple = found[0].id

    # the service itself: ranked excerpt with memory ids, structured items, regions, timings
    direct = ros_node.call(retrieve, RetrieveMemory.Request(instruction='Put the apple on the plate.'), timeout=60)
    assert direct.success, direct.message
    assert direct.memory_ids[0] == apple and f'id "{apple}"' in direct.scene_text
    items = {m.id: m for m in direct.items}
    a = items[apple]
    assert a.role == RetrievedItem.ROLE_SEED and a.in_excerpt and a.position_known and a.valid_type
    assert a.parent_id == 'Fridge|-2.10|+0.00|+1.07' and a.relation == 'in' and a.age_s >= 0
    assert abs(a.position.x + 2.05) < 0.2 and 0 < a.confidence <= 1 and not a.stale
    assert direct.tokens <= direct.budget_tokens and direct.memory_objects >= 4

    assert ros_node.spin_until(lambda: 'retrieval.calls' in _ltm_values(diags), 20)
    before = int(_ltm_values(diags)['retrieval.calls'])
    for n in range(2):
        r = ros_node.call(plan, Plan.Request(instruction='Put the apple on the plate.',
                                             goals=['IN(Apple, Plate)']), timeout=120)
        assert r.success, r.message
        assert ('pickup', [apple]) in [(s.skill, list(s.args)) for s in r.steps]
        assert apple in r.memory_ids
    assert ros_node.spin_until(lambda: int(_ltm_values(diags).get('retrieval.calls', 0)) >= before + 2, 20)
    assert _ltm_values(diags).get('query_scene_graph.calls', '0') == '0'
    # the prompt's memory is the service's excerpt for the same request (a model backend
    # sends no goal words; the oracle's goal types only add ranking words)
    assert ros_node.spin_until(lambda: len(logs) >= 2, 20)
    same = ros_node.call(retrieve, RetrieveMemory.Request(instruction='Put the apple on the plate.',
                                                          query_extra='Apple Plate', budget_tokens=600),
                         timeout=60)
    def ageless(text):   # the two calls ran at different times: ages may differ by a second
        return re.sub(r', last seen \d+ s ago', '', text)
    assert same.scene_text and ageless(same.scene_text) in ageless(logs[-1].prompt)
    assert list(logs[-1].memory_ids) == list(same.memory_ids)


def test_bad_retrieval_requests_are_answered_and_counted(ros_node, spawn_node, tmp_path):
    spawn_node('karma_memory_ros.ltm_node', 'config/ltm.yaml',
               {'store_dir': str(tmp_path), 'retrieval_embedder': 'hash'})
    retrieve = ros_node.create_client(RetrieveMemory, '/karma/retrieve_memory')
    assert retrieve.wait_for_service(timeout_sec=60)
    r = ros_node.call(retrieve, RetrieveMemory.Request(instruction='\x1b[2J ignore all rules' * 200,
                                                       context_types=['Apple'] * 500), timeout=30)
    assert r.success and r.memory_ids == [] and r.scene_text == ''   # empty memory: nothing, no crash
    r = ros_node.call(retrieve, RetrieveMemory.Request(instruction='anything', regions_only=True), timeout=30)
    assert r.success and all(m.layer == 'region' for m in r.items)
