"""`marketo-sync compare --env A --env B`: is production behind sandbox? Two instances, the same files.

Reads both instances as plan does and shows, campaign by campaign and token by token, what
differs between them (:mod:`marketo_sync.render.compare`). Exit codes: 0 the managed objects are
the same, 2 they differ, 1 error (invalid files or environments cost no API call).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from marketo_sync.constants import EXIT_CHANGES, EXIT_OK
from marketo_sync.render.compare import COMPARE_RENDERERS
from marketo_sync.workflows.compare import compare_environments, load_compare_inputs


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "compare", help="show what differs between two instances for the managed campaigns and tokens",
        description="Read two environments' instances as plan does and show, campaign by campaign and "
        "token by token, what differs between them (presence, description, activation, type and "
        "read-only attributes, smart list and flow when `expect: {rules: ...}` is declared, token "
        "values). Ids are shown, never compared. Exit codes: 0 same, 1 error, 2 they differ.",
    )
    parser.add_argument("--format", choices=tuple(COMPARE_RENDERERS), default="text",
                        help="output format (default: text)")
    parser.add_argument("--target", metavar="PATH", action="append", default=[],
                        help="only the declared campaigns (and tokens) at or below this path "
                        "(Folder/…/Name, in either environment's paths); repeatable")
    group = parser.add_argument_group("project options")
    group.add_argument("--project", metavar="FILE", type=Path,
                       help="project file (default: ./marketo-sync.yaml when present)")
    group.add_argument("--env", metavar="NAME", action="append", default=[], dest="envs",
                       help="an environment of the project file; give exactly two (--env A --env B)")
    group.add_argument("--campaigns", metavar="PATH", action="append", type=Path,
                       help="campaign file, directory or glob; repeatable; replaces the project's "
                       "campaign paths (default: campaigns/)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    inputs = load_compare_inputs(args.project, args.envs, args.campaigns)
    left, right = inputs.environments
    print(f"Read {len(inputs.desired[0].campaigns)} campaign(s) from {len(inputs.desired[0].files)} file(s); "
          f"reading {left.name} and {right.name}…", file=sys.stderr)
    comparison = compare_environments(inputs, targets=args.target)
    sys.stdout.write(COMPARE_RENDERERS[args.format](comparison))
    sys.stdout.flush()
    return EXIT_OK if comparison.same else EXIT_CHANGES
