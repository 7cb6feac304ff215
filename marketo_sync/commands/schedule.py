"""`marketo-sync schedule`: schedule a batch campaign, with My Token overrides.

Same order as ``trigger``: parse (no call if wrong), read and validate (no write if wrong),
print what will run, ask for ``yes`` (``--auto-approve``; no terminal and no flag: refuse),
send once, never resend a call whose answer was lost. A relative ``--run-at`` (``+2h``) is
measured from the moment of sending and checked again just before it.
"""

from __future__ import annotations

import argparse
import sys

from marketo_sync import operations as ops
from marketo_sync.commands.options import (
    add_campaign_arguments,
    add_send_arguments,
    add_token_arguments,
    confirm_send,
    finish_operation,
    print_notices,
    read_tokens,
    summary_stream,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "schedule", help="schedule a batch campaign (runs for its smart list; asks for yes)",
        description="Schedule a batch campaign to run once, overriding My Tokens for this run, optionally "
        "in a clone of its program. Everything is checked before anything is sent. Exit codes: 0 "
        "scheduled, 1 error, refused or outcome unknown.",
    )
    add_campaign_arguments(parser)
    parser.add_argument("--run-at", metavar="WHEN",
                        help="ISO 8601 with offset (2026-03-10T15:00:00+01:00) or +10m / +2h / +1d; "
                        "at least 5 minutes and at most 2 years ahead (default: Marketo's, ~5 minutes)")
    parser.add_argument("--clone-to-program", metavar="NAME", dest="clone_to_program",
                        help="clone the campaign's program under this name and schedule the copy "
                        "(Marketo allows 20 a day)")
    add_token_arguments(parser)
    add_send_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from marketo_sync.workflows.inputs import load_project_and_environment
    from marketo_sync.workflows.session import open_session

    tokens, problems = read_tokens(args)
    if problems:
        raise ops.OperationError(problems)
    if args.run_at is not None:  # a malformed time costs no connection either
        ops.check_run_at(ops.parse_run_at(args.run_at), ops.utc_now())
    project, environment = load_project_and_environment(args.project, args.env)
    with open_session(project, environment, exclusive="schedule") as session:
        print_notices(session)
        request = ops.prepare_schedule(session.api, campaign_id=args.campaign_id,
                                       campaign_path=args.campaign_path, run_at=args.run_at, tokens=tokens,
                                       clone_to_program_name=args.clone_to_program,
                                       allow_unknown_tokens=args.allow_unknown_tokens,
                                       workspace=session.workspace)
        out = summary_stream(args)
        out.write(ops.describe_schedule(request, ops.utc_now()))
        out.flush()
        if not args.dry_run and not args.auto_approve:
            confirm_send("schedule this campaign", sys.stdin, sys.stderr)
        result = ops.send_schedule(session.api, request, dry_run=args.dry_run)
    return finish_operation(args, result)
