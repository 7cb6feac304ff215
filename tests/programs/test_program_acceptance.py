"""Issue 10's acceptance, against the emulator: a new file for a new program is a clone."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from program_seed import (
    TEMPLATE_PATH,
    WEBINARS,
    add_template_program,
    programs_named,
    webinar_file,
    write,
    writes,
)

NAME = "2026-04 Product Launch Webinar"
PATH = f"{WEBINARS}/{NAME}"


def test_a_new_program_is_planned_cloned_and_converges(emulator, cli_project):
    """1: plan shows the clone, the tokens and the activation and writes nothing; apply makes the
    program from the template; plan afterwards is empty; the new reminder can be triggered."""
    template = add_template_program(emulator)
    write(cli_project, {"webinar-2026-04.yaml": webinar_file(NAME)})
    cli_project.connect(emulator)

    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert f"+ clone-program {PATH} from {TEMPLATE_PATH}" in out
    assert f"set-token    {PATH} {{{{my.WebinarTitle}}}}" in out
    assert f"activate     {PATH}/Send Webinar Reminder" in out
    assert "JoinLink" not in out  # the same value as the template's: the clone brings it
    assert writes(emulator) == []

    code, out, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, out + err
    [program] = programs_named(emulator, NAME)
    assert program.parent == (1102, "Folder") and program.description == f"{NAME} (launch)"
    campaigns = {c.name: c for c in emulator.backend._campaigns.values() if c.parent == program.key}
    assert set(campaigns) == {"Send Webinar Reminder", "01 - Registration Confirmation", "Post-event Survey"}
    assert campaigns["Send Webinar Reminder"].is_active and campaigns["Send Webinar Reminder"].description == \
        "Reminder for registrants"
    assert not campaigns["01 - Registration Confirmation"].is_active
    assert {t["name"]: t["value"] for t in program.tokens} == {
        "WebinarTitle": NAME, "JoinLink": "https://webinars.example.com/join/tbd",
        "WebinarImage": "https://webinars.example.com/img/banner.png"}
    template_campaigns = [c for c in emulator.backend._campaigns.values() if c.parent == (template, "Program")]
    assert len(template_campaigns) == 3 and not any(c.is_active for c in template_campaigns)

    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err

    code, out, err = cli_project.run("trigger", "--campaign", f"{PATH}/Send Webinar Reminder", "--lead", "1002200",
                                     "--token", "WebinarTitle=Product Launch 2026", "--auto-approve")
    assert code == 0, out + err
    (request,) = emulator.backend.requests()
    assert request["campaignId"] == campaigns["Send Webinar Reminder"].id and request["leads"] == [1002200]


def test_the_receipt_and_journal_carry_the_new_program_id(emulator, cli_project):
    add_template_program(emulator)
    write(cli_project, {"webinar-2026-04.yaml": webinar_file(NAME)})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("apply", "--auto-approve", "--format", "json")
    assert code == 0, out + err
    [program] = programs_named(emulator, NAME)
    receipt = json.loads(out)
    [clone] = [o for o in receipt["changes"] if o["action"] == "clone-program"]
    assert clone["id"] == program.id and clone["status"] == "applied"
    journal = next((cli_project.root / ".marketo-sync" / "journal").rglob("*.jsonl"))
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert any(line.get("key") == f"clone-program:{PATH}" and line.get("id") == program.id
               and line.get("status") == "applied" for line in lines)


def test_refusals_name_the_file_and_line_and_write_nothing(emulator, cli_project):
    """2: a name used elsewhere, a missing template, activating a flowless template campaign."""
    add_template_program(emulator)
    write(cli_project, {
        "used.yaml": webinar_file("2026-03 Customer Engagement Webinar", folder="Marketing Activities/Operational"),
        "missing.yaml": webinar_file("2026-06 Webinar", template="Marketing Activities/Templates/No Such Program"),
        "flowless.yaml": webinar_file("2026-07 Webinar", campaign="Post-event Survey"),
    })
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan")
    assert code == 1, out + err
    assert "program name '2026-03 Customer Engagement Webinar' is already used by program id 1102" in err
    assert "campaigns/used.yaml, line 3" in err
    assert "template program 'Marketing Activities/Templates/No Such Program' does not exist" in err
    assert "campaigns/missing.yaml, line 3" in err
    assert "'Post-event Survey': its copy from template program" in err and "no flow step" in err
    assert "campaigns/flowless.yaml, line 10" in err
    assert "Traceback" not in err
    assert writes(emulator) == []


def test_a_program_in_a_missing_parent_folder_creates_the_folder(emulator, cli_project):
    """3: the missing folders on the path are created, then the program in them."""
    add_template_program(emulator)
    write(cli_project, {"summit.yaml": webinar_file("2026-09 Summit", folder="Marketing Activities/Events/2026")})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan")
    assert code == 2 or code == 0, out + err
    assert "+ create-folder Marketing Activities/Events\n" in out
    assert "+ create-folder Marketing Activities/Events/2026\n" in out
    code, out, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, out + err
    events = [c for c in emulator.backend._containers.values() if c.name == "Events"]
    year = [c for c in emulator.backend._containers.values() if c.name == "2026"]
    assert len(events) == 1 and events[0].parent == (14, "Folder")
    assert len(year) == 1 and year[0].parent == events[0].key
    [program] = programs_named(emulator, "2026-09 Summit")
    assert program.parent == year[0].key
    assert cli_project.run("plan", "--detailed-exitcode")[0] == 0


def test_a_saved_program_plan_validates_and_applies(emulator, cli_project):
    """The saved plan (JSON, schemas/plan.schema.json) carries the container changes and applies."""
    schema = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json").read_text())
    add_template_program(emulator)
    write(cli_project, {"webinar-2026-04.yaml": webinar_file(NAME, folder="Marketing Activities/Events")})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan", "--format", "json", "--out", "saved.json")
    assert code in (0, 2), out + err
    document = json.loads((cli_project.root / "saved.json").read_text())
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(document)) == []
    actions = [c["action"] for c in document["changes"]]
    assert actions[:2] == ["create-folder", "clone-program"]
    code, out, err = cli_project.run("apply", "saved.json", "--auto-approve")
    assert code == 0, out + err
    assert len(programs_named(emulator, NAME)) == 1


def test_a_clone_after_lock_timeouts_and_a_lost_answer_is_made_once(emulator, cli_project):
    """719 twice (retried after a back-off), then the answer to the clone is lost after it was
    made: the look-up by name finds it, and there is exactly one program."""
    add_template_program(emulator)
    write(cli_project, {"webinar-2026-04.yaml": webinar_file(NAME)})
    cli_project.connect(emulator)
    clone = r"/rest/asset/v1/program/\d+/clone\.json"
    emulator.set_faults(script=[{"method": "POST", "path_regex": clone, "fault": "719", "count": 2},
                                {"method": "POST", "path_regex": clone, "fault": "drop_after_commit"}])
    code, out, err = cli_project.run("apply", "--auto-approve", "--format", "json")
    assert code == 0, out + err
    assert len(programs_named(emulator, NAME)) == 1
    [clone_outcome] = [c for c in json.loads(out)["changes"] if c["action"] == "clone-program"]
    assert "found by name after an unknown outcome" in clone_outcome["note"]
    faults = [c["fault"] for c in emulator.calls() if c["path"].endswith("/clone.json")]
    assert faults == ["719", "719", "drop_after_commit"]
    assert cli_project.run("plan", "--detailed-exitcode")[0] == 0


def test_import_of_a_program_writes_its_program_block_and_plans_nothing(emulator, cli_project):
    """5: import of a program, then plan: no changes."""
    cli_project.connect(emulator)
    program = "Marketing Activities/Webinars/2026-03 Customer Engagement Webinar"
    code, out, err = cli_project.run("import", program, "--out", "campaigns")
    assert code == 0, out + err
    [text] = cli_project.files("campaigns").values()
    assert b"program:\n  description: March 2026 webinar on scaling customer engagement\n" in text
    assert b"template" not in text
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err


def test_drift_reports_a_changed_program_description(emulator, cli_project):
    add_template_program(emulator)
    write(cli_project, {"webinar-2026-04.yaml": webinar_file(NAME)})
    cli_project.connect(emulator)
    assert cli_project.run("apply", "--auto-approve")[0] == 0
    [program] = programs_named(emulator, NAME)
    emulator.backend.update_program(program.id, description="edited in the Marketo UI")
    code, out, err = cli_project.run("drift")
    assert code == 2, out + err
    assert "update-program" in out and "edited in the Marketo UI" in out
    code, out, err = cli_project.run("plan")
    assert f"~ update-program {PATH} (id {program.id})" in out
