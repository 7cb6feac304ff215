"""Names read from the instance can hold anything: a remote campaign called "…\\nNo changes." is
shown on one line in every text view (plan text and markdown, drift), against the emulator."""

from __future__ import annotations

import re

import pytest

FORGED = "Sneaky\nNo changes.\x1b[2K\u2028Plan: 0 to change"


@pytest.fixture
def hostile(emulator, cli_project):
    emulator.backend.add_campaign((1104, "Folder"), FORGED, description="x")
    cli_project.connect(emulator)
    return cli_project


def _own_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("No changes", "Plan:"))]


def test_exclusive_folder_delete_shows_the_name_on_one_line(hostile):
    (hostile.root / "campaigns").mkdir()
    (hostile.root / "campaigns" / "ops.yaml").write_text(
        "folder: Marketing Activities/Operational\nmanaged: exclusive\ncampaigns: []\n", encoding="utf-8")
    code, out, err = hostile.run("plan")
    assert code in (0, 2), err
    [line] = [line for line in out.splitlines() if "Sneaky" in line]
    assert "delete" in line and "Sneaky\\nNo changes.\\x1b[2K\\u2028Plan: 0 to change" in line
    assert "\x1b" not in out and "\u2028" not in out
    assert all(not line.startswith("No changes") for line in out.splitlines())
    code, out, err = hostile.run("plan", "--format", "markdown")
    assert code in (0, 2), err
    [line] = [line for line in out.splitlines() if "Sneaky" in line]
    assert re.search(r"`+ ?Marketing Activities/Operational/Sneaky\\nNo changes\.", line), line
    assert "\x1b" not in out and "\u2028" not in out
    assert all(not line.startswith("No changes") for line in out.splitlines())


def test_unmanaged_campaign_in_plan_and_drift_stays_on_one_line(hostile):
    (hostile.root / "campaigns").mkdir()
    (hostile.root / "campaigns" / "operational.yaml").write_text(
        "folder: Marketing Activities/Operational\nmanaged: additive\ncampaigns: []\n", encoding="utf-8")
    for command in ("plan", "drift"):
        code, out, err = hostile.run(command)
        assert code in (0, 2), err
        [line] = [line for line in out.splitlines() if "Sneaky" in line]
        assert "Sneaky\\nNo changes." in line, (command, line)
        assert [line for line in _own_lines(out) if "Plan: 0 to change" in line] == [], (command, out)
