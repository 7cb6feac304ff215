"""Issue 3 acceptance: the client against the real emulator over HTTP on 127.0.0.1.

Tests that need a real rate window use tiny windows; tests that only check decisions
shrink the retry waits. Nothing sleeps to make timing pass.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient, RateLimits, RetryPolicy
from marketo_sync.emulator import EmulatorServer
from marketo_sync.errors import AuthError, NotFound, OutcomeUnknown, QuotaExhausted, TransportError
from marketo_sync.refs import FolderRef

#: Retries without long waits (decisions are tested, not Adobe's pace).
QUICK = RetryPolicy(attempts=8, deadline=30.0, initial=0.02, max_wait=0.2, jitter=0.05)
CREATE = "/rest/asset/v1/smartCampaigns.json"
BROWSE = "/rest/asset/v1/smartCampaigns.json"


def client_for(server: EmulatorServer, **kwargs: Any) -> MarketoClient:
    settings = ClientSettings(base_url=server.base_url, client_id=server.client_id,
                              client_secret=kwargs.pop("client_secret", server.client_secret))
    return MarketoClient(settings, **kwargs)


def api_calls(server: EmulatorServer) -> list[dict[str, Any]]:
    return [c for c in server.calls() if c["kind"] == "api"]


def identity_calls(server: EmulatorServer) -> list[dict[str, Any]]:
    return [c for c in server.calls() if c["kind"] == "identity"]


def codes(server: EmulatorServer) -> Counter[str]:
    return Counter(str(c["code"]) for c in api_calls(server) if c["code"])


def run_threads(count: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def campaigns_folder(server: EmulatorServer, count: int) -> FolderRef:
    """A new folder under Marketing Activities holding exactly ``count`` campaigns."""
    key = server.backend.add_folder((14, "Folder"), "Bulk")
    server.backend.add_campaigns(key, count)
    return FolderRef.parse({"id": key[0], "type": key[1]})


class Instant:
    """A clock that runs with real time but jumps forward instead of sleeping (decision tests)."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds


# -- 1. the client alone never provokes 606 / 615 at its defaults ------------------------------


def test_defaults_never_provoke_606_or_615(make_emulator: Callable[..., EmulatorServer]) -> None:
    """300 reads from 8 threads: zero 606 / 615 at the emulator.

    Scaling: the real case (emulator 100 calls / 20 s and 10 concurrent, client at its defaults
    of 50 / 20 s and 5 concurrent) takes about 2 minutes; ``benchmarks/bench_client_limits.py``
    runs it. Here both windows shrink from 20 s to 1 s and every count stays as it is: the
    emulator allows 100 calls per rolling second and 10 in flight, the client keeps its default
    budget (50 calls per window, 5 concurrent). The property is the same (the client uses half
    of each limit and so never reaches either) and the run takes about 5 s. The lower bound on
    the elapsed time shows that the limiter, not the emulator's speed, paced the run.
    """
    server = make_emulator(rate_limit=(100, 1.0), concurrency=10)
    limits = RateLimits(calls=RateLimits().calls, window=1.0, concurrency=RateLimits().concurrency)
    with client_for(server, limits=limits) as client:
        api = MarketoApi(client)
        ids = [c["id"] for c in api.browse_campaigns()]
        client.stats.calls = 0
        started = time.monotonic()
        run_threads(8, lambda i: [api.get_campaign(ids[(i + n) % len(ids)]) for n in range(300 // 8 + (i < 4))])
        elapsed = time.monotonic() - started
    assert client.stats.calls == 300
    assert codes(server)["606"] == 0 and codes(server)["615"] == 0
    assert client.stats.retries == 0
    assert elapsed >= (300 / 50 - 1) * 1.0 - 0.1
    # waiting is wall time (8 threads waiting together count once), and most of the run was waiting
    assert 0.5 * elapsed <= client.stats.waited_seconds <= elapsed


# -- 2. a client limiter set too high still gets through, by 606 back-off ----------------------


def test_limiter_too_high_recovers_through_606_backoff(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator(rate_limit=(10, 2.0), concurrency=10)
    retry = RetryPolicy(attempts=8, deadline=60.0, initial=0.1, max_wait=1.0, jitter=0.2)
    with client_for(server, limits=RateLimits(calls=100, window=20.0, concurrency=10), retry=retry) as client:
        api = MarketoApi(client)
        results: list[Any] = []
        run_threads(4, lambda i: results.extend(api.get_campaign(2001) for _ in range(8)))
        assert len(results) == 32 and all(r and r["id"] == 2001 for r in results)
        stats = client.stats
    rejected = codes(server)["606"]
    assert rejected > 0
    assert stats.by_code["606"] == rejected
    assert stats.retries == rejected           # every 606 was retried, nothing else failed
    assert stats.waited_seconds > 0
    assert f"{stats.retries} retr" in stats.summary()
    ok = [c for c in api_calls(server) if c["code"] is None]
    assert len(ok) == 32


# -- 3. token expiry mid-run: one re-authentication per expiry -----------------------------------


def test_token_expiry_during_a_long_paged_read(make_emulator: Callable[..., EmulatorServer]) -> None:
    ttl = 1.0  # identity then answers expires_in 0 (whole seconds, rounded down): the hardest case
    server = make_emulator(token_ttl=ttl, latency_ms=25)
    folder = campaigns_folder(server, 600)
    with client_for(server, limits=RateLimits(calls=100, window=20.0)) as client:
        started = time.monotonic()
        rows = list(client.pages(BROWSE, {"folder": folder.to_json()}, page_size=10))
        elapsed = time.monotonic() - started
        stats = client.stats
    assert len(rows) == 600 and len({r["id"] for r in rows}) == 600
    identities = len(identity_calls(server))
    expiries = int(elapsed / ttl)
    assert expiries >= 1, f"the read ({elapsed:.1f} s) must outlive a token ({ttl} s)"
    assert 2 <= identities <= expiries + 1
    assert stats.identity_calls == identities and stats.reauths == identities - 1


def test_expired_token_is_replaced_once_and_the_call_resent(emulator: EmulatorServer) -> None:
    with client_for(emulator) as client:
        api = MarketoApi(client)
        assert api.get_campaign(2001)["id"] == 2001
        emulator.set_faults(expire_tokens=True)
        assert api.get_campaign(2001)["id"] == 2001
        assert client.stats.reauths == 1 and client.stats.retries == 0
    assert [c["code"] for c in api_calls(emulator)] == [None, "602", None]
    assert len(identity_calls(emulator)) == 2


# -- 4. transient faults: reads succeed, a lost create is reported, never resent ---------------


def test_reads_survive_20_percent_faults(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator(fault_rate=0.2, fault_seed=7)
    server.set_faults(fault_kinds=["500", "502", "604", "608", "713", "drop"])
    with client_for(server, retry=QUICK, limits=RateLimits(calls=100, window=20.0)) as client:
        api = MarketoApi(client)
        found: list[Any] = []
        run_threads(4, lambda i: found.extend(api.get_campaign(2001) for _ in range(15)))
        stats = client.stats
    assert len(found) == 60 and all(r["id"] == 2001 for r in found)
    faults = Counter(c["fault"] for c in api_calls(server) if c["fault"])
    assert sum(faults.values()) >= 5 and {"drop"} <= set(faults)
    assert stats.retries == sum(faults.values())


def test_create_lost_after_commit_is_outcome_unknown_and_not_resent(emulator: EmulatorServer) -> None:
    emulator.set_faults(script=[{"method": "POST", "path": CREATE, "fault": "drop_after_commit", "count": 1}])
    with client_for(emulator, retry=QUICK) as client:
        api = MarketoApi(client)
        with pytest.raises(OutcomeUnknown) as failure:
            api.create_campaign(name="Lost Answer", folder=FolderRef(1101))
        assert failure.value.method == "POST" and failure.value.path == CREATE
        assert "look before" in str(failure.value)
        posts = [c for c in api_calls(emulator) if c["method"] == "POST"]
        assert len(posts) == 1 and posts[0]["fault"] == "drop_after_commit"
        # it did happen: the caller's look finds it
        assert api.get_campaign_by_name("Lost Answer")["folder"]["id"] == 1101


@pytest.mark.parametrize("fault", ["drop", "502", "604", "713", "html"])
def test_create_with_an_ambiguous_failure_is_never_resent(emulator: EmulatorServer, fault: str) -> None:
    emulator.set_faults(script=[{"method": "POST", "path": CREATE, "fault": fault, "count": 1}])
    with client_for(emulator, retry=QUICK) as client:
        with pytest.raises(OutcomeUnknown):
            MarketoApi(client).create_campaign(name="Maybe", folder=FolderRef(1101))
    assert len([c for c in api_calls(emulator) if c["method"] == "POST"]) == 1


@pytest.mark.parametrize("fault", ["606", "615", "608"])
def test_create_refused_before_processing_is_retried(emulator: EmulatorServer, fault: str) -> None:
    emulator.set_faults(script=[{"method": "POST", "path": CREATE, "fault": fault, "count": 1}])
    instant = Instant()  # a 606 pauses until the (20 s) window frees: jump instead of waiting
    with client_for(emulator, retry=QUICK, clock=instant.clock, sleep=instant.sleep) as client:
        created = MarketoApi(client).create_campaign(name="Refused Then Made", folder=FolderRef(1101))
        assert created["name"] == "Refused Then Made" and client.stats.retries == 1
    posts = [c["code"] for c in api_calls(emulator) if c["method"] == "POST"]
    assert posts == [fault, None]
    if fault == "606":  # waited for the window to free (the create was the first call), then backed off
        assert sum(instant.sleeps) >= 19.5 and client.stats.waited_seconds >= 19.5


def test_connection_refused_is_retried_then_reported(emulator: EmulatorServer) -> None:
    port = emulator.port
    emulator.stop()
    settings = ClientSettings(base_url=f"http://127.0.0.1:{port}", client_id="x", client_secret="y")
    with MarketoClient(settings, retry=RetryPolicy(attempts=3, initial=0.01, jitter=0.0)) as client:
        with pytest.raises(TransportError, match="unreachable"):
            MarketoApi(client).get_campaign(1)
        assert client.stats.identity_calls == 3 and client.stats.calls == 0


# -- 5. quota and credentials stop at once -------------------------------------------------------


def test_607_stops_at_once_naming_the_daily_quota(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator(daily_quota=3)
    with client_for(server, retry=QUICK) as client:
        api = MarketoApi(client)
        for _ in range(3):
            api.get_campaign(2001)
        with pytest.raises(QuotaExhausted) as failure:
            api.get_campaign(2001)
        assert client.stats.retries == 0
    message = str(failure.value)
    assert "607" in message and "daily API quota" in message and "midnight US Central" in message
    assert codes(server)["607"] == 1


def test_bad_credentials_fail_once(emulator: EmulatorServer) -> None:
    with client_for(emulator, client_secret="not-the-secret", retry=QUICK) as client:
        with pytest.raises(AuthError) as failure:
            MarketoApi(client).get_campaign(2001)
    assert "not-the-secret" not in str(failure.value) and "client id" in str(failure.value)
    assert len(identity_calls(emulator)) == 1 and not api_calls(emulator)


def test_business_errors_are_typed_with_code_and_request_id(emulator: EmulatorServer) -> None:
    with client_for(emulator) as client:
        api = MarketoApi(client)
        with pytest.raises(NotFound.__mro__[1]) as failure:  # ApiError: the exact subclass depends on the code
            api.create_campaign(name="x", folder=FolderRef(999999))
    assert failure.value.code and failure.value.request_id
    assert failure.value.path == CREATE and failure.value.code in str(failure.value)


# -- 7. paging 1,000 campaigns ------------------------------------------------------------------


def test_paging_1000_campaigns_takes_6_browse_calls(emulator: EmulatorServer) -> None:
    folder = campaigns_folder(emulator, 1000)
    with client_for(emulator) as client:
        rows = MarketoApi(client).browse_campaigns(folder)
        stats = client.stats
    assert len(rows) == 1000 and len({r["id"] for r in rows}) == 1000
    browse = [c for c in api_calls(emulator) if c["path"] == BROWSE]
    assert len(browse) == 6 == stats.calls
    assert [c["query"]["offset"] for c in browse] == ["0", "200", "400", "600", "800", "1000"]
    assert all(c["query"]["maxReturn"] == "200" for c in browse)
    assert len(identity_calls(emulator)) == 1


# -- timeouts and headers ------------------------------------------------------------------------


def test_read_timeout_retries_a_read_but_not_a_create(make_emulator: Callable[..., EmulatorServer]) -> None:
    server = make_emulator(latency_ms=400)
    settings = ClientSettings(base_url=server.base_url, client_id=server.client_id,
                              client_secret=server.client_secret, read_timeout=0.15)
    retry = RetryPolicy(attempts=2, initial=0.01, jitter=0.0)
    with MarketoClient(settings, retry=retry) as client:
        api = MarketoApi(client)
        with pytest.raises(TransportError, match="read timeout"):
            api.get_campaign(2001)
        assert client.stats.retries == 1
        with pytest.raises(OutcomeUnknown, match="read timeout"):
            api.create_campaign(name="Slow", folder=FolderRef(1101))
        assert client.stats.calls == 3
    # the emulator logs a call when its (slow) answer is done: wait for the three to be logged
    deadline = time.monotonic() + 5.0
    while len(api_calls(server)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    sent = Counter(c["method"] for c in api_calls(server))
    assert sent["GET"] == 2 and sent["POST"] == 1


def test_headers_user_agent_gzip_and_bearer_only(emulator: EmulatorServer) -> None:
    import requests

    from marketo_sync import __version__

    seen: list[Any] = []
    session = requests.Session()
    session.hooks["response"].append(lambda answer, *a, **k: seen.append(answer))
    settings = ClientSettings(base_url=emulator.base_url, client_id=emulator.client_id,
                              client_secret=emulator.client_secret)
    with session, MarketoClient(settings, session=session) as client:
        assert len(MarketoApi(client).browse_campaigns()) > 5
    identity, browse = seen[0], seen[-1]
    for answer in seen:
        assert answer.request.headers["User-Agent"] == f"marketo-sync/{__version__} (+python-requests)"
        assert answer.request.headers["Accept-Encoding"] == "gzip"
    assert "Authorization" not in identity.request.headers
    assert browse.request.headers["Authorization"].startswith("Bearer ")
    assert "access_token" not in browse.request.url
    assert browse.headers.get("Content-Encoding") == "gzip"   # a large page came compressed
