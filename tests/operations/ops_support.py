"""Helpers for the `trigger` / `schedule` tests: the CLI in process, talking HTTP to the emulator."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from marketo_sync import cli
from marketo_sync.emulator.config import EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET
from marketo_sync.refs import FolderRef

DATA = Path(__file__).resolve().parents[1] / "data" / "operations"
MARCH = FolderRef(1102, "Program")
MARCH_PATH = "Marketing Activities/Webinars/2026-03 Customer Engagement Webinar"
REMINDER = "Send Webinar Reminder"


class Terminal(io.StringIO):
    """A stdin that claims to be a terminal, with a scripted answer."""

    def isatty(self) -> bool:
        return True


def posts_of(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The POSTs among these calls (identity excluded)."""
    return [c for c in calls if c["method"] == "POST" and c["path"].startswith("/rest")]


class Cli:
    """``marketo-sync`` run in process in an empty directory, connected through MARKETO_*."""

    def __init__(self, server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                 cwd: Path) -> None:
        self.server = server
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.before = 0
        monkeypatch.chdir(cwd)  # no project file: the default environment reads MARKETO_*
        monkeypatch.setenv("MARKETO_BASE_URL", server.base_url)
        monkeypatch.setenv("MARKETO_CLIENT_ID", EMULATOR_CLIENT_ID)
        monkeypatch.setenv("MARKETO_CLIENT_SECRET", EMULATOR_CLIENT_SECRET)
        monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))  # not a terminal unless a test says so

    def run(self, *args: str, stdin: io.StringIO | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            self.monkeypatch.setattr("sys.stdin", stdin)
        self.capsys.readouterr()
        self.before = len(self.server.calls())
        code = cli.main(list(args))
        out, err = self.capsys.readouterr()
        return code, out, err

    def posts(self) -> list[dict[str, Any]]:
        """The POSTs the emulator received during the last run."""
        return posts_of(self.server.calls()[self.before:])

    def run_json(self, *args: str) -> tuple[int, dict[str, Any], str]:
        code, out, err = self.run(*args, "--format", "json")
        return code, json.loads(out), err
