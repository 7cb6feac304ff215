"""Apply the folder and program changes, and bind later changes to what they created.

Why a module of its own: these are the plan's only writes whose target does not exist when
the plan is made. Two jobs follow from that:

* **Execution, never twice.** Creating a folder or a program and cloning a program are not
  idempotent: after a lost answer (a dropped connection, a 5xx, Marketo's 719 lock wait
  timeout on a clone) the container is looked up by name *before* any retry, so there is
  never a second one; after a 719 the retry waits as the client's retry policy says (the
  wait itself lives in the client).
  A description update is idempotent and is settled by reading the program back.
* **Binding.** Later changes address a container that did not exist by a placeholder ref
  (negative id), and a campaign the clone brought by its name (no id yet). :class:`Binder`
  replaces them, just before the change runs, by the ids that the container changes
  produced, reading the new program's campaigns once.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from typing import Any

from marketo_sync.apply.reads import campaigns_in
from marketo_sync.apply.receipt import APPLIED, FAILED, UNKNOWN, Outcome, scrub
from marketo_sync.client.protocols import ProgramWriteApi, WriteApi
from marketo_sync.errors import ApiError, BusinessRuleError, OutcomeUnknown, TransportError
from marketo_sync.plan.changes import (
    CampaignChange,
    Change,
    CloneProgram,
    ContainerChange,
    CreateFolder,
    CreateProgram,
    TokenChange,
    UpdateProgram,
)
from marketo_sync.plan.plan import Plan
from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import RemoteProgram, normalise_description

#: Attempts of a non-idempotent container write (each after a look-up by name).
CREATE_ATTEMPTS = 4
#: Marketo's lock wait timeout (documented for Clone Program): retried after a back-off.
LOCK_WAIT_TIMEOUT = "719"


class Unbound(Exception):
    """A change addresses something a container change should have produced, and it did not."""


class Binder:
    """Placeholder refs and brought campaigns -> real ids, from the outcomes so far."""

    def __init__(self, api: WriteApi, plan: Plan) -> None:
        self.api = api
        self.producers = {c.placeholder: c.key for c in plan.changes
                          if isinstance(c, ContainerChange) and c.placeholder is not None}
        self._campaigns: dict[FolderRef, dict[str, int]] = {}
        self._lock = threading.Lock()

    def is_brought(self, change: Change) -> bool:
        """A campaign change on a campaign a planned clone brings (its id is found by name)."""
        return (isinstance(change, CampaignChange) and change.campaign.id is None and change.target_from is None
                and change.campaign.folder_ref in self.producers and change.ACTION not in ("create", "clone"))

    def real(self, ref: FolderRef, outcomes: Mapping[str, Outcome]) -> FolderRef:
        key = self.producers.get(ref)
        if key is None:
            return ref
        produced = outcomes.get(key)
        if produced is None or produced.status != APPLIED or produced.id is None:
            raise Unbound(f"{key} did not produce the {ref.type.lower()} this change is in")
        return FolderRef(produced.id, ref.type)

    def bind(self, change: Change, outcomes: Mapping[str, Outcome]) -> Change:
        """The change with real refs and ids; unchanged when it needs none."""
        if isinstance(change, ContainerChange):
            parent = self.real(change.container.folder_ref, outcomes)
            if parent == change.container.folder_ref:
                return change
            return dataclasses.replace(change, container=dataclasses.replace(change.container, folder_ref=parent))
        if isinstance(change, TokenChange):
            folder = self.real(change.token.folder_ref, outcomes)
            if folder == change.token.folder_ref:
                return change
            return dataclasses.replace(change, token=dataclasses.replace(change.token, folder_ref=folder))
        if not isinstance(change, CampaignChange) or change.campaign.folder_ref not in self.producers:
            return change
        brought = self.is_brought(change)
        folder = self.real(change.campaign.folder_ref, outcomes)
        campaign = dataclasses.replace(change.campaign, folder_ref=folder)
        if brought:
            found = self.campaigns_of(folder).get(change.campaign.name)
            if found is None:
                raise Unbound(f"the new program {campaign.folder!r} has no campaign {campaign.name!r}")
            campaign = dataclasses.replace(campaign, id=found)
        return dataclasses.replace(change, campaign=campaign)

    def campaigns_of(self, folder: FolderRef) -> dict[str, int]:
        """The new program's campaigns by name, read once (one browse) for all its changes."""
        with self._lock:
            if folder not in self._campaigns:
                self._campaigns[folder] = {c.name: c.id for c in campaigns_in(self.api, folder)}
            return self._campaigns[folder]


# -- execution -------------------------------------------------------------------------------


def _row_id(row: Any) -> int | None:
    if isinstance(row, Mapping) and row.get("id") is not None:
        return int(row["id"])
    return None


def _find(api: ProgramWriteApi, change: ContainerChange) -> int | None:
    """The container this change creates, if it exists: by name under the wanted parent."""
    ref = change.container
    if isinstance(change, CreateFolder):
        for record in api.folders_by_name(ref.name):
            parent = FolderRef.parse_or_none(record.get("parent"))
            if parent == ref.folder_ref and record.get("id") is not None:
                return int(record["id"])
        return None
    found = api.get_program_by_name(ref.name)
    if not found:
        return None
    program = RemoteProgram.from_record(found)
    if program.parent is not None and program.parent != ref.folder_ref:
        raise BusinessRuleError("709", f"program name {ref.name!r} is used by program {program.id} in "
                                       f"{program.parent_name!r}, not in the planned folder")
    return program.id


def _write(api: ProgramWriteApi, change: ContainerChange) -> Any:
    ref, after = change.container, dict(change.after or {})
    if isinstance(change, CreateFolder):
        return api.create_folder(name=ref.name, parent=ref.folder_ref)
    if isinstance(change, CreateProgram):
        tags = tuple((str(k), str(v)) for k, v in dict(after.get("tags") or {}).items())
        return api.create_program(name=ref.name, folder=ref.folder_ref, type=str(after["type"]),
                                  channel=str(after["channel"]), description=after.get("description"), tags=tags)
    assert isinstance(change, CloneProgram) and change.template.id is not None
    return api.clone_program(change.template.id, name=ref.name, folder=ref.folder_ref,
                             description=after.get("description"))


def _lock_timeout(error: ApiError) -> bool:
    """A 719: its own code, or an unknown outcome whose lost answer was a 719 envelope."""
    return error.code == LOCK_WAIT_TIMEOUT or f"Marketo {LOCK_WAIT_TIMEOUT}:" in error.message


def run_container(api: ProgramWriteApi, change: ContainerChange) -> Outcome:
    """Apply one folder or program change (see the module docstring)."""
    if isinstance(change, UpdateProgram):
        return _update(api, change)
    last: ApiError | None = None
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            created = _row_id(_write(api, change))
            if created is None:
                created = _find(api, change)
            if created is None:
                return Outcome(change, UNKNOWN, message="Marketo answered without an id")
            return Outcome(change, APPLIED, id=created, note="sent again after a lost answer" if attempt > 1 else "")
        except (OutcomeUnknown, TransportError) as error:
            last = error
        except BusinessRuleError as error:
            if last is None:
                raise  # refused outright: nothing was created
            last = error  # an earlier, unknown attempt may have created it after all
        try:
            found = _find(api, change)
        except ApiError as error:
            return Outcome(change, UNKNOWN, code=last.code, message=scrub(
                f"{last.message}; the look-up by name failed too ({error.code}: {error.message})"))
        if found is not None:
            return Outcome(change, APPLIED, id=found, note=f"found by name after an unknown outcome "
                                                           f"({last.code}: {scrub(last.message)})")
        if attempt < CREATE_ATTEMPTS and _lock_timeout(last):
            api.back_off(attempt)  # a lock times out under load: waiting helps, other losses retry at once
    assert last is not None
    status = UNKNOWN if isinstance(last, OutcomeUnknown) else FAILED
    return Outcome(change, status, code=last.code, message=scrub(last.message))


def container_fields(api: ProgramWriteApi, change: ContainerChange, container_id: int | None) -> dict[str, Any] | None:
    """A created or updated container as read back (None when it does not exist)."""
    if container_id is None:
        return None
    if isinstance(change, CreateFolder):
        return {} if api.get_folder(FolderRef(container_id, "Folder")) else None
    return program_fields(api, container_id)


def program_fields(api: ProgramWriteApi, program_id: int) -> dict[str, Any] | None:
    """What verification compares of a program: name, description, type, channel."""
    record = api.get_program(program_id)
    if not record:
        return None
    program = RemoteProgram.from_record(record)
    return {"name": program.name, "description": program.description, "type": program.type,
            "channel": program.channel}


def _update(api: ProgramWriteApi, change: UpdateProgram) -> Outcome:
    program_id = change.container.id
    assert program_id is not None
    after = dict(change.after or {})
    for attempt in (1, 2):
        try:
            api.update_program(program_id, name=after.get("name"), description=after.get("description"))
            return Outcome(change, APPLIED, id=program_id, note="sent again after a lost answer" if attempt > 1 else "")
        except (OutcomeUnknown, TransportError) as error:
            now = program_fields(api, program_id)
            if now is not None and all(normalise_description(now.get(k)) == normalise_description(v)
                                       for k, v in after.items()):
                return Outcome(change, APPLIED, id=program_id, note=f"confirmed by reading after {error.code}")
            if attempt == 2:
                return Outcome(change, UNKNOWN, id=program_id, code=error.code, message=scrub(error.message))
    raise AssertionError("unreachable")
