"""``MarketoClient``: one authenticated, paced, retrying way to call Marketo.

Every request goes: token (auth) → concurrency slot + window place (limits) → HTTP
(transport) → a decision on the answer (``classify``: rows; re-auth and resend once; back
off and retry; a typed error; or, for a write whose answer was lost,
:class:`~marketo_sync.errors.OutcomeUnknown` instead of sending it again), acted on by the
shared retry loop (``loop``). This module only says how to send one attempt and keeps the
counters.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from marketo_sync.client.auth import TokenCache
from marketo_sync.client.classify import (
    Answer,
    Decision,
    Outcome,
    Tries,
    classify_identity,
    classify_marketo,
    parse_rate_message,
)
from marketo_sync.client.limits import Limiter, RateLimits
from marketo_sync.client.loop import RetryLoop, send_once
from marketo_sync.client.paging import iter_offset
from marketo_sync.client.retry import RetryPolicy
from marketo_sync.client.settings import ClientSettings
from marketo_sync.client.transport import Transport
from marketo_sync.errors import ApiError, RunHalted, halts_the_run

#: ``Answer`` and ``parse_rate_message`` live in ``classify``; importable from here as before.
__all__ = ["Answer", "ClientStats", "MarketoClient", "parse_rate_message"]

log = logging.getLogger("marketo_sync.client")


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


class MarketoClient:
    """Authenticated, rate-limited, retrying access to one instance (thread-safe)."""

    def __init__(self, settings: ClientSettings, *, limits: RateLimits | None = None,
                 retry: RetryPolicy | None = None, session: Any = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.limits = limits if limits is not None else RateLimits()
        self.retry = retry if retry is not None else RetryPolicy()
        self._clock = clock
        self._transport = Transport(connect_timeout=settings.connect_timeout,
                                    read_timeout=settings.read_timeout, session=session)
        self._limiter = Limiter(self.limits, clock=clock, sleep=sleep)
        self._auth = TokenCache(self._fetch_token, clock=clock, on_renewal=lambda: self._count(reauths=1))
        self._sleep = sleep
        self._loop = RetryLoop(self.retry, sleep=sleep, clock=clock, log=log,
                               on_retry=lambda: self._count(retries=1))
        self._stats_lock = threading.Lock()
        self._stats = ClientStats()
        self._waiting = 0
        self._wait_started = 0.0
        self._halted: ApiError | None = None
        self._told_615 = False

    def __repr__(self) -> str:
        return f"<MarketoClient {self.settings.instance}>"

    def back_off(self, retry: int) -> None:
        """Wait as the retry policy waits before retry number ``retry`` (1 for the first).

        For callers that must look before they resend a non-idempotent write themselves (a
        program clone after Marketo's 719 lock wait timeout): the wait stays in the client.
        """
        self._sleep(self.retry.backoff(retry))

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
    def waiting_on_rate_limit(self) -> bool:
        """The limiter is holding a call back right now (read-only; for progress lines)."""
        return self._limiter.waiting

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
        """One identity exchange, retried on transport trouble; a refusal (400/401/403) is final."""
        path = "/identity/oauth/token"
        query = {"grant_type": "client_credentials", "client_id": self.settings.client_id,
                 "client_secret": self.settings.client_secret}

        def send(_token: str | None) -> Outcome:
            self._count(identity_calls=1)
            return send_once(self._transport, self._clock, "GET", self.settings.token_url, query=query)

        def classify(outcome: Outcome, tries: Tries) -> Decision[tuple[str, float]]:
            self._log_call("GET", path, outcome.status, "", outcome.sent_at, tries.number, note=outcome.problem)
            return classify_identity(outcome, path=path)

        return self._loop.run(send, classify, label=f"GET {path}")

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
        resend = method == "GET" if idempotent is None else idempotent
        path = "/" + path.lstrip("/")
        url = self.settings.url(path)

        in_flight = [0]  # how many of our calls were on the wire with the last attempt

        def send(token: str | None) -> Outcome:
            self._raise_if_halted(method, path)
            with self._limiter.slot() as in_flight[0]:
                with self._waiting_on_limits():
                    self._limiter.acquire()
                self._raise_if_halted(method, path)
                self._count(calls=1)
                return send_once(self._transport, self._clock, method, url, query=query, form=form, json=json,
                                 headers={"Authorization": f"Bearer {token}"})

        def classify(outcome: Outcome, tries: Tries) -> Decision[Answer]:
            decision = classify_marketo(outcome, idempotent=resend, method=method, path=path)
            self._log_call(method, path, outcome.status, decision.code, outcome.sent_at, tries.number,
                           note=decision.note)
            if decision.code:
                self._count_code(decision.code)
            if decision.rate_limit is not None:  # 606: every thread waits for the window to free
                decision = decision.waiting(self._limiter.rate_limited(*decision.rate_limit))
            if decision.code == "615":
                lowered = self._limiter.too_many_in_flight(in_flight[0])
                if lowered is not None:
                    first, self._told_615 = not self._told_615, True
                    log.log(logging.INFO if first else logging.DEBUG,
                            "615 with %d calls in flight: keeping at most %d in flight for the rest of the run",
                            in_flight[0], lowered)
            return decision

        try:
            return self._loop.run(send, classify, label=f"{method} {path}", auth=self._auth,
                                  waiting=self._waiting_on_limits)
        except ApiError as error:
            if halts_the_run(error) and self._halted is None:
                self._halted = error
            raise

    def _raise_if_halted(self, method: str, path: str) -> None:
        """After a stop class (607, refused credentials, unreachable), send nothing more."""
        halted = self._halted
        if halted is not None:
            raise RunHalted(halted.code, f"not sent: the run stopped after {halted.message}",
                            method=method, path=path)

    @property
    def halted(self) -> ApiError | None:
        """The error that stopped every further call of this client (None while it may call)."""
        return self._halted

    def pages(self, path: str, query: Mapping[str, Any] | None = None, *,
              page_size: int = 200) -> Iterator[dict[str, Any]]:
        """Every row of an asset browse endpoint, page by page (``offset``/``maxReturn``)."""
        return iter_offset(lambda q: self.request("GET", path, query=q), query, page_size=page_size)
