"""The one lexical type matcher: exact type, type words, synonyms and phrases, substrings.

``FindObject`` (:meth:`karma_planning.memory_query.MemoryQuery.find`, which ranks with
:meth:`SceneGraph.find`) scores types with it, and retrieval
(:class:`karma_planning.retrieval.Retriever`) takes its type boosts from it: a type scoring
>= :data:`NAMED` is named by the instruction, one scoring >= :data:`SYNONYM` is named through
the synonym table (:data:`karma_domain.words.SYNONYMS`, plus a deployment's additions).
Scores depend only on the query and the type, so they are cached per query.

>>> m = TypeMatcher()
>>> m.score("butter knife", "ButterKnife"), m.score("two tomatoes", "Tomato")
(1.0, 0.9)
>>> m.score("something to cut bread with", "Knife"), m.score("the red fruit", "Tomato")
(0.7, 0.7)
>>> m.score("fridge", "Apple"), m.score("coffee on the sofa", "CoffeeTable")
(0.0, 0.3)
"""
from __future__ import annotations

import re
from functools import lru_cache

from karma_domain.words import SYNONYMS, query_words, type_words  # noqa: F401 - re-exported
from karma_domain.words import singular as _singular

#: Score of a type the query names (its words, in order, or the joined type).
NAMED = 0.9
#: Score of a type a synonym word or phrase of the query names.
SYNONYM = 0.7

_WORD = re.compile(r"[a-z0-9]+")


class TypeMatcher:
    """Relevance in [0, 1] of an object type for a query; see :meth:`score`.

    ``synonyms`` maps a lower-case word or phrase to lower-case type keys (default: the
    domain table, :data:`karma_domain.words.SYNONYMS`).
    """

    def __init__(self, synonyms: dict[str, tuple[str, ...]] | None = None):
        table = SYNONYMS if synonyms is None else synonyms
        self.synonyms = {" ".join(_WORD.findall(k.lower())): tuple(t.lower() for t in v)
                         for k, v in table.items()}
        self._phrases = [(f" {k} ", v) for k, v in self.synonyms.items() if " " in k]
        self.score = lru_cache(maxsize=65536)(self._score)
        self.synonym_types = lru_cache(maxsize=4096)(self._synonym_types)

    def _score(self, query: str, typ: str) -> float:
        """1.0 exact type; 0.9 the type's words in order; 0.7 synonym; <=0.6 partial/substring."""
        return self._score_words(_query_key(query), self.synonym_types(query), typ)

    def match(self, query: str, types) -> list[tuple[float, str]]:
        """``[(score, type)]`` of the ``types`` scoring above 0, best first, ties by type.

        Parses the query once for all types (the cold path of :meth:`SceneGraph.find`).
        """
        qk, syn = _query_key(query), self.synonym_types(query)
        out = [(s, t) for t in types if (s := self._score_words(qk, syn, t)) > 0.0]
        out.sort(key=lambda p: (-p[0], p[1]))
        return out

    def named(self, query: str, types) -> tuple[set[str], set[str]]:
        """(types ``query`` names, types only a synonym names) among ``types``: retrieval's
        type boosts, the same scores as ``FindObject``'s."""
        exact, syn = set(), set()
        for s, t in self.match(query, types):
            if s >= NAMED:
                exact.add(t)
            elif s >= SYNONYM:
                syn.add(t)
        return exact, syn

    def synonym_hits(self, query: str) -> list[tuple[str, tuple[str, ...]]]:
        """``[(word or phrase, type keys)]`` of the table's entries ``query`` contains."""
        raw = _WORD.findall(query.lower())
        words = set(raw) | {_singular(w) for w in raw}
        syn = self.synonyms
        hits = [(w, syn[w]) for w in sorted(words) if w in syn]
        if self._phrases:
            text = " " + " ".join(raw) + " "
            hits += [(phrase.strip(), types) for phrase, types in self._phrases if phrase in text]
        return hits

    def _synonym_types(self, query: str) -> frozenset:
        """Type keys a word or phrase of ``query`` names through the synonym table."""
        return frozenset(t for _k, types in self.synonym_hits(query) for t in types)

    @staticmethod
    def _score_words(qk, syn_types: frozenset, typ: str) -> float:
        words, wset, joined, seq, seqset = qk
        if not words:
            return 0.0
        tl, forms, tforms = _type_key(typ)
        if joined in forms:
            return 1.0
        if not forms.isdisjoint(seqset):           # written as one word: "the countertop"
            return NAMED
        if not any(f.isdisjoint(seqset) for f in tforms) and _in_order(seq, tforms):
            return NAMED
        best = SYNONYM if tl in syn_types else 0.0
        overlap = sum(1 for f in tforms if not f.isdisjoint(wset))
        if overlap:
            best = max(best, 0.6 * overlap / len(tforms))
        if len(joined) >= 3 and (joined in tl or (len(tl) >= 4 and tl in joined)):
            best = max(best, 0.5)
        return best


def _plural_forms(w: str) -> frozenset:
    """``w`` and its plurals as :func:`singular` leaves them (``tomatoes`` -> ``tomatoe``)."""
    forms = {w, _singular(w + "s"), _singular(w + "es")}
    if w.endswith("y"):
        forms.add(_singular(w[:-1] + "ies"))
    return frozenset(forms)


def _in_order(seq: tuple[str, ...], tforms: tuple[frozenset, ...]) -> bool:
    """True when the type's words occur one after another in the query's word sequence."""
    n = len(tforms)
    return any(all(seq[i + j] in tforms[j] for j in range(n)) for i in range(len(seq) - n + 1))


@lru_cache(maxsize=4096)
def _query_key(query: str):
    words = tuple(_singular(w) for w in query_words(query))
    seq = tuple(_singular(w.lower()) for tok in re.split(r"[^A-Za-z0-9]+", query) if tok
                for w in type_words(tok))
    return words, frozenset(words), "".join(words), seq, frozenset(seq)


@lru_cache(maxsize=65536)
def _type_key(typ: str):
    tl = typ.lower()
    tw = tuple(_singular(w) for w in type_words(typ))
    tforms = tuple(_plural_forms(w) for w in tw)
    return tl, _plural_forms(tl) | {_singular(tl)}, tforms
