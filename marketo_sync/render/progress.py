"""Progress lines of a long apply (:mod:`marketo_sync.apply.progress`), as strings.

On a terminal one updating line: a carriage return, the line cut to the terminal's width, and
"erase to the end of the line" (``\\r…\\x1b[K``), never a newline (the command ends it). Without a
terminal a plain line such as ``change 12 of 60: activate Folder/Name (11 of 60 done, 14 s elapsed,
about 56 s left)``. Names are user text: they go through :func:`~marketo_sync.render.common.inert`
(newline, carriage return, escape, other C0/C1 controls, separators written as escapes such as
``\\n``, ``\\x1b``), so a name can neither start a new line nor move the cursor.
"""

from __future__ import annotations

from marketo_sync.apply.progress import ProgressState
from marketo_sync.render.common import inert

__all__ = ["WAITING", "clear_line", "duration", "inert", "plain_line", "terminal_line"]

WAITING = "waiting on the rate limit"


def duration(seconds: float) -> str:
    """``9 s``, ``2 min 5 s``, ``1 h 02 min``: short, whole seconds."""
    total = int(round(max(0.0, seconds)))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _numbers(state: ProgressState) -> list[str]:
    parts = [f"{state.done} of {state.total} done", f"{duration(state.elapsed)} elapsed"]
    if state.eta is not None and state.done < state.total:
        parts.append(f"about {duration(state.eta)} left")
    if state.waiting:
        parts.append(WAITING)
    return parts


def _current(state: ProgressState) -> str:
    if state.current is None:
        return ""
    action, target = state.current
    return f"{inert(action)} {inert(target)}"


def plain_line(state: ProgressState) -> str:
    """The line printed without a terminal (no newline at the end)."""
    numbers = ", ".join(_numbers(state))
    if state.current is None:
        return f"apply: {numbers}"
    return f"change {state.started} of {state.total}: {_current(state)} ({numbers})"


def terminal_line(state: ProgressState, width: int = 80) -> str:
    """The updating line: ``\\r`` + the line cut to ``width - 1`` columns + erase to the end."""
    text = f"apply: {' · '.join(_numbers(state))}"
    current = _current(state)
    if current:
        text += f" · {current}"
    limit = max(10, width - 1)
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return f"\r{text}\x1b[K"


def clear_line() -> str:
    """Erase the updating line (before the receipt or a message is printed)."""
    return "\r\x1b[K"
