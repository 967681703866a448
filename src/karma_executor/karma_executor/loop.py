"""The plan-act-observe loop of the task executor, free of ROS.

The loop asks a planner for a plan, executes its steps one by one, and replans when the
world is not as remembered: a step failed (the object was not where memory said, a
container was closed, ...), or the plan explored to find something it did not know of
yet. Bounded in replans and in executed steps. A look that finds a target missing where memory
placed it (``not_found``) is evidence, like exploring: the first miss per target does not use
up a replan (a memory holding several beliefs of a type may check each once). The ROS node and the in-process benchmark
path both drive this same class with their own ``plan`` and ``execute`` callables.

Example::

    loop = TaskLoop(plan=my_planner, execute=my_skill_runner, max_replans=3, max_steps=40)
    outcome = loop.run('Put the apple in the fridge.', goals=['IN(Apple, Fridge)'])
    outcome.success, outcome.planner_calls, outcome.simulator_steps
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

#: Skills after which the planner is asked again even when they succeed: exploring changes
#: what memory holds, so the rest of an old plan is out of date.
REPLAN_AFTER = frozenset({'explore'})


@dataclass(frozen=True)
class Step:
    skill: str
    args: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f'{self.skill}({", ".join(self.args)})'


@dataclass
class PlanReply:
    """What the planner answered (mirrors karma_interfaces/srv/Plan's response)."""
    success: bool
    steps: list[Step]
    message: str = ''
    memory_ids: list[str] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class SkillReply:
    """What executing one skill answered (mirrors ExecuteSkill's result). ``failure`` is one of
    karma_domain.skills.FAILURES; ``hand`` is (state, held id) as the robot reports it after
    the skill, None when it cannot tell."""
    success: bool
    message: str = ''
    simulator_steps: int = 0
    failure: str = ''
    hand: tuple[str, str] | None = None

    @property
    def kind(self) -> str:
        return 'none' if self.success else (self.failure or 'other')


@dataclass
class StepRecord:
    index: int
    step: Step
    success: bool
    message: str
    memory_ids: list[str]


@dataclass
class TaskOutcome:
    success: bool
    message: str
    executed: list[StepRecord] = field(default_factory=list)
    planner_calls: int = 0
    replans: int = 0
    explorations: int = 0
    simulator_steps: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Planner(Protocol):
    def __call__(self, instruction: str, goals: Sequence[str], feedback: str) -> PlanReply: ...


class Executor(Protocol):
    def __call__(self, step: Step) -> SkillReply: ...


class TaskLoop:
    """Plan, execute, replan on failure or after exploring; bounded.

    ``plan(instruction, goals, feedback)`` gets, on replans, a short text saying what went
    wrong so far (the planner may put it in its prompt). ``on_step(record)`` is called after
    every executed step (the node turns it into action feedback).
    """

    def __init__(self, plan: Planner, execute: Executor, *, max_replans: int = 3,
                 max_steps: int = 40, on_step: Callable[[StepRecord], None] | None = None,
                 should_stop: Callable[[], bool] | None = None):
        if max_replans < 0 or max_steps < 1:
            raise ValueError('max_replans must be >= 0 and max_steps >= 1')
        self.plan = plan
        self.execute = execute
        self.max_replans = max_replans
        self.max_steps = max_steps
        self.on_step = on_step or (lambda record: None)
        self.should_stop = should_stop or (lambda: False)

    def run(self, instruction: str, goals: Sequence[str] = ()) -> TaskOutcome:
        out = TaskOutcome(success=False, message='')
        feedback = ''
        self._failed: dict[Step, tuple[str, tuple, str]] = {}
        self._done = {'any': 0, 'containers': 0}
        self._hand: tuple[str, str] | None = None
        self._missed: set[Step] = set()     # steps whose target was not found where believed
        self._new_miss = False
        while True:
            reply = self.plan(instruction, list(goals), feedback)
            out.planner_calls += 1
            out.prompt_tokens += reply.prompt_tokens
            out.completion_tokens += reply.completion_tokens
            if not reply.success:
                out.message = f'planner failed: {reply.message}'
                return out
            if not reply.steps:
                out.success = True
                out.message = 'nothing left to do' if out.executed else 'planner returned an empty plan'
                return out
            why_replan = self._execute_plan(reply, out)
            if why_replan is None:
                out.success = True
                out.message = f'plan completed in {len(out.executed)} steps'
                return out
            if why_replan.startswith('stop:'):
                out.message = why_replan[5:]
                return out
            if why_replan.startswith('explored'):
                # Exploring is progress, not failure: it does not use up a replan; the step
                # budget still bounds it.
                out.explorations += 1
            elif self._new_miss:
                # A look where memory placed the target found nothing: evidence (the belief is
                # demoted), like exploring. The first such miss per target is a search step, not
                # a failure; a second miss at the same target uses up a replan.
                out.explorations += 1
            elif out.replans >= self.max_replans:
                out.message = f'gave up after {out.replans} replans: {why_replan}'
                return out
            else:
                out.replans += 1
            feedback = why_replan

    def _execute_plan(self, reply: PlanReply, out: TaskOutcome) -> str | None:
        """Run the plan's steps; None when all succeeded, else why to replan (or 'stop:...')."""
        for step in reply.steps:
            if self.should_stop():
                return 'stop:cancelled'
            if len(out.executed) >= self.max_steps:
                return f'stop:step budget of {self.max_steps} exhausted'
            repeat = self._failed.get(step)
            if repeat is not None and repeat[1] == self._signature(repeat[0]):
                return (f'stop:{step} failed before ({repeat[0]}: {repeat[2]}) and nothing it '
                        f'depends on has changed since; not repeating it')
            result = self.execute(step)
            out.simulator_steps += result.simulator_steps
            record = StepRecord(len(out.executed), step, result.success, result.message,
                                list(reply.memory_ids))
            out.executed.append(record)
            self.on_step(record)
            self._observe(step, result)
            if not result.success:
                self._new_miss = result.kind == 'not_found' and step not in self._missed
                if result.kind == 'not_found':
                    self._missed.add(step)
                return f'step {step} failed: {result.message}'
            if step.skill in REPLAN_AFTER:
                return f'explored {", ".join(step.args)}; memory has changed'
        return None

    # -- the no-repeat rule: a failed step runs again only after what it depends on changed --
    def _signature(self, kind: str) -> tuple:
        """What a failure of this kind depends on: the hand for hand failures, the opening
        and closing done for a closed container, any successful step otherwise."""
        if kind in ('hand_empty', 'hand_full'):
            return ('hand', self._hand)
        if kind == 'container_closed':
            return ('containers', self._done['containers'])
        return ('any', self._done['any'])

    def _observe(self, step: Step, result: SkillReply) -> None:
        if result.hand is not None:
            self._hand = tuple(result.hand)
        if result.success:
            self._done['any'] += 1
            if step.skill in ('open', 'close', 'explore'):
                self._done['containers'] += 1
            self._failed.pop(step, None)
        else:
            self._failed[step] = (result.kind, self._signature(result.kind), result.message[:200])
