"""Retrieval: the memory excerpt for one instruction, under a token budget.

Candidates are the items of a :class:`~karma_planning.memory_view.MemoryView` (long-term
scene graph merged with short-term entries). Each is scored by

    cosine(instruction, item text)                    (embeddings cached per id + text)
  + type_weight     if the instruction names its type ("apple", "coffee table")
  + synonym_weight  if a synonym phrase names its type ("red fruit" -> Apple, Tomato)

(both type boosts from the one lexical matcher ``FindObject`` ranks with,
:meth:`karma_memory.textsearch.TypeMatcher.named`, over the synonym table)
  + recent_weight   if the short-term memory holds it (x3 with a cue such as "I used")

times ``untrusted_weight`` for items whose provenance is untrusted (or they are excluded).
Type-matched items and the ``top_k`` best by score above ``min_similarity`` are the seeds;
each seed is expanded along the graph (its receptacle and region; for a receptacle, the
objects in it). Lines are rendered as quoted data, best first, until ``budget_tokens``.

>>> from karma_planning.memory_view import MemoryView
>>> from karma_planning.embedding import HashEmbedder
>>> v = MemoryView.from_graph([{'id': 'Fridge_1', 'layer': 'receptacle', 'type': 'Fridge'},
...     {'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'},
...     {'id': 'Sofa_1', 'layer': 'receptacle', 'type': 'Sofa'}],
...     [{'source': 'Apple_1', 'target': 'Fridge_1', 'relation': 'in'}])
>>> syn = SynonymTable({'red fruit': ['Apple', 'Tomato']}, domain=False)
>>> r = Retriever(HashEmbedder(), syn).retrieve('Bring me the red fruit.', v)
>>> r.memory_ids
['Apple_1', 'Fridge_1']
>>> print(r.scene_text)
- id "Apple_1": type "Apple", in "Fridge_1"
- id "Fridge_1": type "Fridge"
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .embedding import EmbeddingIndex
from .memory_view import MemoryItem, MemoryView
from .synonyms import SynonymTable
from .text import approx_tokens, quote


@dataclass
class Retrieval:
    """What retrieval put in the prompt: ids (in order), their token counts, the texts."""

    memory_ids: list[str] = field(default_factory=list)
    tokens: dict[str, int] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)     # seed | receptacle | content | region
    scene_text: str = ''
    stm_text: str = ''
    wanted_types: set[str] = field(default_factory=set)
    scores: dict[str, float] = field(default_factory=dict)   # seed id -> retrieval score

    @property
    def total_tokens(self) -> int:
        return sum(self.tokens.values())


def render_item(it: MemoryItem, now: float = 0.0) -> str:
    """One scene-graph line: every memory string quoted and bounded. Beliefs that are weak or
    old say so (confidence, "not found on the last look", seconds since last seen), so fresh
    beliefs win over stale ones in the model's choice as in the reference planner's."""
    parts = [f'type {quote(it.type if it.valid_label else "(invalid label)", 48)}']
    if it.receptacle:
        parts.append(f'in {quote(it.receptacle, 96)}')
    if it.region and it.layer != 'region':
        parts.append(f'region {quote(it.region, 48)}')
    st = [f'{k}={v}' for k, v in it.states.items()]
    if st:
        parts.append(f'states {quote("; ".join(st), 96)}')
    if it.layer == 'object' and it.confidence < 0.9:
        parts.append(f'confidence {it.confidence:.2f}')
    if it.stale:
        parts.append('not found on the last look there')
    if it.layer == 'object' and now > 0 and 0 < it.last_seen <= now:
        parts.append(f'last seen {now - it.last_seen:.0f} s ago')
    if it.layer == 'region':
        parts = [f'region {quote(it.type, 48)}']
    return f'- id {quote(it.id, 96)}: ' + ', '.join(parts)


def render_recent(it: MemoryItem) -> str:
    """One short-term line (recent states)."""
    st = '; '.join(f'{k}={v}' for k, v in (it.recent or {}).items()) or 'moved'
    return f'- id {quote(it.id, 96)}: recent {quote(st, 96)} (by {quote(it.recent_source or "?", 16)})'


class Retriever:
    """Scores, expands and renders memory for an instruction (see the module docstring)."""

    def __init__(self, embedder, synonyms: SynonymTable | None = None, top_k: int = 6,
                 min_similarity: float = 0.35, per_type_cap: int = 3, budget_tokens: int = 600,
                 type_weight: float = 1.0, synonym_weight: float = 0.7, recent_weight: float = 0.1,
                 untrusted_sources: tuple[str, ...] = (), untrusted_mode: str = 'downweight',
                 untrusted_weight: float = 0.5, max_contents: int = 3,
                 count_tokens: Callable[[str], int] = approx_tokens):
        self.index = EmbeddingIndex(embedder)
        self.synonyms = synonyms or SynonymTable()
        self.matcher = self.synonyms.matcher()     # the type matcher FindObject ranks with
        self.top_k, self.min_similarity, self.per_type_cap = top_k, min_similarity, per_type_cap
        self.budget_tokens = budget_tokens
        self.type_weight, self.synonym_weight, self.recent_weight = type_weight, synonym_weight, recent_weight
        self.untrusted_sources = tuple(untrusted_sources)
        if untrusted_mode not in ('downweight', 'exclude'):
            raise ValueError("untrusted_mode must be 'downweight' or 'exclude'")
        self.untrusted_mode, self.untrusted_weight = untrusted_mode, untrusted_weight
        self.max_contents = max_contents
        self.count_tokens = count_tokens

    def _untrusted(self, provenance: str) -> bool:
        return any(provenance == s or provenance.startswith(s + ':') or provenance.startswith(s)
                   for s in self.untrusted_sources if s)

    def _arrays(self, view: MemoryView) -> dict:
        """Per-view arrays (cached on the view): rows, types, weights, recency.

        A view derived from another (``view.base``: the hand, a failed step or short-term
        entries applied to a few items) reuses its base's arrays and patches the changed rows,
        so a plan over a large memory costs the changed items, not the whole memory."""
        key = ('arrays', id(self.index))
        got = view.cache.get(key)
        if got is None and view.base is not None:
            base, changed = view.base
            if len(changed) <= 256:
                parent = self._arrays(base)
                got = self._patched(parent, view, changed)
        if got is None:
            items = [it for it in view.items.values() if it.layer != 'region']
            rows = self.index.rows([(it.id, it.text) for it in items])
            types = sorted({it.type for it in items if it.valid_label})
            got = {
                'items': items, 'mat': self.index.matrix(rows),
                'patch_rows': np.zeros(0, np.int64), 'patch_mat': None,
                'type_idx': np.zeros(0, np.int64),
                'types': types,
                'trust': self._trust(items),
                'recent': np.array([it.recent is not None for it in items], np.float32),
                'pos': None,
            }
            tindex = {t: i for i, t in enumerate(types)}
            got['type_idx'] = np.array([tindex.get(it.type, -1) for it in items], np.int64)
        view.cache[key] = got
        return got

    def prepare(self, view: MemoryView) -> None:
        """Compute (or patch) ``view``'s arrays now: embeds the items whose text is new."""
        self._arrays(view)

    def _trust(self, items: list[MemoryItem]) -> np.ndarray:
        trust = np.array([self.untrusted_weight if self._untrusted(it.provenance) else 1.0
                          for it in items], np.float32)
        if self.untrusted_mode == 'exclude':
            trust = np.where(trust < 1.0, 0.0, 1.0).astype(np.float32)
        return trust

    def _patched(self, parent: dict, view: MemoryView, changed: frozenset) -> dict | None:
        """``parent``'s arrays with the ``changed`` items of ``view`` replaced or appended."""
        pos = parent['pos']
        if pos is None:
            pos = parent['pos'] = {it.id: i for i, it in enumerate(parent['items'])}
        items = list(parent['items'])
        replaced, appended = [], []
        for cid in sorted(changed):
            it = view.items.get(cid)
            if it is None or it.layer == 'region':
                return None                       # removed or a region: rebuild
            if cid in pos:
                items[pos[cid]] = it
                replaced.append(pos[cid])
            else:
                appended.append(it)
        types = parent['types']
        n0 = len(items)
        items += appended
        touched = replaced + list(range(n0, n0 + len(appended)))
        touched_items = [items[i] for i in touched]
        if {it.type for it in touched_items if it.valid_label} - set(types):
            return None                           # a new type (rare: a held unknown): rebuild
        tindex = {t: i for i, t in enumerate(types)}
        rows = self.index.rows([(it.id, it.text) for it in touched_items])
        prev_rows = parent['patch_rows']
        keep = ~np.isin(prev_rows, touched) if len(prev_rows) else np.zeros(0, bool)
        patch_rows = np.concatenate([prev_rows[keep], np.asarray(touched, np.int64)])
        vecs = self.index.matrix(rows)
        patch_mat = vecs if parent['patch_mat'] is None else np.concatenate([parent['patch_mat'][keep], vecs])
        type_idx = np.concatenate([parent['type_idx'], np.full(len(appended), -1, np.int64)])
        trust = np.concatenate([parent['trust'], np.ones(len(appended), np.float32)])
        recent = np.concatenate([parent['recent'], np.zeros(len(appended), np.float32)])
        if touched:
            type_idx[touched] = [tindex.get(it.type, -1) for it in touched_items]
            trust[touched] = self._trust(touched_items)
            recent[touched] = [it.recent is not None for it in touched_items]
        return {'items': items, 'mat': parent['mat'], 'patch_rows': patch_rows, 'patch_mat': patch_mat,
                'type_idx': type_idx, 'types': types,
                'trust': trust, 'recent': recent, 'pos': None, 'n_base': parent.get('n_base', len(parent['items']))}

    def scores(self, a: dict, q: np.ndarray) -> np.ndarray:
        """Cosine of every item of arrays ``a`` with the query vector ``q``."""
        # einsum, not BLAS: one query is tiny work, and BLAS threads crawl on a busy machine
        score = np.einsum('ij,j->i', a['mat'], q)
        n = len(a['items'])
        if len(score) < n:
            score = np.concatenate([score, np.zeros(n - len(score), score.dtype)])
        if len(a['patch_rows']):
            score[a['patch_rows']] = np.einsum('ij,j->i', a['patch_mat'], q)
        return score

    def wanted_types(self, instruction: str, types: list[str]):
        """(types named directly, types named through synonyms), among ``types``."""
        return self.matcher.named(instruction, types)

    def retrieve(self, instruction: str, view: MemoryView, budget_tokens: int | None = None) -> Retrieval:
        budget = self.budget_tokens if budget_tokens is None else budget_tokens
        a = self._arrays(view)
        items = a['items']
        if not items:
            return self._render(view, [], budget, set())
        q = self.index.query(instruction)
        score = self.scores(a, q)
        sims = score.copy()
        exact, syn = self.wanted_types(instruction, a['types'])
        tidx = {t: i for i, t in enumerate(a['types'])}
        ex_mask = np.isin(a['type_idx'], [tidx[t] for t in exact]) if exact else np.zeros(len(items), bool)
        sy_mask = np.isin(a['type_idx'], [tidx[t] for t in syn]) if syn else np.zeros(len(items), bool)
        cue = 3.0 if self.synonyms.has_recency_cue(instruction) else 1.0
        score += self.type_weight * ex_mask + self.synonym_weight * sy_mask + self.recent_weight * cue * a['recent']
        score *= a['trust']
        ok = a['trust'] > 0
        matched = (ex_mask | sy_mask) & ok
        seeds: list[int] = []
        if matched.any():
            # round robin over the wanted types: the best of each type first, then the second...
            rank: dict[int, int] = {}
            ranked = []
            for i in np.flatnonzero(matched)[np.argsort(-score[matched], kind='stable')]:
                t = int(a['type_idx'][i])
                rank[t] = rank.get(t, 0) + 1
                if rank[t] <= self.per_type_cap:
                    ranked.append((rank[t], -float(score[i]), int(i)))
            seeds = [i for _, _, i in sorted(ranked)]
        k = min(self.top_k, len(items))
        top = np.argpartition(-score, k - 1)[:k] if k else []
        seen = set(seeds)
        for i in sorted(top, key=lambda j: -score[j]):
            if i not in seen and ok[i] and sims[i] >= self.min_similarity:
                seeds.append(int(i))
                seen.add(int(i))
        r = self._render(view, [items[i] for i in seeds], budget, exact | syn)
        r.scores = {items[i].id: float(score[i]) for i in seeds}
        return r

    def _render(self, view: MemoryView, seeds: list[MemoryItem], budget: int, wanted: set[str]) -> Retrieval:
        r = Retrieval(wanted_types=wanted)
        scene, recent = [], []

        def add(it: MemoryItem | None, role: str) -> bool:
            if it is None or it.id in r.tokens:
                return True
            if self._untrusted(it.provenance) and self.untrusted_mode == 'exclude':
                return True
            line = render_item(it, view.now)
            rline = render_recent(it) if it.recent is not None else ''
            n = self.count_tokens(line + '\n') + (self.count_tokens(rline + '\n') if rline else 0)
            if r.total_tokens + n > budget:
                return False
            r.memory_ids.append(it.id)
            r.tokens[it.id] = n
            r.roles[it.id] = role
            scene.append(line)
            if rline:
                recent.append(rline)
            return True

        # passes in priority order: the seeds, where they are, their regions, what they hold
        passes = [[(it, 'seed') for it in seeds],
                  [(view.items.get(it.receptacle), 'receptacle') for it in seeds],
                  [(view.items.get(getattr(view.items.get(it.receptacle), 'receptacle', '')), 'receptacle')
                   for it in seeds],
                  [(view.region_item(it.region), 'region') for it in seeds if it.region],
                  [(view.items.get(c), 'content') for it in seeds if it.is_receptacle and it.type != 'Floor'
                   for c in view.contents(it.id)[:self.max_contents]]]
        for group in passes:
            if not all(add(it, role) for it, role in group):
                break
        r.scene_text = '\n'.join(scene)
        r.stm_text = '\n'.join(recent)
        return r

    def render_all(self, view: MemoryView) -> str:
        """The whole memory in the same format (the no-retrieval baseline)."""
        lines = [render_item(it, view.now) for it in view.items.values()]
        lines += [render_recent(it) for it in view.items.values() if it.recent is not None]
        return '\n'.join(lines)

