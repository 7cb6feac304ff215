"""Pure parts of the plan command and its workflow: colour decision, call counting, rate."""

from __future__ import annotations

import io

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient, RateLimits
from marketo_sync.commands.options import use_color
from marketo_sync.workflows.session import Session


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


def _session(limits: RateLimits) -> Session:
    settings = ClientSettings(base_url="http://127.0.0.1:9", client_id="id", client_secret="secret")
    client = MarketoClient(settings, limits=limits)
    return Session(api=MarketoApi(client), client=client, instance=settings.instance, environment="t")


def test_call_count_follows_the_client_stats():
    session = _session(RateLimits())
    assert session.calls_made() == 0
    session.client.stats.calls = 8
    assert session.calls_made() == 8


def test_the_plan_rate_is_the_client_limits():
    session = _session(RateLimits(calls=10, window=2.0))
    assert (session.client.limits.calls, session.client.limits.window) == (10, 2.0)
    assert (RateLimits().calls, RateLimits().window) == (50, 20.0)
