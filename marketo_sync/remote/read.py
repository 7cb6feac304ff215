"""Read what the plan needs from the instance, with the fewest calls, into :class:`RemoteState`.

The budget (100 calls / 20 s, ~50k a day) is shared by every integration on the instance, so
the reader is frugal (after octoDNS ``populate``):

* **Folders**: the user's paths are grouped by area ("Marketing Activities", ...). For each
  group the deepest common ancestor is found by name (one call; ``byName`` may return several
  folders, the one whose ``path`` matches wins) and, when the group holds more than that one
  path, the tree below it is browsed once with ``maxDepth`` just deep enough. Each folder is
  resolved once. The API's ``path`` carries the workspace as second segment
  (``/Marketing Activities/Default/Webinars``); user paths omit it, both are accepted.
* **Workspaces**: each has its own "Marketing Activities", so a by-name answer may hold the
  same path in several; the environment's workspace wins (not named: "Default", or the only
  one that has the path). A path only in other workspaces is not resolved, and the state
  says where it is (``RemoteState.elsewhere``) so that the plan error can tell.
* **Campaigns**: one paged browse per container that holds declared campaigns or is managed
  (``ceil(n/200)`` calls), or one paged browse of the whole instance grouped locally, whichever
  the cost model of :mod:`marketo_sync.remote.strategy` finds cheaper; never one by-name call
  per campaign. A pinned ``id`` not found there costs one get-by-id (it may have moved: a
  replace). Up to ``concurrency`` of these reads are in flight.
* **Templates**: only for campaigns that must be created; their folder is browsed once (or
  the template is read by id once), however many campaigns use them.
* **Tokens**: read only for containers that declare tokens.
* **Logic** (declared ``flow:``, ``expect: {smart_list: …}``, templates of clones, the flow
  catalogue): :mod:`marketo_sync.remote.read_logic`.
* **Rules and flow** (``expect: {rules: template}``): only for such campaigns that exist, the
  smart list with rules and the campaign record (its ``flow``) of the campaign and of its
  template, each template once: 2 reads per campaign + 2 per template (the template's
  record is reused when it was already read by id), plus the template folder's browse when
  nothing else needed it. Nothing is read when no campaign declares it.

The records are normalised by :mod:`marketo_sync.remote.state`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from marketo_sync.client.protocols import ReadApi
from marketo_sync.desired.model import DesiredState, ParentSpec
from marketo_sync.plan.rules import fingerprint
from marketo_sync.refs import FolderRef
from marketo_sync.remote import strategy
from marketo_sync.remote.programs import program_specs, read_programs
from marketo_sync.remote.read_logic import read_logic
from marketo_sync.remote.state import (
    RemoteCampaign,
    RemoteFolder,
    RemoteState,
    RemoteToken,
    common_prefix,
    exists_remotely,
    find_declared,
    find_template,
    join_path,
    split_path,
    template_parts,
)

log = logging.getLogger(__name__)

#: The workspace every instance has, where paths resolve when the environment names none.
DEFAULT_WORKSPACE = "Default"


# -- the reader -----------------------------------------------------------------------------


def read_remote(api: ReadApi, desired: DesiredState, *,
                call_count: Callable[[], int] | None = None, workspace: str | None = None,
                concurrency: int = 1, remembered_campaigns: int | None = None) -> RemoteState:
    """Read folders, campaigns, templates and tokens that ``desired`` refers to.

    ``call_count`` returns the client's running total of HTTP calls (``client.stats``); the
    difference is stored as ``read_calls``. Without it, method invocations are counted.
    ``workspace`` is the environment's (None: not named).
    ``concurrency``: campaign reads in flight at once. ``remembered_campaigns``: the instance's
    campaign count from the last run (``remote/memory.py``), for the cost model.
    """
    counter = strategy.CallCounter(api)
    start = call_count() if call_count else 0
    state = RemoteState(workspace=workspace)
    reader: Any = counter
    _resolve_folders(reader, state, [*_referenced_specs(desired), *program_specs(desired)])
    read_programs(reader, state, desired)
    _read_campaigns(reader, state, desired, concurrency, remembered_campaigns)
    _read_templates(reader, state, desired)
    _read_tokens(reader, state, desired)
    _read_rules(reader, state, desired)
    read_logic(reader, state, desired)
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


def find_folder(api: ReadApi, path: str, *, workspace: str | None = None) -> RemoteFolder | None:
    """The folder or program at exactly ``path`` (workspace segment optional), or None.

    The same frugal lookup the plan uses: one by-name call for the path, falling back to its
    nearest ancestor found by name and a browse just deep enough below it.
    """
    state = RemoteState(workspace=workspace)
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
        record = api.get_folder(ref)
        folder = RemoteFolder.from_record(record) if record else None
        if folder is None:
            state.missing_refs.add(ref)
        else:
            state.add_folder(folder)




def _find_by_name(api: ReadApi, state: RemoteState, segments: tuple[str, ...]) -> RemoteFolder | None:
    """The folder at exactly this path, through one by-name call (names are not unique), in
    the environment's workspace (see :func:`pick_workspace`)."""
    wanted = join_path(segments)
    candidates = [folder for folder in map(RemoteFolder.from_record, api.folders_by_name(segments[-1]))
                  if folder is not None and wanted in (folder.path, join_path(split_path(folder.api_path)))]
    chosen, others = pick_workspace(candidates, state.workspace)
    if chosen is None and others:
        state.elsewhere[wanted] = others
    elif chosen is not None and others:
        log.info("%r is in workspaces %s; using %r", wanted, ", ".join((chosen.workspace, *others)),
                 chosen.workspace)
    return chosen


def pick_workspace(candidates: list[RemoteFolder],
                   workspace: str | None) -> tuple[RemoteFolder | None, tuple[str, ...]]:
    """The candidate in ``workspace`` (or, not named, in "Default" or the only workspace), and
    the other workspaces that have the path. A record without a workspace matches any."""
    def in_workspace(name: str) -> RemoteFolder | None:
        return next((c for c in candidates if c.workspace in (name, "")), None)

    spaces = tuple(sorted({c.workspace for c in candidates if c.workspace}))
    if workspace is not None:
        chosen = in_workspace(workspace)
    else:
        chosen = in_workspace(DEFAULT_WORKSPACE)
        if chosen is None and len(spaces) <= 1:
            chosen = candidates[0] if candidates else None
    picked = chosen.workspace if chosen is not None else None
    return chosen, tuple(s for s in spaces if s != picked)


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
        anchor = _find_by_name(api, state, ancestor)
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
    if not record:
        state.missing_ids.add(campaign_id)
        return None
    campaign = RemoteCampaign.from_record(record)
    state.by_id[campaign.id] = campaign
    state.records[campaign.id] = record
    return campaign


def _read_campaigns(api: ReadApi, state: RemoteState, desired: DesiredState, concurrency: int,
                    remembered_campaigns: int | None) -> None:
    refs = _campaign_containers(state, desired)
    in_refs = set(refs)
    declared = sum(1 for c in desired.campaigns if (f := state.folder(c.folder)) is not None and f.ref in in_refs)
    tree = sum(1 for f in state.folders_by_ref.values() if not f.is_system)
    choice = strategy.choose(len(refs), declared_campaigns=declared, tree_containers=tree,
                             remembered_campaigns=remembered_campaigns)
    outcome = strategy.read_campaigns(api, refs, choice, add=state.add_campaigns, concurrency=concurrency,
                                      program_of=lambda ref: _program_of(state, ref))
    state.campaign_read = outcome
    log.info("campaigns read %s (%d containers; estimates: %d per container, %d for the instance)",
             outcome.strategy, len(refs), choice.per_container_calls, choice.instance_calls)
    for campaign in desired.campaigns:
        if campaign.id is not None:
            _get_by_id(api, state, campaign.id)








def _program_of(state: RemoteState, ref: FolderRef) -> int | None:
    """The id of the program holding ``ref`` (itself if a program), None when none does, or
    ``strategy.UNKNOWN_PROGRAM`` when an ancestor was not read (a record's ``parentProgramId``
    names the nearest program at any depth)."""
    if ref.type == "Program":
        return ref.id
    folder = state.folders_by_ref.get(ref)
    if folder is None:
        return strategy.UNKNOWN_PROGRAM
    segments = split_path(folder.path)
    for end in range(len(segments) - 1, 0, -1):
        ancestor = state.folders.get(join_path(segments[:end]))
        if ancestor is None:
            return strategy.UNKNOWN_PROGRAM
        if ancestor.ref.type == "Program":
            return ancestor.ref.id
    return None


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
        state.tokens[folder.ref] = {token.name: RemoteToken(token.name, token.type, token.value)
                                    for token in api.tokens_of(folder.ref)}


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
        if not smart_list:
            log.warning("smart list of campaign %d could not be read", campaign_id)
            continue
        record = state.records.get(campaign_id)
        if record is None:
            record = api.get_campaign(campaign_id)
        if record is not None and "flow" not in record:
            log.warning("campaign %d was read without its flow (an API before the flow endpoints): "
                        "its smart list only is compared", campaign_id)
        state.rules[campaign_id] = fingerprint(smart_list, record)
