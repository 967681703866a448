"""The backend interface and the reference (goal oracle) backend.

A backend gets a :class:`PlanContext` and returns a :class:`BackendOutput`: either ``text``
(free model output, which the planner parses, validates and may send back for repair) or
``steps`` that are valid by construction (constrained decoding, the reference planner).
"""
from __future__ import annotations

from abc import ABC, abstractmethod

from dataclasses import dataclass, field

from ..memory_view import MemoryView
from ..prompt import Prompt
from ..reference import BACKEND_NAME, GOALS_PLANNED, reference_plan
from ..text import approx_tokens


@dataclass
class PlanContext:
    prompt: Prompt
    view: MemoryView
    retrieved_ids: list[str]
    regions: list[str]
    goals: list[str] = field(default_factory=list)
    image: object = None            # PIL.Image or None
    max_steps: int = 20
    history: list[tuple[str, str]] = field(default_factory=list)   # (assistant, user) repair turns
    explored: list[str] = field(default_factory=list)   # regions already explored in this task


@dataclass
class BackendOutput:
    text: str = ''
    steps: list | None = None
    message: str = ''
    prompt_tokens: int = 0
    completion_tokens: int = 0
    done: bool = False   # an empty plan because memory says every goal already holds


class Backend(ABC):
    name = 'base'
    takes_images = False
    #: the model's context window in tokens; None: unknown or not a language model
    context_tokens: int | None = None

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    @abstractmethod
    def plan(self, ctx: PlanContext) -> BackendOutput:
        """Answer one planning request (steps already parsed, or text to parse)."""


class ReferenceBackend(Backend):
    """Goal oracle: plans from ``ctx.goals``; labelled "reference (goal oracle)" everywhere."""

    name = BACKEND_NAME

    def plan(self, ctx: PlanContext) -> BackendOutput:
        steps, msg = reference_plan(ctx.goals, ctx.view, ctx.retrieved_ids, ctx.max_steps, ctx.explored)
        return BackendOutput(steps=steps, message=msg, prompt_tokens=self.count_tokens(ctx.prompt.text),
                             done=not steps and msg == GOALS_PLANNED)
