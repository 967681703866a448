"""Plan calls in arrival order, one at a time, with a bounded queue and a bounded wait.

A language model plans one request at a time; callers beyond that wait their turn in arrival
order. More than ``max_waiting`` waiting, or a turn not come within ``max_wait_s``, is an
immediate :class:`Busy` (the service answers "planner busy" instead of timing the caller out).

>>> q = PlanQueue(max_waiting=1, max_wait_s=0.01)
>>> with q.turn():
...     try:
...         with q.turn():
...             pass
...     except Busy as e:
...         print(e)
planner busy: no turn within 0.01 s (1 call(s) ahead)
"""
from __future__ import annotations

import threading
import time
from collections import deque
from contextlib import contextmanager


class Busy(Exception):
    """The call was not served: the queue was full or the wait too long."""


class PlanQueue:
    def __init__(self, max_waiting: int, max_wait_s: float):
        self.max_waiting = max_waiting
        self.max_wait_s = max_wait_s
        self._cv = threading.Condition()
        self._queue: deque = deque()
        self._active = False

    def waiting(self) -> int:
        with self._cv:
            return len(self._queue)

    @contextmanager
    def turn(self):
        token = object()
        with self._cv:
            ahead = len(self._queue) + int(self._active)
            if self._active and len(self._queue) >= self.max_waiting:
                raise Busy(f'planner busy: {ahead} call(s) ahead, at most {self.max_waiting} may wait')
            self._queue.append(token)
            deadline = time.monotonic() + self.max_wait_s
            while self._active or self._queue[0] is not token:
                left = deadline - time.monotonic()
                if left <= 0 or not self._cv.wait(left):
                    if not self._active and self._queue[0] is token:
                        break   # our turn came just as the wait ended
                    self._queue.remove(token)
                    self._cv.notify_all()
                    raise Busy(f'planner busy: no turn within {self.max_wait_s:g} s '
                               f'({ahead} call(s) ahead)')
            self._queue.popleft()
            self._active = True
        try:
            yield
        finally:
            with self._cv:
                self._active = False
                self._cv.notify_all()
