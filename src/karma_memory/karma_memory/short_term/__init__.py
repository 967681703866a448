"""Short-term memory (STM): a bounded buffer of recent object-state changes.

Plain Python, no ROS. The ``stm_node`` (karma_memory_ros) is a thin shell around it.

Example::

    >>> from karma_memory.short_term import ShortTermMemory
    >>> handed = []
    >>> stm = ShortTermMemory(capacity=2, policy='fifo', on_consolidate=lambda e, why: handed.append((e.object_id, why)))
    >>> for i, oid in enumerate(['Apple_1', 'Mug_1', 'Egg_1']):
    ...     _ = stm.record(oid, oid.split('_')[0], {'held': True}, source='skill', step=i)
    >>> sorted(stm.ids()), handed
    (['Egg_1', 'Mug_1'], [('Apple_1', 'evicted')])
"""
from .entry import (STATE_KEYS, TEMPERATURES, StmEntry, parse_state_string, states_from_thor,
                    states_to_thor, typed_states)
from .policies import POLICIES, ReplacementPolicy, make_policy
from .memory import PolicyStats, ShortTermMemory
from .store import StmStore

__all__ = ['STATE_KEYS', 'TEMPERATURES', 'typed_states', 'StmEntry', 'states_from_thor', 'states_to_thor', 'parse_state_string',
           'POLICIES', 'ReplacementPolicy', 'make_policy', 'PolicyStats', 'ShortTermMemory', 'StmStore']
