"""`marketo-sync import`: write campaign files for campaigns that already exist (adoption).

Reads the named Marketing Activities folders and programs (``--recursive``: everything below
them too) and writes one file per container into ``--out`` (default: the project's campaign
directory). Existing files are never overwritten without ``--force``; the check happens before
anything is written, so a refused import writes nothing. See docs/import.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from marketo_sync.commands.options import add_project_arguments
from marketo_sync.config import Project
from marketo_sync.constants import EXIT_OK
from marketo_sync.workflows import importer
from marketo_sync.workflows.inputs import load_project_and_environment
from marketo_sync.workflows.session import open_session


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import", help="write campaign files for existing campaigns (adoption)",
        description="Read the smart campaigns (and program My Tokens) of Marketing Activities folders "
        "and programs and write one campaign file per container, so that a plan right after the import "
        "shows no changes.",
    )
    parser.add_argument("folders", metavar="FOLDER_PATH", nargs="+",
                        help="a Marketing Activities folder or program, as written in campaign files "
                        "(e.g. 'Marketing Activities/Webinars'; no workspace)")
    parser.add_argument("--recursive", action="store_true",
                        help="also import every folder and program below, each into its own file")
    parser.add_argument("--out", metavar="DIR", type=Path,
                        help="directory for the files (default: the project's campaign directory)")
    parser.add_argument("--managed", choices=("additive", "exclusive"), default="additive",
                        help="the `managed:` mode written into every file (default: additive)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    add_project_arguments(parser, campaigns=False)
    parser.set_defaults(run=run)


def output_directory(args: argparse.Namespace, project: Project) -> Path:
    """``--out``, else the project's (first) campaign directory."""
    if args.out is not None:
        return Path(args.out) if args.out.is_absolute() else Path.cwd() / args.out
    return importer.default_output_directory(project)


def run(args: argparse.Namespace) -> int:
    project, environment = load_project_and_environment(args.project, args.env)
    out = output_directory(args, project)
    schema_ref = importer.schema_reference(out, project.root)
    variables = importer.shared_variables(project, environment)
    with open_session(project, environment) as session:
        result = importer.read_containers(session.api, args.folders, recursive=args.recursive,
                                          call_count=session.calls_made, workspace=session.workspace)
    files = importer.build_files(result.containers, managed=args.managed, variables=variables,
                                 schema_ref=schema_ref)
    written = importer.write_files(files, out, force=args.force)
    campaigns = sum(len(f.container.campaigns) for f in files)
    for path in written:
        print(path, file=sys.stdout)
    print(f"Read {campaigns} campaign(s) in {len(files)} folder(s)/program(s) ({result.calls} API calls) "
          f"and wrote {len(written)} file(s) to {out}; system campaigns and anything a file cannot express "
          "are listed as comments in the files. `marketo-sync plan` should now show no changes.",
          file=sys.stderr)
    return EXIT_OK
