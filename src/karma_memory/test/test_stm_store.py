"""The short-term memory's SQLite store: a restarted memory is the memory it was."""
import dataclasses

from karma_memory.short_term import ShortTermMemory, StmStore


def state(stm):
    return ([dataclasses.asdict(e) for e in sorted(stm._entries.values(), key=lambda e: e.object_id)],
            list(stm._baseline.items()), stm._tick, dataclasses.asdict(stm.stats))


def busy_memory(on_consolidate=None):
    stm = ShortTermMemory(capacity=2, policy='lru', clock=lambda: 10.0, baseline_capacity=3,
                          on_consolidate=on_consolidate)
    stm.observe('Fridge_1', 'Fridge', {'isOpen': 'false'}, (1.0, 1.0, 0.0))
    stm.observe('Fridge_1', 'Fridge', {'isOpen': 'true'}, (1.0, 1.0, 0.0))       # a change
    stm.record('Mug_1', 'Mug', {'held': True}, source='skill', step=1)
    stm.count_usage(['Mug_1'], ['Mug_1', 'Egg_1'])
    return stm


def test_a_reloaded_memory_equals_the_saved_one(tmp_path):
    stm = busy_memory()
    store = StmStore(str(tmp_path))
    store.save(stm)
    back = ShortTermMemory(capacity=2, policy='lru', clock=lambda: 11.0, baseline_capacity=3)
    assert StmStore(str(tmp_path)).load(back) == 2
    assert state(back) == state(stm)
    # Back in business: the baseline makes an unchanged sighting no change, a new state one.
    assert back.observe('Fridge_1', 'Fridge', {'isOpen': 'true'}, (1.0, 1.0, 0.0)) is None
    assert back.observe('Fridge_1', 'Fridge', {'isOpen': 'false'}, (1.0, 1.0, 0.0)) is not None


def test_incremental_saves_follow_evictions_baseline_trimming_and_reset(tmp_path):
    handed = []
    stm = busy_memory(lambda e, why: handed.append(e.object_id))
    store = StmStore(str(tmp_path))
    store.save(stm)
    stm.record('Egg_1', 'Egg', {'cooked': True})            # evicts the least recently used
    for i in range(4):                                      # pushes old baseline rows out
        stm.observe(f'Cup_{i}', 'Cup', {'isDirty': 'true'})
    store.save(stm)
    back = ShortTermMemory(capacity=2, policy='lru', baseline_capacity=3)
    StmStore(str(tmp_path)).load(back)
    assert handed and state(back) == state(stm)
    stm.reset()
    store.save(stm)
    empty = ShortTermMemory(capacity=2, policy='lru', baseline_capacity=3)
    assert StmStore(str(tmp_path)).load(empty) == 0 and not empty._baseline


def test_unreadable_rows_are_skipped(tmp_path):
    store = StmStore(str(tmp_path))
    store.save(busy_memory())
    store._db.execute("UPDATE entries SET data = 'not json' WHERE id = 'Mug_1'")
    back = ShortTermMemory(capacity=2, policy='lru', baseline_capacity=3)
    assert StmStore(str(tmp_path)).load(back) == 1 and back.ids() == ['Fridge_1']
