"""One short-term memory entry. The STM keeps eight states under short names (``STATE_KEYS``);
messages carry AI2-THOR's metadata names; the converters (:mod:`karma_domain.states`, with
their examples) map between them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# The state vocabulary and its conversions are the domain model's (one spelling, THOR keys).
from karma_domain.states import STM_STATES, TEMPERATURES  # noqa: F401
from karma_domain.states import parse_state_string, states_from_thor, states_to_thor, typed_states  # noqa: F401

STATE_KEYS = tuple(STM_STATES)


@dataclass
class StmEntry:
    """A recent change of one object's state or place.

    ``inserted``/``last_used`` are logical ticks of the memory's clock (every record, access
    and hit advances it by one); ``stamp`` is wall time in seconds and ``changed_at`` the
    wall time of the last change (used to find entries stable long enough to consolidate).
    """

    object_id: str
    object_type: str
    states: dict = field(default_factory=dict)
    position: tuple | None = None
    receptacle_id: str = ''
    stamp: float = 0.0
    step: int = 0
    source: str = 'perception'
    access_count: int = 0
    hit_count: int = 0
    inserted: int = 0
    last_used: int = 0
    changed_at: float = 0.0
    consolidated: bool = False

    def describe(self) -> str:
        """Short text for prompts and logs.

        >>> StmEntry('Mug_1', 'Mug', {'held': True, 'clean': True}, receptacle_id='', source='skill').describe()
        'Mug Mug_1: held, clean (by skill)'
        """
        bits = [k if v is True else f'not {k}' if v is False else f'{k} {v}'
                for k, v in self.states.items()]
        where = f' in {self.receptacle_id}' if self.receptacle_id else ''
        return f'{self.object_type} {self.object_id}{where}: {", ".join(bits) or "moved"} (by {self.source})'
