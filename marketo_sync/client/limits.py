"""Client-side pacing: a sliding window of calls and a cap on calls in flight.

Marketo's limits (100 calls per rolling 20 s, 10 concurrent) are shared by every
integration on an instance, so one integration should stay at about half of them (Adobe's
advice: 50 per 20 s, 5 concurrent). One :class:`Limiter` is shared by all threads using
a client. ``clock`` and ``sleep`` are injectable so the decisions can be tested without
waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from marketo_sync.errors import ConfigError


@dataclass(frozen=True)
class RateLimits:
    """How hard this client may use the instance: ``calls`` per ``window`` seconds, ``concurrency``."""

    calls: int = 50
    window: float = 20.0
    concurrency: int = 5

    def __post_init__(self) -> None:
        if not isinstance(self.calls, int) or not 1 <= self.calls <= 100:
            raise ConfigError(f"rate limit calls must be 1..100 per window (Marketo allows 100), not {self.calls!r}")
        if not isinstance(self.concurrency, int) or not 1 <= self.concurrency <= 10:
            raise ConfigError(f"concurrency must be 1..10 (Marketo allows 10), not {self.concurrency!r}")
        if not isinstance(self.window, int | float) or self.window <= 0:
            raise ConfigError(f"rate limit window must be a positive number of seconds, not {self.window!r}")


class SlidingWindow:
    """At most ``calls`` starts in any ``window`` seconds (a rolling window, as Marketo counts)."""

    def __init__(self, calls: int, window: float) -> None:
        self.calls = calls
        self.window = float(window)
        self._starts: deque[float] = deque()

    def delay(self, now: float) -> float:
        """Seconds to wait before one more call may start (0 if it may start now)."""
        while self._starts and now - self._starts[0] >= self.window:
            self._starts.popleft()
        if len(self._starts) < self.calls:
            return 0.0
        return self._starts[0] + self.window - now

    def record(self, now: float) -> None:
        self._starts.append(now)

    def oldest_within(self, now: float, window: float) -> float | None:
        """The earliest start less than ``window`` seconds ago (None if there is none)."""
        for start in self._starts:
            if now - start < window:
                return start
        return None


class Limiter:
    """The client's window plus a semaphore; also remembers a pause after a 606.

    ``acquire()`` blocks until a call may start and returns the seconds it waited, so the
    client can report time spent on limits. ``slot()`` is the concurrency cap, held only
    while a request is on the wire (never while backing off).
    """

    def __init__(self, limits: RateLimits, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._window = SlidingWindow(limits.calls, limits.window)
        self._learned: SlidingWindow | None = None
        self._paused_until = 0.0
        #: Calls in flight now, and the cap on them (lowered after a 615: see ``too_many_in_flight``).
        self._in_flight = 0
        self.concurrency = limits.concurrency
        self._slots = threading.Condition(self._lock)
        #: Threads sleeping in :meth:`acquire` right now (read through :attr:`waiting`).
        self._waiters = 0

    @property
    def waiting(self) -> bool:
        """A call is being held back right now: the window is full, or the pause after a 606 runs
        (a read-only signal for progress displays)."""
        with self._lock:
            return self._waiters > 0

    def _delay(self, now: float) -> float:
        delays = [self._window.delay(now), self._paused_until - now]
        if self._learned is not None:
            delays.append(self._learned.delay(now))
        return max(0.0, *delays)

    def acquire(self) -> float:
        """Wait for a free place in the window; record the start; return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                delay = self._delay(now)
                if delay <= 0:
                    self._window.record(now)
                    if self._learned is not None:
                        self._learned.record(now)
                    return waited
            with self._lock:
                self._waiters += 1
            try:
                self._sleep(delay)
            finally:
                with self._lock:
                    self._waiters -= 1
            waited += delay

    @contextmanager
    def slot(self) -> Iterator[int]:
        """Hold one of the ``concurrency`` places while a request is in flight; yields how many
        calls were in flight with this one (for :meth:`too_many_in_flight`)."""
        with self._slots:
            while self._in_flight >= self.concurrency:
                self._slots.wait()
            self._in_flight += 1
            in_flight = self._in_flight
        try:
            yield in_flight
        finally:
            with self._slots:
                self._in_flight -= 1
                self._slots.notify()

    def too_many_in_flight(self, in_flight: int) -> int | None:
        """A 615 arrived with ``in_flight`` calls of ours on the wire: keep at most one fewer in
        flight for the rest of the run (at least 1), as Marketo's headroom is evidently smaller
        than our setting (other integrations share its 10). Returns the new cap when it was
        lowered, None when it already was as low."""
        with self._slots:
            lowered = max(1, in_flight - 1)
            if lowered >= self.concurrency:
                return None
            self.concurrency = lowered
            return lowered

    def rate_limited(self, calls: int | None = None, window: float | None = None) -> float:
        """A 606 arrived: pause every thread until our calls of the server's window have aged out.

        ``calls``/``window`` are the server's limit when its message states them
        ("Max rate limit '100' exceeded with in '20' secs"); it is adopted (at 90 %)
        for the rest of the run, in addition to ours, so the client stops provoking 606. Returns the
        seconds until the pause ends.
        """
        window = float(window) if window else self.limits.window
        with self._lock:
            now = self._clock()
            if calls:
                # We were over the server's limit, whatever our own says: pace by it from now on.
                learned_calls = max(1, int(calls * 0.9))  # margin: send and arrival times differ
                if self._learned is None or (self._learned.calls, self._learned.window) != (learned_calls, window):
                    learned = SlidingWindow(learned_calls, window)
                    for start in self._window._starts:
                        learned.record(start)
                    self._learned = learned
            oldest = self._window.oldest_within(now, window)
            until = (oldest + window) if oldest is not None else now
            self._paused_until = max(self._paused_until, until)
            return max(0.0, self._paused_until - now)
