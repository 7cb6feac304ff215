"""Marketo's three call limits: rolling rate window (606), in-flight calls (615), daily quota (607).

Why separate steps: Marketo does not count calls it refuses (606/607/615, nor 601/602), so the
server first takes a concurrency slot (:meth:`Limits.enter`), then checks the token, and only
then asks :meth:`Limits.consume` to count the call against the window and the day.
All settings can change while the server runs (the ``/_emulator/faults`` side door).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from marketo_sync.emulator.clock import central_day, system_clock
from marketo_sync.emulator.exceptions import MarketoApiError


class Limits:
    """Thread-safe counters for one instance (shared by every API user, as in Marketo)."""

    def __init__(self, *, rate_limit: tuple[int, float] = (100, 20.0), concurrency: int = 10,
                 daily_quota: int = 50000, clock: Callable[[], float] | None = None,
                 on_decision: Callable[[], None] | None = None) -> None:
        self._lock = threading.Lock()
        #: Called under the lock when a call is counted or refused (the call log's arrival order).
        self._on_decision = on_decision
        self._clock = clock or system_clock
        self.rate_calls, self.rate_window = rate_limit
        self.concurrency = concurrency
        self.daily_quota = daily_quota
        self._window: deque[float] = deque()
        self._in_flight = 0
        self._day = ""
        self._day_count = 0

    def configure(self, *, rate_limit: tuple[int, float] | None = None, concurrency: int | None = None,
                  daily_quota: int | None = None, used_today: int | None = None) -> None:
        if used_today is not None:
            self.use_today(used_today)
        with self._lock:
            if rate_limit is not None:
                self.rate_calls, self.rate_window = rate_limit
            if concurrency is not None:
                self.concurrency = concurrency
            if daily_quota is not None:
                self.daily_quota = daily_quota

    def reset(self) -> None:
        """Forget the window and the day's count (in-flight calls are still running: kept)."""
        with self._lock:
            self._window.clear()
            self._day_count = 0

    def enter(self) -> None:
        """Take an in-flight slot or raise 615. Pair every successful call with :meth:`leave`."""
        with self._lock:
            if self._in_flight >= self.concurrency:
                raise MarketoApiError("615", "Concurrent access limit reached")
            self._in_flight += 1

    def leave(self) -> None:
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)

    def consume(self) -> None:
        """Count one accepted call, or raise 606 / 607 without counting it."""
        with self._lock:
            if self._on_decision is not None:
                self._on_decision()
            now = float(self._clock())
            while self._window and self._window[0] <= now - self.rate_window:
                self._window.popleft()
            if len(self._window) >= self.rate_calls:
                raise MarketoApiError(
                    "606", f"Max rate limit '{self.rate_calls}' exceeded with in '{self.rate_window:g}' secs")
            day = central_day(now)
            if day != self._day:
                self._day, self._day_count = day, 0
            if self._day_count >= self.daily_quota:
                raise MarketoApiError("607", "Daily quota reached")
            self._window.append(now)
            self._day_count += 1

    def today(self) -> tuple[str, int]:
        """``(US Central day, calls counted that day)`` now: what ``stats/usage.json`` answers."""
        with self._lock:
            day = central_day(float(self._clock()))
            return day, (self._day_count if day == self._day else 0)

    def use_today(self, calls: int) -> None:
        """Set today's count, as if other integrations had made ``calls`` calls (tests)."""
        with self._lock:
            self._day, self._day_count = central_day(float(self._clock())), calls

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {"rate_limit": f"{self.rate_calls}/{self.rate_window:g}", "concurrency": self.concurrency,
                    "daily_quota": self.daily_quota, "in_flight": self._in_flight,
                    "window_count": len(self._window), "daily_count": self._day_count}
