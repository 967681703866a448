"""Argument resolution: THOR ids, sliced groups, memory ids through a resolver, regions."""
from karma_thor_bridge.resolve import Ref, looks_like_region, resolve_object, resolve_region


def _obj(oid, otype, x, y=1.0, z=0.0, visible=False, **kw):
    return dict(objectId=oid, objectType=otype, position=dict(x=x, y=y, z=z), visible=visible, **kw)


OBJS = [_obj('Apple|+1.00|+1.00|+0.00', 'Apple', 1.0), _obj('Apple|+3.00|+1.00|+0.00', 'Apple', 3.0),
        _obj('Sink|+5.00|+1.00|+0.00', 'Sink', 5.0),
        _obj('Sink|+5.00|+1.00|+0.00|SinkBasin', 'SinkBasin', 5.0)]


def test_a_present_thor_id_is_used_directly():
    assert resolve_object('Apple|+3.00|+1.00|+0.00', OBJS)[0]['objectId'] == 'Apple|+3.00|+1.00|+0.00'
    assert resolve_object('Sink|+5.00|+1.00|+0.00|SinkBasin', OBJS)[0]['objectType'] == 'SinkBasin'


def test_sliced_ids_resolve_to_a_piece_visible_first():
    pieces = [_obj(f'Apple|+1.00|+1.00|+0.00|AppleSliced_{i}', 'AppleSliced', 1.0 + i * 0.02,
                   visible=i == 3) for i in range(8)]
    objs = OBJS[1:] + pieces  # the embedded player removes the original
    o, _ = resolve_object('Apple|+1.00|+1.00|+0.00', objs)
    assert o['objectId'].endswith('AppleSliced_3')
    # a real THOR build keeps the original, flagged isSliced
    o, _ = resolve_object('Apple|+1.00|+1.00|+0.00', [dict(OBJS[0], isSliced=True)] + pieces)
    assert o['objectType'] == 'AppleSliced'


def test_memory_ids_resolve_through_the_resolver_to_the_nearest_of_that_type():
    refs = {'Apple_1': Ref('Apple_1', 'Apple', (2.8, 1.0, 0.1)),
            'Apple_9': Ref('Apple_9', 'Apple', (9.0, 1.0, 0.0))}
    o, why = resolve_object('Apple_1', OBJS, refs.get)
    assert o['objectId'] == 'Apple|+3.00|+1.00|+0.00' and why == ''
    o, why = resolve_object('Apple_9', OBJS, refs.get, match_radius=1.5)
    assert o is None and 'nearest is 6.00 m away' in why


def test_sliced_memory_objects_resolve_to_pieces():
    pieces = [_obj(f'Apple|+1.00|+1.00|+0.00|AppleSliced_{i}', 'AppleSliced', 1.0) for i in range(3)]
    ref = {'Apple_1': Ref('Apple_1', 'Apple', (1.0, 1.0, 0.0))}
    o, _ = resolve_object('Apple_1', OBJS[1:] + pieces, ref.get)
    assert o['objectType'] == 'AppleSliced'


def test_a_slice_already_put_elsewhere_is_not_picked_again():
    """Two tomato slices into a bowl: the second pickup of the cut tomato takes a slice from
    the board, not the one already in the bowl next to it (visible and nearest)."""
    board, bowl = ['CuttingBoard|1'], ['Bowl|1']
    pieces = [_obj(f'Tomato|+1.00|+1.00|+0.00|TomatoSliced_{i}', 'TomatoSliced', 1.0 + i * 0.02,
                   parentReceptacles=board) for i in range(1, 6)]
    pieces.append(_obj('Tomato|+1.00|+1.00|+0.00|TomatoSliced_0', 'TomatoSliced', 1.0, z=0.1,
                       visible=True, parentReceptacles=bowl))
    ref = {'Tomato_1': Ref('Tomato_1', 'Tomato', (1.0, 1.0, 0.1))}
    for arg, resolver in (('Tomato_1', ref.get), ('Tomato|+1.00|+1.00|+0.00', None)):
        o, _ = resolve_object(arg, OBJS[1:] + pieces, resolver)
        assert o['parentReceptacles'] == board, (arg, o['objectId'])


def test_stale_thor_ids_use_the_type_and_position_in_the_id():
    o, _ = resolve_object('Apple|+2.90|+1.00|+0.00', OBJS)
    assert o['objectId'] == 'Apple|+3.00|+1.00|+0.00'


def test_unknown_ids_fail_clearly_and_a_broken_resolver_is_harmless():
    def broken(_):
        raise RuntimeError('memory down')
    for arg in ('Pear_1', 'nonsense', '', 'Apple_1'):
        o, why = resolve_object(arg, OBJS, broken)
        assert o is None and why
    assert resolve_object('Apple_1', OBJS, None, agent_pos=(2.9, 1, 0), type_fallback=True)[0][
        'objectId'] == 'Apple|+3.00|+1.00|+0.00'


def test_regions_from_memory_or_the_whole_scene():
    pts = [(x * 0.25, z * 0.25) for x in range(20) for z in range(4)]
    box = {'region:kitchen_region_1': Ref('region:kitchen_region_1', 'kitchen', (1.0, 0.0, 0.4),
                                          'region', (1.0, 0.0, 1.0))}
    got, c, note = resolve_region('kitchen_region_1', pts, box.get)
    assert c == (1.0, 0.4) and note == '' and got and all(0.375 <= x <= 1.625 for x, _ in got)
    got, c, note = resolve_region('region:kitchen_region_1', pts, box.get)
    assert c == (1.0, 0.4) and len(got) < len(pts)
    got, _, note = resolve_region('attic', pts, box.get)
    assert got == pts and 'not in memory' in note
    got, _, note = resolve_region('scene', pts, None)
    assert got == pts and note == ''
    assert looks_like_region('region:x') and looks_like_region('kitchen') and not looks_like_region('Apple_1')


def test_acting_on_a_memory_id_takes_only_objects_within_reach_of_the_robot():
    refs = {'Apple_1': Ref('Apple_1', 'Apple', (2.0, 1.0, 0.0)),
            'Apple_2': Ref('Apple_2', 'Apple', None)}
    # Believed between the two apples, the robot standing next to the far one: the near one
    # (to the belief) is across the room from the robot, so the one it can reach is chosen.
    o, why = resolve_object('Apple_1', OBJS, refs.get, agent_pos=(3.5, 1.0, 0.0), reach=1.0)
    assert o['objectId'] == 'Apple|+3.00|+1.00|+0.00', why
    o, why = resolve_object('Apple_1', OBJS, refs.get, agent_pos=(8.0, 1.0, 0.0), reach=1.0)
    assert o is None and 'within reach (1 m)' in why
    # No believed position: never the nearest apple across the room.
    o, why = resolve_object('Apple_2', OBJS, refs.get, agent_pos=(8.0, 1.0, 0.0), reach=1.0)
    assert o is None and 'within reach' in why
    # A stale THOR id is treated the same way; a present one is used as it is.
    assert resolve_object('Apple|+2.90|+1.00|+0.00', OBJS, agent_pos=(8.0, 1, 0), reach=1.0)[0] is None
    assert resolve_object('Apple|+1.00|+1.00|+0.00', OBJS, agent_pos=(8.0, 1, 0), reach=1.0)[0]


def test_reach_is_measured_to_the_box_and_a_held_object_always_qualifies():
    counter = dict(_obj('CounterTop|1', 'CounterTop', 0.0),
                   axisAlignedBoundingBox={'cornerPoints': [[-1.5, 0.9, -0.3], [1.5, 0.95, 0.3]]})
    ref = {'CounterTop_1': Ref('CounterTop_1', 'CounterTop', (0.0, 0.9, 0.0), 'receptacle')}
    assert resolve_object('CounterTop_1', [counter], ref.get, agent_pos=(2.2, 0.9, 0.0), reach=1.0)[0]
    held = dict(_obj('Mug|1', 'Mug', 9.0), isPickedUp=True)
    ref = {'Mug_1': Ref('Mug_1', 'Mug', (9.0, 1.0, 0.0))}
    assert resolve_object('Mug_1', [held], ref.get, agent_pos=(0.0, 0.9, 0.0), reach=1.0)[0] is held
