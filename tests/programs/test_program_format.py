"""Issue 10's bullets that neither the acceptance tests nor test_program_files.py show: the docs
match the schema's program keys, a campaign the template does not bring is refused, a removed file
leaves its program alone, and the cost of folder, clone and create together."""

from __future__ import annotations

import json
from pathlib import Path

from program_seed import (
    TEMPLATE_PATH,
    WEBINARS,
    add_template_program,
    programs_named,
    webinar_file,
    write,
    writes,
)

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient, RateLimits
from marketo_sync.desired.load import load_desired
from marketo_sync.workflows.apply import ApplyOptions, apply_plan
from marketo_sync.workflows.plan import build_plan
from marketo_sync.workflows.session import Session

ROOT = Path(__file__).resolve().parents[2]
PROGRAM_KEYS = {"template", "type", "channel", "description", "tags", "id", "previous_names"}


def test_the_docs_section_on_programs_has_a_row_per_schema_key_and_says_never_deleted():
    """test_program_files.py checks the schema's descriptions; this, that the docs match the schema."""
    text = (ROOT / "docs" / "campaign-files.md").read_text()
    section = text.split("### Programs as code (`program:`)")[1].split("\n#")[0]
    assert "**Programs are never deleted by marketo-sync**: deleting a program deletes everything in it" in section
    rows = {key.strip(" `") for line in section.splitlines() if line.startswith("| `")
            for key in line.split("|")[1].split(",")}
    schema = json.loads((ROOT / "schemas" / "campaigns.schema.json").read_text())
    assert rows == PROGRAM_KEYS == set(schema["properties"]["program"]["properties"])


def test_a_campaign_the_template_does_not_bring_is_refused_at_plan_time(emulator, cli_project):
    add_template_program(emulator)
    write(cli_project, {"w.yaml": webinar_file("2026-04 Launch", extra_campaigns=(
        "  - name: Post-event Recording\n    description: not in the template\n"))})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan")
    assert code == 1, out + err
    assert (f"campaign 'Post-event Recording': template program {TEMPLATE_PATH!r} does not contain it and it has "
            "no `template` of its own") in err
    assert "campaigns/w.yaml, line 13" in err
    assert writes(emulator) == []


def test_a_program_whose_file_is_removed_is_left_alone(emulator, cli_project):
    """Programs are never deleted: removing the file plans nothing for the program."""
    add_template_program(emulator)
    write(cli_project, {"w.yaml": webinar_file("2026-04 Launch")})
    cli_project.connect(emulator)
    assert cli_project.run("apply", "--auto-approve")[0] == 0
    (cli_project.root / "campaigns" / "w.yaml").unlink()
    write(cli_project, {"webinars.yaml": f"folder: {WEBINARS}\nmanaged: exclusive\ncampaigns: []\n"})
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    assert "delete" not in out.replace("0 to delete", "")
    assert len(programs_named(emulator, "2026-04 Launch")) == 1


def test_the_api_cost_of_create_folder_clone_and_create_program(emulator, tmp_path):
    """A plan with create-folder, clone-program and create-program: the reads it made are the
    reads it reports, its write estimate is the writes apply makes, and the read estimate covers
    apply's reads (the programs and folder read back among them)."""
    add_template_program(emulator)
    files = tmp_path / "campaigns"
    files.mkdir()
    (files / "launch.yaml").write_text(webinar_file("2026-04 Launch", folder="Marketing Activities/Events"))
    (files / "partner.yaml").write_text(f"folder: {WEBINARS}/2026-10 Partner Webinar\n"
                                        "program: {type: Event, channel: Webinar}\n")
    settings = ClientSettings(base_url=emulator.base_url, client_id=emulator.client_id,
                              client_secret=emulator.client_secret)
    with MarketoClient(settings, limits=RateLimits(calls=100, window=1.0, concurrency=1),
                       sleep=lambda seconds: None) as client:
        session = Session(api=MarketoApi(client), client=client, instance=settings.instance, environment="test")
        before = len(emulator.calls())
        plan = build_plan(session, load_desired([files]))
        planned = len(emulator.calls())
        receipt = apply_plan(session, plan, ApplyOptions(state_dir=tmp_path / "state"))
    assert receipt.ok
    plan_calls = [c for c in emulator.calls()[before:planned] if c["kind"] == "api"]
    apply_calls = [c for c in emulator.calls()[planned:] if c["kind"] == "api"]
    written = [c for c in apply_calls if c["method"] != "GET"]
    read = [c for c in apply_calls if c["method"] == "GET" and not c["path"].endswith("/stats/usage.json")]
    assert plan.cost.read_calls == len(plan_calls)
    assert plan.cost.apply_writes == len(written) == 6, [c["path"] for c in written]
    assert {"/rest/asset/v1/folders.json", "/rest/asset/v1/programs.json"} <= {c["path"] for c in written}
    assert any(c["path"].endswith("/clone.json") for c in written)
    assert plan.cost.apply_reads >= len(read)
    program_reads = [c for c in read if c["path"].startswith("/rest/asset/v1/program/")]
    assert len(program_reads) == 2  # both new programs read back
