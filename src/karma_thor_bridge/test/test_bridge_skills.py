"""Every skill succeeds on the in-process simulator in FloorPlan1 (a kitchen)."""
from bridge_helpers import first_id, gt_object

APPLE = 'Apple|-00.47|+01.15|+00.48'
FRIDGE = 'Fridge|-02.10|+00.00|+01.07'


def ok(out):
    assert out.success, out.message
    return out


def test_grid_navigation_drives_with_real_steps_and_sees_the_target(make_runner):
    r = make_runner('FloorPlan1', navigation='grid')
    fork_drawer = 'Drawer|+00.95|+00.83|-02.20'
    out = ok(r.run('navigate_to', [fork_drawer]))
    acts = [a for a, _ in r.actions]
    assert out.steps == len(acts) > 3
    assert 'MoveAhead' in acts and not any(a.startswith('Teleport') for a in acts)
    assert set(acts) <= {'MoveAhead', 'RotateLeft', 'RotateRight', 'LookUp', 'LookDown'}
    assert r.visible(fork_drawer)


def test_teleport_navigation_takes_one_step(make_runner):
    r = make_runner('FloorPlan1', navigation='teleport')
    fork_drawer = 'Drawer|+00.95|+00.83|-02.20'  # THOR's spawn pose already sees the fridge
    assert not r.visible(fork_drawer)
    out = ok(r.run('navigate_to', [fork_drawer]))
    assert out.steps <= 3 and r.actions[0][0] == 'TeleportFull' and r.visible(fork_drawer)


def test_pickup_put_open_close_fridge(make_runner):
    r = make_runner()
    ok(r.run('navigate_to', [APPLE]))
    ok(r.run('pickup', [APPLE]))
    assert r.held() == APPLE
    ok(r.run('navigate_to', [FRIDGE]))
    ok(r.run('open', [FRIDGE]))
    ok(r.run('put', [FRIDGE]))
    ok(r.run('close', [FRIDGE]))
    apple = gt_object(r, APPLE)
    assert r.held() is None and apple['parentReceptacles'] == [FRIDGE]
    assert gt_object(r, FRIDGE)['isOpen'] is False


def test_navigate_to_an_object_in_a_closed_container_goes_to_the_container(make_runner):
    r = make_runner()
    egg = first_id(r, 'Egg')  # in the fridge
    out = ok(r.run('navigate_to', [egg]))
    assert 'inside closed Fridge' in out.message and r.visible(FRIDGE)
    ok(r.run('open', [FRIDGE]))
    ok(r.run('pickup', [egg]))


def test_toggle_on_and_off(make_runner):
    r = make_runner()
    faucet = first_id(r, 'Faucet')
    ok(r.run('navigate_to', [faucet]))
    ok(r.run('toggle_on', [faucet]))
    assert gt_object(r, faucet)['isToggled'] is True
    ok(r.run('toggle_off', [faucet]))
    assert gt_object(r, faucet)['isToggled'] is False


def test_slice_then_pickup_picks_a_slice(make_runner):
    r = make_runner()
    tomato = first_id(r, 'Tomato')
    ok(r.run('navigate_to', [tomato]))
    ok(r.run('slice', [tomato]))
    ok(r.run('pickup', [tomato]))  # the id now names the slices as a group
    assert r.held().startswith(tomato + '|TomatoSliced_')


def test_drop_empties_the_hand(make_runner):
    r = make_runner()
    ok(r.run('navigate_to', [APPLE]))
    ok(r.run('pickup', [APPLE]))
    ok(r.run('drop', []))
    assert r.held() is None and not gt_object(r, APPLE)['isPickedUp']


def test_explore_looks_around_and_sees_more(make_runner):
    r = make_runner()
    seen = set()
    r.on_step = lambda m: seen.update(o['objectId'] for o in m['objects'] if o['visible'])
    out = ok(r.run('explore', ['scene']))
    assert out.steps >= 8 and len(seen) >= 15
    assert 'explored' in out.message


def test_regions_resolve_through_memory(make_runner):
    from karma_thor_bridge.resolve import Ref
    region = Ref('region:kitchen_region_2', 'kitchen', (1.0, 0.9, -1.5), 'region', (1.0, 0.0, 1.0))
    r = make_runner(resolver=lambda i: region if i == region.id else None)
    ok(r.run('navigate_to', ['kitchen_region_2']))
    x, z, _, _ = r.pose()
    assert abs(x - 1.0) <= 0.625 and abs(z + 1.5) <= 0.625
    out = ok(r.run('explore', ['region:kitchen_region_2']))
    import re
    share = int(re.search(r'(\d+)% of its floor', out.message).group(1))
    assert out.steps >= 3 and share >= 90, out.message  # a small region: a few looks cover it


def test_withheld_ids_resolve_memory_ids_to_the_right_object(make_runner):
    from karma_thor_bridge.resolve import Ref
    mem = {'Apple_1': Ref('Apple_1', 'Apple', (-0.45, 1.2, 0.5)),
           'CounterTop_3': Ref('CounterTop_3', 'CounterTop', (-0.08, 1.15, 0.0), 'receptacle')}
    r = make_runner(resolver=mem.get)
    ok(r.run('navigate_to', ['Apple_1']))
    ok(r.run('pickup', ['Apple_1']))
    assert r.held() == APPLE
    ok(r.run('put', ['CounterTop_3']))


def test_progress_is_reported_per_phase_and_per_thor_action(make_runner):
    r = make_runner()
    status = []
    ok(r.run('navigate_to', [APPLE]))
    ok(r.run('pickup', [APPLE]))
    out = ok(r.run('heat', [APPLE], status=status.append))
    per_action = [s for s in status if '(step ' in s]
    assert len(per_action) == out.steps
    for phase in ('heat: going to Microwave', 'heat: opening', 'heat: putting it in',
                  'heat: switching on', 'heat: taking it out'):
        assert any(s.startswith(phase) for s in status), (phase, status)


def test_a_memory_id_far_from_the_robot_is_not_acted_on_from_across_the_room(make_runner):
    from karma_thor_bridge.resolve import Ref
    potato = 'Potato|-01.66|+00.93|-02.15'  # about 3 m from the start pose
    mem = {'Potato_1': Ref('Potato_1', 'Potato', (-1.6, 0.95, -2.1))}
    r = make_runner(resolver=mem.get)
    out = r.run('pickup', ['Potato_1'])  # never walked there: the potato is out of reach
    assert not out.success and 'within reach' in out.message and out.steps == 0
    ok(r.run('navigate_to', ['Potato_1']))
    ok(r.run('pickup', ['Potato_1']))
    assert r.held() == potato


def test_the_runner_remembers_what_it_last_acted_on_per_type(make_runner):
    r = make_runner()
    ok(r.run('navigate_to', [APPLE]))
    ok(r.run('pickup', [APPLE]))
    assert r.last_acted == {'Apple': APPLE}
    ok(r.run('drop', []))
    assert r.last_acted == {'Apple': APPLE}
    r.reset_map()
    assert r.last_acted == {}


def test_a_ghost_belief_is_looked_at_where_memory_places_it_then_fails(make_runner):
    from karma_thor_bridge.resolve import Ref
    # Memory believes a mug on the counter by the apple; the scene's mug is metres away.
    ghost = Ref('Mug_7', 'Mug', (-0.45, 1.2, 0.5))
    r = make_runner(resolver={'Mug_7': ghost}.get)
    out = r.run('navigate_to', ['Mug_7'])
    assert not out.success and out.steps > 0
    assert out.message.startswith('Mug_7 not found where memory places it (-0.45, 1.20, 0.50)')
    assert 'no Mug within' in out.message
    from karma_thor_bridge.navigation import box_distance_xz
    x, z, _, _ = r.pose()
    assert box_distance_xz(x, z, (-0.5, 1.1, 0.45), (-0.4, 1.3, 0.55)) <= r.cfg.reach
    # Unknown to memory: nothing to look at, no step taken.
    out = r.run('navigate_to', ['Mug_8'])
    assert not out.success and out.steps == 0 and 'memory does not know it' in out.message
