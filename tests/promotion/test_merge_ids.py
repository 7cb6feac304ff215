"""`import` writes ids per environment; `import --env production --merge-ids` adds production's
ids to the files imported from sandbox, in place (issue 11, item 1)."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

import pytest

from marketo_sync.desired import yaml_loader
from marketo_sync.workflows.merge_ids import merge_text

FOLDERS = ["Marketing Activities/Webinars", "Marketing Activities/Operational", "Marketing Activities/Newsletters",
           "Marketing Activities/Templates"]


def test_import_from_sandbox_then_merge_production_ids(promotion: Any) -> None:
    shutil.rmtree(promotion.root / "campaigns")
    code, _, err = promotion.run("import", "--env", "sandbox", "--recursive", *FOLDERS)
    assert code == 0, err
    webinar = (promotion.root / "campaigns" / "webinars-2026-03-customer-engagement-webinar.yaml").read_text()
    assert "folder: ${webinars}/2026-03 Customer Engagement Webinar\n" in webinar
    assert "    id: {sandbox: 2011}\n" in webinar
    assert promotion.plan("sandbox")["changes"] == []
    assert promotion.plan("production")["changes"] == []  # no production pin yet: by path and name

    code, out, err = promotion.run("import", "--env", "production", "--merge-ids")
    assert code == 0, err
    assert "campaigns/webinars-2026-03-customer-engagement-webinar.yaml" in out.split()
    webinar = (promotion.root / "campaigns" / "webinars-2026-03-customer-engagement-webinar.yaml").read_text()
    assert "    id: {sandbox: 2011, production: 7011}\n" in webinar
    # every imported campaign but the two system ones (12), and the template program's reminder
    assert "Merged 13 production id(s)" in err
    for env in ("sandbox", "production"):
        assert promotion.plan(env)["changes"] == []
    # pinned now: a rename in production is an update of 7011
    promotion.servers["production"].backend.update_campaign(7011, name="01 - Confirmation (old name)")
    plan = promotion.plan("production")
    assert [(c["action"], c["campaign"]["id"], c["after"]) for c in plan["changes"]] == [
        ("update", 7011, {"name": "01 - Registration Confirmation"})]

    code, out, err = promotion.run("import", "--env", "production", "--merge-ids")  # again: nothing to add
    assert code == 0 and out == "" and "Merged 0 production id(s) into 0 file(s)" in err


def test_merge_reports_campaigns_it_cannot_place_and_changes_nothing_for_them(promotion: Any) -> None:
    (promotion.root / "campaigns" / "extra.yaml").write_text(textwrap.dedent("""\
        folder: ${operational}
        campaigns:
          - {name: Not In Production Yet}
        """))
    before = (promotion.root / "campaigns" / "operational.yaml").read_text()
    code, _, err = promotion.run("import", "--env", "production", "--merge-ids", "Marketing Activities/Operational")
    assert code == 0, err
    assert "'Not In Production Yet' is not in production" in err
    after = (promotion.root / "campaigns" / "operational.yaml").read_text()
    assert "id: {emulator: 2032, sandbox: 2032, production: 7032}" in after
    assert "  - name: Data Hygiene - Fix Country Values\n    id: {production: 7031}\n" in after
    assert len(after.splitlines()) == len(before.splitlines()) + 2  # two ids added, nothing else moved
    assert "webinar" not in err.lower()  # narrowed to the folder given


def test_import_needs_a_folder_without_merge_ids(promotion: Any) -> None:
    code, out, err = promotion.run("import", "--env", "sandbox")
    assert code == 1 and "name at least one FOLDER_PATH" in err


CASES = {
    "flow id mapping": ("  - name: A\n    id: {sandbox: 1}  # keep\n", "  - name: A\n    id: {sandbox: 1, production: 9}  # keep\n"),
    "block id mapping": ("  - name: A\n    id:\n      sandbox: 1\n    active: true\n",
                         "  - name: A\n    id:\n      sandbox: 1\n      production: 9\n    active: true\n"),
    "no id, block": ("  - name: A\n    # why\n    description: |\n      two\n      lines\n    active: true\n",
                     "  - name: A\n    id: {production: 9}\n    # why\n    description: |\n      two\n      lines\n"
                     "    active: true\n"),
    "no id, a name on two lines": ("  - name: A\n      B\n    active: true\n",
                                   "  - name: A\n      B\n    id: {production: 9}\n    active: true\n"),
    "no id, only a name": ("  - name: A\n", "  - name: A\n    id: {production: 9}\n"),
    "no id, flow campaign": ("  - {name: A, active: true}\n", "  - {name: A, active: true, id: {production: 9}}\n"),
    "same single id": ("  - name: A\n    id: 9\n", "  - name: A\n    id: 9\n"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_merge_text_edits_only_the_id(case: str) -> None:
    body, expected = CASES[case]
    text = "folder: F\ncampaigns:\n" + body
    merged, added, left = merge_text(text, "f.yaml", [(3, 5, "A", 9)], "production")
    assert merged == "folder: F\ncampaigns:\n" + expected
    assert left == []
    assert (added != []) == (case != "same single id")
    document, problems = yaml_loader.load(merged, "f.yaml")
    assert problems == []
    written = document["campaigns"][0]["id"]
    assert (written if isinstance(written, int) else written["production"]) == 9


def test_merge_text_leaves_a_different_single_id_alone() -> None:
    text = "folder: F\ncampaigns:\n  - name: A\n    id: 2011\n"
    merged, added, left = merge_text(text, "f.yaml", [(3, 5, "A", 7011)], "production")
    assert merged == text and added == []
    assert left == ["f.yaml, line 3: 'A' left alone: `id: 2011` pins every environment, and production's is "
                    "7011: write `id: {<env>: 2011, production: 7011}`"]

