"""The planner's memory client: what each memory mode fetches, over which service.

Modes ``karma`` and ``ltm`` ask the long-term memory node's ``karma/retrieve_memory``
(RetrieveMemory.srv): the node ranks, expands and renders its own graph (one query path
with FindObject and the benchmarks) and answers with the excerpt plus the structured items
the planner validates and plans over; the graph itself is never shipped per plan. The
short-term memory's entries (``karma/stm/query``) travel in that request, so they are ranked
with the long-term items as before. Modes without object memory ask the same service for the
map's regions only (``regions_only``).

The reference backend (the goal oracle of the benchmarks, labelled) names its goal types as
ranking words (``query_extra``) and as ``context_types`` with the containers it searches:
it reads every instance of what its goals name, as it did over the whole graph.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from karma_interfaces.msg import RobotState
from karma_interfaces.srv import QueryShortTerm, RetrieveMemory

from karma_planning.memory_modes import GRAPH_MODES
from karma_planning.memory_view import Hand, MemoryItem, MemoryView
from karma_planning.retrieval import Retrieval
from karma_planning.text import is_type_label

from .conversions import stm_to_dicts


@dataclass
class RemoteMemory:
    """What the long-term memory node retrieved: the view to plan over and the prompt memory."""

    view: MemoryView
    retrieval: Retrieval
    message: str = ''


def _kv(pairs) -> dict:
    return {kv.key: kv.value for kv in pairs}


def view_from_items(items, hand: Hand) -> MemoryView:
    """A :class:`MemoryView` of RetrievedItem messages (the items the planner may name)."""
    out: dict[str, MemoryItem] = {}
    for m in items:
        out[m.id] = MemoryItem(
            m.id, m.type, m.layer, m.source, m.parent_id, m.region, _kv(m.states),
            _kv(m.recent_states) if m.has_recent else None, m.recent_source,
            valid_label=bool(m.valid_type) and is_type_label(m.type) if m.layer != 'region' else True,
            confidence=float(m.confidence), stale=bool(m.stale),
            last_seen=m.last_seen.sec + m.last_seen.nanosec * 1e-9,
            position=(m.position.x, m.position.y, m.position.z) if m.position_known else None,
            relation=m.relation)
    return MemoryView(out, hand)


def retrieval_from_response(resp) -> Retrieval:
    """The prompt memory of a RetrieveMemory response (lines, ids, token counts, roles)."""
    r = Retrieval(memory_ids=list(resp.memory_ids), scene_text=resp.scene_text, stm_text=resp.stm_text,
                  wanted_types=set(resp.wanted_types))
    for m in resp.items:
        if m.in_excerpt:
            r.tokens[m.id] = int(m.tokens)
            r.roles[m.id] = m.role
            if m.role == 'seed':
                r.scores[m.id] = float(m.score)
    return r


def hand_msg(hand: Hand) -> RobotState:
    from karma_planning.skills import HAND_STATES
    msg = RobotState(hand_state=HAND_STATES.index(hand.state) if hand.state in HAND_STATES else 0)
    if hand.state == 'holding':
        msg.held_object_id, msg.held_object_type = hand.held_id, hand.held_type
    return msg


class MemoryClient:
    """Fetches one plan call's memory for the node's mode (see the module docstring)."""

    def __init__(self, node, group, timeout_s: float, budget_tokens: int, use_short_term: bool = True,
                 retrieval_timeout_s: float = 60.0):
        self.node = node
        self.timeout_s = timeout_s
        self.retrieval_timeout_s = retrieval_timeout_s
        self.budget_tokens = budget_tokens
        self.use_short_term = use_short_term
        self.retrieve_cli = node.create_client(RetrieveMemory, 'karma/retrieve_memory', callback_group=group)
        self.stm_cli = node.create_client(QueryShortTerm, 'karma/stm/query', callback_group=group)
        self.calls = 0

    def _call(self, client, request, timeout_s: float | None = None, discover_s: float = 1.0):
        timeout_s = self.timeout_s if timeout_s is None else timeout_s
        if not client.wait_for_service(timeout_sec=min(discover_s, timeout_s)):
            return None
        done = threading.Event()
        fut = client.call_async(request)
        fut.add_done_callback(lambda _f: done.set())
        done.wait(timeout_s)
        return fut.result() if fut.done() else None

    def fetch(self, mode, req, hand: Hand, query_extra: str = '', context_types=()):
        """(graph dicts or None, short-term dicts or None, notes, RemoteMemory or None).

        Graph modes get a :class:`RemoteMemory`; the others get the regions as graph dicts
        (``mode.view`` builds their view from them and the perception history)."""
        notes, graph, stm_msgs = [], None, None
        if mode.needs_stm and self.use_short_term:
            s = self._call(self.stm_cli, QueryShortTerm.Request(query='', max_results=0))
            if s is None:
                notes.append('short-term memory unavailable')
            else:
                stm_msgs = list(s.entries)
        stm = stm_to_dicts(stm_msgs) if stm_msgs is not None else None
        if not mode.needs_graph:
            return None, stm, notes, None
        graph_mode = mode.mode in GRAPH_MODES
        rq = RetrieveMemory.Request(instruction=req.instruction[:2000], budget_tokens=self.budget_tokens,
                                    robot_state=hand_msg(hand), failed_step=req.failed_step,
                                    explored=list(req.explored)[:200], regions_only=not graph_mode)
        if graph_mode:
            rq.query_extra = query_extra[:500]
            rq.context_types = list(context_types)[:64]
            rq.short_term = stm_msgs or []
        self.calls += 1
        # discovery of the memory node's service may lag on a loaded machine: wait a little
        # longer for it than for the optional short-term memory (returns at once when up)
        r = self._call(self.retrieve_cli, rq, self.retrieval_timeout_s, discover_s=3.0)
        if r is None or not r.success:
            notes.append('long-term memory unavailable' + (f' ({r.message})' if r is not None else ''))
            return None, stm, notes, None
        if not graph_mode:
            nodes = [{'id': m.id, 'layer': 'region', 'type': m.type} for m in r.items if m.layer == 'region']
            return (nodes, []), stm, notes, None
        return None, stm, notes, RemoteMemory(view_from_items(r.items, hand), retrieval_from_response(r),
                                              r.message)
