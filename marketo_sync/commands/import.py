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

from marketo_sync.constants import EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
    from marketo_sync.commands import _common

    _common.add_project_arguments(parser)
    parser.set_defaults(run=run)


def output_directory(args: argparse.Namespace, project: object) -> Path:
    """``--out``, else the project's (first) campaign directory."""
    if args.out is not None:
        return args.out if args.out.is_absolute() else Path.cwd() / args.out
    for path in getattr(project, "campaign_paths", ()):
        if path.suffix.lower() not in (".yaml", ".yml") and "*" not in str(path):
            return Path(path)
    return Path(getattr(project, "root", Path.cwd())) / "campaigns"


def shared_variables(project: object, chosen: object) -> dict[str, str]:
    """The chosen environment's variables that every environment defines, so the files it
    writes stay valid in all of them (``validate --all-environments``)."""
    environments = list(getattr(project, "environments", {}).values()) or [chosen]
    names = set(getattr(chosen, "variables", {}))
    for environment in environments:
        names &= set(getattr(environment, "variables", {}))
    return {name: str(chosen.variables[name]) for name in sorted(names)}  # type: ignore[attr-defined]


def run(args: argparse.Namespace) -> int:
    from marketo_sync import importer
    from marketo_sync.commands import _common
    from marketo_sync.commands.plan import call_counter
    from marketo_sync.connect import open_session

    project, environment = _common.load_project_and_environment(args)
    out = output_directory(args, project)
    schema_ref = importer.schema_reference(out, project.root)
    variables = shared_variables(project, environment)
    with open_session(project, environment) as session:
        result = importer.read_containers(session.api, args.folders, recursive=args.recursive,
                                          call_count=call_counter(session.client))
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
