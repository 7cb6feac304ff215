"""Program writes over HTTP: form parsing, envelopes, faults (719, drop after commit) and limits."""

from __future__ import annotations

import json

import pytest
import requests

from marketo_sync.emulator.clock import ManualClock

A = "/rest/asset/v1"
WEBINARS = '{"id":1102,"type":"Folder"}'
MARCH = 1102


def code(body: dict) -> str | None:
    return None if body["success"] else body["errors"][0]["code"]


def by_name(api, name: str) -> list[dict]:
    return api.get(f"{A}/program/byName.json", name=name).get("result", [])


def test_create_program_from_a_form(api):
    body = api.post(f"{A}/programs.json", data={
        "name": "2026-09 Partner Summit", "folder": WEBINARS, "type": "Event", "channel": "Webinar",
        "description": "September", "tags": json.dumps([{"tagType": "Region", "tagValue": "EMEA"}]),
        "costs": json.dumps([{"startDate": "2026-09-01", "cost": 2000}])})
    assert body["success"] is True and body["warnings"] == []
    record = body["result"][0]
    assert record["folder"] == {"type": "Folder", "value": 1102, "folderName": "Webinars"}
    assert record["tags"] == [{"tagType": "Region", "tagValue": "EMEA"}] and record["costs"][0]["cost"] == 2000
    assert by_name(api, "2026-09 Partner Summit")[0]["id"] == record["id"]
    assert record["id"] in [p["id"] for p in api.get(f"{A}/programs.json", maxReturn=200)["result"]]
    assert api.get(f"{A}/program/{record['id']}.json")["result"][0]["description"] == "September"


def test_create_program_refusals_are_envelopes(api):
    missing = api.post(f"{A}/programs.json", data={"name": "No Type", "folder": WEBINARS, "channel": "Webinar"})
    assert missing["errors"][0]["code"] == "701" and "type" in missing["errors"][0]["message"]
    used = api.post(f"{A}/programs.json", data={"name": "2026-05 Product Roadmap Webinar", "folder": WEBINARS,
                                                "type": "Event", "channel": "Webinar"})
    assert code(used) == "709"
    bad_tags = api.post(f"{A}/programs.json", data={"name": "T", "folder": WEBINARS, "type": "Event",
                                                    "channel": "Webinar", "tags": "not a list"})
    assert code(bad_tags) == "1003"
    assert by_name(api, "No Type") == [] and by_name(api, "T") == []


def test_clone_program_over_http(api, emulator):
    body = api.post(f"{A}/program/{MARCH}/clone.json", data={
        "name": "2026-04 Product Launch Webinar", "folder": WEBINARS, "description": "April"})
    record = body["result"][0]
    assert (record["name"], record["type"], record["channel"], record["description"]) == \
        ("2026-04 Product Launch Webinar", "Event", "Webinar", "April")
    campaigns = api.get(f"{A}/smartCampaigns.json", folder=json.dumps({"id": record["id"], "type": "Program"}))
    assert [(c["name"], c["isActive"]) for c in campaigns["result"]] == [("01 - Registration Confirmation", False)]
    tokens = api.get(f"{A}/folder/{record['id']}/tokens.json", folderType="Program")["result"][0]["tokens"]
    assert [t["name"] for t in tokens] == ["WebinarTitle", "JoinLink", "WebinarImage"]
    again = api.post(f"{A}/program/{MARCH}/clone.json", data={"name": "2026-04 Product Launch Webinar",
                                                              "folder": WEBINARS})
    assert code(again) == "709" and "already in use" in again["errors"][0]["message"]


def test_a_clone_dropped_after_commit_exists_and_a_blind_retry_is_refused(api, emulator):
    path = f"{A}/program/{MARCH}/clone.json"
    emulator.set_faults(script=[{"method": "POST", "path": path, "fault": "drop_after_commit"}])
    with pytest.raises(requests.ConnectionError):
        api.raw("POST", path, data={"name": "Lost Answer", "folder": WEBINARS})
    assert len(by_name(api, "Lost Answer")) == 1  # committed: a client must look it up before retrying
    assert code(api.post(path, data={"name": "Lost Answer", "folder": WEBINARS})) == "709"
    assert len(by_name(api, "Lost Answer")) == 1


def test_719_lock_wait_timeout_on_clone_changes_nothing(api, emulator):
    path = f"{A}/program/{MARCH}/clone.json"
    emulator.set_faults(script=[{"method": "POST", "path": path, "fault": "719", "count": 2}])
    answers = [api.post(path, data={"name": "Locked Out", "folder": WEBINARS}) for _ in range(3)]
    assert [code(a) for a in answers] == ["719", "719", None]
    assert answers[0]["errors"][0]["message"] == "Lock wait timeout exception" and answers[0]["warnings"] == []
    assert len(by_name(api, "Locked Out")) == 1
    assert [c["fault"] for c in emulator.calls() if c["path"] == path] == ["719", "719", None]


def test_719_can_be_a_random_fault_kind(make_emulator, api_for):
    server = make_emulator(fault_rate=1.0)
    server.set_faults(fault_kinds=["719"], fault_seed=1)
    assert code(api_for(server).get(f"{A}/program/{MARCH}.json")) == "719"


def test_update_program_by_form_and_by_json(api):
    form = api.post(f"{A}/program/{MARCH}.json", data={"description": "Form update"})
    assert form["result"][0]["description"] == "Form update"
    body = api.post(f"{A}/program/{MARCH}.json", json={"name": "2026-03 Engagement Webinar"})
    assert body["result"][0]["name"] == "2026-03 Engagement Webinar"
    assert api.get(f"{A}/program/{MARCH}.json")["result"][0]["description"] == "Form update"
    assert code(api.post(f"{A}/program/4242.json", data={"description": "x"})) == "702"


def test_delete_program_over_http(api):
    active = api.post(f"{A}/program/{MARCH}/delete.json")
    assert code(active) == "709" and "active" in active["errors"][0]["message"]
    assert api.post(f"{A}/smartCampaign/2011/deactivate.json")["success"]
    assert api.post(f"{A}/program/{MARCH}/delete.json")["result"] == [{"id": MARCH}]
    gone = api.get(f"{A}/program/{MARCH}.json")
    assert gone["warnings"] == ["No assets found for the given search criteria."] and "result" not in gone
    assert "result" not in api.get(f"{A}/smartCampaign/2011.json")


def test_wrong_methods_are_605(api):
    assert code(api.get(f"{A}/program/{MARCH}/clone.json")) == "605"
    assert code(api.get(f"{A}/program/{MARCH}/delete.json")) == "605"


def test_program_writes_count_against_the_rate_window(make_emulator, api_for):
    clock = ManualClock()
    api = api_for(make_emulator(clock=clock, rate_limit=(2, 20.0)))
    answers = [api.post(f"{A}/program/{MARCH}/clone.json", data={"name": f"Copy {n}", "folder": WEBINARS})
               for n in range(3)]
    assert [code(a) for a in answers] == [None, None, "606"]
    clock.advance(21)  # the window rolls: reads are answered again
    assert len(by_name(api, "Copy 1")) == 1
    assert by_name(api, "Copy 2") == []  # the refused clone did nothing


def test_program_writes_are_saved_to_the_state_file(make_emulator, api_for, tmp_path):
    state = tmp_path / "state.json"
    api = api_for(make_emulator(state_path=state))
    created = api.post(f"{A}/program/{MARCH}/clone.json", data={"name": "Persisted", "folder": WEBINARS})
    saved = json.loads(state.read_text())
    assert any(c["name"] == "Persisted" and c["id"] == created["result"][0]["id"] for c in saved["containers"])
