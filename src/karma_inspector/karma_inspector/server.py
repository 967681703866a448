"""The inspector's web server: the page and its JSON API, on loopback only (stdlib, no ROS).

Routes: ``/`` the page, ``/app.js`` its script, ``/api/state`` the live state (what
``state()`` returns), ``/api/graph_at?t=SECONDS`` the map as it was then (``graph_at(t)``).
The server binds 127.0.0.1 whatever it is given: the inspector shows the robot's memory and
is not meant for the network.

>>> import json, urllib.request
>>> s = InspectorServer(0, lambda: {"ok": True}, lambda t: {"t": t})
>>> s.start()
>>> json.load(urllib.request.urlopen(f"{s.url}api/graph_at?t=5"))
{'t': 5.0}
>>> s.stop()
"""
from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlparse

WEB = Path(__file__).resolve().parent / "web"
_STATIC = {"/": ("index.html", "text/html; charset=utf-8"),
           "/index.html": ("index.html", "text/html; charset=utf-8"),
           "/app.js": ("app.js", "text/javascript; charset=utf-8")}
HOST = "127.0.0.1"


class InspectorServer:
    def __init__(self, port: int, state: Callable[[], dict], graph_at: Callable[[float], dict]):
        self._state, self._graph_at = state, graph_at
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):   # noqa: N802 - the stdlib's name
                outer._handle(self)

            def log_message(self, *_args):   # requests are not news
                pass

        self._httpd = ThreadingHTTPServer((HOST, int(port)), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://{HOST}:{self.port}/"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        url = urlparse(req.path)
        try:
            if url.path in _STATIC:
                name, ctype = _STATIC[url.path]
                return _send(req, 200, (WEB / name).read_bytes(), ctype)
            if url.path == "/api/state":
                return _send_json(req, 200, self._state())
            if url.path == "/api/graph_at":
                raw = parse_qs(url.query).get("t", [""])[0]
                try:
                    t = float(raw)
                except ValueError:
                    t = float("nan")
                if not math.isfinite(t) or t < 0:
                    return _send_json(req, 400, {"error": "t must be seconds since the epoch"})
                return _send_json(req, 200, self._graph_at(t))
            return _send_json(req, 404, {"error": "no such page"})
        except Exception as e:  # noqa: BLE001 - a failed request must not end the server
            return _send_json(req, 500, {"error": f"{type(e).__name__}"})


def _send(req, code: int, body: bytes, ctype: str) -> None:
    req.send_response(code)
    req.send_header("Content-Type", ctype)
    req.send_header("Content-Length", str(len(body)))
    req.send_header("Cache-Control", "no-store")
    req.send_header("X-Content-Type-Options", "nosniff")
    req.end_headers()
    req.wfile.write(body)


def _send_json(req, code: int, data) -> None:
    _send(req, code, json.dumps(data, allow_nan=False).encode(), "application/json")
