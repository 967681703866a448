"""The look-alike table shared by realistic perception (confusions) and memory (matching)."""
import doctest

from karma_domain import lookalikes as lk
from karma_domain.lookalikes import LOOKALIKES, confusable, lookalikes


def test_symmetric_and_irreflexive():
    for a, others in LOOKALIKES.items():
        assert a not in others
        for b in others:
            assert a in LOOKALIKES[b], (a, b)


def test_issue_pairs_present():
    for a, b in [("Cup", "Mug"), ("Bowl", "Plate"), ("Knife", "ButterKnife"), ("Pen", "Pencil"),
                 ("Apple", "Tomato"), ("Pillow", "Cloth")]:
        assert b in lookalikes(a) and a in lookalikes(b)
        assert confusable(a, b)


def test_unknown_type_has_none():
    assert lookalikes("NoSuchThing") == frozenset()
    assert not confusable("Fridge", "Microwave")


def test_doctests():
    assert doctest.testmod(lk).failed == 0
