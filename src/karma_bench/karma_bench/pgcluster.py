"""A private PostgreSQL cluster in a temporary folder, for tests and ``./karma bench fleet``.

Uses the server binaries Debian installs (``/usr/lib/postgresql/<major>/bin``, put there by
``make setup``): ``initdb`` a data folder, ``pg_ctl start`` it on loopback (127.0.0.1, a free
port, its unix socket in the same temporary folder), trust authentication for the one role
``karma``, database ``karma``. ``initdb`` refuses to run as root, so under uid 0 (CI) the
server runs as the unprivileged user ``nobody`` and the folder is handed to it.

The cluster runs with ``fsync=off``: a committed transaction survives the server process being
killed (``kill -9``, what the tests do) but not an operating-system crash, the same guarantee
as the embedded SQLite store (WAL, ``synchronous=NORMAL``). A production server keeps fsync on.

Example::

    with PgCluster() as pg:
        store = PostgresStore(pg.url)
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SERVER_USER = "nobody"   # who runs initdb/postgres when we are root


def server_bin_dir() -> str:
    """The newest ``/usr/lib/postgresql/*/bin`` holding ``initdb``; raises when none is installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql "
                           "(run `make setup`, which installs Debian's postgresql package)")
    return os.path.dirname(found[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """One private server: :meth:`start`, :meth:`kill` (SIGKILL, like a crash), :meth:`stop`."""

    def __init__(self, base: str | None = None, port: int | None = None):
        self.bin = server_bin_dir()
        self.base = base or tempfile.mkdtemp(prefix="karma-pg-")
        os.makedirs(self.base, exist_ok=True)
        self.data = os.path.join(self.base, "data")
        self.log = os.path.join(self.base, "server.log")
        self.port = port or free_port()
        self.user = None
        if os.geteuid() == 0:
            self.user = SERVER_USER
            pw = pwd.getpwnam(SERVER_USER)
            os.chmod(self.base, 0o755)
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
        self.url = f"postgresql://karma@127.0.0.1:{self.port}/karma"
        self._initialised = os.path.exists(os.path.join(self.data, "PG_VERSION"))

    def _run(self, *argv: str, timeout: float = 120) -> None:
        kw = {"user": self.user} if self.user else {}
        r = subprocess.run([os.path.join(self.bin, argv[0]), *argv[1:]], cwd=self.base,
                           capture_output=True, text=True, timeout=timeout, **kw)
        if r.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({r.returncode}): {r.stderr[-2000:]}\n"
                               f"{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            with open(self.log) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def start(self) -> "PgCluster":
        if not self._initialised:
            self._run("initdb", "-D", self.data, "-U", "karma", "--auth=trust", "-E", "UTF8",
                      "--no-sync", "--no-instructions")
            self._initialised = True
            fresh = True
        else:
            fresh = False
        opts = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c full_page_writes=off -c max_connections=50")
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "-t", "60", "start")
        if fresh:
            import psycopg
            with psycopg.connect(f"postgresql://karma@127.0.0.1:{self.port}/postgres",
                                 autocommit=True) as c:
                c.execute("CREATE DATABASE karma")
        return self

    def pid(self) -> int | None:
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline().strip())
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        """SIGKILL the server and every process it started (a crash, not a shutdown)."""
        pid = self.pid()
        if pid is None:
            return
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    children.append(int(stat.split("/")[2]))
            except (OSError, ValueError, IndexError):
                continue
        for p in [pid, *children]:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        for p in [pid, *children]:
            while time.monotonic() < deadline:
                try:
                    os.kill(p, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)   # waiting for the kernel to reap a killed process

    def stop(self) -> None:
        if self.pid() is not None:
            try:
                self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", timeout=60)
            except (RuntimeError, subprocess.TimeoutExpired):
                self.kill()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> "PgCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.destroy()
