"""Find the campaign to run (by id or by full path, never by bare name) and check its kind.

Names repeat across programs, so a path is resolved to exactly one campaign; a request
needs an active, requestable trigger campaign and a schedule a batch campaign (else 1003).
"""

from __future__ import annotations

from dataclasses import dataclass

from marketo_sync.client.protocols import OperationsApi, Row
from marketo_sync.operations.errors import OperationError
from marketo_sync.refs import FolderRef
from marketo_sync.remote.read import find_folder
from marketo_sync.remote.state import RemoteFolder, join_path, split_path
from marketo_sync.render.common import inert


@dataclass(frozen=True)
class CampaignTarget:
    """The campaign to run, as read just now."""

    id: int
    name: str
    path: str                      # "Marketing Activities/Webinars/<program>/<name>"
    type: str                      # "trigger" | "batch" | ...
    is_active: bool
    is_requestable: bool
    container: FolderRef | None
    program_id: int | None = None  # the program it belongs to, directly or through a folder

    @classmethod
    def from_record(cls, record: Row, parent_path: str) -> CampaignTarget:
        folder = record.get("folder")
        container = FolderRef.parse_or_none(folder)
        name = str(record.get("name", ""))
        program = record.get("parentProgramId")
        if program is None and container is not None and container.type == "Program":
            program = container.id
        return cls(id=int(record["id"]), name=name,
                   path=join_path([*split_path(parent_path), name]) if parent_path else name,
                   type=str(record.get("type") or "").lower(), is_active=bool(record.get("isActive")),
                   is_requestable=bool(record.get("isRequestable")), container=container,
                   program_id=int(program) if program is not None else None)

    @property
    def label(self) -> str:
        return f'"{inert(self.path)}" (id {self.id})'


def resolve_campaign(api: OperationsApi, *, campaign_id: int | None = None,
                     path: str | None = None, workspace: str | None = None) -> CampaignTarget:
    """The campaign by id, or by ``Folder/…/Program/Campaign Name`` (never by name alone), the
    path resolved in ``workspace`` (the environment's; None: not named)."""
    if (campaign_id is None) == (path is None):
        raise OperationError("name the campaign with --id N or --campaign PATH (one of them)")
    if campaign_id is not None:
        if campaign_id <= 0:
            raise OperationError(f"campaign id {campaign_id} is not a positive integer")
        record = api.get_campaign(campaign_id)
        if not record:
            raise OperationError(f"campaign {campaign_id} does not exist")
        folder = FolderRef.parse_or_none(record.get("folder"))
        parent = RemoteFolder.from_record(api.get_folder(folder) or {}) if folder else None
        return CampaignTarget.from_record(record, parent.path if parent else "")
    segments = split_path(path or "")
    if len(segments) < 2:
        raise OperationError(f"--campaign {path!r} must be a full path: Folder/…/Program/Campaign Name "
                             "(campaign names repeat across programs)")
    parent_path, name = join_path(segments[:-1]), segments[-1]
    parent = find_folder(api, parent_path, workspace=workspace)
    if parent is None:
        raise OperationError(f"folder or program {parent_path!r} not found (campaign {path!r})")
    found = [r for r in api.browse_campaigns(parent.ref)
             if r.get("name") == name and FolderRef.parse_or_none(r.get("folder")) == parent.ref]
    if not found:
        raise OperationError(f"no campaign named {name!r} in {parent.path!r}")
    if len(found) > 1:  # pragma: no cover - Marketo keeps names unique within a parent
        raise OperationError(f"{len(found)} campaigns named {name!r} in {parent.path!r}: use --id")
    return CampaignTarget.from_record(found[0], parent.path)


def check_requestable(target: CampaignTarget) -> None:
    """Request Campaign needs an active trigger campaign with an API request trigger (else 1003)."""
    if target.type != "trigger":
        raise OperationError(f"campaign {target.label} is a {target.type or 'non-trigger'} campaign; only "
                             "trigger campaigns can be requested (schedule a batch campaign with "
                             "`marketo-sync schedule`)")
    if not target.is_active or not target.is_requestable:
        state = "inactive" if not target.is_active else "not requestable"
        raise OperationError(f"campaign {target.label} is {state}: activate it and give it a "
                             "'Campaign is Requested' trigger with source 'Web Service API'")


def check_schedulable(target: CampaignTarget) -> None:
    """Schedule Campaign runs batch campaigns only (else 1003)."""
    if target.type != "batch":
        raise OperationError(f"campaign {target.label} is a {target.type or 'default'} campaign; only batch "
                             "campaigns can be scheduled (request a trigger campaign with "
                             "`marketo-sync trigger`)")
