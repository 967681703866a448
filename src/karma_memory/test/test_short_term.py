"""Short-term memory: replacement policies against hand-computed traces, stats, consolidation."""
import pytest

from karma_memory.short_term import ShortTermMemory, make_policy, states_to_thor


def trace_one(policy, **kw):
    """capacity 3; ticks: 1 A, 2 B, 3 C, 4 usage(ret A,B; ref A), 5 usage(ret A; ref A), 6 D.

    Hand-computed state before D (now = 6):
      A inserted 1, last_used 5, access 2, hits 2
      B inserted 2, last_used 4, access 1, hits 0
      C inserted 3, last_used 3, access 0, hits 0
    """
    out = []
    stm = ShortTermMemory(3, policy, on_consolidate=lambda e, why: out.append((e.object_id, why)),
                          clock=lambda: 0.0, **kw)
    for oid in 'ABC':
        stm.record(oid, 'T', {'open': True})
    assert stm.count_usage(['A', 'B'], ['A']) == (1, 0)
    assert stm.count_usage(['A'], ['A']) == (1, 0)
    stm.record('D', 'T', {'open': True})
    return stm, out


@pytest.mark.parametrize('policy,victim', [
    ('fifo', 'A'),      # first inserted
    ('lru', 'C'),       # last_used 3 < 4 < 5 (+D at 6)
    ('lfu', 'C'),       # access 0 < 1 < 2
    # karma, half_life 8: A 3/4*0.5**(1/8)=0.688, B 1/3*0.5**(2/8)=0.280, C 1/2*0.5**(3/8)=0.386
    ('karma', 'B'),
    # mem4nav lam .5: A 1-0.5=0.5, B 0.5-1=-0.5, C 0-1.5=-1.5
    ('mem4nav', 'C'),
])
def test_trace_one_victims(policy, victim):
    stm, out = trace_one(policy)
    assert out == [(victim, 'evicted')]
    assert sorted(stm.ids()) == sorted(set('ABCD') - {victim})
    assert (stm.stats.hits, stm.stats.misses, stm.stats.evictions) == (2, 0, 1)
    assert stm.stats.hit_rate == 1.0


@pytest.mark.parametrize('lam,victim', [(0.9, 'B'), (0.1, 'A')])
def test_mem4nav_lambda_trades_frequency_for_recency(lam, victim):
    # ticks: 1 A, 2 usage(A;A), 3 usage(A;-), 4 B, 5 C -> now 5
    # A: access 2, last_used 3; B: access 0, last_used 4
    # lam .9: A 1.8-0.2=1.6, B 0-0.1=-0.1 -> B;  lam .1: A 0.2-1.8=-1.6, B 0-0.9=-0.9 -> A
    out = []
    stm = ShortTermMemory(2, 'mem4nav', lam=lam, on_consolidate=lambda e, w: out.append(e.object_id))
    stm.record('A', 'T', {})
    stm.count_usage(['A'], ['A'])
    stm.count_usage(['A'], [])
    stm.record('B', 'T', {})
    stm.record('C', 'T', {})
    assert out == [victim]
    # LRU on the same state evicts A (last_used 3 < 4)
    lru = ShortTermMemory(2, 'lru')
    lru.record('A', 'T', {})
    lru.count_usage(['A'], ['A'])
    lru.count_usage(['A'], [])
    lru.record('B', 'T', {})
    lru.record('C', 'T', {})
    assert sorted(lru.ids()) == ['B', 'C']


def test_karma_half_life_changes_victim():
    # With a very long half life age hardly matters: C's rate 1/2 > B's 1/3 still, so B goes;
    # with a very short one recency dominates: C (age 3) < B (age 2) -> C goes.
    _, out = trace_one('karma', half_life=0.1)
    assert out == [('C', 'evicted')]
    _, out = trace_one('karma', half_life=1000)
    assert out == [('B', 'evicted')]


def test_misses_and_hit_rate():
    stm = ShortTermMemory(4, 'lru')
    stm.record('Mug_1', 'Mug', {'held': True}, source='skill')
    # referenced but not retrieved -> miss; referenced, not held -> miss; retrieved+held+ref -> hit
    assert stm.count_usage([], ['Mug_1']) == (0, 1)
    assert stm.count_usage(['Mug_1', 'Fridge_1'], ['Mug_1', 'Fridge_1']) == (1, 1)
    e = stm.get('Mug_1')
    assert (e.access_count, e.hit_count) == (1, 1)
    assert stm.stats.hit_rate == pytest.approx(1 / 3)


def test_observe_records_only_changes():
    stm = ShortTermMemory(8, 'fifo', clock=lambda: 1.0, move_threshold_m=0.1)
    assert stm.observe('Fridge_1', 'Fridge', {'isOpen': 'false'}, (0, 0, 0)) is None
    assert stm.observe('Fridge_1', 'Fridge', {'isOpen': 'false'}, (0.05, 0, 0)) is None
    e = stm.observe('Fridge_1', 'Fridge', {'isOpen': 'true'}, (0, 0, 0))
    assert e.states == {'open': True} and e.source == 'perception'
    assert stm.observe('Apple_1', 'Apple', {}, (1, 1, 1), 'CounterTop_1') is None
    assert stm.observe('Apple_1', 'Apple', {}, (1, 1, 1), 'Fridge_1').receptacle_id == 'Fridge_1'
    assert stm.observe('Apple_1', 'Apple', {}, (2, 1, 1), 'Fridge_1').position == (2.0, 1.0, 1.0)
    assert len(stm) == 2


def test_skill_results_track_the_hand():
    stm = ShortTermMemory(8, 'lru')
    stm.apply_skill_result(['Apple_1'], ['isPickedUp=true'], held_object_id='Apple_1', step=1)
    assert stm.get('Apple_1').states['held'] is True and stm.get('Apple_1').source == 'skill'
    stm.apply_skill_result(['Fridge_1'], ['isOpen=true'], held_object_id='', step=2)
    assert stm.get('Apple_1').states['held'] is False
    assert stm.get('Fridge_1').states['open'] is True
    assert states_to_thor(stm.get('Apple_1').states) == {'isPickedUp': 'false'}
    assert [e.object_id for e in stm.query('fridge')] == ['Fridge_1']


def test_stable_entries_are_consolidated_once():
    t = [0.0]
    out = []
    stm = ShortTermMemory(4, 'fifo', stable_after_s=10, clock=lambda: t[0],
                          on_consolidate=lambda e, why: out.append((e.object_id, why)))
    stm.record('Egg_1', 'Egg', {'cooked': True})
    t[0] = 5.0
    assert stm.consolidate_stable() == []
    t[0] = 11.0
    assert [e.object_id for e in stm.consolidate_stable()] == ['Egg_1']
    assert stm.consolidate_stable() == []
    stm.record('Egg_1', 'Egg', {'sliced': True})          # changed again -> eligible again
    t[0] = 30.0
    stm.consolidate_stable()
    assert out == [('Egg_1', 'stable'), ('Egg_1', 'stable')]
    assert 'Egg_1' in stm                                   # stable entries stay in the STM


def test_bad_config_rejected():
    with pytest.raises(ValueError):
        ShortTermMemory(0)
    with pytest.raises(ValueError):
        make_policy('random')


def test_robot_state_sets_and_clears_held():
    stm = ShortTermMemory(capacity=8, policy='lru', clock=lambda: 0.0)
    stm.record('Mug_1', 'Mug', {'held': True}, source='skill')
    changed = stm.set_held('Apple_2', 'Apple')
    assert {e.object_id for e in changed} == {'Mug_1', 'Apple_2'}
    assert stm.get('Mug_1').states['held'] is False and stm.get('Apple_2').states['held'] is True
    assert stm.get('Apple_2').source == 'robot_state' and stm.get('Apple_2').object_type == 'Apple'
    assert stm.set_held('Apple_2') == []                  # already held: nothing changes
    stm.set_held('')
    assert stm.get('Apple_2').states['held'] is False
