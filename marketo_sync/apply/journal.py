"""The apply journal: one JSON object per line, written and fsynced as each change moves.

Why a journal and not only a receipt: a process can be killed (SIGKILL, a CI runner timing
out, a laptop lid) between two writes. The receipt is then never printed, but every line of
the journal that was written is on disk, because each line is flushed and ``fsync``-ed before
the next API call is made. A truncated last line (killed mid-write) is ignored when reading.

Layout of ``<state_dir>/journal/<UTC timestamp>-<environment>.jsonl``::

    {"type": "header", "format_version": "1", "plan_checksum": ..., "environment": ..., ...}
    {"type": "change", "time": ..., "key": ..., "action": ..., "campaign": {...}, "status": "started", ...}
    {"type": "change", ..., "status": "applied", "id": 1234, "code": null, "message": ""}
    {"type": "footer", "time": ..., "counts": {"applied": 3, ...}}

Secrets never enter it: lines are built from change keys, ids, Marketo codes and messages.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

FORMAT_VERSION = "1"

#: Statuses a change line may carry (``started`` first, then exactly one of the others).
STATUSES = ("started", "applied", "failed", "skipped", "unknown")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def utc_now() -> str:
    """ISO 8601 UTC time with milliseconds (journal lines are ordered by it)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def journal_dir(state_dir: Path | str) -> Path:
    return Path(state_dir) / "journal"


class Journal:
    """Append-only JSON-lines file; thread-safe (changes of a phase complete concurrently)."""

    def __init__(self, path: Path, stream: TextIO) -> None:
        self.path = path
        self._stream = stream
        self._lock = threading.Lock()

    @classmethod
    def create(cls, state_dir: Path | str, environment: str, *, now: datetime | None = None) -> Journal:
        """A new journal file; never overwrites one (two runs in one second get distinct names)."""
        directory = journal_dir(state_dir)
        directory.mkdir(parents=True, exist_ok=True)
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
        env = _UNSAFE.sub("_", environment or "default")
        for n in range(1000):
            again = "" if n == 0 else f".{n:03d}"  # sorts after the first of the same instant
            path = directory / f"{stamp}{again}-{env}.jsonl"
            try:
                stream = path.open("x", encoding="utf-8")
            except FileExistsError:
                continue
            return cls(path, stream)
        raise FileExistsError(f"cannot create a journal file in {directory}")

    def write(self, record: Mapping[str, Any]) -> None:
        """One line, flushed and fsynced before returning, so a kill cannot lose it."""
        line = json.dumps(dict(record), ensure_ascii=False, separators=(",", ":"), default=str)
        with self._lock:
            if self._stream.closed:
                return
            self._stream.write(line + "\n")
            self._stream.flush()
            os.fsync(self._stream.fileno())

    def header(self, **fields: Any) -> None:
        self.write({"type": "header", "format_version": FORMAT_VERSION, "time": utc_now(), **fields})

    def change(self, *, key: str, action: str, status: str, campaign: Mapping[str, Any] | None = None,
               token: Mapping[str, Any] | None = None, id: int | None = None, code: str | None = None,
               message: str = "", note: str = "") -> None:
        record: dict[str, Any] = {"type": "change", "time": utc_now(), "key": key, "action": action,
                                  "status": status}
        if campaign is not None:
            record["campaign"] = dict(campaign)
        if token is not None:
            record["token"] = dict(token)
        record.update({"id": id, "code": code, "message": message})
        if note:
            record["note"] = note
        self.write(record)

    def footer(self, counts: Mapping[str, int], **fields: Any) -> None:
        self.write({"type": "footer", "time": utc_now(), "counts": dict(counts), **fields})

    def close(self) -> None:
        with self._lock:
            if not self._stream.closed:
                self._stream.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- reading -----------------------------------------------------------------------------------


@dataclass
class JournalContents:
    """What a journal says: header, final status per change, footer (None when interrupted)."""

    path: Path
    header: dict[str, Any] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    footer: dict[str, Any] | None = None
    truncated: bool = False

    @property
    def final(self) -> dict[str, dict[str, Any]]:
        """Last line per change key (``started`` when the process died during the change)."""
        last: dict[str, dict[str, Any]] = {}
        for line in self.lines:
            last[str(line.get("key"))] = line
        return last

    def counts(self) -> dict[str, int]:
        out = {status: 0 for status in STATUSES}
        for line in self.final.values():
            status = str(line.get("status"))
            out[status] = out.get(status, 0) + 1
        return out

    @property
    def complete(self) -> bool:
        return self.footer is not None


def _records(path: Path) -> Iterator[tuple[dict[str, Any] | None, bool]]:
    with path.open(encoding="utf-8") as stream:
        for raw in stream:
            if not raw.strip():
                continue
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                yield None, True  # the last line of a killed process may be cut short
                continue
            yield (value if isinstance(value, dict) else None), False


def read_journal(path: Path | str) -> JournalContents:
    """Parse a journal, tolerating a truncated last line."""
    contents = JournalContents(Path(path))
    for record, broken in _records(contents.path):
        if broken or record is None:
            contents.truncated = True
            continue
        kind = record.get("type")
        if kind == "header":
            contents.header = record
        elif kind == "footer":
            contents.footer = record
        elif kind == "change":
            contents.lines.append(record)
    return contents


def journals(state_dir: Path | str) -> list[Path]:
    """Journal files, oldest first (names start with a sortable UTC timestamp)."""
    directory = journal_dir(state_dir)
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.jsonl"))


#: Journals kept after a successful apply unless the project file says otherwise (``journals.keep``).
DEFAULT_KEEP = 50


def prune(state_dir: Path | str, keep: int = DEFAULT_KEEP) -> list[Path]:
    """Remove all but the newest ``keep`` journals (every environment's, by name order); the
    removed paths. Called after a successful apply only: an interrupted run's journal is the
    record of what it did, so it is kept until later runs succeed."""
    found = journals(state_dir)
    removed = found[: max(0, len(found) - max(1, keep))]
    for path in removed:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
    return removed


def last_journal(state_dir: Path | str, environment: str | None = None) -> Path | None:
    """The newest journal (of ``environment`` when given), or None."""
    found = journals(state_dir)
    if environment is not None:
        env = _UNSAFE.sub("_", environment)
        found = [p for p in found if re.search(rf"Z(\.\d+)?-{re.escape(env)}\.jsonl$", p.name)]
    return found[-1] if found else None
