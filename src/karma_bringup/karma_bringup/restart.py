"""When ``./karma up`` starts a node again after it exited: exponential back-off, then give up.

Pure policy (no processes), so the supervisor's decisions are tested directly.

* exit code 0 after a stop request, or any exit while stopping: not restarted;
* exit code 2 is a node that cannot start (an invalid parameter: ``karma_ros_common.node_main``):
  reported once and not restarted, since a restart would fail the same way;
* anything else (a crash, kill -9): restarted after ``base_s * 2**k`` seconds (at most ``max_s``),
  where ``k`` counts the restarts since the node last ran ``stable_s`` seconds without exiting;
  after ``max_restarts`` such restarts the supervisor gives up on the node, with the reason.

>>> p = RestartPolicy(max_restarts=2, base_s=1.0)
>>> b = Backoff(p)
>>> [b.on_exit(-9, ran_s=0.1).delay_s for _ in range(2)], b.on_exit(-9, ran_s=0.1).restart
([1.0, 2.0], False)
"""
from __future__ import annotations

from dataclasses import dataclass

#: node_main's exit code for "cannot start" (bad parameter, missing dependency).
CANNOT_START = 2


@dataclass(frozen=True)
class RestartPolicy:
    max_restarts: int = 5
    base_s: float = 0.5
    max_s: float = 30.0
    stable_s: float = 60.0


@dataclass(frozen=True)
class Decision:
    restart: bool
    delay_s: float
    reason: str


def describe_exit(code: int) -> str:
    return f'killed by signal {-code}' if code < 0 else f'exited with code {code}'


class Backoff:
    """The restart history of one node."""

    def __init__(self, policy: RestartPolicy = RestartPolicy()):
        self.policy = policy
        self.restarts = 0

    def on_exit(self, code: int, ran_s: float) -> Decision:
        p = self.policy
        how = describe_exit(code)
        if code == CANNOT_START:
            return Decision(False, 0.0, f'{how}: it cannot start (configuration error; '
                                        'see its message above); not restarted')
        if ran_s >= p.stable_s:
            self.restarts = 0
        if self.restarts >= p.max_restarts:
            return Decision(False, 0.0, f'{how}; gave up after {self.restarts} restarts '
                                        f'(each within {p.stable_s:g} s of the last)')
        delay = min(p.max_s, p.base_s * 2 ** self.restarts)
        self.restarts += 1
        return Decision(True, delay, f'{how}; restart {self.restarts}/{p.max_restarts} '
                                     f'in {delay:g} s')
