"""Changes behind the robot's back: which object, where it goes, states, errors (in-process)."""
import pytest

from bridge_helpers import backend_for
from karma_thor_bridge.skills import SkillRunner
from karma_thor_bridge.world_change import ChangeError, WorldChanger, parse_change, parse_changes

APPLE = 'Apple|-00.47|+01.15|+00.48'
FRIDGE = 'Fridge|-02.10|+00.00|+01.07'


def _objs(b):
    return {o['objectId']: o for o in b.last['objects']}


def _apply(b, *changes, last_acted=None):
    return WorldChanger(b, last_acted).apply_all(parse_changes(list(changes)))


def test_move_into_a_closed_container_leaves_it_closed_and_records_ids():
    b = backend_for('FloorPlan1')
    [rec] = _apply(b, {'move': 'Apple', 'to': 'Fridge'})
    objs = _objs(b)
    assert objs[APPLE]['parentReceptacles'] == [FRIDGE] and objs[FRIDGE]['isOpen'] is False
    assert rec['object_id'] == rec['object_id_after'] == APPLE and rec['receptacle_id'] == FRIDGE
    assert rec['parent_before'].startswith('CounterTop') and rec['parent_after'] == FRIDGE
    assert rec['change'] == {'move': 'Apple', 'to': 'Fridge'}


def test_the_nearest_accepting_receptacle_and_contents_move_along():
    b = backend_for('FloorPlan1')
    objs = _objs(b)
    mug = next(k for k, o in objs.items() if o['objectType'] == 'Mug')
    cabinets = [o for o in objs.values() if o['objectType'] == 'Cabinet']
    [rec] = _apply(b, {'move': 'mug', 'to': 'cabinet'})  # case-insensitive, like goals
    import math
    c = lambda o: tuple(o['axisAlignedBoundingBox']['center'][k] for k in 'xyz')
    nearest = min(cabinets, key=lambda r: math.dist(c(r), c(objs[mug])))
    assert rec['receptacle_id'] == nearest['objectId'] == _objs(b)[mug]['parentReceptacles'][0]
    # A plate carrying an apple: the apple goes with it.
    plate = next(k for k, o in objs.items() if o['objectType'] == 'Plate')
    b2 = backend_for('FloorPlan1')
    _apply(b2, {'move': 'Apple', 'to': 'Plate'})
    assert _objs(b2)[APPLE]['parentReceptacles'] == [plate]
    [rec] = _apply(b2, {'move': 'Plate', 'to': 'DiningTable'} if any(
        o['objectType'] == 'DiningTable' for o in objs.values()) else {'move': 'Plate', 'to': 'Cabinet'})
    after = _objs(b2)
    assert after[APPLE]['parentReceptacles'] == [plate]
    assert after[plate]['parentReceptacles'] == [rec['receptacle_id']]


def test_which_object_last_acted_on_else_smallest_id_never_the_held_one():
    b = backend_for('FloorPlan1')
    runner = SkillRunner(b)
    eggs = sorted(k for k, o in _objs(b).items() if o['objectType'] == 'Egg')
    [rec] = _apply(b, {'set': 'Mug', 'state': 'dirty'}, last_acted={})
    mugs = sorted(k for k, o in _objs(b).items() if o['objectType'] == 'Mug')
    assert rec['object_id'] == mugs[0] and _objs(b)[mugs[0]]['isDirty'] is True
    assert runner.run('navigate_to', [APPLE]).success and runner.run('pickup', [APPLE]).success
    assert runner.last_acted['Apple'] == APPLE
    with pytest.raises(ChangeError, match="no Apple in the scene outside the robot's hand"):
        _apply(b, {'move': 'Apple', 'to': 'Fridge'}, last_acted=runner.last_acted)
    assert runner.held() == APPLE and _objs(b)[APPLE]['isPickedUp']
    assert eggs  # another type is still movable while the hand is full
    [rec] = _apply(b, {'move': 'Egg', 'to': 'Fridge'}, last_acted=runner.last_acted)
    assert rec['object_id'] == eggs[0]


def test_open_close_toggle_and_states_no_op_when_already_so():
    b = backend_for('FloorPlan1')
    recs = _apply(b, {'open': 'Fridge'}, {'open': 'Fridge'}, {'toggle_on': 'StoveBurner'},
                  {'set': 'Mug', 'state': 'filled'}, {'set': 'Mug', 'state': 'empty'},
                  {'close': 'Fridge'})
    objs = _objs(b)
    assert [r.get('noop', False) for r in recs] == [False, True, False, False, False, False]
    assert objs[FRIDGE]['isOpen'] is False
    burner = objs[recs[2]['object_id']]
    assert burner['isToggled'] is True  # through its knob
    mug = objs[recs[3]['object_id']]
    assert mug['isFilledWithLiquid'] is False


@pytest.mark.parametrize('change, fragment', [
    ({'move': 'Fridge', 'to': 'Cabinet'}, 'cannot be moved'),
    ({'move': 'Apple', 'to': 'Toaster'}, 'no Toaster in the scene accepts Apple'),
    ({'open': 'Unicorn'}, 'no Unicorn in the scene'),
    ({'open': 'Apple'}, 'is not openable'),
    ({'set': 'Apple', 'state': 'filled'}, 'is not canFillWithLiquid'),
])
def test_changes_that_cannot_be_applied_say_which_and_why(change, fragment):
    b = backend_for('FloorPlan1')
    with pytest.raises(ChangeError) as e:
        _apply(b, change)
    assert fragment in str(e.value) and str(e.value).startswith('change {')


@pytest.mark.parametrize('change, fragment', [
    ({}, 'exactly one of'), ({'open': 'Fridge', 'close': 'Fridge'}, 'exactly one of'),
    ({'move': 'Mug'}, "'to' must be an object type"), ({'open': ''}, "'open' must be"),
    ({'open': 'Fri dge\x07'}, "'open' must be"), ({'set': 'Mug'}, "'state' must be one of"),
    ('open Fridge', 'expected an object'), ({'open': 'x' * 300}, "'open' must be"),
])
def test_malformed_changes(change, fragment):
    with pytest.raises(ChangeError, match=fragment):
        parse_change(change)
    with pytest.raises(ChangeError, match="must be a list"):
        parse_changes({'open': 'Fridge'})


def test_every_change_in_the_shipped_suites_applies_in_its_scene():
    import json
    from pathlib import Path
    root = Path(__file__).resolve().parents[3] / 'suites'
    n = 0
    for path in sorted(root.glob('*.json')):
        for ep in json.loads(path.read_text())['episodes']:
            changes = [c for t in ep['tasks'] for c in t.get('before', [])]
            if not changes:
                continue
            b = backend_for(ep['scene'])
            recs = _apply(b, *changes)  # one after the other, without the robot's tasks between
            assert len(recs) == len(changes), ep['id']
            n += len(changes)
    assert n >= 6
