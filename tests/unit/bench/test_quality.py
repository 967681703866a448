"""Memory quality: the memory's objects judged against ground truth (evaluation only)."""
import pytest

from karma_bench.quality import judge, match, pool
from karma_thor_bridge.frames import from_map

# Positions below are in map (REP-103, z up); ground truth is THOR metadata, in Unity axes.


def _gt(*objs, perceived=None):
    out = []
    for oid, otype, pos, parent, pickup in objs:
        out.append({'objectId': oid, 'objectType': otype, 'pickupable': pickup,
                    'axisAlignedBoundingBox': {'center': dict(zip('xyz', from_map(pos)))},
                    'parentReceptacles': [parent] if parent else None})
    return {'objects': out, 'perceived': [o['objectId'] for o in out] if perceived is None else perceived}


GT = _gt(('Counter|1', 'CounterTop', (0, 0, 0.9), '', False),
         ('Fridge|1', 'Fridge', (3, 0, 1), '', False),
         ('Mug|1', 'Mug', (0.2, 0, 1.0), 'Counter|1', True),
         ('Mug|2', 'Mug', (3, 0, 0.8), 'Fridge|1', True),
         ('Apple|1', 'Apple', (-0.3, 0, 1.0), 'Counter|1', True))


def _m(mid, mtype, pos, parent='', conf=1.0, layer='object'):
    return {'id': mid, 'type': mtype, 'position': pos, 'parent': parent, 'confidence': conf,
            'layer': layer}


def test_a_perfect_memory():
    mem = [_m('CounterTop_1', 'CounterTop', (0.03, 0, 0.9), layer='receptacle'),
           _m('Fridge_1', 'Fridge', (3, 0.03, 1), layer='receptacle'),
           _m('Mug_1', 'Mug', (0.25, 0, 1.0), 'CounterTop_1'), _m('Mug_2', 'Mug', (3, 0.03, 0.8), 'Fridge_1'),
           _m('Apple_1', 'apple', (-0.3, 0, 1.0), 'CounterTop_1'),
           {'id': 'region:kitchen_1', 'type': 'kitchen', 'position': (0, 0, 0), 'layer': 'region'}]
    q = judge(mem, GT)
    assert (q['recall'], q['precision'], q['duplicate_rate'], q['containment_accuracy'],
            q['stale_beliefs']) == (1.0, 1.0, 0.0, 1.0, 0)
    assert q['position_error_m'] == pytest.approx(0.03)
    assert q['counts']['memory'] == 5  # regions are not objects


def test_ghosts_duplicates_misses_and_wrong_containers():
    mem = [_m('CounterTop_1', 'CounterTop', (0, 0, 0.9), layer='receptacle'),
           _m('Mug_1', 'Mug', (0.2, 0.1, 1.0), 'CounterTop_1'),
           _m('Mug_3', 'Mug', (0.3, 0.0, 1.0), 'CounterTop_1'),      # a duplicate of Mug|1
           _m('Mug_4', 'Mug', (1.5, 0.0, 1.0), conf=0.9),             # a ghost: no mug there
           _m('Mug_5', 'Mug', (1.5, 1.0, 1.0), conf=0.2),             # doubtful: not counted stale
           _m('Apple_1', 'Apple', (-0.3, 0, 1.0), 'Fridge_7'),        # wrong receptacle
           _m('Pear_1', 'Pear', (0, 0, 1), conf=0.9)]                 # a type the scene lacks
    q = judge(mem, GT)
    c = q['counts']
    assert c == {'seen': 5, 'recalled': 3, 'seen_repeated': 0, 'recalled_repeated': 0,
                 'memory': 7, 'matched': 3, 'duplicates': 1, 'contained': 2, 'contained_ok': 1,
                 'contained_first': 1, 'stale': 1}
    assert q['recall'] == 0.6 and q['precision'] == pytest.approx(3 / 7)
    assert q['duplicate_rate'] == pytest.approx(1 / 7) and q['containment_accuracy'] == 0.5
    assert q['stale_beliefs'] == 1


def test_containment_accepts_any_of_thors_receptacles_and_reports_the_first_apart():
    # THOR lists a pen on a dining table also "in" the chair tucked under it
    gt = _gt(('Table|1', 'DiningTable', (0, 0, 0.7), '', False),
             ('Chair|1', 'Chair', (0, 0.5, 0.45), '', False),
             ('Pen|1', 'Pen', (0, 0.3, 0.75), 'Table|1', True),
             ('Pen|2', 'Pen', (0.4, 0.3, 0.75), 'Table|1', True))
    gt['objects'][2]['parentReceptacles'] = ['Table|1', 'Chair|1']
    gt['objects'][3]['parentReceptacles'] = ['Table|1', 'Chair|1']
    mem = [_m('DiningTable_1', 'DiningTable', (0, 0, 0.7), layer='receptacle'),
           _m('Chair_1', 'Chair', (0, 0.5, 0.45), layer='receptacle'),
           _m('Pen_1', 'Pen', (0, 0.3, 0.75), 'Chair_1'), _m('Pen_2', 'Pen', (0.4, 0.3, 0.75), 'DiningTable_1')]
    q = judge(mem, gt)
    assert q['containment_accuracy'] == 1.0 and q['containment_first'] == 0.5
    mem[2]['parent'] = 'region:kitchen'
    assert judge(mem, gt)['containment_accuracy'] == 0.5


def test_recall_counts_only_what_perception_detected_and_empty_is_none():
    q = judge([], _gt(('Mug|1', 'Mug', (0, 0, 1), '', True), perceived=[]))
    assert q['recall'] is None and q['precision'] is None and q['position_error_m'] is None
    q = judge([], _gt(('Mug|1', 'Mug', (0, 0, 1), '', True), perceived=['Mug|1', 'Gone|9']))
    assert q['recall'] == 0.0 and q['counts']['seen'] == 1


def test_recall_over_repeated_sightings():
    gt = _gt(('Mug|1', 'Mug', (0, 0, 1), '', True), ('Cup|1', 'Cup', (1, 0, 1), '', True),
             perceived={'Mug|1': 1, 'Cup|1': 4})
    q = judge([_m('Cup_1', 'Cup', (1, 0, 1))], gt)
    assert q['recall'] == 0.5 and q['recall_repeated'] == 1.0


def test_matching_is_one_to_one_closest_first():
    objs = GT['objects']
    m2g, d = match([_m('a', 'Mug', (0.3, 0, 1.0)), _m('b', 'Mug', (0.21, 0, 1.0))], objs)
    assert m2g == {'b': 'Mug|1'} and d == [pytest.approx(0.01)]


def test_pool_sums_counts_over_tasks():
    a = judge([_m('Mug_1', 'Mug', (0.2, 0, 1.0))], GT)
    b = judge([_m('Mug_1', 'Mug', (0.2, 0, 1.0)), _m('Mug_9', 'Mug', (1.5, 0, 1))], GT)
    p = pool([a, None, b])
    assert p['tasks'] == 2 and p['counts']['memory'] == 3 and p['counts']['seen'] == 10
    assert p['precision'] == pytest.approx(2 / 3) and p['stale_beliefs'] == 0.5
    assert pool([None]) is None
