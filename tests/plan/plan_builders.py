"""Builders for pure planner tests: RemoteState and DesiredState without a server."""

from __future__ import annotations

from typing import Any

from marketo_sync.desired.model import DesiredCampaign, DesiredState, DesiredToken, Location, ManagedFolder
from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import RemoteFolder, RemoteState, RemoteToken

MA = FolderRef(1, "Folder")
TEMPLATES = FolderRef(10, "Folder")
WEBINARS = FolderRef(11, "Folder")
NEWSLETTERS = FolderRef(12, "Folder")
OPERATIONAL = FolderRef(13, "Folder")
SYSTEM = FolderRef(14, "Folder")
MARCH = FolderRef(1001, "Program")
MAY = FolderRef(1002, "Program")

PATHS = {
    MA: "Marketing Activities",
    TEMPLATES: "Marketing Activities/Templates",
    WEBINARS: "Marketing Activities/Webinars",
    NEWSLETTERS: "Marketing Activities/Newsletters",
    OPERATIONAL: "Marketing Activities/Operational",
    SYSTEM: "Marketing Activities/System",
    MARCH: "Marketing Activities/Webinars/2026-03 Customer Engagement Webinar",
    MAY: "Marketing Activities/Webinars/2026-05 Product Roadmap Webinar",
}


def folder_record(ref: FolderRef) -> dict[str, Any]:
    path = PATHS[ref]
    segments = path.split("/")
    api = "/" + "/".join([segments[0], "Default", *segments[1:]]) if len(segments) > 1 else "/" + path
    return {"id": ref.id, "name": segments[-1], "folderId": ref.as_dict(), "path": api,
            "folderType": "Program" if ref.type == "Program" else "Marketing Folder",
            "workspace": "Default", "isSystem": False}


def campaign(cid: int, name: str, folder: FolderRef, *, type: str = "trigger", active: bool = False,
             description: str = " ", system: bool = False, requestable: bool = False) -> dict[str, Any]:
    return {"id": cid, "name": name, "description": description, "type": type, "isActive": active,
            "isSystem": system, "isRequestable": requestable, "qualificationRuleType": "once",
            "isCommunicationLimitEnabled": False, "folder": {"id": folder.id, "type": folder.type},
            "updatedAt": "2026-01-02T03:04:05Z+0000", "workspace": "Default",
            "computedUrl": f"https://app-sj01.marketo.com/#SC{cid}A1"}


def example_remote() -> RemoteState:
    state = RemoteState()
    for ref in PATHS:
        folder = RemoteFolder.from_record(folder_record(ref))
        assert folder is not None
        state.add_folder(folder)
    state.add_campaigns(TEMPLATES, [
        campaign(2001, "Webinar Reminder Template", TEMPLATES, active=True, requestable=True),
        campaign(2002, "Onboarding Step Template", TEMPLATES),
        campaign(2005, "Newsletter Batch Template", TEMPLATES, type="batch"),
    ])
    state.add_campaigns(MARCH, [campaign(3001, "01 - Registration Confirmation", MARCH, active=True)])
    state.add_campaigns(MAY, [campaign(3002, "01 - Registration Confirmation", MAY, active=True)])
    state.add_campaigns(NEWSLETTERS, [
        campaign(4001, "Monthly Newsletter - November", NEWSLETTERS, type="batch"),
        campaign(4002, "Monthly Newsletter - December", NEWSLETTERS, type="batch"),
    ])
    state.add_campaigns(OPERATIONAL, [
        campaign(5001, "Data Hygiene - Fix Country Values", OPERATIONAL, type="batch"),
        campaign(5002, "Score - Web Visit", OPERATIONAL, active=True),
        campaign(5003, "Legacy Lead Routing", OPERATIONAL),
    ])
    state.add_campaigns(SYSTEM, [
        campaign(6001, "Process Bounced Emails", SYSTEM, type="batch", system=True),
    ])
    state.tokens[MARCH] = {
        "WebinarTitle": RemoteToken("WebinarTitle", "text", "Scaling Customer Engagement in 2025"),
        "JoinLink": RemoteToken("JoinLink", "text", "https://webinars.example.com/join/abc123"),
    }
    state.read_calls = 7
    return state


_line = [0]


def at(file: str = "campaigns/test.yaml") -> Location:
    _line[0] += 1
    return Location(file, _line[0], 5)


def dc(name: str, folder: FolderRef | str, **kw: Any) -> DesiredCampaign:
    path = PATHS[folder] if isinstance(folder, FolderRef) else folder
    return DesiredCampaign(name=name, folder=path, location=kw.pop("location", None) or at(), **kw)


def managed(folder: FolderRef, mode: str) -> ManagedFolder:
    return ManagedFolder(PATHS[folder], mode, at())  # type: ignore[arg-type]


def token(folder: FolderRef, name: str, value: str, type: str = "text") -> DesiredToken:
    return DesiredToken(PATHS[folder], name, type, value, at())


def desired(*campaigns: DesiredCampaign, folders: tuple[ManagedFolder, ...] = (),
            tokens: tuple[DesiredToken, ...] = ()) -> DesiredState:
    return DesiredState(campaigns=tuple(campaigns), folders=folders, tokens=tokens)


def golden_plan() -> Any:
    """A plan with every action kind, drift and unmanaged campaigns; deterministic."""
    from marketo_sync.plan.planner import PlanOptions, diff

    _line[0] = 0
    template = "Marketing Activities/Templates/Webinar Reminder Template"
    return diff(
        desired(
            dc("02 - Reminder", MARCH, template=template, active=True, description="Reminder"),
            dc("Lead Routing v2", OPERATIONAL, id=5003, description="Routes leads"),
            dc("Score - Web Visit", WEBINARS, id=5002, expect={"isRequestable": True}),
            dc("Empty", NEWSLETTERS),
            dc("01 - Registration Confirmation", MAY, active=False),
            folders=(managed(OPERATIONAL, "exclusive"), managed(NEWSLETTERS, "additive"),
                     managed(MARCH, "exclusive")),
            tokens=(token(MARCH, "WebinarTitle", "New"),),
        ),
        example_remote(),
        PlanOptions(allow_replace=True, environment="sandbox", instance="127.0.0.1:9999",
                    created_at="2026-01-01T00:00:00+00:00"),
    )
