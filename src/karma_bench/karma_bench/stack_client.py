"""A client of a running KARMA stack, for the task benchmark and the demo (uses rclpy).

It talks to the stack only through karma_interfaces: resets the simulator and the
memories, sends ExecuteTask goals, and reads the simulator's ground truth for the goal
checker (evaluation only: the checker never reads the agent's memory).
"""
from __future__ import annotations

import json
import queue
import threading
import time
from typing import Callable

import rclpy
from rclpy.action import ActionClient
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node

from karma_ros_common.action_watchdog import await_result
from karma_ros_common.qos import RELIABLE_EVENTS

from std_msgs.msg import String

from karma_interfaces.action import ExecuteTask
from karma_interfaces.msg import PlanRecord
from karma_interfaces.srv import (ApplyWorldChange, GetGroundTruth, OracleGoals, QuerySceneGraph,
                                  QueryShortTerm, ResetMemory, ResetSimulation)


GROUND_TRUTH_EVENTS = '/karma/sim/ground_truth_events'
#: BENCHMARK ONLY: the goal oracle's channel (karma_interfaces/OracleGoals), served here.
ORACLE_GOALS = '/karma/bench/oracle_goals'


#: After cancelling a task that ran out of time, how long to wait for the executor to stop:
#: it checks between steps, so one plan call (its ``plan_timeout_s``, 240 s) and a skill.
CANCEL_WAIT_S = 300.0


def _drain(q: queue.Queue) -> list:
    """Everything queued so far, oldest first (the executor thread keeps adding)."""
    out = []
    while not q.empty():
        out.append(q.get())
    return out


class StackClient:
    """Synchronous calls into the stack; an executor spins in a background thread."""

    def __init__(self, name: str = 'karma_bench_client'):
        if not rclpy.ok():
            rclpy.init()
        self.node = Node(name)
        self.reset_sim = self.node.create_client(ResetSimulation, '/karma/sim/reset')
        self.ground_truth_srv = self.node.create_client(GetGroundTruth, '/karma/sim/ground_truth')
        self.reset_ltm = self.node.create_client(ResetMemory, '/karma/reset_memory')
        self.reset_stm = self.node.create_client(ResetMemory, '/karma/stm/reset')
        self.reset_planner = self.node.create_client(ResetMemory, '/karma/planner/reset')
        self.query_stm = self.node.create_client(QueryShortTerm, '/karma/stm/query')
        self.query_graph = self.node.create_client(QuerySceneGraph, '/karma/query_scene_graph')
        # EVALUATION ONLY: a task's `before`, changes behind the robot's back.
        self.world_change = self.node.create_client(ApplyWorldChange, '/karma/sim/apply_world_change')
        self.task = ActionClient(self.node, ExecuteTask, '/karma/execute_task')
        # BENCHMARK ONLY: the running task's goals, for the reference planner (goal oracle)
        # alone; they never travel in the ExecuteTask goal (the product API).
        self._oracle_task: tuple[str, list[str]] = ('', [])
        self.node.create_service(OracleGoals, ORACLE_GOALS, self._on_oracle_goals)
        # Evaluation stream: the bridge's ground truth after every skill (never the memory).
        self._gt_events: queue.Queue = queue.Queue()
        self.node.create_subscription(String, GROUND_TRUTH_EVENTS, self._on_gt_event,
                                      RELIABLE_EVENTS)
        # Measurement: every answered plan call's timing, from the planner's log.
        self._plan_records: queue.Queue = queue.Queue()
        self.node.create_subscription(PlanRecord, '/karma/plan/log', self._plan_records.put,
                                      RELIABLE_EVENTS)
        self._executor = MultiThreadedExecutor(num_threads=2)
        self._executor.add_node(self.node)
        self._thread = threading.Thread(target=self._executor.spin, daemon=True)
        self._thread.start()

    def _on_oracle_goals(self, req, resp):
        instruction, goals = self._oracle_task
        resp.known = bool(instruction) and req.instruction == instruction[:2000]
        resp.goals = list(goals) if resp.known else []
        return resp

    def close(self) -> None:
        self._executor.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown()

    @staticmethod
    def _wait(future, timeout_s: float):
        done = threading.Event()
        future.add_done_callback(lambda _f: done.set())
        if not done.wait(timeout_s):
            raise TimeoutError('no answer from the stack')
        return future.result()

    def wait_ready(self, timeout_s: float = 120.0, need_stm: bool = True,
                   check_alive: Callable[[], None] | None = None, oracle: bool = False) -> None:
        """Block until every service and action the benchmark uses is up; ``check_alive``
        raises when a node process died (so a crash is reported at once, not as a time-out).
        ``oracle``: also until the goal oracle's client has matched the benchmark's goal channel
        (else the first task could be planned before the planner sees the channel)."""
        deadline = time.monotonic() + timeout_s
        clients = [self.reset_sim, self.ground_truth_srv, self.reset_ltm, self.reset_planner,
                   self.world_change, self.query_graph]
        if need_stm:
            clients += [self.reset_stm, self.query_stm]
        waits = [(c.srv_name, c.wait_for_service) for c in clients]
        waits.append(('/karma/execute_task', self.task.wait_for_server))
        if oracle:
            waits.append((ORACLE_GOALS, self._oracle_client_matched))
        for name, wait in waits:
            while not wait(timeout_sec=1.0):
                if check_alive:
                    check_alive()
                if time.monotonic() > deadline:
                    raise TimeoutError(f'{name} did not come up')

    def _oracle_client_matched(self, timeout_sec: float) -> bool:
        deadline = time.monotonic() + timeout_sec
        while self.node.count_clients(ORACLE_GOALS) < 1:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)   # the executor thread does the discovery; this only polls its count
        return True

    def _on_gt_event(self, msg: String) -> None:
        try:
            self._gt_events.put(json.loads(msg.data))
        except ValueError:
            pass

    def drain_plan_records(self) -> list:
        """PlanRecords (karma/plan/log) received since the last call, oldest first."""
        return _drain(self._plan_records)

    def drain_ground_truth_events(self) -> list[dict]:
        """Ground-truth snapshots the bridge published since the last call, oldest first."""
        return _drain(self._gt_events)

    def call(self, client, request, timeout_s: float = 60.0):
        return self._wait(client.call_async(request), timeout_s)

    def reset_episode(self, scene: str, seed: int, reset_stm: bool = True) -> None:
        """New scene in the simulator; memories start empty (the format's default).

        Memories (and the planner's own perception history) are reset before the simulator,
        whose reset publishes the new scene's first perception frame.
        """
        # Frames of the old scene may still be queued at the memories: they drop what is
        # stamped before now (the new scene's first frame comes with the simulator reset).
        before = self.node.get_clock().now().to_msg()
        for client in [self.reset_ltm, self.reset_planner] + ([self.reset_stm] if reset_stm else []):
            self.call(client, ResetMemory.Request(ignore_before=before))
        resp = self.call(self.reset_sim, ResetSimulation.Request(scene=scene, seed=seed))
        if not resp.success:
            raise RuntimeError(f'simulator reset to {scene} failed: {resp.message}')
        self.wait_for_regions()

    def wait_for_regions(self, timeout_s: float = 20.0) -> bool:
        """Wait until the long-term memory holds the new scene's regions (built from the
        navigable map the reset publishes): a first plan made before that has no region to
        explore and fails whenever the start view shows none of the goal objects."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            resp = self.call(self.query_graph, QuerySceneGraph.Request(), timeout_s=5.0)
            if resp is not None and any(n.layer == 'region' for n in resp.graph.nodes):
                return True
        return False

    def ground_truth(self) -> dict:
        resp = self.call(self.ground_truth_srv, GetGroundTruth.Request())
        if not resp.success:
            raise RuntimeError('ground truth unavailable')
        return json.loads(resp.json)

    def scene_graph_text(self) -> str:
        """The long-term memory's compact text rendering of its whole graph."""
        if not self.query_graph.wait_for_service(timeout_sec=10.0):
            return '(the long-term memory did not answer)'
        resp = self.call(self.query_graph, QuerySceneGraph.Request(with_text=True))
        return resp.text or f'{len(resp.graph.nodes)} nodes, {len(resp.graph.edges)} edges'

    def apply_world_change(self, changes: list[dict]) -> tuple[bool, str, list[dict]]:
        """Apply a task's ``before`` in the simulator: (all applied, why not, records)."""
        resp = self.call(self.world_change,
                         ApplyWorldChange.Request(changes_json=json.dumps(changes)))
        try:
            applied = json.loads(resp.applied_json or '[]')
        except ValueError:
            applied = []
        return bool(resp.success), str(resp.message), applied

    def memory_objects(self) -> list[dict]:
        """The long-term memory's objects and receptacles (EVALUATION: for judging them):
        ``id``, ``layer``, ``type``, ``position``, ``confidence``, ``stale``, ``parent``."""
        resp = self.call(self.query_graph, QuerySceneGraph.Request())
        if not resp.success:
            raise RuntimeError(f'scene graph query failed: {resp.message}')
        parents = {e.source: e.target for e in resp.graph.edges if e.relation in ('in', 'on')}
        out = []
        for n in resp.graph.nodes:
            if n.layer not in ('object', 'receptacle'):
                continue
            attrs = {kv.key: kv.value for kv in n.attributes}
            try:
                conf = float(attrs.get('confidence', 1.0))
            except ValueError:
                conf = 1.0
            out.append({'id': n.id, 'layer': n.layer, 'type': n.type,
                        'position': (n.position.x, n.position.y, n.position.z),
                        'confidence': conf, 'stale': attrs.get('stale') == 'true',
                        'parent': attrs.get('parent') or parents.get(n.id, '')})
        return out

    def stm_stats(self) -> dict:
        resp = self.call(self.query_stm, QueryShortTerm.Request(query='', max_results=1))
        return {'policy': resp.policy, 'hits': resp.hits, 'misses': resp.misses,
                'hit_rate': float(resp.hit_rate)}

    def execute_task(self, instruction: str, goals: list[str], max_steps: int = 0,
                     on_feedback: Callable | None = None, timeout_s: float = 900.0):
        """Send one ExecuteTask goal and wait for its result (None on rejection)."""
        self._oracle_task = (instruction, list(goals))   # for the goal oracle's channel only
        goal = ExecuteTask.Goal(instruction=instruction, max_steps=max_steps)
        handle = self._wait(self.task.send_goal_async(
            goal, feedback_callback=(lambda fb: on_feedback(fb.feedback)) if on_feedback else None),
            30.0)
        if not handle.accepted:
            return None
        # The watchdog ends a goal whose executor died (killed, restarted) instead of hanging.
        outcome = await_result(self.task, handle, timeout_s)
        if outcome.status == 'timeout':
            # A task over its time is a failed task, not a failed benchmark: cancel it (the
            # executor stops before its next step, at worst after one plan call) and go on.
            self._wait(handle.cancel_goal_async(), 30.0)
            outcome = await_result(self.task, handle, CANCEL_WAIT_S)
            if outcome.status == 'timeout':
                raise TimeoutError(f'no answer from the stack {timeout_s:g} s into a task, nor '
                                   f'{CANCEL_WAIT_S:g} s after cancelling it')
            res = outcome.result or ExecuteTask.Result(success=False)
            res.success = False
            res.message = f'timeout: no result in {timeout_s:g} s, goal cancelled; {res.message}'[:1000]
            return res
        if outcome.result is None:
            return ExecuteTask.Result(success=False, message=f'{outcome.status}: {outcome.reason}')
        return outcome.result
