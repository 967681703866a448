"""Optional nodes started beside a running stack: the recorder per benchmark episode, the
inspector for the demo. Each runs as the stack's own node spec (``config/stack.yaml``) in its
own process, is ready when it says so in its log, and stops on SIGINT (the recording is then
complete on disk).

Example::

    rec = EpisodeRecorder("out/recordings", "karma")    # None or "": records nothing
    rec.start("kitchen-breakfast")                      # out/recordings/karma/kitchen-breakfast.mcap
    ...
    rec.stop()
"""
from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path


class NodeProcess:
    """One optional node of the stack in its own process, output in ``log_path``."""

    def __init__(self, key: str, params: dict[str, str], log_path: Path):
        from karma_bringup.stack import load_stack
        from karma_bringup.up import node_command
        self.spec = load_stack().nodes[key]
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        self._log = open(log_path, 'wb')
        self.proc = subprocess.Popen(node_command(self.spec, params), stdout=self._log,
                                     stderr=subprocess.STDOUT)

    def wait_log(self, pattern: str, timeout_s: float = 60.0) -> re.Match:
        """The first match of ``pattern`` in the node's log; raises if it exits or never says it."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            m = re.search(pattern, self.log_path.read_text(errors='replace'))
            if m:
                return m
            if self.proc.poll() is not None:
                raise RuntimeError(f'{self.spec.name} exited with code {self.proc.returncode}; '
                                   f'see {self.log_path}')
            time.sleep(0.1)
        raise RuntimeError(f'{self.spec.name} did not start within {timeout_s} s; see {self.log_path}')

    def stop(self, timeout_s: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


class EpisodeRecorder:
    """``--record DIR`` of the task benchmark: one MCAP file per episode, ``DIR/<mode>/<id>.mcap``."""

    def __init__(self, directory: str | None, mode: str):
        self.directory = Path(directory) / mode if directory else None
        self.paths: list[Path] = []
        self._node: NodeProcess | None = None

    def start(self, episode_id: str) -> None:
        if self.directory is None:
            return
        self.stop()
        safe = re.sub(r'[^A-Za-z0-9_.-]', '_', episode_id) or 'episode'
        path = (self.directory / f'{safe}.mcap').resolve()
        self._node = NodeProcess('recorder', {'path': str(path)}, self.directory / f'{safe}.recorder.log')
        self._node.wait_log(r'recording \d+ topics')
        self.paths.append(path)

    def stop(self) -> None:
        if self._node is not None:
            self._node.stop()
            self._node = None
