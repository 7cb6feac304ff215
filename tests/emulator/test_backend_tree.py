"""Folders, programs and My Tokens in the emulator backend (no HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.clock import ManualClock
from marketo_sync.emulator.exceptions import MarketoApiError

SPECS = Path("/work/shared/marketo-api/adobe-swagger/swagger-asset.json")
MARKETING = (14, "Folder")
TEMPLATES = (1101, "Folder")
WEBINARS = (1102, "Folder")
MARCH = (1102, "Program")
MAY = (1103, "Program")
NEWSLETTERS = (1103, "Folder")
EMAILS = (1106, "Folder")


def api_error(code: str):
    return pytest.raises(MarketoApiError, match=rf"^{code}: ")


def one(records: list[dict]) -> dict:
    assert len(records) == 1, records
    return records[0]


def validator(name: str, patch: dict | None = None) -> jsonschema.Draft4Validator:
    definitions = json.loads(SPECS.read_text())["definitions"]
    target = dict(definitions[name])
    if patch:
        target["properties"] = dict(target["properties"], **patch)
    return jsonschema.Draft4Validator({"$ref": f"#/definitions/{name}",
                                       "definitions": dict(definitions, **{name: target})})


# Documented differences between Adobe's spec and Adobe's own examples (marketo-api.md §8, §9, §13):
# the root's parent is null; folderType "Program" is in [MD] not in the enum; program records use
# folder {type, value, folderName} and real type/status values; token folders are objects.
FOLDER_VALIDATOR = validator("FolderResponse", {
    "parent": {"anyOf": [{"$ref": "#/definitions/Folder"}, {"type": "null"}]},
    "folderType": {"type": "string"}})
PROGRAM_VALIDATOR = validator("ProgramResponse", {
    "folder": {"type": "object", "required": ["type", "value", "folderName"]},
    "type": {"type": "string"}, "status": {"type": "string"}, "costs": {"type": ["array", "null"]}})
TOKEN_VALIDATOR = validator("TokenResponse", {
    "folder": {"type": "object", "required": ["type", "value"],
               "properties": {"type": {"enum": ["Folder", "Program"]}, "value": {"type": "integer"}}}})


# -- folders -------------------------------------------------------------------------------------

def test_folder_records_validate_and_carry_the_workspace_in_path(backend: MarketoBackend) -> None:
    records = backend.browse_folders(max_depth=5, max_return=200)
    for record in records:
        FOLDER_VALIDATOR.validate(record)
    by_path = {r["path"]: r for r in records}
    assert set(by_path) == {
        "/Marketing Activities", "/Marketing Activities/Default/Templates",
        "/Marketing Activities/Default/Templates/Webinar Program Template", "/Marketing Activities/Default/Webinars",
        "/Marketing Activities/Default/Webinars/2026-03 Customer Engagement Webinar",
        "/Marketing Activities/Default/Webinars/2026-05 Product Roadmap Webinar",
        "/Marketing Activities/Default/Newsletters", "/Marketing Activities/Default/Operational",
        "/Marketing Activities/Default/System", "/Design Studio", "/Design Studio/Default/Emails"}
    root = by_path["/Marketing Activities"]
    assert (root["parent"], root["folderType"], root["isSystem"], root["accessZoneId"]) == (None, "Zone", True, 1)
    program = by_path["/Marketing Activities/Default/Webinars/2026-03 Customer Engagement Webinar"]
    assert program["folderId"] == {"id": 1102, "type": "Program"} and program["folderType"] == "Program"
    assert program["parent"] == {"id": 1102, "type": "Folder"}
    assert by_path["/Design Studio/Default/Emails"]["folderType"] == "Email"


def test_folder_and_program_ids_are_separate_spaces(backend: MarketoBackend) -> None:
    assert one(backend.get_folder(WEBINARS))["name"] == "Webinars"
    assert one(backend.get_folder(MARCH))["name"] == "2026-03 Customer Engagement Webinar"
    assert one(backend.get_folder(NEWSLETTERS))["name"] == "Newsletters"
    assert one(backend.get_folder(MAY))["name"] == "2026-05 Product Roadmap Webinar"
    assert backend.get_folder((1101, "Program")) == []
    assert backend.get_folder((424242, "Folder")) == []


def test_folder_type_spelling_is_normalised(backend: MarketoBackend) -> None:
    assert one(backend.get_folder((1102, "PROGRAM")))["folderId"]["type"] == "Program"
    assert one(backend.get_folder({"id": 1102, "type": "folder"}))["name"] == "Webinars"


def test_get_folders_by_name_can_return_several_and_filters(backend: MarketoBackend) -> None:
    backend.create_folder(name="Templates", parent=MARCH)
    both = backend.get_folders_by_name("Templates")
    assert [r["path"] for r in both] == [
        "/Marketing Activities/Default/Templates",
        "/Marketing Activities/Default/Webinars/2026-03 Customer Engagement Webinar/Templates"]
    under_march = backend.get_folders_by_name("Templates", root=MARCH)
    assert [r["parent"] for r in under_march] == [{"id": 1102, "type": "Program"}]
    assert backend.get_folders_by_name("Templates", type="Program") == []
    programs = backend.get_folders_by_name("2026-03 Customer Engagement Webinar", type="Program")
    assert one(programs)["id"] == 1102
    assert one(backend.get_folders_by_name("Marketing Activities"))["folderType"] == "Zone"
    assert backend.get_folders_by_name("Templates", workspace="Other Workspace") == []


def test_browse_folders_depth_and_paging(backend: MarketoBackend) -> None:
    assert [r["name"] for r in backend.browse_folders(root=MARKETING, max_depth=0)] == ["Marketing Activities"]
    depth1 = backend.browse_folders(root=MARKETING, max_depth=1, max_return=200)
    assert [r["name"] for r in depth1] == ["Marketing Activities", "Templates", "Webinars", "Newsletters",
                                           "Operational", "System"]
    depth2 = backend.browse_folders(root=MARKETING, max_return=200)  # default max_depth 2
    # the five folders of depth 1, and at depth 2 the template program and the two webinar programs
    assert len(depth2) == 9 and depth2[4]["folderId"] == {"id": 1102, "type": "Program"}
    assert depth2[2]["folderId"] == {"id": 1104, "type": "Program"}
    page = backend.browse_folders(root=MARKETING, offset=2, max_return=3)
    assert [r["name"] for r in page] == [r["name"] for r in depth2[2:5]]
    assert backend.browse_folders(root=(999, "Folder")) == []
    with api_error("1003"):
        backend.browse_folders(max_return=500)


def test_folder_content_lists_folders_programs_and_campaigns(backend: MarketoBackend) -> None:
    assert backend.get_folder_content(WEBINARS) == [{"id": 1102, "type": "Program"},
                                                     {"id": 1103, "type": "Program"}]
    assert backend.get_folder_content(MARCH) == [{"id": 2011, "type": "Smart Campaign"}]
    # the template program first, then the campaigns
    assert backend.get_folder_content(TEMPLATES, max_return=2) == [{"id": 1104, "type": "Program"},
                                                                   {"id": 2001, "type": "Smart Campaign"}]
    content = backend.get_folder_content(TEMPLATES, max_return=2, offset=2)
    assert content == [{"id": 2002, "type": "Smart Campaign"}, {"id": 2003, "type": "Smart Campaign"}]
    assert backend.get_folder_content((777, "Folder")) == []


def test_create_folder_rules(backend: MarketoBackend) -> None:
    record = one(backend.create_folder(name="2026 Events", parent=MARKETING, description="Field events"))
    FOLDER_VALIDATOR.validate(record)
    assert record["path"] == "/Marketing Activities/Default/2026 Events"
    assert (record["folderType"], record["isSystem"], record["description"]) == \
        ("Marketing Folder", False, "Field events")
    assert record["id"] > 1106
    with api_error("709"):
        backend.create_folder(name="2026 Events", parent=MARKETING)
    with api_error("709"):
        backend.create_folder(name="Templates", parent=MARKETING)
    with api_error("710"):
        backend.create_folder(name="Orphan", parent=(5555, "Folder"))
    with api_error("701"):
        backend.create_folder(name="", parent=MARKETING)
    email_sub = one(backend.create_folder(name="Newsletters", parent=EMAILS))
    assert email_sub["folderType"] == "Email" and email_sub["path"] == "/Design Studio/Default/Emails/Newsletters"
    # New folders can hold campaigns when they are in Marketing Activities only.
    assert backend.create_campaign(name="Booth follow-up", folder=(record["id"], "Folder"))
    with api_error("711"):
        backend.create_campaign(name="Nope", folder=(email_sub["id"], "Folder"))


# -- programs ------------------------------------------------------------------------------------

def test_program_records(backend: MarketoBackend) -> None:
    record = one(backend.get_program(1102))
    PROGRAM_VALIDATOR.validate(record)
    assert record["folder"] == {"type": "Folder", "value": 1102, "folderName": "Webinars"}
    assert (record["type"], record["channel"], record["status"], record["tags"], record["costs"]) == \
        ("Event", "Webinar", "", [], None)
    assert record["url"].endswith("#PG1102A1")
    assert backend.get_program(1101) == []
    assert one(backend.get_program_by_name("2026-05 Product Roadmap Webinar"))["id"] == 1103
    assert backend.get_program_by_name("Webinars") == []


def test_browse_programs_and_filters(backend: MarketoBackend) -> None:
    assert [p["id"] for p in backend.browse_programs()] == [1102, 1103, 1104]  # 1104: the template program
    assert [p["id"] for p in backend.browse_programs(filter_type="id", filter_values=["1103"])] == [1103]
    assert [p["id"] for p in backend.browse_programs(filter_type="folderId", filter_values=["1102"])] == [1102, 1103]
    assert backend.browse_programs(filter_type="workspace", filter_values=["Other"]) == []
    assert [p["id"] for p in backend.browse_programs(offset=1, max_return=1)] == [1103]
    with api_error("1003"):
        backend.browse_programs(filter_type="color", filter_values=["red"])


# -- My Tokens -----------------------------------------------------------------------------------

def test_get_tokens_of_a_program(backend: MarketoBackend) -> None:
    record = one(backend.get_tokens(MARCH))
    TOKEN_VALIDATOR.validate(record)
    assert record["folder"] == {"type": "Program", "value": 1102}
    assert [(t["name"], t["type"], t["value"]) for t in record["tokens"]] == [
        ("WebinarTitle", "text", "Scaling Customer Engagement in 2025"),
        ("JoinLink", "text", "https://webinars.example.com/join/abc123"),
        ("WebinarImage", "text", "https://webinars.example.com/img/banner.png")]
    assert all(t["computedUrl"].endswith("#PG1102A1") for t in record["tokens"])
    assert one(backend.get_tokens(WEBINARS)) == {"folder": {"type": "Folder", "value": 1102}, "tokens": []}
    with api_error("702"):
        backend.get_tokens((4040, "Program"))


def test_upsert_token_creates_then_replaces_by_name(backend: MarketoBackend) -> None:
    created = one(backend.upsert_token(MAY, name="WebinarDate", type="date", value="2026-05-14"))
    assert created["tokens"][-1]["name"] == "WebinarDate"
    replaced = one(backend.upsert_token(MAY, name="WebinarTitle", type="rich text", value="<b>Roadmap</b>"))
    titles = [t for t in replaced["tokens"] if t["name"] == "WebinarTitle"]
    assert [(t["type"], t["value"]) for t in titles] == [("rich text", "<b>Roadmap</b>")]
    assert len(one(backend.get_tokens(MAY))["tokens"]) == 3


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"name": "", "type": "text", "value": "x"}, "701"),
    ({"name": "N" * 51, "type": "text", "value": "x"}, "709"),
    ({"name": "Velocity", "type": "script block", "value": "#set($x = 1)"}, "709"),
    ({"name": "Colour", "type": "color", "value": "red"}, "709"),
    ({"name": "When", "type": "date", "value": "14/05/2026"}, "709"),
    ({"name": "Seats", "type": "number", "value": "many"}, "709"),
    ({"name": "Points", "type": "score", "value": str(2**31)}, "709"),
    ({"name": "Empty", "type": "text", "value": ""}, "701"),
])
def test_upsert_token_validation(backend: MarketoBackend, kwargs: dict, code: str) -> None:
    before = one(backend.get_tokens(MARCH))
    with api_error(code):
        backend.upsert_token(MARCH, **kwargs)
    assert one(backend.get_tokens(MARCH)) == before


@pytest.mark.parametrize(("token_type", "value"), [
    ("date", "2026-05-14"), ("number", "12.5"), ("number", "-3"), ("rich text", "<p>Hi</p>"),
    ("score", "-2147483648"), ("sfdc campaign", "Spring Launch"), ("text", "plain")])
def test_upsert_token_accepts_the_six_creatable_types(backend: MarketoBackend, token_type: str, value: str) -> None:
    tokens = one(backend.upsert_token(WEBINARS, name="T", type=token_type, value=value))["tokens"]
    assert [(t["type"], t["value"]) for t in tokens] == [(token_type, value)]


def test_upsert_token_on_unknown_folder_is_710(backend: MarketoBackend) -> None:
    with api_error("710"):
        backend.upsert_token((9999, "Program"), name="X", type="text", value="y")


def test_delete_token_needs_name_and_type(backend: MarketoBackend) -> None:
    with api_error("702"):
        backend.delete_token(MARCH, name="JoinLink", type="rich text")  # right name, wrong type
    with api_error("702"):
        backend.delete_token(MARCH, name="NoSuchToken", type="text")
    with api_error("701"):
        backend.delete_token(MARCH, name="JoinLink", type="")
    assert backend.delete_token(MARCH, name="JoinLink", type="text") == [{"id": 1102}]
    assert [t["name"] for t in one(backend.get_tokens(MARCH))["tokens"]] == ["WebinarTitle", "WebinarImage"]
    with api_error("710"):
        backend.delete_token((9999, "Folder"), name="JoinLink", type="text")


# -- folder update / delete, smart list by id ---------------------------------------------------------

def test_update_folder(backend: MarketoBackend, clock: ManualClock) -> None:
    clock.advance(30)
    record = one(backend.update_folder((1104, "Folder"), name="Operations", description="Ops", is_archive=True))
    assert (record["name"], record["description"], record["isArchive"]) == ("Operations", "Ops", True)
    assert record["updatedAt"] == "2026-02-01T12:00:30Z+0000"
    assert record["path"] == "/Marketing Activities/Default/Operations"
    with api_error("709"):
        backend.update_folder((1104, "Folder"), name="Templates")
    with api_error("709"):
        backend.update_folder(MARCH, name="Renamed program")
    with api_error("709"):
        backend.update_folder(MARKETING, description="system")
    with api_error("702"):
        backend.update_folder((8888, "Folder"), name="X")


def test_delete_folder_only_when_empty(backend: MarketoBackend) -> None:
    empty = one(backend.create_folder(name="Scratch", parent=MARKETING))
    assert backend.delete_folder((empty["id"], "Folder")) == [{"id": empty["id"]}]
    assert backend.get_folder((empty["id"], "Folder")) == []
    with api_error("709"):
        backend.delete_folder(TEMPLATES)  # holds campaigns
    with api_error("709"):
        backend.delete_folder(WEBINARS)  # holds programs
    with api_error("709"):
        backend.delete_folder(MAY)


def test_get_smart_list_by_its_own_id(backend: MarketoBackend) -> None:
    campaign = backend.get_campaign(2001)[0]
    by_id = one(backend.get_smart_list(campaign["smartListId"], include_rules=True))
    assert by_id == one(backend.get_campaign_smart_list(2001, include_rules=True))
    assert backend.get_smart_list(2001) == []  # a campaign id is not a smart list id
    assert backend.get_smart_list(1) == []


def test_browse_programs_by_update_window_and_status(backend: MarketoBackend, clock: ManualClock) -> None:
    clock.advance(3600)
    backend.upsert_token(MAY, name="Room", type="text", value="Hall B")  # touches the May program
    assert [p["id"] for p in backend.browse_programs(earliest_updated_at="2026-02-01T12:30:00Z")] == [1103]
    assert [p["id"] for p in backend.browse_programs(latest_updated_at="2026-02-01T12:30:00+0000")] == [1102, 1104]
    assert backend.browse_programs(status="on") == []
    with api_error("704"):
        backend.browse_programs(earliest_updated_at="soon")
