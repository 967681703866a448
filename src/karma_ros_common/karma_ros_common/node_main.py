"""One ``main()`` for every KARMA-ROS node: init, build, (autostart,) spin, clean shutdown.

Nodes are managed lifecycle nodes (:mod:`karma_ros_common.lifecycle`). With the ``autostart``
parameter true (the default, a node run on its own) the node configures and activates itself;
one that cannot (an invalid parameter or parameter file, a store that cannot open, no
simulator) exits with code 2 and a one-line reason on stderr instead of a traceback. With
``autostart:=false`` it waits, unconfigured, for a lifecycle manager (``./karma up``). Ctrl-C / SIGTERM end the spin quietly,
and the node is always destroyed (so stores are flushed and closed).

Example::

    def main(argv=None) -> int:
        return run_node(LtmNode, 'ltm_node', argv)
"""
from __future__ import annotations

import sys
from typing import Callable

import rclpy
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor

from karma_ros_common.lifecycle import bring_up


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
        node.destroy_node()
        rclpy.try_shutdown()
    return 0
