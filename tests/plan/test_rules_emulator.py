"""`expect: {rules: template}` against the emulator (real HTTP on 127.0.0.1): smart-list and flow drift.

A campaign is cloned from "Webinar Reminder Template" by `apply` (as a user would create it);
edits "in the UI" go through the REST API (flow steps) or the backend (a campaign built with
other rules, which the API cannot do).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))

TEMPLATE = "Marketing Activities/Templates/Webinar Reminder Template"
PROGRAM = "Marketing Activities/Webinars/2026-03 Customer Engagement Webinar"
PROGRAM_KEY = (1102, "Program")
WAIT = 1001  # the emulator's activity type id of "Wait"


def write(project: Any, body: str) -> None:
    folder = project.root / "campaigns"
    folder.mkdir(exist_ok=True)
    (folder / "webinar.yaml").write_text(body, encoding="utf-8")


def reminder_file(expect: str = "{rules: template}", name: str = "02 - Reminder") -> str:
    return (f"folder: {PROGRAM}\n"
            "campaigns:\n"
            f"  - name: {name}\n"
            f"    template: {TEMPLATE}\n"
            f"    expect: {expect}\n")


@pytest.fixture
def cloned(emulator, cli_project):
    """A project whose one campaign was cloned from the template by `apply`; returns (project, id)."""
    write(cli_project, reminder_file())
    cli_project.connect(emulator)
    code, out, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, out + err
    [campaign_id] = [c.id for c in emulator.backend._campaigns.values() if c.name == "02 - Reminder"]
    return cli_project, campaign_id


def rules_calls(server: Any, since: int = 0) -> list[str]:
    paths = [str(c.get("path", "")) for c in server.calls()[since:]]
    return [p for p in paths if p.endswith("/smartList.json")]


def test_fresh_clone_has_no_rules_drift(emulator, cloned):
    project, campaign_id = cloned
    before = len(emulator.calls())
    code, out, _ = project.run("plan", "--detailed-exitcode")
    assert code == 0, out
    assert "No changes." in out and "Drift" not in out
    new_calls = emulator.calls()[before:]
    smart_lists = [c["path"] for c in new_calls if str(c["path"]).endswith("/smartList.json")]
    assert sorted(smart_lists) == sorted([f"/rest/asset/v1/smartCampaign/{campaign_id}/smartList.json",
                                          "/rest/asset/v1/smartCampaign/2001/smartList.json"])
    assert project.run("drift")[0] == 0


def test_added_wait_step_is_drift_in_plan_and_drift(emulator, api, cloned):
    project, campaign_id = cloned
    answer = api.post(f"/rest/asset/v1/smartCampaign/{campaign_id}/flows.json",
                      data={"activityType": json.dumps({"id": WAIT, "type": "activity"}), "index": 1})
    assert answer["success"], answer

    code, out, _ = project.run("plan", "--detailed-exitcode")
    assert code == 2, out
    assert "No changes." in out  # drift is not a change: nothing to apply
    assert f"{PROGRAM}/02 - Reminder (id {campaign_id}): rules is" in out
    assert "flow step 2 extra: 'Wait' (not in the template)" in out
    assert f'the file expects "same as template {TEMPLATE}"' in out

    code, out, _ = project.run("plan", "--format", "json")
    assert code == 0
    document = json.loads(out)
    import jsonschema

    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document)) == []
    [drift] = document["drift"]
    assert drift["field"] == "rules" and drift["expected"] == f"same as template {TEMPLATE}"
    assert drift["actual"] == "flow step 2 extra: 'Wait' (not in the template)"
    assert drift["message"].splitlines()[1:] == ["- flow step 2 extra: 'Wait' (not in the template)"]
    assert drift["location"].startswith("campaigns/webinar.yaml, line 3")

    code, markdown, _ = project.run("plan", "--format", "markdown")
    assert code == 0 and "flow step 2 extra: 'Wait'" in markdown

    code, out, _ = project.run("drift")
    assert code == 2
    assert "rules is" in out and "flow step 2 extra: 'Wait'" in out
    assert "      - flow step 2 extra: 'Wait' (not in the template)" in out  # every difference listed
    code, markdown, _ = project.run("drift", "--format", "markdown")
    assert code == 2 and "  - `flow step 2 extra: 'Wait' (not in the template)`" in markdown


def test_removed_flow_step_is_drift(emulator, api, cloned):
    project, campaign_id = cloned
    record = api.get(f"/rest/asset/v1/smartCampaign/{campaign_id}.json")["result"][0]
    [step] = record["flow"]["steps"]
    answer = api.post(f"/rest/asset/v1/smartCampaign/{campaign_id}/flow/{step['id']}/remove.json")
    assert answer["success"], answer
    code, out, _ = project.run("plan", "--detailed-exitcode")
    assert code == 2, out
    assert "flow step 1 missing: 'Send Email'" in out
    assert project.run("drift")[0] == 2


def test_changed_trigger_condition_names_the_condition(emulator, cli_project):
    emulator.backend.add_campaign(PROGRAM_KEY, "03 - Form Reminder",
                                  triggers=[{"name": "Campaign is Requested", "source": "Form"}],
                                  flow=[{"action": "Send Email", "email": "Webinar Reminder"}])
    write(cli_project, reminder_file(name="03 - Form Reminder"))
    cli_project.connect(emulator)
    code, out, _ = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2, out
    assert ("trigger 1 'Campaign is Requested': condition 'Source' is ['Form'], template has "
            "['Web Service API']") in out
    assert "flow step" not in out  # the flow is the template's


def test_template_by_id_is_read_once_for_many_campaigns(emulator, cli_project):
    for name in ("A Reminder", "B Reminder"):
        emulator.backend.add_campaign(PROGRAM_KEY, name,
                                      triggers=[{"name": "Campaign is Requested", "source": "Web Service API"}],
                                      flow=[{"action": "Send Email", "email": "Webinar Reminder"}])
    write(cli_project, f"folder: {PROGRAM}\ncampaigns:\n"
                       "  - {name: A Reminder, template: 2001, expect: {rules: template}}\n"
                       "  - {name: B Reminder, template: 2001, expect: {rules: template}}\n")
    cli_project.connect(emulator)
    code, out, _ = cli_project.run("plan", "--detailed-exitcode", "--format", "json")
    assert code == 0, out
    paths = [str(c["path"]) for c in emulator.calls()]
    assert paths.count("/rest/asset/v1/smartCampaign/2001/smartList.json") == 1
    assert paths.count("/rest/asset/v1/smartCampaign/2001.json") == 1  # by id, reused for its flow
    assert len(rules_calls(emulator)) == 3


def test_no_extra_calls_without_expect_rules(make_emulator, cli_project):
    """The same files with and without `expect.rules`: the difference is exactly the rules reads."""
    counts: dict[str, int] = {}
    for label, expect in (("without", "{type: trigger}"), ("with", "{type: trigger, rules: template}")):
        server = make_emulator()
        server.backend.add_campaign(PROGRAM_KEY, "02 - Reminder",
                                    triggers=[{"name": "Campaign is Requested", "source": "Web Service API"}],
                                    flow=[{"action": "Send Email", "email": "Webinar Reminder"}])
        write(cli_project, reminder_file(expect=expect))
        cli_project.connect(server)
        code, out, _ = cli_project.run("plan", "--detailed-exitcode", "--format", "json")
        assert code == 0, out
        calls = server.calls()
        counts[label] = len(calls)
        if label == "without":
            assert rules_calls(server) == []
            assert not any(str(c["path"]).endswith(".json") and "/smartCampaign/" in str(c["path"])
                           and str(c["path"]).split("/")[-1][:-5].isdigit() for c in calls)
        assert json.loads(out)["summary"]["api"]["read_calls"] == counts[label] - 1  # minus the token call
    # campaign: smart list + record; template: smart list + record; its folder: one browse
    assert counts["with"] - counts["without"] == 5


def test_expect_rules_without_template_is_an_offline_error(emulator, cli_project):
    write(cli_project, f"folder: {PROGRAM}\ncampaigns:\n  - name: X\n    expect:\n      rules: template\n")
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan")
    assert code == 1 and out == ""
    assert "campaigns[0].expect.rules" in err and "has no `template`" in err
    assert "campaigns/webinar.yaml, line 5, column 14" in err
    assert emulator.calls() == []
