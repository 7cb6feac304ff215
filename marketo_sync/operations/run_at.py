"""When a scheduled run starts (``runAt``): parse it, check Marketo's window, format it.

Marketo answers 1042 to a start under 5 minutes or over 2 years ahead, so that is checked
first; the clock is injectable so the checks can be tested without waiting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from marketo_sync.operations.errors import OperationError

#: Schedule: a run never starts sooner than 5 minutes from now, nor later than 2 years.
MIN_RUN_AT_DELAY = timedelta(minutes=5)
MAX_RUN_AT_YEARS = 2

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


_RELATIVE = re.compile(r"^\+\s*(?P<n>[0-9]+)\s*(?P<unit>m|min|h|d)$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class RunAt:
    """When a scheduled run starts: absolute, or relative to the moment of sending."""

    absolute: datetime | None = None
    relative: timedelta | None = None
    text: str = ""

    def at(self, now: datetime) -> datetime:
        return self.absolute if self.absolute is not None else now + (self.relative or timedelta())


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def parse_run_at(text: str) -> RunAt:
    """``+10m``/``+2h``/``+1d``, or ISO 8601 with an offset (``2026-03-10T15:00:00+01:00``)."""
    raw = str(text).strip()
    match = _RELATIVE.match(raw)
    if match:
        try:
            delta = timedelta(**{_UNITS[match.group("unit").lower()]: int(match.group("n"))})
        except OverflowError:
            delta = timedelta.max
        if delta > timedelta(days=366 * MAX_RUN_AT_YEARS + 1):  # also keeps `now + delta` in range
            raise OperationError(f"--run-at {raw!r} is more than {MAX_RUN_AT_YEARS} years ahead "
                                 "(Marketo would answer 1042)")
        return RunAt(relative=delta, text=raw)
    candidate = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise OperationError(f"--run-at {raw!r} is not a time: give ISO 8601 with an offset "
                             "(2026-03-10T15:00:00+01:00) or +10m / +2h / +1d") from None
    if moment.tzinfo is None:
        raise OperationError(f"--run-at {raw!r} has no UTC offset: add one (e.g. +00:00 or Z), "
                             "otherwise the time zone would be guessed")
    return RunAt(absolute=moment, text=raw)


def check_run_at(run_at: RunAt, now: datetime) -> datetime:
    """The start in UTC; refused when under 5 minutes or over 2 years ahead (Marketo: 1042)."""
    moment = run_at.at(now).astimezone(UTC)
    if moment < now + MIN_RUN_AT_DELAY:
        raise OperationError(f"--run-at {run_at.text!r} is {_describe(moment - now)}: Marketo needs at least "
                             "5 minutes (it would answer 1042)")
    if moment > _add_years(now, MAX_RUN_AT_YEARS):
        raise OperationError(f"--run-at {run_at.text!r} is more than {MAX_RUN_AT_YEARS} years ahead "
                             "(Marketo would answer 1042)")
    return moment


def _describe(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return f"{-seconds // 60} minutes in the past"
    return f"only {seconds // 60} minutes {seconds % 60} seconds ahead"


def iso(moment: datetime) -> str:
    """Marketo's form: ``2026-03-10T14:00:00+0000`` (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
