"""Issue 10's file-format and plan bullets not covered by the acceptance tests: a program created
without a template, folders created only where a file allows it, offline errors of `program:`,
the JSON Schema's descriptions, the API cost of program changes, and the docs' promise that
programs are never deleted."""

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

ROOT = Path(__file__).resolve().parents[2]


def test_a_program_without_a_template_is_created_empty(emulator, cli_project):
    write(cli_project, {"event.yaml": f"folder: {WEBINARS}/2026-10 Field Event\n"
                                      "program: {type: Event, channel: Webinar, description: A field event}\n"})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan")
    assert f"+ create-program {WEBINARS}/2026-10 Field Event" in out, out + err
    assert writes(emulator) == []
    assert cli_project.run("apply", "--auto-approve")[0] == 0
    [program] = programs_named(emulator, "2026-10 Field Event")
    assert (program.program_type, program.channel, program.description) == ("Event", "Webinar", "A field event")
    assert [c for c in emulator.backend._campaigns.values() if c.parent == program.key] == []
    assert cli_project.run("plan", "--detailed-exitcode")[0] == 0


def test_a_missing_folder_is_an_error_without_program_and_created_with_create_folder(emulator, cli_project):
    body = "folder: Marketing Activities/Operationl\ncampaigns:\n  - {name: Typo, template: " \
           "Marketing Activities/Templates/Onboarding Step Template}\n"
    write(cli_project, {"typo.yaml": body})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan")
    assert code == 1 and "Marketing Activities/Operationl" in err and "create-folder" not in out, out + err
    assert writes(emulator) == []
    write(cli_project, {"typo.yaml": "create_folder: true\n" + body})
    code, out, err = cli_project.run("plan")
    assert "+ create-folder Marketing Activities/Operationl\n" in out, out + err
    assert cli_project.run("apply", "--auto-approve")[0] == 0
    assert len([c for c in emulator.backend._containers.values() if c.name == "Operationl"]) == 1
    assert cli_project.run("plan", "--detailed-exitcode")[0] == 0


def test_program_block_errors_are_offline_and_placed(cli_project):
    write(cli_project, {
        "unknown.yaml": f"folder: {WEBINARS}/A\nprogram:\n  template: {TEMPLATE_PATH}\n  colour: blue\n",
        "both.yaml": f"folder: {WEBINARS}/B\nprogram:\n  template: {TEMPLATE_PATH}\n  type: Event\n",
        "half.yaml": f"folder: {WEBINARS}/C\nprogram:\n  type: Event\n",
    })
    code, out, err = cli_project.run("validate")
    assert code == 1, out + err
    assert "campaigns/unknown.yaml, line 4" in err and "colour" in err
    assert "campaigns/both.yaml, line 4" in err and "`type` is used only when the program is created" in err
    assert "campaigns/half.yaml" in err and "`channel` is missing" in err
    assert "Traceback" not in err


def test_the_json_schema_describes_every_program_key():
    schema = json.loads((ROOT / "schemas" / "campaigns.schema.json").read_text(encoding="utf-8"))
    program = schema["properties"]["program"]
    assert program["additionalProperties"] is False and program["description"]
    keys = set(program["properties"])
    assert {"template", "type", "channel", "description", "tags", "id", "previous_names"} <= keys
    assert all(program["properties"][key].get("description") for key in keys), keys


def test_the_api_cost_counts_the_program_reads_and_writes(emulator, cli_project):
    """The plan's estimate names the calls the clone costs, and the run costs what it said."""
    add_template_program(emulator)
    write(cli_project, {"webinar-2026-04.yaml": webinar_file()})
    cli_project.connect(emulator)
    before = len([c for c in emulator.calls() if c["kind"] == "api"])
    code, out, err = cli_project.run("plan", "--format", "json", "--out", "plan.json")
    assert code in (0, 2), out + err
    plan_calls = len([c for c in emulator.calls() if c["kind"] == "api"]) - before
    api = json.loads((cli_project.root / "plan.json").read_text())["summary"]["api"]
    # the by-name look-up of the new name, the template's campaigns, tokens and activated record
    assert api["read_calls"] == plan_calls
    started = len(emulator.calls())
    assert cli_project.run("apply", "plan.json", "--auto-approve")[0] == 0
    applied = [c for c in emulator.calls()[started:] if c["kind"] == "api" and not c["path"].startswith("/rest/v1/stats")]
    sent = [c for c in applied if c["method"] != "GET"]
    # clone-program, the title token, the reminder's update and its activation: as estimated
    assert any(c["path"].endswith("/clone.json") for c in sent)
    assert api["apply_writes"] == len(sent) == 4
    # the estimate holds one read back of the new program and one browse of what it brought
    program_reads = [c for c in applied if c["method"] == "GET" and "/program/" in c["path"]]
    assert program_reads and api["apply_reads"] >= 2 and len(applied) - len(sent) <= api["apply_reads"]

def test_the_docs_say_programs_are_never_deleted():
    for doc in ("docs/campaign-files.md", "docs/apply.md"):
        text = " ".join((ROOT / doc).read_text(encoding="utf-8").split())
        assert "never deleted" in text, doc
