"""Object-type vocabulary shared by memory, planner and skills, and open-vocabulary labels.

The type tables are the skill catalogue's (:mod:`karma_domain.skills` re-exports them). A detector's
labels ("fridge", "trash can", "coffee mugs") are mapped to these CamelCase types by
:func:`canonical_type`: exact CamelCase join, then the word-synonym table of
:mod:`karma_domain.words`, then the label's head noun. Labels that map to nothing keep
their CamelCase form, so a new type is still one stable type.

>>> canonical_type("fridge"), canonical_type("Refrigerator"), canonical_type("dining table")
('Fridge', 'Fridge', 'DiningTable')
>>> canonical_type("coffee mugs"), canonical_type("trash can"), canonical_type("Apple")
('Mug', 'GarbageCan', 'Apple')
>>> canonical_type("kitchen counter"), canonical_type("toy robot")
('CounterTop', 'ToyRobot')
>>> is_receptacle_type("Plate"), is_receptacle_type("Apple")
(True, False)
"""
from __future__ import annotations

import re
from functools import lru_cache

from karma_domain.lookalikes import LOOKALIKES
from karma_domain.words import SYNONYMS, type_words
from karma_domain.words import singular as _singular

#: Object types that hold other objects (THOR receptacles; used when a detector lacks the flag).
RECEPTACLE_TYPES = frozenset('''ArmChair Bathtub BathtubBasin Bed Bowl Box Cabinet CoffeeMachine
CoffeeTable CounterTop Cup Desk DiningTable Drawer Dresser Fridge GarbageCan HandTowelHolder
LaundryHamper Microwave Mug Ottoman Pan Plate Pot Safe Shelf ShelvingUnit SideTable Sink SinkBasin
Sofa StoveBurner TVStand Toaster Toilet ToiletPaperHanger TowelHolder Floor'''.split())
#: Receptacles a robot cannot carry (furniture, appliances).
FIXED_TYPES = frozenset('''ArmChair Bathtub BathtubBasin Bed Cabinet CoffeeMachine CoffeeTable
CounterTop Desk DiningTable Drawer Dresser Fridge GarbageCan HandTowelHolder LaundryHamper Microwave
Ottoman Safe Shelf ShelvingUnit SideTable Sink SinkBasin Sofa StoveBurner StoveKnob TVStand Toaster
Toilet ToiletPaperHanger TowelHolder Floor Faucet ShowerDoor ShowerHead LightSwitch Window Television
FloorLamp DeskLamp Blinds Curtains Painting Mirror Chair Stool'''.split())
OPENABLE_TYPES = frozenset('''Fridge Cabinet Drawer Microwave Safe Box Laptop Kettle ShowerDoor
ShowerCurtain Toilet Blinds Book'''.split())
TOGGLEABLE_TYPES = frozenset('''Faucet ShowerHead StoveKnob StoveBurner Microwave Toaster
CoffeeMachine DeskLamp FloorLamp LightSwitch Television Laptop CellPhone Candle'''.split())
SLICEABLE_TYPES = frozenset('Apple Bread Lettuce Potato Tomato Egg'.split())
#: Closed containers a search opens to look inside (``explore(C)`` of one opens it), in the
#: order a search tries them (fridges first). The bridge's skill server opens only these.
SEARCHABLE_CONTAINERS = ('Fridge', 'Cabinet', 'Drawer', 'Microwave', 'Safe', 'Box')

#: Every type the catalogue names, by lower-case key.
KNOWN_TYPES: dict[str, str] = {t.lower(): t for t in (
    RECEPTACLE_TYPES | FIXED_TYPES | OPENABLE_TYPES | TOGGLEABLE_TYPES | SLICEABLE_TYPES
    | frozenset(LOOKALIKES))}
_RECEPTACLE_KEYS = frozenset(t.lower() for t in RECEPTACLE_TYPES)


def is_receptacle_type(type_: str) -> bool:
    """True when objects of ``type_`` hold other objects (case-insensitive)."""
    return type_.lower() in _RECEPTACLE_KEYS


def _synonym(word: str) -> str:
    """The catalogue type a single word names unambiguously, else ``""``."""
    hits = SYNONYMS.get(word, ())
    if len(hits) == 1 and hits[0] in KNOWN_TYPES:
        return KNOWN_TYPES[hits[0]]
    return KNOWN_TYPES.get(word, "")


@lru_cache(maxsize=8192)
def canonical_type(label: str) -> str:
    """The catalogue's CamelCase type for a detector label (see the module docstring).

    A label already written as one CamelCase word ("AlarmClock") that the catalogue does not
    know is a type name from elsewhere (THOR's list is longer) and is returned unchanged; only
    spaced or lower-case labels fall back on their head noun (the last word).
    """
    text = label.strip()
    words = [_singular(w) for tok in re.split(r"[^A-Za-z0-9]+", text) if tok
             for w in type_words(tok)]
    if not words:
        return label
    joined = "".join(words)
    if joined in KNOWN_TYPES:
        return KNOWN_TYPES[joined]
    whole = _synonym(joined)
    if whole:
        return whole
    camel = re.fullmatch(r"[A-Z][A-Za-z0-9]*", text) is not None
    if camel:
        return text
    if len(words) > 1:
        head = _synonym(words[-1])
        if head:
            return head
    return "".join(w[:1].upper() + w[1:] for w in words)


#: Why a skill failed, as a robot's skill server reports it (karma_interfaces SkillResult and
#: ExecuteSkill carry the same codes as uint8 constants, in this order). A failure is evidence
#: about the world: the memories and the executor act on the code, never on the message text.
FAILURES = (
    'none',               # it succeeded
    'other',              # anything not below (the simulator's message says what)
    'not_found',          # the target is not where memory believes (or nowhere near)
    'hand_empty',         # the skill needs a held object and the hand is empty
    'hand_full',          # the skill needs a free hand and something is held
    'container_closed',   # the target is inside a closed container: open it first
    'unreachable',        # no pose reaches or sees the target
    'invalid_call',       # unknown skill, wrong arity, malformed arguments
    'budget',             # the skill ran out of its action budget
)
#: What the gripper holds, as karma_interfaces/RobotState's HAND_* codes (in this order).
HAND_STATES = ('unknown', 'empty', 'holding')

FAILURE_CODE: dict[str, int] = {name: i for i, name in enumerate(FAILURES)}


def failure_name(code: int) -> str:
    """The failure name of a message's uint8 code; unknown codes read as ``other``.

    >>> failure_name(FAILURE_CODE['hand_empty']), failure_name(200)
    ('hand_empty', 'other')
    """
    return FAILURES[code] if 0 <= code < len(FAILURES) else 'other'
