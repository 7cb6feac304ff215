"""`marketo-sync demo`: the main job, end to end, against the embedded emulator.

plan → apply → plan again, on the project in the current directory (the repository ships
one: ``marketo-sync.yaml`` + ``campaigns/``), against an in-process emulator seeded from
the environment's seed (``examples/instance.yaml``). Each run starts from a fresh copy of the
seed, so the demo shows the same changes every time; ``--keep DIR`` keeps the emulator state
and the apply journal there for a look afterwards.

Then the seed tutorial's last step: the registration platform *requests* the
``Send Webinar Reminder`` campaign of the webinar program the apply has just cloned from the
template program (``campaigns/webinar-2026-04.yaml``) for a registrant, with the tutorial's
three My Tokens as overrides. The new program is the one requested because it is the weekly
case the demo is about: a new event is a new file, and right after the apply its reminder is
live.

Exit 0 when the apply succeeded and the second plan is empty (the files and the instance
agree), 1 otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from marketo_sync import operations
from marketo_sync.commands.options import ProgressPrinter, add_project_arguments, print_notices, use_color
from marketo_sync.config import Environment, Project
from marketo_sync.constants import EXIT_ERROR, EXIT_OK
from marketo_sync.emulator import EmulatorConfig
from marketo_sync.errors import ConfigError
from marketo_sync.render.plan import render_text
from marketo_sync.render.receipt import render_receipt_text
from marketo_sync.workflows.apply import ApplyOptions, apply_plan
from marketo_sync.workflows.inputs import Inputs, load_inputs
from marketo_sync.workflows.plan import build_plan
from marketo_sync.workflows.session import Session, open_session

#: The webinar tutorial's request: one registrant, the tutorial's three My Token overrides, sent
#: to the reminder of the program the apply cloned (campaigns/webinar-2026-04.yaml).
TUTORIAL_CAMPAIGN = "Send Webinar Reminder"
TUTORIAL_PROGRAM = "Marketing Activities/Webinars/2026-04 Product Launch Webinar"
TUTORIAL_CAMPAIGN_PATH = f"{TUTORIAL_PROGRAM}/{TUTORIAL_CAMPAIGN}"
TUTORIAL_LEAD = 1002200
TUTORIAL_TOKENS = {
    "WebinarTitle": "Product Launch 2026",
    "JoinLink": "https://webinars.example.com/join/ghi789",
    "WebinarImage": "https://webinars.example.com/img/banner.png",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="plan, apply and plan again against the embedded emulator (no credentials)",
        description="Run the main job end to end against the embedded Marketo emulator: plan, apply "
        "(auto-approved), plan again (expected: no changes), then request the reminder of the webinar "
        "program the apply cloned for a registrant with My Token overrides. Starts from a fresh copy of the seed every time.",
    )
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="keep the emulator state and the apply journal in DIR (default: a "
                        "temporary directory, removed afterwards)")
    add_project_arguments(parser)
    parser.set_defaults(run=run, env=None)


def _embedded(environment: Environment, state: Path) -> Environment:
    """The environment with its emulator state moved to ``state`` (a fresh instance)."""
    if environment.embedded_emulator is None:
        raise ConfigError(f"environment {environment.name!r} is not an embedded emulator; the demo runs "
                          "only against the emulator (choose one with --env)")
    emulator = dataclasses.replace(environment.embedded_emulator, state=str(state))
    return dataclasses.replace(environment, embedded_emulator=emulator)


def _whole_budget(project: Project) -> Project:
    """The project with the embedded emulator's whole rate budget as its share.

    ``limits`` in ``marketo-sync.yaml`` is this tool's share of an instance that other
    integrations also call; the demo's emulator is private to the demo, so the share is all of
    it (100 calls / 20 s). With the project's 50 the demo's ~55 calls would spend 20 s waiting
    for the window to turn; the pacing itself is the same code as against Marketo."""
    calls, window = EmulatorConfig().rate_limit
    limits = dataclasses.replace(project.limits, rate_limit=calls, window=window)
    return dataclasses.replace(project, limits=limits)


def _heading(text: str) -> None:
    print(f"\n=== {text} ===\n", flush=True)


def copy_example_project(into: Path) -> Path:
    """Copy the example project shipped in the package (``marketo_sync/data/example``: project
    file, campaigns, seed) to ``into``; returns its project file. This is what lets ``demo`` run
    from an installed wheel in an empty directory."""
    def copy(source: Traversable, target: Path) -> None:
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            for child in source.iterdir():
                copy(child, target / child.name)
        else:
            target.write_bytes(source.read_bytes())

    copy(resources.files("marketo_sync") / "data" / "example", into)
    return into / "marketo-sync.yaml"


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="marketo-sync-demo-") as scratch:
        project = args.project
        if project is None and not Path("marketo-sync.yaml").is_file() and not args.campaigns:
            project = copy_example_project(Path(scratch) / "example")
            print(f"No marketo-sync.yaml here: running the example project shipped with marketo-sync "
                  f"(a copy in {project.parent}).")
        inputs = load_inputs(project, args.env, args.campaigns)
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            return _demo(inputs, args.keep.resolve())
        return _demo(inputs, Path(scratch))


def _demo(inputs: Inputs, work: Path) -> int:
    state = work / "emulator-state.json"
    state.unlink(missing_ok=True)  # always start from the seed
    environment = _embedded(inputs.environment, state)
    color = use_color(sys.stdout)
    with open_session(_whole_budget(inputs.project), environment) as session:
        print_notices(session)
        assert session.emulator is not None and environment.embedded_emulator is not None
        print(f"Embedded Marketo emulator at {session.emulator.base_url} "
              f"(seed {environment.embedded_emulator.seed}); "
              f"{len(inputs.desired.campaigns)} campaign(s) in {len(inputs.desired.files)} file(s).")

        _heading("1/4  marketo-sync plan")
        plan = build_plan(session, inputs.desired)
        sys.stdout.write(render_text(plan, color=color))

        _heading("2/4  marketo-sync apply --auto-approve")
        options = ApplyOptions(safety=inputs.project.safety, state_dir=work)
        with ProgressPrinter(len(plan.changes), sys.stdout, terminal=False, every=1, tick=None) as progress:
            receipt = apply_plan(session, plan, options, progress=progress)
        sys.stdout.write(render_receipt_text(receipt))

        _heading("3/4  marketo-sync plan (again: nothing should be left to do)")
        again = build_plan(session, inputs.desired)
        sys.stdout.write(render_text(again, color=color))

        _heading(f"4/4  request {TUTORIAL_CAMPAIGN!r} of the new program for lead {TUTORIAL_LEAD} with My Tokens")
        requested = _request_reminder(session)

        calls = session.client.stats.summary()
    converged = receipt.ok and again.is_empty
    print(f"\nAPI use: {calls}")
    print("Demo finished: the instance matches the campaign files." if converged and requested
          else "Demo finished with problems (see above).")
    return EXIT_OK if converged and requested else EXIT_ERROR


def _request_reminder(session: Session) -> bool:
    """The seed tutorial's trigger call, through the same checks as ``marketo-sync trigger``
    (campaign by path, requestable, token names known to the program), then what the emulator
    recorded of it."""
    leads = operations.LeadInput(ids=[(TUTORIAL_LEAD, "demo")])
    request = operations.prepare_trigger(session.api, campaign_path=TUTORIAL_CAMPAIGN_PATH, leads=leads,
                                         tokens=TUTORIAL_TOKENS)
    sys.stdout.write(operations.describe_trigger(request))
    print(f"POST /rest/v1/campaigns/{request.campaign.id}/trigger.json  (isRequestable: "
          f"{str(request.campaign.is_requestable).lower()})")
    result = operations.send_trigger(session.api, request)
    sys.stdout.write(operations.render_result(result))
    assert session.emulator is not None
    recorded = [r for r in session.emulator.backend.requests() if r.get("campaignId") == request.campaign.id]
    for entry in recorded:
        tokens = ", ".join(f"{t['name']}={t['value']!r}" for t in entry.get("tokens", []))
        print(f"The emulator ran it for leads {entry.get('leads')} with {tokens}")
    return result.ok and bool(recorded)
