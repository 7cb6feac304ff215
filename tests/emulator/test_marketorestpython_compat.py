"""The third-party client ``marketorestpython`` (0.5.25) drives the emulator as it drives Marketo.

What it sends (marketo-api.md §15): identity by GET with query parameters, the token as Bearer,
form bodies with ``folder`` as a JSON string, ``parent`` as ``{'id': 1, 'type': Folder}`` (not JSON),
activate/deactivate without a body, JSON bodies for request/schedule, ``_method=GET`` for leads.
The client paces itself at 5 calls per second; the ``mc`` fixture (``conftest.py``) switches that off.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

TEMPLATES = 1101
MARCH_PROGRAM = 1102


def test_smart_campaign_reads(mc):
    by_id = mc.get_smart_campaign_by_id(2001)
    assert by_id[0]["name"] == "Webinar Reminder Template" and by_id[0]["isRequestable"] is True
    by_name = mc.get_smart_campaign_by_name("Webinar Reminder Template")
    assert by_name[0]["id"] == 2001
    pages = list(mc.get_smart_campaigns(folderId=TEMPLATES, folderType="Folder"))
    assert {c["name"] for page in pages for c in page} >= {"Webinar Reminder Template", "Empty Flow Template"}
    smart_list = mc.get_smart_list_by_smart_campaign_id(2001, includeRules=True)
    assert smart_list[0]["rules"]["triggers"][0]["name"] == "Campaign is Requested"


def test_smart_campaign_lifecycle_is_visible_in_later_reads(mc, emulator):
    created = mc.create_smart_campaign("Compat Created", TEMPLATES, "Folder", description="made by mrp")
    new_id = created[0]["id"]
    assert mc.get_smart_campaign_by_id(new_id)[0]["description"] == "made by mrp"

    mc.update_smart_campaign(new_id, "Compat Renamed", description="renamed")
    assert mc.get_smart_campaign_by_name("Compat Renamed")[0]["id"] == new_id

    clone = mc.clone_smart_campaign(2002, MARCH_PROGRAM, "Program", "Compat Clone", description="clone")
    clone_id = clone[0]["id"]
    read = mc.get_smart_campaign_by_id(clone_id)[0]
    assert read["folder"] == {"id": MARCH_PROGRAM, "type": "Program"} and read["parentProgramId"] == MARCH_PROGRAM
    assert read["isActive"] is False

    assert mc.activate_smart_campaign(clone_id) == [{"id": clone_id}]
    assert mc.get_smart_campaign_by_id(clone_id)[0]["isActive"] is True
    assert mc.deactivate_smart_campaign(clone_id) == [{"id": clone_id}]
    assert mc.get_smart_campaign_by_id(clone_id)[0]["isActive"] is False

    assert mc.delete_smart_campaign(new_id) == [{"id": new_id}]
    with pytest.raises(Exception, match="Empty Response|result"):
        mc.get_smart_campaign_by_id(new_id)  # the "No assets found" answer has no result key
    assert [c["code"] for c in emulator.calls() if c["code"]] == []


def test_folders_by_name_browse_and_create(mc):
    found = mc.get_folder_by_name("Templates")
    assert [f["id"] for f in found] == [TEMPLATES]
    browsed = mc.browse_folders(root=json.dumps({"id": 14, "type": "Folder"}), maxDepth=5, maxReturn=200)
    assert {"Templates", "Webinars", "2026-03 Customer Engagement Webinar"} <= {f["name"] for f in browsed}
    created = mc.create_folder("Compat Folder", TEMPLATES, "Folder", description="from mrp")
    assert created[0]["parent"] == {"id": TEMPLATES, "type": "Folder"}
    assert mc.get_folder_by_name("Compat Folder")[0]["id"] == created[0]["id"]
    assert mc.get_folder_by_id(TEMPLATES, "Folder")[0]["name"] == "Templates"
    contents = mc.get_folder_contents(TEMPLATES, "Folder")
    assert {"id": created[0]["id"], "type": "Folder"} in contents


def test_tokens_create_get_delete(mc):
    mc.create_token(MARCH_PROGRAM, "Program", "text", "Speaker", "Ada Lovelace")
    tokens = mc.get_tokens(MARCH_PROGRAM, "Program")[0]["tokens"]
    assert {"name": "Speaker", "type": "text", "value": "Ada Lovelace"}.items() <= \
        next(t for t in tokens if t["name"] == "Speaker").items()
    mc.delete_tokens(MARCH_PROGRAM, "Program", "Speaker", "text")
    assert "Speaker" not in {t["name"] for t in mc.get_tokens(MARCH_PROGRAM, "Program")[0]["tokens"]}


def test_request_and_schedule_campaign(mc, emulator):
    assert mc.request_campaign(2001, [1002200, 1002201], tokens={"my.WebinarTitle": "Compat"}) is True
    request = emulator.backend.requests()[-1]
    assert request["campaignId"] == 2001 and request["leads"] == [1002200, 1002201]
    assert request["tokens"] == [{"name": "{{my.WebinarTitle}}", "value": "Compat"}]
    run_at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    assert mc.schedule_campaign(2021, runAt=run_at, tokens={"my.Subject": "Hello"}) is True
    schedule = emulator.backend.schedules()[-1]
    assert schedule["campaignId"] == 2021 and schedule["tokens"] == [{"name": "{{my.Subject}}", "value": "Hello"}]
    assert mc.get_campaign_by_id(2021)[0]["name"] == "Monthly Newsletter - November"


def test_leads_create_and_find(mc):
    result = mc.create_update_leads([{"email": "compat@example.com", "firstName": "Compat"}])
    assert result[0]["status"] == "created"
    found = mc.get_multiple_leads_by_filter_type("email", ["compat@example.com", "lead2@example.com"])
    assert {lead["email"] for lead in found} == {"compat@example.com", "lead2@example.com"}


def test_paging_through_450_campaigns_returns_all(mc, emulator):
    folder = emulator.backend.create_folder(name="Bulk", parent=(14, "Folder"))[0]["id"]
    created = emulator.backend.add_campaigns((folder, "Folder"), 450)
    pages = list(mc.get_smart_campaigns(folderId=folder, folderType="Folder", maxReturn=200))
    ids = [c["id"] for page in pages for c in page]
    assert [len(page) for page in pages] == [200, 200, 50]
    assert ids == created and len(set(ids)) == 450
    everything = [c["id"] for page in mc.get_smart_campaigns() for c in page]
    assert set(created) <= set(everything) and len(everything) == len(set(everything))
