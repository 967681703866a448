"""./karma train planner end to end on a tiny random model (a few steps), traces, adapters."""
import json
import random
import shutil

import pytest

from karma_planning.backends.hf import TransformersBackend, merge_adapter, plan_pieces, resolve_adapter
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
    assert resolve_adapter('none', '') is None and resolve_adapter('', '') is None
    assert (resolve_adapter('shipped', '') / 'adapter_model.safetensors').is_file()
    with pytest.raises(ValueError, match='default model'):
        resolve_adapter('shipped', '/some/other/model')
    with pytest.raises(FileNotFoundError, match='adapter_config.json'):
        resolve_adapter(str(tmp_path), '')
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
