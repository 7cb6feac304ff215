"""Pure parts of the plan command: colour decision, call counting, rate."""

from __future__ import annotations

import io
from types import SimpleNamespace

from marketo_sync.commands.plan import call_counter, rate_of, use_color


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Tty()) is True
    assert use_color(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(Tty()) is False
    monkeypatch.setenv("NO_COLOR", "")  # an empty value does not disable colour (no-color.org)
    assert use_color(Tty()) is True


def test_call_counter_follows_the_client_stats():
    client = SimpleNamespace(stats=SimpleNamespace(calls=3))
    count = call_counter(client)
    assert count is not None and count() == 3
    client.stats.calls = 8
    assert count() == 8
    assert call_counter(SimpleNamespace()) is None


def test_rate_defaults_and_settings():
    assert rate_of(SimpleNamespace(client=SimpleNamespace())) == (50, 20.0)
    limits = SimpleNamespace(calls=10, window=2)
    assert rate_of(SimpleNamespace(client=SimpleNamespace(limits=limits))) == (10, 2.0)
