"""Render tests: golden text/markdown (byte for byte), colour, markdown cap, JSON schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
from plan_builders import MARCH, golden_plan

from marketo_sync.plan.changes import CampaignRef, CloneCampaign, DeleteCampaign, UpdateCampaign
from marketo_sync.plan.plan import ApiCost, Plan
from marketo_sync.refs import FolderRef
from marketo_sync.render.plan import GITHUB_COMMENT_LIMIT, render_json, render_markdown, render_text

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
SCHEMA = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/<name>; regenerate only when UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from the golden file (UPDATE_GOLDEN=1 to regenerate)"


def validate(document: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [e.message for e in validator.iter_errors(document)]


def test_golden_text():
    check_golden("plan_all_actions.txt", render_text(golden_plan()))


def test_golden_markdown():
    check_golden("plan_all_actions.md", render_markdown(golden_plan()))


def test_golden_no_changes():
    plan = Plan(environment="sandbox", instance="127.0.0.1:9999", created_at="2026-01-01T00:00:00+00:00",
                cost=ApiCost(read_calls=4))
    check_golden("plan_no_changes.txt", render_text(plan))
    check_golden("plan_no_changes.md", render_markdown(plan))


def test_text_colour_only_when_asked():
    plan = golden_plan()
    assert "\033[" not in render_text(plan)
    coloured = render_text(plan, color=True)
    assert "\033[32m  + clone" in coloured and "\033[31m  - delete" in coloured


def test_every_action_symbol_in_text():
    text = render_text(golden_plan())
    for marker in ("  + create", "  + clone", "  ~ update", "  ▶ activate", "  ■ deactivate",
                   "  - delete ", "  ± replace", "  ~ set-token", "  - delete-token"):
        assert marker in text, marker
    assert "Plan: 2 to create, 1 to update, 2 to activate, 3 to deactivate, 1 to replace, 3 to delete" in text


def test_json_validates_and_is_stable():
    plan = golden_plan()
    document = json.loads(render_json(plan))
    assert validate(document) == []
    assert list(document) == ["format_version", "environment", "instance", "created_at", "summary",
                              "changes", "drift", "unmanaged", "observations", "links", "checksum"]
    first = document["changes"][0]
    assert list(first)[:2] == ["action", "key"]
    assert render_json(plan) == render_json(Plan.from_json(render_json(plan)))


def test_schema_rejects_unknown_action():
    document = json.loads(render_json(golden_plan()))
    document["changes"][0]["action"] = "move"
    assert validate(document)


def big_plan(n: int) -> Plan:
    folder = FolderRef(1001, "Program")
    changes = []
    long_name = "Campaign with a rather long descriptive name for the quarterly nurture stream number"
    for i in range(n):
        ref = CampaignRef(f"Marketing Activities/Webinars/Program {i // 50:03d}", f"{long_name} {i:05d}",
                          folder, 10_000 + i)
        if i % 3 == 0:
            changes.append(UpdateCampaign(key=f"update:{ref.path}", campaign=ref,
                                          before={"description": "old " * 20}, after={"description": "new " * 20}))
        elif i % 3 == 1:
            changes.append(DeleteCampaign(key=f"delete:{ref.path}", campaign=ref, reason="undeclared"))
        else:
            template = CampaignRef("Marketing Activities/Templates", "T", FolderRef(10), 1)
            changes.append(CloneCampaign(key=f"clone:{ref.path}", campaign=CampaignRef(ref.folder, ref.name, folder),
                                         template=template, after={"name": ref.name}))
    return Plan(changes=tuple(changes), created_at="2026-01-01T00:00:00+00:00")


def test_2000_change_plan_fits_a_github_comment():
    plan = big_plan(2000)
    markdown = render_markdown(plan)
    assert len(markdown) < GITHUB_COMMENT_LIMIT
    assert markdown.startswith("### marketo-sync plan")
    assert "**Plan:** 666 to create, 667 to update" in markdown.split("<details>")[0]  # summary first
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "Program" in line]
    cut = 2000 - len(rows)
    assert cut > 0
    assert f"**{cut} more changes not shown**" in markdown
    assert markdown.rstrip().endswith("</details>")


def test_small_plan_is_not_cut():
    markdown = render_markdown(big_plan(20))
    assert "not shown" not in markdown
    assert markdown.count("| Program") == 0 and markdown.count("Webinars/Program") == 20


def test_markdown_escapes_pipes():
    ref = CampaignRef("Marketing Activities/A|B", "x`y", MARCH, 1)
    plan = Plan(changes=(DeleteCampaign(key="delete:x", campaign=ref),), created_at="x")
    assert "A\\|B" in render_markdown(plan)
