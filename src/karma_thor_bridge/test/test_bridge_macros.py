"""The appliance macros have ALFRED's ground-truth effects and keep the object in hand."""
from bridge_helpers import alfred, first_id, gt_object


def ok(out):
    assert out.success, out.message
    return out


def _hold(r, otype):
    oid = first_id(r, otype)
    ok(r.run('navigate_to', [oid]))
    ok(r.run('pickup', [oid]))
    return oid


def test_heat_makes_hot_and_cooked(make_runner):
    r = make_runner()
    potato = _hold(r, 'Potato')
    out = ok(r.run('heat', [potato]))
    p = gt_object(r, potato)
    assert p['temperature'] == 'Hot' and p['isCooked'] and alfred(r, potato)['heated']
    assert r.held() == potato and out.steps >= 8
    mw = first_id(r, 'Microwave')
    assert gt_object(r, mw)['isOpen'] is False and gt_object(r, mw)['isToggled'] is False


def test_cool_makes_cold(make_runner):
    r = make_runner()
    apple = _hold(r, 'Apple')
    ok(r.run('cool', [apple]))
    assert gt_object(r, apple)['temperature'] == 'Cold' and alfred(r, apple)['cooled']
    assert r.held() == apple and gt_object(r, first_id(r, 'Fridge'))['isOpen'] is False


def test_clean_fill_empty_a_mug(make_runner):
    r = make_runner()
    mug = first_id(r, 'Mug')
    r.backend.step('DirtyObject', objectId=mug, forceAction=True)
    _hold(r, 'Mug')
    assert gt_object(r, mug)['isDirty']
    ok(r.run('clean', [mug]))
    m = gt_object(r, mug)
    assert not m['isDirty'] and alfred(r, mug)['cleaned'] and r.held() == mug
    faucet = first_id(r, 'Faucet')
    assert gt_object(r, faucet)['isToggled'] is False
    if m['isFilledWithLiquid']:  # the running faucet filled it
        ok(r.run('empty', [mug]))
    assert not gt_object(r, mug)['isFilledWithLiquid']
    ok(r.run('fill', [mug]))
    m = gt_object(r, mug)
    assert m['isFilledWithLiquid'] and m['fillLiquid'] == 'water'
    ok(r.run('empty', [mug]))
    assert not gt_object(r, mug)['isFilledWithLiquid']


def test_macros_accept_a_memory_id_of_the_held_object(make_runner):
    from karma_thor_bridge.resolve import Ref
    r = make_runner(resolver={'Apple_4': Ref('Apple_4', 'Apple', (9.0, 1.0, 9.0))}.get)
    apple = _hold(r, 'Apple')
    ok(r.run('heat', ['Apple_4']))  # memory still believes the apple is elsewhere
    assert gt_object(r, apple)['temperature'] == 'Hot'
