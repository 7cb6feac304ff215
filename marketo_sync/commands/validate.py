"""`marketo-sync validate`: check the campaign files offline, report every error at once.

It never opens a connection: the JSON Schema and Marketo's offline rules (name length and
commas, description length, duplicates across files, activation without a template,
unknown ``${variables}``) are all checked locally. Exit 0 when valid, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from marketo_sync.commands.options import add_project_arguments
from marketo_sync.constants import EXIT_ERROR, EXIT_OK
from marketo_sync.desired.load import load_desired
from marketo_sync.desired.schema import schema_path
from marketo_sync.errors import ConfigError, ValidationError
from marketo_sync.render.validation import Checked, render_github, render_validation_json
from marketo_sync.workflows.inputs import campaign_paths, load_project_and_environment


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate", help="check the campaign files offline (schema and Marketo's rules)",
        description="Check every campaign file offline against schemas/campaigns.schema.json and "
        "Marketo's rules, with the environment's variables. Prints every error with its file, "
        "line, column and field. Exit codes: 0 valid, 1 invalid. Never connects to Marketo.",
    )
    parser.add_argument("--all-environments", action="store_true",
                        help="validate with the variables of every environment of the project")
    parser.add_argument("--format", choices=("text", "json", "github"), default="text",
                        help="text (default); json: a versioned document of every error (file, line, "
                        "column, field, message); github: workflow commands (::error file=…,line=…) that "
                        "show each error on the pull request's diff")
    parser.add_argument("--schema", action="store_true",
                        help="print the path of the campaign file JSON Schema and exit")
    add_project_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.schema:
        print(schema_path("campaigns.schema.json"))
        return EXIT_OK
    if args.format == "text":
        return _run_text(args)
    try:
        results = _check(args)
    except (ConfigError, ValidationError) as error:  # the project file itself is unusable
        reasons = error.reasons if isinstance(error, ValidationError) else [str(error)]
        results = [Checked(environment=args.env or "", reasons=list(reasons))]
    sys.stdout.write(render_validation_json(results) if args.format == "json" else render_github(results))
    sys.stdout.flush()
    return EXIT_OK if all(r.valid for r in results) else EXIT_ERROR


def _check(args: argparse.Namespace) -> list[Checked]:
    """Every chosen environment's result; reasons are collected, never raised."""
    project, environment = load_project_and_environment(args.project, args.env)
    environments = ([project.environments[n] for n in sorted(project.environments)]
                    if args.all_environments else [environment])
    paths = campaign_paths(project, args.campaigns)
    results = []
    for env in environments:
        try:
            desired = load_desired(paths, root=project.root, variables=env.variables, environment=env.name,
                                   environments=project.environments,
                                   max_file_bytes=project.limits.max_file_bytes)
        except ValidationError as error:
            results.append(Checked(environment=env.name, reasons=list(error.reasons)))
            continue
        results.append(Checked(environment=env.name, campaigns=len(desired.campaigns), files=len(desired.files),
                               warnings=list(desired.warnings)))
    return results


def _run_text(args: argparse.Namespace) -> int:
    if args.schema:
        print(schema_path("campaigns.schema.json"))
        return EXIT_OK
    project, environment = load_project_and_environment(args.project, args.env)
    environments = ([project.environments[n] for n in sorted(project.environments)]
                    if args.all_environments else [environment])
    paths = campaign_paths(project, args.campaigns)
    failed = False
    for env in environments:
        label = f" (environment {env.name})" if len(environments) > 1 else ""
        try:
            desired = load_desired(paths, root=project.root, variables=env.variables, environment=env.name,
                                   environments=project.environments,
                                   max_file_bytes=project.limits.max_file_bytes)
        except ValidationError as error:
            if len(environments) == 1:
                raise
            print(f"Error{label}: {error}", file=sys.stderr)
            failed = True
            continue
        for warning in desired.warnings:
            print(f"Warning{label}: {warning}", file=sys.stderr)
        print(f"{len(desired.campaigns)} campaign(s) in {len(desired.files)} file(s): "
              f"valid{label}.")
    return EXIT_ERROR if failed else EXIT_OK
