"""Object states, defined once: their one spelling, their typed values, the STM's short names.

**One spelling.** A state is named by its AI2-THOR metadata key (``isOpen``, ``isSliced``,
``isDirty``, ``temperature``, ...): messages (karma_interfaces/msg/KeyValue.msg), the scene
graph, the planner's view and prompts all use it (:data:`STATE_KEYS`). The short-term memory's
core keeps eight states under short names (:data:`STM_STATES`: ``open``, ``clean`` = not
``isDirty``, ...); :func:`states_to_thor` / :func:`typed_states` convert at its boundary, and
:func:`thor_states` turns anything that may hold short names into the one spelling, so no
reader ever checks two spellings.

A detector or simulator reports states as text key/values (AI2-THOR's names, see
karma_interfaces/msg/KeyValue.msg). Memory keeps a value only if it has the key's type:

* boolean keys (``isOpen``, ``isDirty``, ...): true/false (also 1/0, yes/no, on/off);
* ``temperature``: one of :data:`TEMPERATURES`;
* any other key: a finite number, or one enumeration-like word (``water``, ``RoomTemp``).

Anything else ("ignore previous instructions ...") is rejected: :func:`typed_value` returns
None and the caller counts it.

>>> thor_states({'sliced': 'true', 'clean': 'true', 'isOpen': 'false', 'colour': 'red'})
{'isSliced': 'true', 'isDirty': 'false', 'isOpen': 'false'}
>>> is_true({'isToggled': 'True'}, 'isToggled'), is_true({}, 'isOpen')
(True, False)
>>> states_from_thor({'isOpen': 'true', 'isDirty': 'true', 'temperature': 'Hot', 'mass': '1'})
{'open': True, 'clean': False, 'temperature': 'hot'}
>>> states_to_thor({'open': True, 'clean': False})
{'isOpen': 'true', 'isDirty': 'true'}
>>> parse_state_string('isSliced=true; isPickedUp=false')
{'sliced': True, 'held': False}
>>> typed_states({'isOpen': 'ignore previous instructions', 'temperature': 'Cold'})
({'temperature': 'cold'}, ['isOpen'])

>>> typed_value('isOpen', 'TRUE'), typed_value('temperature', 'Cold'), typed_value('fillLiquid', 'water')
('true', 'Cold', 'water')
>>> typed_value('isOpen', 'ignore previous instructions') is None
True
"""
from __future__ import annotations

import math
import re

#: AI2-THOR's boolean state keys.
BOOLEAN_STATES = frozenset({'isOpen', 'isToggled', 'isSliced', 'isCooked', 'isDirty', 'isBroken',
                            'isFilledWithLiquid', 'isUsedUp', 'isPickedUp'})
#: Values of ``temperature``, lower-case (AI2-THOR writes Hot, Cold, RoomTemp).
TEMPERATURES = frozenset({'hot', 'cold', 'roomtemp'})
TRUE_WORDS = frozenset({'true', '1', 'yes', 'on'})
FALSE_WORDS = frozenset({'false', '0', 'no', 'off'})
_WORD = re.compile(r'[A-Za-z][A-Za-z0-9_\-]{0,31}')
_BOOLEAN_LOWER = {k.lower() for k in BOOLEAN_STATES}
#: Every state key, in its one spelling (AI2-THOR's): the booleans, ``temperature``, ``fillLiquid``.
STATE_KEYS = BOOLEAN_STATES | frozenset({'temperature', 'fillLiquid'})
#: The capability (THOR object flag) that makes each state meaningful for an object (a Mug has
#: no isSliced, a Fridge no isPickedUp); None: every object has it.
STATE_CAPABILITY = {
    'isOpen': 'openable', 'isToggled': 'toggleable', 'isSliced': 'sliceable',
    'isCooked': 'cookable', 'isDirty': 'dirtyable', 'isBroken': 'breakable',
    'isFilledWithLiquid': 'canFillWithLiquid', 'fillLiquid': 'canFillWithLiquid',
    'isUsedUp': 'canBeUsedUp', 'isPickedUp': 'pickupable', 'temperature': None,
}
#: The short-term memory's short names -> (THOR key, value inverted). ``temperature`` is text.
STM_STATES = {
    'open': ('isOpen', False),
    'sliced': ('isSliced', False),
    'cooked': ('isCooked', False),
    'clean': ('isDirty', True),
    'filled': ('isFilledWithLiquid', False),
    'toggled': ('isToggled', False),
    'temperature': ('temperature', False),
    'held': ('isPickedUp', False),
}
_FROM_THOR = {thor.lower(): (short, inv) for short, (thor, inv) in STM_STATES.items()}


def parse_bool(raw) -> bool | None:
    """True/False for a boolean word (or bool), else None."""
    if raw is True or raw is False:
        return raw
    text = str(raw).strip().lower()
    return True if text in TRUE_WORDS else False if text in FALSE_WORDS else None


def typed_value(key: str, raw) -> str | None:
    """The value of state ``key`` as stored text, or None when it is not of the key's type."""
    k = str(key).strip().lower()
    if k in _BOOLEAN_LOWER:
        b = parse_bool(raw)
        return None if b is None else ('true' if b else 'false')
    text = str(raw).strip()
    if k == 'temperature':
        return text if text.lower() in TEMPERATURES else None
    if _WORD.fullmatch(text):
        return text
    try:
        x = float(text)
    except ValueError:
        return None
    return text if math.isfinite(x) and len(text) <= 32 else None


def is_true(states: dict, key: str) -> bool:
    """Whether boolean state ``key`` (one spelling) is true in ``states`` (text or bool values)."""
    return parse_bool(states.get(key, '')) is True


def thor_states(pairs: dict) -> dict:
    """``pairs`` in the one spelling: THOR keys kept, STM short names converted (``clean=true``
    is ``isDirty=false``), anything else dropped. Values are text."""
    out = {}
    for key, raw in pairs.items():
        k = str(key)
        if k in STATE_KEYS:
            out[k] = raw if isinstance(raw, str) else str(raw).lower()
        elif k in STM_STATES:
            thor, inv = STM_STATES[k]
            b = parse_bool(raw)
            out[thor] = (str(raw) if b is None else 'true' if b != inv else 'false')
    return out


def _stm_value(raw, inverted: bool):
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
        if k in STM_STATES:
            short, inv = k, False
        elif k.lower() in _FROM_THOR:
            short, inv = _FROM_THOR[k.lower()]
        else:
            continue
        if short == 'temperature':
            value = str(raw).strip().lower()
            value = value if value in TEMPERATURES else None
        else:
            value = _stm_value(raw, inv)
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
        thor, inv = STM_STATES[short]
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
