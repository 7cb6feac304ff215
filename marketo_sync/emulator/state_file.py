"""The embedded emulator's state file, shared safely by the processes that use it.

Each command on an embedded-emulator environment runs its own emulator in-process, loading
the state file and saving it after every change. Saving the whole file from memory loses
whatever another process wrote since this one read it (two overlapping applies lost 103 of
150 changes). So every request is a read-modify-write under an exclusive ``flock`` on
``<state>.lock``: the file is re-read first when it changed since this process last read or
wrote it, the request runs, and a changing request writes the file back (temporary file,
fsync, ``os.replace``) before the lock is released.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_Signature = tuple[int, int, int]


class StateFile:
    """Read-modify-write access to one state file (thread-safe and process-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._seen: _Signature | None = None

    def _signature(self) -> _Signature | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    @contextmanager
    def _flock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the flock

    @contextmanager
    def transaction(self, load: Callable[[dict[str, Any]], None], dump: Callable[[], dict[str, Any]] | None,
                    ) -> Iterator[None]:
        """Hold the file for one request: ``load`` the file if another process changed it,
        run the block, then save ``dump()`` when a dump is given (a changing request)."""
        with self._lock, self._flock():
            signature = self._signature()
            if signature is not None and signature != self._seen:
                load(json.loads(self.path.read_text(encoding="utf-8")))
                self._seen = signature
            yield
            if dump is not None:
                self._write(json.dumps(dump(), separators=(",", ":")))  # compact: ~4x faster

    def _write(self, text: str) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._seen = self._signature()
