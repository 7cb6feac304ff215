"""Fixtures of the emulator tests: a backend on a manual clock (no HTTP), and the third-party
client ``marketorestpython`` pointed at an emulator."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from marketorestpython.client import MarketoClient
from marketorestpython.helper import http_lib

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.clock import ManualClock
from marketo_sync.emulator.seed import backend_from_seed


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock("2026-02-01T12:00:00Z")


@pytest.fixture
def backend(clock: ManualClock, example_seed) -> MarketoBackend:
    """The example instance in a backend of its own (the seed is copied by ``load_seed``)."""
    return backend_from_seed(example_seed, clock=clock)


@pytest.fixture
def mc(emulator, monkeypatch):
    """A ``MarketoClient`` on the ``emulator`` fixture. Its pacing (5 calls per second, through its
    module's ``time.sleep``) is switched off: it tests the client, not the emulator, and would only
    slow the suite down."""
    monkeypatch.setattr(http_lib, "time", SimpleNamespace(time=time.time, sleep=lambda seconds: None))
    client = MarketoClient("123-ABC-456", emulator.client_id, emulator.client_secret)
    client.host = emulator.base_url
    return client
