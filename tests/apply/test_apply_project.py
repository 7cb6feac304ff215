"""Acceptance 7: the repository's own project runs plan and apply against the embedded emulator
end to end, and a second run shows no changes; and the confirmation question."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from marketo_sync import cli
from marketo_sync.apply.journal import journals, read_journal
from marketo_sync.commands.apply import confirm
from marketo_sync.errors import PlanError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    work = tmp_path / "project"
    (work / "examples").mkdir(parents=True)
    shutil.copy(ROOT / "marketo-sync.yaml", work)
    shutil.copytree(ROOT / "campaigns", work / "campaigns")
    shutil.copy(ROOT / "examples" / "instance.yaml", work / "examples")
    monkeypatch.chdir(work)
    for name in ("MARKETO_BASE_URL", "MARKETO_CLIENT_ID", "MARKETO_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return work


def test_plan_apply_plan_against_the_embedded_emulator(project, capsys):
    assert cli.main(["plan", "--detailed-exitcode"]) == 2
    capsys.readouterr()
    assert cli.main(["apply", "--auto-approve"]) == 0
    out, err = capsys.readouterr()
    assert "0 failed, 0 skipped, 0 unknown" in out and "all as planned" in out
    assert cli.main(["plan", "--detailed-exitcode"]) == 0
    assert "No changes." in capsys.readouterr().out
    assert cli.main(["apply", "--auto-approve"]) == 0
    assert "No changes to apply." in capsys.readouterr().err
    (journal,) = journals(project / ".marketo-sync")
    assert read_journal(journal).complete


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_confirmation_takes_only_yes():
    asked = io.StringIO()
    confirm(Terminal("yes\n"), asked)
    assert "Only 'yes' will be accepted" in asked.getvalue()
    for answer in ("y\n", "YES please\n", ""):
        with pytest.raises(PlanError, match="cancelled"):
            confirm(Terminal(answer), io.StringIO())
    with pytest.raises(PlanError, match="--auto-approve"):
        confirm(io.StringIO("yes\n"), io.StringIO())
