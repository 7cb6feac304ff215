"""`marketo-sync validate` through cli.main: exit 0 / 1, every error printed, never a connection."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from marketo_sync import cli

DATA = Path(__file__).resolve().parents[1] / "data" / "desired"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_network(monkeypatch):
    """validate is offline: any attempt to open a socket fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("validate tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_project(tmp_path, monkeypatch, capsys, no_network):
    shutil.copytree(DATA / "valid", tmp_path / "project")
    monkeypatch.chdir(tmp_path / "project")
    assert run(capsys) == (0, "4 campaign(s) in 3 file(s): valid.\n", "")
    code, out, _ = run(capsys, "--all-environments")
    assert code == 1  # the emulator environment defines no variables
    assert out == "4 campaign(s) in 3 file(s): valid (environment production).\n" \
                  "4 campaign(s) in 3 file(s): valid (environment sandbox).\n"


def test_invalid_files_exit_1_with_every_error(tmp_path, monkeypatch, capsys, no_network):
    shutil.copytree(DATA / "multi", tmp_path / "multi")
    monkeypatch.chdir(tmp_path / "multi")
    code, out, err = run(capsys)
    assert code == 1 and out == ""
    assert err.startswith("Error: 9 errors in campaign files:\n")
    assert "(campaigns/one.yaml, line 8, column 13)" in err and "(campaigns/two.yaml, line 6, column 11)" in err


def test_no_project_file_and_campaigns_option(tmp_path, monkeypatch, capsys, no_network):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys)
    assert code == 1 and "campaign path 'campaigns' does not exist" in err
    code, out, _ = run(capsys, "--campaigns", str(DATA / "duplicate" / "campaigns" / "a.yaml"))
    assert (code, out) == (0, "1 campaign(s) in 1 file(s): valid.\n")
    code, _, err = run(capsys, "--campaigns", str(DATA / "invalid" / "comma.yaml"))
    assert code == 1 and "comma.yaml, line 3, column 11" in err


def test_unknown_environment(tmp_path, monkeypatch, capsys):
    shutil.copytree(DATA / "valid", tmp_path / "project")
    monkeypatch.chdir(tmp_path / "project")
    code, _, err = run(capsys, "--env", "staging")
    assert code == 1 and "unknown environment 'staging'" in err


def test_schema_flag(capsys):
    code, out, _ = run(capsys, "--schema")
    assert code == 0 and Path(out.strip()) == ROOT / "schemas" / "campaigns.schema.json"


def test_the_repository_example_project(monkeypatch, capsys, no_network):
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "--all-environments")
    assert code == 0, out
    # the April webinar's file (a program cloned from the template) adds one campaign to the seven
    assert out.count("8 campaign(s) in 4 file(s): valid (environment ") == 3
