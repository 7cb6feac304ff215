"""The README's main command: `marketo-sync demo` converges against the embedded emulator."""

from __future__ import annotations

import shutil
from pathlib import Path

from marketo_sync import cli
from marketo_sync.apply.journal import journals, read_journal

ROOT = Path(__file__).resolve().parents[2]
APRIL = "Marketing Activities/Webinars/2026-04 Product Launch Webinar"


def copy_example_project(target: Path) -> Path:
    """The repository's own example project (project file, campaigns, seed) in a scratch dir."""
    shutil.copy(ROOT / "marketo-sync.yaml", target / "marketo-sync.yaml")
    shutil.copytree(ROOT / "campaigns", target / "campaigns")
    shutil.copytree(ROOT / "examples", target / "examples")
    return target


def sections(output: str) -> dict[str, str]:
    """The demo's output split at its ``=== N/4 ... ===`` headings."""
    parts: dict[str, str] = {}
    current = "intro"
    for line in output.splitlines():
        if line.startswith("=== ") and line.endswith(" ==="):
            current = line.split()[1]
            continue
        parts[current] = parts.get(current, "") + line + "\n"
    return parts


def test_demo_plans_applies_and_converges(tmp_path, monkeypatch, capsys):
    project = copy_example_project(tmp_path)
    monkeypatch.chdir(project)
    keep = tmp_path / "kept"
    assert cli.main(["demo", "--keep", str(keep)]) == 0
    out = sections(capsys.readouterr().out)
    assert "+ clone" in out["1/4"] and "Send Webinar Reminder" in out["1/4"]
    # the April webinar's program, cloned from the template, its tokens set, its reminder activated
    assert f"+ clone-program {APRIL} from Marketing Activities/Templates/Webinar Program Template" in out["1/4"]
    assert f"set-token    {APRIL} {{{{my.WebinarTitle}}}}" in out["1/4"]
    assert f"activate     {APRIL}/Send Webinar Reminder" in out["1/4"]
    assert "0 failed, 0 skipped, 0 unknown" in out["2/4"]
    assert "No changes." in out["3/4"]
    # the tutorial's request, sent to the new program's reminder with the tutorial's three My Tokens
    assert f'Request campaign "{APRIL}/Send Webinar Reminder"' in out["4/4"]
    assert "isRequestable: true" in out["4/4"] and "1002200" in out["4/4"]
    assert "The emulator ran it for leads [1002200] with {{my.WebinarTitle}}='Product Launch 2026', " \
           "{{my.JoinLink}}=" in out["4/4"] and "{{my.WebinarImage}}=" in out["4/4"]
    assert "0.0 s waiting on rate limits" in out["4/4"]  # the demo's emulator is its own: the whole budget
    # the journal of the apply step was kept and records every change as applied: the seven of
    # the other files, and the April program's clone, two tokens, update and activation
    [journal] = journals(keep)
    contents = read_journal(journal)
    counts = contents.counts()
    assert contents.complete and counts["applied"] == 12 and sum(counts.values()) == 12


def test_demo_starts_from_the_seed_every_time(tmp_path, monkeypatch, capsys):
    project = copy_example_project(tmp_path)
    monkeypatch.chdir(project)
    keep = tmp_path / "kept"
    assert cli.main(["demo", "--keep", str(keep)]) == 0
    first = sections(capsys.readouterr().out)["1/4"]
    assert cli.main(["demo", "--keep", str(keep)]) == 0
    second = sections(capsys.readouterr().out)["1/4"]
    assert "+ clone" in second
    assert first.splitlines()[2:] == second.splitlines()[2:]  # the same plan (the header names the state file)


def test_demo_refuses_an_environment_that_is_not_the_emulator(tmp_path, monkeypatch, capsys):
    project = copy_example_project(tmp_path)
    monkeypatch.chdir(project)
    assert cli.main(["demo", "--env", "sandbox"]) == 1
    assert "not an embedded emulator" in capsys.readouterr().err
