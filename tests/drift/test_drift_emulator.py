"""Acceptance tests of `marketo-sync drift` against the emulator (real HTTP on 127.0.0.1).

A converged instance is made by applying a small repository (tests/data/apply/example) or by
importing the instance; edits "in the UI" go through the raw REST API, as any other
integration or a person in Marketo would make them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPLY_EXAMPLE = ROOT / "tests" / "data" / "apply" / "example"


@pytest.fixture
def project(cli_project):
    return cli_project


@pytest.fixture
def imported(emulator, project):
    """The example instance imported: files that match it exactly."""
    project.connect(emulator)
    code, _, err = project.run("import", "Marketing Activities/Operational", "Marketing Activities/Webinars",
                               "--recursive")
    assert code == 0, err
    return project


def test_no_drift_after_apply(emulator, project):
    shutil.copytree(APPLY_EXAMPLE / "campaigns", project.root / "campaigns")
    project.connect(emulator)
    assert project.run("drift")[0] == 2  # not applied yet: the files differ from the instance
    assert project.run("apply", "--auto-approve")[0] == 0
    code, out, _ = project.run("drift")
    assert code == 0, out
    assert out.startswith("No drift")
    code, out, _ = project.run("drift", "--format", "markdown")
    assert code == 0 and out.startswith("## marketo-sync drift: No drift")


def test_description_edited_in_the_ui(emulator, api, imported):
    answer = api.post("/rest/asset/v1/smartCampaign/2032.json", data={"description": "Edited by hand"})
    assert answer["success"], answer
    code, out, _ = imported.run("drift")
    assert code == 2
    assert out.startswith("Drift detected")
    assert "Marketing Activities/Operational/Score - Web Visit (id 2032)" in out
    assert 'description: instance "Edited by hand", files "Adds five behaviour points' in out

    code, out, _ = imported.run("drift", "--format", "json")
    assert code == 2
    report = json.loads(out)
    assert report["drift_detected"] is True
    [change] = report["changes"]
    assert change["action"] == "update" and "Score - Web Visit" in change["subject"]
    assert change["differences"][0].startswith("description: instance")
    assert report["plan"]["changes"][0]["campaign"]["id"] == 2032

    code, out, _ = imported.run("drift", "--format", "markdown")
    assert code == 2
    assert out.startswith("## marketo-sync drift: Drift detected")
    assert "`Marketing Activities/Operational/Score - Web Visit (id 2032)` (update) · [open in Marketo](" in out
    assert '`description: instance "Edited by hand", files "Adds five behaviour points' in out


def test_every_format_links_the_drifted_campaign_to_the_marketo_ui(emulator, api, imported):
    """Issue 9: drift text, markdown and JSON carry the campaign's computedUrl (host as read)."""
    assert api.post("/rest/asset/v1/smartCampaign/2032.json", data={"description": "Edited"})["success"]
    link = re.compile(r"https://[A-Za-z0-9.-]+/#SC2032A1")
    code, out, _ = imported.run("drift")
    assert code == 2 and re.search(r"in the Marketo UI: " + link.pattern, out), out
    code, out, _ = imported.run("drift", "--format", "markdown")
    assert code == 2 and re.search(r"\[open in Marketo\]\(" + link.pattern + r"\)", out), out
    code, out, _ = imported.run("drift", "--format", "json")
    [change] = json.loads(out)["changes"]
    assert code == 2 and link.fullmatch(change["url"]), change


def test_deactivated_campaign(emulator, api, imported):
    assert api.post("/rest/asset/v1/smartCampaign/2011/deactivate.json")["success"]
    code, out, _ = imported.run("drift")
    assert code == 2
    assert "activate" in out and "01 - Registration Confirmation (id 2011)" in out
    assert "isActive: instance false, files true" in out


def test_expect_mismatch(emulator, imported):
    path = imported.root / "campaigns" / "operational.yaml"
    text = path.read_text(encoding="utf-8")
    assert "qualificationRuleType: any" in text
    path.write_text(text.replace("qualificationRuleType: any", "qualificationRuleType: once"), encoding="utf-8")
    code, out, _ = imported.run("drift")
    assert code == 2
    assert "Read-only differences" in out
    assert 'Score - Web Visit (id 2032): qualificationRuleType is "any", the files expect "once"' in out
    code, out, _ = imported.run("drift", "--format", "json")
    assert [d["field"] for d in json.loads(out)["drift"]] == ["qualificationRuleType"]


def test_unmanaged_campaigns_are_information_not_drift(emulator, imported):
    emulator.backend.add_campaign((1104, "Folder"), "Created by someone else", description="x")
    code, out, _ = imported.run("drift")
    assert code == 0, out
    assert "No drift" in out and "Created by someone else" in out


def test_invalid_files_exit_1_with_zero_api_calls(emulator, project):
    (project.root / "campaigns").mkdir()
    (project.root / "campaigns" / "bad.yaml").write_text("folder: Marketing Activities/Operational\n"
                                                         "campaigns:\n  - nmae: typo\n", encoding="utf-8")
    project.connect(emulator)
    before = len(emulator.calls())
    code, _, err = project.run("drift")
    assert code == 1
    assert "bad.yaml" in err
    assert len(emulator.calls()) == before


def test_unknown_folder_is_an_error_not_drift(emulator, project):
    (project.root / "campaigns").mkdir()
    (project.root / "campaigns" / "a.yaml").write_text("folder: Marketing Activities/Gone\n"
                                                       "campaigns:\n  - name: X\n", encoding="utf-8")
    project.connect(emulator)
    code, _, err = project.run("drift")
    assert code == 1 and "unknown folder" in err
