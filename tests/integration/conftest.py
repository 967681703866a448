"""Process fixtures for integration tests: nodes run in their own processes over DDS on loopback.

Fixtures
--------
``ros_env`` (module scope) -> ``dict``
    A copy of ``os.environ`` with ``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST`` and a
    ``ROS_DOMAIN_ID`` unique to the test module (override with ``KARMA_TEST_DOMAIN_ID``).
    The same two variables are also set in this process, so an rclpy node created here
    talks to the spawned ones. ``src/*`` package folders are put on ``PYTHONPATH`` so tests
    also run before ``make setup`` has built the workspace.
``ros_node`` (module scope) -> :class:`TestNode`
    An initialised rclpy node in the test process with ``spin_until(predicate, timeout)``
    and ``call(client, request, timeout)`` helpers (wait on events, never fixed sleeps).
``spawn_node`` (function scope) -> ``spawn(module, params_file=None, overrides=None, args=()) -> Popen``
    Starts ``python -m <module> --ros-args --params-file <file> -p k:=v ...`` with ``ros_env``;
    output goes to ``<tmp>/<module>.<n>.log`` (``proc.log_path``). Every process started through
    it is stopped at teardown (SIGINT, then SIGKILL after 5 s).
``spawn_python`` (function scope) -> ``spawn(code, *args) -> Popen``
    Same, for a helper process running ``python -c <code> <args>`` (a publisher, a client).

Example::

    def test_find(ros_node, spawn_node, tmp_path):
        node = spawn_node("karma_memory_ros.ltm_node", "config/ltm.yaml", {"store_dir": str(tmp_path)})
        cli = ros_node.create_client(FindObject, "/karma/find_object")
        assert cli.wait_for_service(timeout_sec=20)
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VALID_DOMAINS = [d for d in range(1, 102) if d != 42]   # 42: the stack's default domain


def _domain_for(module_name: str) -> int:
    forced = os.environ.get("KARMA_TEST_DOMAIN_ID")
    if forced:
        return int(forced)
    key = zlib.crc32(f"{os.getpid()}:{module_name}".encode())
    return VALID_DOMAINS[key % len(VALID_DOMAINS)]


@pytest.fixture(scope="module")
def ros_env(request) -> dict:
    domain = str(_domain_for(request.module.__name__))
    os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
    os.environ["ROS_DOMAIN_ID"] = domain
    env = dict(os.environ)
    src = [str(p) for p in sorted((ROOT / "src").glob("*")) if (p / p.name).is_dir()]
    env["PYTHONPATH"] = os.pathsep.join(src + [env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class _Spawner:
    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir, self.procs, self.n = env, log_dir, [], 0

    def start(self, argv: list[str], tag: str) -> subprocess.Popen:
        self.n += 1
        log_path = self.log_dir / f"{tag}.{self.n}.log"
        log = open(log_path, "w")
        p = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
        p.log_path = log_path
        p._log = log
        self.procs.append(p)
        return p

    def stop_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 5
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            p._log.close()


@pytest.fixture
def spawn_node(ros_env, tmp_path):
    sp = _Spawner(ros_env, tmp_path)

    def spawn(module: str, params_file: str | None = None, overrides: dict | None = None,
              args: tuple = ()) -> subprocess.Popen:
        argv = [sys.executable, "-m", module, *args, "--ros-args"]
        if params_file:
            argv += ["--params-file", str(ROOT / params_file)]
        for k, v in (overrides or {}).items():
            argv += ["-p", f"{k}:={v}"]
        return sp.start(argv, module.rsplit(".", 1)[-1])

    yield spawn
    sp.stop_all()


@pytest.fixture
def spawn_python(ros_env, tmp_path):
    sp = _Spawner(ros_env, tmp_path)

    def spawn(code: str, *args: str) -> subprocess.Popen:
        return sp.start([sys.executable, "-c", code, *map(str, args)], "helper")

    yield spawn
    sp.stop_all()


class TestNode:
    """Wraps an rclpy node of the test process with event-waiting helpers."""

    __test__ = False   # not a test class

    def __init__(self, node):
        self.node = node

    def __getattr__(self, name):
        return getattr(self.node, name)

    def spin_until(self, predicate, timeout: float = 10.0) -> bool:
        import rclpy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            rclpy.spin_once(self.node, timeout_sec=0.05)
        return bool(predicate())

    def call(self, client, request, timeout: float = 10.0):
        import rclpy
        fut = client.call_async(request)
        rclpy.spin_until_future_complete(self.node, fut, timeout_sec=timeout)
        if not fut.done():
            raise TimeoutError(f"no answer from {client.srv_name} within {timeout} s")
        return fut.result()

    def publish_until_found(self, pub, make_msg, find_client, query: str, tries: int = 60) -> list:
        """Publish ``make_msg()`` until FindObject answers ``query`` (best-effort frames may be
        lost, and a new object needs its sightings); the objects found, [] after ``tries``."""
        from karma_interfaces.srv import FindObject
        for _ in range(tries):
            pub.publish(make_msg())
            self.spin_until(lambda: False, 0.2)
            found = self.call(find_client, FindObject.Request(query=query, max_results=1)).objects
            if found:
                return list(found)
        return []


@pytest.fixture(scope="module")
def ros_node(ros_env, request):
    import rclpy
    from rclpy.node import Node
    ctx_ok = rclpy.ok()
    if not ctx_ok:
        rclpy.init()
    name = "test_" + request.module.__name__.rsplit(".", 1)[-1].replace("-", "_")
    node = Node(name)
    yield TestNode(node)
    node.destroy_node()
    if not ctx_ok:
        rclpy.try_shutdown()
