"""One writer per project and instance: an OS file lock under ``.marketo-sync/``.

Why: two applies started together both pass preflight and both write (duplicates refused
only by Marketo's unique names), and two processes on the embedded emulator each rewrite
its state file from their own memory. ``apply``, ``trigger``, ``schedule`` and every command
on the embedded emulator hold this lock for the whole session; a second one is refused at
once (:class:`LockHeld`, exit 1) before it has read or written anything.

The lock is ``fcntl.flock`` on ``.marketo-sync/locks/<instance>.lock``: the kernel releases it
when the process dies, however it dies, so a crash never blocks the next run. The file holds
the holder's pid, host, command and start time, for the refusal message; finding those of a
process that is gone (the lock itself free) is a *stale* lock, taken over with a notice.
One machine only: CI jobs on several machines need the workflow's ``concurrency:`` group
(docs/ci.md).
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from marketo_sync.errors import LockHeld

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Locks this process holds, by path: a session inside a session (the embedded emulator
#: under ``apply``) shares the lock instead of deadlocking on itself.
_held: dict[Path, int] = {}
_held_lock = threading.Lock()


@dataclass(frozen=True)
class Holding:
    """A lock held by this process; ``took_over`` describes a stale holder it replaced."""

    path: Path
    took_over: str = ""


def lock_path(state_dir: Path, instance: str) -> Path:
    """``<state_dir>/locks/<instance>.lock`` (the instance made safe as a file name)."""
    name = _UNSAFE.sub("_", instance).strip("._") or "instance"
    return Path(state_dir) / "locks" / f"{name}.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _read_holder(handle: Any) -> dict[str, Any]:
    handle.seek(0)
    try:
        value = json.loads(handle.read() or "{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def describe(holder: dict[str, Any]) -> str:
    """``pid 123 on host-a, since 2026-12-02T07:00:00+00:00``."""
    host = f" on {holder['host']}" if holder.get("host") else ""
    return f"pid {holder.get('pid', '?')}{host}, since {holder.get('since', '?')}"


@contextmanager
def hold(state_dir: Path, instance: str, *, command: str) -> Iterator[Holding]:
    """Hold the lock of ``instance`` for the ``with`` block; raise :class:`LockHeld` at once
    when another process holds it."""
    path = lock_path(state_dir, instance).absolute()
    with _held_lock:
        if path in _held:
            _held[path] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield Holding(path)
        finally:
            with _held_lock:
                _held[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    handle = os.fdopen(fd, "r+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            what = holder.get("command") or "apply"
            raise LockHeld(f"another {what} is in progress ({describe(holder)}) on {instance}; nothing was "
                           f"changed. Wait for it to finish (lock file {path})") from None
        previous = _read_holder(handle)
        took_over = ""
        if previous.get("pid") and previous.get("pid") != os.getpid():
            state = "no longer running" if not _alive(int(previous["pid"])) else "its lock released"
            took_over = (f"took over a stale lock of {previous.get('command') or 'a run'} "
                         f"({describe(previous)}; {state})")
        me = {"pid": os.getpid(), "host": platform.node(), "command": command,
              "since": datetime.now(UTC).isoformat(timespec="seconds"), "instance": instance}
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(me))
        handle.flush()
        os.fsync(handle.fileno())
        with _held_lock:
            _held[path] = 1
        try:
            yield Holding(path, took_over)
        finally:
            with _held_lock:
                _held.pop(path, None)
            handle.seek(0)
            handle.truncate()  # a clean release leaves no holder behind: no "stale" notice next time
            handle.flush()
    finally:
        handle.close()  # closing releases the flock
