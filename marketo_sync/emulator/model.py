"""The emulator's stored facts: containers (folders and programs), campaigns, leads.

Only facts are stored. What Marketo derives (a campaign's ``type``, ``status``,
``isRequestable``, ``parentProgramId``; a folder's ``path``) is computed on every read by
``backend.py``, so it can never disagree with the smart list, the flow or the tree.

Every class converts to and from plain JSON-ready dicts for ``export_state``/``import_state``.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from marketo_sync.emulator.store import Store, index_attributes

FolderKey = tuple[int, str]  # (id, "Folder" | "Program")
Record = dict[str, Any]

FOLDER = "Folder"
PROGRAM = "Program"

MARKETING_ACTIVITIES = "Marketing Activities"
DESIGN_STUDIO = "Design Studio"
# Folder types that may hold smart campaigns (only within Marketing Activities).
CAMPAIGN_FOLDER_TYPES = {"Marketing Folder", "Zone", "Program"}
TOKEN_TYPES = ("date", "number", "rich text", "score", "sfdc campaign", "text")


def key_to_json(key: FolderKey | None) -> list[Any] | None:
    return None if key is None else [key[0], key[1]]


def key_from_json(raw: Any) -> FolderKey | None:
    return None if raw is None else (int(raw[0]), str(raw[1]))


@dataclass
class Container:
    """A folder or a program: both are nodes of the Marketing Activities / Design Studio tree."""

    id: int
    kind: str  # FOLDER | PROGRAM
    name: str
    parent: FolderKey | None
    folder_type: str  # "Zone", "Marketing Folder", "Email", ...; "Program" for programs
    created_at: float
    updated_at: float
    description: str = ""
    is_system: bool = False
    is_archive: bool = False
    tokens: list[Record] = field(default_factory=list)  # [{name, type, value}], local only
    # Program-only facts.
    program_type: str = ""
    channel: str = ""
    status: str = ""
    tags: list[Record] = field(default_factory=list)
    costs: list[Record] | None = None
    # The workspace the container belongs to: a root's is seeded, a child inherits its parent's.
    workspace: str = ""
    assets: list[Record] = field(default_factory=list)  # [{type, name}]: local assets besides campaigns

    @property
    def key(self) -> FolderKey:
        return (self.id, self.kind)

    def to_json(self) -> Record:
        data = asdict(self)
        data["parent"] = key_to_json(self.parent)
        return data

    @classmethod
    def from_json(cls, data: Record) -> Container:
        data = copy.deepcopy(data)
        data["parent"] = key_from_json(data.get("parent"))
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass
class Campaign:
    """A smart campaign: its smart list (triggers, filters) and flow are stored with it."""

    id: int
    name: str
    parent: FolderKey
    created_at: float
    updated_at: float
    smart_list_id: int
    flow_id: int
    description: str = ""
    is_system: bool = False
    is_active: bool = False
    qualification_rule_type: str = "once"
    qualification_rule_interval: int | None = None
    qualification_rule_unit: str | None = None
    is_communication_limit_enabled: bool = True
    max_members: int | None = None
    recurrence: Record = field(default_factory=lambda: {"weekdayOnly": False})
    filter_match_type: str = "all"
    filter_custom_rule_logic: str | None = None
    triggers: list[Record] = field(default_factory=list)
    filters: list[Record] = field(default_factory=list)
    flow: list[Record] = field(default_factory=list)
    scheduled: bool = False  # a schedule call happened: batch status becomes "Single Run"

    def to_json(self) -> Record:
        data = asdict(self)
        data["parent"] = key_to_json(self.parent)
        return data

    @classmethod
    def from_json(cls, data: Record) -> Campaign:
        data = copy.deepcopy(data)
        data["parent"] = key_from_json(data["parent"])
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


# Browse, by-name and children reads are answered from indexes on these (emulator/store.py).
index_attributes(Container, "parent", "name")
index_attributes(Campaign, "parent", "name")


def container_store() -> Store[FolderKey, Container]:
    """Containers by key; ordered folders first, then programs, each by id (as folder content is)."""
    return Store(key=lambda c: c.key, order=lambda c: (c.kind != FOLDER, c.id), indexes=("parent", "name"))


def campaign_store() -> Store[int, Campaign]:
    """Campaigns by id, ordered by id, indexed by parent container and by name."""
    return Store(key=lambda c: c.id, order=lambda c: c.id, indexes=("parent", "name"))


LEAD_STANDARD_FIELDS = ("id", "email", "firstName", "lastName", "createdAt", "updatedAt")


@dataclass
class Lead:
    id: int
    created_at: float
    updated_at: float
    fields: Record = field(default_factory=dict)  # email, firstName, lastName, any custom field

    def to_json(self) -> Record:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Record) -> Lead:
        return cls(id=int(data["id"]), created_at=data["created_at"], updated_at=data["updated_at"],
                   fields=dict(data.get("fields") or {}))
