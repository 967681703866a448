"""Prompt building from the template files in config/prompts/.

Files: ``system.txt`` (role and rules), ``plan.txt`` (sections: {skills}, {examples}, {scene_title},
{scene}, {recent}, {instruction}), ``repair.txt`` ({problems}), ``skills.txt`` (mirror of
``skills.catalogue_text()``), ``examples.yaml`` and ``examples_*.yaml`` (worked examples, the
most similar to the instruction are shown: ``karma_planning.examples``), ``synonyms.yaml``.
Memory text is inserted as values (``str.format_map`` does not re-read braces inside values).

>>> pb = PromptBuilder(default_prompts_dir())
>>> p = pb.build('Put the apple on the plate.', '- id "Apple_1": type "Apple"', '')
>>> 'Instruction: Put the apple on the plate.' in p.user, p.system.startswith('You are')
(True, True)
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


from .examples import ExampleLibrary, load_examples, render_example
from .text import clean


def default_prompts_dir() -> Path:
    """$KARMA_PROMPTS_DIR, else $KARMA_ROOT/config/prompts, else the repository's config/prompts."""
    for env in ('KARMA_PROMPTS_DIR',):
        if os.environ.get(env):
            return Path(os.environ[env])
    if os.environ.get('KARMA_ROOT'):
        p = Path(os.environ['KARMA_ROOT']) / 'config' / 'prompts'
        if p.is_dir():
            return p
    for parent in Path(__file__).resolve().parents:
        p = parent / 'config' / 'prompts'
        if (p / 'plan.txt').is_file():
            return p
    raise FileNotFoundError('config/prompts not found; set KARMA_PROMPTS_DIR')


@dataclass
class Prompt:
    system: str
    user: str

    @property
    def text(self) -> str:
        """Both parts as one plain text (for token counts and plain LMs)."""
        return f'{self.system}\n\n{self.user}'


class PromptBuilder:
    def __init__(self, prompts_dir: str | Path | None = None, n_examples: int = 2, max_instruction_chars: int = 400,
                 examples_budget_tokens: int = 400):
        d = Path(prompts_dir) if prompts_dir else default_prompts_dir()
        self.dir = d
        self.system = (d / 'system.txt').read_text()
        self.template = (d / 'plan.txt').read_text()
        self.repair_template = (d / 'repair.txt').read_text()
        self.skills = (d / 'skills.txt').read_text()
        self.library = ExampleLibrary(load_examples(d))
        self.examples = self.library.examples
        self.n_examples = n_examples
        self.examples_budget_tokens = examples_budget_tokens
        self.max_instruction_chars = max_instruction_chars

    def use_embedder(self, embedder, count_tokens=None) -> None:
        """Rank examples by embedding similarity (the retriever's embedder) and count their
        tokens with the model's tokenizer; until then they are ranked by shared words."""
        self.library.embedder = embedder
        if count_tokens is not None:
            self.library.count_tokens = count_tokens

    def pick_examples(self, instruction: str) -> list[dict]:
        """The ``n_examples`` examples most similar to the instruction within the budget."""
        return self.library.pick(instruction, self.n_examples, self.examples_budget_tokens)

    def prepare_examples(self, instruction: str) -> None:
        """Embed ``instruction`` for :meth:`build`'s worked examples now (cached by text), e.g.
        on a thread while the memory node retrieves for the same instruction."""
        self.pick_examples(clean(instruction, self.max_instruction_chars))

    def render_examples(self, examples: list[dict]) -> str:
        return '\n'.join(render_example(e) for e in examples)

    def build(self, instruction: str, scene: str, recent: str, scene_title: str = 'scene graph excerpt') -> Prompt:
        ins = clean(instruction, self.max_instruction_chars)
        user = self.template.format_map({'scene_title': scene_title,
            'skills': self.skills.rstrip(), 'examples': self.render_examples(self.pick_examples(ins)).rstrip(),
            'scene': scene or '(nothing relevant remembered)', 'recent': recent or '(none)',
            'instruction': ins})
        return Prompt(self.system.rstrip(), user.rstrip())

    def repair(self, problems: list[str]) -> str:
        return self.repair_template.format_map({'problems': clean('; '.join(problems), 600)}).rstrip()
