"""The changes a plan is made of: one small frozen class per action (after octoDNS ``change.py``).

Contract with the applier: **apply executes these objects unchanged and decides
nothing on its own.** Every change carries everything needed to make its one API call and to
check the result afterwards:

* ``key``: stable and unique within a plan (``"<action>:<folder path>/<name>"``, with the id
  for pinned or undeclared campaigns); used by ``depends_on`` and by the journal.
* ``depends_on``: keys of changes that must have succeeded first. When one of them failed
  or was skipped, the applier skips this change (activate-after-clone depends on the clone,
  a delete depends on the deactivation of the same campaign, an activation depends on the
  token changes of its program).
* ``ORDER``: the phase (tokens 0, creates/clones/replaces 1, updates 2, deactivations 3,
  activations 4, deletions 5). Changes of one phase are independent unless ``depends_on``
  says otherwise, so they may run concurrently.
* ``campaign``: a :class:`CampaignRef` with the resolved parent :class:`FolderRef`, the
  user-facing folder path, the name, and the campaign id. The id is ``None`` only for a
  campaign that does not exist yet; then ``target_from`` names the create/clone/replace
  change whose result id this change acts on.
* ``before`` / ``after``: the compared attributes as observed and as wanted (``None``
  when the campaign does not exist before / after).
* ``verify``: exactly what a read-back after the call must show (``{"exists": False}`` for
  a delete; the wanted attributes otherwise).
* ``location``: where the campaign or token was declared (``file, line N, column M``), or
  ``None`` for an undeclared campaign.

API calls per change (``WRITES``): one for every action. ``Drift`` is not a change: it is a
difference the API cannot fix, reported and never applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from marketo_sync.refs import FolderRef

#: Phases in apply order: tokens, creates and clones, updates, deactivations,
#: activations, deletions.
PHASE_FOLDERS = -2
PHASE_PROGRAMS = -1
PHASE_TOKENS = 0
PHASE_CREATE = 1
PHASE_UPDATE = 2
PHASE_DEACTIVATE = 3
PHASE_ACTIVATE = 4
PHASE_DELETE = 5

PHASE_NAMES: dict[int, str] = {
    PHASE_FOLDERS: "folders",
    PHASE_PROGRAMS: "programs",
    PHASE_TOKENS: "tokens",
    PHASE_CREATE: "create",
    PHASE_UPDATE: "update",
    PHASE_DEACTIVATE: "deactivate",
    PHASE_ACTIVATE: "activate",
    PHASE_DELETE: "delete",
}


@dataclass(frozen=True, order=True)
class CampaignRef:
    """Which campaign a change is about: resolved parent, path for humans, name, id.

    ``folder`` is the user-facing path (no workspace segment), ``folder_ref`` the resolved
    container. ``id`` is ``None`` for a campaign that does not exist yet.
    """

    folder: str
    name: str
    folder_ref: FolderRef
    id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "name": self.name,
            "id": self.id,
            "folder_ref": self.folder_ref.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CampaignRef:
        return cls(
            folder=str(data["folder"]),
            name=str(data["name"]),
            folder_ref=FolderRef.parse(data["folder_ref"]),
            id=None if data.get("id") is None else int(data["id"]),
        )

    @property
    def path(self) -> str:
        """``Folder/…/Program/Campaign Name``: the campaign path users write for templates."""
        return f"{self.folder}/{self.name}"


@dataclass(frozen=True, order=True)
class TokenRef:
    """A My Token of a folder or program (bare name, no ``{{my.}}``)."""

    folder: str
    name: str
    folder_ref: FolderRef

    def as_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "name": self.name, "folder_ref": self.folder_ref.as_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TokenRef:
        return cls(str(data["folder"]), str(data["name"]), FolderRef.parse(data["folder_ref"]))


def _plain(value: Any) -> Any:
    """Dataclass/ref values as JSON-ready data (mappings copied, tuples as lists)."""
    if isinstance(value, CampaignRef | TokenRef):
        return value.as_dict()
    if isinstance(value, FolderRef):
        return value.as_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Change:
    """Base class of every executable change. See the module docstring for the contract."""

    ACTION: ClassVar[str] = ""
    ORDER: ClassVar[int] = 0
    SYMBOL: ClassVar[str] = "?"
    #: API writes the applier makes for this change.
    WRITES: ClassVar[int] = 1

    key: str
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    depends_on: tuple[str, ...] = ()
    verify: Mapping[str, Any] = field(default_factory=dict)
    location: str | None = None
    reason: str = ""

    @property
    def phase(self) -> str:
        return PHASE_NAMES[self.ORDER]

    @property
    def writes(self) -> int:
        """API writes this change makes (a flow edit: one per operation)."""
        return self.WRITES

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        """Phase first, then folder path and name, so plans read in a stable order."""
        target = getattr(self, "campaign", None) or getattr(self, "token", None) or getattr(self, "container", None)
        folder = getattr(target, "folder", "")
        name = getattr(target, "name", "")
        return (self.ORDER, folder, name, self.key)

    @property
    def data(self) -> dict[str, Any]:
        """The JSON form: ``action`` first, then every field in declaration order."""
        out: dict[str, Any] = {"action": self.ACTION}
        for f in fields(self):
            out[f.name] = _plain(getattr(self, f.name))
        return out

    @staticmethod
    def from_data(data: Mapping[str, Any]) -> Change:
        """Rebuild a change from :attr:`data` (used by ``Plan.from_json``)."""
        cls = CHANGE_CLASSES.get(str(data.get("action")))
        if cls is None:
            raise ValueError(f"unknown change action {data.get('action')!r}")
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name in ("campaign", "template", "source", "container") and value is not None:
                value = CampaignRef.from_dict(value)
            elif f.name == "placeholder" and value is not None:
                value = FolderRef.parse(value)
            elif f.name == "token" and value is not None:
                value = TokenRef.from_dict(value)
            elif f.name in ("depends_on", "operations"):
                value = tuple(value)
            kwargs[f.name] = value
        return cls(**kwargs)


@dataclass(frozen=True, kw_only=True)
class CampaignChange(Change):
    """A change to one smart campaign."""

    campaign: CampaignRef
    #: Key of the create/clone/replace change that produces ``campaign.id`` when it is None.
    target_from: str | None = None


@dataclass(frozen=True)
class CreateCampaign(CampaignChange):
    """Create an empty campaign (no template): ``after`` holds name and description.

    An empty campaign has no trigger or flow, so it is never activated by the plan.
    """

    ACTION: ClassVar[str] = "create"
    ORDER: ClassVar[int] = PHASE_CREATE
    SYMBOL: ClassVar[str] = "+"


@dataclass(frozen=True, kw_only=True)
class CloneCampaign(CampaignChange):
    """Clone ``template`` (a resolved campaign, id set) into ``campaign.folder_ref``.

    The clone keeps the template's triggers and flow and starts inactive; an activation,
    when wanted, is a separate :class:`ActivateCampaign` depending on this key.
    """

    ACTION: ClassVar[str] = "clone"
    ORDER: ClassVar[int] = PHASE_CREATE
    SYMBOL: ClassVar[str] = "+"

    template: CampaignRef
    #: The template's triggers, filters and flow as read (:func:`marketo_sync.plan.logic.logic_of`),
    #: shown in the plan; None when they were not read.
    logic: Mapping[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class ReplaceCampaign(CampaignChange):
    """A pinned campaign found in another folder: the API cannot move it.

    Replace means: clone ``source`` (the existing campaign, so that its triggers and flow
    survive) into ``campaign.folder_ref`` under ``campaign.name``; the campaign id changes.
    The old campaign is removed by a separate :class:`DeleteCampaign` (preceded by a
    :class:`DeactivateCampaign` when it is active) that depends on this key. Only planned
    when replacing is explicitly allowed.
    """

    ACTION: ClassVar[str] = "replace"
    ORDER: ClassVar[int] = PHASE_CREATE
    SYMBOL: ClassVar[str] = "±"

    source: CampaignRef


@dataclass(frozen=True)
class UpdateCampaign(CampaignChange):
    """Update name (rename of a pinned campaign) and/or description.

    ``after`` holds only the attributes to send; ``before`` the same attributes as observed.
    """

    ACTION: ClassVar[str] = "update"
    ORDER: ClassVar[int] = PHASE_UPDATE
    SYMBOL: ClassVar[str] = "~"


@dataclass(frozen=True)
class DeactivateCampaign(CampaignChange):
    """Deactivate an active trigger campaign."""

    ACTION: ClassVar[str] = "deactivate"
    ORDER: ClassVar[int] = PHASE_DEACTIVATE
    SYMBOL: ClassVar[str] = "~"


@dataclass(frozen=True)
class ActivateCampaign(CampaignChange):
    """Activate a trigger campaign (existing, or produced by ``target_from``)."""

    ACTION: ClassVar[str] = "activate"
    ORDER: ClassVar[int] = PHASE_ACTIVATE
    SYMBOL: ClassVar[str] = "~"


@dataclass(frozen=True)
class DeleteCampaign(CampaignChange):
    """Delete a campaign: undeclared in an exclusive folder, or the old half of a replace.

    Never planned for ``isSystem`` or ``protect: true`` campaigns. ``reason`` says why
    (``"undeclared"`` or ``"replaced"``); the applier still requires ``--allow-delete``.
    """

    ACTION: ClassVar[str] = "delete"
    ORDER: ClassVar[int] = PHASE_DELETE
    SYMBOL: ClassVar[str] = "-"


@dataclass(frozen=True)
class EditFlow(CampaignChange):
    """Edit a campaign's flow steps (``~ flow``): ``operations`` in the order apply runs them.

    ``before`` / ``after`` hold ``{"flow": [...]}``, the current and the declared flow in the
    comparable form of :mod:`marketo_sync.plan.flows`; ``ids`` the catalogue ids apply needs
    (step types, attribute ids, condition types). Apply recomputes the operations from what it
    reads before each call and reads the flow back (a lost answer never adds a step twice).
    ``live``: the campaign is active, so the edit takes effect in Marketo at once.
    """

    ACTION: ClassVar[str] = "flow"
    ORDER: ClassVar[int] = PHASE_UPDATE
    SYMBOL: ClassVar[str] = "~"

    operations: tuple[Mapping[str, Any], ...] = ()
    ids: Mapping[str, Any] = field(default_factory=dict)
    live: bool = False

    @property
    def writes(self) -> int:
        return max(1, len(self.operations))


@dataclass(frozen=True, kw_only=True)
class TokenChange(Change):
    """A change to one My Token of a folder or program."""

    token: TokenRef


@dataclass(frozen=True)
class SetToken(TokenChange):
    """Create or update (the API upserts by name) a My Token: ``after`` = {type, value}."""

    ACTION: ClassVar[str] = "set-token"
    ORDER: ClassVar[int] = PHASE_TOKENS
    SYMBOL: ClassVar[str] = "~"


@dataclass(frozen=True)
class DeleteToken(TokenChange):
    """Delete a My Token (the API needs name and type: ``before`` has the type)."""

    ACTION: ClassVar[str] = "delete-token"
    ORDER: ClassVar[int] = PHASE_TOKENS
    SYMBOL: ClassVar[str] = "-"


@dataclass(frozen=True, kw_only=True)
class ContainerChange(Change):
    """A change to a folder or a program (issue 10), applied before tokens and campaigns.

    ``container`` names it like a campaign: parent path (``folder``), ``name``, the parent's
    ref (``folder_ref``) and its own id (``None`` while it does not exist). ``placeholder`` is
    the ref (negative id) by which later changes of the plan address a container that this
    change creates: apply replaces it by the real id once this change has applied.
    """

    container: CampaignRef
    placeholder: FolderRef | None = None

    @property
    def path(self) -> str:
        return self.container.path


@dataclass(frozen=True, kw_only=True)
class CreateFolder(ContainerChange):
    """Create a plain Marketing Activities folder on the path of a declared program (or of a
    file with ``create_folder: true``)."""

    ACTION: ClassVar[str] = "create-folder"
    ORDER: ClassVar[int] = PHASE_FOLDERS
    SYMBOL: ClassVar[str] = "+"


@dataclass(frozen=True, kw_only=True)
class CreateProgram(ContainerChange):
    """Create an empty program: ``after`` holds name, type, channel, description and tags."""

    ACTION: ClassVar[str] = "create-program"
    ORDER: ClassVar[int] = PHASE_PROGRAMS
    SYMBOL: ClassVar[str] = "+"


@dataclass(frozen=True, kw_only=True)
class CloneProgram(ContainerChange):
    """Clone the ``template`` program (campaigns, My Tokens, folders, local assets) into the
    parent folder under ``container.name``. Not idempotent: apply looks the name up before
    any retry, so there is never a second program."""

    ACTION: ClassVar[str] = "clone-program"
    ORDER: ClassVar[int] = PHASE_PROGRAMS
    SYMBOL: ClassVar[str] = "+"

    template: CampaignRef


@dataclass(frozen=True, kw_only=True)
class UpdateProgram(ContainerChange):
    """Update an existing program's description (and name, for a pinned id). Programs are
    never deleted by marketo-sync."""

    ACTION: ClassVar[str] = "update-program"
    ORDER: ClassVar[int] = PHASE_PROGRAMS
    SYMBOL: ClassVar[str] = "~"


def target_text(change: Change, campaign_id: int | None = None) -> str:
    """``Folder/…/Name (id 123)`` or ``Folder {{my.Token}}``: how messages name a change's target.

    ``campaign_id`` overrides the planned id (the id a create or clone produced).
    """
    if isinstance(change, TokenChange):
        return f"{change.token.folder} {{{{my.{change.token.name}}}}}"
    if isinstance(change, ContainerChange):
        ref = change.container
    elif isinstance(change, CampaignChange):
        ref = change.campaign
    else:
        return change.key
    shown = campaign_id if campaign_id is not None else ref.id
    return f"{ref.path} (id {shown})" if shown is not None else ref.path


CHANGE_CLASSES: dict[str, type[Change]] = {
    cls.ACTION: cls
    for cls in (CreateFolder, CreateProgram, CloneProgram, UpdateProgram, CreateCampaign, CloneCampaign,
                ReplaceCampaign, UpdateCampaign, EditFlow, DeactivateCampaign, ActivateCampaign, DeleteCampaign,
                SetToken, DeleteToken)
}

#: Every action, in phase order (for summaries and docs).
ACTIONS: tuple[str, ...] = tuple(
    cls.ACTION for cls in sorted(CHANGE_CLASSES.values(), key=lambda c: c.ORDER)
)


@dataclass(frozen=True)
class Drift:
    """A difference the API cannot fix (a read-only attribute): reported, never applied.

    ``field`` is the Marketo attribute (``type``, ``isRequestable``, ...), ``expected``
    what the file's ``expect`` says, ``actual`` what the instance has.
    """

    campaign: CampaignRef
    field: str
    expected: Any
    actual: Any
    location: str | None = None
    message: str = ""

    @property
    def data(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign.as_dict(),
            "field": self.field,
            "expected": self.expected,
            "actual": self.actual,
            "location": self.location,
            "message": self.message,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Drift:
        return cls(CampaignRef.from_dict(data["campaign"]), str(data["field"]), data.get("expected"),
                   data.get("actual"), data.get("location"), str(data.get("message", "")))


@dataclass(frozen=True)
class Unmanaged:
    """A campaign that exists in a read folder and that no file declares, left alone.

    ``reason``: ``"additive"`` (its folder is additive) or ``"system"`` (an ``isSystem``
    campaign in an exclusive folder, which is never deleted).
    """

    campaign: CampaignRef
    reason: str = "additive"
    is_active: bool = False

    @property
    def data(self) -> dict[str, Any]:
        return {"campaign": self.campaign.as_dict(), "reason": self.reason, "is_active": self.is_active}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Unmanaged:
        return cls(CampaignRef.from_dict(data["campaign"]), str(data.get("reason", "additive")),
                   bool(data.get("is_active", False)))
