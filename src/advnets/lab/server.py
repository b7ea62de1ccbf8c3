"""The lab's web server (Flask): the page, a JSON API, and a server-sent-event stream of game frames.

A user's mistake (a bad setting, a missing run directory) is answered with HTTP 400 and a one-line message
the page shows; anything else with 500 and the error's text. Neither stops the server or the game.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request, send_from_directory
from werkzeug.serving import BaseWSGIServer, make_server

from advnets.errors import AdvnetsError
from advnets.lab.runview import RunView
from advnets.lab.session import SPEEDS, LabSession
from advnets.lab.settings import DEFAULTS
from advnets.lab.targets import MENU_NAMES, TARGETS

STATIC = Path(__file__).parent / "static"
KEEPALIVE_SECONDS = 15.0
log = logging.getLogger("advnets.lab")


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise AdvnetsError("the request body must be a JSON object")
    return data


def _int(data: dict[str, Any], key: str, default: int | None = None) -> int | None:
    raw = data.get(key, default)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise AdvnetsError(f"{key} must be a whole number, not {raw!r}") from None


def create_app(session: LabSession | None = None, runs: RunView | None = None) -> Flask:
    """The Flask app; the toy game starts with the lab's default settings, paused."""
    app = Flask("advnets.lab", static_folder=str(STATIC), static_url_path="/static")
    if session is None:
        session = LabSession()
        session.configure({})
    session.start()
    runs = runs or RunView()
    app.extensions["advnets_lab"] = {"session": session, "runs": runs}

    @app.errorhandler(AdvnetsError)
    def user_error(error: AdvnetsError) -> tuple[Response, int]:
        return jsonify(ok=False, error=str(error)), 400

    @app.errorhandler(Exception)
    def other_error(error: Exception) -> tuple[Response, int]:
        code = getattr(error, "code", None)
        if isinstance(code, int) and code < 500:  # 404, 405 ... from Flask itself
            return jsonify(ok=False, error=str(error)), code
        log.exception("lab request failed")
        return jsonify(ok=False, error=f"internal error ({type(error).__name__}: {error})"), 500

    @app.get("/")
    def index() -> Response:
        return send_from_directory(STATIC, "index.html")

    @app.get("/api/game/options")
    def options() -> Response:
        # `current`: the game the server is playing, so that a reloaded page shows (and Apply keeps) it.
        current = session.settings or None
        return jsonify(
            ok=True,
            targets=MENU_NAMES,
            about=TARGETS,
            defaults=DEFAULTS,
            current=current,
            speed=session.speed,
            speeds=list(SPEEDS),
        )

    @app.post("/api/game/configure")
    def configure() -> Response:
        session.configure(_body())
        return jsonify(ok=True)

    @app.post("/api/game/command")
    def command() -> Response:
        data = _body()
        session.command(str(data.get("action", "")), data.get("speed"))
        return jsonify(ok=True)

    @app.get("/api/game/frame")
    def frame() -> Response:
        return Response(session.frame_json, mimetype="application/json")

    @app.get("/api/game/stream")
    def stream() -> Response:
        def events() -> Iterator[str]:
            version = 0
            while not session.closed:
                version, text = session.wait_frame(version, KEEPALIVE_SECONDS)
                yield f"data: {text}\n\n" if text is not None else ": keep-alive\n\n"

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return Response(events(), mimetype="text/event-stream", headers=headers)

    _run_routes(app, runs)
    return app


def _run_routes(app: Flask, runs: RunView) -> None:
    @app.post("/api/run/open")
    def run_open() -> Response:
        data = _body()
        data_dir = data.get("data_dir")
        return jsonify(ok=True, run=runs.open(str(data.get("path", "")), str(data_dir) if data_dir else None))

    @app.post("/api/run/sample")
    def run_sample() -> Response:
        data = _body()
        n, seed = _int(data, "n", 64), _int(data, "seed", 0)
        assert n is not None and seed is not None
        return jsonify(ok=True, **runs.sample(n, seed, _int(data, "label")))

    @app.post("/api/run/interpolate")
    def run_interpolate() -> Response:
        data = _body()
        seed_a, seed_b = _int(data, "seed_a", 0), _int(data, "seed_b", 1)
        assert seed_a is not None and seed_b is not None
        try:
            t = float(data.get("t", 0.5))
        except (TypeError, ValueError):
            raise AdvnetsError(f"t must be a number in [0, 1], not {data.get('t')!r}") from None
        result = runs.interpolate(seed_a, seed_b, t, str(data.get("mode", "linear")), _int(data, "label"))
        return jsonify(ok=True, **result)

    @app.post("/api/run/test-image")
    def run_test_image() -> Response:
        index = _int(_body(), "index", 0)
        assert index is not None
        return jsonify(ok=True, **runs.test_image(index))

    @app.post("/api/run/mask")
    def run_mask() -> Response:
        return jsonify(ok=True, **runs.preset_mask(str(_body().get("name", ""))))

    @app.post("/api/run/inpaint")
    def run_inpaint() -> Response:
        data = _body()
        index, completions, seed = _int(data, "index", 0), _int(data, "completions", 4), _int(data, "seed", 0)
        assert index is not None and completions is not None and seed is not None
        return jsonify(ok=True, **runs.inpaint(index, data.get("mask"), completions, seed))


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, or one line saying why not (werkzeug would print several).

    port 0 takes any free port (for tests); the command line asks for 1..65535, so that the port a user
    names is the port the lab gets (the kernel would otherwise wrap 70000 to 4464).
    """
    if not 0 <= port <= 65535:
        raise AdvnetsError(f"port {port} is not a TCP port; choose one in 1..65535 with --port")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        address = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)[0][4]
    except (socket.gaierror, UnicodeError) as error:
        reason = error.strerror if isinstance(error, socket.gaierror) else str(error)
        raise AdvnetsError(
            f"host '{host}' is not an address or a name this machine can resolve ({reason}); "
            "use 127.0.0.1, or an address of this machine, with --host"
        ) from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        reasons = {
            errno.EADDRINUSE: f"port {port} is in use by another program; choose another --port",
            errno.EADDRNOTAVAIL: f"{host} is not an address of this machine; use 127.0.0.1 or one of its own",
            errno.EACCES: f"port {port} needs privileges this user lacks; choose one above 1023 with --port",
        }
        fix = reasons.get(error.errno or 0, f"{error.strerror}; choose another --port or --host")
        raise AdvnetsError(f"cannot listen on {host}:{port}: {fix}") from None
    return sock


class LabServer:
    """The app on a werkzeug threaded server in a background thread (for the CLI and the tests)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, app: Flask | None = None) -> None:
        try:
            sock = listen(host, port)
        except AdvnetsError:
            if app is not None:
                app.extensions["advnets_lab"]["session"].close()
            raise
        self.app = app or create_app()
        with sock:  # werkzeug serves a duplicate of this socket
            self.server: BaseWSGIServer = make_server(host, port, self.app, threaded=True, fd=sock.fileno())
        self.host, self.port = host, int(self.server.port)
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="advnets-lab-http", daemon=True
        )

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> LabServer:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.app.extensions["advnets_lab"]["session"].close()
        self.server.shutdown()
        self.server.server_close()


def serve(host: str = "127.0.0.1", port: int = 8765, on_ready: Callable[[str], None] | None = None) -> None:
    """Run the lab in the foreground until Ctrl-C."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request (the page polls a lot)
    server = LabServer(host, port)
    if on_ready is not None:
        on_ready(server.url)
    try:
        server.serve_forever()
    finally:
        server.app.extensions["advnets_lab"]["session"].close()
        server.server.server_close()
