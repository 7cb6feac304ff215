"""Command-line entry point: argument parsing, logging set-up, errors and exit codes.

Each subcommand lives in ``marketo_sync/commands/<name>.py`` and exposes
``register(subparsers)``, which adds its parser and sets ``run=<function(args) -> int>``.
This module is the only place that turns exceptions into messages and exit codes
(Terraform's convention: 0 nothing to do / success, 1 any error **including a usage error**,
2 only "changes or drift present"; argparse's own usage exit 2 is remapped to 1 so that a CI
job reading 2 as "drift" is never fooled by a typo).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn, TextIO

from marketo_sync import __version__
from marketo_sync.constants import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TERMINATED
from marketo_sync.errors import MarketoSyncError, Terminated

#: Subcommand modules under ``marketo_sync.commands``, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = ("validate", "plan", "show", "apply", "drift", "compare", "import", "trigger",
                             "schedule", "ajo", "conformance", "demo", "emulator")

#: ``MARKETO_SYNC_LOG`` values and the ``-v`` count each stands for.
LOG_LEVELS: dict[str, int] = {"quiet": -1, "error": -1, "warning": 0, "info": 1, "debug": 2}


class Parser(argparse.ArgumentParser):
    """argparse with usage errors exiting 1 (not 2: 2 means "changes or drift present")."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _add_verbosity(parser: argparse.ArgumentParser, *, suffix: str = "") -> None:
    """``-v``/``-vv``/``-q``; subcommands count into their own ``dest`` (summed by :func:`verbosity`)."""
    group = parser.add_argument_group("output options") if suffix else parser
    group.add_argument(
        "-v", "--verbose", action="count", default=0, dest=f"verbose{suffix}",
        help="log every API call (-v) or debug details (-vv) to stderr; secrets are never logged "
        "(also MARKETO_SYNC_LOG=info|debug)",
    )
    group.add_argument("-q", "--quiet", action="store_true", default=False, dest=f"quiet{suffix}",
                       help="log errors only and print no progress lines")


def _subparsers_of(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every parser below ``parser`` (subcommands and their own subcommands)."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found.append(sub)
                found.extend(_subparsers_of(sub))
    return found


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every subcommand registered; ``-v``/``-q`` accepted on every level."""
    parser = Parser(
        prog="marketo-sync",
        description="Campaign-as-code for Adobe Marketo Engage: plan and apply smart campaigns "
        "declared in YAML. Exit codes: 0 success or no changes, 1 any error (usage errors too), "
        "2 changes or drift present.",
    )
    parser.add_argument("--version", action="version", version=f"marketo-sync {__version__}")
    _add_verbosity(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"marketo_sync.commands.{name}")
        module.register(subparsers)
    for sub in _subparsers_of(parser):
        _add_verbosity(sub, suffix="_after")
    return parser


def verbosity(args: argparse.Namespace, environ: os._Environ[str] | dict[str, str] | None = None) -> int:
    """-1 quiet, 0 warnings, 1 API calls, 2 debug: the flags (before and after the subcommand)
    or, when none is given, ``MARKETO_SYNC_LOG``."""
    count = int(getattr(args, "verbose", 0)) + int(getattr(args, "verbose_after", 0))
    quiet = bool(getattr(args, "quiet", False) or getattr(args, "quiet_after", False))
    if quiet:
        return -1
    if count:
        return count
    wanted = (environ if environ is not None else os.environ).get("MARKETO_SYNC_LOG", "").strip().lower()
    return LOG_LEVELS.get(wanted, 0)


class _CliHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """The handler the CLI adds; marked so that a second run replaces only its own."""


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def configure_logging(level_count: int, stream: TextIO | None = None) -> None:
    """Log ``marketo_sync.*`` to stderr with timestamps: errors only (-q), warnings by default,
    API calls (-v), debug (-vv).

    An embedding program keeps its logging: the root logger's handlers are never touched, and
    when the program has configured any, our records go to them (propagation) instead of to a
    handler of ours. Only a handler this function added before is replaced.
    """
    level = (logging.ERROR if level_count < 0 else logging.WARNING if level_count == 0
             else logging.INFO if level_count == 1 else logging.DEBUG)
    logger = logging.getLogger("marketo_sync")
    logger.handlers[:] = [h for h in logger.handlers if not isinstance(h, _CliHandler)]
    logger.setLevel(level)
    logger.propagate = True
    if logging.getLogger().handlers:
        return
    handler = _CliHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT, datefmt=LOG_DATE_FORMAT))
    logger.addHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help and --version exit 0; usage errors already exit 1
        return int(exit_.code or 0) if isinstance(exit_.code, int | None) else EXIT_ERROR
    level = verbosity(args)
    args.verbosity = level
    configure_logging(level)
    with _sigterm_as_interrupt():
        try:
            return int(args.run(args))
        except MarketoSyncError as error:
            print(f"Error: {error}", file=sys.stderr)
            return EXIT_ERROR
        except Terminated:
            print("Terminated (SIGTERM).", file=sys.stderr)
            return EXIT_TERMINATED
        except KeyboardInterrupt:
            print("Interrupted.", file=sys.stderr)
            return EXIT_INTERRUPTED


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated("SIGTERM")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` (a KeyboardInterrupt) in the main thread, so every
    command stops as on Ctrl-C: the call in flight finishes, the journal footer and the receipt
    are written. Only the main thread can install handlers (tests may run elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
