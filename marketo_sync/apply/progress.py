"""Progress of a long apply as numbers: changes started and done, elapsed, estimated time left.

Pure: the clock is injected, nothing is printed. The applier reports each change it starts
and finishes (:class:`ProgressEvent`); :class:`ProgressModel` counts them and gives a
:class:`ProgressState`; :class:`Cadence` decides when a plain (non-terminal) line is due: every
``every`` changes (10% of the plan, at most 50) or every ``seconds`` (10 s), whichever comes
first, and once at the end. :mod:`marketo_sync.render.progress` writes the lines and
``commands/apply.py`` prints them on stderr (an updating line on a terminal).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

STARTED = "started"
FINISHED = "finished"


@dataclass(frozen=True)
class ProgressEvent:
    """One change started or finished: ``number`` of ``total`` (started: its place in start order)."""

    kind: str
    number: int
    total: int
    action: str
    target: str


@dataclass(frozen=True)
class ProgressState:
    """What a progress line shows."""

    started: int
    done: int
    total: int
    elapsed: float
    #: Seconds left at the pace so far (None before the first change is done).
    eta: float | None
    #: The client's limiter is holding a call back (rate window, or the pause after a 606).
    waiting: bool
    #: The last change started: ``(action, target)``, user text still raw (render escapes it).
    current: tuple[str, str] | None


def eta_seconds(done: int, total: int, elapsed: float) -> float | None:
    """Seconds left if the remaining changes go at the pace of the done ones; None before any."""
    if done <= 0 or elapsed < 0:
        return None
    return max(0.0, elapsed / done * (total - done))


class ProgressModel:
    """Counts of one run (thread-safe: the applier's workers report concurrently)."""

    def __init__(self, total: int, *, clock: Callable[[], float],
                 waiting: Callable[[], bool] = lambda: False) -> None:
        self.total = total
        self._clock = clock
        self._waiting = waiting
        self._start: float | None = None  # the first event: a wait for approval is not elapsed time
        self._lock = threading.Lock()
        self.started = 0
        self.done = 0
        self.current: tuple[str, str] | None = None

    @property
    def begun(self) -> bool:
        """Whether any change was reported yet (nothing is shown before)."""
        return self._start is not None

    def record(self, event: ProgressEvent) -> None:
        with self._lock:
            if self._start is None:
                self._start = self._clock()
            if event.kind == STARTED:
                self.started = max(self.started, event.number)
                self.current = (event.action, event.target)
            elif event.kind == FINISHED:
                self.done += 1

    def state(self) -> ProgressState:
        with self._lock:
            elapsed = 0.0 if self._start is None else max(0.0, self._clock() - self._start)
            return ProgressState(self.started, self.done, self.total, elapsed,
                                 eta_seconds(self.done, self.total, elapsed), bool(self._waiting()), self.current)


def default_every(total: int) -> int:
    """A plain line every 10% of the changes, at most every 50 (and at least every one)."""
    return max(1, min(50, math.ceil(total / 10)))


class Cadence:
    """When a plain line is due: the first start, every ``every`` changes done, every
    ``seconds`` (a heartbeat, so a wait on the rate limit shows too), and the last change done."""

    def __init__(self, total: int, *, every: int | None = None, seconds: float = 10.0) -> None:
        self.total = total
        self.every = every if every is not None else default_every(total)
        self.seconds = seconds
        self._last: tuple[int, int, float] | None = None  # started, done, elapsed of the last line

    def due(self, state: ProgressState) -> bool:
        """Whether to print ``state`` now; records it as printed when it is."""
        last = self._last
        if last is None:
            due = state.started > 0 or state.done > 0
        else:
            started, done, at = last
            due = (state.done - done >= self.every or state.elapsed - at >= self.seconds
                   or (state.done >= state.total > done))
        if due:
            self._last = (state.started, state.done, state.elapsed)
        return due
