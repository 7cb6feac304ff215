"""Programs and folders as code: plan the containers first, then what the clone will bring.

Why this shape: a new webinar is "clone the template program, set its tokens, activate its
reminder", and the plan must say all of it before the program exists. So the containers are
planned first (``+ create-folder``, ``+ create-program``, ``+ clone-program``,
``~ update-program``), and each container that does not exist yet is added to a copy of the
remote state as it *will* be: a cloned program holds copies of its template's campaigns
(inactive, as Marketo clones them) and My Tokens, a created one nothing. The ordinary planner
then plans tokens and campaigns against that state unchanged, so "this token differs from the
template's" or "activate the reminder the clone brings" fall out of the usual rules.

Containers that do not exist yet are addressed by placeholder refs (negative ids) and the
copies of template campaigns by negative ids; :func:`bind` turns them into what apply needs:
every change on a planned container depends on the change that creates it, ids that do not
exist yet are ``None`` (apply finds a brought campaign by name in the new program), and no
observation or drift is kept for things that do not exist.

A program missing at its path that still has one of its ``previous_names`` (same folder), or
whose pinned ``id`` has another name, is renamed in place (``~ update-program``), never cloned.

Plan-time refusals (each with the file and line): a program name used anywhere else in the
instance (one by-name look-up; for a rename too), a previous name that is still a program beside
the renamed one, a missing template, a program path that is a folder, a pinned
id that does not exist, a campaign the template does not bring and that has no template of
its own, and activating a brought campaign whose template copy has no flow step (Marketo 709).
Programs are never deleted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from marketo_sync.desired.model import DesiredProgram, DesiredState, Location
from marketo_sync.plan.changes import (
    CampaignChange,
    CampaignRef,
    Change,
    CloneProgram,
    ContainerChange,
    CreateFolder,
    CreateProgram,
    TokenChange,
    UpdateProgram,
)
from marketo_sync.plan.plan import ApiCost, Plan
from marketo_sync.plan.updates import name_and_description
from marketo_sync.refs import FolderRef
from marketo_sync.remote.programs import flow_steps, previous_paths, template_folder
from marketo_sync.remote.state import (
    RemoteCampaign,
    RemoteFolder,
    RemoteState,
    join_path,
    normalise_description,
    split_path,
)

MARKETING_ACTIVITIES = "Marketing Activities"


@dataclass
class ContainerPlan:
    """The container changes, their errors, and the remote state as it will be after them."""

    remote: RemoteState
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: Placeholder ref -> key of the change that creates the container.
    placeholders: dict[FolderRef, str] = field(default_factory=dict)
    #: Paths of declared programs that could not be planned (their campaigns' "unknown
    #: folder" errors would only repeat the reason).
    failed: set[str] = field(default_factory=set)


def _at(location: Location | None) -> str:
    return f" ({location})" if location else ""


def _parent_path(path: str) -> str:
    return join_path(split_path(path)[:-1])


def _forecast(remote: RemoteState) -> RemoteState:
    """A copy of ``remote`` whose lookup tables can grow without touching the original."""
    return dataclasses.replace(remote, folders=dict(remote.folders), folders_by_ref=dict(remote.folders_by_ref),
                               campaigns=dict(remote.campaigns), tokens=dict(remote.tokens))


class _ContainerPlanner:
    def __init__(self, desired: DesiredState, remote: RemoteState) -> None:
        self.desired = desired
        self.result = ContainerPlan(remote=_forecast(remote))
        self.remote = self.result.remote
        self._next_ref = 0
        self._next_campaign = 0

    def error(self, reason: str) -> None:
        if reason not in self.result.errors:
            self.result.errors.append(reason)

    def placeholder(self, kind: str) -> FolderRef:
        self._next_ref -= 1
        return FolderRef(self._next_ref, "Program" if kind == "Program" else "Folder")

    def planned(self, folder: RemoteFolder, key: str, campaigns: Iterable[RemoteCampaign] = (),
                tokens: dict[str, Any] | None = None) -> None:
        """Add a container that a change of this plan creates to the forecast state."""
        self.remote.add_folder(folder)
        self.remote.campaigns[folder.ref] = tuple(sorted(campaigns, key=lambda c: (c.name, c.id)))
        self.remote.tokens[folder.ref] = dict(tokens or {})
        self.result.placeholders[folder.ref] = key

    def depends(self, ref: FolderRef) -> tuple[str, ...]:
        key = self.result.placeholders.get(ref)
        return (key,) if key else ()

    # -- folders -----------------------------------------------------------------------
    def ensure_folder(self, path: str, location: Location) -> RemoteFolder | None:
        """The folder at ``path``, planning ``create-folder`` for every missing segment."""
        segments = split_path(path)
        depth = len(segments)
        while depth > 0 and self.remote.folder(join_path(segments[:depth])) is None:
            depth -= 1
        if depth == 0 or segments[0] != MARKETING_ACTIVITIES:
            self.error(f"unknown folder {path!r}: folders are created only below an existing "
                       f"{MARKETING_ACTIVITIES} folder{_at(location)}")
            return None
        parent = self.remote.folder(join_path(segments[:depth]))
        assert parent is not None
        for index in range(depth, len(segments)):
            here = join_path(segments[: index + 1])
            key = f"create-folder:{here}"
            ref = self.placeholder("Folder")
            self.result.changes.append(CreateFolder(
                key=key, container=CampaignRef(parent.path, segments[index], parent.ref, None), placeholder=ref,
                after={"name": segments[index]}, verify={"exists": True}, depends_on=self.depends(parent.ref),
                location=str(location), reason="missing"))
            folder = RemoteFolder(ref=ref, path=here, api_path="", name=segments[index],
                                  folder_type="Marketing Folder")
            self.planned(folder, key)
            parent = folder
        return parent

    # -- programs ----------------------------------------------------------------------
    def run(self) -> ContainerPlan:
        programs = {p.path.casefold() for p in self.desired.programs}
        for program in self.desired.programs:
            if not self.plan_program(program):
                self.result.failed.add(program.path)
        for creatable in self.desired.create_folders:
            if creatable.path.casefold() not in programs and self.remote.folder(creatable.path) is None:
                self.ensure_folder(creatable.path, creatable.location)
        return self.result

    def plan_program(self, program: DesiredProgram) -> bool:
        folder = self.remote.folder(program.path)
        if folder is not None:
            return self.plan_existing(program, folder)
        where = _at(program.location)
        if program.id is not None:
            self.error(f"program {program.path!r}: pinned id {program.id} does not exist in the instance "
                       f"(remove the id to create it){where}")
            return False
        taken = self.remote.program_names.get(program.name)
        if taken is not None:
            self.error(f"program name {program.name!r} is already used by program id {taken.id} in folder "
                       f"{taken.parent_name or '(unknown)'!r}: Marketo program names are unique in the whole "
                       f"instance, so it can neither be created nor cloned here{where}")
            return False
        if program.template is None and program.type is None:
            self.error(f"program {program.path!r} does not exist: give `program.template` (cloned) or "
                       f"`program.type` and `program.channel` (created empty){where}")
            return False
        template = template_folder(self.remote, program.template) if program.template is not None else None
        if program.template is not None and template is None:
            shown = program.template if isinstance(program.template, str) else f"Program id {program.template}"
            self.error(f"program {program.path!r}: template program {shown!r} does not exist{where}")
            return False
        if template is not None and not self.check_brought(program, template):
            return False
        parent = self.ensure_folder(_parent_path(program.path), program.location)
        if parent is None:
            return False
        if parent.ref.type == "Program":
            self.error(f"program {program.path!r}: its parent {parent.path!r} is a program; programs are placed "
                       f"in folders{where}")
            return False
        ref = self.placeholder("Program")
        target = CampaignRef(parent.path, program.name, parent.ref, None)
        common: dict[str, Any] = {"container": target, "placeholder": ref, "location": str(program.location),
                                  "depends_on": self.depends(parent.ref), "reason": "missing"}
        after: dict[str, Any] = {"name": program.name}
        if program.description is not None:
            after["description"] = normalise_description(program.description)
        if template is None:
            after.update(type=program.type, channel=program.channel)
            if program.tags:
                after["tags"] = {k: v for k, v in program.tags}
            change: ContainerChange = CreateProgram(key=f"create-program:{program.path}", after=after,
                                                    verify=_program_verify(after), **common)
            self.result.changes.append(change)
            self.planned(RemoteFolder(ref, program.path, "", program.name, "Program"), change.key)
            return True
        record = self.remote.programs.get(template.ref.id)
        source = CampaignRef(_parent_path(template.path), template.name,
                             record.parent if record and record.parent else FolderRef(0), template.ref.id)
        change = CloneProgram(key=f"clone-program:{program.path}", template=source, after=after,
                              verify=_program_verify(after), **common)
        self.result.changes.append(change)
        brought = [self.copy_of(campaign, ref) for campaign in self.remote.in_folder(template.ref)]
        self.planned(RemoteFolder(ref, program.path, "", program.name, "Program"), change.key, brought,
                     self.remote.tokens.get(template.ref, {}))
        return True

    def copy_of(self, campaign: RemoteCampaign, folder: FolderRef) -> RemoteCampaign:
        """What a clone brings: the same campaign, inactive (so not requestable), not yet numbered."""
        self._next_campaign -= 1
        return dataclasses.replace(campaign, id=self._next_campaign, folder=folder, is_active=False,
                                   is_requestable=False, updated_at=None, url=None)

    def check_brought(self, program: DesiredProgram, template: RemoteFolder) -> bool:
        """Refuse what would fail at apply: a campaign the clone does not bring (without a
        template of its own), or activating a brought campaign whose flow has no step."""
        brought = {c.name: c for c in self.remote.in_folder(template.ref)}
        ok = True
        key = program.path.casefold()
        for campaign in self.desired.campaigns:
            if not (isinstance(campaign.folder, str) and campaign.folder.casefold() == key):
                continue
            copy = brought.get(campaign.name)
            if copy is None:
                if campaign.template is None and campaign.id is None:
                    self.error(f"campaign {campaign.name!r}: template program {template.path!r} does not contain "
                               f"it and it has no `template` of its own, so the clone cannot bring it"
                               f"{_at(campaign.location)}")
                    ok = False
                continue
            if campaign.active and copy.type == "trigger" and flow_steps(self.remote, copy.id) == 0:
                self.error(f"campaign {campaign.name!r}: its copy from template program {template.path!r} has no "
                           f"flow step, so it cannot be activated (Marketo refuses with 709){_at(campaign.location)}")
                ok = False
        return ok

    def plan_existing(self, program: DesiredProgram, folder: RemoteFolder) -> bool:
        where = _at(program.location)
        if folder.ref.type != "Program":
            self.error(f"{program.path!r} is a folder, not a program: `program` declares the program the file's "
                       f"`folder` names{where}")
            return False
        if program.id is not None and folder.ref.id != program.id:
            self.error(f"program {program.path!r} is program id {folder.ref.id}; the file pins id {program.id}"
                       f"{where}")
            return False
        for path in previous_paths(program):
            old = self.remote.folder(path)
            if old is not None and old.ref != folder.ref and old.ref.type == "Program":
                self.error(f"program {program.path!r}: its previous name {old.name!r} is program id {old.ref.id}, "
                           f"beside program id {folder.ref.id} {program.name!r}; remove {old.name!r} from "
                           f"previous_names, or rename one of them in Marketo{where}")
                return False
        record = self.remote.programs.get(folder.ref.id)
        if record is None:
            return True  # not readable: nothing to compare
        taken = self.remote.program_names.get(program.name) if record.name != program.name else None
        if taken is not None and taken.id != record.id:
            self.error(f"cannot rename program id {record.id} {record.name!r} to {program.name!r}: the name is used "
                       f"by program id {taken.id} in folder {taken.parent_name or '(unknown)'!r} (Marketo program "
                       f"names are unique in the whole instance){where}")
            return False
        before, after = name_and_description(record.name, record.description, program.name,
                                             program.description)
        if after:
            target = CampaignRef(_parent_path(program.path), program.name, record.parent or FolderRef(0),
                                 folder.ref.id)
            self.result.changes.append(UpdateProgram(
                key=f"update-program:{program.path}", container=target, before=before, after=after,
                verify=dict(after), location=str(program.location),
                reason="renamed" if "name" in after else "description differs"))
        return True


def _program_verify(after: dict[str, Any]) -> dict[str, Any]:
    """What a read-back of a new program must show (tags are not read back: browse omits them)."""
    return {k: v for k, v in after.items() if k in ("name", "description", "type", "channel")}


def plan_containers(desired: DesiredState, remote: RemoteState) -> ContainerPlan:
    """Plan the folders and programs ``desired`` declares; see the module docstring."""
    return _ContainerPlanner(desired, remote).run()


# -- binding the plan to what exists ---------------------------------------------------------


def _virtual(ref: FolderRef | None) -> bool:
    return ref is not None and ref.id < 0


def _bind_change(change: Change, placeholders: dict[FolderRef, str]) -> Change:
    deps = list(change.depends_on)
    updates: dict[str, Any] = {}
    if isinstance(change, CampaignChange):
        ref = change.campaign
        if _virtual(ref.folder_ref):
            deps.append(placeholders[ref.folder_ref])
        if ref.id is not None and ref.id < 0:
            updates["campaign"] = dataclasses.replace(ref, id=None)
    elif isinstance(change, TokenChange) and _virtual(change.token.folder_ref):
        deps.append(placeholders[change.token.folder_ref])
    deps = list(dict.fromkeys(deps))
    if deps != list(change.depends_on):
        updates["depends_on"] = tuple(deps)
    return dataclasses.replace(change, **updates) if updates else change


def bind(plan: Plan, containers: ContainerPlan) -> Plan:
    """The plan apply can run: changes on planned containers depend on their creation, ids that
    do not exist yet are None, nothing is observed or drifts that does not exist yet."""
    if not containers.placeholders and not containers.changes:
        return plan
    placeholders = containers.placeholders
    changes = tuple(_bind_change(c, placeholders) for c in plan.changes)
    observations = tuple(o for o in plan.observations
                         if not (o.id is not None and o.id < 0) and int(o.folder_ref.get("id", 0)) >= 0)
    drift = tuple(d for d in plan.drift if not _virtual(d.campaign.folder_ref))
    unmanaged = tuple(dataclasses.replace(u, campaign=dataclasses.replace(u.campaign, id=None))
                      if u.campaign.id is not None and u.campaign.id < 0 else u for u in plan.unmanaged)
    program_changes = [c for c in changes if isinstance(c, ContainerChange)]
    new_programs = sum(1 for c in program_changes if isinstance(c, CloneProgram))
    cost = plan.cost
    # one read back per container change, one browse per clone to find the campaigns it brought
    cost = ApiCost(cost.read_calls, cost.apply_writes, cost.apply_reads + len(program_changes) + new_programs,
                   cost.rate_calls, cost.rate_window, daily_quota=cost.daily_quota)
    return dataclasses.replace(plan, changes=changes, observations=observations, drift=drift, unmanaged=unmanaged,
                               cost=cost)
