"""Settings of one emulator run: where it listens, what it holds, how it misbehaves.

One dataclass shared by the Python API (``EmulatorServer(config)``), the CLI flags and the
``/_emulator/faults`` side door, so that the three can never disagree on a name or a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Default credentials of the emulator (documented in README; never valid against real Marketo).
EMULATOR_CLIENT_ID = "marketo-sync-emulator"
EMULATOR_CLIENT_SECRET = "emulator-secret-not-for-production"

FAULT_KINDS: tuple[str, ...] = ("500", "502", "604", "608", "713", "drop", "drop_after_commit")
#: Kinds a script (or an explicit ``fault_kinds`` list) may use on top of the default random ones:
#: ``719`` is Marketo's lock wait timeout, documented for Clone Program.
SCRIPT_ONLY_KINDS: tuple[str, ...] = ("606", "615", "html", "719")


@dataclass
class EmulatorConfig:
    """Everything an :class:`~marketo_sync.emulator.server.EmulatorServer` needs to start."""

    host: str = "127.0.0.1"
    port: int = 0
    seed_path: Path | None = None
    seed: Mapping[str, Any] | None = None
    state_path: Path | None = None
    client_id: str = EMULATOR_CLIENT_ID
    client_secret: str = field(default=EMULATOR_CLIENT_SECRET, repr=False)
    rate_limit: tuple[int, float] = (100, 20.0)
    concurrency: int = 10
    daily_quota: int = 50000
    token_ttl: float = 3600.0
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    fault_seed: int | None = None
    legacy_query_token: bool = False
    #: Behave like an instance without the newer flow-step endpoints: they
    #: answer 610; campaign reads still carry ``flow``.
    no_flow_api: bool = False
    #: Answer ``GET /rest/v1/stats/usage.json`` with 610, like an instance without it.
    no_usage_api: bool = False

    def __post_init__(self) -> None:
        self.rate_limit = parse_rate_limit(self.rate_limit)
        if self.seed_path is not None:
            self.seed_path = Path(self.seed_path)
        if self.state_path is not None:
            self.state_path = Path(self.state_path)
        check_positive_int("concurrency", self.concurrency)
        check_positive_int("daily_quota", self.daily_quota)
        if float(self.token_ttl) <= 0:
            raise ValueError(f"token_ttl must be > 0 seconds, not {self.token_ttl!r}")
        check_fault_rate(self.fault_rate)
        if float(self.latency_ms) < 0:
            raise ValueError(f"latency_ms must be >= 0, not {self.latency_ms!r}")


def parse_rate_limit(value: Any) -> tuple[int, float]:
    """``"100/20"``, ``[100, 20]`` or ``(100, 20.0)`` -> ``(100, 20.0)``; ValueError otherwise."""
    if isinstance(value, str):
        parts = value.split("/")
        if len(parts) != 2:
            raise ValueError(f"rate limit must look like CALLS/SECONDS (e.g. 100/20), not {value!r}")
        value = parts
    try:
        calls, seconds = value
        calls, seconds = int(calls), float(seconds)
    except (TypeError, ValueError):
        raise ValueError(f"rate limit must look like CALLS/SECONDS (e.g. 100/20), not {value!r}") from None
    if calls < 1 or seconds <= 0:
        raise ValueError(f"rate limit needs CALLS >= 1 and SECONDS > 0, not {calls}/{seconds:g}")
    return calls, seconds


def check_positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, not {value!r}")
    return value


def check_fault_rate(value: Any) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"fault_rate must be between 0 and 1, not {value!r}")
    return rate
