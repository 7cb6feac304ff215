"""Writing a file so that no reader, crash or kill ever sees half of it.

:func:`write_text` writes a temporary file in the same directory, flushes and ``fsync``-s it,
then ``os.replace``-s it over the target (atomic on POSIX and Windows) and ``fsync``-s the
directory. Every file the tool writes for the user (campaign files from ``import``, plans from
``plan --out``, the instance-count memory) goes through it; the journal, being append-only and
fsynced line by line, does not.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_text(path: Path | str, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, ``\\n`` line ends) atomically.

    A symlink is written through (its target is replaced); the file keeps the permissions it
    had, and a new file gets the usual ones (0666 less the umask), not the temporary file's 0600.
    """
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()
    directory = target.parent
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (not possible on every platform: then skipped)."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)
