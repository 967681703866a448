"""Plan calls: first come, first served, bounded queue, bounded wait (real threads, events)."""
import threading

import pytest

from karma_planner_ros.plan_queue import Busy, PlanQueue


def test_calls_are_served_in_arrival_order_one_at_a_time():
    q = PlanQueue(max_waiting=4, max_wait_s=30)
    order, inside = [], []
    release = threading.Event()
    entered = threading.Event()

    def first():
        with q.turn():
            entered.set()
            release.wait(30)
            order.append('first')

    def call(name):
        with q.turn():
            inside.append(name)
            assert len(inside) == 1
            order.append(name)
            inside.remove(name)

    t0 = threading.Thread(target=first)
    t0.start()
    assert entered.wait(30)
    threads = []
    for name in ('a', 'b', 'c'):
        t = threading.Thread(target=call, args=(name,))
        t.start()
        threads.append(t)
        for _ in range(30000):              # each has queued before the next arrives (<= 30 s)
            if q.waiting() == len(threads):
                break
            threading.Event().wait(0.001)
        assert q.waiting() == len(threads)
    release.set()
    for t in [t0, *threads]:
        t.join(30)
    assert order == ['first', 'a', 'b', 'c']


def test_a_full_queue_answers_busy_at_once():
    q = PlanQueue(max_waiting=0, max_wait_s=30)
    with q.turn():
        with pytest.raises(Busy, match='1 call\\(s\\) ahead, at most 0 may wait'):
            with q.turn():
                pass
    with q.turn():   # free again
        pass


def test_a_wait_past_the_bound_is_busy_and_leaves_the_queue():
    q = PlanQueue(max_waiting=2, max_wait_s=0.05)
    with q.turn():
        with pytest.raises(Busy, match='no turn within 0.05 s'):
            with q.turn():
                pass
        assert q.waiting() == 0
