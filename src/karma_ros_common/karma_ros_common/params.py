"""Declare a node's parameters from one schema: default, description, validation.

Each node lists its parameters once, as a dict of :class:`Param`. ``declare_and_validate``
declares them all with descriptions (visible to ``ros2 param describe``), reads the values
(from the params YAML in ``config/``), checks them, and returns a plain dict for the core.
An invalid value raises ``ValueError`` naming the parameter, so a node fails at start-up
with a clear message instead of misbehaving later.

Example::

    SCHEMA = {
        'max_observations': Param(500, 'Largest accepted observation array', min_value=1),
        'store_dir': Param('~/.karma/memory', 'Directory of the SQLite store'),
    }
    cfg = declare_and_validate(node, SCHEMA)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from rcl_interfaces.msg import ParameterDescriptor


@dataclass(frozen=True)
class Param:
    """One parameter: its default (which fixes its type), description and constraints."""

    default: Any
    description: str
    min_value: float | None = None
    max_value: float | None = None
    choices: Sequence[Any] | None = None
    check: Callable[[Any], str | None] | None = field(default=None)

    def validate(self, name: str, value: Any) -> Any:
        """Return ``value`` (ints widened to float for float params) or raise ValueError."""
        if isinstance(self.default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(self.default, bool) != isinstance(value, bool) or (
                not isinstance(value, type(self.default)) and not
                (isinstance(self.default, list) and isinstance(value, (list, tuple)))):
            raise ValueError(f'parameter {name!r}: expected {type(self.default).__name__}, '
                             f'got {type(value).__name__} {value!r}')
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f'parameter {name!r}: must be finite, got {value!r}')
        if self.min_value is not None and value < self.min_value:
            raise ValueError(f'parameter {name!r}: {value!r} is below the minimum {self.min_value}')
        if self.max_value is not None and value > self.max_value:
            raise ValueError(f'parameter {name!r}: {value!r} is above the maximum {self.max_value}')
        if self.choices is not None and value not in self.choices:
            raise ValueError(f'parameter {name!r}: {value!r} is not one of {list(self.choices)}')
        if self.check is not None:
            problem = self.check(value)
            if problem:
                raise ValueError(f'parameter {name!r}: {problem}')
        return value


def _describe(p: Param) -> str:
    extra = []
    if p.min_value is not None:
        extra.append(f'min {p.min_value}')
    if p.max_value is not None:
        extra.append(f'max {p.max_value}')
    if p.choices is not None:
        extra.append('one of ' + ', '.join(map(str, p.choices)))
    return p.description + (f' ({"; ".join(extra)})' if extra else '')


def declare_and_validate(node, schema: dict[str, Param]) -> dict[str, Any]:
    """Declare every parameter of ``schema`` on ``node`` and return the validated values."""
    values = {}
    for name, p in schema.items():
        descriptor = ParameterDescriptor(description=_describe(p))
        node.declare_parameter(name, p.default, descriptor)
        values[name] = p.validate(name, node.get_parameter(name).value)
    return values
