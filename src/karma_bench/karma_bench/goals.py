"""Compatibility re-export: the goal grammar is defined once, in :mod:`karma_domain.goals`.

Deprecated import path (kept for one release).
"""
from karma_domain.goals import STATES, Goal, GoalParseError, parse_goal, parse_goals, type_key  # noqa: F401
