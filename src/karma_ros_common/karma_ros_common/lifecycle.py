"""Managed (lifecycle) nodes for KARMA-ROS: one small base class, the same for every node.

Every KARMA-ROS node is a ``rclpy.lifecycle.LifecycleNode`` (REP/design "managed nodes", the
states and transitions of ``lifecycle_msgs``), driven over ``<node>/change_state`` and
``<node>/get_state`` by ``./karma up`` (a lifecycle manager, :mod:`karma_bringup.lifecycle_manager`)
or by the node itself when its ``autostart`` parameter is true (the default for a node run
on its own, like Navigation2's ``lifecycle_manager`` autostart).

A node subclasses :class:`ManagedNode` and writes what it used to write in its constructor
in :meth:`ManagedNode.configure`; the base class makes the ROS entities follow the state:

============  ===============================================================================
configure     :meth:`configure` runs: parameters are declared and validated, the store is
              opened, the model loaded, the simulator connected; publishers, subscriptions,
              services, timers, clients and action servers are created. It raising
              ``ValueError``/``RuntimeError``/``OSError`` (any exception) fails the transition:
              everything it created is destroyed again (:meth:`release` included), the node
              stays *unconfigured*, the reason is logged, kept in :attr:`configure_failure`
              and reported on ``/diagnostics`` (ERROR) until a configure succeeds.
activate      publishers are enabled (lifecycle publishers), subscriptions are created (so
              latched topics are delivered now), timers tick, services answer and action
              servers accept goals; then :meth:`activate` runs (e.g. publish a first frame).
deactivate    :meth:`deactivate` runs; subscriptions are destroyed, publishers muted, timers
              idle; services answer with ``success = False`` and the reason ("inactive")
              where the response has those fields, action servers reject new goals (logged).
cleanup       everything :meth:`configure` created is destroyed and :meth:`release` runs
              (close the store, disconnect the simulator); a new configure starts afresh.
shutdown      :meth:`release` (flush and close), from any state; also on ``destroy_node``.
============  ===============================================================================

With a multi-threaded executor, services in a concurrent callback group (the long-term
memory's queries) run beside the transitions, which run in the default group. A transition
that destroys entities (cleanup, shutdown, a failed configure) first waits, at most
:attr:`ManagedNode.DRAIN_S`, until no such request is being answered, and a response whose
service was destroyed meanwhile is dropped (the client sees a server that went away) instead
of raising ``InvalidHandle`` out of the executor, which ended the process.

Example::

    class LtmNode(ManagedNode):
        def __init__(self, **kwargs):
            super().__init__('ltm_node', **kwargs)

        def configure(self):
            self.cfg = declare_and_validate(self, SCHEMA)
            self.store = MemoryStore(...)
            self.create_service(FindObject, 'karma/find_object', self.on_find)

        def release(self):
            self.store.close()
"""
from __future__ import annotations

import abc
import functools
import threading
import time
from typing import Callable

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import ParameterDescriptor
from rclpy._rclpy_pybind11 import InvalidHandle
from rclpy.action import ActionServer, GoalResponse
from rclpy.lifecycle import LifecycleNode, TransitionCallbackReturn
from rclpy.node import Node

from karma_ros_common.diagnostics import DIAGNOSTICS_TOPIC, RejectionCounter

SUCCESS = TransitionCallbackReturn.SUCCESS
FAILURE = TransitionCallbackReturn.FAILURE


def _one_line(e: BaseException) -> str:
    text = str(e).strip().replace('\n', ' ')
    return text if isinstance(e, (ValueError, RuntimeError)) and text else \
        f'{type(e).__name__}: {text}'


class ManagedNode(LifecycleNode, metaclass=abc.ABCMeta):
    """A lifecycle node whose entities follow its state (see the module's table).

    Subclasses override :meth:`configure` (required), and :meth:`activate`,
    :meth:`deactivate`, :meth:`release` where they have something to do.
    """

    #: How long a request in a concurrent callback group waits for activation before it is
    #: refused (covers the moment between a manager's configure and activate), s.
    INACTIVE_WAIT_S = 2.0
    #: At most this many such requests wait at once; more are refused at once, so waiting
    #: requests never hold every executor thread (the activate transition needs one).
    MAX_INACTIVE_WAITERS = 2
    #: How long a transition that destroys entities waits for requests being answered in a
    #: concurrent callback group, s.
    DRAIN_S = 5.0

    def __init__(self, node_name: str, **kwargs):
        self._karma_ready = False     # rclpy's own entities (parameter services) stay plain
        super().__init__(node_name, **kwargs)
        self.declare_parameter('autostart', True, ParameterDescriptor(
            description='Configure and activate at start-up (true for a node run on its own); '
                        '`./karma up` sets false and drives the transitions as lifecycle '
                        'manager', read_only=True))
        #: The reason the last configure failed ('' once one succeeds).
        self.configure_failure = ''
        self._active = False
        # Requests of concurrent callback groups: being answered, waiting for activation;
        # _tearing ends such waits (see _drain).
        self._calls = threading.Condition()
        self._in_flight = 0
        self._waiting = 0
        self._tearing = False
        self._configured = False
        self._owned: dict[str, list] = {}          # entities made by configure()
        self._sub_specs: list[tuple[tuple, dict]] = []
        self._subs: list = []
        self._inactive_log: dict[str, float] = {}
        self._release_lock = threading.Lock()
        self._state_pub = Node.create_publisher(self, DiagnosticArray, DIAGNOSTICS_TOPIC, 10)
        self._state_timer = Node.create_timer(self, 1.0, self._publish_lifecycle_status)
        self._karma_ready = True

    # ------------------------------------------------------------------ for subclasses
    @abc.abstractmethod
    def configure(self) -> None:
        """Read parameters, open resources, create entities. Raise to fail with the reason."""

    def activate(self) -> None:
        """Called after the entities were enabled."""

    def deactivate(self) -> None:
        """Called before the entities are disabled."""

    def release(self) -> None:
        """Free what :meth:`configure` opened (store, model, simulator). Must tolerate being
        called after a configure that failed half-way, and twice."""

    @property
    def lifecycle_state(self) -> str:
        """The current state's label: unconfigured, inactive, active, finalized, ..."""
        return self._state_machine.current_state[1]

    @property
    def is_active(self) -> bool:
        return self._active

    def inactive_reason(self) -> str:
        return (f'{self.get_name()} is {self.lifecycle_state}, not active: '
                'activate it first (lifecycle change_state)')

    # ------------------------------------------------------------------ transitions
    def on_configure(self, state) -> TransitionCallbackReturn:
        with self._calls:
            self._tearing = False
        before = self._snapshot()
        params_before = set(self._parameters)
        callbacks_before = list(self._on_set_parameters_callbacks)
        try:
            self.configure()
        except Exception as e:  # noqa: BLE001 - any start-up failure is a reason, not a crash
            self.configure_failure = _one_line(e)
            self.get_logger().error(f'cannot configure: {self.configure_failure}')
            self._owned = self._created_since(before)
            self._destroy_owned()
            self._safe_release()
            for name in set(self._parameters) - params_before:   # a retry declares afresh
                self._forget_parameter(name)
            for cb in list(self._on_set_parameters_callbacks):
                if cb not in callbacks_before:
                    self.remove_on_set_parameters_callback(cb)
            self._params_added = set()
            self._publish_lifecycle_status()
            return FAILURE
        self._owned = self._created_since(before)
        self._params_added = set(self._parameters) - params_before
        self._callbacks_added = [cb for cb in self._on_set_parameters_callbacks
                                 if cb not in callbacks_before]
        self.configure_failure = ''
        self._configured = True
        self.get_logger().info('configured')
        return super().on_configure(state)

    def on_activate(self, state) -> TransitionCallbackReturn:
        ret = super().on_activate(state)      # enables the lifecycle publishers
        if ret != SUCCESS:
            return ret
        for args, kwargs in self._sub_specs:
            self._subs.append(Node.create_subscription(self, *args, **kwargs))
        with self._calls:
            self._active = True
            self._tearing = False
            self._calls.notify_all()
        try:
            self.activate()
        except Exception as e:  # noqa: BLE001
            self.get_logger().error(f'cannot activate: {_one_line(e)}')
            self._deactivate_entities()
            super().on_deactivate(state)
            return FAILURE
        self.get_logger().info('active')
        return SUCCESS

    def on_deactivate(self, state) -> TransitionCallbackReturn:
        try:
            self.deactivate()
        except Exception as e:  # noqa: BLE001 - deactivation goes on regardless
            self.get_logger().error(f'deactivate: {_one_line(e)}')
        self._deactivate_entities()
        self.get_logger().info('inactive')
        return super().on_deactivate(state)

    def on_cleanup(self, state) -> TransitionCallbackReturn:
        self._teardown()
        self.get_logger().info('cleaned up')
        return super().on_cleanup(state)

    def on_shutdown(self, state) -> TransitionCallbackReturn:
        self._teardown()
        return super().on_shutdown(state)

    def on_error(self, state) -> TransitionCallbackReturn:
        self._teardown()
        return SUCCESS          # back to unconfigured

    def destroy_node(self):
        self._teardown()
        return super().destroy_node()

    # ------------------------------------------------------------------ entity creation
    def create_publisher(self, msg_type, topic, qos_profile, **kwargs):
        """A lifecycle publisher (silent unless active) once the node is built."""
        if not self._karma_ready:
            return Node.create_publisher(self, msg_type, topic, qos_profile, **kwargs)
        return self.create_lifecycle_publisher(msg_type, topic, qos_profile, **kwargs)

    def create_unmanaged_publisher(self, msg_type, topic, qos_profile, **kwargs):
        """A publisher that works in every state (diagnostics)."""
        return Node.create_publisher(self, msg_type, topic, qos_profile, **kwargs)

    def create_subscription(self, msg_type, topic, callback, qos_profile, **kwargs):
        """Recorded now, subscribed while active (latched topics arrive on activation).

        Returns None: the subscription object exists only while the node is active."""
        if not self._karma_ready:
            return Node.create_subscription(self, msg_type, topic, callback, qos_profile, **kwargs)
        self._sub_specs.append(((msg_type, topic, callback, qos_profile), kwargs))
        if self._active:
            self._subs.append(Node.create_subscription(self, msg_type, topic, callback,
                                                       qos_profile, **kwargs))
        return None

    def create_timer(self, timer_period_sec, callback, *args, **kwargs):
        """A timer whose callback runs only while active."""
        if not self._karma_ready or callback is None:
            return Node.create_timer(self, timer_period_sec, callback, *args, **kwargs)

        @functools.wraps(callback)
        def gated(*a):
            if self._active:
                return callback(*a)
        return Node.create_timer(self, timer_period_sec, gated, *args, **kwargs)

    def create_unmanaged_timer(self, timer_period_sec, callback, *args, **kwargs):
        return Node.create_timer(self, timer_period_sec, callback, *args, **kwargs)

    def create_service(self, srv_type, srv_name, callback, **kwargs):
        """A service that answers "inactive" (``success = False``, the reason in ``message``
        where the response has those fields) unless the node is active."""
        if not self._karma_ready:
            return Node.create_service(self, srv_type, srv_name, callback, **kwargs)

        # A request in a concurrent callback group may arrive between configure and the
        # manager's activate (milliseconds): it waits for activation a moment before it is
        # refused. Default-group requests cannot wait (they would hold up the transition).
        may_wait = kwargs.get('callback_group') not in (None, self.default_callback_group)

        def answer(request, response):
            if self._active or (may_wait and self._wait_active()):
                return callback(request, response)
            reason = self.inactive_reason()
            self._log_inactive(srv_name, f'service {srv_name} refused: {reason}')
            if hasattr(response, 'success'):
                response.success = False
            for field in ('message', 'error'):
                if isinstance(getattr(response, field, None), str):
                    setattr(response, field, reason)
                    break
            return response

        if not may_wait:
            return Node.create_service(self, srv_type, srv_name, answer, **kwargs)

        # Concurrent group: counted from the request until its response is sent (the executor
        # sends it after the callback returns), so a transition can wait for it (_drain).
        def gated(request, response):
            with self._calls:
                self._in_flight += 1
            try:
                return answer(request, response)
            except BaseException:
                self._call_done()
                raise
        service = Node.create_service(self, srv_type, srv_name, gated, **kwargs)
        send = service.send_response

        def send_response(response, header):
            try:
                send(response, header)
            except InvalidHandle:   # destroyed by a transition after DRAIN_S: no answer
                self._log_inactive(srv_name, f'service {srv_name}: a response was dropped, '
                                   'the service was destroyed while it was being answered')
            finally:
                self._call_done()
        service.send_response = send_response
        return service

    def create_action_server(self, action_type, action_name: str, execute_callback: Callable,
                             goal_callback: Callable | None = None, **kwargs) -> ActionServer:
        """An action server that rejects goals (the reason logged) unless the node is active."""
        may_wait = kwargs.get('callback_group') not in (None, self.default_callback_group)

        def gated_goal(goal_request):
            if not self._active and may_wait:
                self._wait_active()   # as for services (see there)
            if not self._active:
                self._log_inactive(action_name,
                                   f'action {action_name}: goal rejected: {self.inactive_reason()}')
                return GoalResponse.REJECT
            return goal_callback(goal_request) if goal_callback else GoalResponse.ACCEPT
        return ActionServer(self, action_type, action_name, execute_callback,
                            goal_callback=gated_goal, **kwargs)

    # ------------------------------------------------------------------ internals
    def _wait_active(self) -> bool:
        """Wait (a concurrent group's request) until active, at most INACTIVE_WAIT_S, unless a
        transition tears the entities down or MAX_INACTIVE_WAITERS already wait."""
        with self._calls:
            if self._waiting >= self.MAX_INACTIVE_WAITERS:
                return self._active
            self._waiting += 1
            try:
                self._calls.wait_for(lambda: self._active or self._tearing, self.INACTIVE_WAIT_S)
            finally:
                self._waiting -= 1
            return self._active

    def _call_done(self) -> None:
        with self._calls:
            self._in_flight -= 1
            self._calls.notify_all()

    def _drain(self) -> None:
        """End activation waits and wait (at most DRAIN_S) for the concurrent groups'
        requests being answered, before their services are destroyed."""
        with self._calls:
            self._tearing = True
            self._calls.notify_all()
            if not self._calls.wait_for(lambda: self._in_flight <= 0, self.DRAIN_S):
                self.get_logger().warning(f'{self._in_flight} requests still being answered '
                                          f'{self.DRAIN_S:g} s into a transition; their answers '
                                          'are dropped')

    def _log_inactive(self, key: str, text: str) -> None:
        now = time.monotonic()
        if now - self._inactive_log.get(key, -1e9) >= 5.0:
            self._inactive_log[key] = now
            self.get_logger().warning(text)

    def _snapshot(self) -> dict[str, set]:
        return {'publishers': set(self._publishers), 'timers': set(self._timers),
                'services': set(self._services), 'clients': set(self._clients),
                'waitables': set(self.waitables)}

    def _created_since(self, before: dict[str, set]) -> dict[str, list]:
        now = self._snapshot()
        return {kind: [e for e in now[kind] if e not in before[kind]] for kind in now}

    def _deactivate_entities(self) -> None:
        with self._calls:
            self._active = False
        for sub in self._subs:
            self.destroy_subscription(sub)
        self._subs = []

    def _destroy_owned(self) -> None:
        self._deactivate_entities()
        self._drain()
        owned, self._owned, self._sub_specs = self._owned, {}, []
        for w in owned.get('waitables', []):
            try:
                w.destroy()
            except Exception:  # noqa: BLE001 - best effort while tearing down
                pass
        for p in owned.get('publishers', []):
            if p in self._managed_entities:
                self.destroy_lifecycle_publisher(p)
            else:
                self.destroy_publisher(p)
        for t in owned.get('timers', []):
            self.destroy_timer(t)
        for s in owned.get('services', []):
            self.destroy_service(s)
        for c in owned.get('clients', []):
            self.destroy_client(c)

    def _forget_parameter(self, name: str) -> None:
        """Undeclare ``name``, read-only or not: the next configure declares it afresh from
        the parameter file and overrides (rclpy refuses to undeclare read-only ones)."""
        self._parameters.pop(name, None)
        self._descriptors.pop(name, None)

    def _safe_release(self) -> None:
        try:
            self.release()
        except Exception as e:  # noqa: BLE001
            self.get_logger().error(f'release: {_one_line(e)}')

    def _teardown(self) -> None:
        """Deactivate, destroy what configure made, release; idempotent."""
        with self._release_lock:
            if not self._configured:
                return
            self._configured = False
            try:
                self._destroy_owned()
            except Exception as e:  # noqa: BLE001 - a context already shut down: still release
                self.get_logger().warning(f'tearing down entities: {_one_line(e)}')
            self._safe_release()    # flush and close, whatever happened above
            for name in getattr(self, '_params_added', ()):
                self._forget_parameter(name)
            for cb in getattr(self, '_callbacks_added', ()):
                self.remove_on_set_parameters_callback(cb)
            self._params_added, self._callbacks_added = set(), []

    def _publish_lifecycle_status(self) -> None:
        """The node's lifecycle health on /diagnostics, in every state: a failed configure is
        ERROR with its reason. A configured node with a RejectionCounter reports through it."""
        if self._configured and isinstance(getattr(self, 'rejections', None), RejectionCounter):
            return
        status = DiagnosticStatus(name=self.get_fully_qualified_name(), hardware_id='karma')
        state = self.lifecycle_state
        if self.configure_failure:
            status.level = DiagnosticStatus.ERROR
            status.message = f'unconfigured: cannot configure: {self.configure_failure}'[:500]
        elif not self._configured:
            status.level = DiagnosticStatus.WARN
            status.message = f'{state}: waiting for configure'
        else:
            status.level = DiagnosticStatus.OK
            status.message = state if state == 'active' else f'{state} (not serving)'
        status.values = [KeyValue(key='lifecycle.state', value=self.lifecycle_state)]
        msg = DiagnosticArray(status=[status])
        msg.header.stamp = self.get_clock().now().to_msg()
        try:
            self._state_pub.publish(msg)
        except Exception:  # noqa: BLE001 - context shutting down
            pass


def bring_up(node: ManagedNode) -> str:
    """configure then activate ``node`` in process (autostart); '' or the failure's reason."""
    if node.trigger_configure() != SUCCESS:
        return node.configure_failure or 'configure failed'
    if node.trigger_activate() != SUCCESS:
        return 'activate failed'
    return ''
