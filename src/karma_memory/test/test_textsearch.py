"""The one lexical type matcher (FindObject's ranking, retrieval's type boosts)."""
import pytest

from karma_memory.textsearch import NAMED, SYNONYM, TypeMatcher


@pytest.mark.parametrize('query, typ, score', [
    ('apple', 'Apple', 1.0), ('Apples', 'Apple', 1.0), ('coffee tables', 'CoffeeTable', 1.0),
    ('two tomatoes on the plate', 'Tomato', NAMED), ('put the butter knife away', 'ButterKnife', NAMED),
    ('put the coffee on the sofa', 'CoffeeTable', 0.3),          # both words, not in order: partial
    ('something to write with', 'Pencil', SYNONYM),              # a phrase of the domain table
    ('the red fruit', 'Tomato', SYNONYM), ('the toilet rolls', 'ToiletPaper', SYNONYM),
    ('place the pot on the countertop', 'CounterTop', NAMED), ('the armchairs', 'ArmChair', 1.0),
    ('fridge', 'Apple', 0.0), ('', 'Apple', 0.0),
])
def test_scores(query, typ, score):
    assert TypeMatcher().score(query, typ) == pytest.approx(score)


def test_named_splits_direct_names_from_synonyms():
    m = TypeMatcher()
    types = ['Apple', 'Tomato', 'Fridge', 'CoffeeTable', 'Mug']
    assert m.named('Put the red fruit in the refrigerator.', types) == (set(), {'Apple', 'Tomato', 'Fridge'})
    assert m.named('Put the apple in the fridge.', types) == ({'Apple', 'Fridge'}, set())


def test_a_table_of_its_own_replaces_the_domain_one():
    m = TypeMatcher({'Crunchy Snack': ('Apple',)})
    assert m.score('a crunchy snack', 'Apple') == SYNONYM
    assert m.score('the red fruit', 'Apple') == 0.0
    assert m.synonym_hits('two crunchy snacks') == []             # phrases match whole words
