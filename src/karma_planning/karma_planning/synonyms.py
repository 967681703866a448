"""The synonym table retrieval and ``FindObject`` use: the domain's, plus a deployment's additions.

The table is defined once, in :data:`karma_domain.words.SYNONYMS` (words and phrases -> types)
and :data:`karma_domain.words.RECENCY_CUES`. ``config/prompts/synonyms.yaml`` (the memory
node's ``retrieval_synonyms_file``, the planner's ``synonyms_file``) keeps its format and adds
to them::

    phrases:
      fizzy drink: [Bottle, Cup]     # phrase (whole words, any case) -> AI2-THOR objectTypes
    recency_cues: [a moment ago]

>>> t = SynonymTable({'fizzy drink': ['Bottle']}, ['a moment ago'])
>>> sorted(t.types_for('Bring me the red fruit.')), sorted(t.types_for('a fizzy drink'))
(['apple', 'tomato'], ['bottle'])
>>> t.has_recency_cue('the mug I used'), t.has_recency_cue('the cup from a moment ago')
(True, True)
>>> t.matcher().score('the fizzy drink', 'Bottle')
0.7
"""
from __future__ import annotations

from pathlib import Path

import yaml

from karma_domain.words import RECENCY_CUES, SYNONYMS

from .text import normalise


class SynonymTable:
    """The domain's synonyms and recency cues, plus ``phrases`` and ``recency_cues`` added by a
    deployment (``domain=False``: only those, for tests)."""

    def __init__(self, phrases: dict[str, list[str]] | None = None, recency_cues: list[str] | None = None,
                 domain: bool = True):
        table: dict[str, list[str]] = {k: list(v) for k, v in SYNONYMS.items()} if domain else {}
        for k, types in (phrases or {}).items():
            key = normalise(k).strip()
            if not key:
                continue
            have = table.setdefault(key, [])
            have += [t.lower() for t in types if t.lower() not in have]
        self.phrases: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in table.items()}
        cues = list(RECENCY_CUES if domain else ()) + list(recency_cues or [])
        self.cues = list(dict.fromkeys(normalise(c) for c in cues if normalise(c).strip()))
        self._matcher = None

    @classmethod
    def load(cls, path: str | Path) -> 'SynonymTable':
        """The domain table plus the additions in the YAML file at ``path`` (may list none)."""
        data = yaml.safe_load(Path(path).read_text()) or {}
        return cls(data.get('phrases') or {}, data.get('recency_cues') or [])

    def matcher(self):
        """The one lexical type matcher over this table (:class:`karma_memory.textsearch.TypeMatcher`)."""
        if self._matcher is None:
            from karma_memory.textsearch import TypeMatcher
            self._matcher = TypeMatcher(self.phrases)
        return self._matcher

    def types_for(self, instruction: str) -> set[str]:
        """Lower-case types a word or phrase of ``instruction`` names through the table."""
        return set(self.matcher().synonym_types(instruction))

    def has_recency_cue(self, instruction: str) -> bool:
        norm = normalise(instruction)
        return any(c in norm for c in self.cues)
