"""The long-term memory node's time-travel and operator-correction services.

``/karma/query_history`` (QueryHistory): where was X at t, what changed between t1 and t2,
when was X last seen, the graph at t, answered from the store's history
(:mod:`karma_memory.history`). ``/karma/correct_memory`` (CorrectMemory): an operator adds,
moves, relabels or deletes an object or region (:mod:`karma_memory.corrections`); the change
is committed with cause ``operator`` before the answer. The logic lives in the cores; this
module only converts messages. :func:`register` adds both to an ``LtmNode``.
"""
from __future__ import annotations

from karma_interfaces.msg import HistoryChange, MemoryObject
from karma_interfaces.srv import CorrectMemory, QueryHistory
from std_msgs.msg import Header

from karma_memory import clean_text
from karma_memory.corrections import Correction, CorrectionError, correct
from karma_memory.scene_graph import OPERATOR
from karma_memory_ros.conversions import SceneGraphEncoder, memory_object_msg, to_sec, to_time

_KINDS = {"added": HistoryChange.KIND_ADDED, "removed": HistoryChange.KIND_REMOVED,
          "changed": HistoryChange.KIND_CHANGED}
DEFAULT_RESULTS, MAX_RESULTS = 1000, 100000


def register(node) -> None:
    """Serve both services from ``node`` (an LtmNode: ``graph``, ``store``, ``cfg``)."""
    node.create_service(QueryHistory, 'karma/query_history', lambda q, r: query_history(node, q, r))
    node.create_service(CorrectMemory, 'karma/correct_memory',
                        node.access.locked(lambda q, r: correct_memory(node, q, r)))


def _now(node) -> float:
    return node.get_clock().now().nanoseconds * 1e-9


def query_history(node, req, resp):
    """Answer one QueryHistory request; never raises (a failure is success=false)."""
    try:
        h = node.store.history
        lo, hi = h.span()
        resp.history_start, resp.history_end = to_time(lo), to_time(hi)
        limit = min(req.max_results or DEFAULT_RESULTS, MAX_RESULTS)
        oid = clean_text(req.object_id, node.cfg['max_id_length'])
        t = to_sec(req.t) or _now(node)
        if req.query == QueryHistory.Request.QUERY_WHERE_AT:
            item = h.item_at(oid, t) if oid else None
            resp.found = item is not None
            resp.objects = [memory_object_msg(item)] if item else []
            resp.message = (f'{oid} at {t:.3f}: {item.receptacle_id or item.region_id or "loose"}'
                            if item else f'{oid!r} was not in memory at {t:.3f}')
        elif req.query == QueryHistory.Request.QUERY_CHANGES:
            t1, t2 = to_sec(req.t_start), to_sec(req.t_end) or _now(node)
            changes = h.diff(t1, t2, limit)
            resp.changes = [_change_msg(c) for c in changes]
            resp.message = f'{len(changes)} nodes changed in ({t1:.3f}, {t2:.3f}]'
        elif req.query == QueryHistory.Request.QUERY_LAST_SEEN:
            seen = h.last_seen(oid) if oid else None
            resp.found = seen is not None
            resp.last_seen = to_time(seen or 0.0)
            resp.message = f'{oid} last seen at {seen:.3f}' if seen is not None else f'{oid!r} never seen'
        elif req.query == QueryHistory.Request.QUERY_GRAPH_AT:
            graph = h.graph_at(t, node.memory_config)
            resp.graph = SceneGraphEncoder().encode(
                graph.nx, header=Header(frame_id='map', stamp=to_time(t)))
            resp.objects = [memory_object_msg(i) for i in list(graph.objects())[:limit]]
            resp.found = True
            resp.message = f'{len(graph)} objects at {t:.3f}'
        else:
            resp.success, resp.message = False, f'unknown query {req.query} (expected 1-4)'
            return resp
        resp.success = True
    except Exception as e:  # noqa: BLE001 - a failed query is an answer, not a crash
        resp.success, resp.message = False, f'history query failed: {type(e).__name__}: {clean_text(str(e), 200)}'
        node.rejections.reject('history_failed', resp.message)
    return resp


def _change_msg(c: dict) -> HistoryChange:
    m = HistoryChange(id=c['id'], kind=_KINDS.get(c['kind'], HistoryChange.KIND_UNKNOWN),
                      fields=list(c['fields']), cause=c['cause'] or '')
    m.before = memory_object_msg(c['before_item']) if c['before_item'] else MemoryObject()
    m.after = memory_object_msg(c['after_item']) if c['after_item'] else MemoryObject()
    return m


def correct_memory(node, req, resp):
    """Apply one operator correction and commit it (cause ``operator``); never raises."""
    try:
        lim = node.memory_config.limits
        size = (req.size.x, req.size.y, req.size.z)
        c = Correction(int(req.operation), clean_text(req.target_id, lim.max_id_len),
                       clean_text(req.type, lim.max_label_len),
                       (req.position.x, req.position.y, req.position.z) if req.has_position else None,
                       size if any(size) else None, clean_text(req.parent_id, lim.max_id_len),
                       bool(req.is_receptacle), [(p.x, p.y) for p in req.polygon] or None)  # ground plane, z up
        resp.id = correct(node.graph, c, stamp=_now(node))
        node.store.commit(node.graph, cause=OPERATOR)
        node._update_figures()
        resp.success, resp.message = True, f'{resp.id}: corrected by the operator'
        node.get_logger().info(f'operator correction {req.operation} on {resp.id}')
    except CorrectionError as e:
        resp.success, resp.message = False, f'correction refused: {clean_text(str(e), 300)}'
        node.rejections.reject('bad_correction', resp.message)
    except Exception as e:  # noqa: BLE001
        resp.success, resp.message = False, f'correction failed: {type(e).__name__}: {clean_text(str(e), 200)}'
        node.rejections.reject('internal_error', resp.message)
    return resp
