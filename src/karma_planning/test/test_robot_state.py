"""The robot's own report of its hand beats memory's belief; degenerate plans are failures;
weak and stale beliefs reach the prompt and lose to fresh ones; no map yet means explore."""
import pytest

from karma_planning.admissible import SymState
from karma_planning.memory_view import Hand, MemoryItem, MemoryView
from karma_planning.reference import reference_plan
from karma_planning.retrieval import render_item
from karma_planning.validate import validate_plan


def kitchen(**mug_states):
    return MemoryView.from_graph(
        [{'id': 'region:kitchen', 'layer': 'region', 'type': 'kitchen'},
         {'id': 'Mug_1', 'layer': 'object', 'type': 'Mug',
          'attributes': {k: v for k, v in mug_states.items()}},
         {'id': 'Sink_1', 'layer': 'receptacle', 'type': 'Sink'},
         {'id': 'CounterTop_1', 'layer': 'receptacle', 'type': 'CounterTop'}],
        [{'source': 'Mug_1', 'target': 'CounterTop_1', 'relation': 'on'}])


def test_an_empty_hand_report_overrides_a_held_belief():
    v = kitchen(isPickedUp='true')                     # memory thinks the mug is in hand
    assert SymState.initial(v).holding == 'Mug_1'
    v = v.with_hand(Hand('empty'))
    assert SymState.initial(v).holding is None
    steps, _ = reference_plan(['IN(Mug, Sink)'], v)
    assert steps[:2] == [('navigate_to', ['Mug_1']), ('pickup', ['Mug_1'])]


def test_a_holding_report_names_the_held_object_even_when_memory_lacks_it():
    v = kitchen().with_hand(Hand('holding', 'Cup_7', 'Cup'))
    assert 'Cup_7' in v and SymState.initial(v).holding == 'Cup_7'
    steps, _ = reference_plan(['IN(Cup, Sink)'], v)
    assert ('pickup', ['Cup_7']) not in steps and steps[-1] == ('put', ['Sink_1'])


@pytest.mark.parametrize('hand,plan,problem', [
    (Hand('empty'), [('navigate_to', ['Sink_1']), ('put', ['Sink_1'])], 'hand is empty'),
    (Hand('empty'), [('drop', [])], 'hand is empty'),
    (Hand('holding', 'Mug_1', 'Mug'), [('pickup', ['Mug_1'])], 'already holds'),
    (Hand('empty'), [('pickup', ['Mug_1']), ('drop', []), ('pickup', ['Mug_1']), ('drop', []),
                     ('pickup', ['Mug_1']), ('drop', []), ('pickup', ['Mug_1'])], 'cycles'),
])
def test_plans_the_hand_cannot_do_or_that_cycle_are_invalid(hand, plan, problem):
    _, problems = validate_plan(plan, kitchen().with_hand(hand))
    assert problems and problem in problems[0]


def test_without_a_hand_report_memory_alone_does_not_reject_a_plan():
    _, problems = validate_plan([('put', ['Sink_1'])], kitchen())
    assert problems == []


def test_stale_and_weak_beliefs_are_rendered_and_lose_to_fresh_ones():
    v = MemoryView.from_graph(
        [{'id': 'Mug_1', 'layer': 'object', 'type': 'Mug',
          'attributes': {'confidence': '0.3', 'stale': 'true', 'last_seen': '100'}},
         {'id': 'Mug_2', 'layer': 'object', 'type': 'Mug', 'attributes': {'confidence': '0.95'}},
         {'id': 'Sink_1', 'layer': 'receptacle', 'type': 'Sink'}], [])
    v.now = 160.0
    line = render_item(v['Mug_1'], v.now)
    assert 'confidence 0.30' in line and 'not found on the last look' in line and '60 s ago' in line
    assert 'confidence' not in render_item(v['Mug_2'], v.now)
    steps, _ = reference_plan(['IN(Mug, Sink)'], v, retrieved=['Mug_1', 'Mug_2'])
    assert ('pickup', ['Mug_2']) in steps


def test_no_map_yet_explores_the_whole_map_instead_of_failing():
    v = MemoryView({'Sink_1': MemoryItem('Sink_1', 'Sink', 'receptacle')})
    steps, msg = reference_plan(['IN(Mug, Sink)'], v)
    assert steps == [('explore', ['scene'])] and 'exploring' in msg
    assert validate_plan(steps, v)[1] == []
    steps, msg = reference_plan(['IN(Mug, Sink)'], v, explored={'scene'})
    assert steps == [] and 'searched' in msg


def test_a_put_target_inside_a_closed_container_gets_it_opened_first():
    v = MemoryView.from_graph(
        [{'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'},
         {'id': 'Plate_1', 'layer': 'receptacle', 'type': 'Plate'},
         {'id': 'Cabinet_1', 'layer': 'receptacle', 'type': 'Cabinet', 'attributes': {'isOpen': 'false'}}],
        [{'source': 'Plate_1', 'target': 'Cabinet_1', 'relation': 'in'}])
    steps, _ = reference_plan(['IN(Apple, Plate)'], v)
    assert steps[-3:] == [('navigate_to', ['Plate_1']), ('open', ['Cabinet_1']), ('put', ['Plate_1'])]


def test_goals_memory_says_hold_are_looked_at_again_before_the_task_is_done():
    v = MemoryView.from_graph(
        [{'id': 'region:bedroom', 'layer': 'region', 'type': 'bedroom'},
         {'id': 'Desk_1', 'layer': 'receptacle', 'type': 'Desk'},
         {'id': 'DeskLamp_1', 'layer': 'object', 'type': 'DeskLamp', 'attributes': {'isToggled': 'false'}}],
        [{'source': 'region:bedroom', 'target': 'Desk_1', 'relation': 'contains'},
         {'source': 'DeskLamp_1', 'target': 'Desk_1', 'relation': 'on'}])
    steps, msg = reference_plan(['TOGGLEOFF(DeskLamp)'], v)
    assert steps == [('explore', ['bedroom'])] and 'looking again' in msg
    steps, msg = reference_plan(['TOGGLEOFF(DeskLamp)'], v, explored={'bedroom'})
    assert steps == []     # looked: memory still says it holds, the task is done
