"""Declare a node's parameters from one schema: default, description, validation.

Each node lists its parameters once, as a dict of :class:`Param`. ``declare_and_validate``
declares them all with descriptors as ROS tools show them (``ros2 param describe``: the
description, integer or floating-point ranges, the allowed values, ``read_only`` unless the
parameter is ``dynamic``), reads the values (from the params YAML in ``config/``), checks
them, and returns a plain dict for the core. An invalid value raises ``ValueError`` naming
the parameter, so a node fails at start-up with a clear message instead of misbehaving later.

While the node runs, ``ros2 param set`` goes through the same validation: a ``dynamic``
parameter is applied (the returned dict is updated in place, and ``on_change`` is called);
anything else is rejected with the reason (read-only parameters need a restart).

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

from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                SetParametersResult)

_BIG_INT = 2 ** 62


@dataclass(frozen=True)
class Param:
    """One parameter: its default (which fixes its type), description and constraints."""

    default: Any
    description: str
    min_value: float | None = None
    max_value: float | None = None
    choices: Sequence[Any] | None = None
    check: Callable[[Any], str | None] | None = field(default=None)
    dynamic: bool = False   # applied while the node runs; otherwise read_only (restart to change)

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


def descriptor(p: Param) -> ParameterDescriptor:
    """The ROS descriptor of ``p``: ranges where it has bounds, read-only unless dynamic."""
    d = ParameterDescriptor(description=_describe(p), read_only=not p.dynamic)
    if p.choices is not None:
        d.additional_constraints = 'one of: ' + ', '.join(map(str, p.choices))
    has_bound = p.min_value is not None or p.max_value is not None
    if has_bound and isinstance(p.default, int) and not isinstance(p.default, bool):
        lo = int(p.min_value) if p.min_value is not None else -_BIG_INT
        hi = int(p.max_value) if p.max_value is not None else _BIG_INT
        d.integer_range = [IntegerRange(from_value=lo, to_value=hi, step=0)]
    elif has_bound and isinstance(p.default, float):
        lo = float(p.min_value) if p.min_value is not None else -1e300
        hi = float(p.max_value) if p.max_value is not None else 1e300
        d.floating_point_range = [FloatingPointRange(from_value=lo, to_value=hi, step=0.0)]
    return d


def declare_and_validate(node, schema: dict[str, Param],
                         on_change: Callable[[str, Any], None] | None = None) -> dict[str, Any]:
    """Declare every parameter of ``schema`` on ``node`` and return the validated values.

    The returned dict stays the node's view of its parameters: a valid ``ros2 param set`` of
    a dynamic parameter updates it (then calls ``on_change(name, value)``)."""
    values = {}
    for name, p in schema.items():
        # validate before declaring, so a bad value is reported in our words, not as a range error
        raw = node.declare_parameter(name, p.default, ParameterDescriptor(
            description=_describe(p), read_only=False, dynamic_typing=True)).value
        values[name] = p.validate(name, raw)
        node.undeclare_parameter(name)
        node.declare_parameter(name, values[name], descriptor(p),
                               ignore_override=True)

    def on_set(params) -> SetParametersResult:
        for prm in params:
            p = schema.get(prm.name)
            if p is None:
                continue        # not ours (use_sim_time, ...)
            if not p.dynamic:
                return SetParametersResult(successful=False, reason=(
                    f'{prm.name} is read-only while the node runs: change it in the params '
                    f'file and restart the node'))
            try:
                p.validate(prm.name, prm.value)
            except ValueError as e:
                return SetParametersResult(successful=False, reason=str(e))
        for prm in params:
            p = schema.get(prm.name)
            if p is not None:
                values[prm.name] = p.validate(prm.name, prm.value)
                if on_change is not None:
                    on_change(prm.name, values[prm.name])
        return SetParametersResult(successful=True)

    node.add_on_set_parameters_callback(on_set)
    return values
