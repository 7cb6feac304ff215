"""`marketo-sync drift`: does the instance still match Git? For a scheduled CI job.

It runs the very plan ``plan`` runs (one read, one diff) and reports it from the instance's
point of view (:mod:`marketo_sync.render.drift`). Exit codes: 0 no drift, 2 drift (so the
scheduled job fails and opens an issue), 1 error (invalid files cost no API call).
"""

from __future__ import annotations

import argparse
import sys

from marketo_sync.commands.options import add_project_arguments, add_target_arguments, print_notices
from marketo_sync.constants import EXIT_CHANGES, EXIT_OK
from marketo_sync.render.drift import DRIFT_RENDERERS
from marketo_sync.workflows.inputs import load_inputs
from marketo_sync.workflows.plan import build_plan
from marketo_sync.workflows.session import open_session


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "drift", help="report whether the instance still matches the campaign files (for scheduled CI)",
        description="Plan as `plan` does and report differences between the instance and the files: "
        "campaigns edited in Marketo, read-only `expect` mismatches, and (as information) unmanaged "
        "campaigns. Exit codes: 0 no drift, 1 error, 2 drift.",
    )
    parser.add_argument("--format", choices=tuple(DRIFT_RENDERERS), default="text",
                        help="output format (default: text)")
    add_target_arguments(parser)
    add_project_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    inputs = load_inputs(args.project, args.env, args.campaigns)
    desired = inputs.desired
    print(f"Read {len(desired.campaigns)} campaign(s) from {len(desired.files)} file(s); reading the "
          "instance…", file=sys.stderr)
    with open_session(inputs.project, inputs.environment) as session:
        print_notices(session)
        plan = build_plan(session, desired, targets=args.targets, narrowed=inputs.narrowed)
    sys.stdout.write(DRIFT_RENDERERS[args.format](plan))
    sys.stdout.flush()
    return EXIT_OK if plan.is_empty else EXIT_CHANGES
