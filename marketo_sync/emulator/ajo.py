"""An Adobe IMS + AJO Interactive Message Execution lookalike on 127.0.0.1, for tests and demos.

Why a separate server: the Marketo emulator's HTTP layer is built around Marketo's envelope
(HTTP 200 with error codes) and its backend; AJO speaks plain HTTP statuses and problem+json.
This one is small: a ``ThreadingHTTPServer`` with seeded campaigns and audiences, recorded
executions and calls, IMS tokens with a TTL on an injectable clock, and scripted faults
(``500``, ``502``, ``503``, ``504``, ``429``, ``drop``, ``drop_after_commit``).

Choices where Adobe documents nothing (see docs/ajo.md): error ``type`` codes are the
emulator's own; executions are NOT deduplicated by ``requestId`` unless
``dedupe_request_ids=True`` (the pessimistic assumption); a request carrying ``x-request-id``
is refused (Adobe says not to send it); unitary runs need a transactional campaign, audience
runs a marketing one.
"""

from __future__ import annotations

import copy
import json
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

#: Request headers: ``http.server`` hands an ``email.message.Message``, tests a plain mapping.
Headers = Mapping[str, str] | Message

log = logging.getLogger(__name__)

AJO_EMULATOR_CLIENT_ID = "ajo-emulator-client"
AJO_EMULATOR_CLIENT_SECRET = "ajo-emulator-secret-not-for-production"
AJO_EMULATOR_ORG = "EMULATOR0000000000000000@AdobeOrg"
AJO_EMULATOR_SANDBOX = "prod"
IMS_PATH = "/ims/token/v3"
PREFIX = "/ajo/im"
MAX_RECIPIENTS = 20
MAX_CONTEXT_BYTES = 200 * 1024
FAULTS = ("500", "502", "503", "504", "429", "drop", "drop_after_commit")
#: What a throttled (429) answer asks the client to wait, as ``Retry-After``.
RETRY_AFTER_SECONDS = 2

#: A password-reset example (the seed's use case) and a marketing campaign, for demos and tests.
PASSWORD_RESET = "10e2583b-4d1d-4b57-bd6e-fdc79405d67d"
SPRING_NEWSLETTER = "6f1c3c2a-8a51-4d2e-9a0f-3c9b7d1e2f40"


def example_seed() -> dict[str, Any]:
    """Campaigns (by UUID) and audiences (id -> profile count) of a small example org."""
    return {
        "campaigns": {
            PASSWORD_RESET: {"name": "Password reset", "status": "live", "type": "transactional",
                             "channel": "email", "createsProfiles": False,
                             "profiles": ["email:jane.doe@example.com", "email:john.chao@example.com"]},
            SPRING_NEWSLETTER: {"name": "Spring newsletter", "status": "live", "type": "marketing",
                                "channel": "email"},
        },
        "audiences": {"aud-spring-2026": 1250},
    }


@dataclass
class _Campaign:
    id: str
    name: str = ""
    status: str = "live"
    type: str = "transactional"
    channel: str = "email"
    start: float | None = None
    end: float | None = None
    creates_profiles: bool = False
    profiles: set[str] = field(default_factory=set)


class _Answer:
    def __init__(self, status: int | None, body: Any = None, *, fault: str | None = None,
                 content_type: str = "application/json", headers: Mapping[str, str] | None = None) -> None:
        self.status, self.body, self.fault, self.content_type = status, body, fault, content_type
        self.headers = dict(headers or {})


class _Refusal(Exception):
    """A problem+json answer (raised by the handlers, turned into an answer by the dispatcher)."""

    def __init__(self, status: int, code: str, title: str, context: Mapping[str, str] | None = None) -> None:
        super().__init__(title)
        self.status, self.code, self.title, self.context = status, code, title, dict(context or {})


def _epoch(value: Any, what: str) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return float(value)
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError(f"{what} needs a time zone")
    return when.timestamp()


def _iso(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: AjoEmulator


class AjoEmulator:
    """A running IMS + AJO lookalike; ``with AjoEmulator(seed) as ajo: ajo.base_url``."""

    def __init__(self, seed: Mapping[str, Any] | None = None, *, client_id: str = AJO_EMULATOR_CLIENT_ID,
                 client_secret: str = AJO_EMULATOR_CLIENT_SECRET, org_id: str = AJO_EMULATOR_ORG,
                 sandbox: str = AJO_EMULATOR_SANDBOX, token_ttl: int = 86399,
                 clock: Callable[[], float] = time.time, dedupe_request_ids: bool = False,
                 audience_run_seconds: float = 0.0, host: str = "127.0.0.1", port: int = 0) -> None:
        self.client_id, self._secret, self.org_id, self.sandbox = client_id, client_secret, org_id, sandbox
        self.token_ttl, self._clock, self.dedupe = token_ttl, clock, dedupe_request_ids
        self.audience_run_seconds = audience_run_seconds
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._campaigns: dict[str, _Campaign] = {}
        self._audiences: dict[str, int] = {}
        self._executions: list[dict[str, Any]] = []
        self._schedules: dict[str, dict[str, Any]] = {}
        self._calls: list[dict[str, Any]] = []
        self._script: list[dict[str, Any]] = []
        self._counter = 0
        self._load(seed if seed is not None else example_seed())
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:  # never the secret
        where = self.base_url if self._httpd else "not started"
        return f"AjoEmulator({where}, client_id={self.client_id!r})"

    def _load(self, seed: Mapping[str, Any]) -> None:
        for cid, spec in (seed.get("campaigns") or {}).items():
            self._campaigns[str(cid)] = _Campaign(
                id=str(cid), name=str(spec.get("name", "")), status=str(spec.get("status", "live")).lower(),
                type=str(spec.get("type", "transactional")).lower(), channel=str(spec.get("channel", "email")),
                start=_epoch(spec.get("startDate"), "startDate"), end=_epoch(spec.get("endDate"), "endDate"),
                creates_profiles=bool(spec.get("createsProfiles", False)),
                profiles={str(p) for p in spec.get("profiles") or ()})
        self._audiences.update({str(k): int(v) for k, v in (seed.get("audiences") or {}).items()})

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> AjoEmulator:
        if self._httpd is None:
            httpd = _Server((self._host, self._port), _Handler)
            httpd.emulator = self
            self._httpd = httpd
            self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="ajo-emulator", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._httpd = self._thread = None

    def __enter__(self) -> AjoEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the AJO emulator is not started")
        return f"http://{self._host}:{self._httpd.server_address[1]}"

    @property
    def client_secret(self) -> str:
        return self._secret

    def env(self) -> dict[str, str]:
        """The ``AJO_*`` environment variables that point the client at this emulator."""
        return {"AJO_CLIENT_ID": self.client_id, "AJO_CLIENT_SECRET": self._secret, "AJO_ORG_ID": self.org_id,
                "AJO_SANDBOX": self.sandbox, "AJO_IMS_URL": self.base_url, "AJO_BASE_URL": self.base_url}

    # -- inspection and control (tests) -------------------------------------------------------------
    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._calls)

    def executions(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._executions)

    def schedules(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._schedules)

    def issued_tokens(self) -> list[str]:
        """Every token handed out (for no-leak tests)."""
        with self._lock:
            return list(self._tokens)

    def revoke_tokens(self) -> None:
        """Every issued token becomes invalid: the next AJO call gets 401."""
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = 0.0

    def set_faults(self, script: list[Mapping[str, Any]] | None = None) -> None:
        """``[{"path": "/ajo/im/executions/unitary", "fault": "500", "count": 1, "method": "POST"}]``:
        the next ``count`` matching calls get ``fault``, one-shot, in order."""
        parsed = []
        for index, line in enumerate(script or []):
            unknown = set(line) - {"path", "method", "fault", "count"}
            if unknown or str(line.get("fault")) not in FAULTS:
                raise ValueError(f"script[{index}]: keys path, method, fault ({', '.join(FAULTS)}), count")
            count = int(line.get("count", 1))
            if count < 1:
                raise ValueError(f"script[{index}].count must be >= 1")
            parsed.append({"path": line.get("path"), "method": line.get("method"), "fault": str(line["fault"]),
                           "count": count})
        with self._lock:
            self._script = parsed

    def _pick_fault(self, method: str, path: str) -> str | None:
        with self._lock:
            for line in self._script:
                if (line["path"] in (None, path)) and (line["method"] in (None, method)):
                    line["count"] -= 1
                    if line["count"] <= 0:
                        self._script.remove(line)
                    return str(line["fault"])
        return None

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            self._counter += 1
            return f"{prefix}-{self._counter:08d}"

    # -- IMS --------------------------------------------------------------------------------------
    def _ims(self, form: Mapping[str, list[str]]) -> _Answer:
        def first(name: str) -> str:
            return (form.get(name) or [""])[0]

        if first("grant_type") != "client_credentials":
            return _Answer(400, {"error": "unsupported_grant_type"})
        if not first("client_id") or not first("client_secret") or not first("scope"):
            return _Answer(400, {"error": "invalid_request"})
        if first("client_id") != self.client_id:
            return _Answer(400, {"error": "invalid_client"})
        if not secrets.compare_digest(first("client_secret"), self._secret):
            return _Answer(401, {"error": "invalid_client"})
        token = "eyJ" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = self._clock() + self.token_ttl
        return _Answer(200, {"access_token": token, "token_type": "bearer", "expires_in": self.token_ttl})

    # -- AJO --------------------------------------------------------------------------------------
    def _check_headers(self, headers: Headers, health: bool) -> None:
        auth = headers.get("Authorization") or ""
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        with self._lock:
            expiry = self._tokens.get(token)
        if not token or expiry is None or self._clock() >= expiry:
            raise _Refusal(401, "GW-000001", "Unauthorized: the access token is missing, invalid or expired")
        if headers.get("x-api-key") != self.client_id:
            raise _Refusal(403, "GW-000003", "Forbidden: the x-api-key header is missing or invalid")
        if headers.get("x-gw-ims-org-id") != self.org_id:
            raise _Refusal(403, "GW-000004", "Forbidden: the x-gw-ims-org-id header is missing or invalid")
        if headers.get("x-request-id") is not None:
            raise _Refusal(400, "MSG-000090", "x-request-id is generated by Adobe.io; do not send it")
        if not health:
            sandbox = headers.get("x-sandbox-name")
            if not sandbox:
                raise _Refusal(400, "MSG-000091", "the x-sandbox-name header is required")
            if sandbox != self.sandbox:
                raise _Refusal(400, "MSG-000092", f"sandbox {sandbox!r} not found")

    def _api(self, method: str, path: str, headers: Headers, body: Any) -> _Answer:
        route = self._route(method, path)
        if route is None:
            return _problem(404, "MSG-000404", f"no route for {method} {path}", {})
        handler, arg = route
        self._check_headers(headers, health=path == f"{PREFIX}/health")
        if method == "POST" and "application/json" not in (headers.get("Content-Type") or "").lower():
            raise _Refusal(415, "MSG-000415", "Content-Type must be application/json")
        fault = self._pick_fault(method, path)
        if fault is not None and fault != "drop_after_commit":
            return _fault(fault)
        answer = handler(arg, body)
        if fault == "drop_after_commit":
            return _Answer(None, fault=fault)
        return answer

    def _route(self, method: str, path: str) -> tuple[Callable[[str, Any], _Answer], str] | None:
        if not path.startswith(PREFIX + "/"):
            return None
        rest = path[len(PREFIX) + 1:]
        if rest == "health" and method == "GET":
            return self._health, ""
        if rest == "executions/unitary" and method == "POST":
            return self._unitary, ""
        if rest == "executions/audience" and method == "POST":
            return self._audience, ""
        if rest.startswith("executions/audience/") and method == "GET":
            return self._execution_status, unquote(rest.split("/", 2)[2])
        if rest.startswith("executions/schedules/") and method in ("GET", "DELETE"):
            handler = self._schedule_status if method == "GET" else self._cancel
            return handler, unquote(rest.split("/", 2)[2])
        return None

    def _health(self, _arg: str, _body: Any) -> _Answer:
        return _Answer(200, {"status": "UP"})

    def _campaign(self, body: Mapping[str, Any], kind: str) -> _Campaign:
        cid = str(body.get("campaignId"))
        ctx = {"requestId": str(body.get("requestId", "")), "campaignId": cid}
        campaign = self._campaigns.get(cid)
        if campaign is None:
            raise _Refusal(400, "MSG-000010", f"campaign {cid} not found", ctx)
        if campaign.status != "live":
            raise _Refusal(400, "MSG-000011", f"campaign {cid} is not live (status: {campaign.status})", ctx)
        now = self._clock()
        if campaign.start is not None and now < campaign.start:
            raise _Refusal(400, "MSG-000012", f"campaign {cid} has not started yet (starts {_iso(campaign.start)})",
                           ctx)
        if campaign.end is not None and now >= campaign.end:
            raise _Refusal(400, "MSG-000013", f"campaign {cid} has ended ({_iso(campaign.end)})", ctx)
        if campaign.type != kind:
            raise _Refusal(400, "MSG-000014", f"campaign {cid} is a {campaign.type} campaign; this endpoint "
                           f"runs {kind} campaigns", ctx)
        return campaign

    @staticmethod
    def _check_context(context: Any, ctx: Mapping[str, str], where: str) -> None:
        if context is None:
            return
        if not isinstance(context, dict):
            raise _Refusal(400, "MSG-000020", f"{where} must be an object", ctx)
        if "system" in context:
            raise _Refusal(400, "MSG-000021", f"{where}.system is reserved", ctx)

        def walk(value: Mapping[str, Any], at: str) -> None:
            for key, item in value.items():
                if isinstance(item, dict):
                    walk(item, f"{at}.{key}")
                elif not isinstance(item, str):
                    raise _Refusal(400, "MSG-000022", f"{at}.{key} must be a string or an object", ctx)

        walk(context, where)

    def _duplicate(self, request_id: str, kind: str) -> dict[str, Any] | None:
        if not self.dedupe:
            return None
        with self._lock:
            for record in self._executions:
                if record["requestId"] == request_id and record["kind"] == kind:
                    return record
        return None

    def _unitary(self, _arg: str, body: Any) -> _Answer:
        if not isinstance(body, dict):
            raise _Refusal(400, "MSG-000001", "the request body must be a JSON object")
        ctx = {"requestId": str(body.get("requestId", "")), "campaignId": str(body.get("campaignId", ""))}
        for name in ("requestId", "campaignId"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise _Refusal(400, "MSG-000002", f"{name} is required", ctx)
        recipients = body.get("recipients")
        if not isinstance(recipients, list) or not 1 <= len(recipients) <= MAX_RECIPIENTS:
            raise _Refusal(400, "MSG-000003", f"recipients must be a list of 1 to {MAX_RECIPIENTS} items", ctx)
        seen: set[str] = set()
        for index, item in enumerate(recipients):
            if not isinstance(item, dict) or item.get("type") not in ("aep", "external"):
                raise _Refusal(400, "MSG-000004", f"recipients[{index}].type must be aep or external", ctx)
            for name in ("userId", "namespace"):
                if not isinstance(item.get(name), str) or not item[name]:
                    raise _Refusal(400, "MSG-000005", f"recipients[{index}].{name} is required", ctx)
            if item["userId"] in seen:
                raise _Refusal(400, "MSG-000006", f"duplicate userId {item['userId']!r} in recipients", ctx)
            seen.add(item["userId"])
            self._check_context(item.get("context"), ctx, f"recipients[{index}].context")
        size = sum(len(json.dumps(r.get("context") or {}, separators=(",", ":")).encode()) for r in recipients)
        if size > MAX_CONTEXT_BYTES:
            raise _Refusal(400, "MSG-000023", "context data exceeds 200 KB", ctx)
        campaign = self._campaign(body, "transactional")
        created: list[str] = []
        for item in recipients:
            key = f"{item['namespace']}:{item['userId']}"
            if item["type"] == "aep" and key not in campaign.profiles:
                if not campaign.creates_profiles:
                    raise _Refusal(400, "MSG-000030", f"profile {key} not found and the campaign does not "
                                   "create profiles", ctx)
                created.append(key)
        previous = self._duplicate(body["requestId"], "unitary")
        if previous is not None:
            return _Answer(202, _accepted(previous))
        with self._lock:
            campaign.profiles.update(created)
        record = {"executionId": self._next_id("UNI"), "kind": "unitary", "requestId": body["requestId"],
                  "campaignId": campaign.id, "recipients": copy.deepcopy(recipients), "createdAt": self._clock(),
                  "createdProfiles": created}
        with self._lock:
            self._executions.append(record)
        return _Answer(202, _accepted(record))

    def _audience(self, _arg: str, body: Any) -> _Answer:
        if not isinstance(body, dict):
            raise _Refusal(400, "MSG-000001", "the request body must be a JSON object")
        ctx = {"requestId": str(body.get("requestId", "")), "campaignId": str(body.get("campaignId", ""))}
        if not isinstance(body.get("campaignId"), str) or not body["campaignId"]:
            raise _Refusal(400, "MSG-000002", "campaignId is required", ctx)
        audience = body.get("audience")
        audience_id = None
        if audience is not None:
            if not isinstance(audience, dict) or not isinstance(audience.get("id"), str):
                raise _Refusal(400, "MSG-000040", "audience.id is required when audience is given", ctx)
            audience_id = audience["id"]
            if audience_id not in self._audiences:
                raise _Refusal(400, "MSG-000041", f"audience {audience_id} not found", ctx)
        self._check_context(body.get("context"), ctx, "context")
        campaign = self._campaign(body, "marketing")
        request_id = str(body.get("requestId") or self._next_id("REQ"))
        schedule = body.get("schedule")
        if schedule is not None:
            try:
                execute_at = _epoch((schedule or {}).get("executeAt"), "executeAt")
            except (TypeError, ValueError, AttributeError):
                execute_at = None
            if execute_at is None:
                raise _Refusal(400, "MSG-000042", "schedule.executeAt must be an ISO 8601 date-time", ctx)
            if execute_at <= self._clock():
                raise _Refusal(400, "MSG-000043", "schedule.executeAt must be in the future", ctx)
            entry: dict[str, Any] = {"scheduleId": self._next_id("SCH"), "campaignId": campaign.id,
                                     "executeAt": execute_at,
                     "audienceId": audience_id, "requestId": request_id, "context": body.get("context"),
                     "scheduleStatus": "Scheduled", "executionId": None}
            with self._lock:
                self._schedules[entry["scheduleId"]] = entry
            return _Answer(202, self._schedule_doc(entry))
        previous = self._duplicate(request_id, "audience")
        if previous is not None:
            return _Answer(202, _accepted(previous))
        record = self._start_audience_run(campaign.id, audience_id, request_id, body.get("context"))
        return _Answer(202, _accepted(record))

    def _start_audience_run(self, campaign_id: str, audience_id: str | None, request_id: str,
                            context: Any) -> dict[str, Any]:
        record = {"executionId": self._next_id("AUD"), "kind": "audience", "requestId": request_id,
                  "campaignId": campaign_id, "audienceId": audience_id, "context": copy.deepcopy(context),
                  "targetedProfileCount": self._audiences.get(audience_id or "", 0), "createdAt": self._clock()}
        with self._lock:
            self._executions.append(record)
        return record

    def _status_doc(self, record: Mapping[str, Any]) -> dict[str, Any]:
        done = self._clock() >= record["createdAt"] + self.audience_run_seconds
        doc = {"executionId": record["executionId"], "campaignId": record["campaignId"],
               "status": "Succeeded" if done else "InProgress",
               "targetedProfileCount": record["targetedProfileCount"], "createdAt": _iso(record["createdAt"])}
        if record.get("audienceId"):
            doc["audienceId"] = record["audienceId"]
        return doc

    def _execution_status(self, execution_id: str, _body: Any) -> _Answer:
        with self._lock:
            record = next((r for r in self._executions
                           if r["executionId"] == execution_id and r["kind"] == "audience"), None)
        if record is None:
            raise _Refusal(404, "MSG-000050", f"execution {execution_id} not found", {"executionId": execution_id})
        return _Answer(200, self._status_doc(record))

    def _fire_due(self, entry: dict[str, Any]) -> None:
        if entry["scheduleStatus"] == "Scheduled" and self._clock() >= entry["executeAt"]:
            record = self._start_audience_run(entry["campaignId"], entry["audienceId"], entry["requestId"],
                                              entry["context"])
            entry["scheduleStatus"], entry["executionId"] = "Triggered", record["executionId"]

    def _schedule_doc(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        doc: dict[str, Any] = {"scheduleId": entry["scheduleId"], "campaignId": entry["campaignId"],
                               "executeAt": _iso(entry["executeAt"]), "scheduleStatus": entry["scheduleStatus"]}
        if entry.get("audienceId"):
            doc["audience"] = {"id": entry["audienceId"]}
        if entry.get("executionId"):
            with self._lock:
                record = next(r for r in self._executions if r["executionId"] == entry["executionId"])
            doc["executionDetails"] = self._status_doc(record)
        return doc

    def _find_schedule(self, schedule_id: str) -> dict[str, Any]:
        with self._lock:
            entry = self._schedules.get(schedule_id)
        if entry is None:
            raise _Refusal(404, "MSG-000060", f"schedule {schedule_id} not found", {"scheduleId": schedule_id})
        self._fire_due(entry)
        return entry

    def _schedule_status(self, schedule_id: str, _body: Any) -> _Answer:
        return _Answer(200, self._schedule_doc(self._find_schedule(schedule_id)))

    def _cancel(self, schedule_id: str, _body: Any) -> _Answer:
        entry = self._find_schedule(schedule_id)
        if entry["scheduleStatus"] != "Scheduled":
            raise _Refusal(400, "MSG-000061", f"schedule {schedule_id} has already been triggered",
                           {"scheduleId": schedule_id})
        with self._lock:
            self._schedules.pop(schedule_id, None)
        return _Answer(200, {})

    def _record(self, method: str, path: str, headers: Headers, answer: _Answer,
                request: Any, kind: str) -> None:
        entry = {"method": method, "path": path, "kind": kind, "status": answer.status, "fault": answer.fault,
                 "headers": sorted(h.lower() for h in headers.keys()),
                 "content_type": headers.get("Content-Type"),
                 # AJO bodies are recorded for contract tests; IMS bodies (secret, token) never are
                 "request": copy.deepcopy(request) if kind == "ajo" else None,
                 "answer": copy.deepcopy(answer.body) if kind == "ajo" and answer.status else None}
        with self._lock:
            entry["seq"] = len(self._calls) + 1
            self._calls.append(entry)


def _accepted(record: Mapping[str, Any]) -> dict[str, Any]:
    """The 202 ``imExecutionResponse``."""
    created = _iso(record["createdAt"])
    return {"executionId": record["executionId"], "requestId": record["requestId"], "createdAt": created,
            "createdBy": f"{AJO_EMULATOR_CLIENT_ID}@AdobeID", "modifiedAt": created,
            "modifiedBy": f"{AJO_EMULATOR_CLIENT_ID}@AdobeID"}


def _problem(status: int, code: str, title: str, context: Mapping[str, str]) -> _Answer:
    return _Answer(status, {"type": f"https://ns.adobe.com/aep/errors/{code}-{status}", "title": title,
                            "status": status, "report": {"additionalContext": dict(context)}},
                   content_type="application/problem+json")


def _fault(fault: str) -> _Answer:
    if fault == "drop":
        return _Answer(None, fault=fault)
    status = int(fault)
    titles = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
              503: "Service Unavailable", 504: "Gateway Timeout"}
    answer = _problem(status, f"MSG-000{status}", titles[status], {})
    answer.fault = fault
    if status == 429:
        answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.command, urlsplit(self.path).path)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_DELETE = do_PUT = do_GET

    def _handle(self) -> None:
        emulator = self.server.emulator
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        path, method = urlsplit(self.path).path, self.command.upper()
        request: Any = None
        if path == IMS_PATH:
            kind = "ims"
            if method != "POST":
                answer = _Answer(405, {"error": "invalid_request"})
            else:
                answer = emulator._ims(parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
        else:
            kind = "ajo"
            try:
                request = json.loads(raw) if raw.strip() else None
                answer = emulator._api(method, path, self.headers, request)
            except ValueError:
                answer = _problem(400, "MSG-000001", "the request body is not valid JSON", {})
            except _Refusal as refusal:
                answer = _problem(refusal.status, refusal.code, refusal.title, refusal.context)
            except Exception:  # an emulator bug must not look like a dropped connection
                log.exception("AJO emulator error on %s %s", method, path)
                answer = _problem(500, "MSG-000500", "Internal Server Error", {})
        emulator._record(method, path, self.headers, answer, request, kind)
        self._send(answer)

    def _send(self, answer: _Answer) -> None:
        if answer.status is None:
            self.close_connection = True
            return
        data = json.dumps(answer.body, separators=(",", ":")).encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
