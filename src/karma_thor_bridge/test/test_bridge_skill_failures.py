"""Bad input and impossible actions fail with a clear message; nothing raises."""
import pytest

from bridge_helpers import first_id

APPLE = 'Apple|-00.47|+01.15|+00.48'


def fails(out, *fragments, kind=None):
    assert not out.success, out
    if kind is not None:
        assert out.failure == kind, out
    for f in fragments:
        assert f in out.message, out.message
    return out


@pytest.mark.parametrize('skill,args,msg', [
    ('fly', [], "unknown skill 'fly'"),
    ('', [], 'unknown skill'),
    ('pickup', [], 'pickup takes 1 argument(s), got 0'),
    ('put', ['a', 'b'], 'put takes 1 argument(s), got 2'),
    ('drop', ['x'], 'drop takes 0 argument(s), got 1'),
    ('pickup', [None], 'must be strings'),
    ('pickup', ['Spaceship_1'], "unknown object 'Spaceship_1'"),
    ('navigate_to', ['nonsense'], "unknown object 'nonsense'"),
    ('navigate_to', [''], 'empty object id'),
    ('open', ['Apple|+9.00|+9.00|+9.00'], 'no Apple within'),
])
def test_malformed_calls(make_runner, skill, args, msg):
    out = fails(make_runner().run(skill, args), msg)
    assert out.steps == 0
    # a call the catalogue rejects is invalid; an id nothing knows is not found
    assert out.failure == ('not_found' if 'object' in msg or 'within' in msg else 'invalid_call'), out


def test_thor_errors_come_back_as_messages(make_runner):
    r = make_runner()
    fails(r.run('pickup', [first_id(r, 'Vase')]), 'not interactable', 'navigate_to it first')
    fails(r.run('put', [first_id(r, 'CounterTop')]), 'hand is empty', kind='hand_empty')
    fails(r.run('drop', []), 'hand is empty', kind='hand_empty')
    r.run('navigate_to', [APPLE])
    fails(r.run('open', [APPLE]), 'is not an Openable object')
    fails(r.run('toggle_on', [APPLE]), 'is not a Toggleable object')
    bread = first_id(r, 'Bread')
    r.run('pickup', [APPLE])
    fails(r.run('pickup', [bread]), 'needs a free hand', kind='hand_full')
    fails(r.run('slice', [APPLE]), 'while holding it')
    fails(r.run('empty', [APPLE]), 'cannot be filled with liquid')
    fails(r.run('fill', [APPLE]), 'cannot be filled with liquid')


def test_state_errors(make_runner):
    r = make_runner()
    fridge = first_id(r, 'Fridge')
    r.run('navigate_to', [fridge])
    fails(r.run('slice', [fridge]), 'not a sliceable object')


def test_a_state_that_already_holds_is_done_not_an_error(make_runner):
    """The robot sees the fridge closed, the switch on: close / toggle_on hold already (THOR
    itself refuses the action); the skill says so and succeeds."""
    r = make_runner()
    fridge = first_id(r, 'Fridge')
    r.run('navigate_to', [fridge])
    out = r.run('close', [fridge])
    assert out.success and 'already closed' in out.message, out
    switch = first_id(r, 'LightSwitch')
    r.run('navigate_to', [switch])
    out = r.run('toggle_on', [switch])
    assert out.success and 'already on' in out.message, out
    out = r.run('toggle_off', [switch])
    assert out.success and 'already' not in out.message, out
    assert not r.obj(switch)['isToggled']


def test_macros_need_the_object_in_hand(make_runner):
    r = make_runner()
    for skill in ('heat', 'cool', 'clean', 'fill', 'empty'):
        fails(r.run(skill, [APPLE]), 'hand is empty', kind='hand_empty')
    r.run('navigate_to', [APPLE])
    r.run('pickup', [APPLE])
    fails(r.run('heat', [first_id(r, 'Bread')]), 'is not the held object')


def test_the_step_budget_stops_a_skill(make_runner):
    r = make_runner(max_steps_per_skill=3)
    # the object farthest from the start pose, so that 3 steps cannot reach it
    a = r.meta['agent']['position']
    far = max((o for o in r.meta['objects'] if o['pickupable']),
              key=lambda o: (o['position']['x'] - a['x']) ** 2 + (o['position']['z'] - a['z']) ** 2)
    out = fails(r.run('navigate_to', [far['objectId']]), 'gave up after 3 simulator steps',
                kind='budget')
    assert out.steps == 3


def test_the_step_budget_ends_an_explore_early_but_keeps_what_it_saw(make_runner):
    r = make_runner(max_steps_per_skill=3)
    out = r.run('explore', ['scene'])
    assert out.success and out.steps <= 3 and 'explored' in out.message


def test_unknown_regions_explore_the_whole_scene(make_runner):
    out = make_runner().run('explore', ['attic'])
    assert out.success and 'not in memory' in out.message
