"""Flow steps as code against the emulator (real HTTP on 127.0.0.1): issue 12, acceptance 2-4."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))

TEMPLATE = "Marketing Activities/Templates/Webinar Reminder Template"
PROGRAM = "Marketing Activities/Webinars/2026-03 Customer Engagement Webinar"
ONBOARDING = "Marketing Activities/Templates"


def write(project: Any, body: str, name: str = "webinar.yaml") -> None:
    folder = project.root / "campaigns"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")


def steps(server: Any, campaign_id: int) -> list[tuple[str, dict[str, str]]]:
    record = server.backend.get_campaign(campaign_id)[0]
    return [(s["activityTypeName"], {a["name"]: a["value"] for c in s["stepChoice"] if c["default"]
                                     for a in c["attributes"] if a["value"]})
            for s in record["flow"]["steps"]]


ONBOARDING_FILE = """folder: Marketing Activities/Templates
campaigns:
  - name: Onboarding Step Template
    flow:
{steps}
"""


def onboarding(*lines: str) -> str:
    return ONBOARDING_FILE.format(steps="\n".join(f"      - {line}" for line in lines))


def test_adding_and_removing_steps_are_planned_applied_and_read_back(emulator, cli_project):
    cli_project.connect(emulator)
    # the template as it is: a plan with its own flow declared is empty
    write(cli_project, onboarding("{step: Send Email, Email: Onboarding Step}", "{step: Wait, Wait Duration: 2 days}"))
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    # a copy of an existing step, added at the end
    write(cli_project, onboarding("{step: Send Email, Email: Onboarding Step}", "{step: Wait, Wait Duration: 2 days}",
                                  "{step: Send Email, Email: Onboarding Step}"))
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert "~ flow" in out and "add 'Send Email' at step 3" in out, out
    code, out, err = cli_project.run("plan", "--format", "json")
    document = json.loads(out)
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document)) == []
    [edit] = [c for c in document["changes"] if c["action"] == "flow"]
    assert [op["op"] for op in edit["operations"]] == ["add-step", "update-choice"] and edit["live"] is False
    code, out, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert steps(emulator, 2002) == [("Send Email", {"Email": "Onboarding Step"}), ("Wait", {"Wait Duration": "2 days"}),
                                     ("Send Email", {"Email": "Onboarding Step"})]
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    # removing the Wait step
    write(cli_project, onboarding("{step: Send Email, Email: Onboarding Step}",
                                  "{step: Send Email, Email: Onboarding Step}"))
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2 and "remove step 2 'Wait'" in out, out + err
    code, out, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert [name for name, _ in steps(emulator, 2002)] == ["Send Email", "Send Email"]
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err


def test_a_clone_shows_the_templates_logic(emulator, cli_project):
    cli_project.connect(emulator)
    write(cli_project, f"folder: {PROGRAM}\ncampaigns:\n  - {{name: 03 - Reminder, template: {TEMPLATE}}}\n")
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert "Campaign is Requested (Source is Web Service API)" in out and "1. Send Email (Email: Webinar Reminder)" in out
    code, md, err = cli_project.run("plan", "--format", "markdown")
    assert "<details><summary>Campaign logic" in md
    assert "Campaign is Requested" in md and "Send Email" in md
    code, out, err = cli_project.run("plan", "--format", "json")
    document = json.loads(out)
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document)) == []
    [clone] = document["changes"]
    assert clone["logic"]["smart_list"]["triggers"][0]["name"] == "Campaign is Requested"
    assert [s["step"] for s in clone["logic"]["flow"]] == ["Send Email"]


def test_no_flow_api_refuses_a_differing_flow_and_writes_nothing(make_emulator, cli_project):
    server = make_emulator(no_flow_api=True)
    cli_project.connect(server)
    write(cli_project, onboarding("{step: Send Email, Email: Onboarding Step}"))
    code, out, err = cli_project.run("apply", "--auto-approve")
    assert code == 1, out + err
    assert "'Onboarding Step Template'" in err and "cannot change flow steps through the API" in err
    assert "clone from a template instead" in err and "campaigns/webinar.yaml, line 3" in err
    assert [c for c in server.calls() if c["method"] == "POST" and c["kind"] == "api"] == []
    # the same flow as the instance's is fine: reading still works
    write(cli_project, onboarding("{step: Send Email, Email: Onboarding Step}", "{step: Wait, Wait Duration: 2 days}"))
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err


def test_a_flow_edit_of_an_active_campaign_is_live_and_counted_as_destructive(emulator, cli_project):
    cli_project.connect(emulator)
    write(cli_project, "folder: Marketing Activities/Templates\ncampaigns:\n  - name: Webinar Reminder Template\n"
                       "    flow:\n      - {step: Send Email, Email: Webinar Reminder}\n"
                       "      - {step: Interesting Moment, Type: Email, Description: Reminder sent}\n")
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert "LIVE: the campaign is active" in out and "1 flow to edit (1 live)" in out
    code, out, err = cli_project.run("plan", "--format", "json")
    [edit] = json.loads(out)["changes"]
    assert edit["live"] is True

    from marketo_sync.errors import UnsafePlan
    from marketo_sync.plan.plan import Plan

    plan = Plan.from_json(out)
    assert plan.destructive_count() == 1
    plan = Plan(changes=plan.changes, managed_count=3)
    plan.raise_if_unsafe(min_managed=10)  # few managed campaigns: the share rule does not apply
    with pytest.raises(UnsafePlan, match="live flow edit"):  # 1 of 3 is over a 25% share
        plan.raise_if_unsafe(min_managed=2, max_share=0.25)


def test_a_declared_flow_is_not_rules_drift_from_the_template(emulator, cli_project):
    cli_project.connect(emulator)
    write(cli_project, f"folder: {PROGRAM}\ncampaigns:\n  - name: 04 - Reminder\n    template: {TEMPLATE}\n"
                       "    expect: {rules: template}\n    flow:\n      - {step: Send Email, Email: Webinar Reminder}\n"
                       "      - {step: Wait, Wait Duration: 1 day}\n")
    code, out, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, out + err
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err  # the flow differs from the template's, as declared: no drift
    write(cli_project, f"folder: {PROGRAM}\ncampaigns:\n  - name: 04 - Reminder\n    template: {TEMPLATE}\n"
                       "    expect: {rules: template}\n")
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2 and "flow step 2 extra: 'Wait'" in out, out + err  # without flow:, the template's
