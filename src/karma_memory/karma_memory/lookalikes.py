"""Compatibility re-export: the look-alike table is defined once, in :mod:`karma_domain.lookalikes`.

Deprecated import path (kept for one release).
"""
from karma_domain.lookalikes import LOOKALIKES, confusable, lookalikes  # noqa: F401
