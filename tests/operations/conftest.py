"""Fixtures for the `trigger` / `schedule` tests (real emulator over HTTP)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ops_support import MARCH, REMINDER, Cli

from marketo_sync.workflows.session import Session, session_for_url


@pytest.fixture
def run_cli(emulator, monkeypatch, capsys, tmp_path) -> Cli:
    return Cli(emulator, monkeypatch, capsys, tmp_path)


@pytest.fixture
def session_of() -> Iterator[Callable[[Any], Session]]:
    """``session_of(server)`` -> a client session for test set-up (closed afterwards)."""
    opened: list[Any] = []

    def make(server: Any) -> Session:
        context = session_for_url(server.base_url)
        opened.append(context)
        return context.__enter__()

    yield make
    for context in reversed(opened):
        context.__exit__(None, None, None)


@pytest.fixture
def reminder(emulator, session_of) -> int:
    """The tutorial's set-up: the Webinar Reminder Template cloned into the March program and
    activated through the API. Returns the new campaign's id."""
    api = session_of(emulator).api
    row = api.clone_campaign(2001, name=REMINDER, folder=MARCH, description="Reminder for registrants")
    api.activate_campaign(int(row["id"]))
    return int(row["id"])
