"""What one attempt's outcome means: done, re-authenticate, retry, unknown or fail.

Pure functions of (what happened × may this request be resent): they never send, never
sleep and hold no state, so every rule is one row of a table test. The loop in
``client/loop.py`` acts on the :class:`Decision`; each client supplies how to send one
attempt and which classifier reads its answers (Marketo's envelope here, AJO's HTTP and
JSON answers in ``client/ajo.py``).

A write whose answer was lost after it left (timeout, dropped connection, 5xx, a body
that is not JSON) is ``unknown``: resending could create or trigger twice. A request
refused before anything happened (a connection that never opened, 601/602, 606, 608,
614, 615) may be resent even when it creates something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Generic, TypeVar

from marketo_sync.client import envelope
from marketo_sync.client.retry import (
    AUTH_CODES,
    REFUSED_BEFORE_PROCESSING,
    RETRYABLE_CODES,
    RETRYABLE_STATUS,
)
from marketo_sync.client.transport import Response
from marketo_sync.errors import (
    ApiError,
    AuthError,
    OutcomeUnknown,
    QuotaExhausted,
    TransportError,
    Unreachable,
    api_error,
)

T = TypeVar("T")

_RATE_MESSAGE = re.compile(r"'(\d+)'[^']*'(\d+(?:\.\d+)?)'")


class Verdict(Enum):
    """What the loop does next."""

    DONE = "done"          # return the value
    REAUTH = "reauth"      # get a new token and resend, once; a second time raises the error
    RETRY = "retry"        # back off and resend, within the retry budget
    UNKNOWN = "unknown"    # a write's answer was lost: raise OutcomeUnknown, never resend
    FAIL = "fail"          # raise the typed error


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What one attempt produced: an HTTP ``response``, or none and why (``problem``).

    ``maybe_sent`` tells the two kinds of "no answer" apart: False when the connection never
    opened (nothing reached the server), True when the request may have been processed.
    """

    response: Response | None = None
    problem: str = ""
    maybe_sent: bool = False
    #: Clock reading when the request left (for the call log's duration).
    sent_at: float = 0.0

    @property
    def status(self) -> int | None:
        return self.response.status if self.response is not None else None


@dataclass(frozen=True, kw_only=True)
class Tries:
    """What the loop knows when it classifies: the attempt number and the attempts before it."""

    number: int = 1
    #: An earlier attempt of this call was sent and its answer lost.
    lost_before: bool = False


@dataclass(frozen=True, kw_only=True)
class Decision(Generic[T]):
    """A verdict, with the value (done) or the error to raise (any other verdict, when spent)."""

    verdict: Verdict
    value: T | None = None
    error: ApiError | None = None
    #: Seconds the server asked for (``Retry-After``): the next wait is at least this long.
    pause: float = 0.0
    #: A 606's stated limit ``(calls, window)`` (either may be None): the client's limiter
    #: turns it into a pause, because how long depends on the calls it has made.
    rate_limit: tuple[int | None, float | None] | None = None
    #: Marketo's code in the answer, if any (counted and logged by the client).
    code: str = ""
    #: Why, for the call log (a transport problem, an unreadable body).
    note: str = ""

    def waiting(self, seconds: float) -> Decision[T]:
        """The same decision with a server-requested pause of at least ``seconds``."""
        return replace(self, pause=max(self.pause, seconds))

    def raised(self) -> ApiError:
        """The error to raise; every verdict but DONE carries one."""
        if self.error is None:  # a classifier bug, not a Marketo answer
            raise RuntimeError(f"{self.verdict.value} decision without an error")
        return self.error


def done(value: T, *, code: str = "", note: str = "") -> Decision[T]:
    return Decision(verdict=Verdict.DONE, value=value, code=code, note=note)


def fail(error: ApiError, *, code: str = "", note: str = "") -> Decision[Any]:
    return Decision(verdict=Verdict.FAIL, error=error, code=code, note=note)


def retry(error: ApiError, *, pause: float = 0.0, code: str = "", note: str = "") -> Decision[Any]:
    return Decision(verdict=Verdict.RETRY, error=error, pause=pause, code=code, note=note)


def unknown(error: ApiError, *, code: str = "", note: str = "") -> Decision[Any]:
    return Decision(verdict=Verdict.UNKNOWN, error=error, code=code, note=note)


def reauth(error: ApiError, *, code: str = "", note: str = "") -> Decision[Any]:
    """Re-authenticate and resend; ``error`` is raised if a fresh token is refused too."""
    return Decision(verdict=Verdict.REAUTH, error=error, code=code, note=note)


# -- Marketo ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A successful call: its ``result`` rows and Marketo's ``requestId``."""

    rows: list[dict[str, Any]]
    request_id: str | None = None


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


def outcome_unknown(method: str, path: str, why: str) -> OutcomeUnknown:
    return OutcomeUnknown("outcome-unknown",
                          f"the request was sent but its answer was lost ({why}); it may or may not "
                          "have taken effect, so it was not sent again: look before retrying",
                          method=method, path=path)


def classify_marketo(outcome: Outcome, *, idempotent: bool, method: str, path: str) -> Decision[Answer]:
    """One REST answer (or its absence) × whether the request may be resent."""
    response = outcome.response
    if response is None:
        if outcome.maybe_sent and not idempotent:
            return unknown(outcome_unknown(method, path, outcome.problem), note=outcome.problem)
        kind = TransportError if outcome.maybe_sent else Unreachable  # the last attempt decides
        error = kind("connection", outcome.problem, method=method, path=path)
        return retry(error, note=outcome.problem)
    if response.status != 200:
        detail = f"HTTP {response.status}"
        error = TransportError(str(response.status), detail, method=method, path=path)
        if response.status not in RETRYABLE_STATUS:
            return fail(error)
        return retry(error) if idempotent else unknown(outcome_unknown(method, path, detail))
    try:
        answer = envelope.parse(response.body)
    except envelope.NotAnEnvelope as exc:
        if not idempotent:
            return unknown(outcome_unknown(method, path, str(exc)), note=str(exc))
        return retry(TransportError("not-json", str(exc), method=method, path=path), note=str(exc))
    return _classify_envelope(answer, idempotent=idempotent, method=method, path=path)


def _classify_envelope(answer: envelope.Envelope, *, idempotent: bool, method: str,
                       path: str) -> Decision[Answer]:
    code = answer.code
    if answer.success or code == "702":
        rows: list[dict[str, Any]] = [] if answer.empty else list(answer.rows)
        return done(Answer(rows, answer.request_id), code=code)
    if code in AUTH_CODES:
        again = AuthError(code, f"{answer.message} (again, after a new access token)", answer.request_id,
                          method=method, path=path)
        return reauth(again, code=code)
    if code == "607":
        quota = QuotaExhausted("607", quota_message(answer.message), answer.request_id, method=method, path=path)
        return fail(quota, code=code)
    error = api_error(code, answer.message, answer.request_id, method=method, path=path)
    if code not in RETRYABLE_CODES:
        return fail(error, code=code)
    if not idempotent and code not in REFUSED_BEFORE_PROCESSING:
        return unknown(outcome_unknown(method, path, f"Marketo {code}: {answer.message}"), code=code)
    decision: Decision[Answer] = retry(error, code=code)
    if code == "606":
        decision = replace(decision, rate_limit=parse_rate_message(answer.message))
    return decision


#: Identity is the one place the client id travels; its refusal names the variables, never
#: their values (with the id and the secret swapped, the "id" would be the secret).
CREDENTIALS_REFUSED = ("the identity endpoint refused the client id and secret (HTTP {status}); check "
                       "MARKETO_CLIENT_ID / MARKETO_CLIENT_SECRET (or the environment's client_id / "
                       "client_secret settings)")


def classify_identity(outcome: Outcome, *, path: str) -> Decision[tuple[str, float]]:
    """One identity exchange: a token request changes nothing, so every "no answer" is retried."""
    response = outcome.response
    if response is None:
        why = f"identity endpoint unreachable: {outcome.problem}"
        kind = TransportError if outcome.maybe_sent else Unreachable
        return retry(kind("connection", why, method="GET", path=path), note=outcome.problem)
    status = response.status
    if status == 200:
        try:
            return done(envelope.parse_token(response.body))
        except envelope.NotAnEnvelope as exc:
            return retry(TransportError("not-json", str(exc), method="GET", path=path))
    if status in (400, 401, 403):
        return fail(AuthError(str(status), CREDENTIALS_REFUSED.format(status=status), method="GET", path=path))
    error = TransportError(str(status), f"HTTP {status} from identity", method="GET", path=path)
    return retry(error) if status in RETRYABLE_STATUS else fail(error)
