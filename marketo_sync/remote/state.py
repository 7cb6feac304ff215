"""What the planner knows of the instance: :class:`RemoteState` and its records, normalised.

Volatile fields are normalised here, once, so that the planner compares stable values only:
``computedUrl`` (its host changes between reads) is reduced to its ``#`` fragment and never
compared; a description of ``" "``/``None`` is ``""``; asset dates ``2016-09-10T23:16:19Z+0000``
become ISO 8601 ``2016-09-10T23:16:19+00:00``. Everything here is pure: the reader that fills a
:class:`RemoteState` through the API is :mod:`marketo_sync.remote.read`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from marketo_sync.desired.model import DesiredCampaign, ParentSpec
from marketo_sync.plan.flows import FlowCatalogue
from marketo_sync.plan.rules import Fingerprint
from marketo_sync.refs import FolderRef

Record = Mapping[str, Any]

# -- normalisation ------------------------------------------------------------------------


def split_path(path: str) -> tuple[str, ...]:
    """User or API path as segments, without empty ones: ``"/A/B/"`` -> ``("A", "B")``."""
    return tuple(s.strip() for s in str(path).split("/") if s.strip())


def join_path(segments: Iterable[str]) -> str:
    return "/".join(segments)


def normalise_description(value: Any) -> str:
    """Marketo returns ``" "`` (or nothing) for an empty description: all are ``""``."""
    if value is None:
        return ""
    text = str(value)
    return "" if not text.strip() else text


def normalise_date(value: Any) -> str | None:
    """Asset dates ``2016-09-10T23:16:19Z+0000`` (Z *and* offset) as ISO 8601 with offset."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    candidate = text
    if "Z" in candidate and (candidate.endswith("Z") is False):
        candidate = candidate.replace("Z", "")
    elif candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return text
    if parsed.tzinfo is None:
        return parsed.isoformat() + "+00:00"
    return parsed.isoformat()


def url_fragment(url: Any) -> str | None:
    """``https://app-xyz.marketo.com/#SC1234A1`` -> ``#SC1234A1`` (the host is volatile)."""
    if not url:
        return None
    text = str(url)
    return text[text.index("#"):] if "#" in text else None


#: A UI address worth showing: https, a plain host, a ``#`` fragment of letters and digits.
_UI_URL = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]+)?/#[A-Za-z0-9]+")


def ui_url(url: Any) -> str | None:
    """``computedUrl`` as read, for display only (links in plans and drift), when well formed."""
    text = str(url or "").strip()
    return text if _UI_URL.fullmatch(text) else None


@dataclass(frozen=True)
class RemoteFolder:
    """A resolved container: its ref, the user path (no workspace) and the API path."""

    ref: FolderRef
    path: str
    api_path: str
    name: str
    folder_type: str = ""
    is_system: bool = False
    workspace: str = ""

    @classmethod
    def from_record(cls, record: Record) -> RemoteFolder | None:
        ref = FolderRef.parse_or_none(record.get("folderId"))
        if ref is None and record.get("id") is not None:
            kind = "Program" if str(record.get("folderType", "")).lower() == "program" else "Folder"
            ref = FolderRef(int(record["id"]), kind)  # type: ignore[arg-type]
        if ref is None:
            return None
        api_path = str(record.get("path") or "")
        workspace = str(record.get("workspace") or "")
        segments = list(split_path(api_path))
        if len(segments) >= 2 and workspace and segments[1] == workspace:
            del segments[1]
        return cls(ref=ref, path=join_path(segments) or str(record.get("name", "")), api_path=api_path,
                   name=str(record.get("name", "")), folder_type=str(record.get("folderType", "")),
                   is_system=bool(record.get("isSystem", False)), workspace=workspace)


#: The campaign attributes the planner compares or reports, as Marketo names them.
COMPARED_FIELDS: tuple[str, ...] = (
    "name", "description", "isActive", "type", "isRequestable", "qualificationRuleType",
    "isCommunicationLimitEnabled", "isSystem",
)


@dataclass(frozen=True)
class RemoteCampaign:
    """A smart campaign as read, normalised (see the module docstring)."""

    id: int
    name: str
    folder: FolderRef | None
    description: str = ""
    type: str = ""
    is_active: bool = False
    is_system: bool = False
    is_requestable: bool = False
    qualification_rule_type: str | None = None
    is_communication_limit_enabled: bool | None = None
    status: str = ""
    updated_at: str | None = None
    workspace: str = ""
    url: str | None = None
    #: The whole ``computedUrl`` of this read, for links people follow; never compared.
    ui_url: str | None = field(default=None, compare=False)

    @classmethod
    def from_record(cls, record: Record) -> RemoteCampaign:
        return cls(
            id=int(record["id"]),
            name=str(record.get("name", "")),
            folder=FolderRef.parse_or_none(record.get("folder")),
            description=normalise_description(record.get("description")),
            type=str(record.get("type") or "").lower(),
            is_active=bool(record.get("isActive", False)),
            is_system=bool(record.get("isSystem", False)),
            is_requestable=bool(record.get("isRequestable", False)),
            qualification_rule_type=record.get("qualificationRuleType"),
            is_communication_limit_enabled=record.get("isCommunicationLimitEnabled"),
            status=str(record.get("status") or ""),
            updated_at=normalise_date(record.get("updatedAt")),
            workspace=str(record.get("workspace") or ""),
            url=url_fragment(record.get("computedUrl")),
            ui_url=ui_url(record.get("computedUrl")),
        )

    @classmethod
    def from_browse(cls, record: Record, container: FolderRef) -> RemoteCampaign | None:
        """A record a browse of ``container`` answered, if it is a direct child. A record without
        ``folder`` (Adobe's example of a system campaign has none) is taken as the container's."""
        campaign = cls.from_record(record)
        if campaign.folder is None:
            return replace(campaign, folder=container)
        return campaign if campaign.folder == container else None

    def fields(self) -> dict[str, Any]:
        """The compared attributes under Marketo's names (for observations and drift)."""
        return {
            "name": self.name,
            "description": self.description,
            "isActive": self.is_active,
            "type": self.type,
            "isRequestable": self.is_requestable,
            "qualificationRuleType": self.qualification_rule_type,
            "isCommunicationLimitEnabled": self.is_communication_limit_enabled,
            "isSystem": self.is_system,
        }


@dataclass(frozen=True)
class RemoteToken:
    name: str
    type: str
    value: str


@dataclass(frozen=True)
class RemoteProgram:
    """A program record as read (``program/{id}.json``, ``program/byName.json``)."""

    id: int
    name: str
    description: str = ""
    type: str = ""
    channel: str = ""
    parent: FolderRef | None = None
    parent_name: str = ""
    workspace: str = ""

    @classmethod
    def from_record(cls, record: Record) -> RemoteProgram:
        folder = record.get("folder")
        parent = FolderRef.parse_or_none(folder)
        return cls(id=int(record["id"]), name=str(record.get("name", "")),
                   description=normalise_description(record.get("description")),
                   type=str(record.get("type") or ""), channel=str(record.get("channel") or ""), parent=parent,
                   parent_name=str(folder.get("folderName", "")) if isinstance(folder, Mapping) else "",
                   workspace=str(record.get("workspace") or ""))


@dataclass
class RemoteState:
    """What the planner knows of the instance. Absent keys mean "not read", not "absent"."""

    folders: dict[str, RemoteFolder] = field(default_factory=dict)
    folders_by_ref: dict[FolderRef, RemoteFolder] = field(default_factory=dict)
    missing_paths: set[str] = field(default_factory=set)
    missing_refs: set[FolderRef] = field(default_factory=set)
    #: Campaigns per browsed container (direct children only).
    campaigns: dict[FolderRef, tuple[RemoteCampaign, ...]] = field(default_factory=dict)
    #: Every campaign seen, by id (browsed or read by id).
    by_id: dict[int, RemoteCampaign] = field(default_factory=dict)
    missing_ids: set[int] = field(default_factory=set)
    tokens: dict[FolderRef, dict[str, RemoteToken]] = field(default_factory=dict)
    #: Smart list and flow fingerprints by campaign id (only campaigns with ``expect.rules``
    #: and their templates); a missing id means "not read" or "could not be read".
    rules: dict[int, Fingerprint] = field(default_factory=dict)
    #: Campaign records as read by id (they carry ``flow``), reused by the rules reader.
    records: dict[int, Record] = field(default_factory=dict)
    #: Smart-list records (with rules) by campaign id: campaigns whose logic a change or an
    #: ``expect.smart_list`` needs, and the templates of clones (``remote/read_logic.py``).
    smart_lists: dict[int, Record] = field(default_factory=dict)
    #: The flow-step catalogue, read when a file declares a ``flow``; None when not read.
    flow_catalogue: FlowCatalogue | None = None
    #: Program records by id: declared programs that exist, and templates of missing ones.
    programs: dict[int, RemoteProgram] = field(default_factory=dict)
    #: By-name look-ups of the programs to create (``None``: no program has the name).
    program_names: dict[str, RemoteProgram | None] = field(default_factory=dict)
    read_calls: int = 0
    #: The environment's workspace (None: not named) and, for a path not resolved because it
    #: is only in other workspaces (or in several, none named), those workspaces.
    workspace: str | None = None
    elsewhere: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: How the campaigns were read (``remote/strategy.py``: an ``Outcome``), None before.
    campaign_read: Any = None

    def add_folder(self, folder: RemoteFolder) -> None:
        self.folders_by_ref.setdefault(folder.ref, folder)
        self.folders.setdefault(folder.path, folder)
        with_ws = join_path(split_path(folder.api_path))
        if with_ws:
            self.folders.setdefault(with_ws, folder)

    def add_campaigns(self, container: FolderRef, records: Iterable[Record]) -> None:
        """The campaigns a browse of ``container`` answered (see :meth:`RemoteCampaign.from_browse`)."""
        found: list[RemoteCampaign] = []
        for record in records:
            child = RemoteCampaign.from_browse(record, container)
            campaign = child or RemoteCampaign.from_record(record)
            self.by_id[campaign.id] = campaign
            if child is not None:
                found.append(child)
        self.campaigns[container] = tuple(sorted(found, key=lambda c: (c.name, c.id)))

    def workspace_hint(self, spec: ParentSpec) -> str:
        """Why a path was not resolved when other workspaces have it ("" otherwise)."""
        if not isinstance(spec, str):
            return ""
        segments = split_path(spec)
        # The path itself, or the ancestor the reader looked up for it (one by-name call per area).
        others = next((self.elsewhere[join_path(segments[:n])] for n in range(len(segments), 0, -1)
                       if join_path(segments[:n]) in self.elsewhere), ())
        if not others:
            return ""
        shown = ", ".join(repr(w) for w in others)
        if self.workspace is None:
            return (f"; it exists in workspaces {shown}: set the environment's `workspace` to the one "
                    "these files manage")
        return (f"; it is not in workspace {self.workspace!r} (the environment's `workspace`) but exists "
                f"in {shown}")

    def folder(self, spec: ParentSpec) -> RemoteFolder | None:
        """The resolved container of a user path or ref, or None when it does not exist."""
        if isinstance(spec, FolderRef):
            return self.folders_by_ref.get(spec)
        return self.folders.get(join_path(split_path(spec)))

    def in_folder(self, ref: FolderRef) -> tuple[RemoteCampaign, ...]:
        return self.campaigns.get(ref, ())

    def find(self, ref: FolderRef, name: str) -> RemoteCampaign | None:
        """Campaign by (parent, name): the identity Marketo guarantees unique."""
        for campaign in self.campaigns.get(ref, ()):
            if campaign.name == name:
                return campaign
        return None

    def path_of(self, ref: FolderRef | None) -> str:
        folder = self.folders_by_ref.get(ref) if ref else None
        return folder.path if folder else (str(ref) if ref else "(unknown folder)")


def template_parts(template: str) -> tuple[str, str]:
    """``"A/B/Campaign"`` -> (``"A/B"``, ``"Campaign"``)."""
    segments = split_path(template)
    return join_path(segments[:-1]), (segments[-1] if segments else "")

def common_prefix(group: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """The longest leading run of segments all the paths share."""
    prefix = group[0]
    for segments in group[1:]:
        n = 0
        while n < min(len(prefix), len(segments)) and prefix[n] == segments[n]:
            n += 1
        prefix = prefix[:n]
    return prefix

def find_declared(state: RemoteState, campaign: DesiredCampaign) -> RemoteCampaign | None:
    """The remote campaign a declaration names: by pinned id anywhere, else by (parent, name),
    else by (parent, one of its ``previous_names``)."""
    if campaign.id is not None:
        return state.by_id.get(campaign.id)
    folder = state.folder(campaign.folder)
    if folder is None:
        return None
    for name in (campaign.name, *campaign.previous_names):
        found = state.find(folder.ref, name)
        if found is not None:
            return found
    return None

def exists_remotely(state: RemoteState, campaign: DesiredCampaign) -> bool:
    """Whether a declared campaign exists (by pinned id anywhere, else by (parent, name))."""
    return find_declared(state, campaign) is not None

def find_template(state: RemoteState, template: str | int) -> RemoteCampaign | None:
    """The template campaign, by id or by ``Folder/…/Name``, among what was read."""
    if isinstance(template, int):
        return state.by_id.get(template)
    folder_path, name = template_parts(template)
    folder = state.folder(folder_path)
    return state.find(folder.ref, name) if folder is not None else None
