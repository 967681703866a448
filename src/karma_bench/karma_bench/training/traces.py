"""Traced planning calls: the prompt the planning service builds and the goal oracle's plan.

For a training scene and a random task (``tasks``), a memory is made from the scene's objects
as each memory mode would hold it, and ``Planner.plan`` runs exactly as the service runs it,
with a recording backend in place of the model: the backend receives the service's
``PlanContext`` (prompt, view, retrieved ids, regions, explored regions) and answers with the
goal oracle's plan, cut to its longest prefix that constrained decoding could emit
(``admissible``). Memory per mode:

- ``karma`` / ``ltm``: the whole scene as the long-term memory has it after a look around (ids
  as the source gives them, or minted ``<Type>_<n>`` as under id-less perception);
- ``none`` / ``full-history``: the regions and a random part of what is in view; half of the
  calls come after exploring (explored region in the replan, everything outside closed
  containers seen), so the model learns to explore when memory lacks something and to act
  once it does not.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from karma_planning.admissible import SymState, admissible
from karma_planning.backends.base import Backend, BackendOutput, PlanContext
from karma_planning.backends.hf import OffPlan, walk
from karma_planning.memory_modes import Frame, ModeMemory, Seen, history_budget
from karma_planning.memory_view import Hand
from karma_planning.reference import reference_plan
from karma_domain.skills import RECEPTACLE_TYPES
from .tasks import random_tasks

MODES = ('karma', 'ltm', 'none', 'full-history')


@dataclass
class Trace:
    scene: str
    mode: str
    category: str
    instruction: str
    goals: list
    system: str
    user: str
    steps: list
    scene_text: str
    decisions: dict | None = None   # the decoder's walk along ``steps`` (``decisions``)


class _Recorder(Backend):
    """Answers with the goal oracle's admissible prefix and keeps the context it was given."""

    name = 'trace'

    def __init__(self, tokenizer=None, context_tokens: int | None = None):
        self.tokenizer, self.context_tokens = tokenizer, context_tokens   # the traced model's
        self.last: tuple[PlanContext, list] | None = None

    def count_tokens(self, text: str) -> int:
        if self.tokenizer is None:
            return super().count_tokens(text)
        return len(self.tokenizer(text, add_special_tokens=False)['input_ids'])

    def plan(self, ctx: PlanContext) -> BackendOutput:
        steps, msg = reference_plan(ctx.goals, ctx.view, ctx.retrieved_ids, ctx.max_steps, ctx.explored)
        steps = admissible_prefix(steps, ctx)
        self.last = (ctx, steps, decisions(ctx, steps))
        return BackendOutput(steps=steps, message=msg)


def decisions(ctx: PlanContext, steps: list) -> dict:
    """Constrained decoding's walk (``backends.hf.walk``) along the target ``steps``: ``texts``,
    the JSON pieces it emits in order, and ``choices``, each ``{'at', 'kind', 'options',
    'target'}`` where the decoder chooses (``at`` = number of pieces emitted before it), the
    target option's index. The walk ends where the target leaves the options (e.g. the stop
    rule forces the plan on after the target's last step); the choices up to there stand."""
    texts, choices = [], []

    def choose(kind, options, n):
        if kind == 'stop':
            k = 1 if n >= len(steps) else 0
        elif n >= len(steps):
            raise OffPlan
        else:
            skill, args = steps[n]
            want = f'{skill}",' if kind == 'skill' else '", "'.join(args) + '"]'
            if want not in options:
                raise OffPlan
            k = options.index(want)
        choices.append({'at': len(texts), 'kind': kind, 'options': list(options), 'target': k})
        return k

    walk(ctx, choose, texts.append)
    return {'texts': texts, 'choices': choices}


def admissible_prefix(steps: list, ctx: PlanContext) -> list:
    """The longest prefix of ``steps`` that constrained decoding can produce over ``ctx``."""
    state, out = SymState.initial(ctx.view), []
    for step in steps:
        cands = admissible(state, ctx.view, ctx.retrieved_ids, ctx.regions, ctx.explored)
        if (step[0], list(step[1])) not in [(s, list(a)) for s, a in cands]:
            break
        out.append((step[0], list(step[1])))
        state = state.after(step, ctx.view)
    return out


def _minted(nodes: list[dict], edges: list[dict]) -> tuple[list[dict], list[dict]]:
    """The same graph with ids minted per type, as the memory does for id-less perception."""
    count: dict[str, int] = {}
    new = {}
    for n in nodes:
        if n['layer'] == 'region':
            new[n['id']] = n['id']
            continue
        count[n['type']] = count.get(n['type'], 0) + 1
        new[n['id']] = f'{n["type"]}_{count[n["type"]]}'
    return ([{**n, 'id': new[n['id']]} for n in nodes],
            [{**e, 'source': new[e['source']], 'target': new[e['target']]} for e in edges])


def _hidden(nodes: list[dict], edges: list[dict]) -> set[str]:
    """Ids inside a closed container (not seen by looking around)."""
    closed = {n['id'] for n in nodes if (n.get('attributes') or {}).get('isOpen') == 'false'}
    return {e['source'] for e in edges if e['relation'] == 'in' and e['target'] in closed}


def _frame(nodes, edges, keep: set[str]) -> Frame:
    parent = {e['source']: e['target'] for e in edges if e['relation'] == 'in'}
    seen = [Seen(n['id'], n['type'], parent.get(n['id'], ''), dict(n.get('attributes') or {}),
                 n['layer'] == 'receptacle' or n['type'] in RECEPTACLE_TYPES)
            for n in nodes if n['id'] in keep]
    return Frame(1.0, 'thor_bridge', seen)


def scene_memory(scene: str) -> tuple[list[dict], list[dict]]:
    """The scene's initial objects as graph dicts, with the states the bridge reports for each
    (only those its capabilities make meaningful)."""
    from karma_bench.retrieval import scene_graph
    from karma_bench.scenedata import scene_objects
    from karma_thor_bridge.perception import object_states
    states = {o['objectId']: object_states(o) for o in scene_objects(scene)}
    nodes, edges = scene_graph(scene)
    return [{**n, 'attributes': states.get(n['id'], {})} for n in nodes], edges


@dataclass
class Call:
    """One planning call's inputs: the task, the mode and the memory the service would hold."""
    category: str
    instruction: str
    goals: list
    mode: str
    view: object
    memory: ModeMemory
    feedback: str


def calls(scene: str, rng: random.Random, n_tasks: int, modes=MODES, first: int = 0):
    """Plan calls for ``n_tasks`` random tasks in ``scene`` (categories in turn from
    ``first``), one per task and mode."""
    base = scene_memory(scene)
    for category, instruction, goals in random_tasks(scene, rng, n_tasks, first):
        for mode in modes:
            nodes, edges = _minted(*base) if rng.random() < 0.5 else base
            mm = ModeMemory(mode)
            after_explore = False
            if mode in ('none', 'full-history'):
                visible = [n['id'] for n in nodes if n['layer'] != 'region' and n['id'] not in _hidden(nodes, edges)]
                after_explore = rng.random() < 0.5
                keep = set(visible if after_explore else rng.sample(visible, rng.randint(0, len(visible) // 3)))
                mm.add_frame(_frame(nodes, edges, keep))
            view = mm.view((nodes, edges), None).with_hand(Hand('empty'))   # the bridge reports the hand
            explored = view.region_names() if after_explore else []
            # the executor's replan feedback after exploring, on the task's second call
            feedback = f'explored {", ".join(explored)}; memory has changed' if explored else ''
            yield Call(category, instruction, list(goals), mode, view, mm, feedback)


def plan_call(planner, c: Call):
    """``planner.plan`` for one call, as the planner node calls it."""
    planner.explorations.update(c.instruction, c.goals, '')
    return planner.plan(c.instruction, c.view, goals=c.goals, feedback=c.feedback,
                        prepared=c.memory.prompt_memory(c.view, planner.retriever.count_tokens,
                                                        history_budget(0, planner.backend.context_tokens)),
                        list_regions=c.memory.list_regions, scene_title=c.memory.scene_title)


def trace_calls(planner, scene: str, rng: random.Random, n_tasks: int, modes=MODES, first: int = 0) -> list[Trace]:
    """Traced plan calls (the goal oracle's plans) for ``n_tasks`` random tasks in ``scene``."""
    out = []
    for c in calls(scene, rng, n_tasks, modes, first):
        planner.backend.last = None
        res = plan_call(planner, c)
        if not res.success or planner.backend.last is None:
            continue
        ctx, steps, dec = planner.backend.last
        out.append(Trace(scene, c.mode, c.category, c.instruction, c.goals, ctx.prompt.system,
                         ctx.prompt.user, [list(s) for s in steps], _memory_text(ctx.prompt.user), dec))
    return out


def _memory_text(user: str) -> str:
    """The memory section of a built prompt (after the worked examples, before recent changes)."""
    tail = user.rfind('\nMemory (recent changes)')
    head = user.rfind('\nMemory (', 0, tail)
    return user[head + 1:tail] if 0 <= head < tail else ''


def make_planner(tokenizer=None, embedder=None, context_tokens: int | None = None):
    """The service's core planner (config/planner.yaml defaults) with the recording backend
    (``tokenizer`` and ``context_tokens``: the model whose prompts it traces)."""
    from karma_planning.embedding import SentenceEmbedder
    from karma_planning.planner import Planner
    from karma_planning.prompt import PromptBuilder, default_prompts_dir
    from karma_planning.retrieval import Retriever
    from karma_planning.synonyms import SynonymTable
    syn = SynonymTable.load(default_prompts_dir() / 'synonyms.yaml')
    retriever = Retriever(embedder or SentenceEmbedder(), syn)
    return Planner(retriever, PromptBuilder(), _Recorder(tokenizer, context_tokens))
