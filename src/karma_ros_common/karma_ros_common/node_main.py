"""One ``main()`` for every KARMA-ROS node: init, build, (autostart,) spin, clean shutdown.

Nodes are managed lifecycle nodes (:mod:`karma_ros_common.lifecycle`). With the ``autostart``
parameter true (the default, a node run on its own) the node configures and activates itself;
one that cannot (an invalid parameter or parameter file, a store that cannot open, no
simulator) exits with code 2 and a one-line reason on stderr instead of a traceback. With
``autostart:=false`` it waits, unconfigured, for a lifecycle manager (``./karma up``). Ctrl-C / SIGTERM end the spin quietly,
and the node is destroyed (so stores are flushed and closed) once no callback runs any more: a
multi-threaded executor's worker threads are stopped and joined first (at most
:data:`JOIN_THREADS_S`), because destroying the node under a running callback closed the
SQLite store under a commit and the process died of SIGSEGV. Threads that do not finish in
time keep the node: the process exits without destroying it (everything committed is safe).

Example::

    def main(argv=None) -> int:
        return run_node(LtmNode, 'ltm_node', argv)
"""
from __future__ import annotations

import sys
import threading
from typing import Callable

import rclpy
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor

from karma_ros_common.lifecycle import bring_up

#: Longest the shutdown waits for a multi-threaded executor's running callbacks, s.
JOIN_THREADS_S = 10.0


def _autostart(node) -> str | None:
    """configure + activate a managed node whose ``autostart`` is true; the failure or None.

    With ``autostart:=false`` (``./karma up``, a lifecycle manager) the node waits
    unconfigured for ``change_state`` and a failed configure leaves it alive for a retry."""
    if not hasattr(node, 'trigger_configure') or not node.get_parameter('autostart').value:
        return None
    return bring_up(node) or None


def run_node(factory: Callable[[], object], name: str, argv=None, threads: int = 0) -> int:
    """Run the node ``factory()`` builds; ``threads > 0`` spins a MultiThreadedExecutor
    (nodes whose callbacks wait on other services or actions), else a single thread."""
    try:
        rclpy.init(args=argv if argv is not None else sys.argv)
    except Exception as e:   # unreadable params file, bad --ros-args: a restart cannot help
        print(f'{name}: cannot start: {type(e).__name__}: {e}', file=sys.stderr, flush=True)
        return 2
    try:
        node = factory()
    except (ValueError, RuntimeError) as e:
        print(f'{name}: cannot start: {e}', file=sys.stderr, flush=True)
        try:
            # Shutdown destroys the half-built node, whose destroy_node may need what
            # __init__ never reached; that must not turn "cannot start" into a crash.
            rclpy.try_shutdown()
        except Exception:
            pass
        return 2
    failure = _autostart(node)
    if failure is not None:
        print(f'{name}: cannot start: {failure}', file=sys.stderr, flush=True)
        try:
            node.destroy_node()
        finally:
            rclpy.try_shutdown()
        return 2
    executor = None
    try:
        if threads > 0:
            executor = MultiThreadedExecutor(num_threads=threads)
            executor.add_node(node)
            executor.spin()
        else:
            rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        if executor is None or stop_threads(executor, JOIN_THREADS_S):
            node.destroy_node()
        else:
            print(f'{name}: callbacks still running {JOIN_THREADS_S:g} s after shutdown; '
                  'exiting without destroying the node', file=sys.stderr, flush=True)
        rclpy.try_shutdown()
    return 0


def stop_threads(executor: MultiThreadedExecutor, timeout_s: float) -> bool:
    """Shut ``executor`` down and join its worker threads; False if they are still running
    a callback after ``timeout_s`` (rclpy's own shutdown waits for them without a bound)."""
    done = threading.Event()

    def join():
        try:
            executor.shutdown(timeout_sec=timeout_s, wait_for_threads=True)
        except Exception:  # noqa: BLE001 - a context already shut down: the threads still joined
            pass
        done.set()
    threading.Thread(target=join, name='executor-shutdown', daemon=True).start()
    return done.wait(timeout_s)
