"""Pure pieces of the client: envelope parsing, tokens, paging, redaction, endpoint helpers."""

from __future__ import annotations

import json
import logging

import pytest

from marketo_sync.client import ClientStats
from marketo_sync.client.api import my_token
from marketo_sync.client.auth import TokenCache
from marketo_sync.client.envelope import EMPTY_WARNING, NotAnEnvelope, parse, parse_token
from marketo_sync.client.paging import iter_offset
from marketo_sync.client.transport import SECRETS, RedactingFilter


def body(data: object) -> bytes:
    return json.dumps(data).encode()


def test_envelope_success_rows() -> None:
    answer = parse(body({"requestId": "a#1", "success": True, "errors": [], "warnings": [],
                         "result": [{"id": 1}, {"id": 2}]}))
    assert answer.success and answer.rows == [{"id": 1}, {"id": 2}] and not answer.empty
    assert answer.request_id == "a#1"


def test_envelope_empty_warning_without_result_is_zero_rows() -> None:
    answer = parse(body({"requestId": "a#1", "success": True, "errors": [], "warnings": [EMPTY_WARNING]}))
    assert answer.success and answer.empty and answer.rows == []


def test_envelope_702_is_empty_and_errors_keep_code_message_request_id() -> None:
    assert parse(body({"success": False, "errors": [{"code": "702", "message": "No data"}]})).empty
    answer = parse(body({"requestId": "r#2", "success": False,
                         "errors": [{"code": 709, "message": "Duplicate name"}]}))
    assert (answer.code, answer.message, answer.request_id) == ("709", "Duplicate name", "r#2")


@pytest.mark.parametrize("raw", [b"<html>502 Bad Gateway</html>", b'{"success": tr', b"[]", b"\xff\xfe"])
def test_not_an_envelope(raw: bytes) -> None:
    with pytest.raises(NotAnEnvelope):
        parse(raw)


def test_parse_token() -> None:
    assert parse_token(body({"access_token": "t:ab", "expires_in": 3599})) == ("t:ab", 3599.0)
    with pytest.raises(NotAnEnvelope):
        parse_token(body({"error": "invalid_client"}))


class Identity:
    """Marketo's identity rule: the same token until it expires, with its remaining life."""

    def __init__(self, ttl: float, clock: list[float]) -> None:
        self.ttl, self.clock, self.calls, self.expires, self.n = ttl, clock, 0, -1.0, 0

    def __call__(self) -> tuple[str, float]:
        self.calls += 1
        now = self.clock[0]
        if now >= self.expires:
            self.n += 1
            self.expires = now + self.ttl
        return f"token-{self.n}", float(int(self.expires - now))


def test_long_token_is_renewed_early_once_then_kept_until_expired() -> None:
    clock = [0.0]
    identity = Identity(3600.0, clock)
    cache = TokenCache(identity, clock=lambda: clock[0])
    assert cache.token() == "token-1"
    clock[0] = 3000.0
    assert cache.token() == "token-1" and identity.calls == 1
    clock[0] = 3550.0      # inside the early-renewal margin: one try, identity gives the same token
    assert cache.token() == "token-1" and identity.calls == 2
    for t in range(3551, 3600):  # no loop: the same token is used until it has expired
        clock[0] = float(t)
        assert cache.token() == "token-1"
    assert identity.calls == 2
    clock[0] = 3601.5
    assert cache.token() == "token-2" and identity.calls == 3


def test_short_token_one_identity_call_per_expiry() -> None:
    clock = [0.0]
    identity = Identity(3.0, clock)
    cache = TokenCache(identity, clock=lambda: clock[0])
    seen = []
    while clock[0] < 30.0:
        seen.append(cache.token())
        clock[0] += 0.05
    assert identity.calls == len(set(seen)) <= 30.0 / 3.0 + 1


def test_invalidate_only_the_current_token() -> None:
    clock = [0.0]
    identity = Identity(3600.0, clock)
    cache = TokenCache(identity, clock=lambda: clock[0])
    first = cache.token()
    cache.invalidate("some-older-token")
    assert cache.token() == first and identity.calls == 1
    cache.invalidate(first)
    cache.token()
    assert identity.calls == 2 and cache.renewals == 1
    assert "token" not in repr(cache).replace("TokenCache", "").replace("a token", "")


def test_paging_stops_on_short_page_or_empty_answer() -> None:
    rows = [{"id": i} for i in range(450)]
    calls: list[dict] = []

    def fetch(query: dict) -> list[dict]:
        calls.append(query)
        return rows[query["offset"]:query["offset"] + query["maxReturn"]]

    assert list(iter_offset(fetch, {"folder": "x"})) == rows
    assert [c["offset"] for c in calls] == [0, 200, 400] and calls[0]["folder"] == "x"
    calls.clear()
    rows[:] = rows[:400]
    assert len(list(iter_offset(fetch))) == 400 and len(calls) == 3   # 2 full pages + the empty answer
    with pytest.raises(ValueError):
        list(iter_offset(fetch, page_size=201))


def test_redacting_filter_masks_registered_secrets_and_query_params() -> None:
    SECRETS.add("super-secret-token-xyz")
    record = logging.LogRecord("urllib3.connectionpool", logging.DEBUG, __file__, 1,
                               '"GET /identity/oauth/token?grant_type=x&client_secret=%s HTTP/1.1" %s',
                               ("abc123", "super-secret-token-xyz"), None)
    assert RedactingFilter().filter(record)
    text = record.getMessage()
    assert "abc123" not in text and "super-secret-token-xyz" not in text and "client_secret=[REDACTED]" in text


def test_my_token_wrapping() -> None:
    assert my_token("WebinarTitle") == "{{my.WebinarTitle}}"
    assert my_token("{{my.WebinarTitle}}") == "{{my.WebinarTitle}}"
    assert my_token("my.Title") == "{{my.Title}}"


def test_stats_summary() -> None:
    stats = ClientStats(calls=12, identity_calls=2, retries=3, reauths=1, waited_seconds=4.25,
                        by_code={"606": 3})
    assert stats.summary() == ("12 API calls (+2 identity), 3 retries, 1 re-authentication, "
                               "4.2 s waiting on rate limits; Marketo codes: 606×3")


def test_exported_members() -> None:
    import marketo_sync.client as package

    assert package.__all__ == sorted(package.__all__)
    assert set(package.__all__) == {"ClientSettings", "ClientStats", "MarketoApi", "MarketoClient",
                                    "RateLimits", "RetryPolicy"}


def test_only_the_transport_imports_requests() -> None:
    from pathlib import Path

    import marketo_sync

    root = Path(marketo_sync.__file__).parent
    users = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                   if any(line.strip().startswith(("import requests", "from requests"))
                          for line in p.read_text(encoding="utf-8").splitlines()))
    assert users == ["client/transport.py"]


def test_retry_after_seconds_http_dates_and_garbage():
    from marketo_sync.client.transport import parse_retry_after

    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0  # already past
    assert parse_retry_after(None) is None and parse_retry_after("") is None
    assert parse_retry_after("soon") is None and parse_retry_after("-5") is None
