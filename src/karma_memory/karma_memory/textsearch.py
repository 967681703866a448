"""Score object types against a query: exact type, words, synonyms, substrings.

This is the fast lexical matcher behind :meth:`SceneGraph.find` (embedding retrieval lives in
the planner's retrieval module). Scores depend only on the query and the set of known types,
so they are cached per query; finding then costs one dict look-up per matching type.

>>> m = TypeMatcher()
>>> m.score("butter knife", "ButterKnife")
1.0
>>> m.score("something to cut bread with", "Knife") > 0
True
>>> m.score("fridge", "Apple")
0.0
"""
from __future__ import annotations

from functools import lru_cache

from karma_domain.words import SYNONYMS, query_words, type_words  # noqa: F401 - re-exported
from karma_domain.words import singular as _singular

class TypeMatcher:
    """Relevance in [0, 1] of an object type for a query; see :meth:`score`."""

    def __init__(self, synonyms: dict[str, tuple[str, ...]] | None = None):
        self.synonyms = SYNONYMS if synonyms is None else synonyms
        self.score = lru_cache(maxsize=65536)(self._score)

    def _score(self, query: str, typ: str) -> float:
        """1.0 exact type; 0.9 all type words in the query; 0.7 synonym; <=0.6 partial/substring."""
        return self._score_words(_query_key(query), typ)

    def match(self, query: str, types) -> list[tuple[float, str]]:
        """``[(score, type)]`` of the ``types`` scoring above 0, best first, ties by type.

        Parses the query once for all types (the cold path of :meth:`SceneGraph.find`).
        """
        qk = _query_key(query)
        out = [(s, t) for t in types if (s := self._score_words(qk, t)) > 0.0]
        out.sort(key=lambda p: (-p[0], p[1]))
        return out

    def _score_words(self, qk, typ: str) -> float:
        words, wset, joined = qk
        if not words:
            return 0.0
        tl, tw = _type_key(typ)
        if joined == tl or joined == _singular(tl):
            return 1.0
        if all(w in wset for w in tw):
            return 0.9
        best = 0.0
        syn = self.synonyms
        for w in words:
            if tl in syn.get(w, ()):
                best = 0.7
                break
        overlap = sum(1 for w in tw if w in wset)
        if overlap:
            best = max(best, 0.6 * overlap / len(tw))
        if len(joined) >= 3 and (joined in tl or (len(tl) >= 4 and tl in joined)):
            best = max(best, 0.5)
        return best


@lru_cache(maxsize=4096)
def _query_key(query: str):
    words = tuple(_singular(w) for w in query_words(query))
    return words, frozenset(words), "".join(words)


@lru_cache(maxsize=65536)
def _type_key(typ: str):
    return typ.lower(), tuple(_singular(w) for w in type_words(typ))
