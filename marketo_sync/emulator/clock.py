"""Time for the emulator: an injectable clock and Marketo's datetime formats.

Why a module of its own: every rule that involves time (token expiry, ``updatedAt``, the
``runAt`` window, the daily clone allowance) reads the same clock, and tests replace it with a
:class:`ManualClock` so that nothing ever sleeps.
"""

from __future__ import annotations

import functools
import re
import time
from datetime import UTC, datetime, timedelta, timezone

# US Central standard time, where Marketo's daily counters roll over.
CENTRAL = timezone(timedelta(hours=-6))


class ManualClock:
    """A clock that only moves when told to; call it like ``time.time``."""

    def __init__(self, start: float | str = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = parse_iso8601(start) if isinstance(start, str) else float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        """Move time forward and return the new now."""
        self.now += seconds
        return self.now


def system_clock() -> float:
    return time.time()


def asset_time(ts: float) -> str:
    """Asset API datetime, e.g. ``2016-09-10T23:16:19Z+0000`` (both Z and +0000, as Marketo)."""
    return _asset_second(int(ts))


@functools.lru_cache(maxsize=4096)
def _asset_second(second: int) -> str:
    """Cached: a page of 200 records shares a few timestamps, and strftime was a fifth of a browse."""
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ+0000")


def lead_time(ts: float) -> str:
    """Lead-database datetime, e.g. ``2015-08-24T20:17:23Z``."""
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"(Z)?(?:([+-])(\d{2}):?(\d{2}))?$"
)


def parse_iso8601(text: str) -> float:
    """Seconds since the epoch for the ISO-8601 forms Marketo accepts and emits.

    Accepts ``2016-09-10T23:15:00-00:00``, ``...+0000``, ``...Z``, Marketo's own
    ``...Z+0000``, optional fractional seconds, and a bare date. No offset means UTC.
    Raises ``ValueError`` on anything else.
    """
    match = _ISO.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"not an ISO-8601 datetime: {text!r}")
    year, month, day, hour, minute, second, _z, sign, off_h, off_m = match.groups()
    offset = timedelta(0)
    if sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        if sign == "-":
            offset = -offset
    stamp = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                     int(second or 0), tzinfo=timezone(offset))
    return stamp.timestamp()


def add_years(ts: float, years: int) -> float:
    """The same wall-clock instant ``years`` later (Feb 29 becomes Feb 28)."""
    moment = datetime.fromtimestamp(ts, UTC)
    try:
        later = moment.replace(year=moment.year + years)
    except ValueError:
        later = moment.replace(year=moment.year + years, day=28)
    return later.timestamp()


def central_day(ts: float) -> str:
    """The US Central calendar day of ``ts``: the key of Marketo's daily allowances."""
    return datetime.fromtimestamp(ts, CENTRAL).strftime("%Y-%m-%d")
