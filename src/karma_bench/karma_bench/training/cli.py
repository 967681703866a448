"""``./karma train planner``: trace plans in the training scenes, then LoRA-fine-tune SmolLM2.

    ./karma train planner [--scenes 24] [--tasks 3] [--steps 300] [--lr 6e-4] [--threads 1] [--seed 0]
        [--out config/models/smollm2-135m-karma-lora] [--prompts-dir config/prompts]

1. Worked examples: traced plans from every fourth training scene, their memory cut to the
   lines the plan uses, go to ``<prompts-dir>/examples_traces.yaml`` (the example library the
   prompt draws from).
2. Training traces from the other training scenes (``--scenes`` of them, spread over the four
   room types), every memory mode, prompts built by the service's planner with that library.
3. LoRA on the base model (``finetune``); the adapter, ``traces.jsonl`` and ``training.json``
   go to ``--out``.

Only FloorPlans of ``scenes.TRAINING_SCENES`` are used; the rest are for evaluation.
"""
from __future__ import annotations

import argparse
import functools
import json
import random
import re
import sys
from dataclasses import asdict
from pathlib import Path

import yaml

from .scenes import TRAINING_SCENES

_ID = re.compile(r'^- id "([^"]*)"')


def spread(scenes, n: int) -> list[str]:
    """``n`` scenes taking the four room types in turn (kitchens, living rooms, ...).

    >>> spread(['FloorPlan1', 'FloorPlan2', 'FloorPlan201', 'FloorPlan301'], 3)
    ['FloorPlan1', 'FloorPlan201', 'FloorPlan301']
    """
    groups: dict[int, list[str]] = {}
    for s in scenes:
        groups.setdefault(int(s.removeprefix('FloorPlan')) // 100, []).append(s)
    out, k = [], 0
    while len(out) < n and any(groups.values()):
        g = groups[sorted(groups)[k % len(groups)]]
        if g:
            out.append(g.pop(0))
        k += 1
    return out


def example_of(trace) -> dict:
    """A worked example from a trace: its memory lines that the plan names, plus region lines."""
    used = {a for _, args in trace.steps for a in args}
    lines = [ln for ln in trace.scene_text.splitlines()
             if ln.startswith('- id ') and ((m := _ID.match(ln)) and (m.group(1) in used or m.group(1).startswith('region:')))]
    plan = json.dumps([{'skill': s, 'args': a} for s, a in trace.steps])
    return {'instruction': trace.instruction, 'memory': '\n'.join(lines) + '\n', 'plan': plan}


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks (memory excerpts stay readable)."""


_BlockDumper.add_representer(str, lambda d, v: d.represent_scalar(
    'tag:yaml.org,2002:str', v, style='|' if '\n' in v else None))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog='karma train planner', description=__doc__.split('\n')[0])
    root = Path(__file__).resolve().parents[4]
    ap.add_argument('--out', default=str(root / 'config' / 'models' / 'smollm2-135m-karma-lora'))
    ap.add_argument('--prompts-dir', default='', help='prompt templates (default: config/prompts)')
    ap.add_argument('--scenes', type=int, default=24, help='training scenes traced for samples')
    ap.add_argument('--tasks', type=int, default=3, help='random tasks per scene (each in every memory mode)')
    ap.add_argument('--steps', type=int, default=300, help='optimiser steps (one sample each)')
    ap.add_argument('--lr', type=float, default=6e-4)
    ap.add_argument('--threads', type=int, default=1, help='torch CPU threads (1 leaves the other core to the machine)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--traces', default='', help='train on this traces.jsonl (skip tracing; implies --reuse-examples)')
    ap.add_argument('--minutes', type=float, default=0.0, help='training wall-clock budget (0: none)')
    ap.add_argument('--reuse-examples', action='store_true',
                    help='keep <prompts-dir>/examples_traces.yaml as it is (skip step 1)')
    ap.add_argument('--embedder', choices=('minilm', 'hash'), default='minilm')
    ap.add_argument('--tiny-model', action='store_true', help='a tiny random model of the same tokenizer (tests)')
    args = ap.parse_args(argv)
    import os
    import torch
    torch.set_num_threads(args.threads)
    if args.prompts_dir:
        os.environ['KARMA_PROMPTS_DIR'] = args.prompts_dir
    from karma_planning.embedding import HashEmbedder, SentenceEmbedder
    from karma_planning.prompt import default_prompts_dir
    from .finetune import Recipe, train
    from .traces import make_planner, trace_calls
    backend = _backend(args.tiny_model)
    embedder = SentenceEmbedder() if args.embedder == 'minilm' else HashEmbedder()
    rng = random.Random(args.seed)
    scenes = spread(TRAINING_SCENES, len(TRAINING_SCENES))
    example_scenes, train_scenes = scenes[3::4], [s for i, s in enumerate(scenes) if i % 4 != 3]
    n_ex = max(1, args.scenes // 3)
    planner = make_planner(backend.tokenizer, embedder, backend.context_tokens)
    ex_file = default_prompts_dir() / 'examples_traces.yaml'
    if (args.reuse_examples or args.traces) and ex_file.is_file():
        print(f'worked examples kept: {ex_file}')
    else:
        examples = [example_of(t) for i, s in enumerate(example_scenes[:n_ex])
                    for t in trace_calls(planner, s, rng, args.tasks, first=i * args.tasks) if t.steps]
        examples = list({e['instruction'] + e['memory'][:40]: e for e in examples}.values())
        ex_file.write_text('# Worked examples traced by ./karma train planner (goal oracle, training scenes).\n'
                           + yaml.dump(examples, Dumper=_BlockDumper, sort_keys=False, width=1000))
        print(f'{len(examples)} worked examples from {n_ex} scene(s) -> {ex_file}')
    planner = make_planner(backend.tokenizer, embedder, backend.context_tokens)   # the prompt now draws from those examples
    rng = random.Random(args.seed + 1)   # the traces do not depend on whether examples were traced
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.traces:
        samples = [json.loads(line) for line in Path(args.traces).read_text().splitlines() if line.strip()]
        if Path(args.traces).resolve() != (out / 'traces.jsonl').resolve():
            (out / 'traces.jsonl').write_text(Path(args.traces).read_text())
        print(f'{len(samples)} traced plan calls from {args.traces}')
    else:
        traces = [t for i, s in enumerate(train_scenes[:args.scenes])
                  for t in trace_calls(planner, s, rng, args.tasks, first=i * args.tasks)]   # categories in turn
        with open(out / 'traces.jsonl', 'w') as f:
            for t in traces:
                f.write(json.dumps(asdict(t)) + '\n')
        samples = [asdict(t) for t in traces]
        print(f'{len(traces)} traced plan calls from {min(args.scenes, len(train_scenes))} scene(s) -> {out / "traces.jsonl"}')
    stats = train(backend, samples, Recipe(steps=args.steps, lr=args.lr, seed=args.seed, threads=args.threads,
                                           minutes=args.minutes), out)
    print(json.dumps(stats))
    return 0


@functools.lru_cache(maxsize=1)
def _tokenizer():
    """The default model's tokenizer (read from the GGUF once per process: ~15 s here)."""
    import transformers as tf
    from karma_planning.backends.hf import default_gguf
    d, g = default_gguf()
    return tf.AutoTokenizer.from_pretrained(d, gguf_file=g)


def _backend(tiny: bool):
    """The base model (never the shipped adapter), or a tiny random one with its tokenizer."""
    from karma_planning.backends.hf import TransformersBackend
    if not tiny:
        return TransformersBackend(adapter='none')
    import torch
    import transformers as tf
    tok = _tokenizer()
    torch.manual_seed(0)
    cfg = tf.LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                             num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096)
    return TransformersBackend(model=tf.LlamaForCausalLM(cfg), processor=tok)


if __name__ == '__main__':
    sys.exit(main())
