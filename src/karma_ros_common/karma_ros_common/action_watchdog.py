"""Wait for an action goal's result without hanging when its server dies.

An rclpy client whose action server is killed (kill -9) waits for the result forever: the
result request went to the dead process. :func:`await_result` waits on the result and, every
``probe_period_s``, looks at the servers of the action (the publishers of its status topic):

* none left (DDS noticed the dead participant, after its lease) -> ``server_lost``;
* a new one appeared (a restart, often before the dead one's lease ran out): a fresh result
  request goes out; answered ``STATUS_UNKNOWN``, the new server does not know the goal ->
  ``server_restarted``;
* ``timeout_s`` passed -> ``timeout``.

Each outcome carries a reason for the user. The client's node must be spun by an executor in
another thread (as :class:`karma_bench.stack_client.StackClient` does).

Example::

    handle = wait(client.send_goal_async(goal))
    outcome = await_result(client, handle, timeout_s=900)
    if outcome.status != 'succeeded':
        print(outcome.reason)
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from action_msgs.msg import GoalStatus

_STATUS = {GoalStatus.STATUS_SUCCEEDED: 'succeeded', GoalStatus.STATUS_ABORTED: 'aborted',
           GoalStatus.STATUS_CANCELED: 'canceled'}


@dataclass
class Outcome:
    """``status``: succeeded, aborted, canceled, server_lost, server_restarted or timeout."""

    status: str
    result: object = None
    reason: str = ''


def _done_event(future) -> threading.Event:
    ev = threading.Event()
    future.add_done_callback(lambda _f: ev.set())
    return ev


def _outcome(res) -> Outcome:
    name = _STATUS.get(res.status, f'status_{res.status}')
    return Outcome(name, res.result, '' if name == 'succeeded' else f'goal ended: {name}')


def _servers(client) -> set[bytes]:
    node = client._node
    topic = node.resolve_topic_name(client._action_name + '/_action/status')
    return {bytes(i.endpoint_gid) for i in node.get_publishers_info_by_topic(topic)}


def await_result(client, goal_handle, timeout_s: float | None = None,
                 probe_period_s: float = 1.0) -> Outcome:
    """Block until the goal ends or its server is found gone; never longer than ``timeout_s``."""
    start = time.monotonic()
    deadline = None if timeout_s is None else start + timeout_s
    result_future = goal_handle.get_result_async()
    done = _done_event(result_future)
    known = _servers(client)
    probes = []     # (future, its event): answered by a server that does not know the goal
    while True:
        wait = probe_period_s if deadline is None else min(probe_period_s,
                                                           max(0.0, deadline - time.monotonic()))
        if done.wait(wait):
            return _outcome(result_future.result())
        for probe, answered in probes:
            if answered.is_set():
                res = probe.result()
                if res.status == GoalStatus.STATUS_UNKNOWN:
                    return Outcome('server_restarted', None, 'the action server was restarted '
                                   'and does not know the goal (its process died while the goal '
                                   'ran); the goal is lost: send it again')
                return _outcome(res)
        if deadline is not None and time.monotonic() >= deadline:
            return Outcome('timeout', None, f'no result in {timeout_s:g} s')
        now = _servers(client)
        if not now:
            return Outcome('server_lost', None, 'the action server left the ROS graph '
                           f'{time.monotonic() - start:.0f} s into the goal (it died); '
                           'the goal is lost')
        if now - known:
            probe = goal_handle.get_result_async()
            probes.append((probe, _done_event(probe)))
        known = now
