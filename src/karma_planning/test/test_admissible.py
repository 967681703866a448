"""Admissible steps (symbolic state) and the goal-free stop rule, without a model."""
from karma_planning.admissible import SymState, admissible, instruction_focus, instruction_skills, progress
from karma_planning.memory_view import MemoryView
from karma_planning.synonyms import SynonymTable

from planning_fixtures import kitchen


def counter_kitchen() -> MemoryView:
    """An apple on the counter, a closed fridge, a plate: the apple is NOT in the fridge."""
    return MemoryView.from_graph(
        [{'id': 'region:kitchen', 'layer': 'region', 'type': 'kitchen'},
         {'id': 'Fridge_1', 'layer': 'receptacle', 'type': 'Fridge', 'attributes': {'isOpen': 'false'}},
         {'id': 'CounterTop_1', 'layer': 'receptacle', 'type': 'CounterTop'},
         {'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'},
         {'id': 'Plate_1', 'layer': 'receptacle', 'type': 'Plate'},
         {'id': 'Mug_1', 'layer': 'object', 'type': 'Mug'}],
        [{'source': 'region:kitchen', 'target': t, 'relation': 'contains'} for t in ('Fridge_1', 'CounterTop_1')]
        + [{'source': o, 'target': 'CounterTop_1', 'relation': 'on'} for o in ('Apple_1', 'Plate_1', 'Mug_1')])


def run(view, steps):
    s = SymState.initial(view)
    for st in steps:
        s = s.after(st, view)
    return s


def calls(steps):
    return {f'{s}({",".join(a)})' for s, a in steps}


IDS = ['Apple_1', 'Fridge_1', 'CounterTop_1', 'Plate_1', 'Mug_1']


def test_no_ops_and_undos_are_not_admissible():
    v = counter_kitchen()
    s = run(v, [('navigate_to', ['Apple_1']), ('pickup', ['Apple_1']), ('navigate_to', ['Fridge_1'])])
    got = calls(admissible(s, v, IDS))
    assert 'open(Fridge_1)' in got and 'put(Fridge_1)' not in got       # closed: open first
    assert 'pickup(Fridge_1)' not in got and 'navigate_to(Fridge_1)' not in got
    assert 'drop()' in got
    s = s.after(('open', ['Fridge_1']), v)
    got = calls(admissible(s, v, IDS))
    assert 'put(Fridge_1)' in got
    assert 'open(Fridge_1)' not in got and 'close(Fridge_1)' not in got  # no-op, undo
    s = s.after(('put', ['Fridge_1']), v).after(('close', ['Fridge_1']), v)
    got = calls(admissible(s, v, IDS))
    assert 'open(Fridge_1)' not in got                                   # close then reopen
    assert 'put(Fridge_1)' not in got                                    # hand is empty


def test_switching_back_what_the_last_step_switched_is_an_undo():
    v = MemoryView.from_graph([{'id': 'Candle_1', 'layer': 'object', 'type': 'Candle'},
                               {'id': 'Lamp_1', 'layer': 'object', 'type': 'DeskLamp'}], [])
    ids = ['Candle_1', 'Lamp_1']
    near = run(v, [('navigate_to', ['Candle_1'])])
    assert 'toggle_on(Candle_1)' in calls(admissible(near, v, ids))
    on = near.after(('toggle_on', ['Candle_1']), v)
    assert 'toggle_off(Candle_1)' not in calls(admissible(on, v, ids))   # on, then off at once
    # with another step in between it is a choice again (lit it, went away, came back)
    later = on.after(('navigate_to', ['Lamp_1']), v).after(('toggle_on', ['Lamp_1']), v) \
        .after(('navigate_to', ['Candle_1']), v)
    assert 'toggle_off(Candle_1)' in calls(admissible(later, v, ids))


def test_pickup_needs_the_container_open_and_an_empty_hand():
    v = kitchen()   # the apple is in the (closed) fridge
    s = run(v, [('navigate_to', ['Apple_1'])])
    got = calls(admissible(s, v, ['Apple_1', 'Fridge_1', 'Plate_1']))
    assert got == {'open(Fridge_1)'}
    s = s.after(('open', ['Fridge_1']), v)
    got = calls(admissible(s, v, ['Apple_1', 'Fridge_1', 'Plate_1']))
    assert {c for c in got if not c.startswith('navigate_to')} == {'pickup(Apple_1)', 'slice(Apple_1)'}
    s = s.after(('pickup', ['Apple_1']), v)
    got = calls(admissible(s, v, ['Apple_1', 'Fridge_1', 'Plate_1']))
    assert 'put(Fridge_1)' not in got and not any(c.startswith('pickup') for c in got)
    assert 'drop()' not in got                                           # undoes the pickup
    assert 'close(Fridge_1)' in got


def test_repetition_needs_a_change_in_between():
    k = kitchen()
    s = run(k, [('navigate_to', ['Fridge_1']), ('open', ['Fridge_1']), ('navigate_to', ['Apple_1']),
                ('close', ['Fridge_1'])])
    assert 'navigate_to(Fridge_1)' not in calls(admissible(s, k, ['Apple_1', 'Fridge_1', 'Plate_1']))
    v = counter_kitchen()
    # taking back what this plan just put down
    s2 = run(v, [('navigate_to', ['Mug_1']), ('pickup', ['Mug_1']), ('navigate_to', ['Plate_1']),
                 ('put', ['Plate_1'])])
    assert 'pickup(Mug_1)' not in calls(admissible(s2.after(('navigate_to', ['Mug_1']), v), v, IDS))
    s3 = run(v, [('navigate_to', ['Apple_1']), ('slice', ['Apple_1'])])
    assert 'slice(Apple_1)' not in calls(admissible(s3, v, IDS))
    assert 'pickup(Apple_1)' in calls(admissible(s3, v, IDS))


def test_stop_rule_from_the_instruction_only():
    v = counter_kitchen()
    focus = instruction_focus('Put the apple in the refrigerator.', v, IDS,
                              SynonymTable({'refrigerator': ['Fridge']}))
    assert sorted(sorted(g) for g in focus) == [['Apple'], ['Fridge']]
    plan = [('navigate_to', ['Apple_1']), ('pickup', ['Apple_1']), ('navigate_to', ['Fridge_1']),
            ('open', ['Fridge_1']), ('put', ['Fridge_1'])]
    s = SymState.initial(v)
    seen = []
    for st in plan:
        s = s.after(st, v)
        seen.append(progress(s, v, focus, admissible(s, v, IDS), instruction_skills('Put it in.')))
    assert seen[:4] == ['busy'] * 4 and seen[4] == 'tidy'
    s = s.after(('close', ['Fridge_1']), v)
    assert progress(s, v, focus, admissible(s, v, IDS)) == 'done'
    assert progress(s, v, [], admissible(s, v, IDS)) == 'open'           # no named type: the model decides


def test_the_instruction_verbs_keep_the_plan_going():
    v = counter_kitchen()
    focus = instruction_focus('Heat the mug.', v, IDS)
    s = run(v, [('navigate_to', ['Mug_1']), ('pickup', ['Mug_1'])])
    assert progress(s, v, focus, admissible(s, v, IDS), instruction_skills('Heat the mug.')) == 'busy'
    s = s.after(('heat', ['Mug_1']), v)
    assert progress(s, v, focus, admissible(s, v, IDS), instruction_skills('Heat the mug.')) == 'done'
    s = run(v, [('navigate_to', ['Mug_1']), ('pickup', ['Mug_1'])])
    assert progress(s, v, focus, admissible(s, v, IDS), instruction_skills('Pick up the mug.')) == 'done'


def test_what_the_instruction_names_and_memory_lacks_is_searched_for_once_around():
    from karma_planning.admissible import instruction_absent
    v = counter_kitchen()
    ins = 'Put the cloth in the fridge.'
    absent = instruction_absent(ins, v)
    assert absent == {'Cloth'}
    assert instruction_absent('Put the apple in the fridge.', v) == frozenset()
    # at the fridge, opened and closed it: nothing named in memory is pending any more
    s = run(v, [('navigate_to', ['Fridge_1']), ('open', ['Fridge_1']), ('close', ['Fridge_1'])])
    focus = instruction_focus(ins, v, IDS)
    cands = admissible(s, v, IDS, ['region:kitchen'])
    assert any(c[0] == 'explore' for c in cands)
    assert progress(s, v, focus, cands, absent=absent, search_left=True) == 'busy'
    # explored everywhere once: the plan may end (no endless search for what is not there)
    assert progress(s, v, focus, cands, absent=absent, search_left=False) == 'done'
    # nothing named is in memory at all: searching, not "the model decides"
    assert progress(s, v, [], cands, absent=absent, search_left=True) == 'busy'
    assert progress(s, v, [], cands) == 'open'


def test_doctests():
    import doctest
    from karma_planning import admissible as mod
    from karma_planning.backends import hf
    assert doctest.testmod(mod).failed == 0 and doctest.testmod(hf).failed == 0
