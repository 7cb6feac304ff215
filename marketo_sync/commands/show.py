"""`marketo-sync show PLANFILE`: look at a saved plan without applying it, offline.

No credentials, no project file and no API call: the plan file is read, its checksum is
verified (a hand-edited or truncated plan is refused, exit 1), and it is rendered as text,
markdown (the pull-request comment) or JSON (the document itself). The first line says which
environment and instance the plan is for and how old it is (on stderr with markdown and JSON,
so that stdout stays the document).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from marketo_sync.commands.options import use_color
from marketo_sync.constants import EXIT_OK
from marketo_sync.plan.plan import Plan
from marketo_sync.render.plan import (
    GITHUB_COMMENT_LIMIT,
    MARKDOWN_BUDGET,
    render_json,
    render_markdown,
    render_text,
)
from marketo_sync.workflows.apply import load_plan_file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "show", help="render a saved plan offline (checksum verified; no credentials, no API call)",
        description="Render a plan saved by `plan --out` as text, markdown or JSON, offline: no "
        "credentials and no API call. The checksum is verified; the first line names the plan's "
        "environment, instance and age. Exit codes: 0 shown, 1 unreadable or edited plan.",
    )
    parser.add_argument("planfile", type=Path, metavar="PLANFILE", help="a plan saved by `plan --out`")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                        help="output format (default: text)")
    parser.add_argument("--max-chars", type=int, default=MARKDOWN_BUDGET, metavar="N",
                        help=f"markdown only: at most N characters (default {MARKDOWN_BUDGET:,}, under a "
                        f"pull-request comment's {GITHUB_COMMENT_LIMIT:,}; a job summary takes up to 1,000,000)")
    parser.set_defaults(run=run)


def age_text(created_at: str, now: datetime | None = None) -> str:
    """``3 h 12 min ago`` (or ``created at an unknown time`` for an unreadable timestamp)."""
    try:
        created = datetime.fromisoformat(created_at)
    except ValueError:
        return "made at an unknown time"
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    seconds = int(((now or datetime.now(UTC)) - created).total_seconds())
    if seconds < 0:
        return f"made at {created_at} (in the future: check the clock)"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        ago = f"{days} d {hours} h"
    elif hours:
        ago = f"{hours} h {minutes} min"
    else:
        ago = f"{minutes} min"
    return f"made at {created_at} ({ago} ago)"


def header(path: Path, plan: Plan) -> str:
    return (f"Saved plan {path}: environment {plan.environment or '(default)'} on "
            f"{plan.instance or '(unknown)'}, {age_text(plan.created_at)}; checksum verified.")


def run(args: argparse.Namespace) -> int:
    plan = load_plan_file(args.planfile)
    line = header(args.planfile, plan)
    if args.format == "text":
        sys.stdout.write(line + "\n\n" + render_text(plan, color=use_color(sys.stdout)))
    else:
        print(line, file=sys.stderr)
        sys.stdout.write(render_markdown(plan, budget=args.max_chars) if args.format == "markdown"
                         else render_json(plan))
    sys.stdout.flush()
    return EXIT_OK
