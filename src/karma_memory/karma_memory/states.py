"""Typed object-state values: what a state from perception may say, so text stays data.

A detector or simulator reports states as text key/values (AI2-THOR's names, see
karma_interfaces/msg/KeyValue.msg). Memory keeps a value only if it has the key's type:

* boolean keys (``isOpen``, ``isDirty``, ...): true/false (also 1/0, yes/no, on/off);
* ``temperature``: one of :data:`TEMPERATURES`;
* any other key: a finite number, or one enumeration-like word (``water``, ``RoomTemp``).

Anything else ("ignore previous instructions ...") is rejected: :func:`typed_value` returns
None and the caller counts it.

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
