"""``import`` refuses (nothing written, exit 1) a container another campaign file already
declares under another name, and a target that is a symlink leading outside the project; the
files it writes are written atomically (tests/test_atomic.py). Against the emulator."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def project(emulator, cli_project):
    cli_project.connect(emulator)
    (cli_project.root / "campaigns").mkdir()
    return cli_project


def test_a_container_declared_by_another_file_is_refused_naming_it(project):
    mine = project.root / "campaigns" / "ops-by-hand.yaml"
    mine.write_text("folder: marketing activities / OPERATIONAL\ncampaigns: []\n", encoding="utf-8")
    code, out, err = project.run("import", "Marketing Activities/Operational", "--force")
    assert code == 1
    assert "ops-by-hand.yaml" in err and "already declared" in err and "Traceback" not in err
    assert sorted(p.name for p in (project.root / "campaigns").iterdir()) == ["ops-by-hand.yaml"]


def test_the_same_file_name_is_not_a_conflict(project):
    (project.root / "campaigns" / "operational.yaml").write_text(
        "folder: Marketing Activities/Operational\ncampaigns: []\n", encoding="utf-8")
    assert project.run("import", "Marketing Activities/Operational", "--force")[0] == 0
    assert "Data Hygiene" in (project.root / "campaigns" / "operational.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("dangling", [True, False])
def test_a_symlink_leaving_the_project_is_refused(project, tmp_path, dangling):
    outside = tmp_path / "outside.yaml"
    if not dangling:
        outside.write_text("# not yours\n", encoding="utf-8")
    os.symlink(outside, project.root / "campaigns" / "operational.yaml")
    code, _, err = project.run("import", "Marketing Activities/Operational", "--force")
    assert code == 1 and "symlink" in err and "outside the project" in err
    if not dangling:
        assert outside.read_text(encoding="utf-8") == "# not yours\n"
    else:
        assert not outside.exists()


def test_a_symlink_inside_the_project_is_written_through(project):
    real = project.root / "shared" / "ops.yaml"
    real.parent.mkdir()
    real.write_text("# old\n", encoding="utf-8")
    os.symlink(real, project.root / "campaigns" / "operational.yaml")
    assert project.run("import", "Marketing Activities/Operational", "--force")[0] == 0
    assert (project.root / "campaigns" / "operational.yaml").is_symlink()
    assert "Data Hygiene" in real.read_text(encoding="utf-8")
