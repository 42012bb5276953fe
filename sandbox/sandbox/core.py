"""Sandbox core: one threaded HTTP server per vendor stand-in, request log, admin paths, faults, latency."""

from __future__ import annotations

import base64
import contextlib
import json
import math
import random
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

ADMIN_PREFIX = "/_sandbox"
FAULT_KINDS = ("429", "500", "502", "503", "drop", "slow", "lost_response", "revoke_tokens", "daily_limit",
               "wrong_shape", "not_json")
WRONG_SHAPE_BODY = {"result": "ok", "items": []}  # HTTP 200, JSON, but none of the keys any endpoint documents
NOT_JSON_BODY = '<?xml version="1.0" encoding="UTF-8"?>\n<response><status>ok</status></response>\n'  # HTTP 200 XML
D = TypeVar("D", int, None)


class BodyError(ValueError):
    """A request body that is not JSON (UTF-8); each stand-in answers it with its own error."""


@dataclass
class Request:
    """An incoming request as a vendor stand-in sees it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # keys lower-cased
    body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter (case-sensitive name), or `default`."""
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self, *, exact: bool = False) -> Any:
        """Parsed JSON body (`exact`: decimal numbers as Decimal); raises BodyError on a body that is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"), parse_float=Decimal if exact else None) if self.body else None
        except ValueError as exc:
            raise BodyError(str(exc)) from exc

    def form(self) -> dict[str, str]:
        """Parsed application/x-www-form-urlencoded body (first value per key)."""
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}


@dataclass
class Response:
    """What a vendor stand-in answers. `body` may be bytes, str, or anything JSON-serialisable."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if self.body is None:
            return b"", self.headers.get("Content-Type", "application/json")
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), self.headers.get("Content-Type", "text/plain; charset=utf-8")
        ctype = self.headers.get("Content-Type", "application/json; charset=utf-8")
        return json.dumps(self.body).encode("utf-8"), ctype


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status=status, body=body, headers=dict(headers or {}))


def to_plain(value: Any) -> Any:
    """A stand-in's stored data as the JSON-serialisable copy `dump()` returns: Decimal as a string, dates ISO."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class ApiError(Exception):
    """A request the vendor refuses: HTTP status, the vendor's message, extra headers (each stand-in renders it)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def int_arg(text: str | None, default: D, error: str) -> int | D:
    """A query parameter as an integer: `default` when absent or empty, a 400 with the vendor's `error` otherwise."""
    if text in (None, ""):
        return default
    try:
        return int(str(text))
    except ValueError:
        raise ApiError(400, error) from None


def parse_iso(text: str) -> datetime:
    """ISO-8601 date or date-time (`Z` allowed) -> aware datetime; a naive one is taken as UTC. Raises ValueError."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def encode_token(value: Any) -> str:
    """An opaque page token or cursor: unpadded URL-safe base64 of `value` as JSON."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_token(text: str) -> Any:
    """The value `encode_token` encoded; raises ValueError (binascii and JSON errors are ValueErrors) otherwise."""
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


@dataclass
class Window:
    """A fixed rate-limit window, `limit` requests per `seconds`: it starts at the first request after the previous
    one ended or, `aligned`, at a multiple of `seconds` on the clock."""

    seconds: float
    limit: int
    aligned: bool = False
    started: float = -math.inf
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.started + self.seconds:
            self.started = math.floor(now / self.seconds) * self.seconds if self.aligned else now
            self.used = 0

    def take(self, now: float) -> bool:
        """Count one request at `now`; False (and nothing counted) when the window is full."""
        self.roll(now)
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def reset_in(self, now: float) -> int:
        return max(0, math.ceil(self.started + self.seconds - now)) if self.used else 0


@dataclass
class FaultRule:
    """One fault to inject.

    kind: one of FAULT_KINDS.
    rate: probability per matching request (0..1), drawn from the server's seeded RNG.
    every: inject on every n-th matching request instead of by rate (1 = always).
    count: stop after this many injections (None = unlimited).
    method / path: optional filters (method exact, path a regex searched in the path).
    retry_after: seconds sent in Retry-After for 429.
    delay: seconds to sleep for 'slow'.
    """

    kind: str
    rate: float = 0.0
    every: int | None = None
    count: int | None = None
    method: str | None = None
    path: str | None = None
    retry_after: float = 1.0
    delay: float = 5.0
    seen: int = 0
    injected: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}")

    def matches(self, req: Request) -> bool:
        if self.method and self.method.upper() != req.method:
            return False
        if self.path and not re.search(self.path, req.path):
            return False
        return not (self.count is not None and self.injected >= self.count)

    def fires(self, rng: random.Random) -> bool:
        self.seen += 1
        hit = (self.seen % self.every == 0) if self.every else rng.random() < self.rate
        if hit:
            self.injected += 1
        return hit

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class Vendor:
    """Base class of a vendor stand-in. Subclasses implement `handle`, `dump` and `reset`.

    A vendor also gets the hooks `revoke_tokens()` and `exhaust_daily_limit()` that the
    'revoke_tokens' and 'daily_limit' faults call; the defaults raise, so a fault a vendor
    cannot honour is refused loudly instead of silently ignored.
    """

    name = "vendor"

    def handle(self, req: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def dump(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def reset(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def revoke_tokens(self) -> None:
        raise NotImplementedError(f"{self.name} has no tokens to revoke")

    def exhaust_daily_limit(self) -> Response:
        raise NotImplementedError(f"{self.name} has no daily limit")


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: str
    status: int
    fault: str | None
    at: float


class SandboxServer:
    """Serves one Vendor on 127.0.0.1 in a daemon thread; keeps the request log and the fault rules."""

    def __init__(self, vendor: Vendor, *, port: int = 0, latency: float = 0.0, seed: int = 0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.vendor = vendor
        self.latency = latency
        self.faults: list[FaultRule] = []
        self.log: list[LoggedRequest] = []
        self.rng = random.Random(seed)
        self.lock = threading.RLock()
        self._sleep = sleep
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"sandbox-{self.vendor.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- Python API for tests ---------------------------------------------------------------
    def add_fault(self, kind: str, **kwargs: Any) -> FaultRule:
        rule = FaultRule(kind=kind, **kwargs)
        with self.lock:
            self.faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def requests(self) -> list[LoggedRequest]:
        with self.lock:
            return list(self.log)

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()

    def reset(self) -> None:
        with self.lock:
            self.vendor.reset()
            self.faults.clear()
            self.log.clear()

    # -- request handling ---------------------------------------------------------------------
    def pick_fault(self, req: Request) -> FaultRule | None:
        with self.lock:
            for rule in self.faults:
                if rule.matches(req) and rule.fires(self.rng):
                    return rule
        return None

    def record(self, req: Request, status: int, fault: str | None) -> None:
        with self.lock:
            self.log.append(LoggedRequest(req.method, req.path, req.query, req.body.decode("utf-8", "replace"),
                                          status, fault, time.time()))

    def admin(self, req: Request) -> Response:
        sub = req.path[len(ADMIN_PREFIX):]
        if sub == "/state" and req.method == "GET":
            with self.lock:
                return json_response(self.vendor.dump())
        if sub == "/requests" and req.method == "GET":
            with self.lock:
                return json_response([vars(r) for r in self.log])
        if sub == "/reset" and req.method == "POST":
            self.reset()
            return json_response({"reset": True})
        if sub == "/faults" and req.method == "GET":
            with self.lock:
                return json_response([f.to_dict() for f in self.faults])
        if sub == "/faults" and req.method == "POST":
            spec = req.json() or {}
            try:
                rules = [self.add_fault(**item) for item in (spec if isinstance(spec, list) else [spec])]
            except (TypeError, ValueError) as exc:
                return json_response({"error": str(exc)}, 400)
            return json_response([r.to_dict() for r in rules])
        if sub == "/faults" and req.method == "DELETE":
            self.clear_faults()
            return json_response({"cleared": True})
        if sub == "/latency" and req.method == "POST":
            self.latency = float((req.json() or {}).get("seconds", 0))
            return json_response({"latency": self.latency})
        return json_response({"error": f"unknown admin path {req.path}"}, 404)


class _Drop(Exception):
    """Close the connection without writing a response."""


def _make_handler(server: SandboxServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # small keep-alive responses otherwise wait ~40 ms for a delayed ACK

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr access log
            return

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            req = Request(method=self.command, path=parts.path, query=parse_qs(parts.query, keep_blank_values=True),
                          headers={k.lower(): v for k, v in self.headers.items()}, body=body)
            if req.path.startswith(ADMIN_PREFIX):
                self._write(server.admin(req))
                return
            if server.latency:
                server._sleep(server.latency)
            fault = server.pick_fault(req)
            try:
                resp = self._apply(req, fault)
            except _Drop:
                server.record(req, 0, fault.kind if fault else None)
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            server.record(req, resp.status, fault.kind if fault else None)
            self._write(resp)

        def _apply(self, req: Request, fault: FaultRule | None) -> Response:
            kind = fault.kind if fault else ""  # no fault: the vendor answers
            if fault and kind == "429":
                return json_response({"error": "Too Many Requests"}, 429, {"Retry-After": f"{fault.retry_after:g}"})
            if kind in ("500", "502", "503"):
                return json_response({"error": "injected server error"}, int(kind))
            if kind == "wrong_shape":  # a broken proxy or API version answering 200 with another document
                return json_response(WRONG_SHAPE_BODY)
            if kind == "not_json":
                return Response(body=NOT_JSON_BODY, headers={"Content-Type": "text/xml; charset=utf-8"})
            if kind == "drop":
                raise _Drop()
            if fault and kind == "slow":
                server._sleep(fault.delay)
            with server.lock:
                if kind == "daily_limit":
                    return server.vendor.exhaust_daily_limit()
                if kind == "revoke_tokens":
                    server.vendor.revoke_tokens()
                resp = server.vendor.handle(req)  # with "lost_response" committed on the server ...
            if kind == "lost_response":
                raise _Drop()  # ... but the client never hears about it
            return resp

        def _write(self, resp: Response) -> None:
            payload, ctype = resp.encoded()
            self.send_response(resp.status)
            headers = {k: v for k, v in resp.headers.items() if k.lower() != "content-type"}
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            for k, v in headers.items():
                self.send_header(k, v)
            # what end_headers() does, with the body appended so headers and body go out in one write
            buffer: list[bytes] = self._headers_buffer  # type: ignore[attr-defined]
            buffer.append(b"\r\n")
            if self.command != "HEAD":
                buffer.append(payload)
            self.flush_headers()

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    return Handler
