"""Limiter and retry decisions with a fake clock: nothing really sleeps."""

from __future__ import annotations

import random

import pytest

from marketo_sync.client import RateLimits, RetryPolicy
from marketo_sync.client.core import parse_rate_message
from marketo_sync.client.limits import Limiter, SlidingWindow
from marketo_sync.errors import ConfigError


class FakeTime:
    """A clock that advances only when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_rate_limits_bounds() -> None:
    assert RateLimits() == RateLimits(50, 20.0, 5)
    for bad in ({"calls": 0}, {"calls": 101}, {"concurrency": 0}, {"concurrency": 11}, {"window": 0}):
        with pytest.raises(ConfigError):
            RateLimits(**bad)
    RateLimits(calls=100, concurrency=10)


def test_window_allows_n_calls_then_waits_for_the_oldest_to_age_out() -> None:
    time = FakeTime()
    limiter = Limiter(RateLimits(calls=3, window=2.0), clock=time.clock, sleep=time.sleep)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire() == pytest.approx(2.0)
    assert time.now == pytest.approx(1002.0)


def test_window_is_rolling_not_fixed() -> None:
    window = SlidingWindow(2, 10.0)
    window.record(0.0)
    window.record(6.0)
    assert window.delay(9.0) == pytest.approx(1.0)   # the call at 0 leaves the window at 10
    assert window.delay(10.0) == 0.0
    window.record(10.0)
    assert window.delay(12.0) == pytest.approx(4.0)  # now the call at 6 is the oldest


def test_any_20_second_span_holds_at_most_the_limit() -> None:
    time = FakeTime()
    limiter = Limiter(RateLimits(calls=50, window=20.0), clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(300):
        limiter.acquire()
        starts.append(time.now)
        time.now += random.Random(len(starts)).uniform(0, 0.3)
    for i, start in enumerate(starts):
        assert sum(1 for s in starts[i:] if s - start < 20.0 - 1e-9) <= 50  # float rounding


def test_606_pauses_until_our_oldest_call_of_the_server_window_ages_out_and_learns_the_limit() -> None:
    time = FakeTime()
    limiter = Limiter(RateLimits(calls=100, window=20.0), clock=time.clock, sleep=time.sleep)
    for _ in range(10):
        limiter.acquire()
        time.now += 0.1
    pause = limiter.rate_limited(*parse_rate_message("Max rate limit '10' exceeded with in '2' secs"))
    assert pause == pytest.approx(2.0 - 1.0)
    # every thread waits out the pause; then the learned limit (90 % of 10 per 2 s) applies too,
    # counting the 9 calls still in the server's window
    assert limiter.acquire() == pytest.approx(1.1)
    starts = [time.now]
    for _ in range(40):
        limiter.acquire()
        starts.append(time.now)
    for i, start in enumerate(starts):
        assert sum(1 for s in starts[i:] if s - start < 2.0 - 1e-9) <= 9


def test_parse_rate_message() -> None:
    assert parse_rate_message("Max rate limit '100' exceeded with in '20' secs") == (100, 20.0)
    assert parse_rate_message("Concurrent access limit reached") == (None, None)


def test_backoff_is_exponential_capped_and_jittered() -> None:
    policy = RetryPolicy(initial=0.5, max_wait=4.0, jitter=0.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    jittered = RetryPolicy(initial=0.5, jitter=1.0)
    waits = {jittered.backoff(1, random.Random(seed)) for seed in range(20)}
    assert len(waits) > 10 and all(0.5 <= w <= 1.5 for w in waits)


def test_attempts_and_deadline_both_bound_retries() -> None:
    policy = RetryPolicy(attempts=3, deadline=10.0)
    assert policy.allows(1, 0.0, 1.0) and policy.allows(2, 0.0, 1.0)
    assert not policy.allows(3, 0.0, 1.0)
    assert not policy.allows(1, 9.5, 1.0)
    with pytest.raises(ConfigError):
        RetryPolicy(attempts=0)
