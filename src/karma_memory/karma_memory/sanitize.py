"""Compatibility re-export: text sanitising is defined once, in :mod:`karma_domain.text`.

Deprecated import path (kept for one release); import from ``karma_domain.text``.
"""
from karma_domain.text import (MAX_ID_LEN, MAX_LABEL_LEN, MAX_TEXT_LEN, LabelError,  # noqa: F401
                               clean_text, has_control_chars, quote, validate_id, validate_label)
