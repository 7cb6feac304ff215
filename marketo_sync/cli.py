"""Command-line entry point: argument parsing, logging set-up, errors and exit codes.

Each subcommand lives in ``marketo_sync/commands/<name>.py`` and exposes
``register(subparsers)``, which adds its parser and sets ``run=<function(args) -> int>``.
This module is the only place that turns exceptions into messages and exit codes
(Terraform's convention: 0 nothing to do / success, 1 error, 2 changes present).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from marketo_sync import __version__
from marketo_sync.constants import EXIT_ERROR, EXIT_INTERRUPTED
from marketo_sync.errors import MarketoSyncError

#: Subcommand modules under ``marketo_sync.commands``, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = ("validate", "plan", "apply", "drift", "import", "trigger", "schedule", "ajo",
                             "conformance", "demo", "emulator")


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="marketo-sync",
        description="Campaign-as-code for Adobe Marketo Engage: plan and apply smart campaigns "
        "declared in YAML.",
    )
    parser.add_argument("--version", action="version", version=f"marketo-sync {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0,
        help="log every API call (-v) or debug details (-vv) to stderr; secrets are never logged",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"marketo_sync.commands.{name}")
        module.register(subparsers)
    return parser


def configure_logging(verbosity: int) -> None:
    """Log to stderr: warnings by default, API calls with -v, debug with -vv."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("marketo_sync")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return int(args.run(args))
    except MarketoSyncError as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
