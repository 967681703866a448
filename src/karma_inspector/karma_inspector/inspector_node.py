"""Inspector node: the live web inspector of the memory, served on loopback.

Draws what :mod:`karma_inspector.view` builds from: ``/karma/scene_graph`` (latched), the
last ``/karma/plan/log`` record, ``/karma/stm/query`` (polled), ``/karma/query_history`` (the
slider's span and the graph at a chosen time) and, in simulation, ``/karma/sim/ground_truth``
(belief beside truth, differences marked; evaluation data, shown only here). The page polls
``/api/state`` every second, so it updates live. Nothing it shows is written back.

Run::

    python -m karma_inspector.inspector_node --ros-args -p port:=8765
    # then open http://127.0.0.1:8765/
"""
from __future__ import annotations

import json
import threading
import time

from karma_interfaces.msg import PlanRecord, SceneGraph
from karma_interfaces.srv import GetGroundTruth, QueryHistory, QueryShortTerm
from rclpy.node import Node

from karma_inspector.server import InspectorServer
from karma_inspector.view import graph_view, ground_truth_diff, plan_view, short_term_view
from karma_memory_ros.conversions import to_sec, to_time
from karma_ros_common.node_main import run_node
from karma_ros_common.params import Param, declare_and_validate
from karma_ros_common.qos import LATCHED, RELIABLE_EVENTS

SCHEMA = {
    'port': Param(8765, 'TCP port of the page on 127.0.0.1 (0: any free port, logged)',
                  min_value=0, max_value=65535),
    'refresh_period_s': Param(1.0, 'How often short-term memory, history span and ground truth '
                              'are polled', min_value=0.1, max_value=60.0),
    'ground_truth': Param(True, 'Show the simulator ground truth beside belief when '
                          '/karma/sim/ground_truth is served'),
    'service_timeout_s': Param(5.0, 'Longest wait for a memory service answer', min_value=0.1),
}


def graph_dicts(msg) -> list[dict]:
    """SceneGraph message -> node dicts for :func:`karma_inspector.view.graph_view`."""
    return [{'id': n.id, 'layer': n.layer, 'type': n.type,
             'position': [n.position.x, n.position.y, n.position.z],
             'size': [n.size.x, n.size.y, n.size.z],
             'attributes': {kv.key: kv.value for kv in n.attributes}} for n in msg.nodes]


class InspectorNode(Node):
    def __init__(self, **kwargs):
        super().__init__('inspector_node', **kwargs)
        self.cfg = cfg = declare_and_validate(self, SCHEMA)
        self._lock = threading.Lock()
        self._view = {'regions': [], 'things': []}
        self._plan = None
        self._stm: list[dict] = []
        self._truth: list[dict] | None = None
        self._span = [0.0, 0.0]
        self._pending: set[str] = set()
        self.create_subscription(SceneGraph, '/karma/scene_graph', self.on_graph, LATCHED)
        self.create_subscription(PlanRecord, '/karma/plan/log', self.on_plan, RELIABLE_EVENTS)
        self.stm_cli = self.create_client(QueryShortTerm, '/karma/stm/query')
        self.history_cli = self.create_client(QueryHistory, '/karma/query_history')
        self.truth_cli = self.create_client(GetGroundTruth, '/karma/sim/ground_truth')
        self.create_timer(cfg['refresh_period_s'], self.poll)
        self.server = InspectorServer(cfg['port'], self.state, self.graph_at)
        self.server.start()
        self.get_logger().info(f'inspector at {self.server.url}')

    # ------------------------------------------------------------------ inputs
    def on_graph(self, msg: SceneGraph) -> None:
        view = graph_view(graph_dicts(msg))
        with self._lock:
            self._view = view

    def on_plan(self, msg: PlanRecord) -> None:
        rec = {'instruction': msg.instruction, 'prompt': msg.prompt, 'memory_ids': list(msg.memory_ids),
               'steps': [{'skill': s.skill, 'args': list(s.args)} for s in msg.steps],
               'success': msg.success, 'message': msg.message, 'backend': msg.backend,
               'stamp': to_sec(msg.header.stamp)}
        with self._lock:
            self._plan = plan_view(rec)

    def poll(self) -> None:
        """One round of service polls; an answer lands whenever it comes (never blocks)."""
        self._ask('stm', self.stm_cli, QueryShortTerm.Request(max_results=50), self._on_stm)
        self._ask('span', self.history_cli, QueryHistory.Request(query=QueryHistory.Request.QUERY_LAST_SEEN),
                  self._on_span)
        if self.cfg['ground_truth']:
            self._ask('truth', self.truth_cli, GetGroundTruth.Request(), self._on_truth)

    def _ask(self, key, client, request, handle) -> None:
        if key in self._pending or not client.service_is_ready():
            return
        self._pending.add(key)

        def done(fut):
            self._pending.discard(key)
            try:
                handle(fut.result())
            except Exception as e:  # noqa: BLE001 - a bad answer leaves the old state shown
                self.get_logger().warning(f'{key} poll failed: {type(e).__name__}: {e}')
        client.call_async(request).add_done_callback(done)

    def _on_stm(self, r) -> None:
        entries = [{'object_id': e.object_id, 'object_type': e.object_type,
                    'states': {kv.key: kv.value for kv in e.states}, 'receptacle_id': e.receptacle_id,
                    'source': e.source, 'stamp': to_sec(e.stamp), 'hit_count': e.hit_count}
                   for e in r.entries]
        with self._lock:
            self._stm = short_term_view(entries)

    def _on_span(self, r) -> None:
        with self._lock:
            self._span = [to_sec(r.history_start), to_sec(r.history_end)]

    def _on_truth(self, r) -> None:
        if not r.success:
            return
        objects = json.loads(r.json).get('objects') or []
        with self._lock:
            self._truth = [o for o in objects if isinstance(o, dict)]

    # ------------------------------------------------------------------ page API (HTTP threads)
    def state(self) -> dict:
        with self._lock:
            view, truth = self._view, self._truth
            diffs = ground_truth_diff(view['things'], truth) if truth is not None else []
            return {'view': view, 'plan': self._plan, 'short_term': self._stm, 'history': self._span,
                    'ground_truth': truth is not None, 'diffs': diffs, 'now': time.time()}

    def graph_at(self, t: float) -> dict:
        if not self.history_cli.service_is_ready():
            return {'error': 'the long-term memory (/karma/query_history) is not available'}
        done = threading.Event()
        fut = self.history_cli.call_async(QueryHistory.Request(
            query=QueryHistory.Request.QUERY_GRAPH_AT, t=to_time(t)))
        fut.add_done_callback(lambda _f: done.set())
        if not done.wait(self.cfg['service_timeout_s']):
            return {'error': 'no answer from the long-term memory in time'}
        r = fut.result()
        if not r.success:
            return {'error': r.message}
        return {'t': t, 'view': graph_view(graph_dicts(r.graph))}

    def destroy_node(self):
        self.server.stop()
        return super().destroy_node()


def main(argv=None) -> int:
    return run_node(InspectorNode, 'inspector_node', argv)


if __name__ == '__main__':
    raise SystemExit(main())
