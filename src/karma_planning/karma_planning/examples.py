"""Worked-example retrieval for the prompt: the k examples most similar to the instruction.

A library is a list of worked plans ``{instruction, memory, plan}`` read from
``config/prompts/examples*.yaml`` (the hand-written ``examples.yaml`` plus the ones traced
in the simulator by ``./karma train planner``, ``examples_traces.yaml``). Small planners
profit most from in-context examples chosen by similarity to the task (LoTa-Bench), so the
examples are ranked by the cosine similarity of their instruction embeddings to the
instruction's, and taken best-first while they fit the token budget.

``embedder`` is anything with ``encode(texts)`` (unit vectors), or the retriever's
``EmbeddingIndex`` (whose cached instruction embedding is then reused). Without one the
ranking falls back to shared words.

>>> from karma_planning.embedding import HashEmbedder
>>> lib = ExampleLibrary([
...     {'instruction': 'Turn on the lamp.', 'memory': '- id "FloorLamp_1"', 'plan': '[]'},
...     {'instruction': 'Put the apple in the fridge.', 'memory': '- id "Apple_1"', 'plan': '[]'},
...     {'instruction': 'Put the egg in the fridge.', 'memory': '- id "Egg_1"', 'plan': '[]'}],
...     embedder=HashEmbedder())
>>> [e['instruction'] for e in lib.pick('Put the tomato in the fridge.', k=2)]
['Put the apple in the fridge.', 'Put the egg in the fridge.']
>>> [e['instruction'] for e in lib.pick('Put the tomato in the fridge.', k=2, budget_tokens=30)]
['Put the apple in the fridge.']
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from .text import approx_tokens, clean, normalise

REQUIRED = ('instruction', 'memory', 'plan')


def load_examples(prompts_dir: str | Path) -> list[dict]:
    """Every example of ``examples.yaml`` and ``examples_*.yaml`` in ``prompts_dir`` (that order).

    A file that is not a list of mappings with ``instruction``, ``memory`` and ``plan`` is an
    error naming the file and the entry.
    """
    d = Path(prompts_dir)
    files = [d / 'examples.yaml'] + sorted(p for p in d.glob('examples_*.yaml'))
    out: list[dict] = []
    for f in files:
        if not f.is_file():
            continue
        data = yaml.safe_load(f.read_text()) or []
        if not isinstance(data, list):
            raise ValueError(f'{f}: expected a list of examples')
        for n, e in enumerate(data):
            if not isinstance(e, dict) or any(not isinstance(e.get(k), str) for k in REQUIRED):
                raise ValueError(f'{f}: example {n} needs string fields {", ".join(REQUIRED)}')
            out.append({k: e[k] for k in REQUIRED})
    return out


def render_example(e: dict) -> str:
    """One example as the prompt shows it (config/prompts/plan.txt {examples})."""
    return f'Memory:\n{e["memory"].rstrip()}\nInstruction: {e["instruction"]}\nPlan: {e["plan"]}\n'


class ExampleLibrary:
    """Ranks worked examples by instruction similarity; embeddings computed once."""

    def __init__(self, examples: list[dict], embedder=None, count_tokens=approx_tokens):
        self.examples = list(examples)
        self.embedder = embedder
        self.count_tokens = count_tokens
        self._vectors: np.ndarray | None = None

    def _similarities(self, instruction: str) -> np.ndarray:
        if self.embedder is None:
            words = set(normalise(instruction).split())
            return np.array([len(words & set(normalise(e['instruction']).split())) for e in self.examples],
                            np.float32)
        # an EmbeddingIndex (the retriever's) shares its cached instruction embedding
        base = getattr(self.embedder, 'embedder', self.embedder)
        if self._vectors is None:
            self._vectors = base.encode([e['instruction'] for e in self.examples])
        query = getattr(self.embedder, 'query', None)
        q = query(instruction) if query else base.encode([instruction])[0]
        return self._vectors @ q

    def pick(self, instruction: str, k: int = 2, budget_tokens: int | None = None) -> list[dict]:
        """Up to ``k`` examples, most similar first, whose rendering fits ``budget_tokens``
        (an example that does not fit is skipped, a smaller one may still fit)."""
        if not self.examples or k <= 0:
            return []
        sims = self._similarities(clean(instruction, 400))
        order = sorted(range(len(self.examples)), key=lambda i: (-float(sims[i]), i))
        out, used = [], 0
        for i in order:
            e = self.examples[i]
            cost = self.count_tokens(render_example(e))
            if budget_tokens is not None and used + cost > budget_tokens:
                continue
            out.append(e)
            used += cost
            if len(out) == k:
                break
        return out
