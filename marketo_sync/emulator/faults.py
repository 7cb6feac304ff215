"""Failure injection: latency, random transient errors, dropped connections, scripted faults.

Why deterministic: a client's retry logic is only testable if the same seed produces the same
faults on the same sequence of calls. Random faults draw from one ``random.Random(fault_seed)``
(one draw per eligible call, in arrival order); scripted faults are one-shot and matched first.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from marketo_sync.emulator.config import FAULT_KINDS, SCRIPT_ONLY_KINDS, check_fault_rate

#: Faults answered inside Marketo's envelope with HTTP 200, with Marketo's messages.
ENVELOPE_FAULTS = {
    "604": "Request timed out",
    "606": "Max rate limit '100' exceeded with in '20' secs",
    "608": "API Temporarily Unavailable",
    "615": "Concurrent access limit reached",
    "713": "Transient Error",
    "719": "Lock wait timeout exception",
}
BAD_GATEWAY_HTML = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
MAINTENANCE_HTML = ("<!DOCTYPE html><html><head><title>Marketo</title></head>"
                    "<body><h1>Service temporarily unavailable</h1></body></html>")


@dataclass
class ScriptedFault:
    """One line of a script: the next ``count`` matching calls get ``fault``."""

    fault: str
    method: str | None = None
    path: str | None = None
    path_regex: re.Pattern[str] | None = None
    count: int = 1

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path is not None and self.path != path:
            return False
        return self.path_regex is None or self.path_regex.fullmatch(path) is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fault": self.fault, "count": self.count}
        if self.method:
            out["method"] = self.method
        if self.path is not None:
            out["path"] = self.path
        if self.path_regex is not None:
            out["path_regex"] = self.path_regex.pattern
        return out


def _check_kind(kind: Any, allowed: Iterable[str]) -> str:
    kind = str(kind)
    if kind not in allowed:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(allowed)}")
    return kind


def parse_script(lines: Any) -> list[ScriptedFault]:
    """Validate a ``script`` list from the side door; ValueError names the bad entry."""
    if not isinstance(lines, list):
        raise ValueError("script must be a list of {method, path|path_regex, fault, count}")
    parsed = []
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            raise ValueError(f"script[{index}] must be an object")
        unknown = set(line) - {"method", "path", "path_regex", "fault", "count"}
        if unknown:
            raise ValueError(f"script[{index}] has unknown keys: {', '.join(sorted(unknown))}")
        try:
            regex = re.compile(line["path_regex"]) if line.get("path_regex") else None
        except re.error as exc:
            raise ValueError(f"script[{index}].path_regex is not a regular expression: {exc}") from None
        count = line.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"script[{index}].count must be a whole number >= 1")
        parsed.append(ScriptedFault(fault=_check_kind(line.get("fault"), FAULT_KINDS + SCRIPT_ONLY_KINDS),
                                    method=line.get("method"), path=line.get("path"), path_regex=regex,
                                    count=count))
    return parsed


class FaultInjector:
    """Decides, per API call, whether and how it fails. Thread-safe."""

    def __init__(self, *, latency_ms: float = 0.0, fault_rate: float = 0.0, fault_seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self.latency_ms = float(latency_ms)
        self.fault_rate = check_fault_rate(fault_rate)
        self.fault_seed = fault_seed
        self.fault_kinds: tuple[str, ...] = FAULT_KINDS
        self._random = random.Random(fault_seed)
        self._script: list[ScriptedFault] = []

    def configure(self, settings: Mapping[str, Any]) -> None:
        """Apply the fault part of a ``/_emulator/faults`` body: all checked first, then applied."""
        new: dict[str, Any] = {}
        if "latency_ms" in settings:
            new["latency_ms"] = float(settings["latency_ms"])
            if new["latency_ms"] < 0:
                raise ValueError("latency_ms must be >= 0")
        if "fault_rate" in settings:
            new["fault_rate"] = check_fault_rate(settings["fault_rate"])
        if "fault_kinds" in settings:
            kinds = settings["fault_kinds"]
            if isinstance(kinds, str):
                kinds = [k for k in kinds.split(",") if k]
            if not isinstance(kinds, list) or not kinds:
                raise ValueError("fault_kinds must be a non-empty list")
            new["fault_kinds"] = tuple(_check_kind(k, FAULT_KINDS + SCRIPT_ONLY_KINDS) for k in kinds)
        if "fault_seed" in settings:
            seed = settings["fault_seed"]
            if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
                raise ValueError("fault_seed must be a whole number or null")
            new["fault_seed"] = seed
        if "script" in settings:
            new["script"] = parse_script(settings["script"])
        with self._lock:
            self.latency_ms = new.get("latency_ms", self.latency_ms)
            self.fault_rate = new.get("fault_rate", self.fault_rate)
            self.fault_kinds = new.get("fault_kinds", self.fault_kinds)
            if "fault_seed" in new:
                self.fault_seed = new["fault_seed"]
                self._random = random.Random(self.fault_seed)  # setting a seed restarts the sequence
            if "script" in new:
                self._script = new["script"]

    def pick(self, method: str, path: str) -> str | None:
        """The fault for this call, if any (scripted first, then random)."""
        with self._lock:
            for line in self._script:
                if line.matches(method, path):
                    line.count -= 1
                    if line.count <= 0:
                        self._script.remove(line)
                    return line.fault
            if self.fault_rate > 0:
                draw = self._random.random()
                kind = self._random.choice(self.fault_kinds)
                if draw < self.fault_rate:
                    return kind
            return None

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"latency_ms": self.latency_ms, "fault_rate": self.fault_rate, "fault_seed": self.fault_seed,
                    "fault_kinds": list(self.fault_kinds), "script": [s.to_json() for s in self._script]}
