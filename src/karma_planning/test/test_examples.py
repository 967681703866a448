"""Worked-example retrieval: files, similarity ranking by the retriever's embedding, budget."""
import pytest

from karma_planning.embedding import EmbeddingIndex, HashEmbedder
from karma_planning.examples import ExampleLibrary, load_examples
from karma_planning.planner import Planner
from karma_planning.prompt import PromptBuilder, default_prompts_dir
from karma_planning.retrieval import Retriever
from karma_planning.backends import make_backend


def _ex(instruction, memory='- id "X_1": type "X"\n', plan='[]'):
    return {'instruction': instruction, 'memory': memory, 'plan': plan}


def test_library_reads_every_examples_file_and_names_a_bad_one(tmp_path):
    (tmp_path / 'examples.yaml').write_text('- {instruction: a, memory: m, plan: "[]"}\n')
    (tmp_path / 'examples_traces.yaml').write_text('- {instruction: b, memory: m, plan: "[]"}\n')
    assert [e['instruction'] for e in load_examples(tmp_path)] == ['a', 'b']
    (tmp_path / 'examples_bad.yaml').write_text('- {instruction: c}\n')
    with pytest.raises(ValueError, match='examples_bad.yaml: example 0'):
        load_examples(tmp_path)


def test_most_similar_examples_first_by_embedding(embedder):
    lib = ExampleLibrary([_ex('Turn on the floor lamp.'), _ex('Slice the bread and put a slice on a plate.'),
                          _ex('Put the mug in the cabinet.'), _ex('Cut the tomato, then put a piece in the bowl.')],
                         embedder=EmbeddingIndex(embedder))
    got = [e['instruction'] for e in lib.pick('Slice the potato and put a slice in the pan.', k=2)]
    assert got == ['Slice the bread and put a slice on a plate.', 'Cut the tomato, then put a piece in the bowl.']


def test_budget_skips_an_example_that_does_not_fit():
    long = _ex('Put the apple in the fridge.', memory='- id "Apple_1": type "Apple"\n' * 30)
    short = _ex('Put the egg in the fridge.')
    lib = ExampleLibrary([long, short], embedder=HashEmbedder())
    assert lib.pick('Put the apple in the fridge.', k=2, budget_tokens=60) == [short]
    assert lib.pick('Put the apple in the fridge.', k=2) == [long, short]
    assert lib.pick('anything', k=0) == []


def test_prompt_shows_the_examples_nearest_to_the_instruction():
    pb = PromptBuilder(default_prompts_dir())
    planner = Planner(Retriever(HashEmbedder()), pb, make_backend('reference'))
    assert planner.prompts.library.embedder is planner.retriever.index
    shown = pb.pick_examples('Turn on the lamp.')
    assert shown and shown[0]['instruction'] == 'Turn on the lamp.'
    p = pb.build('Turn on the lamp.', '- id "FloorLamp_1": type "FloorLamp"', '')
    assert 'Instruction: Turn on the lamp.\nPlan: [{"skill": "navigate_to", "args": ["FloorLamp_1"]}' in p.user
