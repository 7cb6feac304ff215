"""The emulator's HTTP server: a threaded ``http.server`` in front of the backend.

One request goes: side door (``/_emulator/``) or identity, else an API call: route (610/605),
concurrency slot (615), token (601/602, Bearer header only unless legacy), rate window and daily
quota (606/607), latency, fault injection, the handler, state persistence, the answer (gzip when
asked and >= 1 KiB; deliberate quirks, when switched on, just before it). Every identity and API call is recorded for ``/_emulator/calls``.
"""

from __future__ import annotations

import gzip
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields, replace
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from marketo_sync.emulator import admin, urls
from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.config import EmulatorConfig
from marketo_sync.emulator.exceptions import HttpFailure, MarketoApiError
from marketo_sync.emulator.faults import BAD_GATEWAY_HTML, ENVELOPE_FAULTS, MAINTENANCE_HTML, FaultInjector
from marketo_sync.emulator.limits import Limits
from marketo_sync.emulator.quirks import Quirks
from marketo_sync.emulator.responses import ApiRequest, error_body
from marketo_sync.emulator.seed import read_seed_plan
from marketo_sync.emulator.state_file import StateFile

#: Request headers: ``http.server`` hands an ``email.message.Message``, tests a plain mapping.
Headers = Mapping[str, str] | Message

log = logging.getLogger(__name__)

IDENTITY_PATH = "/identity/oauth/token"
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 1  # level 9 (the default) took as long as building a page of 200 records; 1 is 4x faster
MAX_URI_BYTES = 8 * 1024  # longer GET URIs: HTTP 414 (resend as POST with _method=GET)
MAX_BODY_BYTES = 1024 * 1024  # larger bodies: HTTP 413
QUERY_TOKEN_REFUSED = ("Access token invalid: the access_token query parameter is not accepted; "
                       "send the token in the 'Authorization: Bearer' header")


class _Answer:
    """What to send back: a status, a body (JSON-able or text) and the call's log fields."""

    def __init__(self, status: int | None, body: Any = None, *, code: str | None = None,
                 fault: str | None = None, content_type: str = "application/json;charset=UTF-8") -> None:
        self.status, self.body, self.code, self.fault, self.content_type = status, body, code, fault, content_type


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients (615 tests) must not wait on the backlog
    emulator: EmulatorServer


class EmulatorServer:
    """A running emulated Marketo instance; use as a context manager or call start()/stop()."""

    def __init__(self, config: EmulatorConfig | None = None, *, clock: Callable[[], float] | None = None,
                 **overrides: Any) -> None:
        """``overrides`` are :class:`EmulatorConfig` fields; ``clock`` replaces ``time.time`` for
        the backend and the limits (tests move time instead of sleeping)."""
        config = config or EmulatorConfig()
        known = {f.name for f in fields(EmulatorConfig)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown emulator settings: {', '.join(sorted(unknown))}")
        self.config = replace(config, **overrides) if overrides else config
        self.backend = MarketoBackend(clock=clock, token_ttl=self.config.token_ttl,
                                      credentials={self.config.client_id: self.config.client_secret})
        if self.config.seed is not None:
            self.backend.load_seed(dict(self.config.seed))
        elif self.config.seed_path is not None:
            doc, plan = read_seed_plan(self.config.seed_path)
            self.backend.load_seed(doc, plan=plan)
        state_path = self.config.state_path
        self._state = StateFile(state_path) if state_path is not None else None
        with self._state_guard(write=False):
            pass  # loads the state file when there is one
        self._log = admin.CallLog()
        self.limits = Limits(rate_limit=self.config.rate_limit, concurrency=self.config.concurrency,
                             daily_quota=self.config.daily_quota, clock=clock, on_decision=self._log.arrive)
        self.faults = FaultInjector(latency_ms=self.config.latency_ms, fault_rate=self.config.fault_rate,
                                    fault_seed=self.config.fault_seed)
        self.quirks = Quirks()
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:  # never shows the client secret
        where = self.base_url if self._httpd else "not started"
        return f"EmulatorServer({where}, client_id={self.client_id!r})"

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> EmulatorServer:
        if self._httpd is not None:
            return self
        httpd = _HttpServer((self.config.host, self.config.port), _Handler)
        httpd.emulator = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"marketo-emulator-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=10)
        self._httpd = self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- public API -------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the emulator is not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    url = base_url

    @property
    def client_id(self) -> str:
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        return self.config.client_secret

    def calls(self) -> list[dict[str, Any]]:
        return self._log.list()

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        return admin.apply_settings(self, settings)

    def set_quirks(self, **settings: Any) -> dict[str, Any]:
        """Make the emulator deliberately wrong, e.g. ``rename_field={"from": "isActive", "to": "active"}``."""
        self.quirks.configure(settings)
        return self.quirks.snapshot()

    def reset(self) -> None:
        self.backend.reset()
        self._log.clear()
        self.limits.reset()
        self.save_state()

    def save_state(self) -> None:
        """Write the instance to ``state_path`` atomically, as it is in memory (``reset``)."""
        if self._state is not None:
            with self._state.transaction(lambda _disk: None, self.backend.export_state):
                pass

    @contextmanager
    def _state_guard(self, *, write: bool) -> Iterator[None]:
        """One request against the state file: read-modify-write (see ``state_file``)."""
        if self._state is None:
            yield
            return
        with self._state.transaction(self.backend.import_state, self.backend.export_state if write else None):
            yield

    # -- request processing (called from handler threads) -----------------------------------------
    def _identity(self, params: Mapping[str, list[str]]) -> _Answer:
        def first(name: str) -> str:
            return (params.get(name) or [""])[0]

        if first("grant_type") != "client_credentials":
            return _Answer(400, {"error": "unsupported_grant_type",
                                 "error_description": "grant_type must be client_credentials"})
        try:
            with self._state_guard(write=True):
                body = self.backend.issue_token(first("client_id"), first("client_secret"))
        except HttpFailure as failure:
            return _Answer(failure.status, failure.body)
        return _Answer(200, body)

    def _token(self, headers: Headers, params: Mapping[str, list[str]]) -> str | None:
        """The token to check; raises 601 for a query/form token unless legacy mode is on."""
        header = headers.get("Authorization") or ""
        bearer = header[7:].strip() if header[:7].lower() == "bearer " else None
        query_token: str | None = (params.get("access_token") or [None])[0]  # type: ignore[list-item]
        if query_token is not None and not self.config.legacy_query_token:
            raise MarketoApiError("601", QUERY_TOKEN_REFUSED)
        return bearer or query_token

    def _api(self, method: str, path: str, headers: Headers, params: dict[str, list[str]],
             body_json: Any) -> _Answer:
        asset = not urls.is_leaddb(path)
        if method == "POST" and (params.get("_method") or [""])[0].upper() == "GET":
            method = "GET"  # Marketo's workaround for long URLs (414): POST with _method=GET
        try:
            if (self.config.no_flow_api and urls.is_flow_api(path)) or \
                    (self.config.no_usage_api and urls.is_usage_api(path)):
                raise urls.RouteError("610", "Requested resource not found")
            handler, path_args = urls.resolve(method, path)
        except urls.RouteError as missing:
            return _Answer(200, error_body(missing.code, missing.message, asset=asset), code=missing.code)
        try:
            self.limits.enter()
        except MarketoApiError as busy:
            return _Answer(200, error_body(busy.code, busy.message, asset=asset), code=busy.code)
        try:
            with self._state_guard(write=method != "GET"):
                return self._limited_call(handler, method, path, path_args, headers, params, body_json, asset)
        finally:
            self.limits.leave()

    def _limited_call(self, handler: urls.Handler, method: str, path: str, path_args: dict[str, str],
                      headers: Headers, params: dict[str, list[str]], body_json: Any,
                      asset: bool) -> _Answer:
        try:
            self.backend.check_token(self._token(headers, params))
            self.limits.consume()
        except MarketoApiError as refused:
            return _Answer(200, error_body(refused.code, refused.message, asset=asset), code=refused.code)
        if self.faults.latency_ms > 0:
            time.sleep(self.faults.latency_ms / 1000.0)
        fault = self.faults.pick(method, path)
        if fault is not None and fault != "drop_after_commit":
            return self._fault_answer(fault, asset)
        request = ApiRequest(method=method, path=path, params=params, json=body_json, path_args=path_args,
                             usage=self.limits.today() if urls.is_usage_api(path) else None)
        try:
            answer = _Answer(200, self.quirks.apply(handler(request, self.backend)))
        except MarketoApiError as error:
            answer = _Answer(200, error_body(error.code, error.message, asset=asset), code=error.code)
        except HttpFailure as failure:
            answer = _Answer(failure.status, failure.body)
        if fault == "drop_after_commit":
            return _Answer(None, fault=fault, code=answer.code)
        return answer

    @staticmethod
    def _fault_answer(fault: str, asset: bool) -> _Answer:
        if fault == "drop":
            return _Answer(None, fault=fault)
        if fault == "500":
            return _Answer(500, "<html><body><h1>500 Internal Server Error</h1></body></html>", fault=fault,
                           content_type="text/html")
        if fault == "502":
            return _Answer(502, BAD_GATEWAY_HTML, fault=fault, content_type="text/html")
        if fault == "html":
            return _Answer(200, MAINTENANCE_HTML, fault=fault, content_type="text/html")
        return _Answer(200, error_body(fault, ENVELOPE_FAULTS[fault], asset=asset), code=fault, fault=fault)


def _parse_body(headers: Headers, raw: bytes) -> tuple[dict[str, list[str]], Any]:
    """Form fields and a JSON document from a request body, whatever the declared content type."""
    if not raw.strip():
        return {}, None
    ctype = (headers.get("Content-Type") or "").lower()
    text = raw.decode("utf-8", errors="replace")
    if "json" in ctype or text.lstrip()[:1] in ("{", "["):
        try:
            return {}, json.loads(text)
        except ValueError:
            if "json" in ctype:
                raise MarketoApiError("609", "Invalid JSON") from None
    return parse_qs(text, keep_blank_values=True), None


def _too_big(uri_bytes: int, body_bytes: int) -> _Answer | None:
    """Marketo's only HTTP-level request errors: 414 (long URI) and 413 (large body)."""
    if uri_bytes > MAX_URI_BYTES:
        return _Answer(414, "<html><body><h1>414 Request-URI Too Large</h1></body></html>", content_type="text/html")
    if body_bytes > MAX_BODY_BYTES:
        return _Answer(413, "<html><body><h1>413 Request Entity Too Large</h1></body></html>",
                       content_type="text/html")
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        # headers and body go out as two writes: without this, Nagle + delayed ACK add 40 ms per call
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:
        return "Apache"  # what Marketo's front end announces; not Python's version

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.command, urlsplit(self.path).path)  # never the query (tokens)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _handle(self) -> None:
        emulator = self.server.emulator
        started = time.time()
        clock_start = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        path, method = parts.path, self.command.upper()
        query = parse_qs(parts.query, keep_blank_values=True)
        if path.startswith("/_emulator/") or path == "/_emulator":
            try:
                body = json.loads(raw) if raw.strip() else None
            except ValueError:
                self._send(_Answer(400, {"error": "the body must be JSON"}))
                return
            status, document = admin.handle(emulator, method, path, body)
            self._send(_Answer(status, document))
            return
        kind = "identity" if path == IDENTITY_PATH else "api"
        params = {k: list(v) for k, v in query.items()}
        too_big = _too_big(len(self.path), length)
        answer: _Answer
        try:
            if too_big is not None:
                answer = too_big
            else:
                answer = self._dispatch(emulator, kind, method, path, params, raw)
        except MarketoApiError as error:
            answer = _Answer(200, error_body(error.code, error.message, asset=not urls.is_leaddb(path)),
                             code=error.code)
        except Exception:  # a bug in the emulator must not look like a dropped connection
            log.exception("emulator error on %s %s", method, path)
            answer = _Answer(500, error_body("611", "System error"), code="611")
        emulator._log.add(method=self.command, path=path, query=query, kind=kind, status=answer.status,
                          code=answer.code, fault=answer.fault, started=started,
                          duration_ms=(time.perf_counter() - clock_start) * 1000)
        self._send(answer)

    def _dispatch(self, emulator: EmulatorServer, kind: str, method: str, path: str,
                  params: dict[str, list[str]], raw: bytes) -> _Answer:
        form, body_json = _parse_body(self.headers, raw)
        for name, values in form.items():
            params.setdefault(name, []).extend(values)
        if kind == "identity":
            if method in ("GET", "POST"):
                return emulator._identity(params)
            return _Answer(405, {"error": "invalid_request", "error_description": "use GET or POST"})
        return emulator._api(method, path, self.headers, params, body_json)

    def _send(self, answer: _Answer) -> None:
        if answer.status is None:  # a dropped connection: no status line at all
            self.close_connection = True
            return
        if isinstance(answer.body, str):
            data = answer.body.encode("utf-8")
        else:
            data = json.dumps(answer.body, separators=(",", ":")).encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        if len(data) >= GZIP_MIN_BYTES and "gzip" in (self.headers.get("Accept-Encoding") or "").lower():
            data = gzip.compress(data, compresslevel=GZIP_LEVEL)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
