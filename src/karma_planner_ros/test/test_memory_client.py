"""The planner's side of karma/retrieve_memory: the service's items, converted to messages and
back, are the items it ranked and rendered (so the planner plans over what the prompt shows)."""
from karma_memory import Observation, SceneGraph
from karma_memory_ros.retrieval_service import RetrievalService
from karma_planner_ros.memory_client import hand_msg, retrieval_from_response, view_from_items
from karma_planning.embedding import HashEmbedder
from karma_planning.memory_query import MemoryQuery, RetrievalRequest
from karma_planning.memory_view import Hand
from karma_planning.retrieval import Retriever, render_item
from karma_interfaces.srv import RetrieveMemory


def test_items_survive_the_message_round_trip():
    g = SceneGraph()
    g.add_region('kitchen', (-5.0, -5.0, 5.0, 5.0))
    g.apply([Observation('Fridge', 'Fridge|1', position=(1.0, 0.0, 0.9), size=(0.8, 0.8, 1.8),
                         is_receptacle=True, states={'isOpen': 'false'}, stamp=10.0),
             Observation('Apple', 'Apple|1', position=(1.0, 0.0, 1.0), size=(0.1, 0.1, 0.1),
                         parent_id='Fridge|1', stamp=10.0)], stamp=10.0)
    q = MemoryQuery(Retriever(HashEmbedder()))
    a = q.retrieve(g, RetrievalRequest('Bring me the apple.', failure=('not_found', 'Apple|1', ''), now=70.0,
                                       short_term=[{'object_id': 'Fridge|1', 'object_type': 'Fridge',
                                                    'states': {'open': 'true'}, 'receptacle_id': '',
                                                    'source': 'skill'}]))
    resp = RetrieveMemory.Response(scene_text=a.retrieval.scene_text, stm_text=a.retrieval.stm_text,
                                   memory_ids=a.retrieval.memory_ids,
                                   items=[RetrievalService._item(x, 70.0) for x in a.items])
    view = view_from_items(resp.items, Hand('empty'))
    view.now = 70.0
    for x in a.items:
        assert render_item(view[x.item.id], 70.0) == render_item(x.item, 70.0)
    apple = view['Apple|1']
    assert apple.stale and apple.confidence <= 0.25 and apple.position == (1.0, 0.0, 1.0)
    assert view['Fridge|1'].recent == {'isOpen': 'true'}   # one spelling (karma_domain.states) and view.region_names() == ['kitchen']
    r = retrieval_from_response(resp)
    assert r.memory_ids == a.retrieval.memory_ids and r.roles == a.retrieval.roles
    assert r.tokens == a.retrieval.tokens


def test_hand_message_round_trip():
    assert hand_msg(Hand('holding', 'Mug|1', 'Mug')).held_object_id == 'Mug|1'
    assert hand_msg(Hand('empty')).hand_state == 1 and hand_msg(Hand()).hand_state == 0
