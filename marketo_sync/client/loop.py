"""The one retry loop of marketo-sync, shared by the Marketo, identity, AJO and IMS calls.

It owns what every call has in common: the attempt count, the backoff and the deadline
(:class:`~marketo_sync.client.retry.RetryPolicy`), one re-authentication per call, the
retry counter and the (injectable) sleep and clock. It does not know what an answer
means: each call passes ``send`` (one attempt, given the token) and ``classify`` (a pure
function from ``client/classify.py`` or ``client/ajo.py``), and the loop acts on the
:class:`~marketo_sync.client.classify.Decision`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar, cast

from marketo_sync.client.auth import TokenCache
from marketo_sync.client.classify import Decision, Outcome, Tries, Verdict
from marketo_sync.client.retry import RetryPolicy
from marketo_sync.client.transport import MaybeSent, NotSent, Transport

T = TypeVar("T")

#: One attempt: given the access token (None for a token request), send and report.
Send = Callable[[str | None], Outcome]


def send_once(transport: Transport, clock: Callable[[], float], method: str, url: str, *,
              query: Mapping[str, Any] | None = None, form: Mapping[str, Any] | None = None,
              json: Any = None, headers: Mapping[str, str] | None = None) -> Outcome:
    """Send one request and say what happened, without raising for a lost or refused connection."""
    sent_at = clock()
    try:
        response = transport.send(method, url, query=query, form=form, json=json, headers=headers)
    except NotSent as exc:
        return Outcome(problem=str(exc), sent_at=sent_at)
    except MaybeSent as exc:
        return Outcome(problem=str(exc), maybe_sent=True, sent_at=sent_at)
    return Outcome(response=response, sent_at=sent_at)


class RetryLoop:
    """Runs a call until its classifier says done, the budget is spent, or a decision is final."""

    def __init__(self, policy: RetryPolicy, *, sleep: Callable[[float], None], clock: Callable[[], float],
                 log: logging.Logger, on_retry: Callable[[], None] = lambda: None,
                 rng: random.Random | None = None) -> None:
        self.policy = policy
        self._sleep = sleep
        self._clock = clock
        self._log = log
        self._on_retry = on_retry
        self._rng = rng if rng is not None else random.Random()

    def run(self, send: Send, classify: Callable[[Outcome, Tries], Decision[T]], *, label: str,
            auth: TokenCache | None = None,
            waiting: Callable[[], AbstractContextManager[None]] | None = None) -> T:
        """The value of the first ``done`` decision; otherwise raise the decision's error.

        ``auth``: where tokens come from (none for a token request); a ``reauth`` decision
        invalidates the token and resends once, and that resend is not counted as a retry.
        ``waiting``: entered while sleeping out a pause the server asked for (the client
        counts that time as time spent on rate limits).
        """
        started = self._clock()
        number = 0
        reauthed = lost = False
        while True:
            number += 1
            token = auth.token() if auth is not None else None
            outcome = send(token)
            decision = classify(outcome, Tries(number=number, lost_before=lost))
            lost = lost or (outcome.response is None and outcome.maybe_sent)
            if decision.verdict is Verdict.DONE:
                return cast(T, decision.value)
            if decision.verdict is Verdict.REAUTH and not reauthed and auth is not None and token is not None:
                reauthed = True
                auth.invalidate(token)
                number -= 1  # the resend with a new token is not a retry
                continue
            if decision.verdict is not Verdict.RETRY:
                raise decision.raised()
            wait = max(self.policy.backoff(number, self._rng), decision.pause)
            if not self.policy.allows(number, self._clock() - started, wait):
                raise decision.raised()
            self._log.info("%s: %s; retry %d in %.1f s", label, decision.raised().code, number, wait)
            self._on_retry()
            with waiting() if waiting is not None and decision.pause else nullcontext():
                self._sleep(wait)
