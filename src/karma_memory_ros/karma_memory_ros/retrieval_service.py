"""``karma/retrieve_memory`` (karma_interfaces/srv/RetrieveMemory) of the long-term memory node.

The ROS shell of :class:`karma_planning.memory_query.MemoryQuery`: converts the request,
runs the one query path over the node's scene graph and converts the answer. Item
embeddings are computed in this node, once per item text, and kept up to date after the
first retrieval by a timer (``retrieval_refresh_s``), so a plan call pays only for what
changed since. The sentence model loads on the first retrieval (that call waits for it, at
most ``retrieval_embedder_wait_s``, and embeds every item once; later calls pay only for
what changed). ``/karma/diagnostics`` counts ``retrieval.calls``, ``retrieval.embedded``
(item embeddings computed), ``retrieval.view_builds`` and ``retrieval.failed``.

Call :func:`register` from the node's constructor after its graph exists.
"""
from __future__ import annotations

import threading
import time

from geometry_msgs.msg import Point
from karma_interfaces.msg import KeyValue, RetrievedItem
from karma_interfaces.srv import RetrieveMemory

from karma_memory import clean_text
from karma_memory_ros.conversions import to_time
from karma_ros_common.params import Param

#: Parameters of the retrieval service, merged into the long-term memory node's schema.
RETRIEVAL_SCHEMA = {
    'retrieval_embedder': Param('minilm', 'Retrieval embedder (all-MiniLM-L6-v2 from its offline wheel, '
                                'or a character-trigram hash)', choices=('minilm', 'hash')),
    'retrieval_synonyms_file': Param('', 'Synonym table; empty = the installed prompts\' synonyms.yaml'),
    'retrieval_top_k': Param(6, 'Retrieval: best items by similarity', min_value=0, max_value=200),
    'retrieval_min_similarity': Param(0.35, 'Retrieval: least cosine for a similarity-only seed',
                                      min_value=-1.0, max_value=1.0),
    'retrieval_budget_tokens': Param(600, 'Retrieval: default token budget of the excerpt', min_value=16),
    'retrieval_untrusted_sources': Param('', 'Comma-separated provenance prefixes treated as untrusted'),
    'retrieval_untrusted_mode': Param('downweight', 'What happens to untrusted items',
                                      choices=('downweight', 'exclude')),
    'retrieval_untrusted_weight': Param(0.5, 'Score factor of untrusted items', min_value=0.0, max_value=1.0),
    'retrieval_max_context_items': Param(200, 'Default and cap of RetrieveMemory context items',
                                         min_value=0, max_value=100000),
    'retrieval_refresh_s': Param(1.0, 'After the first retrieval: bring the view and item embeddings up '
                                 'to date this often when memory changed (s)', min_value=0.05, max_value=60.0),
    'retrieval_embedder_wait_s': Param(120.0, 'Longest a retrieval waits for the embedder to load (s)',
                                       min_value=0.0),
}


def _kvs(d: dict | None) -> list:
    return [KeyValue(key=str(k)[:64], value=str(v)[:256]) for k, v in sorted((d or {}).items())]


class RetrievalService:
    """Owns the node's :class:`MemoryQuery`; see the module docstring."""

    def __init__(self, node):
        from karma_planning.embedding import HashEmbedder, SentenceEmbedder
        from karma_planning.memory_query import MemoryQuery
        from karma_planning.prompt import default_prompts_dir
        from karma_planning.retrieval import Retriever
        from karma_planning.synonyms import SynonymTable
        from karma_ros_common.resources import installed_config

        self.node = node
        cfg = node.cfg
        prompts = installed_config('prompts') or default_prompts_dir()
        syn = SynonymTable.load(cfg['retrieval_synonyms_file'] or f'{prompts}/synonyms.yaml')
        self.embedder = SentenceEmbedder() if cfg['retrieval_embedder'] == 'minilm' else HashEmbedder()
        untrusted = tuple(s.strip() for s in cfg['retrieval_untrusted_sources'].split(',') if s.strip())
        retriever = Retriever(self.embedder, syn, cfg['retrieval_top_k'], cfg['retrieval_min_similarity'],
                              budget_tokens=cfg['retrieval_budget_tokens'], untrusted_sources=untrusted,
                              untrusted_mode=cfg['retrieval_untrusted_mode'],
                              untrusted_weight=cfg['retrieval_untrusted_weight'])
        self.query = MemoryQuery(retriever)
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.warm = False          # after the first call the timer keeps embeddings current
        self.failed = 0
        self._loading = False
        if cfg['retrieval_embedder'] == 'hash':
            self.ready.set()
        access = getattr(node, 'access', None)   # the graph's lock and the query group (concurrency.py)
        self.graph_lock = access.lock if access is not None else None
        node.create_service(RetrieveMemory, 'karma/retrieve_memory', self.on_retrieve,
                            callback_group=access.queries if access is not None else None)
        node.create_timer(cfg['retrieval_refresh_s'], self.on_timer)
        self._figures()

    def _load(self) -> None:
        try:
            self.embedder.encode(['warm up'])
        except Exception as e:  # noqa: BLE001 - reported per call and counted
            self.node.rejections.reject('internal_error', f'retrieval embedder failed to load: '
                                        f'{type(e).__name__}: {clean_text(str(e), 200)}')
        finally:
            self.ready.set()

    def _wait_ready(self, timeout_s: float) -> bool:
        """Wait for the embedder, at most ``timeout_s``, and not past the node's shutdown (a
        waiting request holds an executor thread that the shutdown joins)."""
        deadline = time.monotonic() + timeout_s
        while not self.ready.wait(min(0.2, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline or not self.node.context.ok():
                return False
        return True

    def _figures(self) -> None:
        r = self.node.rejections
        r.set_value('retrieval.calls', self.query.calls)
        r.set_value('retrieval.embedded', self.query.embedded)
        r.set_value('retrieval.view_builds', self.query.view_builds)
        r.set_value('retrieval.failed', self.failed)

    def on_timer(self) -> None:
        if not self.warm or not self.ready.is_set():
            return
        try:
            with self.lock:
                if self.query.refresh(self.node.graph, self.graph_lock):
                    self._figures()
        except Exception as e:  # noqa: BLE001 - the next call rebuilds
            self.node.rejections.reject('internal_error', f'retrieval refresh failed: {type(e).__name__}: {e}')

    def request(self, req):
        """RetrieveMemory.Request -> RetrievalRequest (strings cleaned and bounded)."""
        from karma_planning.memory_query import RetrievalRequest
        from karma_planning.memory_view import Hand
        from karma_planning.skills import HAND_STATES, failure_name

        rs = req.robot_state
        state = HAND_STATES[rs.hand_state] if rs.hand_state < len(HAND_STATES) else 'unknown'
        hand = Hand(state, rs.held_object_id[:128], rs.held_object_type[:64]) if state == 'holding' \
            else Hand(state)
        f = req.failed_step
        failure = None
        if f.skill and not f.success and f.args:
            failure = (failure_name(f.failure), f.args[0][:128], f.blocking_id[:128])
        stm = [{'object_id': e.object_id, 'object_type': e.object_type,
                'states': {kv.key: kv.value for kv in e.states}, 'receptacle_id': e.receptacle_id,
                'source': e.source, 'step': e.step} for e in req.short_term[:1000]]
        cap = self.node.cfg['retrieval_max_context_items']
        return RetrievalRequest(
            clean_text(req.instruction, 2000), clean_text(req.query_extra, 500),
            int(req.budget_tokens) or None, hand, failure, stm,
            [clean_text(t, 64) for t in req.context_types[:64]],
            min(int(req.max_context_items) or cap, cap), bool(req.regions_only),
            self.node.get_clock().now().nanoseconds * 1e-9)

    def on_retrieve(self, req, resp):
        t0 = time.perf_counter()
        try:
            if req.regions_only:
                pass                      # no ranking: the embedder is not needed
            elif not self._loading and not self.ready.is_set():
                # The sentence model loads on the first retrieval, never at start-up: a memory
                # that is only ingesting (most of its life until a plan) does not pay for it.
                self._loading = True
                threading.Thread(target=self._load, name='retrieval-embedder', daemon=True).start()
            if not req.regions_only and not self._wait_ready(self.node.cfg['retrieval_embedder_wait_s']):
                raise TimeoutError('the retrieval embedder is still loading')
            r = self.request(req)
            with self.lock:
                # the graph lock only while the graph is read; embedding and ranking run on the view
                a = self.query.retrieve(self.node.graph, r, self.graph_lock)
                self.warm = self.warm or not r.regions_only
            rr = a.retrieval
            resp.scene_text, resp.stm_text = rr.scene_text, rr.stm_text
            resp.memory_ids = list(rr.memory_ids)
            resp.wanted_types = sorted(rr.wanted_types)
            resp.tokens = int(rr.total_tokens)
            resp.budget_tokens = int(r.budget_tokens or self.query.retriever.budget_tokens)
            resp.items = [self._item(x, r.now) for x in a.items]
            resp.memory_objects, resp.revision = a.objects, a.revision
            resp.view_s, resp.embed_s, resp.retrieve_s = a.view_s, a.embed_s, a.retrieve_s
            resp.success = True
            resp.message = f'{len(rr.memory_ids)} items, {rr.total_tokens} tokens ' \
                           f'({time.perf_counter() - t0:.3f} s)'
        except Exception as e:  # noqa: BLE001 - a failed retrieval is an answer, not a crash
            self.failed += 1
            resp.success, resp.message = False, f'retrieval failed: {type(e).__name__}: {clean_text(str(e), 300)}'
            self.node.rejections.reject('retrieval_failed', resp.message)
        self._figures()
        return resp

    @staticmethod
    def _item(x, now: float) -> RetrievedItem:
        it = x.item
        m = RetrievedItem(id=it.id, type=it.type, valid_type=bool(it.valid_label), layer=it.layer,
                          parent_id=it.receptacle, region=it.region, states=_kvs(it.states),
                          recent_states=_kvs(it.recent), has_recent=it.recent is not None,
                          recent_source=it.recent_source, confidence=float(it.confidence),
                          stale=bool(it.stale), last_seen=to_time(it.last_seen),
                          age_s=float(now - it.last_seen) if it.last_seen > 0 and now >= it.last_seen else -1.0,
                          source=it.provenance, role=x.role, in_excerpt=x.in_excerpt,
                          tokens=int(x.tokens), score=float(x.score))
        pos = getattr(it, 'position', None)
        if pos is not None:
            m.position, m.position_known = Point(x=float(pos[0]), y=float(pos[1]), z=float(pos[2])), True
        rel = getattr(it, 'relation', '')
        m.relation = rel if rel in ('in', 'on') and it.receptacle else ''
        return m


def register(node) -> RetrievalService:
    """Serve ``karma/retrieve_memory`` on ``node`` (the long-term memory node)."""
    return RetrievalService(node)
