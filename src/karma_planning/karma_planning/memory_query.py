"""The one memory query path: retrieval over the long-term scene graph (no ROS here).

The long-term memory node serves ``karma/retrieve_memory`` with a :class:`MemoryQuery`; the
planner's prompt memory (modes ``karma`` and ``ltm``), ``FindObject`` and the benchmarks all
go through it, so what is benchmarked is what plans.

- :meth:`MemoryQuery.view` is a :class:`~karma_planning.memory_view.MemoryView` of the scene
  graph, rebuilt only when the graph changed (its ``revision`` or the stamp of its last
  applied message: a re-sighting changes confidence and "last seen", which prompts show).
- Item embeddings live in the retriever's :class:`~karma_planning.embedding.EmbeddingIndex`,
  keyed by memory id + the hash of the item's embedded text: computed once per item and
  again only when that text changes (a state, a type), incrementally (:meth:`refresh`).
- :meth:`MemoryQuery.retrieve` applies one request's overlays (short-term entries, the
  robot's hand, a failed step) copy-on-write, ranks, expands and renders under the budget
  (:class:`~karma_planning.retrieval.Retriever`), and adds the map's regions and the
  requested context items.

>>> from karma_memory import SceneGraph, Observation
>>> from karma_planning.embedding import HashEmbedder
>>> g = SceneGraph()
>>> _ = g.apply([Observation('Fridge', 'Fridge|1', position=(1.0, 0.0, 0.9), is_receptacle=True),
...              Observation('Apple', 'Apple|1', position=(1.0, 0.0, 1.0), parent_id='Fridge|1')])
>>> q = MemoryQuery(Retriever(HashEmbedder()))
>>> a = q.retrieve(g, RetrievalRequest('Bring me an apple.'))
>>> a.retrieval.memory_ids, [(i.item.id, i.role) for i in a.items]
(['Apple|1', 'Fridge|1'], [('Apple|1', 'seed'), ('Fridge|1', 'receptacle')])
>>> print(a.retrieval.scene_text)
- id "Apple|1": type "Apple", in "Fridge|1"
- id "Fridge|1": type "Fridge"
>>> [i.id for i in q.find(g, 'apple')]
['Apple|1']
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from .memory_view import Hand, MemoryItem, MemoryView
from .retrieval import Retrieval, Retriever

#: Scene-graph node attributes a view reads besides the states, as the ROS encoder ships them
#: (karma_memory_ros.conversions.SceneGraphEncoder): the same text, so the same view.
NODE_ATTRS = ('confidence', 'stale', 'parent', 'relation', 'near', 'source', 'room_type', 'last_seen')


def _text(v) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def graph_dicts(nxgraph) -> tuple[list[dict], list[dict]]:
    """(nodes, edges) dicts of a scene graph's networkx view for ``MemoryView.from_graph``,
    attribute for attribute what a ``QuerySceneGraph`` answer converts to."""
    nodes = []
    for nid in sorted(nxgraph):          # by id, as the encoder ships them (ties rank by order)
        a = nxgraph.nodes[nid]
        attrs = {k: str(v) for k, v in (a.get('states') or {}).items()}
        for k in NODE_ATTRS:
            if k in a and a[k] != '':
                attrs[k] = _text(a[k])
        pos = a.get('position', (0.0, 0.0, 0.0))
        nodes.append({'id': nid, 'layer': a.get('layer', ''), 'type': a.get('type', ''), 'attributes': attrs,
                      'position': (float(pos[0]), float(pos[1]), float(pos[2]))})
    edges = [{'source': u, 'target': v, 'relation': r} for u, v, r in sorted(nxgraph.edges(data='relation'))]
    return nodes, edges


@dataclass
class RetrievalRequest:
    """One retrieval (the message-free twin of ``RetrieveMemory.Request``)."""

    instruction: str
    query_extra: str = ''                  # ranking-only words (the reference planner's goal types)
    budget_tokens: int | None = None       # None: the retriever's default
    hand: Hand = field(default_factory=Hand)
    failure: tuple[str, str, str] | None = None   # (kind, target id, blocking id) of a failed step
    short_term: list[dict] = field(default_factory=list)   # MemoryView.with_short_term entries
    context_types: list[str] = field(default_factory=list)
    max_context_items: int = 200
    regions_only: bool = False
    now: float = 0.0                       # seconds since the epoch: ages are rendered when > 0


@dataclass
class ReturnedItem:
    item: MemoryItem
    role: str                  # seed | receptacle | content | region | context
    in_excerpt: bool
    tokens: int = 0
    score: float = 0.0


@dataclass
class RetrievalAnswer:
    retrieval: Retrieval
    view: MemoryView           # the memory with the request's overlays (what was ranked)
    items: list[ReturnedItem]
    revision: int = 0
    objects: int = 0
    view_s: float = 0.0        # building the view and the embeddings of new or changed items
    embed_s: float = 0.0       # embedding the query
    retrieve_s: float = 0.0    # ranking, expanding, rendering, the returned items


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class MemoryQuery:
    """Retrieval and find over one long-term scene graph (see the module docstring)."""

    def __init__(self, retriever: Retriever):
        self.retriever = retriever
        self._key = None
        self._view: MemoryView | None = None
        self._by_type: dict[str, list[str]] = {}
        self._held: list[str] = []
        self.view_builds = 0
        self.calls = 0
        self.finds = 0

    @staticmethod
    def _graph_key(graph) -> tuple:
        return id(graph), graph.revision, graph.clock, len(graph)

    def view(self, graph) -> MemoryView:
        """The graph as a view, rebuilt when it changed (cached otherwise)."""
        key = self._graph_key(graph)
        if key != self._key or self._view is None:
            g = graph.nx
            view = MemoryView.from_graph(*graph_dicts(g))
            by_type: dict[str, list[str]] = {}
            held = []
            nodes = g.nodes
            for it in view.items.values():
                a = nodes[it.id] if it.id in nodes else {}
                if it.layer != 'region' and 'position' in a:
                    it.position = tuple(float(c) for c in a['position'])
                    it.relation = a.get('relation', '') if a.get('relation') in ('in', 'on') else ''
                if it.layer != 'region':
                    by_type.setdefault(it.type.lower(), []).append(it.id)
                if it.states.get('held') in ('true', 'True', '1') or \
                        it.states.get('isPickedUp') in ('true', 'True', '1'):
                    held.append(it.id)
            self._view, self._key, self._by_type, self._held = view, key, by_type, held
            self.view_builds += 1
        return self._view

    def refresh(self, graph, lock=None) -> bool:
        """Bring the view and the item embeddings up to date; True when anything was redone."""
        before = (self._key, self.retriever.index.computed)
        with (lock if lock is not None else _NoLock()):
            view = self.view(graph)
        self.retriever.prepare(view)
        return before != (self._key, self.retriever.index.computed)

    @property
    def embedded(self) -> int:
        """Item embeddings computed so far (each new or changed item text once)."""
        return self.retriever.index.computed

    def find(self, graph, query: str, k: int = 10):
        """``FindObject``: the best ``k`` objects for a type or free-text query, best first.

        Retrieval without the embedding: types scored by the retriever's own lexical matcher
        (the one its type boosts come from, over the same synonym table), their instances
        ranked by confidence and freshness over the graph's type index
        (:meth:`karma_memory.scene_graph.SceneGraph.find`); no view is built, so a find
        during ingest costs the matching instances, not the memory."""
        self.finds += 1
        return graph.find(query, k, self.retriever.matcher)

    def retrieve(self, graph, req: RetrievalRequest, lock=None) -> RetrievalAnswer:
        """Retrieve for ``req``; ``lock`` (held only while the graph is read into the view)
        orders this with writers of ``graph`` on other threads."""
        self.calls += 1
        t0 = time.perf_counter()
        with (lock if lock is not None else _NoLock()):
            base = self.view(graph)
            revision, objects = graph.revision, len(graph)
        view = base
        if req.short_term:
            view = view.with_short_term(req.short_term, known_only=True)
        view = view.with_hand(req.hand)
        if req.failure is not None:
            view = view.with_failure(*req.failure)
        view.now = req.now
        if not req.regions_only:
            self.retriever.prepare(view)
        t1 = time.perf_counter()
        query = req.instruction + (' ' + req.query_extra if req.query_extra else '')
        if not req.regions_only:
            self.retriever.index.query(query)      # cached: retrieve() reuses it
        t2 = time.perf_counter()
        r = Retrieval() if req.regions_only else self.retriever.retrieve(query, view, req.budget_tokens)
        out = [ReturnedItem(view.items[i], r.roles.get(i, 'seed'), True, r.tokens.get(i, 0),
                            r.scores.get(i, 0.0)) for i in r.memory_ids if i in view.items]
        listed = set(r.memory_ids)
        for reg in view.regions():
            if reg.id not in listed:
                out.append(ReturnedItem(reg, 'region', False))
                listed.add(reg.id)
        extra = self._context(view, req, listed)
        out += [ReturnedItem(it, 'context', False) for it in extra]
        answer = RetrievalAnswer(r, view, out, revision, objects, t1 - t0, t2 - t1,
                                 time.perf_counter() - t2)
        return answer

    def _context(self, view: MemoryView, req: RetrievalRequest, listed: set[str]) -> list[MemoryItem]:
        """The held object, then every instance of ``context_types`` with its receptacles."""
        cap = max(0, req.max_context_items)
        changed = view.base[1] if view.base is not None else frozenset()
        # the views in between (short term, hand) changed only what they list
        v = view
        while v.base is not None and v.base[0] is not self._view:
            v = v.base[0]
            changed = changed | (v.base[1] if v.base is not None else frozenset())
        out: list[MemoryItem] = []

        def add(item_id: str) -> None:
            it = view.items.get(item_id)
            if it is not None and it.id not in listed and len(out) < cap:
                out.append(it)
                listed.add(it.id)

        held = view.held_id(candidates=list(dict.fromkeys(self._held + sorted(changed))))
        if held:
            add(held)
        wanted = {t.lower() for t in req.context_types}
        for t in wanted:
            ids = list(self._by_type.get(t, []))
            ids += [i for i in changed if i in view.items and view.items[i].type.lower() == t]
            for i in sorted(set(ids)):
                if len(out) >= cap:
                    break
                add(i)
                rec = view.items.get(i)
                for _ in range(2):
                    if rec is None or not rec.receptacle:
                        break
                    add(rec.receptacle)
                    rec = view.items.get(rec.receptacle)
        return out
