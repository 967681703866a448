"""Compatibility re-export: the type vocabulary is defined once, in :mod:`karma_domain.vocabulary`.

Deprecated import path (kept for one release).
"""
from karma_domain.vocabulary import *  # noqa: F401,F403
from karma_domain.vocabulary import KNOWN_TYPES, canonical_type, failure_name, is_receptacle_type  # noqa: F401
