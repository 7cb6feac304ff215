"""`marketo-sync conformance`: check a real instance against what marketo-sync expects.

Parse the options, let the workflow resolve the paths and show the plan of calls (asking for
``yes`` unless ``--auto-approve``; no terminal and no flag: refuse), run the kit, print the
report (text, or a versioned JSON document on stdout with the text on stderr). Exit 0 when
every step passed or was skipped, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

from marketo_sync.commands.options import add_project_arguments, ask_yes, is_terminal
from marketo_sync.conformance import KitOptions, render_text
from marketo_sync.conformance.kit import DEFAULT_PARENT, Declined
from marketo_sync.constants import EXIT_ERROR, EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "conformance", help="check an instance's API answers against what marketo-sync expects",
        description="Inside a scratch folder it creates, exercise every endpoint and rule marketo-sync relies "
        "on (folders, campaigns, refusals, My Tokens, programs, flow-step detection) and report each step as "
        "pass, deviation, skipped or error; then remove everything it created. It never requests or "
        "schedules a campaign and never creates a lead. Exit codes: 0 every step passed or was skipped, "
        "1 otherwise.",
    )
    parser.add_argument("--parent", metavar="PATH", default=DEFAULT_PARENT,
                        help=f"folder to create the scratch folder in (default: {DEFAULT_PARENT})")
    parser.add_argument("--template", metavar="PATH",
                        help="'Folder/.../Campaign Name' to clone; without it the clone and activation steps "
                        "are skipped. The clone is activated only if every trigger is 'Campaign is Requested'")
    parser.add_argument("--keep", action="store_true",
                        help="leave the scratch folder and its content for inspection (active campaigns are "
                        "still deactivated)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="report format: text, or a versioned JSON document (default: text)")
    parser.add_argument("--auto-approve", "--yes", dest="auto_approve", action="store_true",
                        help="do not ask for confirmation; required when there is no terminal")
    add_project_arguments(parser, campaigns=False)
    parser.set_defaults(run=run)


def approver(args: argparse.Namespace, out: TextIO) -> Callable[[str], None]:
    """Show the plan; go ahead only on ``yes`` at a terminal, or with ``--auto-approve``."""
    def approve(plan: str) -> None:
        out.write(plan)
        out.flush()
        if args.auto_approve:
            return
        if not is_terminal(sys.stdin):
            raise Declined("refusing to run the conformance kit without confirmation: there is no terminal "
                           "to ask on; review the plan and run again with --auto-approve")
        if not ask_yes("Run the conformance kit on this instance?", sys.stdin, sys.stderr):
            raise Declined("cancelled (the answer was not 'yes'); nothing was created")
    return approve


def run(args: argparse.Namespace) -> int:
    from marketo_sync.workflows.conformance import run_conformance
    from marketo_sync.workflows.inputs import load_project_and_environment

    options = KitOptions(parent=args.parent, template=args.template, keep=args.keep)
    project, environment = load_project_and_environment(args.project, args.env)
    shown = sys.stderr if args.format == "json" else sys.stdout
    report = run_conformance(project, environment, options, approve=approver(args, shown))
    if args.format == "json":
        sys.stdout.write(report.to_json())
    shown.write(render_text(report))
    shown.flush()
    sys.stdout.flush()
    return EXIT_OK if report.ok else EXIT_ERROR
