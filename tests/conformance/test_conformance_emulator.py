"""The conformance kit against the emulator (issue 14, acceptance 1-3): over HTTP, through the CLI
and through the library, with faults, with a deliberately wrong emulator, with Ctrl-C."""

from __future__ import annotations

import json
import re

import pytest
from conformance_helpers import TEMPLATE, snapshot

from marketo_sync.conformance.report import DEVIATION, ERROR, PASS, SKIPPED, STATUSES
from marketo_sync.conformance.steps import STEPS, Step

A = "/rest/asset/v1"
#: Every endpoint issue 14 lists, as (method, path pattern) of the call log.
ENDPOINTS = {
    "folder create": ("POST", rf"{A}/folders\.json"),
    "folder get": ("GET", rf"{A}/folder/\d+\.json"),
    "folder by name": ("GET", rf"{A}/folder/byName\.json"),
    "folder browse": ("GET", rf"{A}/folders\.json"),
    "folder content": ("GET", rf"{A}/folder/\d+/content\.json"),
    "folder delete": ("POST", rf"{A}/folder/\d+/delete\.json"),
    "campaign create": ("POST", rf"{A}/smartCampaigns\.json"),
    "campaign get": ("GET", rf"{A}/smartCampaign/\d+\.json"),
    "campaign by name": ("GET", rf"{A}/smartCampaign/byName\.json"),
    "campaign browse": ("GET", rf"{A}/smartCampaigns\.json"),
    "campaign update": ("POST", rf"{A}/smartCampaign/\d+\.json"),
    "campaign clone": ("POST", rf"{A}/smartCampaign/\d+/clone\.json"),
    "campaign activate": ("POST", rf"{A}/smartCampaign/\d+/activate\.json"),
    "campaign deactivate": ("POST", rf"{A}/smartCampaign/\d+/deactivate\.json"),
    "campaign delete": ("POST", rf"{A}/smartCampaign/\d+/delete\.json"),
    "token set": ("POST", rf"{A}/folder/\d+/tokens\.json"),
    "token read": ("GET", rf"{A}/folder/\d+/tokens\.json"),
    "token delete": ("POST", rf"{A}/folder/\d+/tokens/delete\.json"),
    "program create": ("POST", rf"{A}/programs\.json"),
    "program clone": ("POST", rf"{A}/program/\d+/clone\.json"),
    "program delete": ("POST", rf"{A}/program/\d+/delete\.json"),
    "flow steps (detected)": ("GET", rf"{A}/smartCampaign/flowSteps\.json"),
}


def project_file(root, *, prefix: str = "MARKETO_") -> None:
    """A project whose client may use the emulator's whole window (a run is about 50 calls)."""
    (root / "marketo-sync.yaml").write_text(
        "limits: {rate_limit: 100, window: 20, concurrency: 5}\n"
        f"environments:\n  target: {{env_prefix: {prefix}}}\n", encoding="utf-8")


def test_conformance_json_against_the_emulator(emulator, cli_project):
    """Acceptance 1: exit 0, >= 15 steps with a status, every endpoint seen in /_emulator/calls,
    no trigger or schedule call, and afterwards the same campaigns and folders as before."""
    cli_project.connect(emulator)
    project_file(cli_project.root)
    before = snapshot(emulator)
    code, out, err = cli_project.run("conformance", "--format", "json", "--auto-approve", "--template", TEMPLATE)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["format"] == "marketo-sync.conformance/1" and doc["ok"] is True
    assert len(doc["steps"]) >= 15 and all(s["status"] in STATUSES for s in doc["steps"])
    assert {s["status"] for s in doc["steps"]} == {PASS}, [s for s in doc["steps"] if s["status"] != PASS]
    assert doc["summary"]["as_expected"] == len(doc["steps"]) == doc["summary"]["pass"]
    assert err.rstrip().endswith(f"{len(doc['steps'])} of {len(doc['steps'])} steps as expected")
    calls = [(c["method"], c["path"], c["query"]) for c in emulator.calls() if c["kind"] == "api"]
    seen = {what for what, (method, pattern) in ENDPOINTS.items()
            if any(m == method and re.fullmatch(pattern, p) for m, p, _ in calls)}
    assert seen == set(ENDPOINTS), set(ENDPOINTS) - seen
    browses = [q for m, p, q in calls if p == f"{A}/smartCampaigns.json" and m == "GET"]
    assert {q.get("offset") for q in browses} >= {"0", "1", "2"}
    assert {name for q in browses for name in q} >= {"folder", "maxReturn", "isActive", "earliestUpdatedAt",
                                                     "latestUpdatedAt"}
    assert not [p for _, p, _ in calls if p.endswith(("/trigger.json", "/schedule.json", "/leads.json"))]
    assert emulator.backend.requests() == [] and emulator.backend.schedules() == []
    assert snapshot(emulator) == before
    assert doc["cleanup"]["not_removed"] == []


def test_report_holds_no_secret_token_or_host(emulator, cli_project):
    cli_project.connect(emulator)
    project_file(cli_project.root)
    code, out, err = cli_project.run("conformance", "--format", "json", "--auto-approve")
    assert code == 0, err
    tokens = [emulator.backend.issue_token(emulator.client_id, emulator.client_secret)["access_token"]]
    host = emulator.base_url.split("://")[1]
    for text in (out, err):
        for secret in (emulator.client_secret, emulator.client_id, host, *tokens):
            assert secret not in text
    doc = json.loads(out)
    skipped = {s["name"]: s["detail"] for s in doc["steps"] if s["status"] == SKIPPED}
    assert "no --template given" in skipped["template.read"]
    assert set(skipped) == {"template.read", "campaign.clone", "campaign.activate", "refusal.delete-active",
                            "campaign.deactivate"}


@pytest.mark.parametrize("fault_seed", [3, 5, 11])
def test_under_faults_the_kit_reports_and_removes_what_it_created(make_emulator, run_kit, fault_seed):
    """Acceptance 2: at a 15% fault rate (drops after commit included) the run ends with a report
    and the instance holds exactly what it held before."""
    server = make_emulator(rate_limit=(1000, 20.0))
    before = snapshot(server)
    server.set_faults(fault_rate=0.15, fault_seed=fault_seed)
    report = run_kit(server, template=TEMPLATE)
    server.set_faults(fault_rate=0.0)
    assert len(report.steps) == len(STEPS) and all(s.status in STATUSES for s in report.steps)
    assert any(c["fault"] for c in server.calls())
    assert report.left == []
    assert snapshot(server) == before
    assert server.backend.requests() == [] and server.backend.schedules() == []


def test_a_renamed_field_is_reported_as_exactly_that_deviation(emulator, cli_project):
    """Acceptance 3: the emulator answers ``active`` for ``isActive``; the kit says so, and only that."""
    emulator.set_quirks(rename_field={"from": "isActive", "to": "active"})
    cli_project.connect(emulator)
    project_file(cli_project.root)
    before = snapshot(emulator)
    code, out, _ = cli_project.run("conformance", "--format", "json", "--auto-approve", "--template", TEMPLATE)
    assert code == 1
    doc = json.loads(out)
    deviations = [d for s in doc["steps"] for d in s.get("deviations", [])]
    assert deviations and {(d["field"], d["expected"], d["actual"]) for d in deviations} == {
        ("isActive", "boolean", "(missing)")}
    assert {s["status"] for s in doc["steps"]} == {PASS, DEVIATION}
    emulator.set_quirks(rename_field=None)
    assert snapshot(emulator) == before  # the active clone was found and deactivated anyway


def test_keep_leaves_the_scratch_folder_but_nothing_active(make_emulator, run_kit):
    server = make_emulator()
    report = run_kit(server, template=TEMPLATE, keep=True)
    assert report.ok and report.kept
    by_name = {s.name: s for s in report.steps}
    assert by_name["folder.delete"].status == SKIPPED and "--keep" in by_name["folder.delete"].detail
    folder = report.scratch_folder_id
    assert server.backend.get_folder((folder, "Folder"))[0]["name"] == report.scratch_folder
    kept = server.backend.browse_campaigns(folder=(folder, "Folder"))
    assert kept and not [c for c in kept if c["isActive"]]
    assert {x.reason for x in report.left} == {"kept"} and any(x.kind == "folder" for x in report.left)


def test_an_unsafe_template_is_cloned_but_never_activated(make_emulator, run_kit):
    server = make_emulator()
    report = run_kit(server, template="Marketing Activities/Templates/Form Fill Follow-up Template")
    by_name = {s.name: s for s in report.steps}
    assert by_name["campaign.clone"].status == PASS
    assert by_name["campaign.activate"].status == SKIPPED
    assert "Fills Out Form" in by_name["campaign.activate"].detail
    activations = [c for c in server.calls() if c["path"].endswith("/activate.json")]
    assert activations and all(c["code"] == "709" for c in activations)  # only the empty campaign's refusal
    assert report.ok


def test_ctrl_c_mid_run_still_cleans_up(make_emulator, run_kit):
    def interrupt(ctx, check):
        raise KeyboardInterrupt

    server = make_emulator()
    before = snapshot(server)
    steps = (*STEPS[:5], Step("interrupt", (), 0, interrupt), *STEPS[5:])
    report = run_kit(server, steps=steps)
    assert report.interrupted and not report.ok
    assert [s.status for s in report.steps[:5]] == [PASS] * 5
    assert {s.status for s in report.steps[5:]} == {SKIPPED}
    assert len(report.removed) == 3 and report.left == []  # two campaigns, then the folder
    assert snapshot(server) == before


def test_what_could_not_be_removed_is_listed_with_its_link(make_emulator, run_kit):
    def lock_folder(ctx, check):
        server.backend.add_campaigns((ctx.folder.id, "Folder"), 1, name="Someone else's {n}")

    server = make_emulator()
    steps = (STEPS[0], Step("someone adds a campaign", (), 0, lock_folder))
    report = run_kit(server, steps=steps)
    assert [x.kind for x in report.left] == ["folder"]  # the other person's campaign is left alone
    assert report.left[0].link.startswith("https://") and "not empty" in report.left[0].reason
    assert [c["name"] for c in server.backend.browse_campaigns(folder=(report.scratch_folder_id, "Folder"))] == [
        "Someone else's 1"]


def test_no_terminal_and_no_auto_approve_creates_nothing(emulator, cli_project, monkeypatch):
    import io

    cli_project.connect(emulator)
    project_file(cli_project.root)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = cli_project.run("conformance")
    assert code == 1 and "--auto-approve" in err and "Conformance kit:" in out
    assert [c for c in emulator.calls() if c["method"] == "POST"] == []


def test_an_unknown_parent_is_a_clear_error_before_any_write(emulator, cli_project):
    cli_project.connect(emulator)
    project_file(cli_project.root)
    code, _, err = cli_project.run("conformance", "--auto-approve", "--parent", "Marketing Activities/Nowhere")
    assert code == 1 and "--parent 'Marketing Activities/Nowhere' was not found" in err
    assert "Traceback" not in err
    assert [c for c in emulator.calls() if c["method"] == "POST"] == []


def test_a_lost_create_answer_is_an_error_and_the_campaign_is_still_removed(make_emulator, run_kit):
    server = make_emulator()
    before = snapshot(server)
    server.set_faults(script=[{"method": "POST", "path": f"{A}/smartCampaigns.json", "fault": "drop_after_commit",
                               "count": 1}])
    report = run_kit(server)
    create = next(s for s in report.steps if s.name == "campaign.create")
    assert create.status == ERROR and "outcome" in create.detail.lower()
    by_name = {s.name: s for s in report.steps}
    assert by_name["campaign.get"].status == PASS  # the campaign was found again by name...
    assert by_name["campaign.browse-paging"].status == SKIPPED  # ...its sibling was never created
    assert report.left == [] and snapshot(server) == before  # ...and it was removed


def test_a_second_ctrl_c_during_cleanup_lists_what_is_left(make_emulator, run_kit, monkeypatch):
    from marketo_sync.conformance.scratch import Scratch

    def interrupt(ctx, check):
        raise KeyboardInterrupt

    def interrupted_removal(self, asset):
        raise KeyboardInterrupt

    server = make_emulator()
    monkeypatch.setattr(Scratch, "_remove", interrupted_removal)
    report = run_kit(server, steps=(*STEPS[:5], Step("interrupt", (), 0, interrupt)))
    assert report.interrupted and report.removed == []
    assert sorted(x.kind for x in report.left) == ["campaign", "campaign", "folder"]
    assert {x.reason for x in report.left} == {"cleanup interrupted (Ctrl-C)"}
    assert all(x.link and x.link.startswith("https://") for x in report.left)


def test_program_channel_comes_from_channels_json_or_else_from_a_program(make_emulator, run_kit):
    server = make_emulator()
    report = run_kit(server)
    create = next(s for s in report.steps if s.name == "program.create")
    assert create.status == PASS and create.detail == "Default program"  # a "program" channel
    server.set_quirks(rename_field={"from": "applicableProgramType", "to": "programType"})
    report = run_kit(server)
    create = next(s for s in report.steps if s.name == "program.create")
    assert create.status == PASS and create.detail == "Event program"  # the seeded programs' pair
    assert any(c["path"] == f"{A}/programs.json" and c["method"] == "GET" for c in server.calls())
