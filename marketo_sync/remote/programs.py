"""Read what declared programs need: the program records, the names to create, the templates.

Why a reader of its own: a program that does not exist yet is planned from its template, so
the plan must know, before anything is written, what the clone will bring (the template's
campaigns, their flows, its My Tokens) and whether the name is free anywhere in the instance.
The reads stay frugal (a few calls per declared program, none when nothing is declared):

* an existing program: its record (``program/{id}.json``), for the description;
* a pinned ``id`` whose program is not at the declared path: its folder record (one call),
  and the program then stands for the declared path (a rename); likewise, without a call, a
  program missing at its path that is still at one of its ``previous_names``; for a rename, one
  by-name look-up of the new name (it must be free in the whole instance);
* a missing program: one by-name look-up (program names are unique in the instance); for a
  template, its campaigns (one paged browse), its My Tokens (one call), a template given by id
  its folder record (one call), and the record of each template campaign a file activates
  (one call each: only the record says whether the flow has a step).
"""

from __future__ import annotations

from collections.abc import Iterable

from marketo_sync.client.protocols import ProgramReadApi
from marketo_sync.desired.model import DesiredProgram, DesiredState, ParentSpec
from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import RemoteFolder, RemoteProgram, RemoteState, RemoteToken


def program_specs(desired: DesiredState) -> list[ParentSpec]:
    """The paths the folder resolution must cover for programs: their own, their templates',
    and the folders files may create."""
    specs: list[ParentSpec] = [p.path for p in desired.programs]
    specs.extend(path for p in desired.programs for path in previous_paths(p))
    specs.extend(p.template for p in desired.programs if isinstance(p.template, str))
    specs.extend(f.path for f in desired.create_folders)
    return specs


def previous_paths(program: DesiredProgram) -> list[str]:
    """The paths the program had under its ``previous_names`` (the same folder)."""
    parent = program.path.rpartition("/")[0]
    return [f"{parent}/{name}" for name in program.previous_names]


def template_folder(state: RemoteState, template: str | int) -> RemoteFolder | None:
    """The template program as resolved (by path, or by id once read), or None."""
    if isinstance(template, int):
        return state.folders_by_ref.get(FolderRef(template, "Program"))
    folder = state.folder(template)
    return folder if folder is not None and folder.ref.type == "Program" else None


def read_programs(api: ProgramReadApi, state: RemoteState, desired: DesiredState) -> None:
    """Read, into ``state``, what :mod:`marketo_sync.plan.programs` needs (see the module doc)."""
    for program in desired.programs:
        if program.id is not None:
            _pin(api, state, program)
        elif program.previous_names:
            _by_previous_name(state, program)
        folder = state.folder(program.path)
        if folder is not None:
            if folder.ref.type == "Program" and folder.ref.id not in state.programs:
                record = api.get_program(folder.ref.id)
                if record:
                    state.programs[folder.ref.id] = RemoteProgram.from_record(record)
            known = state.programs.get(folder.ref.id) if folder.ref.type == "Program" else None
            if known is not None and known.name != program.name and program.name not in state.program_names:
                # a rename: the new name must be free in the whole instance (one look-up)
                found = api.get_program_by_name(program.name)
                state.program_names[program.name] = RemoteProgram.from_record(found) if found else None
            continue
        if program.name not in state.program_names:
            record = api.get_program_by_name(program.name)
            state.program_names[program.name] = RemoteProgram.from_record(record) if record else None
        if program.template is not None:
            _read_template(api, state, program.template, _activated(desired, program))


def _pin(api: ProgramReadApi, state: RemoteState, program: DesiredProgram) -> None:
    """A pinned program that is not at the declared path stands for it (a rename)."""
    assert program.id is not None
    ref = FolderRef(program.id, "Program")
    current = state.folder(program.path)
    if current is not None and current.ref == ref:
        return
    found = state.folders_by_ref.get(ref)
    if found is None:
        record = api.get_folder(ref)
        found = RemoteFolder.from_record(record) if record else None
    if found is None or current is not None:
        return  # the planner reports a pinned id that does not exist, or a path held by another
    state.add_folder(found)
    state.folders[program.path] = RemoteFolder(ref, program.path, found.api_path, found.name, found.folder_type,
                                               found.is_system, found.workspace)


def _by_previous_name(state: RemoteState, program: DesiredProgram) -> None:
    """A program missing at its path but still at one of its previous paths stands for it (a
    rename, Terraform's ``moved``). Nothing is aliased when the new path exists too: the planner
    reports that both do."""
    if state.folder(program.path) is not None:
        return
    for path in previous_paths(program):
        found = state.folder(path)
        if found is not None and found.ref.type == "Program":
            state.folders[program.path] = RemoteFolder(found.ref, program.path, found.api_path, found.name,
                                                       found.folder_type, found.is_system, found.workspace)
            return


def _activated(desired: DesiredState, program: DesiredProgram) -> set[str]:
    """Names of the campaigns the files activate in this program."""
    key = program.path.casefold()
    return {c.name for c in desired.campaigns
            if isinstance(c.folder, str) and c.folder.casefold() == key and c.active}


def _read_template(api: ProgramReadApi, state: RemoteState, template: str | int, activated: Iterable[str]) -> None:
    if isinstance(template, int) and FolderRef(template, "Program") not in state.folders_by_ref:
        record = api.get_folder(FolderRef(template, "Program"))
        found = RemoteFolder.from_record(record) if record else None
        if found is not None:
            state.add_folder(found)
    folder = template_folder(state, template)
    if folder is None:
        return
    ref = folder.ref
    if ref not in state.campaigns:
        state.add_campaigns(ref, api.browse_campaigns(ref))
    if ref not in state.tokens:
        state.tokens[ref] = {t.name: RemoteToken(t.name, t.type, t.value) for t in api.tokens_of(ref)}
    wanted = set(activated)
    for campaign in state.in_folder(ref):
        if campaign.name in wanted and campaign.id not in state.records:
            record = api.get_campaign(campaign.id)
            if record:
                state.records[campaign.id] = record


def flow_steps(state: RemoteState, campaign_id: int) -> int | None:
    """How many flow steps a template campaign has, or None when its record (or flow) was not read."""
    record = state.records.get(campaign_id)
    flow = record.get("flow") if record else None
    if not isinstance(flow, dict):
        return None
    steps = flow.get("steps")
    return len(steps) if isinstance(steps, list) else None
