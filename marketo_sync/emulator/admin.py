"""The testing side door under ``/_emulator/`` (moto's ``/moto-api/``): no token, not counted.

``GET /_emulator/calls`` (the call log), ``GET /_emulator/state``, ``POST /_emulator/reset``,
``GET|POST /_emulator/faults``, ``GET|POST /_emulator/quirks``. Credentials never reach the log:
query values of ``client_id``, ``client_secret`` and ``access_token`` are replaced before a record
is stored, and bodies are not recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from marketo_sync.emulator.config import check_positive_int, parse_rate_limit

if TYPE_CHECKING:
    from marketo_sync.emulator.server import EmulatorServer

REDACTED = "***"
SECRET_PARAMS = frozenset({"client_id", "client_secret", "access_token"})
FAULT_SETTINGS = frozenset({"latency_ms", "fault_rate", "fault_seed", "fault_kinds", "script", "expire_tokens",
                            "token_ttl", "rate_limit", "concurrency", "daily_quota", "used_today"})


def redact(query: Mapping[str, list[str]]) -> dict[str, Any]:
    """Query parameters for the log: one value stays a string, secrets become ``***``."""
    out: dict[str, Any] = {}
    for name, values in query.items():
        if name.lower() in SECRET_PARAMS:
            out[name] = REDACTED
        else:
            out[name] = values[0] if len(values) == 1 else list(values)
    return out


class CallLog:
    """Every API and identity call received, in arrival order (thread-safe).

    A call is entered when its answer is sent, so concurrent calls finish in any order; its place
    is taken earlier, when the limits count or refuse it (:meth:`arrive`, called under the
    limits' lock), so that the log lists calls in the order Marketo decided them: every call
    after the first 607 was decided after the quota was spent. Calls refused before the limits
    (an unknown path, 615, identity) take their place when they are entered.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[dict[str, Any]] = []
        self._next = 0
        self._arrival = threading.local()

    def arrive(self) -> None:
        """Take the calling thread's place in the log (the thread that will :meth:`add` it)."""
        with self._lock:
            self._next += 1
            self._arrival.order = self._next

    def add(self, *, method: str, path: str, query: Mapping[str, list[str]], kind: str, status: int | None,
            code: str | None, fault: str | None, started: float, duration_ms: float) -> None:
        record = {"method": method, "path": path, "query": redact(query), "kind": kind, "status": status,
                  "code": code, "fault": fault, "duration_ms": round(duration_ms, 3),
                  "time": datetime.fromtimestamp(started, UTC).isoformat(timespec="milliseconds")}
        order = getattr(self._arrival, "order", None)
        self._arrival.order = None
        with self._lock:
            if order is None:
                self._next += 1
                order = self._next
            record["_order"] = order
            self._calls.append(record)

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            ordered = sorted(self._calls, key=lambda c: c["_order"])
        return [{**{k: v for k, v in c.items() if k != "_order"}, "query": dict(c["query"]), "seq": n}
                for n, c in enumerate(ordered, 1)]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


def apply_settings(server: EmulatorServer, settings: Any) -> dict[str, Any]:
    """Validate and apply a ``/_emulator/faults`` body; answers the current settings.

    Everything is checked before anything changes, so a bad body leaves the settings as they were.
    """
    if not isinstance(settings, Mapping):
        raise ValueError("the body must be a JSON object")
    unknown = set(settings) - FAULT_SETTINGS
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}; known: {', '.join(sorted(FAULT_SETTINGS))}")
    limits: dict[str, Any] = {}
    if "rate_limit" in settings:
        limits["rate_limit"] = parse_rate_limit(settings["rate_limit"])
    for name in ("concurrency", "daily_quota"):
        if name in settings:
            limits[name] = check_positive_int(name, settings[name])
    if "used_today" in settings:
        used = settings["used_today"]
        if not isinstance(used, int) or isinstance(used, bool) or used < 0:
            raise ValueError("used_today must be a whole number of calls >= 0")
        limits["used_today"] = used
    ttl = None
    if "token_ttl" in settings:
        ttl = float(settings["token_ttl"])
        if ttl <= 0:
            raise ValueError("token_ttl must be > 0 seconds")
    server.faults.configure(settings)  # validates its own keys first, then applies
    server.limits.configure(**limits)
    if ttl is not None:
        server.backend.token_ttl = ttl
    if settings.get("expire_tokens"):
        server.backend.expire_tokens()
    return current_settings(server)


def current_settings(server: EmulatorServer) -> dict[str, Any]:
    out = server.faults.snapshot()
    out.update(server.limits.snapshot())
    out["token_ttl"] = server.backend.token_ttl
    out["legacy_query_token"] = server.config.legacy_query_token
    return out


def _as_settings(body: Any) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise ValueError("the body must be a JSON object")
    return {str(k): v for k, v in body.items()}


def handle(server: EmulatorServer, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    """Answer a side-door call: ``(HTTP status, JSON body)``."""
    route = path.rstrip("/")
    if route == "/_emulator/calls" and method == "GET":
        return 200, {"calls": server.calls()}
    if route == "/_emulator/state" and method == "GET":
        return 200, server.backend.export_state()
    if route == "/_emulator/reset" and method == "POST":
        server.reset()
        return 200, {"reset": True}
    if route == "/_emulator/faults" and method == "GET":
        return 200, current_settings(server)
    if route == "/_emulator/faults" and method == "POST":
        try:
            return 200, apply_settings(server, {} if body is None else body)
        except (TypeError, ValueError) as exc:
            return 400, {"error": str(exc)}
    if route == "/_emulator/quirks" and method == "GET":
        return 200, server.quirks.snapshot()
    if route == "/_emulator/quirks" and method == "POST":
        try:
            return 200, server.set_quirks(**({} if body is None else _as_settings(body)))
        except (TypeError, ValueError) as exc:
            return 400, {"error": str(exc)}
    known = {"/_emulator/calls", "/_emulator/state", "/_emulator/reset", "/_emulator/faults", "/_emulator/quirks"}
    if route in known:
        return 405, {"error": f"method {method} not allowed on {route}"}
    return 404, {"error": f"no side-door endpoint {route}; known: {', '.join(sorted(known))}"}
