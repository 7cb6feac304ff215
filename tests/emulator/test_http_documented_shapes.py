"""Answers shaped like Adobe's documented examples (AdobeDocs/marketo-developer.en), over HTTP,
the side-door quirk that makes the emulator deliberately wrong, and credentials kept out of the log."""

from __future__ import annotations

import datetime as dt

from example_counts import program_ids

from marketo_sync.emulator.clock import ManualClock

A = "/rest/asset/v1"
MARCH_PROGRAM = 1102  # "2026-03 Customer Engagement Webinar" in examples/instance.yaml


def side(api, method, path, **kwargs):
    return api.raw(method, f"/_emulator/{path}", auth=False, **kwargs)


def test_activate_and_deactivate_answer_without_warnings(api):
    """smart-campaigns.md, Activate/Deactivate: {success, errors, requestId, result:[{id}]}, no warnings."""
    for action in ("deactivate", "activate"):
        body = api.post(f"{A}/smartCampaign/2001/{action}.json")
        assert set(body) == {"success", "errors", "requestId", "result"}, body
        assert body["success"] is True and body["result"] == [{"id": 2001}]
    assert "warnings" in api.post(f"{A}/smartCampaign/2001/activate.json")  # a refusal keeps the asset envelope


def test_system_campaigns_carry_no_folder(api):
    """smart-campaigns.md, By Id: the system campaign example has no ``folder`` key."""
    system = api.get(f"{A}/smartCampaign/2041.json")["result"][0]
    assert system["isSystem"] is True and "folder" not in system
    assert api.get(f"{A}/smartCampaign/2001.json")["result"][0]["folder"] == {"id": 1101, "type": "Folder"}
    browsed = api.get(f"{A}/smartCampaigns.json", folder='{"id":1105,"type":"Folder"}')["result"]
    assert [c["id"] for c in browsed] == [2041, 2042] and not [c for c in browsed if "folder" in c]


def test_program_records_carry_head_start_and_browse_leaves_out_tags(api):
    """programs.md: by id/by name have tags, costs and headStart; browse has headStart, no tags."""
    by_id = api.get(f"{A}/program/{MARCH_PROGRAM}.json")["result"][0]
    assert by_id["headStart"] is False and "tags" in by_id and "costs" in by_id
    by_name = api.get(f"{A}/program/byName.json", name=by_id["name"])["result"][0]
    assert by_name["headStart"] is False and "tags" in by_name
    browsed = api.get(f"{A}/programs.json")["result"]
    assert [p["id"] for p in browsed] == program_ids()
    for record in browsed:
        assert record["headStart"] is False and "tags" not in record and "costs" not in record


def test_creating_a_token_answers_with_that_token_only(api):
    """tokens.md, Create and Update: the answer holds the written token, not the folder's list."""
    path = f"{A}/folder/{MARCH_PROGRAM}/tokens.json"
    before = api.get(path, folderType="Program")["result"][0]["tokens"]
    assert len(before) == 3
    created = api.post(path, data={"folderType": "Program", "name": "Speaker", "type": "text", "value": "Ada"})
    row = created["result"][0]
    assert row["folder"] == {"type": "Program", "value": MARCH_PROGRAM}
    assert [(t["name"], t["type"], t["value"]) for t in row["tokens"]] == [("Speaker", "text", "Ada")]
    assert row["tokens"][0]["computedUrl"].endswith(f"#PG{MARCH_PROGRAM}A1")
    updated = api.post(path, data={"folderType": "Program", "name": "WebinarTitle", "type": "text", "value": "New"})
    assert [(t["name"], t["value"]) for t in updated["result"][0]["tokens"]] == [("WebinarTitle", "New")]
    assert len(api.get(path, folderType="Program")["result"][0]["tokens"]) == 4


def test_schedule_run_at_one_minute_ahead_is_accepted(make_emulator, api_for):
    """Acceptance 4: Marketo waits at least five minutes; a sooner runAt is not an error."""
    clock = ManualClock("2026-03-01T12:00:00Z")
    server = make_emulator(clock=clock)
    api = api_for(server)
    soon = dt.datetime.fromtimestamp(clock() + 60, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    body = api.post("/rest/v1/campaigns/2021/schedule.json", json={"input": {"runAt": soon}})
    assert body == {"requestId": body["requestId"], "result": [{"id": 2021}], "success": True}
    assert [s["runAt"] for s in server.backend.schedules()] == ["2026-03-01T12:05:00Z"]


def test_quirk_renames_one_response_field(emulator, api):
    assert api.get(f"{A}/smartCampaign/2001.json")["result"][0]["isActive"] is True
    answer = side(api, "POST", "quirks", json={"rename_field": {"from": "isActive", "to": "active"}})
    assert answer.status_code == 200
    assert answer.json() == {"rename_field": {"from": "isActive", "to": "active"}}
    record = api.get(f"{A}/smartCampaign/2001.json")["result"][0]
    assert "isActive" not in record and record["active"] is True
    assert all("active" in r for r in api.get(f"{A}/smartCampaigns.json")["result"])
    assert side(api, "GET", "quirks").json() == answer.json()
    side(api, "POST", "reset")  # reset restores the instance, not the quirks (as with faults)
    assert "active" in api.get(f"{A}/smartCampaign/2001.json")["result"][0]
    assert side(api, "POST", "quirks", json={"rename_field": None}).json() == {"rename_field": None}
    assert api.get(f"{A}/smartCampaign/2001.json")["result"][0]["isActive"] is True


def test_quirk_bad_bodies_are_400_and_change_nothing(emulator, api):
    for bad in ({"rename_field": {"from": "isActive"}}, {"rename_field": {"from": "a", "to": "a"}},
                {"rename": {"from": "a", "to": "b"}}, ["rename_field"]):
        answer = side(api, "POST", "quirks", json=bad)
        assert answer.status_code == 400 and answer.json()["error"], bad
    assert emulator.quirks.snapshot() == {"rename_field": None}
    assert side(api, "DELETE", "quirks").status_code == 405


def test_quirk_from_python(emulator, api):
    assert emulator.set_quirks(rename_field={"from": "name", "to": "title"})["rename_field"]["to"] == "title"
    assert api.get(f"{A}/program/{MARCH_PROGRAM}.json")["result"][0]["title"].startswith("2026-03")


def test_call_log_masks_client_id_like_the_secret(emulator, api):
    """Issue 15 item 8: a query-string identity call leaves neither the client id nor the secret."""
    api.token()  # GET /identity/oauth/token?client_id=…&client_secret=…
    calls = side(api, "GET", "calls").json()["calls"]
    identity = [c for c in calls if c["kind"] == "identity"]
    assert identity and identity[0]["query"] == {"grant_type": "client_credentials", "client_id": "***",
                                                 "client_secret": "***"}
    assert emulator.client_id not in str(calls) and emulator.client_secret not in str(calls)


def test_channels_catalogue_as_documented(api):
    """channels.md: ``{id, name, applicableProgramType, progressionStatuses}``; paged by offset."""
    channels = api.get(f"{A}/channels.json", maxReturn=200)["result"]
    by_name = {c["name"]: c for c in channels}
    assert by_name["Blog"]["applicableProgramType"] == "program"
    assert by_name["Webinar"]["applicableProgramType"] == "event"  # also the seeded programs' channel
    assert [s["step"] for s in by_name["Blog"]["progressionStatuses"]] == [0, 10, 20]
    assert len({c["id"] for c in channels}) == len(channels)
    second = api.get(f"{A}/channels.json", offset=1, maxReturn=1)["result"]
    assert second == [channels[1]]
    assert api.get(f"{A}/channels.json", maxReturn=201)["errors"][0]["code"] == "1003"
