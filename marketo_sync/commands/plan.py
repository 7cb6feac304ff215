"""`marketo-sync plan`: load and validate the files, read the instance, show what would change.

Every file is loaded and validated **before** a session is opened, so invalid files cost zero
API calls. The plan goes to stdout; progress and logs go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from marketo_sync import atomic
from marketo_sync.commands.options import (
    add_project_arguments,
    add_target_arguments,
    print_notices,
    use_color,
)
from marketo_sync.constants import EXIT_CHANGES, EXIT_OK
from marketo_sync.render.plan import RENDERERS, render_markdown, render_text
from marketo_sync.workflows.inputs import load_inputs
from marketo_sync.workflows.plan import build_plan
from marketo_sync.workflows.session import open_session


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "plan", help="show what apply would change (reads the instance, writes nothing)",
        description="Read the campaign files and the Marketo instance and show what apply would "
        "change. Exit codes: 0 no changes, 1 error, 2 changes or drift (with --detailed-exitcode).",
    )
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text",
                        help="output format (default: text)")
    parser.add_argument("--out", metavar="FILE", type=Path,
                        help="save the plan (JSON, with observations) for `apply FILE`")
    parser.add_argument("--detailed-exitcode", action="store_true",
                        help="exit 2 when there are changes or drift, 0 when there are none")
    parser.add_argument("--allow-replace", action="store_true",
                        help="allow replacing campaigns found in another folder (clone + delete; the id changes)")
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
        plan = build_plan(session, desired, allow_replace=args.allow_replace, targets=args.targets,
                          narrowed=inputs.narrowed)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(args.out, plan.to_json())
        print(f"Saved the plan to {args.out}; apply it with `marketo-sync apply {args.out}`.",
              file=sys.stderr)
    if args.format == "text":
        sys.stdout.write(render_text(plan, color=use_color(sys.stdout)))
    elif args.format == "markdown":
        safety = inputs.project.safety
        sys.stdout.write(render_markdown(plan, apply_flags=plan.required_flags(
            max_share=safety.max_destructive_share, min_managed=safety.min_managed,
            max_daily_share=safety.max_daily_share)))
    else:
        sys.stdout.write(RENDERERS[args.format](plan))
    sys.stdout.flush()
    if args.detailed_exitcode and not plan.is_empty:
        return EXIT_CHANGES
    return EXIT_OK
