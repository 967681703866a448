"""Goal grammar of ``karma-task-suite/1``, defined once (task suites, the benchmark's judge and
the reference planner parse goals with it).

Grammar (predicate names and object types are case-insensitive, spaces are free)::

    goal   := [N "*"] pred
    pred   := ("IN" | "ON" | "INSIDE") "(" Type "," Type ")"
            | "STATE" "(" Type "," state ")"
            | ("TOGGLEON" | "TOGGLEOFF" | "HOLDING") "(" Type ")"

``ON`` and ``INSIDE`` are aliases of ``IN``; ``TOGGLEON(X)`` is ``STATE(X, on)`` and
``TOGGLEOFF(X)`` is ``STATE(X, off)``. Every goal is normalised to one of three kinds:
``in``, ``state`` or ``holding``.

>>> parse_goal("2*on(plate, CoffeeTable)")
Goal(kind='in', obj='Plate', arg='CoffeeTable', count=2, text='2*on(plate, CoffeeTable)')
>>> parse_goal("TOGGLEON(Faucet)").arg
'on'
>>> parse_goal("STATE(Apple, melted)")
Traceback (most recent call last):
...
karma_domain.goals.GoalParseError: 'STATE(Apple, melted)': unknown state 'melted' (known: broken, clean, closed, cold, cooked, dirty, empty, filled, hot, off, on, open, picked_up, sliced, used_up)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

STATES = frozenset({
    "sliced", "cooked", "clean", "dirty", "filled", "empty", "open", "closed",
    "on", "off", "broken", "hot", "cold", "used_up", "picked_up",
})

# predicate name -> (kind, arity, fixed state for the toggle shorthands)
_PREDICATES = {
    "in": ("in", 2, None),
    "on": ("in", 2, None),
    "inside": ("in", 2, None),
    "state": ("state", 2, None),
    "toggleon": ("state", 1, "on"),
    "toggleoff": ("state", 1, "off"),
    "holding": ("holding", 1, None),
}

_GOAL_RE = re.compile(r"^\s*(?:(\d+)\s*\*\s*)?([A-Za-z_]+)\s*\((.*)\)\s*$", re.S)
_TYPE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


class GoalParseError(ValueError):
    """A goal string does not follow the grammar; the message quotes the goal."""


@dataclass(frozen=True)
class Goal:
    """One parsed goal.

    kind: ``in`` (obj held by a receptacle of type arg), ``state`` (obj in state arg) or
    ``holding`` (arg is None). ``obj``/``arg`` types are kept as written but with the first
    letter upper-cased; compare them with :func:`type_key`. ``count`` is N of ``N*GOAL``.
    """

    kind: str
    obj: str
    arg: str | None
    count: int
    text: str

    def types(self) -> tuple[str, ...]:
        """Object types the goal names (not states).

        >>> parse_goal("IN(Apple, Fridge)").types()
        ('Apple', 'Fridge')
        """
        return (self.obj, self.arg) if self.kind == "in" else (self.obj,)


def type_key(name: str) -> str:
    """Case-insensitive key for an object type: ``type_key('coffeeTable') == 'coffeetable'``."""
    return name.strip().lower()


def _type(goal: str, raw: str) -> str:
    name = raw.strip()
    if not _TYPE_RE.match(name):
        raise GoalParseError(
            f"{goal!r}: {name!r} is not an object type (AI2-THOR objectType like CounterTop,"
            " letters and digits only)")
    # Keep the author's spelling (types match case-insensitively) but make the first letter
    # upper case so reports read like THOR types.
    return name[0].upper() + name[1:]


def parse_goal(text: str) -> Goal:
    """Parse one goal string; raise :class:`GoalParseError` naming the goal when it is bad."""
    if not isinstance(text, str):
        raise GoalParseError(f"{text!r}: a goal must be a string")
    m = _GOAL_RE.match(text)
    if not m:
        raise GoalParseError(f"{text!r}: expected PRED(args) or N*PRED(args)")
    count_s, pred, inner = m.groups()
    count = int(count_s) if count_s is not None else 1
    if count < 1:
        raise GoalParseError(f"{text!r}: N in N*GOAL must be at least 1")
    spec = _PREDICATES.get(pred.lower())
    if spec is None:
        raise GoalParseError(
            f"{text!r}: unknown predicate {pred!r} (known: IN, ON, INSIDE, STATE, TOGGLEON,"
            " TOGGLEOFF, HOLDING)")
    kind, arity, fixed_state = spec
    args = [a for a in inner.split(",")]
    if len(args) != arity or any(not a.strip() for a in args):
        raise GoalParseError(f"{text!r}: {pred.upper()} takes {arity} argument(s)")
    obj = _type(text, args[0])
    if kind == "in":
        return Goal("in", obj, _type(text, args[1]), count, text)
    if kind == "holding":
        return Goal("holding", obj, None, count, text)
    state = fixed_state or args[1].strip().lower()
    if state not in STATES:
        raise GoalParseError(
            f"{text!r}: unknown state {state!r} (known: {', '.join(sorted(STATES))})")
    return Goal("state", obj, state, count, text)


def parse_goals(texts: list[str]) -> tuple[Goal, ...]:
    """Parse a list of goal strings (see :func:`parse_goal`)."""
    return tuple(parse_goal(t) for t in texts)
