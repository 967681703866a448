"""Memory modes: which memory the planner sees, defined once (the planner node's ``memory_mode``
parameter, the task benchmark's ``--memory``, the planning core's views all use these).

``karma``         long-term scene graph + short-term memory, retrieval under a budget (default).
``ltm``           the long-term scene graph only, same retrieval.
``stm``           the short-term memory plus what is visible now (the latest perception frame).
``none``          no memory: only what is visible now.
``full-history``  the baseline KARMA beats: every perception frame since the last reset,
                  rendered whole, no retrieval and no budget.

>>> MEMORY_MODES[0], sorted(GRAPH_MODES & STM_MODES)
('karma', ['karma'])
"""
from __future__ import annotations

#: Every memory mode, the default first.
MEMORY_MODES = ('karma', 'none', 'ltm', 'stm', 'full-history')
DEFAULT_MODE = MEMORY_MODES[0]
#: Modes that read the long-term scene graph's objects (the others read only its regions).
GRAPH_MODES = frozenset({'karma', 'ltm'})
#: Modes that read the short-term memory (/karma/stm/query).
STM_MODES = frozenset({'karma', 'stm'})
#: Modes that need the perception stream (latest frame or the whole history).
PERCEPTION_MODES = frozenset({'none', 'stm', 'full-history'})
#: Modes whose prompt is the whole history rather than a retrieval.
NO_RETRIEVAL_MODES = frozenset({'full-history'})
