"""Journals of older runs are pruned after a successful apply, keeping ``journals.keep`` runs
(default 50); an apply that did not succeed prunes nothing. Against the emulator."""

from __future__ import annotations

import shutil
from pathlib import Path

from marketo_sync import config
from marketo_sync.apply.journal import DEFAULT_KEEP, journals, prune

DATA = Path(__file__).resolve().parents[1] / "data" / "apply" / "example"


def _old_journals(state: Path, count: int) -> list[Path]:
    directory = state / "journal"
    directory.mkdir(parents=True)
    made = [directory / f"2020010{1 + n // 10}T0000{n % 10:02d}.000000Z-default.jsonl" for n in range(count)]
    for path in made:
        path.write_text('{"type":"header"}\n', encoding="utf-8")
    return made


def test_successful_apply_keeps_the_newest_runs(emulator, cli_project):
    shutil.copytree(DATA / "campaigns", cli_project.root / "campaigns")
    (cli_project.root / "marketo-sync.yaml").write_text("journals: {keep: 3}\n", encoding="utf-8")
    old = _old_journals(cli_project.root / ".marketo-sync", 5)
    cli_project.connect(emulator)
    code, out, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, err
    kept = journals(cli_project.root / ".marketo-sync")
    assert len(kept) == 3 and kept[:2] == old[-2:]  # the two newest old ones and this run's
    assert not kept[-1].name.startswith("2020")


def test_prune_removes_nothing_below_the_count(tmp_path):
    old = _old_journals(tmp_path, 4)
    assert prune(tmp_path, 4) == [] and journals(tmp_path) == old
    assert prune(tmp_path, 1) == old[:3] and journals(tmp_path) == old[3:]


def test_keep_is_read_from_the_project_file_and_checked(tmp_path):
    (tmp_path / "marketo-sync.yaml").write_text("journals: {keep: 7}\n", encoding="utf-8")
    assert config.load_project(tmp_path / "marketo-sync.yaml").keep_journals == 7
    (tmp_path / "marketo-sync.yaml").write_text("journals: {keep: 0}\n", encoding="utf-8")
    try:
        config.load_project(tmp_path / "marketo-sync.yaml")
    except config.ConfigError as error:
        assert "journals.keep" in str(error) and "line 1" in str(error)
    else:
        raise AssertionError("journals.keep: 0 was accepted")
    (tmp_path / "marketo-sync.yaml").write_text("limits: {}\n", encoding="utf-8")
    assert config.load_project(tmp_path / "marketo-sync.yaml").keep_journals == DEFAULT_KEEP == 50
