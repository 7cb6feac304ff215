"""Desired state: the frozen dataclasses the campaign files are loaded into.

They are the contract between the loader (:mod:`marketo_sync.desired.load`), the reader
(:mod:`marketo_sync.remote.read`) and the planner (:mod:`marketo_sync.plan.planner`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from marketo_sync.refs import FolderRef

if TYPE_CHECKING:  # desired.flow uses Location from here
    from marketo_sync.desired.flow import DesiredStep

ManagedMode = Literal["exclusive", "additive"]


@dataclass(frozen=True)
class Location:
    """Where something was declared: ``campaigns/webinars.yaml, line 12, column 5``."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}, column {self.column}"


#: A parent container as written by the user: a path (variables already substituted,
#: e.g. ``"Marketing Activities/Webinars/2026-03 Webinar"``) or an explicit ref.
ParentSpec = str | FolderRef


@dataclass(frozen=True)
class DesiredCampaign:
    """One declared smart campaign.

    ``None`` for ``description`` or ``active`` means "not managed": the planner leaves
    that attribute as it is.
    """

    name: str
    folder: ParentSpec
    location: Location
    description: str | None = None
    active: bool | None = None
    template: str | int | None = None   # "Path/To/Folder/Campaign Name" or a campaign id
    id: int | None = None               # pins identity in this environment: a different remote name is a rename
    protect: bool = False               # never deactivated or deleted by the tool
    expect: Mapping[str, Any] = field(default_factory=dict)  # read-only attributes, drift only
    allow_replace: bool = False         # a folder move (clone + delete, new id) is allowed
    #: ``id: {sandbox: 2011, production: 7011}`` as written (empty for one id or none): ``id``
    #: is this environment's entry; ``import --merge-ids`` adds to it.
    ids: Mapping[str, int] = field(default_factory=dict)
    #: Earlier names: a campaign still called one of them (same parent) is renamed in place.
    previous_names: tuple[str, ...] = ()
    flow: tuple[DesiredStep, ...] | None = None  # the whole flow (None: not managed)


@dataclass(frozen=True)
class ManagedFolder:
    """A container whose campaigns the files manage, and how strictly."""

    folder: ParentSpec
    mode: ManagedMode
    location: Location


@dataclass(frozen=True)
class DesiredToken:
    """A program (or folder) My Token, by bare name (no ``{{my.}}``)."""

    folder: ParentSpec
    name: str
    type: str
    value: str
    location: Location


@dataclass(frozen=True)
class DesiredProgram:
    """The program a file declares as its container (the ``program:`` block).

    ``path`` is the file's ``folder`` (the program's own path). A missing program is cloned
    from ``template`` (a path or a program id) or, without one, created from ``type`` and
    ``channel``; ``None`` for ``description`` means "not managed". A program that exists under
    one of ``previous_names`` (in the same folder) or under the pinned ``id`` is renamed.
    """

    path: str
    location: Location
    template: str | int | None = None
    type: str | None = None
    channel: str | None = None
    description: str | None = None
    tags: tuple[tuple[str, str], ...] = ()  # (tag type, tag value), sent on create
    id: int | None = None                   # pins identity: a different remote name is a rename
    #: Earlier names: a program of the same folder still called one of them is renamed in place.
    previous_names: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class CreatableFolder:
    """A folder path whose missing plain folders may be created (``create_folder: true``)."""

    path: str
    location: Location


@dataclass(frozen=True)
class DesiredState:
    """Everything the files declare, validated."""

    campaigns: tuple[DesiredCampaign, ...] = ()
    folders: tuple[ManagedFolder, ...] = ()
    tokens: tuple[DesiredToken, ...] = ()
    files: tuple[str, ...] = ()
    programs: tuple[DesiredProgram, ...] = ()
    create_folders: tuple[CreatableFolder, ...] = ()
    #: What a reviewer could not see (invisible characters, mixed scripts), each placed; never fatal.
    warnings: tuple[str, ...] = ()
