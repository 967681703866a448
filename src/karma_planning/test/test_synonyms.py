"""One synonym table: the domain's (karma_domain.words), a deployment's file only adds to it."""
from karma_domain.words import RECENCY_CUES, SYNONYMS
from karma_planning.prompt import default_prompts_dir
from karma_planning.synonyms import SynonymTable


def test_the_shipped_file_adds_nothing_to_the_domain_table():
    t = SynonymTable.load(default_prompts_dir() / 'synonyms.yaml')
    assert t.phrases == SYNONYMS
    assert [c.strip() for c in t.cues] == list(RECENCY_CUES)


def test_a_deployment_file_adds_phrases_and_types_in_the_same_format(tmp_path):
    f = tmp_path / 'synonyms.yaml'
    f.write_text('phrases:\n  Fizzy Soda: [Bottle, Cup]\n  red fruit: [Strawberry]\n'
                 'recency_cues: [a moment ago]\n')
    t = SynonymTable.load(f)
    assert t.phrases['fizzy soda'] == ('bottle', 'cup')
    assert t.phrases['red fruit'] == ('apple', 'tomato', 'strawberry')      # the domain's, extended
    assert t.types_for('Bring me a fizzy soda.') == {'bottle', 'cup'}
    assert t.has_recency_cue('the cup from a moment ago') and t.has_recency_cue('the mug I used')
    assert t.matcher().score('a fizzy soda', 'Bottle') == 0.7
