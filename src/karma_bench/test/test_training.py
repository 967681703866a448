"""./karma train planner end to end on a tiny random model (a few steps), traces, adapters."""
import json
import random
import shutil

import pytest

from karma_planning.backends.hf import DEFAULT_ADAPTER, TransformersBackend, merge_adapter, plan_pieces, resolve_adapter
from karma_planning.prompt import default_prompts_dir
from karma_planning.reference import parse_goal
from karma_bench.training import cli
from karma_bench.training.scenes import TRAINING_SCENES, is_training_scene
from karma_bench.training.tasks import random_tasks
from karma_planning.validate import to_json


def test_plan_pieces_are_the_canonical_json():
    steps = [('navigate_to', ['Apple|1|2|3']), ('pickup', ['Apple|1|2|3']), ('drop', [])]
    assert '[' + ''.join(plan_pieces(steps)) == to_json(steps)


def test_training_scenes_are_the_issue_list():
    assert len(TRAINING_SCENES) == 102 and is_training_scene('FloorPlan430')
    assert not any(is_training_scene(f'FloorPlan{n}') for n in (3, 4, 7, 10, 24, 204, 209, 219, 303, 316, 402, 410))


def test_random_tasks_have_parseable_goals_of_every_category():
    tasks = random_tasks('FloorPlan201', random.Random(1), 6)
    assert {c for c, _, _ in tasks} == {'simple', 'composite', 'complex'}
    for _, instruction, goals in tasks:
        assert instruction.endswith('.') and goals
        for g in goals:
            parse_goal(g)


def test_adapter_choice(tmp_path, monkeypatch):
    monkeypatch.delenv('KARMA_PLANNER_ADAPTER', raising=False)
    assert resolve_adapter('none', '') is None
    assert resolve_adapter('', '') == resolve_adapter('shipped', '') if DEFAULT_ADAPTER == 'shipped' else \
        resolve_adapter('', '') is None
    assert resolve_adapter('', '/some/other/model') is None   # the shipped adapter fits the default model only
    assert (resolve_adapter('shipped', '') / 'adapter_model.safetensors').is_file()
    with pytest.raises(ValueError, match='default model'):
        resolve_adapter('shipped', '/some/other/model')
    with pytest.raises(FileNotFoundError, match='adapter_config.json'):
        resolve_adapter(str(tmp_path), '')
    monkeypatch.setenv('KARMA_PLANNER_ADAPTER', 'none')
    assert resolve_adapter('', '') is None
    monkeypatch.setenv('KARMA_PLANNER_ADAPTER', 'shipped')
    assert resolve_adapter('', '') is not None
    assert resolve_adapter('none', '') is None


def test_tiny_training_run_writes_an_adapter_that_loads(tmp_path, monkeypatch):
    prompts = tmp_path / 'prompts'
    shutil.copytree(default_prompts_dir(), prompts)
    (prompts / 'examples_traces.yaml').unlink(missing_ok=True)
    out = tmp_path / 'adapter'
    monkeypatch.setenv('KARMA_PROMPTS_DIR', str(prompts))   # restored after the test
    assert cli.main(['--tiny-model', '--embedder', 'hash', '--scenes', '1', '--tasks', '1', '--steps', '2',
                     '--threads', '1', '--out', str(out), '--prompts-dir', str(prompts)]) == 0
    examples = (prompts / 'examples_traces.yaml').read_text()
    assert 'instruction:' in examples and 'plan:' in examples
    traces = [json.loads(line) for line in (out / 'traces.jsonl').read_text().splitlines()]
    assert traces and all(is_training_scene(t['scene']) for t in traces)
    assert {t['mode'] for t in traces} <= {'karma', 'ltm', 'none', 'full-history'}
    for t in traces:   # prompts as the service builds them, with the traced examples in the library
        assert t['user'].rstrip().endswith('Plan:') and f"Instruction: {t['instruction']}" in t['user']
    stats = json.loads((out / 'training.json').read_text())
    assert stats['steps'] == 2 and stats['samples'] >= 1
    assert (out / 'adapter_model.safetensors').stat().st_size > 0
    cfg = json.loads((out / 'adapter_config.json').read_text())
    assert str(tmp_path) not in cfg['base_model_name_or_path']

    # the adapter loads into the same (seeded) tiny model and changes its weights
    base = cli._backend(tiny=True)
    before = {k: v.clone() for k, v in base.model.state_dict().items()}
    merged = merge_adapter(base.model, resolve_adapter(str(out), ''))
    changed = [k for k, v in merged.state_dict().items() if k in before and not (v == before[k]).all()]
    assert changed
    assert isinstance(TransformersBackend(model=merged, processor=base.processor), TransformersBackend)


def _fridge_ctx():
    """An apple, a plate and a mug on the counter, a closed fridge; 'put the apple in the fridge'."""
    from karma_planning.backends.base import PlanContext
    from karma_planning.memory_view import MemoryView
    from karma_planning.prompt import Prompt
    view = MemoryView.from_graph(
        [{'id': 'region:kitchen', 'layer': 'region', 'type': 'kitchen'},
         {'id': 'Fridge_1', 'layer': 'receptacle', 'type': 'Fridge', 'attributes': {'isOpen': 'false'}},
         {'id': 'CounterTop_1', 'layer': 'receptacle', 'type': 'CounterTop'},
         {'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'},
         {'id': 'Plate_1', 'layer': 'receptacle', 'type': 'Plate'},
         {'id': 'Mug_1', 'layer': 'object', 'type': 'Mug'}],
        [{'source': 'region:kitchen', 'target': t, 'relation': 'contains'} for t in ('Fridge_1', 'CounterTop_1')]
        + [{'source': o, 'target': 'CounterTop_1', 'relation': 'on'} for o in ('Apple_1', 'Plate_1', 'Mug_1')])
    prompt = Prompt('You plan.', 'Memory: ...\nInstruction: Put the apple in the fridge.\nPlan:')
    return PlanContext(prompt, view, ['Apple_1', 'Fridge_1', 'CounterTop_1', 'Plate_1', 'Mug_1'], ['kitchen'])


FRIDGE_PLAN = [('navigate_to', ['Apple_1']), ('pickup', ['Apple_1']), ('navigate_to', ['Fridge_1']),
               ('open', ['Fridge_1']), ('put', ['Fridge_1'])]


def test_decisions_follow_the_decoder_walk_along_the_target():
    from karma_bench.training.traces import decisions
    dec = decisions(_fridge_ctx(), FRIDGE_PLAN)
    text = ''.join(dec['texts'])
    assert '[' + text in (to_json(FRIDGE_PLAN), to_json(FRIDGE_PLAN)[:-1] + ',')   # closed, or cut by the stop rule
    kinds = [c['kind'] for c in dec['choices']]
    assert 'skill' in kinds and 'args' in kinds
    for c in dec['choices']:   # every target option is what the target plan says, emitted right after
        assert dec['texts'][c['at']] == c['options'][c['target']]
    # a target the walk cannot follow ends the walk there, keeping the choices before it
    cut = decisions(_fridge_ctx(), FRIDGE_PLAN[:1] + [('pickup', ['Mug_1'])])
    assert cut['choices'] and all(c['at'] < len(cut['texts']) for c in cut['choices'])


def test_choice_scores_are_the_decoders_scores():
    """Teacher-forced option scores (training) equal what the decoder's scorer computes for the
    same decisions, on a tiny random model of the real tokenizer."""
    import torch
    from karma_planning.backends.hf import _Scorer
    from karma_bench.training.finetune import choice_scores, encode
    from karma_bench.training.traces import decisions
    backend = cli._backend(tiny=True)
    ctx = _fridge_ctx()
    sample = {'system': ctx.prompt.system, 'user': ctx.prompt.user, 'decisions': decisions(ctx, FRIDGE_PLAN)}
    s = encode(backend, sample)
    assert s.choices
    with torch.no_grad():
        logits = backend.model(input_ids=torch.tensor([s.prompt + s.plan])).logits[0]
    lp = torch.log_softmax(logits.float(), -1)[len(s.prompt) - 1:]
    for at, opts, k in s.choices:
        scorer = _Scorer(backend.model, {'input_ids': torch.tensor([s.prompt + s.plan[:at]])}, cached=True)
        want = scorer.score(opts)
        got = choice_scores(lp, at, opts, k).tolist()
        for i, o in enumerate(opts):
            m = next((j for j in range(min(len(o), len(opts[k]))) if o[j] != opts[k][j]), len(o))
            if i == k or len(o) == m + 1:   # exact cases (else an upper bound)
                assert abs(got[i] - want[i]) < 1e-3, (i, got, want)
            else:
                assert got[i] >= want[i] - 1e-3


def test_scorer_options_of_several_tokens_match_a_full_forward():
    """Options longer than one token (shared inputs, the cache cropped back) score as a plain
    forward over prefix + option does, and the cache is left as it was."""
    import torch
    from karma_planning.backends.hf import _Scorer
    backend = cli._backend(tiny=True)
    prefix = backend._ids('Plan for the robot: [{"skill": "')
    scorer = _Scorer(backend.model, {'input_ids': torch.tensor([prefix])}, cached=True)
    opts = [[101, 102, 103], [101, 102, 104], [101, 105], [106]]
    for _ in range(2):   # twice: the first call must leave the cache as it found it
        got = scorer.score(opts)
        assert scorer.cache.get_seq_length() == len(prefix)
    with torch.no_grad():
        for o, g in zip(opts, got):
            lp = torch.log_softmax(backend.model(input_ids=torch.tensor([prefix + o])).logits[0].float(), -1)
            want = sum(lp[len(prefix) - 1 + j, t].item() for j, t in enumerate(o))
            assert abs(g - want) < 1e-3, (o, g, want)
