"""Issue 10's "file format" and "plan and apply" bullets that the acceptance tests do not show:
the program: keys offline, create without a template, create_folder, the cost estimate, and
that programs are never deleted."""

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


def test_the_json_schema_describes_each_program_key():
    schema = json.loads((ROOT / "schemas" / "campaigns.schema.json").read_text())
    block = schema["properties"]["program"]
    assert block["additionalProperties"] is False and block["description"]
    assert set(block["properties"]) == PROGRAM_KEYS
    for key, spec in block["properties"].items():
        assert len(spec.get("description", "")) > 20, key
    assert "never deleted" in block["description"]
    assert schema["properties"]["create_folder"]["description"]


def test_the_docs_say_programs_are_never_deleted():
    """And the section on `program:` has a row for each key."""
    text = (ROOT / "docs" / "campaign-files.md").read_text()
    section = text.split("### Programs as code (`program:`)")[1].split("\n#")[0]
    assert "**Programs are never deleted by marketo-sync**: deleting a program deletes everything in it" in section
    rows = {key.strip(" `") for line in section.splitlines() if line.startswith("| `")
            for key in line.split("|")[1].split(",")}
    assert rows == PROGRAM_KEYS


def test_program_key_errors_are_offline_and_name_file_line_and_field(cli_project):
    write(cli_project, {
        "unknown.yaml": f"folder: {WEBINARS}/2026-06 Webinar\nprogram:\n  template: {TEMPLATE_PATH}\n  colour: red\n",
        "both.yaml": f"folder: {WEBINARS}/2026-07 Webinar\nprogram:\n  template: {TEMPLATE_PATH}\n  type: Event\n",
        "half.yaml": f"folder: {WEBINARS}/2026-08 Webinar\nprogram:\n  type: Event\n",
    })
    code, out, err = cli_project.run("validate")  # no instance is configured: nothing can be read
    assert code == 1, out + err
    assert "campaigns/unknown.yaml, line 4" in err and "colour" in err
    assert "campaigns/both.yaml, line 4" in err and "used only when the program is created without a template" in err
    assert "campaigns/half.yaml, line 3" in err and "`channel` is missing" in err
    assert "Traceback" not in err


def test_a_program_without_a_template_is_created_empty(emulator, cli_project):
    path = f"{WEBINARS}/2026-10 Partner Webinar"
    write(cli_project, {"partner.yaml": f"folder: {path}\nprogram:\n  type: Event\n  channel: Webinar\n"
                                        "  description: Co-hosted with a partner\n"})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert f"+ create-program {path}" in out and "clone-program" not in out
    assert writes(emulator) == []
    assert cli_project.run("apply", "--auto-approve")[0] == 0
    [program] = programs_named(emulator, "2026-10 Partner Webinar")
    assert (program.program_type, program.channel, program.description) == ("Event", "Webinar", "Co-hosted with a partner")
    assert program.parent == (1102, "Folder")
    assert not [c for c in emulator.backend._campaigns.values() if c.parent == program.key]
    assert cli_project.run("plan", "--detailed-exitcode")[0] == 0


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


def test_a_missing_folder_is_an_error_without_program_unless_create_folder(emulator, cli_project):
    """A typo must not create folders: only `program:` or `create_folder: true` does."""
    campaign = ("campaigns:\n  - name: Event Follow-up\n    template: Marketing Activities/Templates/"
                "Form Fill Follow-up Template\n")
    write(cli_project, {"events.yaml": "folder: Marketing Activities/Evnets\n" + campaign})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan")
    assert code == 1, out + err
    assert "unknown folder 'Marketing Activities/Evnets'" in err and "campaigns/events.yaml" in err
    assert writes(emulator) == []

    write(cli_project, {"events.yaml": "folder: Marketing Activities/Events\ncreate_folder: true\n" + campaign})
    code, out, err = cli_project.run("plan")
    assert code == 2 or code == 0, out + err
    assert "+ create-folder Marketing Activities/Events\n" in out
    assert cli_project.run("apply", "--auto-approve")[0] == 0
    [events] = [c for c in emulator.backend._containers.values() if c.name == "Events"]
    assert events.kind == "Folder" and events.parent == (14, "Folder")
    assert [c.name for c in emulator.backend._campaigns.values() if c.parent == events.key] == ["Event Follow-up"]
    assert cli_project.run("plan", "--detailed-exitcode")[0] == 0


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


def test_the_api_cost_estimate_counts_the_program_reads_and_writes(emulator, tmp_path):
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
