"""`marketo-sync apply [PLANFILE]`: make the reviewed changes, refuse when the world moved.

The steps are the apply workflow's (:mod:`marketo_sync.workflows.apply`): plan now or load
``PLANFILE``; show the plan; refuse an unsafe one (``--allow-delete``, ``--force``); without a
plan file ask for ``yes`` on a terminal (``--auto-approve`` for CI; no terminal and no
``--auto-approve``: refuse); refuse a stale plan (zero writes); apply with a journal; read
back; print the receipt. This module only parses, asks, prints and picks the exit code.
Progress goes to stderr (:class:`~marketo_sync.commands.options.ProgressPrinter`): one updating
line on a terminal, a plain line every 10% of the changes (at most 50) or 10 s without; ``-q``
and ``--format json`` print none.

Exit 0 when every change applied and read back as planned, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from marketo_sync.apply.receipt import Receipt
from marketo_sync.commands.options import (
    ProgressPrinter,
    add_project_arguments,
    add_target_arguments,
    ask_yes,
    is_terminal,
    print_notices,
    use_color,
)
from marketo_sync.constants import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED
from marketo_sync.errors import ApplyInterrupted, MarketoSyncError, PlanError, Terminated
from marketo_sync.render.plan import render_text
from marketo_sync.render.receipt import render_receipt_json, render_receipt_text, render_refusal_json
from marketo_sync.workflows.apply import ApplyOptions, apply_plan, get_plan
from marketo_sync.workflows.inputs import load_inputs, load_project_and_environment
from marketo_sync.workflows.session import open_session


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "apply", help="make the changes of a plan (asks for yes, or --auto-approve)",
        description="Change the Marketo instance to match the campaign files: plan now (or run a plan "
        "saved with `plan --out`), show it, and apply it. Exit codes: 0 everything applied and "
        "verified, 1 otherwise (refused, failed, skipped or unknown changes).",
    )
    parser.add_argument("planfile", nargs="?", type=Path, metavar="PLANFILE",
                        help="a plan saved by `plan --out`; refused if the instance changed since")
    parser.add_argument("--auto-approve", action="store_true",
                        help="do not ask for confirmation (CI); required when there is no terminal")
    parser.add_argument("--allow-delete", action="store_true",
                        help="allow the plan to delete campaigns and tokens")
    parser.add_argument("--force", action="store_true",
                        help="apply even when the plan deletes, deactivates or replaces more than the "
                        "configured share of the managed campaigns (safety.max_destructive_share), or "
                        "its calls exceed safety.max_daily_share of limits.daily_quota")
    parser.add_argument("--allow-replace", action="store_true",
                        help="when planning: allow replacing campaigns found in another folder")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="receipt format: text, or a versioned JSON document for CI (default: text)")
    parser.add_argument("--checksum", metavar="SHA256",
                        help="refuse unless the plan's changes checksum (shown by `plan --format markdown` "
                        "and `show`) is this one: apply exactly what was reviewed")
    add_target_arguments(parser)
    add_project_arguments(parser)
    parser.set_defaults(run=run)


def confirm(stdin: TextIO, stderr: TextIO) -> None:
    """Terraform's question; anything but ``yes`` cancels. No terminal: refuse, never assume."""
    if not is_terminal(stdin):
        raise PlanError("refusing to apply without confirmation: there is no terminal to ask on; "
                        "review the plan and run again with --auto-approve")
    if not ask_yes("Do you want to apply these changes?", stdin, stderr):
        raise PlanError("apply cancelled (the answer was not 'yes'); nothing was changed")


def run(args: argparse.Namespace) -> int:
    """Apply; with ``--format json`` a refusal or error is a JSON document on stdout too (CI reads it)."""
    if args.format != "json":
        return _run(args)
    try:
        return _run(args)
    except MarketoSyncError as error:
        sys.stdout.write(render_refusal_json(error))
        sys.stdout.flush()
        raise  # the CLI prints the message on stderr and exits 1


def _run(args: argparse.Namespace) -> int:
    # A saved plan carries every change it makes: the campaign files may have moved on since.
    narrowed = False
    if args.planfile is not None:
        if args.targets or args.campaigns:
            raise PlanError("--target and --campaigns narrow a new plan; a saved plan is applied whole "
                            "(narrow it when planning)")
        project, environment = load_project_and_environment(args.project, args.env)
        desired = None
    else:
        inputs = load_inputs(args.project, args.env, args.campaigns)
        project, environment, desired = inputs.project, inputs.environment, inputs.desired
        narrowed = inputs.narrowed
    as_json = args.format == "json"
    shown: TextIO = sys.stderr if as_json else sys.stdout  # JSON mode: stdout is the receipt only
    options = ApplyOptions(allow_delete=args.allow_delete, force=args.force, allow_replace=args.allow_replace,
                           safety=project.safety, state_dir=project.state_dir,
                           keep_journals=project.keep_journals)
    with open_session(project, environment, exclusive="apply") as session:
        print_notices(session)
        if args.planfile is None:
            print("Reading the instance…", file=sys.stderr)
        plan = get_plan(session, desired=desired, planfile=args.planfile, allow_replace=args.allow_replace,
                        targets=args.targets, narrowed=narrowed, checksum=args.checksum)
        shown.write(render_text(plan, color=(not as_json) and use_color(shown)))
        shown.flush()
        if not plan.has_changes:
            print("No changes to apply.", file=sys.stderr)
        asks = args.planfile is None and not args.auto_approve
        quiet = as_json or getattr(args, "verbosity", 0) < 0  # -q: no progress
        progress = ProgressPrinter(len(plan.changes), sys.stderr, terminal=is_terminal(sys.stderr),
                                   waiting=lambda: session.client.waiting_on_rate_limit,
                                   tick=0.5 if is_terminal(sys.stderr) else 1.0)
        try:
            with progress:
                receipt = apply_plan(session, plan, options, approve=(lambda: confirm(sys.stdin, sys.stderr))
                                     if asks else None, progress=None if quiet else progress)
        except ApplyInterrupted as interrupted:  # Ctrl-C / SIGTERM: the receipt of what was done
            assert isinstance(interrupted.receipt, Receipt)
            _print_receipt(interrupted.receipt, as_json)
            terminated = isinstance(interrupted.cause, Terminated)
            print("Terminated (SIGTERM)." if terminated else "Interrupted.", file=sys.stderr)
            return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    if not plan.has_changes and not as_json:
        return EXIT_OK
    _print_receipt(receipt, as_json)
    return EXIT_OK if receipt.ok else EXIT_ERROR


def _print_receipt(receipt: Receipt, as_json: bool) -> None:
    sys.stdout.write(render_receipt_json(receipt) if as_json else render_receipt_text(receipt))
    sys.stdout.flush()
