"""Rate window (606), concurrency (615) and daily quota (607), enforced per API call over HTTP."""

from __future__ import annotations

import threading

import requests

from marketo_sync.emulator.clock import ManualClock

BROWSE = "/rest/asset/v1/smartCampaigns.json"


def codes(api, n, path=BROWSE):
    out = []
    for _ in range(n):
        body = api.get(path)
        out.append(None if body["success"] else body["errors"][0]["code"])
    return out


def test_606_after_the_window_is_full_and_ok_once_it_rolls(make_emulator, api_for):
    clock = ManualClock()
    api = api_for(make_emulator(clock=clock, rate_limit=(10, 2.0)))
    assert codes(api, 10) == [None] * 10
    body = api.get(BROWSE)
    assert body["errors"] == [{"code": "606", "message": "Max rate limit '10' exceeded with in '2' secs"}]
    clock.advance(1.0)
    assert codes(api, 1) == ["606"]  # rejected calls did not reset or extend anything
    clock.advance(1.01)
    assert codes(api, 10) == [None] * 10
    assert codes(api, 1) == ["606"]


def test_default_limit_allows_100_fast_calls_then_606(emulator, api):
    results = codes(api, 101)
    assert results[:100] == [None] * 100
    assert results[100] == "606"
    statuses = [c["code"] for c in emulator.calls() if c["kind"] == "api"]
    assert statuses.count("606") == 1


def test_identity_and_refused_calls_do_not_consume_the_window(make_emulator, api_for):
    server = make_emulator(clock=ManualClock(), rate_limit=(3, 20.0))
    api = api_for(server)
    for _ in range(5):
        api.token()
        api._token = None
        assert api.raw("GET", BROWSE, headers={"Authorization": "Bearer bogus"}).json()["errors"][0]["code"] == "601"
    assert codes(api, 4) == [None, None, None, "606"]


def test_limits_change_at_run_time(make_emulator, api_for):
    server = make_emulator(clock=ManualClock())
    api = api_for(server)
    settings = server.set_faults(rate_limit="2/5", daily_quota=100, concurrency=3)
    assert settings["rate_limit"] == "2/5" and settings["concurrency"] == 3
    assert codes(api, 3) == [None, None, "606"]
    answer = api.raw("POST", "/_emulator/faults", auth=False, json={"rate_limit": [50, 20]}).json()
    assert answer["rate_limit"] == "50/20"
    assert codes(api, 1) == [None]


def test_615_at_the_eleventh_concurrent_call(make_emulator, api_for):
    server = make_emulator(latency_ms=1000)  # wide enough that all 11 overlap on a loaded machine
    token = api_for(server).token()
    barrier = threading.Barrier(11)
    results: list[str | None] = []
    lock = threading.Lock()

    def call() -> None:
        with requests.Session() as session:
            barrier.wait()
            body = session.get(server.base_url + BROWSE, headers={"Authorization": f"Bearer {token}"},
                               timeout=10).json()
        with lock:
            results.append(None if body["success"] else body["errors"][0]["code"])

    threads = [threading.Thread(target=call) for _ in range(11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == ["615"] + [None] * 10
    busy = [c for c in server.calls() if c["code"] == "615"]
    assert len(busy) == 1 and busy[0]["duration_ms"] < 1000  # refused at once, not after the latency


def test_607_after_the_daily_quota_until_the_next_central_day(make_emulator, api_for):
    clock = ManualClock("2026-02-01T12:00:00Z")  # 06:00 US Central
    api = api_for(make_emulator(clock=clock, daily_quota=5, token_ttl=86400 * 2))
    assert codes(api, 6) == [None] * 5 + ["607"]
    assert api.get(BROWSE)["errors"][0]["message"] == "Daily quota reached"
    clock.advance(12 * 3600)  # 18:00 Central, same day
    assert codes(api, 1) == ["607"]
    clock.advance(6 * 3600 + 1)  # past midnight Central
    assert codes(api, 1) == [None]


def test_reset_clears_the_window_and_daily_count(make_emulator, api_for):
    server = make_emulator(clock=ManualClock(), rate_limit=(2, 20.0), daily_quota=1000)
    api = api_for(server)
    assert codes(api, 3) == [None, None, "606"]
    api.raw("POST", "/_emulator/reset", auth=False)
    assert codes(api, 2) == [None, None]
