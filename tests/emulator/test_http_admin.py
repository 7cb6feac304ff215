"""The side door (/_emulator/*), state persistence across restarts, and secrets kept out of both."""

from __future__ import annotations

import json

from marketo_sync.emulator import EmulatorServer

A = "/rest/asset/v1"
TEMPLATES = '{"id":1101,"type":"Folder"}'


def side(api, method, path, **kwargs):
    answer = api.raw(method, f"/_emulator/{path}", auth=False, **kwargs)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_calls_record_every_api_and_identity_call(emulator, api):
    api.get(f"{A}/smartCampaign/2001.json")
    api.get(f"{A}/smartCampaign/2004/activate.json")  # wrong method: recorded with 605
    api.post(f"{A}/smartCampaign/2004/activate.json")
    calls = side(api, "GET", "calls")["calls"]
    assert [(c["kind"], c["method"], c["path"], c["status"], c["code"]) for c in calls] == [
        ("identity", "GET", "/identity/oauth/token", 200, None),
        ("api", "GET", f"{A}/smartCampaign/2001.json", 200, None),
        ("api", "GET", f"{A}/smartCampaign/2004/activate.json", 200, "605"),
        ("api", "POST", f"{A}/smartCampaign/2004/activate.json", 200, "709"),
    ]
    assert [c["seq"] for c in calls] == [1, 2, 3, 4]
    assert all(c["time"].startswith("20") and c["duration_ms"] >= 0 and c["fault"] is None for c in calls)
    assert calls == emulator.calls()


def test_secrets_never_in_calls_or_state(make_emulator, api_for, tmp_path):
    state_file = tmp_path / "state.json"
    server = make_emulator(state_path=state_file, legacy_query_token=True)
    api = api_for(server)
    token = api.token()
    api.raw("GET", f"{A}/smartCampaigns.json", auth=False, params={"access_token": token})
    api.raw("POST", f"{A}/smartCampaigns.json", params={"access_token": token},
            data={"name": "Secretless", "folder": TEMPLATES})
    calls = json.dumps(side(api, "GET", "calls"))
    state = json.dumps(side(api, "GET", "state"))
    saved = state_file.read_text()
    for text in (calls, state, saved, repr(server), repr(server.config)):
        assert token not in text
        assert server.client_secret not in text
    assert '"client_secret": "***"' in calls and '"access_token": "***"' in calls


def test_state_and_reset(emulator, api):
    api.post(f"{A}/smartCampaigns.json", data={"name": "Short-lived", "folder": TEMPLATES})
    names = {c["name"] for c in side(api, "GET", "state")["campaigns"]}
    assert "Short-lived" in names
    assert side(api, "POST", "reset") == {"reset": True}
    assert side(api, "GET", "calls")["calls"] == []
    assert "result" not in api.get(f"{A}/smartCampaign/byName.json", name="Short-lived")
    assert api.get(f"{A}/smartCampaign/2001.json")["success"] is True  # the token survives a reset


def test_faults_endpoint_reads_and_writes_settings(api):
    settings = side(api, "GET", "faults")
    assert settings["rate_limit"] == "100/20" and settings["concurrency"] == 10
    assert settings["daily_quota"] == 50000 and settings["fault_rate"] == 0.0
    changed = side(api, "POST", "faults", json={"latency_ms": 5, "fault_kinds": ["604"], "token_ttl": 120})
    assert changed["latency_ms"] == 5 and changed["fault_kinds"] == ["604"] and changed["token_ttl"] == 120


def test_unknown_side_door_path_is_404(api):
    assert api.raw("GET", "/_emulator/nothing", auth=False).status_code == 404


def test_state_file_persists_across_restarts(example_seed, tmp_path, api_for):
    import copy

    state_file = tmp_path / "instance-state.json"
    with EmulatorServer(seed=copy.deepcopy(example_seed), state_path=state_file) as first:
        api = api_for(first)
        created = api.post(f"{A}/smartCampaigns.json", data={"name": "Survivor", "folder": TEMPLATES})
        new_id = created["result"][0]["id"]
        api.post(f"{A}/smartCampaign/2001/deactivate.json")
        token = api.token()
    assert not list(tmp_path.glob("*.tmp"))  # atomic writes leave no temporary file
    with EmulatorServer(seed=copy.deepcopy(example_seed), state_path=state_file) as second:
        api2 = api_for(second)
        api2._token = token  # a token issued before the restart is still valid
        assert api2.get(f"{A}/smartCampaign/{new_id}.json")["result"][0]["name"] == "Survivor"
        assert api2.get(f"{A}/smartCampaign/2001.json")["result"][0]["isActive"] is False
        api2.post(f"{A}/smartCampaigns.json", data={"name": "Second", "folder": TEMPLATES})
        assert api2.get(f"{A}/smartCampaign/byName.json", name="Second")["result"][0]["id"] > new_id
