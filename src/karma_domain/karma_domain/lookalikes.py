"""Object types a detector confuses with each other (look-alikes), defined once.

The bridge's realistic perception draws label confusions from this table, and the long-term
memory uses the same table for confusion-aware type matching, so a simulated confusion is
always one the memory is prepared to forgive. Groups are small on purpose: only types that a
detector at a few metres really mixes up (same shape and size class), never types that merely
share a use.

>>> sorted(lookalikes("Mug"))
['Cup']
>>> "Plate" in lookalikes("Bowl") and "Bowl" in lookalikes("Plate")
True
>>> lookalikes("Fridge")
frozenset()
"""
from __future__ import annotations

# Each group is a set of mutually confusable THOR types; LOOKALIKES is derived from it so the
# relation is symmetric by construction.
_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"Cup", "Mug"}),
    frozenset({"Bowl", "Plate"}),
    frozenset({"Knife", "ButterKnife"}),
    frozenset({"Pen", "Pencil"}),
    frozenset({"Apple", "Tomato"}),
    frozenset({"Pillow", "Cloth"}),
    frozenset({"SaltShaker", "PepperShaker"}),
    frozenset({"Fork", "Spoon"}),
    frozenset({"Pot", "Pan"}),
    frozenset({"SoapBar", "DishSponge"}),
)


def _build(groups: tuple[frozenset[str], ...]) -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for g in groups:
        for t in g:
            table.setdefault(t, set()).update(g - {t})
    return {t: frozenset(others) for t, others in table.items()}


#: Type -> the other types it is confused with. Symmetric: ``b in LOOKALIKES[a]`` iff
#: ``a in LOOKALIKES[b]``; a type never lists itself.
LOOKALIKES: dict[str, frozenset[str]] = _build(_GROUPS)


def lookalikes(type_: str) -> frozenset[str]:
    """The types ``type_`` is confused with (empty for a type with no look-alike)."""
    return LOOKALIKES.get(type_, frozenset())


def confusable(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are the same type or look-alikes.

    >>> confusable("Cup", "Mug"), confusable("Cup", "Cup"), confusable("Cup", "Apple")
    (True, True, False)
    """
    return a == b or b in lookalikes(a)
