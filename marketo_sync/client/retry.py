"""When to try again, and how long to wait first.

An explicit set of retryable answers (as stamina insists: nothing is retried by
accident), exponential backoff with jitter, and two bounds: a number of attempts and a
total deadline. 607 (daily quota) is never retried: no wait inside one run can help.

Whether a failure is *safe* to retry is a separate question answered here too: a request
Marketo refused before doing anything (606, 615, 601/602, a connection that never opened)
may be resent even when it creates something; an answer lost after the request was sent
(timeout, dropped connection, 5xx, a body that is not JSON) leaves a create or a trigger
in an unknown state, and the client must not send it again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from marketo_sync.errors import ConfigError

#: Marketo codes that mean "try again later". 606/615: limits; 604: timed out;
#: 608: API unavailable; 713: transient; 614: subscription unreachable; 719: lock wait.
RETRYABLE_CODES = frozenset({"604", "606", "608", "614", "615", "713", "719"})

#: Codes Marketo returns before it touches anything: resending cannot duplicate a write.
REFUSED_BEFORE_PROCESSING = frozenset({"601", "602", "606", "608", "614", "615"})

#: Codes answered by getting a new access token and resending once.
AUTH_CODES = frozenset({"601", "602"})

#: HTTP statuses worth another try (gateway and server trouble).
RETRYABLE_STATUS = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds and pace of retries: ``attempts`` tries in at most ``deadline`` seconds.

    The n-th wait is ``min(max_wait, initial * 2**(n-1)) + uniform(0, jitter)``.
    """

    attempts: int = 8
    deadline: float = 300.0
    initial: float = 0.5
    max_wait: float = 30.0
    jitter: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.attempts, int) or self.attempts < 1:
            raise ConfigError(f"retry attempts must be at least 1, not {self.attempts!r}")
        for name in ("deadline", "initial", "max_wait", "jitter"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"retry {name} must be a non-negative number, not {value!r}")

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        base = float(min(self.max_wait, self.initial * (2 ** max(0, retry - 1))))
        spread = (rng or random).uniform(0, self.jitter) if self.jitter else 0.0
        return base + spread

    def allows(self, attempt: int, elapsed: float, wait: float) -> bool:
        """Whether one more attempt (after ``attempt`` made and a ``wait``) fits both bounds."""
        return attempt < self.attempts and elapsed + wait <= self.deadline
