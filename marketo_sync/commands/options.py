"""Command-line pieces several commands share: project options, colour, confirmation, the
options and output of the two sending commands (``trigger``, ``schedule``), and the progress
printer of ``apply`` and ``demo``.

Not a command itself: commands import this module, never each other.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from marketo_sync import operations as ops
from marketo_sync.apply.progress import Cadence, ProgressEvent, ProgressModel
from marketo_sync.constants import EXIT_ERROR, EXIT_OK
from marketo_sync.render import progress as progress_view


def add_project_arguments(parser: argparse.ArgumentParser, *, campaigns: bool = True) -> None:
    """``--project FILE``, ``--env NAME`` and (with ``campaigns``) ``--campaigns PATH``, repeatable."""
    group = parser.add_argument_group("project options")
    group.add_argument("--project", metavar="FILE", type=Path,
                       help="project file (default: ./marketo-sync.yaml when present)")
    group.add_argument("--env", metavar="NAME",
                       help="environment of the project file (default: its default_environment)")
    if campaigns:
        group.add_argument("--campaigns", metavar="PATH", action="append", type=Path,
                           help="campaign file, directory or glob; repeatable; replaces the project's "
                           "campaign paths (default: campaigns/)")


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """``--target PATH``, repeatable: plan only the campaigns (or a container's campaigns) named."""
    parser.add_argument(
        "--target", metavar="PATH", action="append", default=[], dest="targets",
        help="a campaign path (Folder/…/Name) or a container path (Folder/…); repeatable: plan only "
        "the declared campaigns it names and the token changes they depend on; nothing outside it "
        "is deleted, deactivated or reported as unmanaged")


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def ask_yes(question: str, stdin: TextIO, stderr: TextIO) -> bool:
    """Terraform's question; True only for ``yes``. Raises nothing: the caller words the refusal."""
    stderr.write(f"\n{question} Only 'yes' will be accepted: ")
    stderr.flush()
    return stdin.readline().strip() == "yes"


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# -- trigger and schedule ----------------------------------------------------------------------


def add_campaign_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=int, metavar="N", dest="campaign_id", help="the campaign id")
    which.add_argument("--campaign", metavar="PATH", dest="campaign_path",
                       help='the full path "Folder/…/Program/Campaign Name" (names repeat across programs)')


def add_token_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("My Token overrides (for this run only)")
    group.add_argument("--token", metavar="NAME=VALUE", action="append", default=[],
                       help="NAME is WebinarTitle or {{my.WebinarTitle}}; repeatable; wins over --tokens-file")
    group.add_argument("--tokens-file", metavar="FILE", type=Path,
                       help="YAML mapping of token names to string values")
    group.add_argument("--allow-unknown-tokens", action="store_true",
                       help="do not check that each name is a My Token of the campaign's program "
                       "(Marketo silently ignores unknown names)")


def add_send_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true",
                        help="check everything (including reads) and send nothing")
    parser.add_argument("--auto-approve", "--yes", dest="auto_approve", action="store_true",
                        help="do not ask for confirmation; required when there is no terminal")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="result format: text, or a versioned JSON document (default: text)")
    add_project_arguments(parser, campaigns=False)


def read_tokens(args: argparse.Namespace) -> tuple[dict[str, str], list[str]]:
    """Tokens from ``--tokens-file`` and ``--token`` (which wins), with every problem."""
    from_file: dict[str, str] = {}
    problems: list[str] = []
    if args.tokens_file is not None:
        from_file, problems = ops.load_tokens_file(args.tokens_file)
    from_args, more = ops.parse_token_args(args.token)
    return ops.merge_tokens(from_file, from_args), problems + more


def confirm_send(what: str, stdin: TextIO, stderr: TextIO) -> None:
    """Only ``yes`` on a terminal goes ahead; without a terminal, refuse (never assume)."""
    if not is_terminal(stdin):
        raise ops.OperationError(f"refusing to {what} without confirmation: there is no terminal to ask on; "
                                 "review the summary (--dry-run) and run again with --auto-approve")
    if not ask_yes(f"Do you want to {what}?", stdin, stderr):
        raise ops.OperationError(f"cancelled (the answer was not 'yes'); nothing to {what}")


def finish_operation(args: argparse.Namespace, result: ops.OperationResult) -> int:
    """Print the result (JSON on stdout alone with --format json) and choose the exit code."""
    if args.format == "json":
        sys.stdout.write(result.to_json())
        sys.stderr.write(ops.render_result(result))
    else:
        sys.stdout.write(ops.render_result(result))
    sys.stdout.flush()
    return EXIT_OK if result.ok else EXIT_ERROR


def summary_stream(args: argparse.Namespace) -> TextIO:
    """Where the summary goes: stdout, or stderr when stdout is the JSON result."""
    return sys.stderr if args.format == "json" else sys.stdout


def print_notices(session: Any) -> None:
    """The session's notices (a stale lock taken over) on stderr, as warnings."""
    for notice in getattr(session, "notices", ()):
        print(f"Warning: {notice}", file=sys.stderr)


class ProgressPrinter:
    """Prints an apply's progress on ``stream`` (stderr): on a terminal one updating line, redrawn
    at every change and every ``tick`` seconds (so "waiting on the rate limit" shows while the
    client holds a call back); otherwise a plain line when :class:`~marketo_sync.apply.progress.Cadence`
    says one is due. Use as a context manager around the apply; call it with each event.

    ``clock`` is injectable, and :meth:`refresh` is what the ticker thread calls, so tests drive it
    with a fake clock and no thread (``tick=None``).
    """

    def __init__(self, total: int, stream: TextIO, *, terminal: bool, waiting: Callable[[], bool] = lambda: False,
                 clock: Callable[[], float] = time.monotonic, width: int | None = None,
                 every: int | None = None, seconds: float = 10.0, tick: float | None = 0.5) -> None:
        self.stream = stream
        self.terminal = terminal
        self.width = width
        self.model = ProgressModel(total, clock=clock, waiting=waiting)
        self.cadence = Cadence(total, every=every, seconds=seconds)
        self._tick = tick
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False

    def __call__(self, event: ProgressEvent) -> None:
        self.model.record(event)
        self.refresh()

    def refresh(self) -> None:
        """Draw the line now (terminal), or print it when it is due (no terminal); nothing before
        the first change starts (the question for approval may still be on screen)."""
        if not self.model.begun:
            return
        state = self.model.state()
        with self._lock:
            if self.terminal:
                width = self.width or shutil.get_terminal_size((80, 24)).columns
                self.stream.write(progress_view.terminal_line(state, width))
                self._drawn = True
            elif self.cadence.due(state):
                self.stream.write(progress_view.plain_line(state) + "\n")
            else:
                return
            self.stream.flush()

    def _run(self) -> None:
        assert self._tick is not None
        while not self._stop.wait(self._tick):
            self.refresh()

    def __enter__(self) -> ProgressPrinter:
        if self._tick is not None:
            self._thread = threading.Thread(target=self._run, name="apply-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            if self._drawn:  # keep the last state on screen, end its line
                self.stream.write("\n")
                self.stream.flush()
                self._drawn = False
