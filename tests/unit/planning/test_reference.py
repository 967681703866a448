"""The reference planner (goal oracle): goals -> executable plans; explore when memory lacks a type."""
from karma_planning.reference import BACKEND_NAME, reference_plan
from karma_planning.validate import validate_plan

from planning_fixtures import kitchen


def calls(steps):
    return [f'{s}({",".join(a)})' for s, a in steps]


def test_in_fridge_and_on_plate():
    steps, _ = reference_plan(['IN(Apple, Plate)'], kitchen())
    assert calls(steps) == ['navigate_to(Apple_1)', 'open(Fridge_1)', 'pickup(Apple_1)', 'close(Fridge_1)',
                            'navigate_to(Plate_1)', 'put(Plate_1)']
    assert validate_plan(steps, kitchen())[1] == []


def test_states_and_holding():
    steps, _ = reference_plan(['STATE(Mug, hot)', 'HOLDING(Mug)'], kitchen())
    assert calls(steps) == ['navigate_to(Mug_1)', 'pickup(Mug_1)', 'heat(Mug_1)']
    steps, _ = reference_plan(['STATE(Apple, sliced)', 'TOGGLEON(Fridge)'], kitchen())
    assert calls(steps)[-2:] == ['navigate_to(Fridge_1)', 'toggle_on(Fridge_1)'] or 'slice(Apple_1)' in calls(steps)


def test_n_times_uses_distinct_objects():
    steps, _ = reference_plan(['2*IN(Mug, Desk)'], kitchen())
    assert [a[0] for s, a in steps if s == 'pickup'] == ['Mug_1', 'Mug_2']
    assert sum(1 for s, _ in steps if s == 'put') == 2


def test_missing_type_explores_known_regions():
    steps, msg = reference_plan(['IN(Egg, Fridge)'], kitchen())
    assert calls(steps) == ['explore(kitchen)', 'explore(office)'] and 'no Egg' in msg
    assert BACKEND_NAME == 'reference (goal oracle)'


def _kitchen_with_apple(apple_states=None):
    from karma_planning.memory_view import MemoryView
    return MemoryView.from_graph([
        {'id': 'Fridge_1', 'layer': 'receptacle', 'type': 'Fridge'},
        {'id': 'Apple_1', 'layer': 'object', 'type': 'Apple', 'attributes': apple_states or {}},
        {'id': 'Plate_1', 'layer': 'receptacle', 'type': 'Plate'},
        {'id': 'CounterTop_1', 'layer': 'receptacle', 'type': 'CounterTop'}],
        [{'source': 'Apple_1', 'target': 'Fridge_1', 'relation': 'in'},
         {'source': 'Plate_1', 'target': 'CounterTop_1', 'relation': 'on'}])


def test_a_piece_goal_slices_its_source_first():
    from karma_planning.reference import reference_plan
    steps, _ = reference_plan(['STATE(Apple, sliced)', 'IN(AppleSliced, Plate)'], _kitchen_with_apple())
    calls = [f'{s}({",".join(a)})' for s, a in steps]
    assert calls.count('slice(Apple_1)') == 1
    assert calls.index('slice(Apple_1)') < calls.index('pickup(Apple_1)') < calls.index('put(Plate_1)')
    assert not any(s == 'explore' for s, _ in steps)


def test_n_pieces_come_from_one_source_and_a_sliced_source_is_not_sliced_again():
    from karma_planning.reference import reference_plan
    steps, _ = reference_plan(['2*IN(AppleSliced, Plate)'], _kitchen_with_apple({'isSliced': 'true'}))
    calls = [f'{s}({",".join(a)})' for s, a in steps]
    assert 'slice(Apple_1)' not in calls and calls.count('put(Plate_1)') == 2


def test_goals_with_a_missing_receptacle_wait_for_exploring():
    # The plate is not known yet: slice and pick up a piece, then explore; no crash.
    from karma_planning.memory_view import MemoryView
    from karma_planning.reference import reference_plan
    v = MemoryView.from_graph([
        {'id': 'region:kitchen_1', 'layer': 'region', 'type': 'kitchen_1'},
        {'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'},
        {'id': 'Fridge_1', 'layer': 'receptacle', 'type': 'Fridge'},
        {'id': 'CounterTop_1', 'layer': 'receptacle', 'type': 'CounterTop'}],
        [{'source': 'region:kitchen_1', 'target': 'Fridge_1', 'relation': 'contains'},
         {'source': 'Apple_1', 'target': 'CounterTop_1', 'relation': 'on'}])
    steps, msg = reference_plan(['STATE(Apple, sliced)', 'IN(AppleSliced, Plate)', 'IN(Plate, Fridge)'], v)
    calls = [f'{s}({",".join(a)})' for s, a in steps]
    assert 'slice(Apple_1)' in calls and calls[-1].startswith('explore(')
    assert 'Plate' in msg


def test_counted_goals_explore_until_enough_are_known():
    from karma_planning.memory_view import MemoryView
    from karma_planning.reference import reference_plan
    v = MemoryView.from_graph([
        {'id': 'region:bedroom_1', 'layer': 'region', 'type': 'bedroom_1'},
        {'id': 'DeskLamp_1', 'layer': 'object', 'type': 'DeskLamp', 'attributes': {'isToggled': 'true'}}], [])
    steps, msg = reference_plan(['2*TOGGLEOFF(DeskLamp)'], v)
    assert steps == [('explore', ['bedroom_1'])] and 'DeskLamp' in msg


def test_a_state_that_already_holds_needs_no_step():
    from karma_planning.memory_view import MemoryView
    from karma_planning.reference import reference_plan
    v = MemoryView.from_graph([{'id': 'Laptop_1', 'layer': 'object', 'type': 'Laptop',
                                'attributes': {'isOpen': 'false', 'isToggled': 'false'}}], [])
    # the first call of a task looks again (someone may have changed it); then nothing to do
    assert reference_plan(['STATE(Laptop, closed)', 'TOGGLEOFF(Laptop)'], v)[0] == [('explore', ['scene'])]
    assert reference_plan(['STATE(Laptop, closed)', 'TOGGLEOFF(Laptop)'], v, explored={'scene'})[0] == []


def test_a_cooked_or_clean_goal_memory_saw_holding_needs_no_skill():
    from karma_planning.memory_view import MemoryView
    v = MemoryView.from_graph([
        {'id': 'BreadSliced_1', 'layer': 'object', 'type': 'BreadSliced', 'attributes': {'isCooked': 'true'}},
        {'id': 'Mug_1', 'layer': 'object', 'type': 'Mug', 'attributes': {'isDirty': 'true'}},
        {'id': 'region:kitchen', 'layer': 'region', 'type': 'kitchen'}], [])
    steps, _ = reference_plan(['STATE(BreadSliced, cooked)', 'STATE(Mug, clean)'], v, explored={'kitchen'})
    assert calls(steps) == ['navigate_to(Mug_1)', 'pickup(Mug_1)', 'clean(Mug_1)']


def _moved_mug(conf):
    """A mug memory believes on the table, a look there failed (or it was only missed); three
    cabinets, the one nearest the mug's last place is Cabinet_3."""
    from karma_planning.memory_view import MemoryView
    nodes = [{'id': 'region:kitchen', 'layer': 'region', 'type': 'kitchen'},
             {'id': 'Mug_1', 'layer': 'object', 'type': 'Mug', 'position': (1.0, 0.0, 0.9),
              'attributes': {'stale': 'true', 'confidence': str(conf)}},
             {'id': 'Sink_1', 'layer': 'receptacle', 'type': 'Sink', 'position': (5.0, 0.0, 0.9)}]
    nodes += [{'id': f'Cabinet_{i}', 'layer': 'receptacle', 'type': 'Cabinet', 'position': p}
              for i, p in ((1, (6.0, 0.0, 0.5)), (2, (4.0, 1.0, 0.5)), (3, (1.5, 0.5, 0.5)))]
    return MemoryView.from_graph(nodes, [])


def test_a_belief_a_look_found_gone_is_searched_for_nearest_its_last_place_first():
    v = _moved_mug(0.2)
    steps, msg = reference_plan(['IN(Mug, Sink)'], v, explored={'kitchen'})
    assert calls(steps) == ['explore(Cabinet_3)'] and 'no Mug' in msg
    steps, _ = reference_plan(['IN(Mug, Sink)'], v, explored={'kitchen', 'Cabinet_3'})
    assert calls(steps) == ['explore(Cabinet_2)']
    # every container searched: the old belief is tried again (the look may have been unlucky)
    steps, _ = reference_plan(['IN(Mug, Sink)'], v, explored={'kitchen', 'Cabinet_1', 'Cabinet_2', 'Cabinet_3'})
    assert calls(steps)[:2] == ['navigate_to(Mug_1)', 'pickup(Mug_1)']


def test_a_belief_only_missed_is_tried_before_containers_are_searched():
    steps, _ = reference_plan(['IN(Mug, Sink)'], _moved_mug(0.4), explored={'kitchen'})
    assert calls(steps)[:2] == ['navigate_to(Mug_1)', 'pickup(Mug_1)']


def test_a_goal_that_holds_only_by_a_stale_belief_is_worked_on():
    # memory still has the pencil on the desk, but a look there missed it: not done
    from karma_planning.memory_view import MemoryView
    nodes = [{'id': 'region:bedroom', 'layer': 'region', 'type': 'bedroom'},
             {'id': 'Desk_1', 'layer': 'receptacle', 'type': 'Desk'},
             {'id': 'Pencil_1', 'layer': 'object', 'type': 'Pencil',
              'attributes': {'stale': 'true', 'confidence': '0.4'}}]
    v = MemoryView.from_graph(nodes, [{'source': 'Pencil_1', 'target': 'Desk_1', 'relation': 'on'}])
    steps, _ = reference_plan(['IN(Pencil, Desk)'], v, explored={'bedroom'})
    assert calls(steps)[:2] == ['navigate_to(Pencil_1)', 'pickup(Pencil_1)']
    nodes[2]['attributes'] = {}
    assert reference_plan(['IN(Pencil, Desk)'], MemoryView.from_graph(
        nodes, [{'source': 'Pencil_1', 'target': 'Desk_1', 'relation': 'on'}]), explored={'bedroom'})[0] == []


def test_a_put_blocked_by_an_unknown_closed_cabinet_opens_the_one_nearest_the_target():
    from karma_planning.memory_view import MemoryView
    nodes = [{'id': 'Plate_1', 'layer': 'receptacle', 'type': 'Plate', 'position': (1.0, 0.0, 1.6)},
             {'id': 'AppleSliced_1', 'layer': 'object', 'type': 'AppleSliced', 'position': (3, 0, 1)},
             {'id': 'Cabinet_1', 'layer': 'receptacle', 'type': 'Cabinet', 'position': (4.0, 0.0, 1.6)},
             {'id': 'Cabinet_2', 'layer': 'receptacle', 'type': 'Cabinet', 'position': (1.1, 0.1, 1.7)}]
    v = MemoryView.from_graph(nodes, []).with_failure('container_closed', 'Plate_1', 'Cabinet|+00.72|+02.02|-02.46')
    assert v['Plate_1'].receptacle == 'Cabinet_2'
    steps, _ = reference_plan(['IN(AppleSliced, Plate)'], v, explored={'scene'})
    assert 'open(Cabinet_2)' in calls(steps) and calls(steps).index('open(Cabinet_2)') < calls(steps).index('put(Plate_1)')
