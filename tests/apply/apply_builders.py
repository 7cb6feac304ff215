"""Hand-built plans over the example instance (ids from examples/instance.yaml)."""

from __future__ import annotations

from typing import Any

from fake_api import MARCH, OPERATIONAL, TEMPLATES, FakeApi

from marketo_sync.plan.changes import (
    ActivateCampaign,
    CampaignRef,
    Change,
    CloneCampaign,
    CreateCampaign,
    DeactivateCampaign,
    DeleteCampaign,
    SetToken,
    TokenRef,
    UpdateCampaign,
)
from marketo_sync.plan.plan import Observation, Plan
from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import RemoteCampaign

PATHS = {TEMPLATES: "Marketing Activities/Templates", OPERATIONAL: "Marketing Activities/Operational",
         MARCH: "Marketing Activities/Webinars/2026-03 Customer Engagement Webinar"}


def path(folder: FolderRef) -> str:
    return PATHS.get(folder, f"Folder {folder.id}")


def ref(folder: FolderRef, name: str, cid: int | None = None) -> CampaignRef:
    return CampaignRef(path(folder), name, folder, cid)


def observe(api: FakeApi, cid: int, folder: FolderRef | None = None) -> Observation:
    """``folder`` for a record that carries none (a system campaign, as in Adobe's example)."""
    record = api.get_campaign(cid)
    assert record is not None
    remote = RemoteCampaign.from_record(record)
    parent = remote.folder or folder
    assert parent is not None
    return Observation("campaign", path(parent), parent.as_dict(), remote.name, True, cid,
                       remote.updated_at, remote.fields())


def absent(folder: FolderRef, name: str) -> Observation:
    return Observation("campaign", path(folder), folder.as_dict(), name, False)


def token_observation(api: FakeApi, folder: FolderRef, name: str) -> Observation:
    rows = api.get_tokens(folder)
    tokens = {t["name"]: t for row in rows for t in row.get("tokens", [])}
    found = tokens.get(name)
    fields = {"type": found["type"], "value": found["value"]} if found else {}
    return Observation("token", path(folder), folder.as_dict(), name, found is not None, fields=fields)


def clone(folder: FolderRef, name: str, template: int, *, active: bool = False,
          description: str = "cloned") -> list[Change]:
    key = f"clone:{path(folder)}/{name}"
    after = {"name": name, "description": description}
    out: list[Change] = [CloneCampaign(key=key, campaign=ref(folder, name), template=ref(TEMPLATES, "t", template),
                                       after=after, verify={**after, "isActive": False})]
    if active:
        out.append(ActivateCampaign(key=f"activate:{path(folder)}/{name}", campaign=ref(folder, name),
                                    target_from=key, depends_on=(key,), after={"isActive": True},
                                    verify={"isActive": True}))
    return out


def create(folder: FolderRef, name: str) -> CreateCampaign:
    after = {"name": name, "description": "empty"}
    return CreateCampaign(key=f"create:{path(folder)}/{name}", campaign=ref(folder, name), after=after,
                          verify={**after, "isActive": False})


def update(folder: FolderRef, name: str, cid: int, description: str) -> UpdateCampaign:
    return UpdateCampaign(key=f"update:{path(folder)}/{name}", campaign=ref(folder, name, cid),
                          after={"description": description}, verify={"description": description})


def deactivate(folder: FolderRef, name: str, cid: int) -> DeactivateCampaign:
    return DeactivateCampaign(key=f"deactivate:{path(folder)}/{name}", campaign=ref(folder, name, cid),
                              after={"isActive": False}, verify={"isActive": False})


def activate(folder: FolderRef, name: str, cid: int) -> ActivateCampaign:
    return ActivateCampaign(key=f"activate:{path(folder)}/{name}", campaign=ref(folder, name, cid),
                            after={"isActive": True}, verify={"isActive": True})


def delete(folder: FolderRef, name: str, cid: int, depends_on: tuple[str, ...] = ()) -> DeleteCampaign:
    return DeleteCampaign(key=f"delete:{path(folder)}/{name}", campaign=ref(folder, name, cid),
                          depends_on=depends_on, verify={"exists": False}, reason="undeclared")


def set_token(folder: FolderRef, name: str, value: str) -> SetToken:
    wanted = {"type": "text", "value": value}
    return SetToken(key=f"set-token:{path(folder)}/{name}", token=TokenRef(path(folder), name, folder),
                    after=wanted, verify=wanted)


def plan_of(changes: list[Change], observations: list[Observation], **extra: Any) -> Plan:
    return Plan(changes=tuple(changes), observations=tuple(observations), environment="test",
                instance="fake", **extra)
