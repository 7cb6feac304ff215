"""Diff the desired state against the remote state: changes, drift, unmanaged, plan errors.

Pure: no I/O, no API calls (everything needed is in :class:`~marketo_sync.remote.RemoteState`).
The recipe (after octoDNS ``BaseProvider.plan``):

1. resolve every declared container; an unknown folder, or one that cannot hold campaigns,
   is an error;
2. per container, match declared campaigns to remote ones by pinned ``id`` first, then by
   name among the rest: identity is (parent, name) or the id, never the name alone;
3. matched campaigns: ``update`` (description; name when a pinned id was renamed),
   ``activate`` / ``deactivate``, and ``expect`` mismatches as :class:`Drift` (with
   ``expect: {rules: template}``, triggers, filters and flow steps that differ from the
   template's, compared by :mod:`marketo_sync.plan.rules`);
4. missing campaigns: ``clone`` from ``template`` (+ ``activate`` depending on it) or
   ``create``; a pinned id found in another folder is a ``replace`` (only when allowed);
5. undeclared campaigns: ``delete`` (after ``deactivate`` when active) in exclusive
   folders, except ``isSystem`` ones; listed as unmanaged in additive folders;
6. My Tokens: ``set-token`` when missing or different, ``delete-token`` for undeclared
   tokens of exclusive containers.

Plan-time errors (activating a batch or default campaign, a missing or non-trigger template,
an unknown folder, touching a system campaign, deactivating or deleting a protected one, a
refused replace, a rename onto a used name) are **all collected** and raised together as one
:class:`~marketo_sync.errors.PlanError`, each with the declaration's file and line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from marketo_sync.desired.model import DesiredCampaign, DesiredState, DesiredToken, ParentSpec
from marketo_sync.errors import PlanError
from marketo_sync.plan import narrow as narrowing
from marketo_sync.plan.changes import (
    ActivateCampaign,
    CampaignChange,
    CampaignRef,
    Change,
    CloneCampaign,
    CreateCampaign,
    DeactivateCampaign,
    DeleteCampaign,
    DeleteToken,
    Drift,
    EditFlow,
    ReplaceCampaign,
    SetToken,
    TokenChange,
    TokenRef,
    Unmanaged,
    UpdateCampaign,
)
from marketo_sync.plan.logic import logic_of
from marketo_sync.plan.logic_plan import plan_flow, smart_list_drift
from marketo_sync.plan.plan import ApiCost, Observation, Plan
from marketo_sync.plan.programs import bind, plan_containers
from marketo_sync.plan.rules import compare, flow_compared
from marketo_sync.plan.updates import name_and_description
from marketo_sync.refs import FolderRef
from marketo_sync.remote import strategy
from marketo_sync.remote.state import (
    RemoteCampaign,
    RemoteFolder,
    RemoteState,
    find_template,
    join_path,
    normalise_description,
    split_path,
    template_parts,
)

#: Folder types that can hold smart campaigns (Marketing Activities only).
CAMPAIGN_FOLDER_TYPES = {"", "marketing folder", "program", "zone", "folder", "marketing program",
                         "event", "email batch program", "nurture program", "marketing event"}

#: Read-only attributes a file may ``expect``, and how to compare them.
EXPECTABLE = ("type", "isRequestable", "qualificationRuleType", "isCommunicationLimitEnabled")


class PlanErrors(PlanError):
    """Every plan-time error at once; ``reasons`` each end with the declaration's position."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        count = len(self.reasons)
        head = f"{count} error{'s' if count != 1 else ''} in plan (nothing was changed)"
        super().__init__(head + ":\n" + "\n".join(f"  - {r}" for r in self.reasons))


@dataclass(frozen=True)
class PlanOptions:
    """Decisions the user makes on the command line or in the project file."""

    allow_replace: bool = False
    environment: str = ""
    instance: str = ""
    rate_calls: int = 50
    rate_window: float = 20.0
    #: ``limits.daily_quota``: the plan's cost line shows the share of it the apply uses.
    daily_quota: int = 50_000
    created_at: str = ""
    #: ``--target`` paths: keep only what they name (:mod:`marketo_sync.plan.narrow`).
    targets: tuple[str, ...] = ()
    #: ``--campaigns`` left files out: never delete undeclared campaigns or tokens (another
    #: file may declare them); exclusive folders report them "not checked: narrowed run".
    narrowed: bool = False


def _at(location: Any) -> str:
    return f" ({location})" if location else ""


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.strip().lower() == actual.strip().lower()
    return bool(expected == actual)


@dataclass
class _Planner:
    desired: DesiredState
    remote: RemoteState
    options: PlanOptions
    changes: list[Change] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    observations: dict[tuple[Any, ...], Observation] = field(default_factory=dict)
    claimed: set[int] = field(default_factory=set)
    managed_ids: set[int] = field(default_factory=set)
    token_keys: dict[FolderRef, list[str]] = field(default_factory=dict)

    # -- helpers -----------------------------------------------------------------------
    def container(self, spec: ParentSpec, what: str, location: Any) -> RemoteFolder | None:
        folder = self.remote.folder(spec)
        if folder is None:
            shown = spec if isinstance(spec, str) else f"{spec.type} id {spec.id}"
            self.error(f"unknown folder {shown!r} ({what}{self.remote.workspace_hint(spec)}){_at(location)}")
            return None
        if folder.folder_type.strip().lower() not in CAMPAIGN_FOLDER_TYPES:
            self.error(f"folder {folder.path!r} is a {folder.folder_type!r} folder: smart campaigns can "
                       f"live only in Marketing Activities folders and programs ({what}){_at(location)}")
            return None
        return folder

    def error(self, reason: str) -> None:
        if reason not in self.errors:
            self.errors.append(reason)

    def ref(self, folder: RemoteFolder | None, name: str, campaign_id: int | None,
            folder_ref: FolderRef | None = None) -> CampaignRef:
        if folder is not None:
            return CampaignRef(folder.path, name, folder.ref, campaign_id)
        ref = folder_ref or FolderRef(0)
        return CampaignRef(self.remote.path_of(folder_ref), name, ref, campaign_id)

    def observe(self, campaign: RemoteCampaign | None, target: CampaignRef) -> None:
        if campaign is None:
            key: tuple[Any, ...] = ("absent", target.folder_ref, target.name)
            self.observations[key] = Observation("campaign", target.folder, target.folder_ref.as_dict(),
                                                 target.name, exists=False)
            return
        folder = self.remote.folders_by_ref.get(campaign.folder) if campaign.folder else None
        path = folder.path if folder else self.remote.path_of(campaign.folder)
        ref = (campaign.folder or FolderRef(0)).as_dict()
        self.observations[("id", campaign.id)] = Observation(
            "campaign", path, ref, campaign.name, exists=True, id=campaign.id,
            updated_at=campaign.updated_at, fields=campaign.fields())

    def add(self, change: Change) -> Change:
        self.changes.append(change)
        return change

    def refuse_system(self, remote: RemoteCampaign, desired: DesiredCampaign, action: str) -> bool:
        if remote.is_system:
            self.error(f"campaign {desired.name!r} (id {remote.id}) is a system campaign: the tool never "
                       f"changes it (would {action}){_at(desired.location)}")
            return True
        return False

    # -- the recipe --------------------------------------------------------------------
    def run(self) -> Plan:
        modes = self.managed_modes()
        by_container: dict[FolderRef, list[DesiredCampaign]] = {}
        folders: dict[FolderRef, RemoteFolder] = {}
        for campaign in self.desired.campaigns:
            folder = self.container(campaign.folder, f"campaign {campaign.name!r}", campaign.location)
            if folder is not None:
                by_container.setdefault(folder.ref, []).append(campaign)
                folders[folder.ref] = folder
        for managed in self.desired.folders:
            folder = self.container(managed.folder, f"managed: {managed.mode}", managed.location)
            if folder is not None:
                folders[folder.ref] = folder
        self.plan_tokens()
        for ref in sorted(folders):
            self.plan_container(folders[ref], by_container.get(ref, []))
        for ref in sorted(folders):
            self.plan_undeclared(folders[ref], modes.get(ref, "additive"))
        if self.options.targets:
            self.narrow_to_targets(by_container, folders)
        if self.errors:
            raise PlanErrors(self.errors)
        return self.build()

    def narrow_to_targets(self, by_container: dict[FolderRef, list[DesiredCampaign]],
                          folders: dict[FolderRef, RemoteFolder]) -> None:
        """``--target``: an unknown target is an error; the rest of the plan is dropped."""
        declared = [narrowing.path_of(folders[ref].path, c.name) for ref, found in by_container.items()
                    for c in found]
        declared += [narrowing.segments(f.path) for f in folders.values()]
        for target in narrowing.unknown_targets(self.options.targets, declared):
            self.error(f"--target {target!r} names no declared campaign and no folder of the campaign files")
        kept = narrowing.narrow(self.changes, self.drift, self.unmanaged, self.observations.values(),
                                self.options.targets)
        self.changes, self.drift, self.unmanaged = kept.changes, kept.drift, kept.unmanaged
        self.observations = {(o.kind, o.folder, o.name, o.id): o for o in kept.observations}

    def managed_modes(self) -> dict[FolderRef, str]:
        modes: dict[FolderRef, tuple[str, Any]] = {}
        for managed in self.desired.folders:
            folder = self.remote.folder(managed.folder)
            if folder is None:
                continue
            seen = modes.get(folder.ref)
            if seen and seen[0] != managed.mode:
                self.error(f"folder {folder.path!r} is declared {seen[0]} at {seen[1]} and {managed.mode}"
                           f"{_at(managed.location)}")
                continue
            modes[folder.ref] = (managed.mode, managed.location)
        return {ref: mode for ref, (mode, _) in modes.items()}

    def plan_container(self, folder: RemoteFolder, declared: list[DesiredCampaign]) -> None:
        remote_here = _Named(self.remote.in_folder(folder.ref))
        pinned = [d for d in declared if d.id is not None]
        named = [d for d in declared if d.id is None]
        pinned_ids = {d.id for d in pinned}
        for desired in pinned:
            assert desired.id is not None
            remote = self.remote.by_id.get(desired.id)
            if remote is None:
                entry = f" (its `{self.options.environment}` entry)" if desired.ids else ""
                self.error(f"campaign {desired.name!r}: pinned id {desired.id}{entry} does not exist in the "
                           f"instance (remove the id to create it){_at(desired.location)}")
                continue
            if self.previous_name_beside(folder, desired, remote_here):
                continue
            self.claimed.add(remote.id)
            if remote.folder == folder.ref:
                clash = next((r for r in remote_here.by_name.get(desired.name, ()) if r.id != remote.id), None)
                if clash is not None and clash.id not in pinned_ids:
                    self.error(f"cannot rename campaign id {remote.id} {remote.name!r} to {desired.name!r}: "
                               f"campaign id {clash.id} already has that name in {folder.path!r}"
                               f"{_at(desired.location)}")
                    continue
                self.plan_existing(folder, desired, remote)
            else:
                self.plan_replace(folder, desired, remote)
        # Current names first, so that a previous name never takes a campaign declared by its name.
        by_name: list[RemoteCampaign | None] = []
        for desired in named:
            remote = remote_here.first(desired.name, unless=lambda r: r.id in self.claimed)
            if remote is not None:
                self.claimed.add(remote.id)
            by_name.append(remote)
        for desired, found in zip(named, by_name, strict=True):
            if self.previous_name_beside(folder, desired, remote_here):
                continue
            remote = found or self.by_previous_name(desired, remote_here)
            if remote is None:
                self.plan_missing(folder, desired)
            else:
                self.claimed.add(remote.id)
                self.plan_existing(folder, desired, remote)

    def by_previous_name(self, desired: DesiredCampaign, remote_here: _Named) -> RemoteCampaign | None:
        """The unclaimed campaign of the container still called one of ``previous_names``
        (Terraform's ``moved``): it is renamed in place, keeping its id."""
        for previous in desired.previous_names:
            found = remote_here.first(previous, unless=lambda r: r.id in self.claimed)
            if found is not None:
                return found
        return None

    def previous_name_beside(self, folder: RemoteFolder, desired: DesiredCampaign, remote_here: _Named) -> bool:
        """A plan error when a previous name and the new name are both campaigns of the container:
        which one was renamed cannot be told."""
        current = remote_here.first(desired.name)
        if current is None or not desired.previous_names:
            return False
        old = next((r for r in remote_here.named(desired.previous_names) if r.id != current.id), None)
        if old is None:
            return False
        self.error(f"campaign {desired.name!r}: its previous name {old.name!r} is campaign id {old.id}, beside "
                   f"campaign id {current.id} {desired.name!r} in {folder.path!r}; remove {old.name!r} from "
                   f"previous_names, or rename or delete one of them in Marketo{_at(desired.location)}")
        return True

    def plan_existing(self, folder: RemoteFolder, desired: DesiredCampaign, remote: RemoteCampaign) -> None:
        self.managed_ids.add(remote.id)
        target = self.ref(folder, desired.name, remote.id)
        location = str(desired.location)
        base = f"{folder.path}/{desired.name}"
        before, after = name_and_description(remote.name, remote.description, desired.name,
                                             desired.description)
        touched = False
        if after and not self.refuse_system(remote, desired, "update it"):
            self.add(UpdateCampaign(key=f"update:{base}", campaign=target, before=before, after=after,
                                    verify=dict(after), location=location,
                                    reason="renamed" if "name" in after else "description differs"))
            touched = True
        if desired.active is not None and desired.active != remote.is_active:
            if desired.active:
                if remote.type != "trigger":
                    self.error(f"campaign {desired.name!r} is a {remote.type or 'non-trigger'} campaign: only "
                               f"trigger campaigns can be activated (run batch campaigns with a schedule)"
                               f"{_at(desired.location)}")
                elif not self.refuse_system(remote, desired, "activate it"):
                    self.add(ActivateCampaign(
                        key=f"activate:{base}", campaign=target, before={"isActive": False},
                        after={"isActive": True}, verify={"isActive": True}, location=location,
                        depends_on=self.token_dependencies(folder.ref)))
                    touched = True
            elif desired.protect:
                self.error(f"campaign {desired.name!r} is protected (protect: true) and would be "
                           f"deactivated{_at(desired.location)}")
            elif not self.refuse_system(remote, desired, "deactivate it"):
                self.add(DeactivateCampaign(key=f"deactivate:{base}", campaign=target,
                                            before={"isActive": True}, after={"isActive": False},
                                            verify={"isActive": False}, location=location))
                touched = True
        self.check_expect(target, desired, remote)
        if self.plan_flow(target, desired, remote, remote.id, None) is not None:
            touched = True
        if touched:
            self.observe(remote, target)

    def check_expect(self, target: CampaignRef, desired: DesiredCampaign, remote: RemoteCampaign) -> None:
        actual_fields = remote.fields()
        for name in EXPECTABLE:
            if name not in desired.expect:
                continue
            expected, actual = desired.expect[name], actual_fields.get(name)
            if not _same(expected, actual):
                self.drift.append(Drift(
                    target, name, expected, actual, str(desired.location),
                    f"{name} is {actual!r}, the file expects {expected!r}: the API cannot change it, "
                    f"fix it in the Marketo UI"))
        if desired.expect.get("rules") == "template":
            self.check_rules(target, desired, remote)
        pinned = smart_list_drift(desired, self.remote, remote, target)
        if pinned is not None:
            self.drift.append(pinned)

    def plan_flow(self, target: CampaignRef, desired: DesiredCampaign, current: RemoteCampaign | None,
                  source_id: int | None, target_from: str | None) -> EditFlow | None:
        """The ``~ flow`` change of a declared ``flow:`` (:mod:`marketo_sync.plan.logic_plan`)."""
        change, errors = plan_flow(desired, self.remote, target=target, key=f"flow:{target.path}",
                                   current=current, source_id=source_id, target_from=target_from)
        for error in errors:
            self.error(error)
        if change is None or (current is not None and self.refuse_system(current, desired, "change its flow")):
            return None
        self.add(change)
        return change

    def check_rules(self, target: CampaignRef, desired: DesiredCampaign, remote: RemoteCampaign) -> None:
        """Triggers, filters and flow steps must be the template's (``expect: {rules: template}``)."""
        if desired.template is None:
            return  # refused by the loader; a hand-built DesiredState is not second-guessed
        template = self.resolve_template(desired)
        if template is None or template.id == remote.id:
            return
        shown = (desired.template if isinstance(desired.template, str)
                 else f"{self.remote.path_of(template.folder)}/{template.name} (id {template.id})")
        expected_text = f"same as template {shown}"
        expected, actual = self.remote.rules.get(template.id), self.remote.rules.get(remote.id)
        if desired.flow is not None and expected is not None and actual is not None:
            expected, actual = replace(expected, flow=()), replace(actual, flow=())  # the file owns the flow
        if expected is None or actual is None:
            which = "template's" if expected is None else "campaign's"
            self.drift.append(Drift(
                target, "rules", expected_text, "(could not be read)", str(desired.location),
                f"the {which} smart list could not be read, so its triggers, filters and flow steps "
                f"were not compared with template {shown}"))
            return
        lines = compare(expected, actual)
        if not lines:
            return
        if not flow_compared(expected, actual):
            lines.append("flow steps not compared: the instance did not return them (an API before the "
                         "flow endpoints); smart list only")
        count = len(lines)
        summary = lines[0] if count == 1 else f"{lines[0]} (and {count - 1} more)"
        self.drift.append(Drift(
            target, "rules", expected_text, summary, str(desired.location),
            f"triggers, filters or flow steps differ from template {shown} (the API cannot change them: "
            f"fix them in the Marketo UI):\n" + "\n".join(f"- {line}" for line in lines)))

    def resolve_template(self, desired: DesiredCampaign) -> RemoteCampaign | None:
        template = desired.template
        found = find_template(self.remote, template) if template is not None else None
        if found is None:
            hint = self.remote.workspace_hint(template_parts(template)[0]) if isinstance(template, str) else ""
            self.error(f"campaign {desired.name!r}: template {template!r} does not exist{hint}"
                       f"{_at(desired.location)}")
        return found

    def plan_missing(self, folder: RemoteFolder, desired: DesiredCampaign) -> None:
        target = self.ref(folder, desired.name, None)
        location = str(desired.location)
        base = f"{folder.path}/{desired.name}"
        after: dict[str, Any] = {"name": desired.name}
        if desired.description is not None:
            after["description"] = normalise_description(desired.description)
        self.observe(None, target)
        if desired.template is None:
            if desired.active:
                self.error(f"campaign {desired.name!r} must be created and activated but has no template: "
                           f"an empty campaign has no trigger or flow{_at(desired.location)}")
                return
            create = self.add(CreateCampaign(key=f"create:{base}", campaign=target, after=after,
                                             verify={**after, "isActive": False}, location=location,
                                             reason="missing"))
            self.plan_flow(target, desired, None, None, create.key)
            return
        template = self.resolve_template(desired)
        if template is None:
            return
        if desired.active and template.type != "trigger":
            self.error(f"campaign {desired.name!r}: template {desired.template!r} is a "
                       f"{template.type or 'non-trigger'} campaign, so its clone cannot be activated"
                       f"{_at(desired.location)}")
            return
        template_ref = self.ref(self.remote.folders_by_ref.get(template.folder) if template.folder else None,
                                template.name, template.id, template.folder)
        logic = None
        if template.id in self.remote.smart_lists or template.id in self.remote.records:
            logic = logic_of(self.remote.smart_lists.get(template.id), self.remote.records.get(template.id))
        clone = self.add(CloneCampaign(key=f"clone:{base}", campaign=target, template=template_ref,
                                       after=after, verify={**after, "isActive": False},
                                       location=location, reason="missing", logic=logic))
        flow = self.plan_flow(target, desired, None, template.id, clone.key)
        if desired.active:
            self.add(ActivateCampaign(
                key=f"activate:{base}", campaign=target, target_from=clone.key,
                depends_on=(clone.key, *((flow.key,) if flow else ()), *self.token_dependencies(folder.ref)),
                before=None,
                after={"isActive": True}, verify={"isActive": True}, location=location))

    def plan_replace(self, folder: RemoteFolder, desired: DesiredCampaign, remote: RemoteCampaign) -> None:
        old_folder = self.remote.folders_by_ref.get(remote.folder) if remote.folder else None
        old = self.ref(old_folder, remote.name, remote.id, remote.folder)
        where = f"campaign {desired.name!r} (id {remote.id}) is in {old.folder!r}, declared in {folder.path!r}"
        if not (self.options.allow_replace or desired.allow_replace):
            self.error(f"{where}: the API cannot move a campaign; replace (clone into the new folder, "
                       f"delete the old; the campaign id changes) needs allow_replace: true or "
                       f"--allow-replace{_at(desired.location)}")
            return
        if self.refuse_system(remote, desired, "replace it"):
            return
        if desired.protect:
            self.error(f"{where}: it is protected (protect: true) and a replace would delete it"
                       f"{_at(desired.location)}")
            return
        if self.remote.find(folder.ref, desired.name) is not None:
            self.error(f"{where}: {folder.path!r} already has a campaign named {desired.name!r}"
                       f"{_at(desired.location)}")
            return
        self.managed_ids.add(remote.id)
        location = str(desired.location)
        target = self.ref(folder, desired.name, None)
        description = (normalise_description(desired.description) if desired.description is not None
                       else remote.description)
        after = {"name": desired.name, "description": description}
        replace = self.add(ReplaceCampaign(
            key=f"replace:{folder.path}/{desired.name}", campaign=target, source=old,
            before={"folder": old.folder, "name": remote.name, "id": remote.id},
            after={**after, "folder": folder.path}, verify={**after, "isActive": False},
            location=location, reason="folder move"))
        self.observe(remote, old)
        self.observe(None, target)
        delete_deps = [replace.key]
        if remote.is_active:
            deactivate = self.add(DeactivateCampaign(
                key=f"deactivate:{old.path}", campaign=old, depends_on=(replace.key,),
                before={"isActive": True}, after={"isActive": False}, verify={"isActive": False},
                location=location, reason="replaced"))
            delete_deps.append(deactivate.key)
        self.add(DeleteCampaign(key=f"delete:{old.path}", campaign=old, depends_on=tuple(delete_deps),
                                before={"name": remote.name, "isActive": remote.is_active}, after=None,
                                verify={"exists": False}, location=location, reason="replaced"))
        wants_active = desired.active if desired.active is not None else remote.is_active
        if wants_active:
            if remote.type != "trigger":
                self.error(f"{where}: it is a {remote.type or 'non-trigger'} campaign and cannot be "
                           f"activated{_at(desired.location)}")
                return
            self.add(ActivateCampaign(
                key=f"activate:{folder.path}/{desired.name}", campaign=target, target_from=replace.key,
                depends_on=(replace.key, *self.token_dependencies(folder.ref)),
                after={"isActive": True}, verify={"isActive": True}, location=location))
        self.check_expect(old, desired, remote)

    def plan_undeclared(self, folder: RemoteFolder, mode: str) -> None:
        for remote in self.remote.in_folder(folder.ref):
            if remote.id in self.claimed:
                continue
            target = self.ref(folder, remote.name, remote.id)
            if mode != "exclusive":
                self.unmanaged.append(Unmanaged(target, "additive", remote.is_active))
                continue
            if remote.is_system:
                self.unmanaged.append(Unmanaged(target, "system", remote.is_active))
                continue
            if self.options.narrowed:
                self.unmanaged.append(Unmanaged(target, "narrowed", remote.is_active))
                continue
            self.managed_ids.add(remote.id)
            self.observe(remote, target)
            deps: tuple[str, ...] = ()
            if remote.is_active:
                deactivate = self.add(DeactivateCampaign(
                    key=f"deactivate:{target.path}", campaign=target, before={"isActive": True},
                    after={"isActive": False}, verify={"isActive": False}, reason="undeclared"))
                deps = (deactivate.key,)
            self.add(DeleteCampaign(key=f"delete:{target.path}", campaign=target, depends_on=deps,
                                    before={"name": remote.name, "isActive": remote.is_active},
                                    verify={"exists": False}, reason="undeclared"))

    # -- tokens ------------------------------------------------------------------------------
    def token_dependencies(self, ref: FolderRef) -> tuple[str, ...]:
        return tuple(self.token_keys.get(ref, ()))

    def plan_tokens(self) -> None:
        grouped: dict[FolderRef, list[DesiredToken]] = {}
        folders: dict[FolderRef, RemoteFolder] = {}
        for token in self.desired.tokens:
            folder = self.container(token.folder, f"token {token.name!r}", token.location)
            if folder is not None:
                grouped.setdefault(folder.ref, []).append(token)
                folders[folder.ref] = folder
        modes = {self.remote.folder(m.folder): m.mode for m in self.desired.folders}
        exclusive = {f.ref for f, mode in modes.items() if f is not None and mode == "exclusive"}
        for ref in sorted(grouped):
            folder = folders[ref]
            remote_tokens = self.remote.tokens.get(ref, {})
            declared = {t.name for t in grouped[ref]}
            for token in sorted(grouped[ref], key=lambda t: t.name):
                current = remote_tokens.get(token.name)
                wanted = {"type": token.type, "value": str(token.value)}
                if current is not None and _same(current.type, token.type) and current.value == str(token.value):
                    continue
                before = {"type": current.type, "value": current.value} if current else None
                self.add_token(SetToken(key=f"set-token:{folder.path}/{token.name}",
                                        token=TokenRef(folder.path, token.name, ref), before=before,
                                        after=wanted, verify=wanted, location=str(token.location)))
                self.observe_token(folder, token.name, current)
            if ref not in exclusive or self.options.narrowed:
                continue
            for name in sorted(set(remote_tokens) - declared):
                current = remote_tokens[name]
                self.add_token(DeleteToken(key=f"delete-token:{folder.path}/{name}",
                                           token=TokenRef(folder.path, name, ref),
                                           before={"type": current.type, "value": current.value},
                                           verify={"exists": False}, reason="undeclared"))
                self.observe_token(folder, name, current)

    def add_token(self, change: SetToken | DeleteToken) -> None:
        self.add(change)
        self.token_keys.setdefault(change.token.folder_ref, []).append(change.key)

    def observe_token(self, folder: RemoteFolder, name: str, current: Any) -> None:
        fields = {"type": current.type, "value": current.value} if current else {}
        self.observations[("token", folder.ref, name)] = Observation(
            "token", folder.path, folder.ref.as_dict(), name, exists=current is not None, fields=fields)

    # -- result ----------------------------------------------------------------------------
    def build(self) -> Plan:
        outcome = self.remote.campaign_read
        cost = ApiCost(self.remote.read_calls, sum(c.writes for c in self.changes),
                       self.apply_reads(), self.options.rate_calls, self.options.rate_window,
                       read_strategy=outcome.strategy if outcome is not None else "",
                       token_reads=len(self.remote.tokens), read_back_reads=self.read_back_reads(),
                       instance_campaigns=getattr(outcome, "instance_campaigns", None),
                       daily_quota=self.options.daily_quota)
        observations = sorted(self.observations.values(),
                              key=lambda o: (o.kind, o.folder, o.name, o.id or 0))
        return Plan(
            changes=tuple(self.changes),
            drift=tuple(sorted(self.drift, key=lambda d: (d.campaign.folder, d.campaign.name, d.field))),
            unmanaged=tuple(sorted(self.unmanaged, key=lambda u: (u.campaign.folder, u.campaign.name))),
            observations=tuple(observations),
            cost=cost,
            environment=self.options.environment,
            instance=self.options.instance,
            created_at=self.options.created_at,
            links=self.links(),
            managed_count=len(self.managed_ids) + sum(
                1 for c in self.changes if isinstance(c, CreateCampaign | CloneCampaign)),
        )

    def links(self) -> dict[str, str]:
        """UI addresses of the campaigns the changes and drift are about (display only)."""
        ids = {c.campaign.id for c in self.changes if isinstance(c, CampaignChange)}
        ids |= {d.campaign.id for d in self.drift}
        found = (self.remote.by_id.get(i) for i in ids if i is not None)
        return {str(c.id): c.ui_url for c in found if c is not None and c.ui_url}

    def apply_reads(self) -> int:
        """Reads apply makes: the stale check before and the verification after, per folder."""
        campaign_folders: set[FolderRef] = set()
        token_folders: set[FolderRef] = set()
        for change in self.changes:
            if isinstance(change, CampaignChange):
                campaign_folders.add(change.campaign.folder_ref)
                if isinstance(change, ReplaceCampaign):
                    campaign_folders.add(change.source.folder_ref)
            elif isinstance(change, TokenChange):
                token_folders.add(change.token.folder_ref)
        pages = sum(max(1, math.ceil((len(self.remote.in_folder(ref)) + 1) / 200))
                    for ref in campaign_folders)
        return 2 * (pages + len(token_folders))

    def read_back_reads(self) -> int:
        """Reads of the read-back alone, by the cheapest way apply will take: the affected
        folders one by one, or the whole instance when its campaign count is known; plus one
        get-by-id per deleted campaign (gone from its folder, it is looked up once more)."""
        gone = sum(1 for c in self.changes if isinstance(c, CampaignChange) and c.verify.get("exists") is False)
        return gone + self.read_back_pages()

    def read_back_pages(self) -> int:
        folder_pages = self.apply_reads() // 2
        known = getattr(self.remote.campaign_read, "instance_campaigns", None)
        if known is None:
            return folder_pages
        token_folders = {c.token.folder_ref for c in self.changes if isinstance(c, TokenChange)}
        campaign_folders = len({c.campaign.folder_ref for c in self.changes if isinstance(c, CampaignChange)}
                               | {c.source.folder_ref for c in self.changes if isinstance(c, ReplaceCampaign)})
        choice = strategy.choose(campaign_folders, declared_campaigns=0, tree_containers=0, remembered_campaigns=known)
        if choice.strategy == strategy.INSTANCE:
            return len(token_folders) + choice.instance_calls
        return folder_pages


class _Named:
    """A container's campaigns by name, each name's in the container's order.

    Names used to be matched by a scan of the container per declaration: quadratic in a
    folder's size, seconds for a folder of thousands.
    """

    def __init__(self, campaigns: tuple[RemoteCampaign, ...]) -> None:
        self.by_name: dict[str, list[RemoteCampaign]] = {}
        self.position: dict[int, int] = {}
        for position, campaign in enumerate(campaigns):
            self.by_name.setdefault(campaign.name, []).append(campaign)
            self.position.setdefault(id(campaign), position)

    def first(self, name: str, *, unless: Callable[[RemoteCampaign], bool] | None = None) -> RemoteCampaign | None:
        return next((r for r in self.by_name.get(name, ()) if unless is None or not unless(r)), None)

    def named(self, names: Iterable[str]) -> list[RemoteCampaign]:
        """Every campaign called one of ``names``, in the container's order."""
        found = [r for name in set(names) for r in self.by_name.get(name, ())]
        return sorted(found, key=lambda r: self.position[id(r)])


def diff(desired: DesiredState, remote: RemoteState, options: PlanOptions | None = None) -> Plan:
    """The plan that makes ``remote`` match ``desired``; raises :class:`PlanErrors` on any error.

    Declared folders and programs are planned first (:mod:`marketo_sync.plan.programs`); the
    campaigns and tokens are then planned against the instance as it will be after them.
    """
    containers = plan_containers(desired, remote)
    planner = _Planner(desired, containers.remote, options or PlanOptions())
    planner.changes.extend(containers.changes)
    try:
        plan = planner.run()
    except PlanErrors as failed:
        repeated = tuple(f"unknown folder {path!r} " for path in containers.failed)
        raise PlanErrors(containers.errors + [r for r in failed.reasons if not r.startswith(repeated)]) from None
    if containers.errors:
        raise PlanErrors(containers.errors)
    return bind(plan, containers)


def describe_spec(spec: ParentSpec) -> str:
    """A container spec as users write it (path) or as ``Program 1001``."""
    return join_path(split_path(spec)) if isinstance(spec, str) else str(spec)


__all__ = ["PlanErrors", "PlanOptions", "describe_spec", "diff"]
