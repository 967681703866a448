"""Synonym / attribute table: indirect phrases -> object types (config/prompts/synonyms.yaml).

>>> t = SynonymTable({'red fruit': ['Apple', 'Tomato']}, ['i used'])
>>> sorted(t.types_for('Bring me the red fruit.')), t.has_recency_cue('the mug I used')
(['Apple', 'Tomato'], True)
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .text import normalise


class SynonymTable:
    def __init__(self, phrases: dict[str, list[str]] | None = None, recency_cues: list[str] | None = None):
        self.phrases = {normalise(k): list(v) for k, v in (phrases or {}).items()}
        self.cues = [normalise(c) for c in (recency_cues or [])]

    @classmethod
    def load(cls, path: str | Path) -> 'SynonymTable':
        data = yaml.safe_load(Path(path).read_text()) or {}
        return cls(data.get('phrases') or {}, data.get('recency_cues') or [])

    def types_for(self, instruction: str) -> set[str]:
        """Types named indirectly by phrases of ``instruction``."""
        norm = normalise(instruction)
        out: set[str] = set()
        for phrase, types in self.phrases.items():
            if phrase in norm:
                out.update(types)
        return out

    def has_recency_cue(self, instruction: str) -> bool:
        norm = normalise(instruction)
        return any(c in norm for c in self.cues)
