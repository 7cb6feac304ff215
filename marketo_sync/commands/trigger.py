"""`marketo-sync trigger`: request a trigger campaign for leads, with My Token overrides.

This sends email to real people, so the order is fixed: parse every argument (no call if
one is wrong), read and validate the campaign, tokens and leads (no write if anything is
wrong), print exactly what will be sent, ask for ``yes`` on a terminal (``--auto-approve``
otherwise; no terminal and no flag: refuse), then send one call per 100 leads, never
resending a call whose answer was lost. ``--dry-run`` stops before the question.

Exit 0 when every call was sent (or the dry run passed), 1 otherwise. The options,
confirmation and output it shares with ``schedule`` are in ``commands/options.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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








def run(args: argparse.Namespace) -> int:
    from marketo_sync.workflows.inputs import load_project_and_environment
    from marketo_sync.workflows.session import open_session

    tokens, problems = read_tokens(args)
    leads, more = read_leads(args)
    problems += more
    if problems:  # before any connection
        raise ops.OperationError(problems)
    project, environment = load_project_and_environment(args.project, args.env)
    with open_session(project, environment, exclusive="trigger") as session:
        print_notices(session)
        request = ops.prepare_trigger(session.api, campaign_id=args.campaign_id, campaign_path=args.campaign_path,
                                      leads=leads, tokens=tokens, allow_unknown_tokens=args.allow_unknown_tokens,
                                      workspace=session.workspace)
        out = summary_stream(args)
        out.write(ops.describe_trigger(request))
        out.flush()
        if not args.dry_run and not args.auto_approve:
            confirm_send("send this request", sys.stdin, sys.stderr)
        result = ops.send_trigger(session.api, request, dry_run=args.dry_run)
    return finish_operation(args, result)
