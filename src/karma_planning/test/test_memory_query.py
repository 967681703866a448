"""The one memory query path (karma_planning.memory_query): the view of a scene graph, the
request's overlays, item embeddings computed once per item text, context items, find."""
import pytest

from karma_memory import Observation, SceneGraph
from karma_planning.embedding import HashEmbedder
from karma_planning.memory_query import MemoryQuery, RetrievalRequest, graph_dicts
from karma_planning.memory_view import Hand, MemoryItem, MemoryView
from karma_planning.retrieval import Retriever
from karma_planning.synonyms import SynonymTable


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the texts it was asked to embed."""

    def __init__(self):
        super().__init__(128)
        self.texts = []

    def encode(self, texts):
        self.texts += list(texts)
        return super().encode(texts)


def kitchen(extra_apples: int = 0) -> SceneGraph:
    g = SceneGraph()
    g.add_region('kitchen', (-5.0, -5.0, 5.0, 5.0))
    g.add_region('office', (5.0, -5.0, 15.0, 5.0))
    obs = [Observation('Fridge', 'Fridge|1', position=(1.0, 0.0, 0.9), size=(0.8, 0.8, 1.8),
                       is_receptacle=True, states={'isOpen': 'false'}, stamp=10.0),
           Observation('Apple', 'Apple|1', position=(1.0, 0.0, 1.0), size=(0.1, 0.1, 0.1),
                       parent_id='Fridge|1', stamp=10.0),
           Observation('CounterTop', 'CounterTop|1', position=(3.0, 0.0, 0.9), size=(2.0, 0.6, 0.05),
                       is_receptacle=True, stamp=10.0),
           Observation('Mug', 'Mug|1', position=(3.0, 0.0, 1.0), size=(0.1, 0.1, 0.1),
                       parent_id='CounterTop|1', stamp=10.0),
           Observation('Plate', 'Plate|1', position=(8.0, 0.0, 0.8), size=(0.3, 0.3, 0.05),
                       is_receptacle=True, stamp=10.0)]
    obs += [Observation('Apple', f'Apple|x{i}', position=(9.0, 0.2 * i, 0.8), size=(0.1, 0.1, 0.1),
                        stamp=10.0) for i in range(extra_apples)]
    g.apply(obs, stamp=10.0)
    return g


def old_path(g: SceneGraph, retriever: Retriever, req: RetrievalRequest):
    """What the planner did before: the whole graph as QuerySceneGraph dicts, every overlay
    copying every item, then retrieval."""
    from karma_memory_ros.conversions import SceneGraphEncoder
    from karma_planner_ros.conversions import graph_to_dicts
    view = MemoryView.from_graph(*graph_to_dicts(SceneGraphEncoder().encode(g.nx)))
    if req.short_term:
        view = view.with_short_term(req.short_term, known_only=True)
    view = view.with_hand(req.hand)
    if req.failure:
        view = view.with_failure(*req.failure)
    flat = MemoryView({k: MemoryItem(**{**v.__dict__, '_text': None}) for k, v in view.items.items()}, view.hand)
    flat.now = req.now
    return retriever.retrieve(req.instruction + (' ' + req.query_extra if req.query_extra else ''),
                              flat, req.budget_tokens)


def retriever(embedder=None) -> Retriever:
    return Retriever(embedder or HashEmbedder(128), SynonymTable({'red fruit': ['Apple', 'Tomato']}))


def test_graph_dicts_are_what_query_scene_graph_ships():
    from karma_memory_ros.conversions import SceneGraphEncoder
    from karma_planner_ros.conversions import graph_to_dicts
    g = kitchen()
    g.note_skill_failure('not_found', 'Mug|1', 20.0)
    nodes, edges = graph_to_dicts(SceneGraphEncoder().encode(g.nx))
    mine, my_edges = graph_dicts(g.nx)
    assert sorted(mine, key=lambda n: n['id']) == sorted(nodes, key=lambda n: n['id'])
    assert sorted(map(str, my_edges)) == sorted(map(str, edges))


REQUESTS = [
    RetrievalRequest('Bring me the red fruit.'),
    RetrievalRequest('Put the mug in the fridge.', now=25.0),
    RetrievalRequest('Put the mug in the fridge.', hand=Hand('holding', 'Mug|1', 'Mug')),
    RetrievalRequest('Put the apple on the plate.', hand=Hand('holding', 'Egg|9', 'Egg'), budget_tokens=40),
    RetrievalRequest('Find the apple.', failure=('not_found', 'Apple|1', ''), now=30.0),
    RetrievalRequest('Take the apple out.', failure=('container_closed', 'Apple|1', 'Fridge|1')),
    RetrievalRequest('Use the mug I just used.', short_term=[
        {'object_id': 'Mug|1', 'object_type': 'Mug', 'states': {'isDirty': 'true'},
         'receptacle_id': 'Fridge|1', 'source': 'skill', 'step': 3},
        {'object_id': 'Ghost|1', 'object_type': 'Ghost', 'states': {}, 'receptacle_id': '', 'source': 'skill'}]),
]


@pytest.mark.parametrize('req', REQUESTS, ids=lambda r: r.instruction[:20])
def test_retrieval_renders_what_the_old_whole_graph_path_rendered(req):
    g = kitchen(extra_apples=4)
    q = MemoryQuery(retriever())
    q.retrieve(g, RetrievalRequest('warm up the caches'))       # overlays derive from cached arrays
    got = q.retrieve(g, req).retrieval
    want = old_path(g, retriever(), req)
    assert got.memory_ids == want.memory_ids
    assert got.scene_text == want.scene_text and got.stm_text == want.stm_text
    assert got.tokens == want.tokens and got.roles == want.roles and got.wanted_types == want.wanted_types


def test_items_carry_memory_fields_regions_and_roles():
    g = kitchen()
    q = MemoryQuery(retriever())
    a = q.retrieve(g, RetrievalRequest('Bring me an apple.', now=40.0))
    by_id = {i.item.id: i for i in a.items}
    apple = by_id['Apple|1']
    assert apple.role == 'seed' and apple.in_excerpt and apple.tokens > 0 and apple.score > 0
    assert apple.item.receptacle == 'Fridge|1' and apple.item.region == 'kitchen'
    assert apple.item.position == pytest.approx((1.0, 0.0, 1.0)) and apple.item.relation == 'in'
    assert apple.item.last_seen == 10.0 and 0 < apple.item.confidence <= 1
    assert by_id['Fridge|1'].role == 'receptacle'
    # every region of the map is returned (explore targets), in the excerpt or not
    assert {'region:kitchen', 'region:office'} <= set(by_id)
    assert 'last seen 30 s ago' in a.retrieval.scene_text
    regions = q.retrieve(g, RetrievalRequest('anything', regions_only=True))
    assert regions.retrieval.memory_ids == [] and {i.item.layer for i in regions.items} == {'region'}


def test_context_types_bring_every_instance_with_its_receptacle_bounded():
    g = kitchen(extra_apples=6)
    q = MemoryQuery(retriever())
    a = q.retrieve(g, RetrievalRequest('Put the apple on the plate.', context_types=['Apple', 'Fridge']))
    ids = [i.item.id for i in a.items]
    assert len(ids) == len(set(ids))
    assert {f'Apple|x{i}' for i in range(6)} | {'Apple|1', 'Fridge|1'} <= set(ids)
    assert all(not i.in_excerpt for i in a.items if i.role == 'context')
    few = q.retrieve(g, RetrievalRequest('Put the apple on the plate.', context_types=['Apple'],
                                         max_context_items=2))
    assert sum(i.role == 'context' for i in few.items) == 2


def test_held_object_is_returned_even_when_not_ranked():
    g = kitchen()
    g.set_robot_state(2, 'Mug|1', 'Mug', (0.0, 0.0, 0.0), 11.0)
    q = MemoryQuery(retriever())
    a = q.retrieve(g, RetrievalRequest('Go to the office.', budget_tokens=16))
    assert 'Mug|1' in [i.item.id for i in a.items]
    assert a.view.held_id() == 'Mug|1'


def test_item_embeddings_are_computed_once_per_item_text_and_redone_on_change():
    emb = CountingEmbedder()
    g = kitchen()
    q = MemoryQuery(retriever(emb))
    q.retrieve(g, RetrievalRequest('Bring me an apple.'))
    n_items = sum(1 for it in q.view(g).items.values() if it.layer != 'region')
    assert q.embedded == n_items
    builds = q.view_builds
    q.retrieve(g, RetrievalRequest('Bring me the mug.'))
    assert q.embedded == n_items and q.view_builds == builds          # nothing changed: cached
    # a re-sighting (same text) rebuilds the view (confidence, last seen) but embeds nothing
    g.apply([Observation('Mug', 'Mug|1', position=(3.0, 0.0, 1.0), size=(0.1, 0.1, 0.1),
                         parent_id='CounterTop|1', stamp=12.0)], stamp=12.0)
    assert q.refresh(g) and q.view_builds == builds + 1 and q.embedded == n_items
    # a changed state changes that item's text: exactly that one is embedded again
    emb.texts.clear()
    g.apply([Observation('Fridge', 'Fridge|1', position=(1.0, 0.0, 0.9), size=(0.8, 0.8, 1.8),
                         is_receptacle=True, states={'isOpen': 'true'}, stamp=13.0)], stamp=13.0)
    q.refresh(g)
    assert q.embedded == n_items + 1 and emb.texts == ['fridge, isOpen']
    # a new object: one more
    g.apply([Observation('Bread', 'Bread|1', position=(3.2, 0.0, 1.0), size=(0.2, 0.1, 0.1),
                         parent_id='CounterTop|1', stamp=14.0)], stamp=14.0)
    r = q.retrieve(g, RetrievalRequest('Bring me the bread.'))
    assert q.embedded == n_items + 2 and r.retrieval.memory_ids[0] == 'Bread|1'
    # overlays (short-term states) embed only the items they change, and never touch the cache
    q.retrieve(g, RetrievalRequest('Use the mug.', short_term=[
        {'object_id': 'Mug|1', 'object_type': 'Mug', 'states': {'isDirty': 'true'}, 'receptacle_id': '',
         'source': 'skill'}]))
    assert q.embedded == n_items + 3
    assert 'isDirty' not in q.view(g)['Mug|1'].text


def test_find_is_the_scene_graph_ranking():
    g = kitchen(extra_apples=2)
    q = MemoryQuery(retriever())
    assert [i.id for i in q.find(g, 'apple', 3)] == [i.id for i in g.find('apple', 3)]
    assert q.find(g, 'refrigerator', 1)[0].id == 'Fridge|1'
    assert q.finds == 2


def test_find_and_retrieval_match_types_with_one_table():
    """A deployment's phrase (the synonyms file) reaches FindObject and retrieval alike: both
    score types with the retriever's one matcher; the domain table alone does not know it."""
    g = kitchen(extra_apples=1)
    q = MemoryQuery(Retriever(HashEmbedder(128), SynonymTable({'crunchy snack': ['Apple']})))
    assert g.find('a crunchy snack', 5) == []
    found = [i.id for i in q.find(g, 'a crunchy snack', 5)]
    assert sorted(found) == ['Apple|1', 'Apple|x0']
    a = q.retrieve(g, RetrievalRequest('Bring me a crunchy snack.'))
    assert {i.item.id for i in a.items if i.role == 'seed'} >= {'Apple|1', 'Apple|x0'}
    assert 'Apple' in a.retrieval.wanted_types
    # the domain's phrases are in the same table: "red fruit" finds apples, retrieval seeds them
    assert [i.id for i in q.find(g, 'the red fruit', 1)] == ['Apple|1']
    assert q.retriever.matcher is q.retriever.synonyms.matcher()


def test_module_examples():
    import doctest
    from karma_planning import memory_query
    r = doctest.testmod(memory_query)
    assert r.attempted > 0 and r.failed == 0
