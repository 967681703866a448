"""BENCHMARK ONLY: where the goal oracle (the ``reference`` backend) gets a task's goals.

The product path never reads task goals. A benchmark serves ``karma/bench/oracle_goals``
(``karma_interfaces/OracleGoals``) for the task it runs; the planner node asks it only when
its backend is ``reference`` (the goal oracle, labelled so wherever it appears). Every other
backend gets no goals at all, whatever a request carries.

The ``goals`` fields of ``Plan.srv`` and ``ExecuteTask.action`` are a deprecated alias (one
release): the oracle falls back to them when no benchmark serves the channel, with a
deprecation warning (once).
"""
from __future__ import annotations

import threading

from karma_interfaces.srv import OracleGoals

ORACLE_SERVICE = 'karma/bench/oracle_goals'
MAX_GOALS = 64
MAX_GOAL_LEN = 512


class OracleGoalsChannel:
    """The planner's side of the benchmark-only channel (a client, made only for the oracle)."""

    def __init__(self, node, oracle: bool, timeout_s: float, callback_group=None):
        self.node = node
        self.oracle = oracle
        self.timeout_s = timeout_s
        self.client = (node.create_client(OracleGoals, ORACLE_SERVICE, callback_group=callback_group)
                       if oracle else None)
        self._warned: set[str] = set()

    def _warn_once(self, key: str, text: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.node.get_logger().warning(text)

    def goals_for(self, instruction: str, request_goals) -> list[str]:
        """The goals the planner may use for ``instruction``: none unless it is the oracle."""
        if not self.oracle:
            if request_goals:
                self._warn_once('ignored', 'Plan.goals ignored: only the reference backend (goal '
                                           'oracle) reads goals, and it reads them from '
                                           f'{ORACLE_SERVICE}')
            return []
        goals = self._ask(instruction)
        if goals is not None:
            return goals
        if request_goals:
            self._warn_once('alias', f'goal oracle: goals taken from the request (DEPRECATED alias; '
                                     f'serve {ORACLE_SERVICE} instead)')
        return [str(g)[:MAX_GOAL_LEN] for g in list(request_goals)[:MAX_GOALS]]

    def _ask(self, instruction: str) -> list[str] | None:
        if not self.client.service_is_ready():
            return None
        done = threading.Event()
        future = self.client.call_async(OracleGoals.Request(instruction=instruction[:2000]))
        future.add_done_callback(lambda _f: done.set())
        if not done.wait(self.timeout_s) or future.result() is None:
            future.cancel()
            self._warn_once('timeout', f'goal oracle: {ORACLE_SERVICE} did not answer in '
                                       f'{self.timeout_s:g} s')
            return None
        resp = future.result()
        if not resp.known:
            return None
        return [str(g)[:MAX_GOAL_LEN] for g in list(resp.goals)[:MAX_GOALS]]
