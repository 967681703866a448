"""One ``main()`` for every KARMA-ROS node: init, build, spin, clean shutdown.

A node that cannot start (an invalid parameter or parameter file, no simulator) exits with code 2 and a
one-line reason on stderr instead of a traceback. Ctrl-C / SIGTERM end the spin quietly,
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
