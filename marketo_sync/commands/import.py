"""`marketo-sync import`: write campaign files for campaigns that already exist (adoption).

Reads the named Marketing Activities folders and programs (``--recursive``: everything below
them too) and writes one file per container into ``--out`` (default: the project's campaign
directory). Existing files are never overwritten without ``--force``; the check happens before
anything is written, so a refused import writes nothing. Ids are written for the chosen
environment only (``id: {sandbox: 2011}``); ``--merge-ids`` adds another environment's ids to
the existing files instead of writing new ones. See docs/import.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from marketo_sync.commands.options import add_project_arguments, print_notices
from marketo_sync.config import Project
from marketo_sync.constants import EXIT_OK
from marketo_sync.errors import ConfigError
from marketo_sync.workflows import importer
from marketo_sync.workflows.inputs import load_inputs, load_project_and_environment
from marketo_sync.workflows.merge_ids import merge_ids
from marketo_sync.workflows.session import open_session


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import", help="write campaign files for existing campaigns (adoption)",
        description="Read the smart campaigns (and program My Tokens) of Marketing Activities folders "
        "and programs and write one campaign file per container, so that a plan right after the import "
        "shows no changes.",
    )
    parser.add_argument("folders", metavar="FOLDER_PATH", nargs="*",
                        help="a Marketing Activities folder or program, as written in campaign files "
                        "(e.g. 'Marketing Activities/Webinars'; no workspace); with --merge-ids, "
                        "optional: only the declarations below these paths")
    parser.add_argument("--merge-ids", action="store_true",
                        help="do not write new files: add this environment's ids to the campaigns the "
                        "project's files declare (id: {sandbox: 2011} gets production: 7011), found by "
                        "path and name in its instance")
    parser.add_argument("--recursive", action="store_true",
                        help="also import every folder and program below, each into its own file")
    parser.add_argument("--out", metavar="DIR", type=Path,
                        help="directory for the files (default: the project's campaign directory)")
    parser.add_argument("--managed", choices=("additive", "exclusive"), default="additive",
                        help="the `managed:` mode written into every file (default: additive)")
    parser.add_argument("--flow", action="store_true",
                        help="also write each campaign's flow (flow:) and its triggers and filters "
                        "(expect: {smart_list: ...}); 2 more reads per campaign")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    add_project_arguments(parser, campaigns=False)
    parser.set_defaults(run=run)


def output_directory(args: argparse.Namespace, project: Project) -> Path:
    """``--out``, else the project's (first) campaign directory."""
    if args.out is not None:
        return Path(args.out) if args.out.is_absolute() else Path.cwd() / args.out
    return importer.default_output_directory(project)


def run(args: argparse.Namespace) -> int:
    if args.merge_ids:
        return run_merge(args)
    if not args.folders:
        raise ConfigError("name at least one FOLDER_PATH to import (or use --merge-ids)")
    project, environment = load_project_and_environment(args.project, args.env)
    out = output_directory(args, project)
    schema_ref = importer.schema_reference(out, project.root)
    variables = importer.shared_variables(project, environment)
    with open_session(project, environment) as session:
        print_notices(session)
        result = importer.read_containers(session.api, args.folders, recursive=args.recursive,
                                          call_count=session.calls_made, workspace=session.workspace,
                                          flow=args.flow)
    files = importer.build_files(result.containers, managed=args.managed, variables=variables,
                                 schema_ref=schema_ref, environment=environment.name)
    declared = importer.declared_containers([*project.campaign_paths, out], project.root, environment.variables)
    written = importer.write_files(files, out, force=args.force, root=project.root, declared=declared)
    schema_copy = importer.write_schema_copy(out, schema_ref)
    campaigns = sum(len(f.container.campaigns) for f in files)
    for path in written:
        print(path, file=sys.stdout)
    if schema_copy is not None:
        print(f"{schema_copy} (the campaign file schema, for the editors' $schema= modeline)", file=sys.stderr)
    print(f"Read {campaigns} campaign(s) in {len(files)} folder(s)/program(s) ({result.calls} API calls) "
          f"and wrote {len(written)} file(s) to {out}; system campaigns and anything a file cannot express "
          "are listed as comments in the files. `marketo-sync plan` should now show no changes.",
          file=sys.stderr)
    return EXIT_OK


def run_merge(args: argparse.Namespace) -> int:
    """``--merge-ids``: the files are loaded and validated first (no call when invalid)."""
    inputs = load_inputs(args.project, args.env)
    environment = inputs.environment
    with open_session(inputs.project, environment) as session:
        merged = merge_ids(session, inputs.desired, inputs.project.root, environment=environment.name,
                           folders=args.folders)
    for file in merged.files:
        print(file, file=sys.stdout)
    for line in merged.added:
        print(f"  + {line}", file=sys.stderr)
    for line in merged.left_alone:
        print(f"  ! {line}", file=sys.stderr)
    print(f"Merged {len(merged.added)} {environment.name} id(s) into {len(merged.files)} file(s) "
          f"({merged.calls} API calls); {len(merged.left_alone)} campaign(s) left alone (listed above).",
          file=sys.stderr)
    return EXIT_OK
