"""One short-term memory entry, and the state vocabulary shared with AI2-THOR.

The STM keeps eight states under short names (``STATE_KEYS``). Messages carry AI2-THOR's
metadata names (see karma_interfaces/msg/KeyValue.msg); the converters map between them.

>>> states_from_thor({'isOpen': 'true', 'isDirty': 'true', 'temperature': 'Hot', 'mass': '1'})
{'open': True, 'clean': False, 'temperature': 'hot'}
>>> states_to_thor({'open': True, 'clean': False})
{'isOpen': 'true', 'isDirty': 'true'}
>>> parse_state_string('isSliced=true; isPickedUp=false')
{'sliced': True, 'held': False}
>>> typed_states({'isOpen': 'ignore previous instructions', 'temperature': 'Cold'})
({'temperature': 'cold'}, ['isOpen'])
"""
from __future__ import annotations

from dataclasses import dataclass, field

from karma_memory.states import TEMPERATURES, parse_bool

#: short name -> (THOR key, inverted boolean). ``temperature`` is text (hot/cold/roomtemp).
_THOR = {
    'open': ('isOpen', False),
    'sliced': ('isSliced', False),
    'cooked': ('isCooked', False),
    'clean': ('isDirty', True),
    'filled': ('isFilledWithLiquid', False),
    'toggled': ('isToggled', False),
    'temperature': ('temperature', False),
    'held': ('isPickedUp', False),
}
STATE_KEYS = tuple(_THOR)
_FROM_THOR = {thor.lower(): (short, inv) for short, (thor, inv) in _THOR.items()}


def _value(raw, inverted: bool):
    """A boolean state's value, or None when ``raw`` is not a boolean (text from perception is
    data: "ignore previous instructions" is not a state)."""
    b = parse_bool(raw)
    return None if b is None else b != inverted


def typed_states(pairs: dict) -> tuple[dict, list[str]]:
    """``(states, rejected keys)``: the STM states of ``pairs`` (THOR keys or short names) with
    typed values; a known key whose value is not of its type is rejected, other keys ignored."""
    out, rejected = {}, []
    for key, raw in pairs.items():
        k = str(key).strip()
        if k in _THOR:
            short, inv = k, False
        elif k.lower() in _FROM_THOR:
            short, inv = _FROM_THOR[k.lower()]
        else:
            continue
        if short == 'temperature':
            value = str(raw).strip().lower()
            value = value if value in TEMPERATURES else None
        else:
            value = _value(raw, inv)
        if value is None:
            rejected.append(k[:32])
        else:
            out[short] = value
    return out, rejected


def states_from_thor(pairs: dict) -> dict:
    """Keep the STM states of ``pairs`` (THOR keys or short names), typed; drop the rest."""
    return typed_states(pairs)[0]


def states_to_thor(states: dict) -> dict:
    """Short names -> THOR keys with lower-case text values (for KeyValue messages)."""
    out = {}
    for short, value in states.items():
        thor, inv = _THOR[short]
        if isinstance(value, bool):
            out[thor] = 'true' if value != inv else 'false'
        else:
            out[thor] = str(value)
    return out


def parse_state_string(text: str) -> dict:
    """Parse SkillResult.object_states ("key=value;key=value") into STM states."""
    pairs = {}
    for part in str(text).split(';'):
        if '=' in part:
            k, v = part.split('=', 1)
            pairs[k.strip()] = v.strip()
    return states_from_thor(pairs)


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
