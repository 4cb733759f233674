"""HTTP plumbing shared by the three simulated sources.

Each source is an ``App`` (routes, authentication); ``SimServer`` wraps it with
what every source has in common: JSON errors as in ``shared/sources/README.md``,
the fault switches in front of the app, and the ``/_sim/`` admin endpoints that
let a test in another process flip faults on a running server.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from edu_simulators.servers.faults import FaultState

log = logging.getLogger("edu_simulators.servers")
JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        """The body read as application/x-www-form-urlencoded."""
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    def basic_auth(self) -> tuple[str, str] | None:
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return (user, password) if sep else None


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def json_response(payload: Any, status: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, dict(headers or {}))


def raw_list_response(key: str, items: list[bytes], meta: dict[str, Any]) -> Response:
    """``{key: [items...], **meta}`` with the items spliced in as stored.

    Records go out byte for byte as the generator wrote them: no parse/re-dump
    per page, and no chance of the server normalising what the source got wrong.
    """
    tail = json.dumps(meta, ensure_ascii=False)[1:]  # drop "{": meta follows the list
    body = b'{"%s": [' % key.encode() + b", ".join(items) + b"], " + tail.encode("utf-8")
    return Response(200, body)


def load_list(path: Path) -> list[dict]:
    """A served JSON list (schools, colleges); also accepts one wrapped as ``{"data": [...]}``."""
    if not path.exists():
        return []
    payload = json.loads(path.read_text(encoding="utf-8"))
    return payload["data"] if isinstance(payload, dict) else payload


class ApiError(Exception):
    """An HTTP error with the JSON body the source contract prescribes."""

    def __init__(self, status: int, error: str, detail: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {error}: {detail or ''}")
        payload: dict[str, Any] = {"error": error}
        if detail is not None:
            payload["detail"] = detail
        self.response = json_response(payload, status, headers)


def bad_request(detail: str) -> ApiError:
    return ApiError(400, "bad_request", detail)


def same_secret(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def int_param(query: Mapping[str, str], name: str, *, default: int | None = None,
              minimum: int | None = None, maximum: int | None = None) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        if default is None:
            raise bad_request(f"{name} is required")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise bad_request(f"{name} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise bad_request(f"{name} must be at most {maximum}")
    return value


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    handler: Handler
    public: bool = False  # no credentials needed (OVEC's token endpoint)


class App:
    """One source system: its routes and how it checks credentials."""

    name = "app"
    default_headers: dict[str, str] = {}

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}

    def admin_authorized(self, request: Request) -> bool:
        """Whether the request carries the source's own client credentials.

        The admin endpoints take the same credentials, so a test holding
        ``sources.env`` can switch faults and nobody else can.
        """
        raise NotImplementedError

    def authenticate(self, request: Request) -> None:
        """Raise ApiError(401) unless the request carries valid credentials."""
        if not self.admin_authorized(request):
            raise self.unauthorized()

    def unauthorized(self) -> ApiError:
        return ApiError(401, "unauthorized")

    def admin_action(self, name: str, value: Any) -> bool:
        """A one-shot admin action carried in the faults body; False if unknown."""
        return False

    def response_headers(self) -> dict[str, str]:
        return dict(self.default_headers)

    def handle(self, request: Request) -> Response:
        route = self.routes.get(request.path.rstrip("/") or "/")
        if route is None:
            raise ApiError(404, "not_found", f"no endpoint {request.path}")
        if route.method != request.method:
            raise ApiError(405, "method_not_allowed", f"{request.path} takes {route.method}")
        if not route.public:
            self.authenticate(request)
        return route.handler(request)


class SimServer(ThreadingHTTPServer):
    """A threaded HTTP server for one App, with faults and the admin endpoints."""

    daemon_threads = True
    block_on_close = False  # keep-alive clients must not hold up shutdown

    def __init__(self, address: tuple[str, int], app: App, faults: FaultState) -> None:
        super().__init__(address, _RequestHandler)
        self.app = app
        self.faults = faults  # shared with the app where it reads faults itself (OVEC)

    @property
    def root_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name=f"sim-{self.app.name}",
                                  kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        return thread

    def dispatch(self, request: Request) -> Response:
        try:
            if request.path.startswith("/_sim/"):
                response = self._admin(request)
            else:
                response = self._serve(request)
        except ApiError as exc:
            response = exc.response
        except Exception:  # a simulator bug must still answer, as JSON, and be logged
            log.exception("%s: error serving %s", self.app.name, request.path)
            response = json_response({"error": "internal_error"}, 500)
        response.headers = {**self.app.response_headers(), **response.headers}
        return response

    def _serve(self, request: Request) -> Response:
        action = self.faults.next_action()
        if action.delay:
            time.sleep(action.delay)
        if action.status == 503:
            raise ApiError(503, "unavailable")
        if action.status == 429:
            retry = str(self.faults.faults.retry_after)
            raise ApiError(429, "rate_limited", headers={"Retry-After": retry})
        return self.app.handle(request)

    def _admin(self, request: Request) -> Response:
        if request.path == "/_sim/health":  # liveness only: reveals nothing
            return json_response({"status": "ok", "system": self.app.name})
        if request.path != "/_sim/faults":
            raise ApiError(404, "not_found", f"no endpoint {request.path}")
        if not self.app.admin_authorized(request):
            raise self.app.unauthorized()
        if request.method == "POST":
            try:
                changes = json.loads(request.body or b"{}")
            except json.JSONDecodeError as exc:
                raise bad_request(f"body is not JSON: {exc}") from None
            if not isinstance(changes, dict):
                raise bad_request("body must be a JSON object")
            actions = {k: changes.pop(k) for k in list(changes)
                       if self.app.admin_action(k, changes[k])}
            try:
                self.faults.update(changes)
            except ValueError as exc:
                raise bad_request(str(exc)) from None
            log.info("%s: faults now %s (actions %s)", self.app.name, self.faults.faults, actions)
        return json_response(self.faults.faults.to_dict())


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a pipeline pulls thousands of pages
    server: SimServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    # Other methods get the JSON 405 of the routes, not http.server's HTML 501.
    do_PUT = do_PATCH = do_DELETE = do_POST

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        request = Request(self.command, parts.path, query, self.headers,
                          self.rfile.read(length) if length else b"")
        response = self.server.dispatch(request)
        self.send_response(response.status)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        log.info("%s %s", self.server.app.name, format % args)
