"""A lifecycle manager for the stack's managed nodes (as Navigation2's ``lifecycle_manager``).

It drives each node over its standard lifecycle services (``<node>/get_state``,
``<node>/change_state``, ``lifecycle_msgs``): bring-up is configure -> activate, node by node
in the stack's order (memory first, then planner, executor, bridge); shut-down is
deactivate -> cleanup in reverse order. It waits on the services' answers (futures), never
on fixed sleeps. A node that fails to configure stays unconfigured (its process alive, for a
retry); the manager reports it once, with the node's reason, read from the node's
``/diagnostics`` status (:mod:`karma_ros_common.lifecycle` reports it there).

The manager is its own small rclpy node in its own context, spun on a background thread, so
the supervisor (:mod:`karma_bringup.up`) stays free of ROS.

Example::

    mgr = LifecycleManager(namespace='/robot1')
    ok, why = mgr.bring_up('ltm_node')        # configure + activate
    mgr.shut_down(['executor_node', 'planner_node', 'stm_node', 'ltm_node'])
    mgr.close()
"""
from __future__ import annotations

import threading
import time

import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from lifecycle_msgs.msg import State, Transition
from lifecycle_msgs.srv import ChangeState, GetState
from rclpy.executors import SingleThreadedExecutor

from karma_ros_common.diagnostics import DIAGNOSTICS_TOPIC

#: (transition, the state it leads to) to go one step towards ``active`` from each state.
UP = {State.PRIMARY_STATE_UNCONFIGURED: (Transition.TRANSITION_CONFIGURE, 'configure'),
      State.PRIMARY_STATE_INACTIVE: (Transition.TRANSITION_ACTIVATE, 'activate')}
#: ... and towards ``unconfigured``.
DOWN = {State.PRIMARY_STATE_ACTIVE: (Transition.TRANSITION_DEACTIVATE, 'deactivate'),
        State.PRIMARY_STATE_INACTIVE: (Transition.TRANSITION_CLEANUP, 'cleanup')}


#: How long one get_state request may take before it is sent again (it answers at once).
GET_STATE_WAIT_S = 5.0


class LifecycleError(RuntimeError):
    pass


class LifecycleManager:
    """Calls the lifecycle services of nodes under ``namespace``; thread-safe per node.

    ``transition_timeout_s`` bounds one transition: a planner loading its models on a loaded
    machine has taken minutes, so the default is an hour (a hung node, not a slow one)."""

    def __init__(self, namespace: str = '', service_timeout_s: float = 60.0,
                 transition_timeout_s: float = 3600.0, name: str = 'karma_lifecycle_manager'):
        self.namespace = namespace.rstrip('/')
        self.service_timeout_s = service_timeout_s
        self.transition_timeout_s = transition_timeout_s
        self._context = rclpy.Context()
        rclpy.init(args=[], context=self._context)
        self.node = rclpy.create_node(name, namespace=self.namespace or '/', context=self._context)
        self._clients: dict[str, tuple] = {}
        self._status: dict[str, DiagnosticStatus] = {}
        self._status_event = threading.Condition()
        self.node.create_subscription(DiagnosticArray, DIAGNOSTICS_TOPIC, self._on_diagnostics, 50)
        self._executor = SingleThreadedExecutor(context=self._context)
        self._executor.add_node(self.node)
        self._spin = threading.Thread(target=self._spin_forever, daemon=True)
        self._spin.start()

    def _spin_forever(self) -> None:
        try:
            self._executor.spin()
        except Exception:  # noqa: BLE001 - the context was shut down
            pass

    def fqn(self, node_name: str) -> str:
        return f'{self.namespace}/{node_name}'

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        with self._status_event:
            for s in msg.status:
                self._status[s.name] = s
            self._status_event.notify_all()

    def _client(self, node_name: str):
        if node_name not in self._clients:
            base = self.fqn(node_name)
            self._clients[node_name] = (self.node.create_client(GetState, f'{base}/get_state'),
                                        self.node.create_client(ChangeState, f'{base}/change_state'))
        return self._clients[node_name]

    def _call(self, client, request, timeout_s: float):
        if not client.wait_for_service(timeout_sec=self.service_timeout_s):
            raise LifecycleError(f'{client.srv_name} is not served (after {self.service_timeout_s:g} s)')
        done = threading.Event()
        future = client.call_async(request)
        future.add_done_callback(lambda _f: done.set())
        if not done.wait(timeout_s):
            future.cancel()
            raise LifecycleError(f'{client.srv_name}: no answer in {timeout_s:g} s')
        if future.exception() is not None:
            raise LifecycleError(f'{client.srv_name}: {future.exception()}')
        return future.result()

    def forget(self, node_name: str) -> None:
        """Drop the node's clients (its process was restarted: new ones match the new server)."""
        for client in self._clients.pop(node_name, ()):
            self.node.destroy_client(client)

    def get_state(self, node_name: str) -> tuple[int, str]:
        """The node's state; asked again while unanswered (a request can go to a just-killed
        process that the graph still lists), until ``service_timeout_s``."""
        deadline = time.monotonic() + self.service_timeout_s
        while True:
            try:
                resp = self._call(self._client(node_name)[0], GetState.Request(), GET_STATE_WAIT_S)
                return resp.current_state.id, resp.current_state.label
            except LifecycleError:
                if time.monotonic() >= deadline:
                    raise

    def change_state(self, node_name: str, transition: int) -> bool:
        resp = self._call(self._client(node_name)[1],
                          ChangeState.Request(transition=Transition(id=transition)),
                          self.transition_timeout_s)
        return bool(resp.success)

    def failure_reason(self, node_name: str, timeout_s: float = 5.0) -> str:
        """The node's own reason for its failed configure, from its /diagnostics status."""
        name = self.fqn(node_name)
        deadline = time.monotonic() + timeout_s
        with self._status_event:
            while True:
                s = self._status.get(name)
                if s is not None and s.level == DiagnosticStatus.ERROR:
                    return s.message
                left = deadline - time.monotonic()
                if left <= 0:
                    return 'no reason reported (see the node\'s log)'
                self._status_event.wait(left)

    def bring_up(self, node_name: str) -> tuple[bool, str]:
        """configure (if unconfigured) then activate; (True, 'active') or (False, reason)."""
        self.forget(node_name)
        try:
            for _ in range(3):
                state, label = self.get_state(node_name)
                if state == State.PRIMARY_STATE_ACTIVE:
                    return True, 'active'
                if state not in UP:
                    return False, f'in state {label}'
                transition, verb = UP[state]
                with self._status_event:   # a fresh status is the reason of this failure
                    self._status.pop(self.fqn(node_name), None)
                if not self.change_state(node_name, transition):
                    why = self.failure_reason(node_name) if verb == 'configure' else 'see its log'
                    return False, f'{verb} failed: {why}'
            return False, 'did not become active'
        except LifecycleError as e:
            return False, str(e)

    def shut_down_one(self, node_name: str) -> str:
        """deactivate (if active) then cleanup; the final state's label or the error."""
        try:
            for _ in range(3):
                state, label = self.get_state(node_name)
                if state not in DOWN:
                    return label
                self.change_state(node_name, DOWN[state][0])
            return self.get_state(node_name)[1]
        except LifecycleError as e:
            return f'error: {e}'

    def shut_down(self, node_names: list[str]) -> dict[str, str]:
        """Bring ``node_names`` down in the given order (pass the reverse of the start order)."""
        return {n: self.shut_down_one(n) for n in node_names}

    def close(self) -> None:
        try:
            self._executor.shutdown(timeout_sec=1.0)
            self.node.destroy_node()
        finally:
            rclpy.try_shutdown(context=self._context)
