"""`marketo-sync apply [PLANFILE]`: make the reviewed changes, refuse when the world moved.

Order of the steps, each before the next:

1. load and validate the files (no API call if they are invalid);
2. plan now, or load ``PLANFILE`` (checksum verified) and refuse another environment/instance;
3. print the plan; refuse an unsafe one (``--allow-delete``, ``--force``) after showing it;
4. without a plan file, ask for ``yes`` on a terminal (``--auto-approve`` for CI; no
   terminal and no ``--auto-approve``: refuse);
5. re-read what the plan observed and refuse a stale plan (zero writes);
6. run the changes with a journal under ``<state dir>/journal/``; read back; print the receipt.

Exit 0 when every change applied and read back as planned, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from marketo_sync.applier import Applier
from marketo_sync.constants import EXIT_ERROR, EXIT_OK
from marketo_sync.errors import MarketoSyncError, PlanError
from marketo_sync.journal import Journal
from marketo_sync.plan import Plan
from marketo_sync.preflight import check_target, preflight
from marketo_sync.receipt import FORMAT_VERSION as RECEIPT_FORMAT_VERSION
from marketo_sync.receipt import Receipt
from marketo_sync.render import render_text
from marketo_sync.verify import verify

DEFAULT_STATE_DIR = Path(".marketo-sync")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "apply", help="make the changes of a plan (asks for yes, or --auto-approve)",
        description="Change the Marketo instance to match the campaign files: plan now (or run a plan "
        "saved with `plan --out`), show it, and apply it. Exit codes: 0 everything applied and "
        "verified, 1 otherwise (refused, failed, skipped or unknown changes).",
    )
    parser.add_argument("planfile", nargs="?", type=Path, metavar="PLANFILE",
                        help="a plan saved by `plan --out`; refused if the instance changed since")
    parser.add_argument("--auto-approve", action="store_true",
                        help="do not ask for confirmation (CI); required when there is no terminal")
    parser.add_argument("--allow-delete", action="store_true",
                        help="allow the plan to delete campaigns and tokens")
    parser.add_argument("--force", action="store_true",
                        help="apply even when the plan deletes, deactivates or replaces more than the "
                        "configured share of the managed campaigns")
    parser.add_argument("--allow-replace", action="store_true",
                        help="when planning: allow replacing campaigns found in another folder")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="receipt format: text, or a versioned JSON document for CI (default: text)")
    _add_project_arguments(parser)
    parser.set_defaults(run=run)


def _add_project_arguments(parser: argparse.ArgumentParser) -> None:
    try:
        from marketo_sync.commands import _common
    except ImportError:  # pragma: no cover - only while the loader is being built
        return
    _common.add_project_arguments(parser)


def _load(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """Project, environment and (without a plan file) the validated desired state.

    A saved plan carries every change it makes, so applying one needs the project and
    the environment only: the campaign files may have moved on since.
    """
    from marketo_sync.commands import _common

    if args.planfile is not None:
        project, environment = _common.load_project_and_environment(args)
        return project, environment, None
    inputs = _common.load_inputs(args)
    return inputs.project, inputs.environment, inputs.desired


def _safety(project: Any) -> tuple[float, int]:
    safety = getattr(project, "safety", None)
    share = getattr(safety, "max_destructive_share", None)
    minimum = getattr(safety, "min_managed", None)
    return (0.25 if share is None else float(share)), (10 if minimum is None else int(minimum))


def _state_dir(project: Any) -> Path:
    state = getattr(project, "state_dir", None)
    return Path(state) if state else DEFAULT_STATE_DIR


def _workers(session: Any) -> int:
    limits = getattr(session.client, "limits", None)
    return max(1, int(getattr(limits, "concurrency", 1) or 1))


def _load_plan(path: Path) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlanError(f"cannot read the plan file {path}: {error.strerror or error}") from error
    return Plan.from_json(text)


def confirm(stdin: TextIO, stderr: TextIO) -> None:
    """Terraform's question; anything but ``yes`` cancels. No terminal: refuse, never assume."""
    isatty = getattr(stdin, "isatty", None)
    if not (isatty and isatty()):
        raise PlanError("refusing to apply without confirmation: there is no terminal to ask on; "
                        "review the plan and run again with --auto-approve")
    stderr.write("\nDo you want to apply these changes? Only 'yes' will be accepted: ")
    stderr.flush()
    answer = stdin.readline().strip()
    if answer != "yes":
        raise PlanError("apply cancelled (the answer was not 'yes'); nothing was changed")


def run(args: argparse.Namespace) -> int:
    """Apply; with ``--format json`` a refusal or error is a JSON document on stdout too (CI reads it)."""
    if args.format != "json":
        return _run(args)
    try:
        return _run(args)
    except MarketoSyncError as error:
        sys.stdout.write(refusal_json(error))
        sys.stdout.flush()
        raise  # the CLI prints the message on stderr and exits 1


def refusal_json(error: MarketoSyncError) -> str:
    """The receipt's JSON shape for a run that applied nothing: why, and which kind of refusal."""
    document = {
        "format_version": RECEIPT_FORMAT_VERSION,
        "kind": "marketo-sync apply receipt",
        "ok": False,
        "refused": {"error": type(error).__name__, "message": str(error),
                    "code": getattr(error, "code", None)},
        "summary": {"total": 0},
        "changes": [],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _run(args: argparse.Namespace) -> int:
    from marketo_sync.commands.plan import build_plan, use_color
    from marketo_sync.connect import open_session

    project, environment, desired = _load(args)
    as_json = args.format == "json"
    shown: TextIO = sys.stderr if as_json else sys.stdout  # JSON mode: stdout is the receipt only
    with open_session(project, environment) as session:
        if args.planfile is not None:
            plan = _load_plan(args.planfile)
            check_target(plan, environment=str(session.environment), instance=str(session.instance))
        else:
            print("Reading the instance…", file=sys.stderr)
            plan = build_plan(session, desired, allow_replace=bool(args.allow_replace))
        shown.write(render_text(plan, color=(not as_json) and use_color(shown)))
        shown.flush()
        if not plan.has_changes:
            print("No changes to apply.", file=sys.stderr)
            if as_json:
                sys.stdout.write(Receipt(environment=plan.environment, instance=plan.instance).to_json())
            return EXIT_OK
        share, minimum = _safety(project)
        plan.raise_if_unsafe(allow_delete=bool(args.allow_delete), force=bool(args.force),
                             max_share=share, min_managed=minimum)
        if args.planfile is None and not args.auto_approve:
            confirm(sys.stdin, sys.stderr)
        preflight(session.api, plan)
        receipt = execute(session, plan, state_dir=_state_dir(project),
                          progress=None if as_json else _progress)
    sys.stdout.write(receipt.to_json() if as_json else receipt.render_text())
    sys.stdout.flush()
    return EXIT_OK if receipt.ok else EXIT_ERROR


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def execute(session: Any, plan: Plan, *, state_dir: Path, progress: Any = None) -> Receipt:
    """Run an approved, fresh plan with a journal; read back; the receipt. No prompts, no output."""
    checksum = str(plan.to_document()["checksum"])
    receipt = Receipt(environment=plan.environment, instance=plan.instance, plan_checksum=checksum)
    with Journal.create(state_dir, str(session.environment)) as journal:
        receipt.journal = str(journal.path)
        journal.header(plan_checksum=checksum, plan_created_at=plan.created_at,
                       environment=str(session.environment), instance=str(session.instance),
                       changes=len(plan.changes))
        applier = Applier(session.api, plan, journal=journal, workers=_workers(session), progress=progress)
        try:
            receipt.outcomes = applier.run()
        finally:
            if not receipt.outcomes:  # interrupted: record what the applier knew
                receipt.outcomes = [applier.outcomes[c.key] for c in plan.changes if c.key in applier.outcomes]
            receipt.stopped = applier.stopped
            journal.footer(receipt.counts(), stopped=applier.stopped or None,
                           interrupted=applier.stopped == "interrupted")
        receipt.verified, receipt.differences = verify(session.api, receipt.outcomes)
        if receipt.differences:
            journal.write({"type": "verification", "differences": [d.data for d in receipt.differences]})
    return receipt
