"""`marketo-sync plan`: load and validate the files, read the instance, show what would change.

Order matters: every file is loaded and validated **before** a session is opened, so invalid
files cost zero API calls. The plan goes to stdout; progress and logs go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from marketo_sync.constants import EXIT_CHANGES, EXIT_OK
from marketo_sync.desired import DesiredState
from marketo_sync.plan import Plan
from marketo_sync.planner import PlanOptions, diff
from marketo_sync.remote import read_remote
from marketo_sync.render import RENDERERS, render_text

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
    _add_project_arguments(parser)
    parser.set_defaults(run=run)


def _add_project_arguments(parser: argparse.ArgumentParser) -> None:
    try:
        from marketo_sync.commands import _common
    except ImportError:  # pragma: no cover - only while the loader is being built
        return
    _common.add_project_arguments(parser)


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def rate_of(session: Any) -> tuple[int, float]:
    """The client's configured pace (calls per window), for the plan's cost estimate."""
    limits = getattr(session.client, "limits", None)
    calls = getattr(limits, "calls", None) or 50
    window = getattr(limits, "window", None) or 20.0
    return int(calls), float(window)


def call_counter(client: Any) -> Any:
    """A function returning the client's running total of HTTP calls, when it keeps one."""
    stats = getattr(client, "stats", None)
    if stats is None:
        return None
    for name in ("calls", "total_calls", "requests", "total"):
        if isinstance(getattr(stats, name, None), int):
            return lambda: int(getattr(client.stats, name))
    if isinstance(stats, dict) and isinstance(stats.get("calls"), int):
        return lambda: int(client.stats["calls"])
    return None


def build_plan(session: Any, desired: DesiredState, *, allow_replace: bool = False) -> Plan:
    """Read what ``desired`` refers to through ``session.api`` and diff: the whole plan step.

    Shared by ``plan`` and ``apply`` (which plans when given no plan file).
    """
    remote = read_remote(session.api, desired, call_count=call_counter(session.client))
    calls, window = rate_of(session)
    options = PlanOptions(allow_replace=allow_replace, environment=str(session.environment),
                          instance=str(session.instance), rate_calls=calls, rate_window=window)
    return diff(desired, remote, options)


def _load(args: argparse.Namespace) -> tuple[Any, Any, DesiredState]:
    """(project, environment, desired): everything validated, before any API call."""
    from marketo_sync.commands import _common

    inputs = _common.load_inputs(args)
    if isinstance(inputs, tuple):
        project, environment, desired = inputs
        return project, environment, desired
    return inputs.project, inputs.environment, inputs.desired


def run(args: argparse.Namespace) -> int:
    from marketo_sync.connect import open_session

    project, environment, desired = _load(args)
    print(f"Read {len(desired.campaigns)} campaign(s) from {len(desired.files)} file(s); reading the "
          "instance…", file=sys.stderr)
    with open_session(project, environment) as session:
        plan = build_plan(session, desired, allow_replace=bool(getattr(args, "allow_replace", False)))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(plan.to_json(), encoding="utf-8")
        print(f"Saved the plan to {args.out}; apply it with `marketo-sync apply {args.out}`.",
              file=sys.stderr)
    if args.format == "text":
        sys.stdout.write(render_text(plan, color=use_color(sys.stdout)))
    else:
        sys.stdout.write(RENDERERS[args.format](plan))
    sys.stdout.flush()
    if args.detailed_exitcode and not plan.is_empty:
        return EXIT_CHANGES
    return EXIT_OK
