"""Fixtures of the conformance-kit tests: a fast kit runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient, RateLimits
from marketo_sync.client.transport import AnswerRecorder
from marketo_sync.conformance import Kit, KitOptions, Report
from marketo_sync.emulator import EmulatorServer


@pytest.fixture
def run_kit() -> Iterator[Callable[..., Report]]:
    """``run_kit(server, steps=..., **KitOptions)``: the kit as a library, through a client that
    does not wait between retries (fault tests stay fast) and may use the emulator's whole window."""
    sessions: list[Any] = []

    def run(server: EmulatorServer, *, steps: Any = None, **options: Any) -> Report:
        recorder = AnswerRecorder()
        http = recorder.session()
        sessions.append(http)
        settings = ClientSettings(base_url=server.base_url, client_id=server.client_id,
                                  client_secret=server.client_secret)
        client = MarketoClient(settings, limits=RateLimits(calls=100, window=20.0, concurrency=5), session=http,
                               sleep=lambda seconds: None)
        with client:
            extra = {"steps": steps} if steps is not None else {}
            kit = Kit(MarketoApi(client), recorder, KitOptions(**options), **extra)
            kit.prepare()
            return kit.run()

    yield run
    for http in sessions:
        http.close()
