"""Marketo's business rules failing the way Marketo fails, over real HTTP (HTTP 200, string codes)."""

from __future__ import annotations

import datetime as dt

from marketo_sync.emulator.clock import ManualClock

A = "/rest/asset/v1"
TEMPLATES = '{"id":1101,"type":"Folder"}'


def code_of(body):
    assert body["success"] is False, body
    return body["errors"][0]["code"]


def test_709_on_duplicate_names_for_create_clone_and_rename(api):
    assert code_of(api.post(f"{A}/smartCampaigns.json",
                            data={"name": "Webinar Reminder Template", "folder": TEMPLATES})) == "709"
    assert code_of(api.post(f"{A}/smartCampaign/2001/clone.json",
                            data={"name": "Onboarding Step Template", "folder": TEMPLATES})) == "709"
    assert code_of(api.post(f"{A}/smartCampaign/2002.json", data={"name": "Webinar Reminder Template"})) == "709"
    assert code_of(api.post(f"{A}/folders.json", data={"name": "Templates",
                                                        "parent": '{"id":14,"type":"Folder"}'})) == "709"


def test_709_on_activating_without_trigger_or_flow_step(api):
    empty = api.post(f"{A}/smartCampaigns.json", data={"name": "Nothing Yet", "folder": TEMPLATES})["result"][0]
    body = api.post(f"{A}/smartCampaign/{empty['id']}/activate.json")
    assert code_of(body) == "709" and "no trigger" in body["errors"][0]["message"]
    body = api.post(f"{A}/smartCampaign/2004/activate.json")  # trigger, empty flow
    assert code_of(body) == "709" and "no step" in body["errors"][0]["message"]
    assert code_of(api.post(f"{A}/smartCampaign/2001/activate.json")) == "709"  # already active
    assert api.get(f"{A}/smartCampaign/2004.json")["result"][0]["isActive"] is False


def test_description_over_2000_and_system_campaigns(api):
    assert code_of(api.post(f"{A}/smartCampaign/2002.json", data={"description": "x" * 2001})) == "709"
    assert code_of(api.post(f"{A}/smartCampaign/2041/delete.json")) == "709"
    assert api.get(f"{A}/smartCampaign/2041.json")["result"][0]["isSystem"] is True


def test_1003_on_requesting_a_batch_or_inactive_campaign(api):
    for campaign in (2005, 2002):  # batch; requestable trigger but inactive
        body = api.post(f"/rest/v1/campaigns/{campaign}/trigger.json", json={"input": {"leads": [{"id": 1002200}]}})
        assert code_of(body) == "1003"
    assert api.post("/rest/v1/campaigns/2001/trigger.json",
                    json={"input": {"leads": [{"id": 1002200}]}})["success"] is True
    too_many = {"input": {"leads": [{"id": 1002200 + n} for n in range(101)]}}
    assert code_of(api.post("/rest/v1/campaigns/2001/trigger.json", json=too_many)) == "1003"
    bad_token = {"input": {"leads": [{"id": 1002200}], "tokens": [{"name": "my.Bad", "value": "x"}]}}
    assert code_of(api.post("/rest/v1/campaigns/2001/trigger.json", json=bad_token)) == "1003"
    assert code_of(api.post("/rest/v1/campaigns/9999/trigger.json",
                            json={"input": {"leads": [{"id": 1}]}})) == "1013"


def test_701_710_711_on_bad_folders(api):
    assert code_of(api.post(f"{A}/smartCampaigns.json", data={"name": "No Folder"})) == "701"
    assert code_of(api.post(f"{A}/smartCampaigns.json", data={"folder": TEMPLATES})) == "701"
    assert code_of(api.post(f"{A}/smartCampaigns.json",
                            data={"name": "Lost", "folder": '{"id":4242,"type":"Folder"}'})) == "710"
    assert code_of(api.post(f"{A}/smartCampaigns.json",
                            data={"name": "Design", "folder": '{"id":1106,"type":"Folder"}'})) == "711"
    assert code_of(api.post(f"{A}/folders.json", data={"name": "Orphan",
                                                        "parent": '{"id":4242,"type":"Folder"}'})) == "710"


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def test_schedule_run_at_window(make_emulator, api_for):
    clock = ManualClock("2026-03-01T12:00:00Z")
    api = api_for(make_emulator(clock=clock))
    now = clock()

    def schedule(run_at):
        return api.post("/rest/v1/campaigns/2021/schedule.json", json={"input": {"runAt": run_at}})

    accepted = schedule(_iso(now + 60))  # one minute ahead: accepted, Marketo waits five minutes
    assert accepted["success"] is True and accepted["result"] == [{"id": 2021}]
    assert api.server.backend.schedules()[-1]["runAt"] == "2026-03-01T12:05:00Z"  # runs at now + 5 min
    assert code_of(schedule(_iso(now + 3 * 365 * 86400))) == "1042"  # beyond 2 years
    assert code_of(schedule("next tuesday")) == "704"
    assert schedule(_iso(now + 3600))["result"] == [{"id": 2021}]
    assert api.post("/rest/v1/campaigns/2021/schedule.json")["success"] is True  # no body: in 5 minutes
    assert code_of(api.post("/rest/v1/campaigns/2001/schedule.json")) == "1003"  # trigger campaign


def test_tokens_upsert_get_delete_and_bad_folder(api):
    path = f"{A}/folder/1102/tokens.json"
    created = api.post(path, data={"folderType": "Program", "name": "Speaker", "type": "text", "value": "Ada"})
    assert {"name": "Speaker", "type": "text", "value": "Ada"}.items() <= created["result"][0]["tokens"][-1].items()
    names = [t["name"] for t in api.get(path, folderType="Program")["result"][0]["tokens"]]
    assert "Speaker" in names
    assert api.post(f"{A}/folder/1102/tokens/delete.json",
                    params={"folderType": "Program", "name": "Speaker", "type": "text"})["result"] == [{"id": 1102}]
    assert code_of(api.post(f"{A}/folder/4242/tokens.json",
                            data={"folderType": "Folder", "name": "X", "type": "text", "value": "v"})) == "710"
    assert code_of(api.post(path, data={"folderType": "Program", "name": "Script", "type": "script block",
                                        "value": "#set"})) == "709"
