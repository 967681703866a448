"""Compatibility re-export: the skill catalogue is defined once, in :mod:`karma_domain.skills`.

Deprecated import path (kept for one release).
"""
from karma_domain.skills import *  # noqa: F401,F403
from karma_domain.skills import SKILLS, WHOLE_MAP, Skill, catalogue_text, check_call  # noqa: F401
