"""Program writes in the emulator backend (no HTTP): create, clone, update, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.clock import ManualClock
from marketo_sync.emulator.exceptions import MarketoApiError
from marketo_sync.emulator.seed import SeedError, backend_from_seed, normalise_seed, read_seed_file

MARKETING = (14, "Folder")
WEBINARS = (1102, "Folder")
OPERATIONAL = (1104, "Folder")
EMAILS = (1106, "Folder")
MARCH = 1102
WORKSPACES_SEED = Path(__file__).parents[1] / "data" / "promotion" / "workspaces-instance.yaml"


def api_error(code: str, match: str = ""):
    return pytest.raises(MarketoApiError, match=rf"^{code}: .*{match}")


def one(records: list[dict]) -> dict:
    assert len(records) == 1, records
    return records[0]


def without_ids(value: Any) -> Any:
    """Rules and flow steps with their ids dropped (a clone renumbers them)."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def campaigns_in(backend: MarketoBackend, folder: tuple[int, str]) -> list[dict]:
    return backend.browse_campaigns(folder=folder, max_return=200, include_flow=True)


def template_with_contents(backend: MarketoBackend) -> int:
    """A webinar template program: a token, a campaign at the top, one in a nested folder."""
    key = backend.add_program(WEBINARS, "Webinar Test Template", type="Event", channel="Webinar",
                              description="Clone me", tokens=[{"name": "WebinarTitle", "type": "text",
                                                                "value": "TBD"}])
    backend.add_campaign(key, "Send Webinar Reminder", triggers=[
        {"name": "Campaign is Requested", "source": "Web Service API"}],
        flow=[{"action": "Send Email", "email": "Webinar Reminder"}], active=True)
    sub = backend.add_folder(key, "Follow-ups")
    backend.add_campaign(sub, "No-show Follow-up", filters=[{"name": "Member of List", "list": "No-shows"}],
                         flow=[{"action": "Send Email", "email": "Sorry We Missed You"}])
    return key[0]


# -- create --------------------------------------------------------------------------------------

def test_create_program_returns_the_program_record(backend: MarketoBackend) -> None:
    record = one(backend.create_program(name="2026-09 Partner Summit", folder={"id": 1102, "type": "folder"},
                                        type="Event", channel="Webinar", description="September summit"))
    assert record["folder"] == {"type": "Folder", "value": 1102, "folderName": "Webinars"}
    assert (record["type"], record["channel"], record["status"], record["description"]) == \
        ("Event", "Webinar", "", "September summit")
    assert record["url"].endswith(f"#PG{record['id']}A1")
    assert one(backend.get_program_by_name("2026-09 Partner Summit"))["id"] == record["id"]
    assert backend.browse_campaigns(folder=(record["id"], "Program")) == []  # created empty
    assert one(backend.get_tokens((record["id"], "Program")))["tokens"] == []


@pytest.mark.parametrize(("written", "stored", "status"), [
    ("default", "Default", ""), ("webinar", "Event with Webinar", ""), ("Event with Webinar", "Event with Webinar", ""),
    ("nurture", "Engagement", "off"), ("Engagement", "Engagement", "off"), ("EMAIL", "Email", "unlocked"),
])
def test_create_program_accepts_both_spellings_of_the_type(backend, written, stored, status) -> None:
    record = one(backend.create_program(name=f"Typed {written}", folder=WEBINARS, type=written, channel="Webinar"))
    assert (record["type"], record["status"]) == (stored, status)


def test_create_program_keeps_tags_and_costs(backend: MarketoBackend) -> None:
    record = one(backend.create_program(name="Tagged", folder=WEBINARS, type="Event", channel="Webinar",
                                        tags=[{"tagType": "Region", "tagValue": "EMEA"}],
                                        costs=[{"startDate": "2026-09-01", "cost": 2000, "note": "venue"}]))
    assert record["tags"] == [{"tagType": "Region", "tagValue": "EMEA"}]
    assert record["costs"] == [{"startDate": "2026-09-01", "cost": 2000, "note": "venue"}]
    with api_error("1003", "tag"):
        backend.create_program(name="Bad tag", folder=WEBINARS, type="Event", channel="Webinar",
                               tags=[{"tagType": "Region"}])


@pytest.mark.parametrize(("kwargs", "code", "match"), [
    ({"name": ""}, "701", "name"),
    ({"type": None}, "701", "type"),
    ({"channel": " "}, "701", "channel"),
    ({"folder": None}, "701", "folder"),
    ({"type": "Webinar Series"}, "1003", "program type"),
    ({"folder": (9999, "Folder")}, "710", "Folder 9999"),
    ({"folder": EMAILS}, "711", "Design Studio"),
    ({"folder": (MARCH, "Program")}, "711", "Event program"),
    ({"name": "2026-05 Product Roadmap Webinar", "folder": OPERATIONAL}, "709", "already in use"),
    ({"name": "Newsletters", "folder": MARKETING}, "709", "folder named"),
    ({"description": "x" * 2001}, "709", "2000"),
])
def test_create_program_refusals(backend: MarketoBackend, kwargs: dict, code: str, match: str) -> None:
    args = dict({"name": "Refused", "folder": WEBINARS, "type": "Event", "channel": "Webinar"}, **kwargs)
    before = len(backend.browse_programs(max_return=200))
    with api_error(code, match):
        backend.create_program(**args)
    assert len(backend.browse_programs(max_return=200)) == before


def test_an_email_program_may_live_in_an_event_program(backend: MarketoBackend) -> None:
    record = one(backend.create_program(name="Webinar Invite Email", folder=(MARCH, "Program"), type="Email",
                                        channel="Email Send"))
    assert record["folder"] == {"type": "Program", "value": MARCH,
                                "folderName": "2026-03 Customer Engagement Webinar"}


# -- clone ---------------------------------------------------------------------------------------

def test_clone_copies_campaigns_folders_and_tokens_with_new_ids(backend: MarketoBackend, clock) -> None:
    template = template_with_contents(backend)
    clock.advance(60)
    record = one(backend.clone_program(template, name="2026-04 Product Launch Webinar", folder=WEBINARS,
                                       description="April launch"))
    new_id = record["id"]
    assert new_id != template and record["description"] == "April launch"
    assert (record["type"], record["channel"]) == ("Event", "Webinar")
    assert record["createdAt"] == "2026-02-01T12:01:00Z+0000"

    source_top, copy_top = campaigns_in(backend, (template, "Program")), campaigns_in(backend, (new_id, "Program"))
    assert [c["name"] for c in copy_top] == [c["name"] for c in source_top] == ["Send Webinar Reminder"]
    original, clone = source_top[0], copy_top[0]
    assert clone["id"] != original["id"] and clone["smartListId"] != original["smartListId"]
    assert clone["parentProgramId"] == new_id and clone["isActive"] is False and original["isActive"] is True
    assert clone["type"] == "trigger"
    assert without_ids(clone["flow"]) == without_ids(original["flow"])  # the same flow, renumbered
    assert clone["flow"]["steps"][0]["id"] != original["flow"]["steps"][0]["id"]
    source_rules = one(backend.get_campaign_smart_list(original["id"], include_rules=True))["rules"]
    copy_rules = one(backend.get_campaign_smart_list(clone["id"], include_rules=True))["rules"]
    assert without_ids(copy_rules) == without_ids(source_rules)  # the same smart list
    assert copy_rules["triggers"][0]["id"] != source_rules["triggers"][0]["id"]

    nested = [f for f in backend.get_folders_by_name("Follow-ups") if f["parent"] == {"id": new_id, "type": "Program"}]
    assert len(nested) == 1
    assert [c["name"] for c in campaigns_in(backend, (nested[0]["id"], "Folder"))] == ["No-show Follow-up"]

    backend.upsert_token((new_id, "Program"), name="WebinarTitle", type="text", value="Product Launch 2026")
    assert one(backend.get_tokens((template, "Program")))["tokens"][0]["value"] == "TBD"  # a copy, not shared
    assert one(backend.get_tokens((new_id, "Program")))["tokens"][0]["value"] == "Product Launch 2026"


def test_clone_without_description_keeps_the_template_s(backend: MarketoBackend) -> None:
    template = template_with_contents(backend)
    assert one(backend.clone_program(template, name="Copy", folder=WEBINARS))["description"] == "Clone me"


def test_a_cloned_campaign_can_be_activated_and_requested(backend: MarketoBackend) -> None:
    template = template_with_contents(backend)
    new_id = one(backend.clone_program(template, name="Requested Copy", folder=WEBINARS))["id"]
    reminder = campaigns_in(backend, (new_id, "Program"))[0]
    backend.activate_campaign(reminder["id"])
    backend.request_campaign(reminder["id"], leads=[{"id": 1002200}])
    assert backend.requests()[-1]["campaignId"] == reminder["id"]


@pytest.mark.parametrize(("name", "folder", "code", "match"), [
    ("2026-03 Customer Engagement Webinar", OPERATIONAL, "709", "already in use"),  # used in another folder
    ("Webinar Test Template", WEBINARS, "709", "already in use"),  # its own name
    ("Newsletters", MARKETING, "709", "folder named"),
    ("", WEBINARS, "701", "name"),
    ("x" * 256, WEBINARS, "709", "255"),
    ("Copy", None, "701", "folder"),
    ("Copy", (9999, "Folder"), "710", "9999"),
    ("Copy", EMAILS, "711", "Design Studio"),
    ("Copy", (MARCH, "Program"), "711", "program"),
])
def test_clone_refusals_change_nothing(backend: MarketoBackend, name, folder, code, match) -> None:
    template = template_with_contents(backend)
    before = backend.export_state()
    with api_error(code, match):
        backend.clone_program(template, name=name, folder=folder)
    assert backend.export_state()["containers"] == before["containers"]
    assert backend.export_state()["campaigns"] == before["campaigns"]


def test_clone_of_an_unknown_program_is_702(backend: MarketoBackend) -> None:
    with api_error("702", "Program 4242"):
        backend.clone_program(4242, name="Copy", folder=WEBINARS)


@pytest.mark.parametrize("asset", ["Report", "Push Notification", "In-App Message", "Social App"])
def test_clone_refuses_unsupported_contents(backend: MarketoBackend, asset: str) -> None:
    key = backend.add_program(WEBINARS, "Has Unclonable", assets=[{"type": "Email", "name": "Invite"},
                                                                  {"type": asset, "name": "Thing"}])
    with api_error("709", f"{asset} 'Thing'"):
        backend.clone_program(key[0], name="Copy", folder=WEBINARS)
    assert backend.get_program_by_name("Copy") == []


def test_clone_copies_supported_local_assets(backend: MarketoBackend) -> None:
    key = backend.add_program(WEBINARS, "With Email", assets=[{"type": "Email", "name": "Invite"}])
    new_id = one(backend.clone_program(key[0], name="Copy", folder=WEBINARS))["id"]
    containers = {(c["id"], c["kind"]): c for c in backend.export_state()["containers"]}
    assert containers[(new_id, "Program")]["assets"] == [{"type": "Email", "name": "Invite"}]


def test_clone_refuses_a_program_holding_programs(backend: MarketoBackend) -> None:
    outer = backend.add_program(WEBINARS, "Series", type="Event")
    backend.add_program(outer, "Series - Invite", type="Email")
    with api_error("709", "contains program"):
        backend.clone_program(outer[0], name="Series Copy", folder=WEBINARS)


def test_seed_assets_are_validated() -> None:
    doc = {"folders": [{"name": "Marketing Activities", "programs": [
        {"name": "P", "assets": [{"type": "Report", "name": "R", "colour": "red"}]}]}]}
    with pytest.raises(SeedError, match=r"assets\[0\]\.colour: unknown key"):
        normalise_seed(doc)
    doc["folders"][0]["programs"][0]["assets"] = [{"type": "Report", "name": "R"}]
    backend = MarketoBackend()
    backend.load_seed(doc)
    program = backend.get_program_by_name("P")[0]
    with api_error("709", "Report 'R'"):
        backend.clone_program(program["id"], name="Q", folder=(program["folder"]["value"], "Folder"))


# -- update --------------------------------------------------------------------------------------

def test_update_program_name_and_description(backend: MarketoBackend, clock: ManualClock) -> None:
    clock.advance(3600)
    record = one(backend.update_program(MARCH, name="2026-03 Engagement Webinar", description="Renamed"))
    assert (record["name"], record["description"]) == ("2026-03 Engagement Webinar", "Renamed")
    assert record["updatedAt"] == "2026-02-01T13:00:00Z+0000"
    assert one(backend.get_program(MARCH))["name"] == "2026-03 Engagement Webinar"
    assert record["type"] == "Event"  # fixed at creation


def test_update_program_refusals(backend: MarketoBackend) -> None:
    with api_error("709", "already in use"):
        backend.update_program(MARCH, name="2026-05 Product Roadmap Webinar")
    with api_error("702", "Program 4242"):
        backend.update_program(4242, description="x")
    with api_error("709", "2000"):
        backend.update_program(MARCH, description="x" * 2001)
    assert one(backend.get_program(MARCH))["description"] == "March 2026 webinar on scaling customer engagement"


def test_update_program_tags_costs_and_channel(backend: MarketoBackend) -> None:
    backend.update_program(MARCH, tags=[{"tagType": "Region", "tagValue": "EMEA"}],
                           costs=[{"startDate": "2026-03-01", "cost": 100}])
    record = one(backend.update_program(MARCH, tags=[{"tagType": "Region", "tagValue": "APAC"}],
                                        costs=[{"startDate": "2026-03-02", "cost": 50}], channel="Online Advertising"))
    assert record["tags"] == [{"tagType": "Region", "tagValue": "APAC"}]
    assert [c["cost"] for c in record["costs"]] == [100, 50]
    assert record["channel"] == "Online Advertising"
    record = one(backend.update_program(MARCH, costs=[{"startDate": "2026-04-01", "cost": 7}],
                                        costs_destructive_update=True))
    assert [c["cost"] for c in record["costs"]] == [7]


def test_channel_change_is_refused_while_a_step_changes_program_status(backend: MarketoBackend) -> None:
    backend.add_campaign((MARCH, "Program"), "Mark Attended", triggers=[
        {"name": "Campaign is Requested", "source": "Web Service API"}],
        flow=[{"action": "Change Program Status", "program": "2026-03 Customer Engagement Webinar",
               "new status": "Attended"}])
    with api_error("1173", "Change Program Status"):
        backend.update_program(MARCH, channel="Online Advertising")
    assert one(backend.update_program(MARCH, channel="Webinar"))["channel"] == "Webinar"  # unchanged: allowed


# -- delete --------------------------------------------------------------------------------------

def test_delete_is_refused_while_a_campaign_inside_is_active(backend: MarketoBackend) -> None:
    template = template_with_contents(backend)
    with api_error("709", "Send Webinar Reminder"):
        backend.delete_program(template)
    assert backend.get_program(template)


def test_delete_removes_the_program_and_everything_in_it(backend: MarketoBackend) -> None:
    template = template_with_contents(backend)
    reminder = campaigns_in(backend, (template, "Program"))[0]
    backend.deactivate_campaign(reminder["id"])
    assert backend.delete_program(template) == [{"id": template}]
    assert backend.get_program(template) == []
    assert backend.get_campaign(reminder["id"]) == []
    assert backend.get_folders_by_name("Follow-ups") == []
    assert backend.get_campaign_by_name("No-show Follow-up") == []
    again = one(backend.create_program(name="Webinar Test Template", folder=WEBINARS, type="Event",
                                       channel="Webinar"))
    assert again["id"] > template  # ids are never reused
    with api_error("702"):
        backend.delete_program(template)


def test_program_writes_survive_export_and_import(backend: MarketoBackend) -> None:
    key = backend.add_program(WEBINARS, "With Email", assets=[{"type": "Email", "name": "Invite"}])
    state = backend.export_state()
    restored = MarketoBackend()
    restored.import_state(state)
    assert restored.export_state()["containers"] == state["containers"]
    assert one(restored.clone_program(key[0], name="Copy", folder=WEBINARS))["name"] == "Copy"


def test_a_program_cannot_be_placed_in_a_folder_inside_a_program(backend: MarketoBackend) -> None:
    template = template_with_contents(backend)
    follow_ups = one(backend.get_folders_by_name("Follow-ups"))["id"]
    with api_error("711", f"inside program {template}"):
        backend.clone_program(template, name="Nested Copy", folder=(follow_ups, "Folder"))


def test_a_clone_stays_in_the_workspace_of_its_source() -> None:
    backend = backend_from_seed(read_seed_file(WORKSPACES_SEED))
    source = backend.add_program((1102, "Folder"), "Default Webinar Template", type="Event", channel="Webinar")
    with api_error("709", "workspace 'Events'"):
        backend.clone_program(source[0], name="Events Copy", folder=(3102, "Folder"))
    copy = one(backend.clone_program(source[0], name="Default Copy", folder=(1102, "Folder")))
    assert copy["workspace"] == "Default"
    created = one(backend.create_program(name="Events Program", folder=(3102, "Folder"), type="Event",
                                         channel="Webinar"))
    assert created["workspace"] == "Events"
