"""The one atomic write (marketo_sync/atomic.py) and its users: a failed write leaves the old
file whole and no temporary behind; plan --out writes through it."""

from __future__ import annotations

import json
import os
import stat

import pytest

from marketo_sync import atomic


def test_replaces_whole_and_keeps_the_mode(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    atomic.write_text(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path):
    previous = os.umask(0o022)
    try:
        atomic.write_text(tmp_path / "a.yaml", "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "a.yaml").stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    path.write_text("old\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", broken)
    with pytest.raises(OSError):
        atomic.write_text(path, "new\n" * 1000)
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


def test_plan_out_is_written_atomically(emulator, cli_project, monkeypatch):
    (cli_project.root / "campaigns").mkdir()
    (cli_project.root / "campaigns" / "a.yaml").write_text(
        "folder: Marketing Activities/Operational\ncampaigns:\n  - name: New One\n", encoding="utf-8")
    cli_project.connect(emulator)
    used = []
    real = atomic.write_text
    monkeypatch.setattr(atomic, "write_text", lambda path, text: (used.append(path), real(path, text))[1])
    code, _, err = cli_project.run("plan", "--out", "plans/plan.json")
    assert code in (0, 2), err
    assert [str(p) for p in used] == ["plans/plan.json"]
    assert json.loads((cli_project.root / "plans" / "plan.json").read_text(encoding="utf-8"))["changes"]
    assert [p.name for p in (cli_project.root / "plans").iterdir()] == ["plan.json"]
