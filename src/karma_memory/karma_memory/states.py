"""Compatibility re-export: object states are defined once, in :mod:`karma_domain.states`.

Deprecated import path (kept for one release).
"""
from karma_domain.states import (BOOLEAN_STATES, FALSE_WORDS, TEMPERATURES, TRUE_WORDS,  # noqa: F401
                                 parse_bool, typed_value)
