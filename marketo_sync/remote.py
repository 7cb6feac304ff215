"""Read what the plan needs from the instance, with the fewest calls, into :class:`RemoteState`.

The budget (100 calls / 20 s, ~50k a day) is shared by every integration on the instance, so
the reader is frugal (after octoDNS ``populate``):

* **Folders**: the user's paths are grouped by area ("Marketing Activities", ...). For each
  group the deepest common ancestor is found by name (one call; ``byName`` may return several
  folders, the one whose ``path`` matches wins) and, when the group holds more than that one
  path, the tree below it is browsed once with ``maxDepth`` just deep enough. Each folder is
  resolved once. The API's ``path`` carries the workspace as second segment
  (``/Marketing Activities/Default/Webinars``); user paths omit it, both are accepted.
* **Campaigns**: one paged browse per container that holds declared campaigns or is managed
  (``ceil(n/200)`` calls), never one by-name call per campaign. A pinned ``id`` not found
  there costs one get-by-id (it may have moved: a replace).
* **Templates**: only for campaigns that must be created; their folder is browsed once (or
  the template is read by id once), however many campaigns use them.
* **Tokens**: read only for containers that declare tokens.
* **Rules and flow** (``expect: {rules: template}``): only for such campaigns that exist, the
  smart list with rules and the campaign record (its ``flow``) of the campaign and of its
  template, each template once: 2 reads per campaign + 2 per template (the template's
  record is reused when it was already read by id), plus the template folder's browse when
  nothing else needed it. Nothing is read when no campaign declares it.

Volatile fields are normalised here so that the planner compares stable values only:
``computedUrl`` (its host changes between reads) is reduced to its ``#`` fragment and never
compared; a description of ``" "``/``None`` is ``""``; asset dates ``2016-09-10T23:16:19Z+0000``
become ISO 8601 ``2016-09-10T23:16:19+00:00``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from marketo_sync.desired import DesiredCampaign, DesiredState, ParentSpec
from marketo_sync.refs import FolderRef
from marketo_sync.rules import Fingerprint, fingerprint

log = logging.getLogger(__name__)

Record = Mapping[str, Any]


class ReadApi(Protocol):
    """The reads this module needs (implemented by ``marketo_sync.client.MarketoApi``)."""

    def folders_by_name(self, name: str) -> list[dict[str, Any]]: ...
    def browse_folders(self, root: FolderRef, max_depth: int) -> list[dict[str, Any]]: ...
    def browse_campaigns(self, folder: FolderRef) -> list[dict[str, Any]]: ...
    def get_campaign(self, campaign_id: int) -> dict[str, Any] | None: ...
    def get_tokens(self, folder: FolderRef) -> list[dict[str, Any]]: ...
    def get_campaign_smart_list(self, campaign_id: int, *,
                                include_rules: bool = True) -> dict[str, Any] | None: ...


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


def _folder_ref(value: Any) -> FolderRef | None:
    if value in (None, "", {}):
        return None
    try:
        return FolderRef.parse(value)
    except (ValueError, TypeError, KeyError):
        return None


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
        ref = _folder_ref(record.get("folderId"))
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

    @classmethod
    def from_record(cls, record: Record) -> RemoteCampaign:
        return cls(
            id=int(record["id"]),
            name=str(record.get("name", "")),
            folder=_folder_ref(record.get("folder")),
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
        )

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
    read_calls: int = 0

    def add_folder(self, folder: RemoteFolder) -> None:
        self.folders_by_ref.setdefault(folder.ref, folder)
        self.folders.setdefault(folder.path, folder)
        with_ws = join_path(split_path(folder.api_path))
        if with_ws:
            self.folders.setdefault(with_ws, folder)

    def add_campaigns(self, container: FolderRef, records: Iterable[Record]) -> None:
        found: list[RemoteCampaign] = []
        for record in records:
            campaign = RemoteCampaign.from_record(record)
            self.by_id[campaign.id] = campaign
            if campaign.folder == container:
                found.append(campaign)
        self.campaigns[container] = tuple(sorted(found, key=lambda c: (c.name, c.id)))

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


# -- the reader -----------------------------------------------------------------------------


class _Counter:
    """Counts API method invocations when the client has no call statistics."""

    def __init__(self, api: ReadApi) -> None:
        self.api = api
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.api, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return target(*args, **kwargs)

        return counted


def read_remote(api: ReadApi, desired: DesiredState, *,
                call_count: Callable[[], int] | None = None) -> RemoteState:
    """Read folders, campaigns, templates and tokens that ``desired`` refers to.

    ``call_count`` returns the client's running total of HTTP calls (``client.stats``); the
    difference is stored as ``read_calls``. Without it, method invocations are counted.
    """
    counter = _Counter(api)
    start = call_count() if call_count else 0
    state = RemoteState()
    reader: Any = counter
    _resolve_folders(reader, state, _referenced_specs(desired))
    _read_campaigns(reader, state, desired)
    _read_templates(reader, state, desired)
    _read_tokens(reader, state, desired)
    _read_rules(reader, state, desired)
    state.read_calls = (call_count() - start) if call_count else counter.calls
    log.info("read the instance in %d API calls", state.read_calls)
    return state


def _template_folder(template: str | int | None) -> list[str]:
    if isinstance(template, str):
        folder, _ = template_parts(template)
        return [folder] if folder else []
    return []


def _referenced_specs(desired: DesiredState) -> list[ParentSpec]:
    specs: list[ParentSpec] = []
    for campaign in desired.campaigns:
        specs.append(campaign.folder)
        specs.extend(_template_folder(campaign.template))
    specs.extend(f.folder for f in desired.folders)
    specs.extend(t.folder for t in desired.tokens)
    return specs


def find_folder(api: ReadApi, path: str) -> RemoteFolder | None:
    """The folder or program at exactly ``path`` (workspace segment optional), or None.

    The same frugal lookup the plan uses: one by-name call for the path, falling back to its
    nearest ancestor found by name and a browse just deep enough below it.
    """
    state = RemoteState()
    _resolve_folders(api, state, [path])
    return state.folder(path)


def _resolve_folders(api: ReadApi, state: RemoteState, specs: Iterable[ParentSpec]) -> None:
    paths = sorted({join_path(split_path(s)) for s in specs if isinstance(s, str)} - {""})
    refs = sorted({s for s in specs if isinstance(s, FolderRef)})
    groups: dict[str, list[tuple[str, ...]]] = {}
    for path in paths:
        segments = split_path(path)
        groups.setdefault(segments[0], []).append(segments)
    for group in groups.values():
        _resolve_group(api, state, group)
    for ref in refs:
        if ref in state.folders_by_ref:
            continue
        record = _get_folder(api, ref)
        folder = RemoteFolder.from_record(record) if record else None
        if folder is None:
            state.missing_refs.add(ref)
        else:
            state.add_folder(folder)


def _get_folder(api: Any, ref: FolderRef) -> dict[str, Any] | None:
    getter = getattr(api, "get_folder", None)
    if getter is None:
        return None
    result = getter(ref)
    if isinstance(result, list):
        return result[0] if result else None
    return result


def common_prefix(group: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """The longest leading run of segments all the paths share."""
    prefix = group[0]
    for segments in group[1:]:
        n = 0
        while n < min(len(prefix), len(segments)) and prefix[n] == segments[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


def _find_by_name(api: ReadApi, segments: tuple[str, ...]) -> RemoteFolder | None:
    """The folder at exactly this path, through one by-name call (names are not unique)."""
    wanted = join_path(segments)
    for record in api.folders_by_name(segments[-1]):
        folder = RemoteFolder.from_record(record)
        if folder is not None and wanted in (folder.path, join_path(split_path(folder.api_path))):
            return folder
    return None


def _resolve_group(api: ReadApi, state: RemoteState, group: list[tuple[str, ...]]) -> None:
    """One area: by-name lookup of the deepest common ancestor, one browse below it.

    When the ancestor is not found by name (an instance whose by-name search skips programs,
    or a missing folder), its parents are tried in turn, browsing deeper; when a path is still
    missing after the browse, one deeper browse covers layouts that count the workspace as a
    tree level. Both fallbacks cost calls only when something is unusual.
    """
    ancestor = common_prefix(group)
    anchor: RemoteFolder | None = None
    while ancestor:
        anchor = _find_by_name(api, ancestor)
        if anchor is not None:
            break
        ancestor = ancestor[:-1]
    if anchor is None:
        state.missing_paths.update(join_path(s) for s in group)
        return
    state.add_folder(anchor)
    depth = max(len(s) for s in group) - len(ancestor)

    def missing() -> list[str]:
        return [join_path(s) for s in group if join_path(s) not in state.folders]

    for extra in (0, 1):
        if depth <= 0 or not missing():
            break
        for record in api.browse_folders(anchor.ref, depth + extra):
            folder = RemoteFolder.from_record(record)
            if folder is not None:
                state.add_folder(folder)
    state.missing_paths.update(missing())


def _campaign_containers(state: RemoteState, desired: DesiredState) -> list[FolderRef]:
    refs: set[FolderRef] = set()
    for spec in [c.folder for c in desired.campaigns] + [f.folder for f in desired.folders]:
        folder = state.folder(spec)
        if folder is not None:
            refs.add(folder.ref)
    return sorted(refs)


def _browse(api: ReadApi, state: RemoteState, ref: FolderRef) -> None:
    if ref not in state.campaigns:
        state.add_campaigns(ref, api.browse_campaigns(ref))


def _get_by_id(api: ReadApi, state: RemoteState, campaign_id: int) -> RemoteCampaign | None:
    if campaign_id in state.by_id:
        return state.by_id[campaign_id]
    if campaign_id in state.missing_ids:
        return None
    record = api.get_campaign(campaign_id)
    if isinstance(record, list):
        record = record[0] if record else None
    if not record:
        state.missing_ids.add(campaign_id)
        return None
    campaign = RemoteCampaign.from_record(record)
    state.by_id[campaign.id] = campaign
    state.records[campaign.id] = record
    return campaign


def _read_campaigns(api: ReadApi, state: RemoteState, desired: DesiredState) -> None:
    for ref in _campaign_containers(state, desired):
        _browse(api, state, ref)
    for campaign in desired.campaigns:
        if campaign.id is not None:
            _get_by_id(api, state, campaign.id)


def find_declared(state: RemoteState, campaign: DesiredCampaign) -> RemoteCampaign | None:
    """The remote campaign a declaration names (by pinned id anywhere, else by (parent, name))."""
    if campaign.id is not None:
        return state.by_id.get(campaign.id)
    folder = state.folder(campaign.folder)
    return state.find(folder.ref, campaign.name) if folder is not None else None


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


def _read_templates(api: ReadApi, state: RemoteState, desired: DesiredState) -> None:
    for campaign in desired.campaigns:
        if campaign.template is None or exists_remotely(state, campaign):
            continue
        if isinstance(campaign.template, int):
            _get_by_id(api, state, campaign.template)
            continue
        folder_path, _ = template_parts(campaign.template)
        folder = state.folder(folder_path)
        if folder is not None:
            _browse(api, state, folder.ref)


def _read_tokens(api: ReadApi, state: RemoteState, desired: DesiredState) -> None:
    for spec in sorted({t.folder for t in desired.tokens}, key=str):
        folder = state.folder(spec)
        if folder is None or folder.ref in state.tokens:
            continue
        tokens: dict[str, RemoteToken] = {}
        for entry in api.get_tokens(folder.ref):
            # The API wraps tokens as [{"folder": …, "tokens": [...]}]; accept flat lists too.
            items = entry.get("tokens") if isinstance(entry, Mapping) and "tokens" in entry else [entry]
            for token in items or []:
                tokens[str(token["name"])] = RemoteToken(str(token["name"]), str(token.get("type", "")),
                                                         str(token.get("value", "")))
        state.tokens[folder.ref] = tokens


def _read_template(api: ReadApi, state: RemoteState, template: str | int) -> RemoteCampaign | None:
    """The template, reading it (by id) or its folder (one browse) only when not read yet."""
    if isinstance(template, int):
        return _get_by_id(api, state, template)
    folder = state.folder(template_parts(template)[0])
    if folder is None:
        return None
    _browse(api, state, folder.ref)
    return find_template(state, template)


def _read_rules(api: ReadApi, state: RemoteState, desired: DesiredState) -> None:
    """Fingerprints of the campaigns that ``expect`` their template's rules, and of those templates.

    A campaign still to be created is skipped: it will be a clone, so it cannot differ yet.
    """
    ids: list[int] = []
    for campaign in desired.campaigns:
        if "rules" not in campaign.expect or campaign.template is None:
            continue
        remote = find_declared(state, campaign)
        if remote is None:
            continue
        template = _read_template(api, state, campaign.template)
        ids.append(remote.id)
        if template is not None:
            ids.append(template.id)
    for campaign_id in dict.fromkeys(ids):
        if campaign_id in state.rules:
            continue
        smart_list = api.get_campaign_smart_list(campaign_id, include_rules=True)
        if isinstance(smart_list, list):
            smart_list = smart_list[0] if smart_list else None
        if not smart_list:
            log.warning("smart list of campaign %d could not be read", campaign_id)
            continue
        record = state.records.get(campaign_id)
        if record is None:
            record = api.get_campaign(campaign_id)
            if isinstance(record, list):
                record = record[0] if record else None
        if record is not None and "flow" not in record:
            log.warning("campaign %d was read without its flow (an API before the flow endpoints): "
                        "its smart list only is compared", campaign_id)
        state.rules[campaign_id] = fingerprint(smart_list, record)
