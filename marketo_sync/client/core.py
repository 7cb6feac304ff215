"""``MarketoClient``: one authenticated, paced, retrying way to call Marketo.

Every request goes: token (auth) → concurrency slot + window place (limits) → HTTP
(transport) → envelope → either rows, or a decision (re-auth and resend once; back off
and retry; raise a typed error; or, for a write whose answer was lost, raise
:class:`~marketo_sync.errors.OutcomeUnknown` instead of sending it again).
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from marketo_sync.client import envelope
from marketo_sync.client.auth import TokenCache
from marketo_sync.client.limits import Limiter, RateLimits
from marketo_sync.client.paging import iter_offset
from marketo_sync.client.retry import (
    AUTH_CODES,
    REFUSED_BEFORE_PROCESSING,
    RETRYABLE_CODES,
    RETRYABLE_STATUS,
    RetryPolicy,
)
from marketo_sync.client.settings import ClientSettings
from marketo_sync.client.transport import MaybeSent, NotSent, Response, Transport
from marketo_sync.errors import (
    ApiError,
    AuthError,
    OutcomeUnknown,
    QuotaExhausted,
    TransportError,
    api_error,
)

log = logging.getLogger("marketo_sync.client")

_RATE_MESSAGE = re.compile(r"'(\d+)'[^']*'(\d+(?:\.\d+)?)'")


@dataclass
class ClientStats:
    """What a run cost: for the summary line and the plan's call count."""

    calls: int = 0            # REST calls sent (identity calls excluded)
    identity_calls: int = 0
    retries: int = 0
    reauths: int = 0          # identity calls that replaced a token already held
    waited_seconds: float = 0.0  # wall time with a call waiting on the limiter or on 606 back-off
    by_code: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(self.by_code.items()))
        return (f"{self.calls} API call{'s' if self.calls != 1 else ''} "
                f"(+{self.identity_calls} identity), {self.retries} retr{'ies' if self.retries != 1 else 'y'}, "
                f"{self.reauths} re-authentication{'s' if self.reauths != 1 else ''}, "
                f"{self.waited_seconds:.1f} s waiting on rate limits"
                + (f"; Marketo codes: {codes}" if codes else ""))


def parse_rate_message(message: str) -> tuple[int | None, float | None]:
    """``Max rate limit '100' exceeded with in '20' secs`` -> (100, 20.0); (None, None) if not."""
    match = _RATE_MESSAGE.search(message or "")
    if not match:
        return None, None
    return int(match.group(1)), float(match.group(2))


def quota_message(message: str) -> str:
    return (f"the instance's daily API quota is used up ({message.strip() or 'Daily quota reached'}); "
            "it resets at midnight US Central time (America/Chicago). Not retried: no wait within "
            "this run can help. Run again after the reset or ask for a higher quota.")


@dataclass(frozen=True)
class Answer:
    """A successful call: its ``result`` rows and Marketo's ``requestId``."""

    rows: list[dict[str, Any]]
    request_id: str | None = None


class MarketoClient:
    """Authenticated, rate-limited, retrying access to one instance (thread-safe)."""

    def __init__(self, settings: ClientSettings, *, limits: RateLimits | None = None,
                 retry: RetryPolicy | None = None, session: Any = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.limits = limits if limits is not None else RateLimits()
        self.retry = retry if retry is not None else RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._rng = random.Random()
        self._transport = Transport(connect_timeout=settings.connect_timeout,
                                    read_timeout=settings.read_timeout, session=session)
        self._limiter = Limiter(self.limits, clock=clock, sleep=sleep)
        self._auth = TokenCache(self._fetch_token, clock=clock, on_renewal=lambda: self._count(reauths=1))
        self._stats_lock = threading.Lock()
        self._stats = ClientStats()
        self._waiting = 0
        self._wait_started = 0.0

    def __repr__(self) -> str:
        return f"<MarketoClient {self.settings.instance} client_id={self.settings.client_id!r}>"

    # -- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> MarketoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session (unless it was passed in) and forget the token."""
        self._auth.clear()
        self._transport.close()

    @property
    def stats(self) -> ClientStats:
        """Live counters (read them; the client updates them under a lock)."""
        return self._stats

    def _count(self, **deltas: float) -> None:
        with self._stats_lock:
            for name, delta in deltas.items():
                setattr(self._stats, name, getattr(self._stats, name) + delta)

    @contextmanager
    def _waiting_on_limits(self) -> Iterator[None]:
        """Count wall time while at least one thread waits (8 threads waiting 1 s = 1 s, not 8)."""
        with self._stats_lock:
            if self._waiting == 0:
                self._wait_started = self._clock()
            self._waiting += 1
        try:
            yield
        finally:
            with self._stats_lock:
                self._waiting -= 1
                if self._waiting == 0:
                    self._stats.waited_seconds += max(0.0, self._clock() - self._wait_started)

    def _count_code(self, code: str) -> None:
        with self._stats_lock:
            self._stats.by_code[code] = self._stats.by_code.get(code, 0) + 1

    # -- identity --------------------------------------------------------------------

    def _fetch_token(self) -> tuple[str, float]:
        """One identity exchange, retried on transport trouble; 401 is final."""
        path = "/identity/oauth/token"
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            sent = self._clock()
            self._count(identity_calls=1)
            query = {"grant_type": "client_credentials", "client_id": self.settings.client_id,
                     "client_secret": self.settings.client_secret}
            failure: ApiError
            try:
                response = self._transport.send("GET", self.settings.token_url, query=query)
            except (NotSent, MaybeSent) as exc:
                self._log_call("GET", path, None, "", sent, attempt, note=str(exc))
                failure = TransportError("connection", f"identity endpoint unreachable: {exc}",
                                         method="GET", path=path)
            else:
                self._log_call("GET", path, response.status, "", sent, attempt)
                if response.status == 200:
                    try:
                        token, expires_in = envelope.parse_token(response.body)
                    except envelope.NotAnEnvelope as exc:
                        failure = TransportError("not-json", str(exc), method="GET", path=path)
                    else:
                        return token, expires_in
                elif response.status in (400, 401, 403):
                    raise AuthError(str(response.status),
                                    f"the identity endpoint refused the credentials of client id "
                                    f"{self.settings.client_id!r} (HTTP {response.status}); check the "
                                    "client id and secret (MARKETO_CLIENT_ID / MARKETO_CLIENT_SECRET)",
                                    method="GET", path=path)
                elif response.status in RETRYABLE_STATUS:
                    failure = TransportError(str(response.status), f"HTTP {response.status} from identity",
                                             method="GET", path=path)
                else:
                    raise TransportError(str(response.status), f"HTTP {response.status} from identity",
                                         method="GET", path=path)
            wait = self.retry.backoff(attempt, self._rng)
            if not self.retry.allows(attempt, self._clock() - started, wait):
                raise failure
            self._count(retries=1)
            self._sleep(wait)

    def _token(self) -> str:
        return self._auth.token()

    # -- requests --------------------------------------------------------------------

    def _log_call(self, method: str, path: str, status: int | None, code: str, sent: float,
                  attempt: int, note: str = "") -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        ms = (self._clock() - sent) * 1000.0
        retry = f" retry {attempt - 1}" if attempt > 1 else ""
        log.info("%s %s -> %s code=%s %.0f ms%s%s", method, path, status if status is not None else "-",
                 code or "-", ms, retry, f" ({note})" if note else "")

    def request(self, method: str, path: str, *, query: Mapping[str, Any] | None = None,
                form: Mapping[str, Any] | None = None, json: Any = None,
                idempotent: bool | None = None) -> list[dict[str, Any]]:
        """Send one REST call; return its ``result`` rows ([] for "nothing found").

        ``idempotent`` (default: GET yes, POST no) decides what happens when an answer is
        lost: idempotent calls are retried, others raise ``OutcomeUnknown``.
        """
        return self.call(method, path, query=query, form=form, json=json, idempotent=idempotent).rows

    def call(self, method: str, path: str, *, query: Mapping[str, Any] | None = None,
             form: Mapping[str, Any] | None = None, json: Any = None,
             idempotent: bool | None = None) -> Answer:
        """:meth:`request`, keeping Marketo's ``requestId`` too (for receipts and support tickets)."""
        method = method.upper()
        if idempotent is None:
            idempotent = method == "GET"
        path = "/" + path.lstrip("/")
        url = self.settings.url(path)
        started = self._clock()
        attempt = 0
        reauthed = False
        while True:
            attempt += 1
            token = self._token()
            pause = 0.0
            sent_maybe = False
            with self._limiter.slot():
                with self._waiting_on_limits():
                    self._limiter.acquire()
                sent = self._clock()
                self._count(calls=1)
                try:
                    response: Response | None = self._transport.send(
                        method, url, query=query, form=form, json=json,
                        headers={"Authorization": f"Bearer {token}"})
                    problem = ""
                except NotSent as exc:
                    response, problem = None, str(exc)
                except MaybeSent as exc:
                    response, problem, sent_maybe = None, str(exc), True
            failure: ApiError
            if response is None:
                self._log_call(method, path, None, "", sent, attempt, note=problem)
                if sent_maybe and not idempotent:
                    raise self._unknown(method, path, problem)
                failure = TransportError("connection", problem, method=method, path=path)
            elif response.status != 200:
                self._log_call(method, path, response.status, "", sent, attempt)
                detail = f"HTTP {response.status}"
                if response.status not in RETRYABLE_STATUS:
                    raise TransportError(str(response.status), detail, method=method, path=path)
                if not idempotent:
                    raise self._unknown(method, path, detail)
                failure = TransportError(str(response.status), detail, method=method, path=path)
            else:
                try:
                    answer = envelope.parse(response.body)
                except envelope.NotAnEnvelope as exc:
                    self._log_call(method, path, response.status, "", sent, attempt, note=str(exc))
                    if not idempotent:
                        raise self._unknown(method, path, str(exc)) from None
                    failure = TransportError("not-json", str(exc), method=method, path=path)
                else:
                    self._log_call(method, path, response.status, answer.code, sent, attempt)
                    if answer.success or answer.code == "702":
                        if answer.code:
                            self._count_code(answer.code)
                        return Answer([] if answer.empty else answer.rows, answer.request_id)
                    self._count_code(answer.code)
                    where = {"method": method, "path": path}
                    if answer.code in AUTH_CODES:
                        if reauthed:
                            raise AuthError(answer.code, f"{answer.message} (again, after a new access token)",
                                            answer.request_id, **where)
                        reauthed = True
                        self._auth.invalidate(token)
                        attempt -= 1  # the resend after a new token is not a retry
                        continue
                    if answer.code == "607":
                        raise QuotaExhausted("607", quota_message(answer.message), answer.request_id, **where)
                    if answer.code not in RETRYABLE_CODES:
                        raise api_error(answer.code, answer.message, answer.request_id, **where)
                    if not idempotent and answer.code not in REFUSED_BEFORE_PROCESSING:
                        raise self._unknown(method, path, f"Marketo {answer.code}: {answer.message}")
                    failure = api_error(answer.code, answer.message, answer.request_id, **where)
                    if answer.code == "606":
                        pause = self._limiter.rate_limited(*parse_rate_message(answer.message))
            wait = self.retry.backoff(attempt, self._rng)
            if not self.retry.allows(attempt, self._clock() - started, wait + pause):
                raise failure
            log.info("%s %s: %s; retry %d in %.1f s", method, path, failure.code, attempt, wait + pause)
            self._count(retries=1)
            if pause:
                with self._waiting_on_limits():
                    self._sleep(wait)
            else:
                self._sleep(wait)

    def _unknown(self, method: str, path: str, why: str) -> OutcomeUnknown:
        return OutcomeUnknown("outcome-unknown",
                              f"the request was sent but its answer was lost ({why}); it may or may not "
                              "have taken effect, so it was not sent again: look before retrying",
                              method=method, path=path)

    def pages(self, path: str, query: Mapping[str, Any] | None = None, *,
              page_size: int = 200) -> Iterator[dict[str, Any]]:
        """Every row of an asset browse endpoint, page by page (``offset``/``maxReturn``)."""
        return iter_offset(lambda q: self.request("GET", path, query=q), query, page_size=page_size)
