"""One plan call: retrieve, build the prompt, ask the backend, validate, repair, report.

>>> from karma_planning.memory_view import MemoryView
>>> from karma_planning.embedding import HashEmbedder
>>> from karma_planning.backends import make_backend
>>> v = MemoryView.from_graph([{'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'},
...                            {'id': 'Plate_1', 'layer': 'receptacle', 'type': 'Plate'}], [])
>>> p = Planner(Retriever(HashEmbedder()), PromptBuilder(), make_backend('reference'))
>>> r = p.plan('Put the apple on the plate.', v, goals=['IN(Apple, Plate)'])
>>> r.success, r.backend, [s for s, _ in r.steps], r.referenced_ids
(True, 'reference (goal oracle)', ['navigate_to', 'pickup', 'navigate_to', 'put'], ['Apple_1', 'Plate_1'])
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

from .admissible import instruction_absent, instruction_focus
from .backends.base import Backend, PlanContext
from .memory_modes import add_region_lines
from .memory_view import MemoryView
from .prompt import PromptBuilder
from .text import quote
from .reference import parse_goal
from .retrieval import Retrieval, Retriever
from .validate import PlanParseError, parse_plan, to_json, validate_plan


_log = logging.getLogger('karma_planning')


@dataclass
class PlanResult:
    success: bool
    message: str
    steps: list = field(default_factory=list)
    memory_ids: list = field(default_factory=list)
    referenced_ids: list = field(default_factory=list)
    memory_tokens: dict = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    backend: str = ''
    elapsed_s: float = 0.0
    generation_s: float = 0.0
    prompt_text: str = ''


class Planner:
    def __init__(self, retriever: Retriever, prompts: PromptBuilder, backend: Backend,
                 max_steps: int = 20, repair_rounds: int = 1, budget_tokens: int | None = None):
        self.retriever, self.prompts, self.backend = retriever, prompts, backend
        self.max_steps, self.repair_rounds, self.budget_tokens = max_steps, repair_rounds, budget_tokens
        if hasattr(backend, 'count_tokens') and getattr(backend, 'tokenizer', None) is not None:
            retriever.count_tokens = backend.count_tokens
        # worked examples are chosen by the same embedding as memory, counted by the model
        prompts.use_embedder(retriever.index, retriever.count_tokens)
        self.explorations = TaskExplorations()

    def plan(self, instruction: str, view: MemoryView, goals=(), image=None, max_steps: int = 0,
             feedback: str = '', prepared: Retrieval | None = None, list_regions: bool = False,
             scene_title: str = 'scene graph excerpt', explored=None) -> PlanResult:
        """Plan ``instruction`` over ``view``.

        ``feedback`` is the executor's replan text (empty on a task's first call), data for
        the prompt. ``explored`` lists what this task explored (the executor's typed account);
        without it the regions are read from ``feedback`` (deprecated, see
        :class:`TaskExplorations`).
        ``prepared`` is the prompt's memory when it is not retrieved (the full-history
        baseline); ``list_regions`` appends the view's region names to the prompt's memory;
        ``scene_title`` names that memory section in the prompt.
        """
        t0 = time.perf_counter()
        max_steps = max_steps or self.max_steps
        if explored is not None:   # the executor's typed account (Plan.explored)
            explored = set(explored)
        else:                      # deprecated: read from the replan prose
            explored = self.explorations.update(instruction, goals, feedback)
        if prepared is not None:
            r = prepared
        else:
            query = instruction
            if goals and self.backend.name.startswith('reference'):
                # the oracle plans from goals: make sure their types are retrieved
                types = [t for g in goals for t in _goal_types(g)]
                query = instruction + ' ' + ' '.join(dict.fromkeys(types))
            r = self.retriever.retrieve(query, view, self.budget_tokens)
        if list_regions:
            r = add_region_lines(r, view, self.retriever.count_tokens)
        prompt = self.prompts.build(instruction, r.scene_text, hand_line(view) + r.stm_text, scene_title)
        regions = view.region_names()
        ctx = PlanContext(prompt, view, r.memory_ids, regions, list(goals), image, max_steps,
                          explored=sorted(explored))
        # the stop rule of constrained decoding: the types the INSTRUCTION names (never goals)
        ctx.instruction = instruction
        ctx.focus = instruction_focus(instruction, view, r.memory_ids, self.retriever.synonyms)
        ctx.absent = instruction_absent(instruction, view, self.retriever.synonyms)
        res = PlanResult(False, '', memory_ids=list(r.memory_ids), memory_tokens=dict(r.tokens),
                         backend=self.backend.name, prompt_text=prompt.text)
        tg = time.perf_counter()
        try:
            out = self.backend.plan(ctx)
        except Exception as e:  # noqa: BLE001 - a backend failure is a failed plan, not a crash
            _log.exception('backend %s failed', self.backend.name)
            res.message, res.elapsed_s = f'backend {self.backend.name} failed: {e}'[:500], time.perf_counter() - t0
            return res
        res.prompt_tokens, res.completion_tokens = out.prompt_tokens, out.completion_tokens
        steps, problems = self._check(out, view, max_steps)
        rounds = 0
        while problems and out.steps is None and rounds < self.repair_rounds:
            rounds += 1
            ctx.history.append((out.text[:2000], self.prompts.repair(problems)))
            try:
                out = self.backend.plan(ctx)
            except Exception as e:  # noqa: BLE001
                problems = [f'backend failed during repair: {e}'[:300]]
                break
            res.prompt_tokens += out.prompt_tokens
            res.completion_tokens += out.completion_tokens
            steps, problems = self._check(out, view, max_steps)
        res.generation_s = time.perf_counter() - tg
        if not res.prompt_tokens:
            res.prompt_tokens = self.backend.count_tokens(prompt.text)
        if not res.completion_tokens:
            res.completion_tokens = self.backend.count_tokens(to_json(steps))
        if problems:
            res.message = 'invalid plan after %d repair round(s): %s' % (rounds, '; '.join(problems)[:500])
        else:
            res.success, res.steps = True, steps
            res.message = out.message or f'plan of {len(steps)} step(s)'
        used = {a for _, args in res.steps for a in args}
        res.referenced_ids = [i for i in r.memory_ids if i in used]
        res.elapsed_s = time.perf_counter() - t0
        return res

    @staticmethod
    def _check(out, view, max_steps):
        if out.steps is not None:
            if not out.steps:
                return [], ([] if out.done else [out.message or 'no plan'])
            return validate_plan(out.steps, view, max_steps)
        try:
            return validate_plan(parse_plan(out.text), view, max_steps)
        except PlanParseError as e:
            return [], [str(e)]


def hand_line(view: MemoryView) -> str:
    """The robot's report of its hand, first among the recent changes (empty when unknown)."""
    h = view.hand
    if h.state == 'empty':
        return '- robot: the hand is empty\n'
    if h.state == 'holding':
        who = f'id {quote(h.held_id, 96)}, ' if h.held_id else ''
        return f'- robot: holding {who}type {quote(h.held_type or "unknown", 48)}\n'
    return ''


class TaskExplorations:
    """Regions explored in the current task, read from the executor's replan feedback.

    A task is its (instruction, goals); a call with empty feedback starts it afresh (the
    executor sends none on a task's first plan call). Feedback ``explored R; ...`` (after a
    successful explore) and ``step explore(R) failed: ...`` both mark R explored.

    >>> t = TaskExplorations()
    >>> t.update('find it', ['HOLDING(Egg)'], '')
    set()
    >>> sorted(t.update('find it', ['HOLDING(Egg)'], 'explored kitchen; memory has changed'))
    ['kitchen']
    >>> sorted(t.update('find it', ['HOLDING(Egg)'], 'step explore(office) failed: no floor'))
    ['kitchen', 'office']
    >>> t.update('another task', [], 'explored hall; memory has changed')
    {'hall'}
    """

    _OK = re.compile(r'^explored ([^;]+);')
    _FAILED = re.compile(r'^step explore\(([^)]*)\) failed')

    def __init__(self):
        self.task: tuple | None = None
        self.explored: set[str] = set()

    def update(self, instruction: str, goals, feedback: str) -> set[str]:
        key = (instruction, tuple(goals))
        if not feedback or key != self.task:
            self.task, self.explored = key, set()
        m = self._OK.match(feedback or '') or self._FAILED.match(feedback or '')
        if m:
            self.explored |= {a.strip() for a in m.group(1).split(',') if a.strip()}
        return set(self.explored)

    def clear(self) -> None:
        self.task, self.explored = None, set()


def goal_types(goal: str) -> list[str]:
    """Object types a goal condition names (the reference planner's; empty when unparsable)."""
    return _goal_types(goal)


def _goal_types(goal: str) -> list[str]:
    try:
        kind, x, arg, _ = parse_goal(goal)
    except ValueError:
        return []
    return [x, arg] if kind == 'in' else [x]


__all__ = ['Planner', 'PlanResult', 'Retriever', 'PromptBuilder']
