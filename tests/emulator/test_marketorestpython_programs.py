"""marketorestpython's program methods, unchanged, against the emulator.

What they send: ``create_program`` and ``clone_program`` put every field in the query string
(no body) with ``folder`` as ``{'id': 1102, 'type': Folder}`` and ``tags`` as a Python repr of a
list of dicts; ``update_program`` sends a form body; ``delete_program`` an empty POST.
"""

from __future__ import annotations

import pytest
from example_counts import program_ids
from marketorestpython.client import MarketoException

WEBINARS = 1102
MARCH_PROGRAM = 1102


def test_create_read_update_and_delete_a_program(mc, emulator):
    created = mc.create_program(WEBINARS, "Folder", "2026-09 Partner Summit", "Event", "Webinar",
                                description="made by mrp", tags={"Region": "EMEA"},
                                costs=[{"startDate": "2026-09-01", "cost": 100}])
    program_id = created[0]["id"]
    assert created[0]["tags"] == [{"tagType": "Region", "tagValue": "EMEA"}]
    assert created[0]["costs"] == [{"startDate": "2026-09-01", "cost": 100}]
    assert mc.get_program_by_id(program_id)[0]["folder"] == {"type": "Folder", "value": WEBINARS,
                                                             "folderName": "Webinars"}
    assert mc.get_program_by_name("2026-09 Partner Summit")[0]["id"] == program_id

    updated = mc.update_program(program_id, name="2026-09 Partner Summit EMEA", description="renamed",
                                tags={"Region": "APAC"})
    assert (updated[0]["name"], updated[0]["description"]) == ("2026-09 Partner Summit EMEA", "renamed")
    assert updated[0]["tags"] == [{"tagType": "Region", "tagValue": "APAC"}]
    assert program_id in [p["id"] for p in mc.browse_programs(maxReturn=200)]

    assert mc.delete_program(program_id) == [{"id": program_id}]
    with pytest.raises(Exception, match="Empty Response|result"):
        mc.get_program_by_id(program_id)  # the "No assets found" answer has no result key
    assert [c["code"] for c in emulator.calls() if c["code"]] == []


def test_clone_program_and_its_contents(mc):
    clone = mc.clone_program(MARCH_PROGRAM, "2026-04 Product Launch Webinar", WEBINARS, "Folder",
                             description="cloned by mrp")
    new_id = clone[0]["id"]
    assert (clone[0]["name"], clone[0]["description"]) == ("2026-04 Product Launch Webinar", "cloned by mrp")
    campaigns = [c for page in mc.get_smart_campaigns(folderId=new_id, folderType="Program") for c in page]
    assert [(c["name"], c["isActive"], c["parentProgramId"]) for c in campaigns] == [
        ("01 - Registration Confirmation", False, new_id)]
    tokens = mc.get_tokens(new_id, "Program")[0]["tokens"]
    assert {t["name"]: t["value"] for t in tokens}["WebinarTitle"] == "Scaling Customer Engagement in 2025"
    with pytest.raises(MarketoException, match="709"):
        mc.clone_program(MARCH_PROGRAM, "2026-04 Product Launch Webinar", WEBINARS, "Folder")


def test_programs_yield_pages_through_every_program(mc):
    for n in range(5):
        mc.clone_program(MARCH_PROGRAM, f"Paged Copy {n}", WEBINARS, "Folder")
    pages = list(mc.get_programs_yield(maxReturn=3))
    names = [p["name"] for page in pages for p in page]
    seeded = len(program_ids())  # the example instance's programs, then the five copies
    total = seeded + 5
    assert [len(page) for page in pages] == [3] * (total // 3) + ([total % 3] if total % 3 else [])
    assert {f"Paged Copy {n}" for n in range(5)} <= set(names) and len(names) == len(set(names))


def test_delete_of_a_program_with_an_active_campaign_is_refused(mc):
    with pytest.raises(MarketoException, match="709"):
        mc.delete_program(MARCH_PROGRAM)
    assert mc.get_program_by_id(MARCH_PROGRAM)[0]["name"] == "2026-03 Customer Engagement Webinar"
