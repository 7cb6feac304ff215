"""The retry decisions as tables: one row per (outcome × may it be resent) → verdict.

Pure logic: the classifiers never send or sleep, so no server is needed. The loop is then
driven with scripted outcomes, a recorded ``sleep`` and a fake clock.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from marketo_sync.client.ajo import AjoAuthError, AjoError, AjoOutcomeUnknown, classify_ajo, classify_ims
from marketo_sync.client.auth import TokenCache
from marketo_sync.client.classify import (
    Decision,
    Outcome,
    Tries,
    Verdict,
    classify_identity,
    classify_marketo,
)
from marketo_sync.client.loop import RetryLoop
from marketo_sync.client.retry import REFUSED_BEFORE_PROCESSING, RETRYABLE_CODES, RetryPolicy
from marketo_sync.client.transport import Response
from marketo_sync.errors import (
    ApiError,
    AuthError,
    BusinessRuleError,
    OutcomeUnknown,
    QuotaExhausted,
    RateLimited,
    TransportError,
    Unreachable,
)

PATH = "/rest/asset/v1/smartCampaigns.json"
READ, WRITE = True, False
DONE, REAUTH, RETRY, UNKNOWN, FAIL = (Verdict.DONE, Verdict.REAUTH, Verdict.RETRY, Verdict.UNKNOWN,
                                      Verdict.FAIL)


def answered(status: int, body: Any = None, *, raw: bytes | None = None,
             retry_after: float | None = None) -> Outcome:
    data = raw if raw is not None else json.dumps(body).encode()
    return Outcome(response=Response(status, data, "application/json", retry_after))


def marketo_error(code: str, message: str = "it failed") -> Outcome:
    return answered(200, {"requestId": "r#1", "success": False, "errors": [{"code": code, "message": message}]})


NOT_SENT = Outcome(problem="connection refused or host unreachable")
MAYBE_SENT = Outcome(problem="read timeout", maybe_sent=True)
SUCCESS = answered(200, {"requestId": "r#1", "success": True, "result": [{"id": 7}]})


def marketo(outcome: Outcome, idempotent: bool) -> Decision[Any]:
    return classify_marketo(outcome, idempotent=idempotent, method="GET" if idempotent else "POST", path=PATH)


# -- Marketo REST answers --------------------------------------------------------------------

ROWS: list[tuple[str, Outcome, bool, Verdict, type[Exception] | None]] = [
    *[(f"{code} read", marketo_error(code), READ, RETRY, None) for code in sorted(RETRYABLE_CODES)],
    *[(f"{code} write", marketo_error(code), WRITE,
       RETRY if code in REFUSED_BEFORE_PROCESSING else UNKNOWN, None) for code in sorted(RETRYABLE_CODES)],
    ("601 read", marketo_error("601"), READ, REAUTH, AuthError),
    ("602 read", marketo_error("602"), READ, REAUTH, AuthError),
    ("601 write", marketo_error("601"), WRITE, REAUTH, AuthError),
    ("602 write", marketo_error("602"), WRITE, REAUTH, AuthError),
    ("607 read", marketo_error("607", "Daily quota reached"), READ, FAIL, QuotaExhausted),
    ("607 write", marketo_error("607", "Daily quota reached"), WRITE, FAIL, QuotaExhausted),
    ("709 read", marketo_error("709"), READ, FAIL, BusinessRuleError),
    ("709 write", marketo_error("709"), WRITE, FAIL, BusinessRuleError),
    ("610 (not declared retryable)", marketo_error("610"), READ, FAIL, None),
    ("702 is an empty answer", marketo_error("702"), READ, DONE, None),
    ("success", SUCCESS, READ, DONE, None),
    ("success of a write", SUCCESS, WRITE, DONE, None),
    ("not sent, read", NOT_SENT, READ, RETRY, Unreachable),  # a TransportError that stops a run
    ("not sent, write: nothing reached Marketo", NOT_SENT, WRITE, RETRY, Unreachable),
    ("maybe sent, read", MAYBE_SENT, READ, RETRY, TransportError),
    ("maybe sent, write", MAYBE_SENT, WRITE, UNKNOWN, OutcomeUnknown),
    *[(f"HTTP {s} read", answered(s, raw=b"oops"), READ, RETRY, TransportError) for s in (500, 502, 503, 504)],
    *[(f"HTTP {s} write", answered(s, raw=b"oops"), WRITE, UNKNOWN, OutcomeUnknown) for s in (500, 502, 503, 504)],
    *[(f"HTTP {s}", answered(s, raw=b"no"), idem, FAIL, TransportError)
      for s in (400, 403, 404, 413) for idem in (READ, WRITE)],
    ("HTML instead of JSON, read", answered(200, raw=b"<html>502</html>"), READ, RETRY, TransportError),
    ("HTML instead of JSON, write", answered(200, raw=b"<html>502</html>"), WRITE, UNKNOWN, OutcomeUnknown),
    ("JSON but no envelope, read", answered(200, [1, 2]), READ, RETRY, TransportError),
]


@pytest.mark.parametrize(("outcome", "idempotent", "verdict", "error"),
                         [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_marketo_classification(outcome: Outcome, idempotent: bool, verdict: Verdict,
                                error: type[Exception] | None) -> None:
    decision = marketo(outcome, idempotent)
    assert decision.verdict is verdict
    if verdict is DONE:
        assert decision.error is None and decision.value is not None
    else:
        assert decision.error is not None and decision.error.path == PATH
        if error is not None:
            assert type(decision.error) is error
        if verdict is UNKNOWN:
            assert "look before retrying" in str(decision.error)


def test_marketo_done_values_and_codes() -> None:
    assert marketo(SUCCESS, READ).value.rows == [{"id": 7}]
    assert marketo(SUCCESS, READ).value.request_id == "r#1"
    empty = marketo(marketo_error("702"), READ)
    assert empty.value.rows == [] and empty.code == "702"
    assert marketo(marketo_error("606"), READ).code == "606"


def test_606_carries_the_servers_stated_limit_and_other_codes_do_not() -> None:
    stated = marketo(marketo_error("606", "Max rate limit '100' exceeded with in '20' secs"), READ)
    assert stated.rate_limit == (100, 20.0) and isinstance(stated.error, RateLimited)
    assert marketo(marketo_error("606", "too fast"), READ).rate_limit == (None, None)
    assert marketo(marketo_error("615"), READ).rate_limit is None
    assert marketo(marketo_error("604"), READ).pause == 0.0


def test_607_names_the_daily_quota_and_its_reset() -> None:
    for idempotent in (READ, WRITE):
        message = str(marketo(marketo_error("607", "Daily quota reached"), idempotent).raised())
        assert "daily API quota" in message and "midnight US Central" in message and "Not retried" in message


def test_the_second_601_raises_an_auth_error_saying_so() -> None:
    decision = marketo(marketo_error("601", "Access token invalid"), READ)
    assert "again, after a new access token" in str(decision.raised())


# -- identity (Marketo and IMS) ---------------------------------------------------------------

TOKEN = answered(200, {"access_token": "t:1", "expires_in": 3599})


@pytest.mark.parametrize(("outcome", "verdict"), [
    (TOKEN, DONE),
    (NOT_SENT, RETRY),
    (MAYBE_SENT, RETRY),             # a token request changes nothing: safe to resend
    (answered(200, {"error": "x"}), RETRY),
    (answered(500, raw=b""), RETRY),
    (answered(503, raw=b""), RETRY),
    (answered(400, raw=b""), FAIL),
    (answered(401, raw=b""), FAIL),
    (answered(403, raw=b""), FAIL),
    (answered(404, raw=b""), FAIL),
])
def test_identity_classification(outcome: Outcome, verdict: Verdict) -> None:
    decision = classify_identity(outcome, path="/identity/oauth/token")
    assert decision.verdict is verdict
    if verdict is DONE:
        assert decision.value == ("t:1", 3599.0)
    elif outcome.status in (400, 401, 403):
        assert isinstance(decision.error, AuthError)


@pytest.mark.parametrize(("outcome", "verdict"), [
    (TOKEN, DONE), (NOT_SENT, RETRY), (MAYBE_SENT, RETRY), (answered(502, raw=b""), RETRY),
    (answered(401, {"error": "invalid_client"}), FAIL), (answered(404, raw=b""), FAIL),
])
def test_ims_classification(outcome: Outcome, verdict: Verdict) -> None:
    decision = classify_ims(outcome, path="/ims/token/v3")
    assert decision.verdict is verdict
    if outcome.status == 401:
        assert isinstance(decision.error, AjoAuthError) and "invalid_client" in str(decision.error)


# -- AJO answers -------------------------------------------------------------------------------

EXECUTE, READ_AJO, CANCEL = ("POST", False), ("GET", True), ("DELETE", True)
PROBLEM = {"type": "https://ns.adobe.com/aep/errors/AJO-1", "title": "nope", "status": 400}

AJO_ROWS: list[tuple[str, Outcome, tuple[str, bool], bool, Verdict, type[Exception]]] = [
    ("202 accepted", answered(202, {"executionId": "x"}), EXECUTE, False, DONE, type(None)),
    ("not sent", NOT_SENT, EXECUTE, False, RETRY, AjoError),
    ("execution lost", MAYBE_SENT, EXECUTE, False, UNKNOWN, AjoOutcomeUnknown),
    ("read lost", MAYBE_SENT, READ_AJO, False, RETRY, AjoError),
    ("401", answered(401, PROBLEM), EXECUTE, False, REAUTH, AjoAuthError),
    ("429 with Retry-After", answered(429, PROBLEM, retry_after=2.0), EXECUTE, False, RETRY, AjoError),
    *[(f"HTTP {s}", answered(s, PROBLEM), EXECUTE, False, RETRY, AjoError) for s in (500, 502, 503)],
    ("504 execution", answered(504, PROBLEM), EXECUTE, False, UNKNOWN, AjoOutcomeUnknown),
    ("504 read", answered(504, PROBLEM), READ_AJO, False, RETRY, AjoError),
    ("400", answered(400, PROBLEM), EXECUTE, False, FAIL, AjoError),
    ("404 read", answered(404, PROBLEM), READ_AJO, False, FAIL, AjoError),
    ("404 cancel, first try", answered(404, PROBLEM), CANCEL, False, FAIL, AjoError),
    ("404 cancel after a lost answer", answered(404, PROBLEM), CANCEL, True, DONE, type(None)),
]


@pytest.mark.parametrize(("outcome", "call", "lost_before", "verdict", "error"),
                         [row[1:] for row in AJO_ROWS], ids=[row[0] for row in AJO_ROWS])
def test_ajo_classification(outcome: Outcome, call: tuple[str, bool], lost_before: bool, verdict: Verdict,
                            error: type[Exception]) -> None:
    method, resend = call
    decision = classify_ajo(outcome, Tries(number=2, lost_before=lost_before), method=method,
                            path="/ajo/im/x", request_id="req-1", resend_unknown=resend)
    assert decision.verdict is verdict
    assert type(decision.error) is error
    if verdict is DONE:
        assert decision.value is not None and decision.value.attempts == 2
    if outcome.status == 429:
        assert decision.pause == 2.0
    else:
        assert decision.pause == 0.0


# -- the loop ------------------------------------------------------------------------------------


class Script:
    """Outcomes handed out in order; records the tokens each attempt was sent with."""

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes)
        self.tokens: list[str | None] = []

    def __call__(self, token: str | None) -> Outcome:
        self.tokens.append(token)
        return self.outcomes.pop(0)


class Loop:
    def __init__(self, **policy: Any) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.retries = 0
        self.loop = RetryLoop(RetryPolicy(**{"initial": 1.0, "jitter": 0.0, **policy}), sleep=self.sleep,
                              clock=lambda: self.now, log=logging.getLogger("test"), on_retry=self.count)
        self.issued = 0
        self.auth = TokenCache(self.fetch, clock=lambda: self.now)

    def fetch(self) -> tuple[str, float]:
        self.issued += 1
        return f"token-{self.issued}", 3600.0

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def count(self) -> None:
        self.retries += 1

    def run(self, script: Script, idempotent: bool = True) -> Any:
        return self.loop.run(script, lambda o, t: marketo(o, idempotent), label="GET x", auth=self.auth)


def test_loop_reauthenticates_once_and_that_is_not_a_retry() -> None:
    loop = Loop()
    script = Script(marketo_error("602"), SUCCESS)
    assert loop.run(script).rows == [{"id": 7}]
    assert script.tokens == ["token-1", "token-2"] and loop.retries == 0 and loop.sleeps == []


def test_loop_601_twice_fails_with_the_auth_error() -> None:
    loop = Loop()
    with pytest.raises(AuthError, match="again, after a new access token"):
        loop.run(Script(marketo_error("601"), marketo_error("601")))
    assert loop.issued == 2 and loop.sleeps == []


def test_loop_backs_off_exponentially_and_stops_at_the_attempt_bound() -> None:
    loop = Loop(attempts=4, deadline=1000.0)
    with pytest.raises(TransportError):
        loop.run(Script(*[answered(503, raw=b"")] * 4))
    assert loop.sleeps == [1.0, 2.0, 4.0] and loop.retries == 3


def test_loop_stops_when_the_next_wait_would_pass_the_deadline() -> None:
    loop = Loop(attempts=10, deadline=5.0)
    with pytest.raises(ApiError):  # 604
        loop.run(Script(*[marketo_error("604")] * 10))
    assert loop.sleeps == [1.0, 2.0]  # 1 + 2 + 4 > 5


def test_loop_never_resends_an_unknown_write_or_a_failure() -> None:
    for outcome, error in ((MAYBE_SENT, OutcomeUnknown), (marketo_error("709"), BusinessRuleError)):
        loop = Loop()
        script = Script(outcome, SUCCESS)
        with pytest.raises(error):
            loop.run(script, idempotent=False)
        assert len(script.tokens) == 1 and loop.sleeps == []


def test_loop_waits_at_least_the_servers_pause() -> None:
    loop = Loop()
    answer = Script(answered(429, PROBLEM, retry_after=5.0), answered(202, {}))
    result = loop.loop.run(answer, lambda o, t: classify_ajo(o, t, method="POST", path="/ajo/x", request_id="r",
                                                              resend_unknown=False), label="POST x", auth=loop.auth)
    assert result.attempts == 2 and loop.sleeps == [5.0]


def test_loop_tells_the_classifier_an_earlier_answer_was_lost() -> None:
    loop = Loop()
    seen: list[Tries] = []

    def classify(outcome: Outcome, tries: Tries) -> Decision[Any]:
        seen.append(tries)
        return classify_ajo(outcome, tries, method="DELETE", path="/ajo/x", request_id=None, resend_unknown=True)

    result = loop.loop.run(Script(MAYBE_SENT, answered(404, PROBLEM)), classify, label="DELETE x", auth=loop.auth)
    assert result.status == 200 and [(t.number, t.lost_before) for t in seen] == [(1, False), (2, True)]
