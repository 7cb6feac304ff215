"""``AjoClient``: execute AJO API-triggered campaigns, safely.

Every call goes: local checks (``client/ajo_payloads``) → IMS token (cached, shared) →
HTTP (the project's ``Transport``) → a decision on the answer (:func:`classify_ajo`, acted on
by the shared loop in ``client/loop.py``): a 401 gets one new token and one resend;
429, 500, 502, 503 and connections that never opened are retried with backoff and the SAME
``requestId``; an execution whose answer was lost after sending (timeout, dropped connection,
504) raises :class:`AjoOutcomeUnknown` and is NOT sent again unless ``retry_unknown`` is set,
because Adobe's deduplication on ``requestId`` is undocumented (see docs/ajo.md).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from marketo_sync.client import ajo_payloads as payloads
from marketo_sync.client.ajo_settings import AjoSettings
from marketo_sync.client.auth import TokenCache
from marketo_sync.client.classify import Decision, Outcome, Tries, Verdict, done, fail, reauth, retry, unknown
from marketo_sync.client.loop import RetryLoop, send_once
from marketo_sync.client.retry import RetryPolicy
from marketo_sync.client.transport import SECRETS, Response, Transport
from marketo_sync.errors import ApiError, AuthError, OutcomeUnknown

log = logging.getLogger("marketo_sync.ajo")

#: Answers that mean "not processed, try again" (429: throttled; 500/502/503: server trouble,
#: retried with the same requestId as the AJO docs advise).
RETRYABLE_STATUS = frozenset({429, 500, 502, 503})
#: A gateway timeout: the backend may have accepted the execution. Ambiguous for executions.
AMBIGUOUS_STATUS = frozenset({504})


class AjoError(ApiError):
    """AJO (or IMS) answered with an error: ``status``, ``title``, ``type`` of its problem+json."""

    def __init__(self, status: int | None, title: str, *, type_: str | None = None,
                 additional_context: Mapping[str, Any] | None = None, request_id: str | None = None,
                 method: str | None = None, path: str | None = None) -> None:
        super().__init__(str(status) if status is not None else "connection", title, request_id,
                         method=method, path=path)
        self.status = status
        self.title = title
        self.type = type_
        self.additional_context = dict(additional_context or {})
        where = f" ({method} {path})" if method and path else ""
        kind = f" [{type_}]" if type_ else ""
        head = f"HTTP {status}: " if status is not None else ""
        rid = f" [requestId {request_id}]" if request_id else ""
        self.args = (f"AJO error {head}{title}{kind}{where}{rid}",)


class AjoAuthError(AjoError, AuthError):
    """IMS refused the credentials, or AJO refused a fresh token too."""


class AjoOutcomeUnknown(OutcomeUnknown):
    """An execution was sent but its answer was lost: messages may or may not go out."""

    def __init__(self, method: str, path: str, request_id: str | None, why: str) -> None:
        super().__init__("outcome-unknown", why, request_id, method=method, path=path)
        self.args = (f"outcome unknown: the execution request (requestId {request_id}) was sent to {path} "
                     f"but its answer was lost ({why}); AJO may or may not have accepted it, so it was not "
                     "sent again. Check the campaign's live report or delivery feedback before resending; "
                     "to resend with the same requestId anyway, use --retry-unknown "
                     "(safe only if Adobe deduplicates requestIds, which is unverified).",)


@dataclass
class AjoResult:
    """One successful answer: HTTP status, parsed JSON body, the requestId used, attempts made."""

    status: int
    body: dict[str, Any]
    request_id: str | None = None
    attempts: int = 1


@dataclass
class AjoStats:
    calls: int = 0
    ims_calls: int = 0
    retries: int = 0
    reauths: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (f"{self.calls} AJO call{'s' if self.calls != 1 else ''} (+{self.ims_calls} IMS), "
                f"{self.retries} retr{'ies' if self.retries != 1 else 'y'}, {self.reauths} re-authentication"
                f"{'s' if self.reauths != 1 else ''}")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, ValueError):
        return None


def problem(response: Response, *, method: str, path: str, request_id: str | None) -> AjoError:
    """AJO's problem+json ``{type,title,status,report:{additionalContext}}`` as an :class:`AjoError`."""
    parsed = _json(response.body)
    doc: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    title = str(doc.get("title") or doc.get("error_description") or doc.get("error") or "no error details")
    report: dict[str, Any] = doc["report"] if isinstance(doc.get("report"), dict) else {}
    context: dict[str, Any] = (report["additionalContext"] if isinstance(report.get("additionalContext"), dict)
                               else {})
    rid = str(context.get("requestId") or request_id or "") or None
    type_ = doc.get("type") if isinstance(doc.get("type"), str) else None
    cls = AjoAuthError if response.status in (401, 403) else AjoError
    return cls(response.status, title[:500], type_=type_, additional_context=context, request_id=rid,
               method=method, path=path)


_OAUTH_ERROR = re.compile(r"^[a-z_]{1,40}$")
#: IMS's refusal names the variables, never their values (swapped, the "id" is the secret).
CREDENTIALS_REFUSED = ("IMS refused the client id and secret ({error}); check AJO_CLIENT_ID, "
                       "AJO_CLIENT_SECRET and AJO_SCOPES")


def classify_ims(outcome: Outcome, *, path: str) -> Decision[tuple[str, float]]:
    """One OAuth server-to-server exchange: a token request changes nothing, so it may be resent."""
    response = outcome.response
    if response is None:
        error = AjoError(None, f"IMS unreachable: {outcome.problem}", method="POST", path=path)
        return retry(error, note=outcome.problem)
    doc = _json(response.body)
    if response.status == 200 and isinstance(doc, dict) and isinstance(doc.get("access_token"), str):
        try:
            expires_in = float(doc.get("expires_in", 0))
        except (TypeError, ValueError):
            expires_in = 0.0
        return done((doc["access_token"], expires_in))
    if response.status in (400, 401, 403):
        said = doc.get("error") if isinstance(doc, dict) else None
        # only an OAuth error code ("invalid_client"): free text might quote the credentials back
        code = said if isinstance(said, str) and _OAUTH_ERROR.match(said) else "no details"
        return fail(AjoAuthError(response.status, CREDENTIALS_REFUSED.format(error=code), method="POST", path=path))
    failure = AjoError(response.status, "unexpected answer from IMS", method="POST", path=path)
    return fail(failure) if response.status < 500 else retry(failure)


def classify_ajo(outcome: Outcome, tries: Tries, *, method: str, path: str, request_id: str | None,
                 resend_unknown: bool) -> Decision[AjoResult]:
    """One AJO answer × whether a lost answer may be resent (reads, cancels, ``--retry-unknown``).

    Throttling and server trouble (429, 500, 502, 503) are retried with the same requestId, at
    no sooner than a ``Retry-After`` on 429/503; a 504 is ambiguous like a lost answer; a 401
    gets one new token; a 404 on a DELETE whose earlier answer was lost means it was done.
    """
    response = outcome.response
    if response is None:
        if outcome.maybe_sent and not resend_unknown:
            return unknown(AjoOutcomeUnknown(method, path, request_id, outcome.problem), note=outcome.problem)
        why = f"answer lost: {outcome.problem}" if outcome.maybe_sent else f"not sent: {outcome.problem}"
        return retry(AjoError(None, why, request_id=request_id, method=method, path=path), note=outcome.problem)
    status = response.status
    if 200 <= status < 300:
        doc = _json(response.body)
        return done(AjoResult(status, doc if isinstance(doc, dict) else {}, request_id, tries.number))
    failure = problem(response, method=method, path=path, request_id=request_id)
    if status == 401:
        return reauth(failure)
    if status == 404 and method == "DELETE" and tries.lost_before:
        return done(AjoResult(200, {}, request_id, tries.number),
                    note="404 after a lost answer: most likely done by the earlier attempt")
    if status in AMBIGUOUS_STATUS and not resend_unknown:
        return unknown(AjoOutcomeUnknown(method, path, request_id, f"HTTP {status}"))
    if status not in RETRYABLE_STATUS and status not in AMBIGUOUS_STATUS:
        return fail(failure)
    pause = response.retry_after if status in (429, 503) and response.retry_after is not None else 0.0
    return retry(failure, pause=pause)


class AjoClient:
    """Authenticated, retrying access to the AJO Interactive Message Execution API (thread-safe)."""

    def __init__(self, settings: AjoSettings, *, retry: RetryPolicy | None = None, session: Any = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = settings
        self.retry = retry if retry is not None else RetryPolicy(attempts=5, deadline=120.0)
        self._clock, self._now = clock, now
        SECRETS.add(settings.client_secret)
        self._transport = Transport(connect_timeout=settings.connect_timeout,
                                    read_timeout=settings.read_timeout, session=session)
        self._auth = TokenCache(self._fetch_token, clock=clock, on_renewal=lambda: self._count(reauths=1))
        self._loop = RetryLoop(self.retry, sleep=sleep, clock=clock, log=log,
                               on_retry=lambda: self._count(retries=1))
        self._lock = threading.Lock()
        self.stats = AjoStats()

    def __repr__(self) -> str:
        return f"<AjoClient {self.settings.host} org={self.settings.org_id} sandbox={self.settings.sandbox}>"

    def __enter__(self) -> AjoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._auth.clear()
        self._transport.close()

    def _count(self, **deltas: int) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self.stats, name, getattr(self.stats, name) + delta)

    # -- IMS -----------------------------------------------------------------------------------
    def _fetch_token(self) -> tuple[str, float]:
        """One OAuth server-to-server exchange; retried on transport trouble, final on 4xx."""
        path = "/ims/token/v3"
        form = {"grant_type": "client_credentials", "client_id": self.settings.client_id,
                "client_secret": self.settings.client_secret, "scope": ",".join(self.settings.scopes)}

        def send(_token: str | None) -> Outcome:
            self._count(ims_calls=1)
            return send_once(self._transport, self._clock, "POST", self.settings.token_url, form=form)

        def classify(outcome: Outcome, tries: Tries) -> Decision[tuple[str, float]]:
            self._log("POST", path, outcome.status, outcome.sent_at, tries.number, outcome.problem)
            return classify_ims(outcome, path=path)

        token, expires_in = self._loop.run(send, classify, label=f"POST {path}")
        SECRETS.add(token)
        return token, expires_in

    # -- calls ---------------------------------------------------------------------------------
    def _headers(self, token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "x-api-key": self.settings.client_id,
                "x-gw-ims-org-id": self.settings.org_id, "x-sandbox-name": self.settings.sandbox,
                "Content-Type": "application/json"}

    def _log(self, method: str, path: str, status: int | None, sent: float, attempt: int, note: str = "",
             request_id: str | None = None) -> None:
        if log.isEnabledFor(logging.INFO):
            log.info("%s %s -> %s %.0f ms%s%s%s", method, path, status if status is not None else "-",
                     (self._clock() - sent) * 1000.0, f" retry {attempt - 1}" if attempt > 1 else "",
                     f" requestId={request_id}" if request_id else "", f" ({note})" if note else "")

    def _call(self, method: str, path: str, *, body: Any = None, execution: bool = False,
              retry_unknown: bool = False) -> AjoResult:
        request_id = body.get("requestId") if isinstance(body, dict) else None
        url = self.settings.url(path)
        full_path = "/ajo" + path

        def send(token: str | None) -> Outcome:
            self._count(calls=1)
            return send_once(self._transport, self._clock, method, url, json=body, headers=self._headers(token))

        def classify(outcome: Outcome, tries: Tries) -> Decision[AjoResult]:
            self._log(method, full_path, outcome.status, outcome.sent_at, tries.number, outcome.problem, request_id)
            if outcome.status is not None:
                with self._lock:
                    self.stats.statuses[outcome.status] = self.stats.statuses.get(outcome.status, 0) + 1
            decision = classify_ajo(outcome, tries, method=method, path=full_path, request_id=request_id,
                                    resend_unknown=retry_unknown or not execution)
            if decision.verdict is Verdict.DONE and outcome.status == 404:
                log.warning("%s %s: %s (the schedule was most likely cancelled)", method, full_path, decision.note)
            return decision

        return self._loop.run(send, classify, label=f"{method} {full_path}", auth=self._auth)

    # -- the API -------------------------------------------------------------------------------
    def execute_unitary(self, campaign_id: str, recipients: Sequence[Mapping[str, Any]], *,
                        request_id: str | None = None, retry_unknown: bool = False) -> AjoResult:
        """Send a transactional campaign to 1-20 recipients (checked locally first)."""
        body = payloads.build_unitary(campaign_id, recipients, request_id or payloads.new_request_id())
        return self._call("POST", "/im/executions/unitary", body=body, execution=True,
                          retry_unknown=retry_unknown)

    def execute_audience(self, campaign_id: str, *, audience_id: str | None = None,
                         context: Mapping[str, Any] | None = None, execute_at: str | None = None,
                         request_id: str | None = None, retry_unknown: bool = False) -> AjoResult:
        """Run (or, with ``execute_at``, schedule) a marketing campaign against an audience."""
        body = payloads.build_audience(campaign_id, request_id or payloads.new_request_id(),
                                       audience_id=audience_id, context=context, execute_at=execute_at,
                                       now=self._now())
        return self._call("POST", "/im/executions/audience", body=body, execution=True,
                          retry_unknown=retry_unknown)

    def execution_status(self, execution_id: str) -> AjoResult:
        return self._call("GET", f"/im/executions/audience/{_segment(execution_id, 'execution id')}")

    def schedule_status(self, schedule_id: str) -> AjoResult:
        return self._call("GET", f"/im/executions/schedules/{_segment(schedule_id, 'schedule id')}")

    def cancel_schedule(self, schedule_id: str) -> AjoResult:
        """Cancel a schedule before it fires (idempotent enough to retry: see the 404 rule)."""
        return self._call("DELETE", f"/im/executions/schedules/{_segment(schedule_id, 'schedule id')}")

    def health(self) -> AjoResult:
        return self._call("GET", "/im/health")


def _segment(value: str, what: str) -> str:
    text = str(value or "").strip()
    if not text or len(text) > 200:
        raise payloads.PayloadError([f"{what} must be 1-200 characters"])
    return quote(text, safe="")
