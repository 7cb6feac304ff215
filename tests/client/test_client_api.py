"""Every ``MarketoApi`` method against the emulator: the right endpoint, encoding and result."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient
from marketo_sync.emulator import EmulatorServer
from marketo_sync.refs import FolderRef

TEMPLATES = FolderRef(1101)
WEBINAR = FolderRef(1102, "Program")


@pytest.fixture
def api(emulator: EmulatorServer) -> Iterator[MarketoApi]:
    settings = ClientSettings(base_url=emulator.base_url, client_id=emulator.client_id,
                              client_secret=emulator.client_secret)
    with MarketoClient(settings) as client:
        yield MarketoApi(client)


def last_call(emulator: EmulatorServer) -> dict[str, Any]:
    return [c for c in emulator.calls() if c["kind"] == "api"][-1]


def test_folder_reads(api: MarketoApi, emulator: EmulatorServer) -> None:
    assert api.get_folder(TEMPLATES)["name"] == "Templates"
    assert last_call(emulator)["query"] == {"type": "Folder"}
    assert api.get_folder(WEBINAR)["name"] == "2026-03 Customer Engagement Webinar"
    assert api.get_folder(FolderRef(987654)) is None
    found = api.folders_by_name("Templates", type="Folder", root=FolderRef(14))
    assert [f["id"] for f in found] == [1101]
    assert last_call(emulator)["query"]["root"] == '{"id":14,"type":"Folder"}'
    assert api.folders_by_name("No Such Folder") == []
    names = {f["name"] for f in api.browse_folders(FolderRef(14), 1)}
    assert {"Templates", "Webinars", "Newsletters"} <= names


def test_campaign_reads(api: MarketoApi, emulator: EmulatorServer) -> None:
    in_templates = api.browse_campaigns(TEMPLATES)
    assert {c["id"] for c in in_templates} == {2001, 2002, 2003, 2004, 2005}
    active = api.browse_campaigns(is_active=True)
    assert active and all(c["isActive"] for c in active)
    assert last_call(emulator)["query"]["isActive"] == "true"
    assert api.get_campaign(2001)["name"] == "Webinar Reminder Template"
    assert api.get_campaign(999999) is None
    assert api.get_campaign_by_name("Webinar Reminder Template")["id"] == 2001
    assert api.get_campaign_by_name("No Such Campaign") is None
    smart_list = api.get_campaign_smart_list(2001)
    assert smart_list and smart_list["rules"]["triggers"]
    assert last_call(emulator)["query"] == {"includeRules": "true"}


def test_tokens_and_programs(api: MarketoApi, emulator: EmulatorServer) -> None:
    rows = api.get_tokens(WEBINAR)
    assert last_call(emulator)["query"] == {"folderType": "Program"}
    assert {t["name"] for t in rows[0]["tokens"]} >= {"WebinarTitle", "JoinLink"}
    api.set_token(WEBINAR, name="Speaker", type="text", value="Ada")
    api.set_token(WEBINAR, name="Speaker", type="text", value="Grace")  # upsert
    tokens = {t["name"]: t["value"] for t in api.get_tokens(WEBINAR)[0]["tokens"]}
    assert tokens["Speaker"] == "Grace"
    api.delete_token(WEBINAR, name="Speaker", type="text")
    assert "Speaker" not in {t["name"] for t in api.get_tokens(WEBINAR)[0]["tokens"]}
    assert api.get_program(1102)["name"] == "2026-03 Customer Engagement Webinar"
    assert api.get_program_by_name("2026-05 Product Roadmap Webinar")["id"] == 1103
    assert api.get_program(555555) is None


def test_campaign_writes(api: MarketoApi, emulator: EmulatorServer) -> None:
    created = api.create_campaign(name="Made By Test", folder=TEMPLATES, description="d")
    assert created["name"] == "Made By Test" and created["folder"]["id"] == 1101
    clone = api.clone_campaign(2001, name="Clone By Test", folder=FolderRef(1104))
    assert clone["name"] == "Clone By Test" and clone["id"] != 2001
    updated = api.update_campaign(created["id"], description="new words")
    assert updated["description"] == "new words"
    api.activate_campaign(clone["id"])
    assert api.get_campaign(clone["id"])["isActive"] is True
    api.deactivate_campaign(clone["id"])
    assert api.get_campaign(clone["id"])["isActive"] is False
    api.delete_campaign(created["id"])
    assert api.get_campaign(created["id"]) is None


def test_lead_database(api: MarketoApi, emulator: EmulatorServer) -> None:
    leads = api.get_leads("email", ["lead0@example.com", "lead1@example.com"], fields=["email", "firstName"])
    assert {lead["firstName"] for lead in leads} == {"Ada", "Grace"}
    api.request_campaign(2001, leads=[1002200], tokens={"WebinarTitle": "T", "{{my.JoinLink}}": "L"})
    request = emulator.backend.requests()[-1]
    assert request["campaignId"] == 2001
    assert {t["name"] for t in request["tokens"]} == {"{{my.WebinarTitle}}", "{{my.JoinLink}}"}
    run_at = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    api.schedule_campaign(2021, run_at=run_at, tokens={"Subject": "Hi"})
    assert emulator.backend.schedules()[-1]["campaignId"] == 2021
    synced = api.sync_leads([{"email": "new@example.com", "firstName": "New"}])
    assert synced[0]["status"] in ("created", "updated")


def test_tokens_of_is_flat_and_typed_one_way(api: MarketoApi, emulator: EmulatorServer) -> None:
    from marketo_sync.client.api import Token as MyToken

    tokens = api.tokens_of(WEBINAR)
    assert last_call(emulator)["query"] == {"folderType": "Program"}
    raw = api.get_tokens(WEBINAR)[0]["tokens"]
    assert [t.name for t in tokens] == [t["name"] for t in raw] and all(isinstance(t, MyToken) for t in tokens)
    assert all(t.type == t.type.strip().lower() and isinstance(t.value, str) for t in tokens)
    api.set_token(WEBINAR, name="Speaker", type="rich text", value="<b>Ada</b>")
    assert MyToken("Speaker", "rich text", "<b>Ada</b>") in api.tokens_of(WEBINAR)
    assert api.tokens_of(FolderRef(987654)) == []


def test_flat_tokens_unwraps_marketos_shape_once() -> None:
    from marketo_sync.client.api import Token as MyToken
    from marketo_sync.client.api import tokens_from_rows as flat_tokens

    wrapped = [{"folder": {"type": "Program", "value": 1102},
                "tokens": [{"name": "Title", "type": "Text", "value": "T", "computedUrl": "x"},
                           {"name": "Count", "type": " number ", "value": 3},
                           {"name": "Empty", "type": "text", "value": None},
                           {"type": "text", "value": "no name"}]}]
    assert flat_tokens(wrapped) == [MyToken("Title", "text", "T"), MyToken("Count", "number", "3"),
                                    MyToken("Empty", "text", "")]
    assert flat_tokens([{"name": "Flat", "type": "date", "value": "2026-01-01"}]) == [
        MyToken("Flat", "date", "2026-01-01")]
    assert flat_tokens([{"folder": {}, "tokens": None}]) == [] and flat_tokens([]) == []


def test_reads_by_id_return_one_record_or_none(api: MarketoApi) -> None:
    for record in (api.get_campaign(2001), api.get_folder(TEMPLATES), api.get_campaign_smart_list(2001),
                   api.get_program(1102), api.get_campaign_by_name("Webinar Reminder Template")):
        assert isinstance(record, dict) and record.get("id")
    assert api.get_campaign(999999) is None and api.get_campaign_smart_list(999999) is None


@pytest.mark.parametrize(("value", "expected"), [
    ({"id": 5, "type": "program"}, FolderRef(5, "Program")),
    ({"value": 7, "type": "Folder"}, FolderRef(7)),
    ('{"id": 9, "type": "Folder"}', FolderRef(9)),
    (FolderRef(3), FolderRef(3)),
    (None, None), ("", None), ({}, None),
    ({"type": "Folder"}, None), ({"id": 1, "type": "Zone"}, None), ("{not json", None), (42, None),
    ({"id": "abc"}, None),
])
def test_folder_ref_parse_or_none(value: Any, expected: FolderRef | None) -> None:
    assert FolderRef.parse_or_none(value) == expected
