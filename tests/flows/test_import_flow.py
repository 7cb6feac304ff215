"""`import --flow` against the emulator: issue 12, acceptance 1 (and the smart list pinned)."""

from __future__ import annotations

from marketo_sync.desired.load import load_desired

PROGRAM = "Marketing Activities/Webinars/2026-03 Customer Engagement Webinar"
PROGRAM_KEY = (1102, "Program")
EXAMPLE_FOLDERS = ["Marketing Activities/Templates", "Marketing Activities/Webinars",
                   "Marketing Activities/Newsletters", "Marketing Activities/Operational"]


def test_import_flow_of_a_cloned_reminder_then_plan_is_empty(emulator, cli_project):
    emulator.backend.clone_campaign(2001, name="02 - Reminder", folder=PROGRAM_KEY)
    cli_project.connect(emulator)
    code, out, err = cli_project.run("import", PROGRAM, "--flow")
    assert code == 0, out + err
    text = (cli_project.root / "campaigns" / "webinars-2026-03-customer-engagement-webinar.yaml").read_text()
    assert "    flow:\n      - step: Send Email\n        Email: Webinar Reminder\n" in text, text
    assert "      smart_list:\n        triggers:\n          - name: Campaign is Requested\n" in text, text
    declared = {c.name: c for c in load_desired([cli_project.root / "campaigns"], root=cli_project.root).campaigns}
    assert [s.step for s in declared["02 - Reminder"].flow] == ["Send Email"]
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    assert "No changes" in out


def test_import_flow_round_trips_choices_and_every_example_flow(emulator, cli_project):
    cli_project.connect(emulator)
    code, out, err = cli_project.run("import", *EXAMPLE_FOLDERS, "--recursive", "--flow")
    assert code == 0, out + err
    operational = (cli_project.root / "campaigns" / "operational.yaml").read_text()
    assert "        choices:\n          - if: {name: Country, operator: is, values: [UK, Great Britain]}\n" in operational
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err


def test_a_ui_change_to_a_pinned_smart_list_is_drift_with_the_ui_link(emulator, cli_project):
    emulator.backend.clone_campaign(2001, name="02 - Reminder", folder=PROGRAM_KEY)
    cli_project.connect(emulator)
    assert cli_project.run("import", PROGRAM, "--flow")[0] == 0
    [clone] = [c for c in emulator.backend.browse_campaigns(folder=PROGRAM_KEY, max_return=200)
               if c["name"] == "02 - Reminder"]
    emulator.backend._campaigns[clone["id"]].triggers[0]["conditions"][0]["values"] = ["Marketo Flow Action"]
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert "smart_list" in out and "'Source'" in out and "the file expects" in out
    assert f"#SC{clone['id']}A1" in out, out
