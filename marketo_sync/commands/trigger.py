"""`marketo-sync trigger`: request a trigger campaign for leads, with My Token overrides.

This sends email to real people, so the order is fixed: parse every argument (no call if
one is wrong), read and validate the campaign, tokens and leads (no write if anything is
wrong), print exactly what will be sent, ask for ``yes`` on a terminal (``--auto-approve``
otherwise; no terminal and no flag: refuse), then send one call per 100 leads, never
resending a call whose answer was lost. ``--dry-run`` stops before the question.

Exit 0 when every call was sent (or the dry run passed), 1 otherwise. The shared pieces
(options, confirmation, output) are used by ``schedule`` too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from marketo_sync import operations as ops
from marketo_sync.constants import EXIT_ERROR, EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "trigger", help="request a trigger campaign for leads (sends email; asks for yes)",
        description="Run leads through a trigger campaign that has a 'Campaign is Requested' (Web Service "
        "API) trigger, overriding My Tokens for this run. Everything is checked before anything is "
        "sent; more than 100 leads are sent as several requests. Exit codes: 0 sent, 1 error, refused "
        "or outcome unknown.",
    )
    add_campaign_arguments(parser)
    leads = parser.add_argument_group("leads (at least one)")
    leads.add_argument("--lead", metavar="ID", action="append", default=[],
                       help="lead id; repeatable")
    leads.add_argument("--lead-email", metavar="EMAIL", action="append", default=[],
                       help="lead email, resolved to exactly one lead before sending; repeatable")
    leads.add_argument("--leads-file", metavar="FILE", type=Path, action="append", default=[],
                       help="one lead id or email per line ('#' comments)")
    add_token_arguments(parser)
    add_send_arguments(parser)
    parser.set_defaults(run=run)


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
    group = parser.add_argument_group("project options")
    group.add_argument("--project", metavar="FILE", type=Path,
                       help="project file (default: ./marketo-sync.yaml when present)")
    group.add_argument("--env", metavar="NAME",
                       help="environment of the project file (default: its default_environment)")


def read_tokens(args: argparse.Namespace) -> tuple[dict[str, str], list[str]]:
    """Tokens from ``--tokens-file`` and ``--token`` (which wins), with every problem."""
    from_file: dict[str, str] = {}
    problems: list[str] = []
    if args.tokens_file is not None:
        from_file, problems = ops.load_tokens_file(args.tokens_file)
    from_args, more = ops.parse_token_args(args.token)
    return ops.merge_tokens(from_file, from_args), problems + more


def read_leads(args: argparse.Namespace) -> tuple[ops.LeadInput, list[str]]:
    leads = ops.LeadInput()
    ids, problems = ops.parse_lead_ids(args.lead)
    emails, more = ops.parse_lead_emails(args.lead_email)
    leads.ids += ids
    leads.emails += emails
    problems += more
    for path in args.leads_file:
        loaded, more = ops.load_leads_file(path)
        leads.ids += loaded.ids
        leads.emails += loaded.emails
        problems += more
    return leads, problems


def confirm(what: str, stdin: TextIO, stderr: TextIO) -> None:
    """Only ``yes`` on a terminal goes ahead; without a terminal, refuse (never assume)."""
    isatty = getattr(stdin, "isatty", None)
    if not (isatty and isatty()):
        raise ops.OperationError(f"refusing to {what} without confirmation: there is no terminal to ask on; "
                                 "review the summary (--dry-run) and run again with --auto-approve")
    stderr.write(f"\nDo you want to {what}? Only 'yes' will be accepted: ")
    stderr.flush()
    if stdin.readline().strip() != "yes":
        raise ops.OperationError(f"cancelled (the answer was not 'yes'); nothing to {what}")


def finish(args: argparse.Namespace, result: ops.OperationResult) -> int:
    """Print the result (JSON on stdout alone with --format json) and choose the exit code."""
    if args.format == "json":
        sys.stdout.write(result.to_json())
        sys.stderr.write(ops.render_result(result))
    else:
        sys.stdout.write(ops.render_result(result))
    sys.stdout.flush()
    return EXIT_OK if result.ok else EXIT_ERROR


def shown(args: argparse.Namespace) -> TextIO:
    """Where the summary goes: stdout, or stderr when stdout is the JSON result."""
    return sys.stderr if args.format == "json" else sys.stdout


def run(args: argparse.Namespace) -> int:
    from marketo_sync.commands._common import load_project_and_environment
    from marketo_sync.connect import open_session

    tokens, problems = read_tokens(args)
    leads, more = read_leads(args)
    problems += more
    if problems:  # before any connection
        raise ops.OperationError(problems)
    project, environment = load_project_and_environment(args)
    with open_session(project, environment) as session:
        request = ops.prepare_trigger(session.api, campaign_id=args.campaign_id, campaign_path=args.campaign_path,
                                      leads=leads, tokens=tokens, allow_unknown_tokens=args.allow_unknown_tokens)
        out = shown(args)
        out.write(ops.describe_trigger(request))
        out.flush()
        if not args.dry_run and not args.auto_approve:
            confirm("send this request", sys.stdin, sys.stderr)
        result = ops.send_trigger(session.api, request, dry_run=args.dry_run)
    return finish(args, result)
