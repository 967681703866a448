"""A failed skill is evidence: not found where believed, hand empty, container closed."""
from helpers_ltm import obs
from karma_memory import SceneGraph
from karma_memory.scene_graph import HAND_HOLDING


def kitchen():
    g = SceneGraph()
    g.apply([obs('Fridge', 'Fridge|1', (0, 0, 0.9), (0.8, 0.8, 1.8), rec=True,
                 states={'isOpen': 'true'}),
             obs('Egg', 'Egg|1', (0, 0, 1.0), parent='Fridge|1'),
             obs('Mug', 'Mug|1', (2, 0, 1.0))], stamp=1)
    return g


def test_not_found_demotes_the_belief_at_once_and_keeps_the_object():
    g = kitchen()
    assert not g.get('Mug|1').stale
    assert g.note_skill_failure('not_found', 'Mug|1', stamp=2) == ['Mug|1']
    mug = g.get('Mug|1')
    assert mug.stale and mug.confidence < 0.5 and 'Mug|1' in g
    g.apply([obs('Mug', 'Mug|1', (2, 0, 1.0))], stamp=3)     # seen again: restored
    assert not g.get('Mug|1').stale


def test_container_closed_marks_the_holder_closed():
    g = kitchen()
    assert g.note_skill_failure('container_closed', 'Egg|1', stamp=2) == ['Fridge|1']
    assert g.get('Fridge|1').states['isOpen'] == 'false'


def test_hand_empty_releases_a_held_belief():
    g = kitchen()
    g.set_robot_state(HAND_HOLDING, 'Mug|1', 'Mug', (2, 0, 0.9), stamp=2)
    assert g.held == 'Mug|1'
    assert g.note_skill_failure('hand_empty', 'Sink|1', stamp=3) == ['Mug|1']
    assert g.held == ''


def test_other_failures_and_unknown_ids_change_nothing():
    g = kitchen()
    rev = g.revision
    assert g.note_skill_failure('other', 'Mug|1') == []
    assert g.note_skill_failure('not_found', 'Nothing|9') == []
    assert g.revision == rev and not g.get('Mug|1').stale


def test_the_robots_own_put_places_the_object_where_it_put_it():
    g = kitchen()
    g.set_robot_state(HAND_HOLDING, 'Egg|1', 'Egg', (0, 0.9, 0.5), stamp=2)
    assert g.note_put('Mug|1', stamp=3)            # before the hand report arrives
    egg = g.get('Egg|1')
    assert g.held == '' and not egg.stale and egg.confidence >= 0.5
    assert g.receptacle_of('Egg|1')[0] == 'Mug|1'
    assert g.note_put('Nothing|9') == []
