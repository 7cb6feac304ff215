"""Narrow unit tests of the remote reader's call strategy and normalisation (a recording fake API).

The end-to-end call counts are asserted against the emulator in test_plan_emulator.py.
"""

from __future__ import annotations

from typing import Any

from plan_builders import (
    MARCH,
    MAY,
    OPERATIONAL,
    PATHS,
    TEMPLATES,
    campaign,
    dc,
    desired,
    folder_record,
    token,
)

from marketo_sync.client.api import Token, tokens_from_rows
from marketo_sync.refs import FolderRef
from marketo_sync.remote.read import read_remote
from marketo_sync.remote.state import RemoteCampaign, RemoteFolder, normalise_date


class RecordingApi:
    """Answers from the example layout and records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.campaigns = {
            TEMPLATES: [campaign(2001, "Webinar Reminder Template", TEMPLATES, active=True)],
            MARCH: [campaign(3001, "01 - Registration Confirmation", MARCH, active=True)],
            MAY: [campaign(3002, "01 - Registration Confirmation", MAY, active=True)],
            OPERATIONAL: [campaign(5002, "Score - Web Visit", OPERATIONAL)],
        }

    def folders_by_name(self, name: str) -> list[dict[str, Any]]:
        self.calls.append(("folders_by_name", name))
        found = [folder_record(ref) for ref, path in PATHS.items() if path.split("/")[-1] == name]
        # a same-named folder elsewhere must not be picked
        found.insert(0, {"id": 99, "name": name, "folderId": {"id": 99, "type": "Folder"},
                         "path": f"/Design Studio/Default/{name}", "workspace": "Default",
                         "folderType": "Email"})
        return found

    def browse_folders(self, root: FolderRef, max_depth: int) -> list[dict[str, Any]]:
        self.calls.append(("browse_folders", (root, max_depth)))
        base = PATHS[root].split("/")
        return [folder_record(ref) for ref, path in PATHS.items()
                if path.split("/")[: len(base)] == base and len(path.split("/")) - len(base) <= max_depth]

    def browse_campaigns(self, folder: FolderRef) -> list[dict[str, Any]]:
        self.calls.append(("browse_campaigns", folder))
        return list(self.campaigns.get(folder, []))

    def get_campaign(self, campaign_id: int) -> dict[str, Any] | None:
        self.calls.append(("get_campaign", campaign_id))
        for records in self.campaigns.values():
            for record in records:
                if record["id"] == campaign_id:
                    return record
        return None

    def get_campaign_smart_list(self, campaign_id: int, *, include_rules: bool = True) -> dict[str, Any] | None:
        self.calls.append(("get_campaign_smart_list", campaign_id))
        source = "Form" if campaign_id == 3001 else "Web Service API"
        return {"id": 5000 + campaign_id, "rules": {"filterMatchType": "all", "filters": [], "triggers": [
            {"id": campaign_id, "name": "Campaign is Requested", "ruleTypeId": 47, "operator": "is",
             "conditions": [{"activityAttributeId": 81, "activityAttributeName": "Source", "operator": "is",
                             "values": [source]}]}]}}

    def get_tokens(self, folder: FolderRef) -> list[dict[str, Any]]:
        self.calls.append(("get_tokens", folder))
        return [{"folder": {"type": folder.type, "value": folder.id},
                 "tokens": [{"name": "WebinarTitle", "type": "text", "value": "x",
                             "computedUrl": "https://app-1.marketo.com/#PG1001C3"}]}]

    def tokens_of(self, folder: FolderRef) -> list[Token]:
        return tokens_from_rows(self.get_tokens(folder))


def kinds(api: RecordingApi) -> list[str]:
    return [name for name, _ in api.calls]


def test_one_path_costs_one_by_name_call_and_no_tree_browse():
    api = RecordingApi()
    state = read_remote(api, desired(dc("01 - Registration Confirmation", MARCH)))
    assert kinds(api) == ["folders_by_name", "browse_campaigns"]
    assert state.folder(PATHS[MARCH]).ref == MARCH
    # the workspace-qualified spelling is accepted too
    assert state.folder("Marketing Activities/Default/Webinars/2026-03 Customer Engagement Webinar").ref == MARCH
    assert state.read_calls == 2


def test_many_paths_cost_one_by_name_and_one_browse_of_the_common_ancestor():
    api = RecordingApi()
    state = read_remote(api, desired(dc("a", MARCH), dc("b", MAY), dc("c", OPERATIONAL),
                                     tokens=(token(MARCH, "WebinarTitle", "x"),)))
    assert api.calls[0] == ("folders_by_name", "Marketing Activities")
    assert api.calls[1] == ("browse_folders", (FolderRef(1), 2))
    assert kinds(api).count("browse_campaigns") == 3
    assert kinds(api).count("get_tokens") == 1  # only the container that declares tokens
    assert "get_campaign" not in kinds(api)
    assert state.tokens[MARCH]["WebinarTitle"].value == "x"


def test_templates_are_read_only_for_campaigns_to_create_and_once_per_folder():
    template = "Marketing Activities/Templates/Webinar Reminder Template"
    api = RecordingApi()
    read_remote(api, desired(dc("01 - Registration Confirmation", MARCH, template=template)))
    assert ("browse_campaigns", TEMPLATES) not in api.calls  # exists: template not needed
    api = RecordingApi()
    state = read_remote(api, desired(dc("new 1", MARCH, template=template), dc("new 2", MAY, template=template)))
    assert api.calls.count(("browse_campaigns", TEMPLATES)) == 1
    assert state.find(TEMPLATES, "Webinar Reminder Template").id == 2001


def test_unknown_folder_is_recorded_not_raised():
    api = RecordingApi()
    state = read_remote(api, desired(dc("x", "Marketing Activities/Nowhere")))
    assert "Marketing Activities/Nowhere" in state.missing_paths
    assert "browse_campaigns" not in kinds(api)


def test_pinned_id_elsewhere_costs_one_get():
    api = RecordingApi()
    state = read_remote(api, desired(dc("Score - Web Visit", MARCH, id=5002)))
    assert api.calls.count(("get_campaign", 5002)) == 1
    assert state.by_id[5002].folder == OPERATIONAL


def test_normalisation_of_volatile_fields():
    a = RemoteCampaign.from_record({**campaign(1, "x", MARCH), "computedUrl": "https://app-ab1.marketo.com/#SC1A1"})
    b = RemoteCampaign.from_record({**campaign(1, "x", MARCH), "computedUrl": "https://app-zz9.marketo.com/#SC1A1",
                                    "description": None})
    assert a == b and a.description == "" and a.url == "#SC1A1"
    assert normalise_date("2016-09-10T23:16:19Z+0000") == "2016-09-10T23:16:19+00:00"
    folder = RemoteFolder.from_record({"id": 5, "name": "W", "folderId": {"id": 5, "type": "FOLDER"},
                                       "path": "/Marketing Activities/Default/W", "workspace": "Default"})
    assert folder is not None and folder.path == "Marketing Activities/W" and folder.ref == FolderRef(5, "Folder")


REMINDER = "Marketing Activities/Templates/Webinar Reminder Template"


def test_rules_are_read_only_for_existing_campaigns_that_expect_them():
    api = RecordingApi()
    read_remote(api, desired(dc("01 - Registration Confirmation", MARCH, template=REMINDER),
                             dc("new", MAY, template=REMINDER, expect={"rules": "template"})))
    # the first does not ask; the second is a clone: its template's logic is read once, to show it
    # in the plan (issue 12), and no rules are compared
    logic_calls = [c for c in api.calls if c[0] in ("get_campaign_smart_list", "get_campaign")]
    assert logic_calls == [("get_campaign_smart_list", 2001), ("get_campaign", 2001)]


def test_rules_reads_two_per_campaign_and_two_per_template_once():
    api = RecordingApi()
    state = read_remote(api, desired(
        dc("01 - Registration Confirmation", MARCH, template=REMINDER, expect={"rules": "template"}),
        dc("01 - Registration Confirmation", MAY, template=REMINDER, expect={"rules": "template"})))
    rules_calls = [c for c in api.calls if c[0] in ("get_campaign_smart_list", "get_campaign")]
    assert sorted(rules_calls) == sorted([("get_campaign_smart_list", i) for i in (3001, 3002, 2001)]
                                         + [("get_campaign", i) for i in (3001, 3002, 2001)])
    assert api.calls.count(("browse_campaigns", TEMPLATES)) == 1
    assert set(state.rules) == {3001, 3002, 2001}
    assert state.rules[3002] == state.rules[2001] != state.rules[3001]
    assert state.rules[2001].flow is None  # the fake's records have no flow: smart list only
