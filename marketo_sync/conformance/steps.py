"""The steps of the conformance kit, in the order they run, each one small and self-contained.

A step exercises one endpoint or rule the tool relies on inside the scratch folder and checks
the answer: the envelope of the last REST answer, field names and types (``expect``), values the
call must have produced, and the error code of documented refusals. A step that needs what an
earlier one failed to make is skipped and says so. No step requests or schedules a campaign,
or creates a lead, and only a clone whose every trigger is "Campaign is Requested" is ever
activated: nothing the kit does can reach a person.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from marketo_sync.client import MarketoApi
from marketo_sync.client.transport import AnswerRecorder
from marketo_sync.conformance import expect
from marketo_sync.conformance.expect import Deviation
from marketo_sync.conformance.scratch import CAMPAIGN, FOLDER, PROGRAM, TOKEN, Asset, Scratch
from marketo_sync.errors import ApiError, OutcomeUnknown
from marketo_sync.refs import FolderRef

A = "/rest/asset/v1"
#: Marketo's answers when an endpoint does not exist on an instance (feature detection).
NOT_AVAILABLE = ("610", "605")
SAFE_TRIGGER = "campaign is requested"
TOKEN_VALUE = "set by marketo-sync conformance"


@dataclass(frozen=True)
class Template:
    """The campaign ``--template`` names: its folder (resolved before the run) and its name."""

    path: str
    folder: FolderRef
    name: str


class Skip(Exception):
    """The step cannot run here; the message says why."""


@dataclass
class Context:
    """What the steps share: the API, the scratch registry and what earlier steps made."""

    api: MarketoApi
    recorder: AnswerRecorder
    scratch: Scratch
    parent: FolderRef
    suffix: str
    template: Template | None = None
    keep: bool = False
    folder: FolderRef | None = None
    campaigns: dict[str, int] = field(default_factory=dict)  # role -> id
    template_record: dict[str, Any] | None = None
    template_safe: str = ""  # why the template may not be activated ("" when it may)
    active_clone: bool = False
    program_ids: dict[str, int] = field(default_factory=dict)
    first_created: datetime | None = None  # the server's createdAt of the kit's first campaign

    @property
    def folder_name(self) -> str:
        return f"marketo-sync-conformance-{self.suffix}"

    def name(self, role: str) -> str:
        return f"conformance {role} {self.suffix}"

    def need_folder(self) -> FolderRef:
        if self.folder is None:
            raise Skip("needs the scratch folder (folder.create did not succeed)")
        return self.folder

    def need_campaign(self, role: str) -> int:
        if role not in self.campaigns:
            raise Skip(f"needs campaign {role!r}, which an earlier step did not create")
        return self.campaigns[role]


class Check:
    """Collects the deviations of one step."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.deviations: list[Deviation] = []
        self.notes: list[str] = []

    def add(self, found: list[Deviation]) -> None:
        """Keep each deviation once per step (two records with the same gap are one finding)."""
        self.deviations += [d for d in found if d not in self.deviations]

    def empty(self) -> None:
        """The last answer is the documented "nothing found" (warning, or 702)."""
        self.add(expect.empty_read(self.ctx.recorder.last))

    def envelope(self) -> None:
        self.add(expect.envelope(self.ctx.recorder.last))

    def shape(self, record: Any, shape: expect.Shape, where: str = "") -> None:
        self.add(expect.compare(record, shape, where))

    def values(self, record: Any, wanted: dict[str, Any], shape: expect.Shape | None = None) -> None:
        self.add(expect.values(record, wanted, shape))

    def equal(self, what: str, expected: Any, actual: Any) -> None:
        if expected != actual:
            self.add([Deviation(what, expect.shown(expected), expect.shown(actual))])

    def refused(self, call: Callable[[], Any], code: str) -> Any:
        """Run a call Marketo must refuse with ``code``; returns its result if it was accepted."""
        try:
            result = call()
        except OutcomeUnknown:
            raise
        except ApiError as refusal:
            self.add(expect.refusal(self.ctx.recorder.last, code))
            if refusal.code != code and not self.deviations:
                self.deviations.append(Deviation("errors[0].code", f'"{code}"', expect.shown(refusal.code)))
            return None
        self.deviations.append(Deviation("success", f'false (refused with {code})', "true (accepted)"))
        return result


@dataclass(frozen=True)
class Step:
    """One step: its name, the endpoints it calls, how many calls it plans, and what it does."""

    name: str
    endpoints: tuple[str, ...]
    calls: int
    run: Callable[[Context, Check], str | None]  # returns an optional detail for the report


def _result(ctx: Context) -> list[Any]:
    """The ``result`` of the last answer, for calls whose API method returns nothing."""
    body = ctx.recorder.last
    result = body.get("result") if isinstance(body, dict) else None
    return result if isinstance(result, list) else []


def _campaign_ref_of(record: Any) -> FolderRef | None:
    try:
        return FolderRef.parse(record.get("folder")) if isinstance(record, dict) else None
    except (ValueError, TypeError, KeyError):
        return None


def _create_campaign(ctx: Context, check: Check, role: str, folder: FolderRef) -> dict[str, Any]:
    name = ctx.name(role)
    try:
        record = ctx.api.create_campaign(name=name, folder=folder, description="conformance check")
    except OutcomeUnknown:
        found = ctx.api.get_campaign_by_name(name)
        if ctx.scratch.add(CAMPAIGN, found) is not None and isinstance(found, dict):
            ctx.campaigns[role] = int(found["id"])
        raise
    check.envelope()
    check.shape(record, expect.CAMPAIGN)
    check.values(record, {"name": name, "isActive": False, "type": "default"}, expect.CAMPAIGN)
    check.equal("folder", folder, _campaign_ref_of(record))
    if ctx.scratch.add(CAMPAIGN, record) is not None:
        ctx.campaigns[role] = int(record["id"])
    if ctx.first_created is None:
        ctx.first_created = expect.parse_date(record.get("createdAt"))
    return record


# -- folders ------------------------------------------------------------------------------------------
def folder_create(ctx: Context, check: Check) -> str:
    try:
        record = ctx.api.create_folder(name=ctx.folder_name, parent=ctx.parent,
                                       description="Created by marketo-sync conformance; safe to delete")
    except OutcomeUnknown:
        found = ctx.scratch.recover_folder(ctx.folder_name, ctx.parent)
        if found is not None:
            ctx.folder = FolderRef(found.id, "Folder")
        raise
    check.envelope()
    check.shape(record, expect.FOLDER)
    check.values(record, {"name": ctx.folder_name, "isSystem": False}, expect.FOLDER)
    try:
        check.equal("parent", ctx.parent, FolderRef.parse(record.get("parent")))
    except (ValueError, TypeError, KeyError):
        pass  # the shape check has reported it
    asset = ctx.scratch.add(FOLDER, record)
    if asset is not None:
        ctx.folder = FolderRef(asset.id, "Folder")
    return f"{ctx.folder_name} (id {record.get('id')})"


def folder_get(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    record = ctx.api.get_folder(folder)
    check.envelope()
    if record is None:
        check.equal("result", "the scratch folder", None)
        return
    check.shape(record, expect.FOLDER)
    check.values(record, {"id": folder.id, "name": ctx.folder_name}, expect.FOLDER)
    path = record.get("path")
    if isinstance(path, str) and not path.endswith("/" + ctx.folder_name):
        check.equal("path", f".../{ctx.folder_name}", path)


def folder_by_name(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    rows = ctx.api.folders_by_name(ctx.folder_name)
    check.envelope()
    for row in rows:
        check.shape(row, expect.FOLDER)
    check.equal("result[].id", [folder.id], [r.get("id") for r in rows])


def folder_browse(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    rows = ctx.api.browse_folders(folder, 1)
    check.envelope()
    for row in rows:
        check.shape(row, expect.FOLDER)
    check.equal("result[0].id (the root itself)", folder.id, rows[0].get("id") if rows else None)


def folder_content(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    wanted = sorted(ctx.campaigns[r] for r in ("A", "B") if r in ctx.campaigns)
    if not wanted:
        raise Skip("needs the campaigns of campaign.create")
    items = ctx.api.folder_content(folder)
    check.envelope()
    for item in items:
        check.shape(item, expect.CONTENT_ITEM)
    check.equal("result[].id", wanted, sorted(i.get("id") for i in items if i.get("id") in wanted))


def folder_delete(ctx: Context, check: Check) -> str | None:
    folder = ctx.need_folder()
    if ctx.keep:
        raise Skip("--keep: the scratch folder stays for inspection")
    leftovers = [a for a in ctx.scratch.assets if a.kind != FOLDER]
    if leftovers:
        raise Skip(f"the folder still holds {len(leftovers)} asset(s) that earlier steps could not remove; "
                   "cleanup tries again")
    return _delete(ctx, check, lambda: ctx.api.delete_folder(folder), lambda: ctx.api.get_folder(folder),
                   ctx.scratch.find(FOLDER, folder.id))


# -- campaigns ----------------------------------------------------------------------------------------
def campaign_create(ctx: Context, check: Check) -> str:
    folder = ctx.need_folder()
    _create_campaign(ctx, check, "A", folder)
    _create_campaign(ctx, check, "B", folder)
    return f"ids {ctx.campaigns.get('A')}, {ctx.campaigns.get('B')}"


def campaign_get(ctx: Context, check: Check) -> None:
    cid = ctx.need_campaign("A")
    record = ctx.api.get_campaign(cid)
    check.envelope()
    check.shape(record, expect.CAMPAIGN)
    check.values(record, {"id": cid, "name": ctx.name("A")}, expect.CAMPAIGN)
    check.equal("folder", ctx.folder, _campaign_ref_of(record))


def campaign_by_name(ctx: Context, check: Check) -> None:
    cid = ctx.need_campaign("A")
    record = ctx.api.get_campaign_by_name(ctx.name("A"))
    check.envelope()
    check.shape(record, expect.CAMPAIGN)
    check.values(record, {"id": cid}, expect.CAMPAIGN)


def campaign_browse_paging(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    first, second = ctx.need_campaign("A"), ctx.need_campaign("B")
    pages = []
    for offset in (0, 1, 2):
        rows = ctx.api.browse_campaigns_page(folder, offset=offset, max_return=1)
        if rows:
            check.envelope()
        else:
            check.empty()
        for row in rows:
            check.shape(row, expect.CAMPAIGN)
        pages.append([r.get("id") for r in rows])
    check.equal("pages of maxReturn=1 (ids)", [[first], [second], []], pages)


def campaign_update(ctx: Context, check: Check) -> None:
    cid = ctx.need_campaign("A")
    record = ctx.api.update_campaign(cid, description="updated by conformance")
    check.envelope()
    check.shape(record, expect.CAMPAIGN)
    check.values(record, {"id": cid, "description": "updated by conformance"}, expect.CAMPAIGN)


def template_read(ctx: Context, check: Check) -> str:
    """Find the --template campaign and read its smart list: may its clone be activated safely?"""
    if ctx.template is None:
        raise Skip("no --template given: the clone and activation steps are skipped")
    template = ctx.template
    record = ctx.api.get_campaign_by_name(template.name)
    check.envelope()
    if record is not None and _campaign_ref_of(record) != template.folder:  # the name repeats elsewhere
        record = next((r for r in ctx.api.browse_campaigns(template.folder) if r.get("name") == template.name),
                      None)
    if record is None:
        raise Skip(f"template {template.path!r} not found")
    check.shape(record, expect.CAMPAIGN)
    smart_list = ctx.api.get_campaign_smart_list(int(record["id"]), include_rules=True)
    check.envelope()
    check.shape(smart_list, expect.SMART_LIST)
    ctx.template_record = record
    rules = smart_list.get("rules") if isinstance(smart_list, dict) else None
    triggers = rules.get("triggers") if isinstance(rules, dict) else None
    names = [str(t.get("name") if isinstance(t, dict) else t) for t in (triggers or [])]
    unsafe = [n for n in names if n.strip().lower() != SAFE_TRIGGER]
    if not names:
        ctx.template_safe = "the template has no trigger"
    elif unsafe:
        ctx.template_safe = (f"the template's trigger(s) {', '.join(unsafe)} could fire for real people while "
                             "the clone is active")
    return f"triggers: {', '.join(names) or 'none'}"  # rule type names only: no instance data


def campaign_clone(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    if ctx.template_record is None:
        raise Skip("needs the template (template.read)")
    name = ctx.name("clone")
    try:
        record = ctx.api.clone_campaign(int(ctx.template_record["id"]), name=name, folder=folder)
    except OutcomeUnknown:
        found = ctx.api.get_campaign_by_name(name)
        if ctx.scratch.add(CAMPAIGN, found) is not None and isinstance(found, dict):
            ctx.campaigns["clone"] = int(found["id"])
        raise
    check.envelope()
    check.shape(record, expect.CAMPAIGN)
    check.values(record, {"name": name, "isActive": False, "type": ctx.template_record.get("type")},
                 expect.CAMPAIGN)
    check.equal("folder", folder, _campaign_ref_of(record))
    if ctx.scratch.add(CAMPAIGN, record) is not None:
        ctx.campaigns["clone"] = int(record["id"])


def _need_safe_clone(ctx: Context) -> int:
    cid = ctx.need_campaign("clone")
    if ctx.template_safe:
        raise Skip(f"not activated: {ctx.template_safe}; use a template whose only trigger is "
                   "'Campaign is Requested'")
    return cid


def campaign_activate(ctx: Context, check: Check) -> None:
    cid = _need_safe_clone(ctx)
    try:
        ctx.api.activate_campaign(cid)
    except OutcomeUnknown:
        ctx.active_clone = True  # perhaps: cleanup deactivates before deleting either way
        raise
    ctx.active_clone = True  # from the answer, not from a field that may itself deviate
    check.equal("result", [{"id": cid}], _result(ctx))
    check.values(ctx.api.get_campaign(cid), {"isActive": True}, expect.CAMPAIGN)


def campaign_browse_filters(ctx: Context, check: Check) -> str | None:
    folder = ctx.need_folder()
    if not ctx.campaigns:
        raise Skip("needs the campaigns of campaign.create")
    rows = ctx.api.browse_campaigns_page(folder, offset=0, max_return=200, is_active=True)
    check.envelope()
    wanted = [ctx.campaigns["clone"]] if ctx.active_clone else []
    check.equal("isActive=true in the scratch folder (ids)", wanted, [r.get("id") for r in rows])
    if ctx.first_created is None:
        return "the updatedAt filters are not checked: campaign.create gave no readable createdAt"
    before = expect.query_date(ctx.first_created - timedelta(minutes=1))
    rows = ctx.api.browse_campaigns_page(folder, offset=0, max_return=200, earliest_updated_at=before)
    check.envelope()
    check.equal("earliestUpdatedAt before the first create (ids)", sorted(ctx.campaigns.values()),
                sorted(r.get("id") for r in rows))
    rows = ctx.api.browse_campaigns_page(folder, offset=0, max_return=200, latest_updated_at=before)
    check.envelope()
    check.equal("latestUpdatedAt before the first create (ids)", [], [r.get("id") for r in rows])
    return None


def campaign_deactivate(ctx: Context, check: Check) -> None:
    cid = _need_safe_clone(ctx)
    if not ctx.active_clone:
        raise Skip("the clone is not active (campaign.activate did not succeed)")
    ctx.api.deactivate_campaign(cid)
    ctx.active_clone = False
    check.equal("result", [{"id": cid}], _result(ctx))
    check.values(ctx.api.get_campaign(cid), {"isActive": False}, expect.CAMPAIGN)


def _delete(ctx: Context, check: Check, delete: Callable[[], Any], read: Callable[[], Any],
            asset: Asset | None) -> str | None:
    """Delete, then read it back: gone is the expected answer (the asset leaves the registry)."""
    try:
        delete()
    except OutcomeUnknown:
        if read() is None:
            ctx.scratch.forget(asset)
        raise
    check.envelope()
    if read() is None:
        check.empty()
        ctx.scratch.forget(asset)
    else:
        check.equal("after delete, a read finds", None, "the asset")
    return None


def campaign_delete(ctx: Context, check: Check) -> str:
    roles = [r for r in ("comma", "clone", "B", "A") if r in ctx.campaigns
             and not (r == "clone" and ctx.active_clone)]  # an active clone: cleanup deactivates it first
    if not roles:
        raise Skip("needs the campaigns of campaign.create")
    if ctx.keep:
        roles = roles[:1]  # one delete exercises the endpoint; --keep leaves the rest
    for role in roles:
        cid = ctx.campaigns.pop(role)
        _delete(ctx, check, functools.partial(ctx.api.delete_campaign, cid),
                functools.partial(ctx.api.get_campaign, cid), ctx.scratch.find(CAMPAIGN, cid))
    return f"deleted {', '.join(roles)}"


# -- refusals -----------------------------------------------------------------------------------------
def refusal_duplicate_name(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    ctx.need_campaign("A")
    accepted = check.refused(lambda: ctx.api.create_campaign(name=ctx.name("A"), folder=folder), "709")
    ctx.scratch.add(CAMPAIGN, accepted)


def refusal_comma_name(ctx: Context, check: Check) -> str:
    folder = ctx.need_folder()
    name = f"conformance, comma {ctx.suffix}"
    record = ctx.api.create_campaign(name=name, folder=folder)
    if ctx.scratch.add(CAMPAIGN, record) is not None:
        ctx.campaigns["comma"] = int(record["id"])
    found = ctx.api.get_campaign_by_name(name)
    check.equal("by name (a name with a comma is never found)", None, found and found.get("id"))
    return "documented: by-name lookups cannot match a comma"


def refusal_activate_empty(ctx: Context, check: Check) -> None:
    cid = ctx.need_campaign("A")
    check.refused(lambda: ctx.api.activate_campaign(cid), "709")


def refusal_delete_active(ctx: Context, check: Check) -> None:
    cid = _need_safe_clone(ctx)
    if not ctx.active_clone:
        raise Skip("the clone is not active (campaign.activate did not succeed)")
    check.refused(lambda: ctx.api.delete_campaign(cid), "709")
    if ctx.api.get_campaign(cid) is None:  # accepted after all: it is gone
        ctx.scratch.forget(ctx.scratch.find(CAMPAIGN, cid))
        ctx.campaigns.pop("clone", None)
        ctx.active_clone = False


# -- My Tokens ----------------------------------------------------------------------------------------
def _token_name(ctx: Context) -> str:
    return f"conformance {ctx.suffix}"


def _tokens_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for row in rows for t in (row.get("tokens") or []) if isinstance(t, dict)]


def tokens_set(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    name = _token_name(ctx)
    ctx.scratch.assets.append(Asset(TOKEN, folder.id, name, parent=folder))  # before: an upsert may land
    ctx.api.set_token(folder, name=name, type="text", value=TOKEN_VALUE)
    check.envelope()
    rows = [r for r in _result(ctx) if isinstance(r, dict)]
    for row in rows:
        check.shape(row, expect.TOKEN_ROW)
    written = [t for t in _tokens_of(rows) if t.get("name") == name]
    check.equal("result[0].tokens (the written token)", [(name, "text", TOKEN_VALUE)],
                [(t.get("name"), t.get("type"), t.get("value")) for t in written])


def tokens_get(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    if ctx.scratch.find(TOKEN, folder.id, _token_name(ctx)) is None:
        raise Skip("needs the token of tokens.set")
    rows = ctx.api.get_tokens(folder)
    check.envelope()
    for row in rows:
        check.shape(row, expect.TOKEN_ROW)
    tokens = _tokens_of(rows)
    for token in tokens:
        check.shape(token, expect.TOKEN, "token")
    check.equal("tokens (name, value)", [(_token_name(ctx), TOKEN_VALUE)],
                [(t.get("name"), t.get("value")) for t in tokens])


def tokens_delete(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    asset = ctx.scratch.find(TOKEN, folder.id, _token_name(ctx))
    if asset is None:
        raise Skip("needs the token of tokens.set")
    ctx.api.delete_token(folder, name=asset.name, type="text")
    check.envelope()
    remaining = [t.get("name") for t in _tokens_of(ctx.api.get_tokens(folder))]
    check.equal("tokens after delete", [], remaining)
    if not remaining:
        ctx.scratch.forget(asset)


# -- feature-detected endpoints -----------------------------------------------------------------------
def _available(call: Callable[[], Any], what: str) -> Any:
    try:
        return call()
    except ApiError as missing:
        if missing.code in NOT_AVAILABLE:
            raise Skip(f"{what} is not available on this instance (Marketo {missing.code})") from None
        raise


def flow_steps_detect(ctx: Context, check: Check) -> str:
    rows = _available(ctx.api.flow_step_types, "the flow-step API")
    check.envelope()
    steps = rows[0].get("flowSteps") if rows else None
    if not isinstance(steps, list):
        check.equal("result[0].flowSteps", "array", expect.shown(steps))
        return "available"
    for step in steps[:20]:
        check.shape(step, {"id": expect.INT, "name": expect.STR}, "flowSteps[]")
    return f"available: {len(steps)} flow actions"


def _program_type_and_channel(ctx: Context) -> tuple[str, str]:
    """A (type, channel) pair the instance accepts: a channel for Default programs from
    channels.json, else the pair of an existing program (read, never reported)."""
    try:
        for channel in ctx.api.channels():
            if str(channel.get("applicableProgramType", "")).lower() == "program" and channel.get("name"):
                return "Default", str(channel["name"])
    except ApiError as missing:
        if missing.code not in NOT_AVAILABLE:
            raise
    programs = _available(lambda: ctx.api.browse_programs_page(max_return=20), "program browse")
    pairs = [(str(p.get("type")), str(p.get("channel"))) for p in programs if p.get("type") and p.get("channel")]
    for wanted in ("Default", "Event"):
        for program_type, program_channel in pairs:
            if program_type == wanted:
                return program_type, program_channel
    raise Skip("no channel for a Default or Event program found on this instance")


def _make_program(ctx: Context, check: Check, role: str, call: Callable[[str], dict[str, Any]],
                  what: str) -> None:
    """Create or clone a program named for ``role``; a lost answer is settled by name."""
    name = ctx.name(role)
    try:
        record = _available(functools.partial(call, name), what)
    except OutcomeUnknown:
        ctx.scratch.add(PROGRAM, ctx.api.get_program_by_name(name))
        raise
    check.envelope()
    check.shape(record, expect.PROGRAM)
    check.values(record, {"name": name}, expect.PROGRAM)
    if ctx.scratch.add(PROGRAM, record) is not None:
        ctx.program_ids[role] = int(record["id"])


def program_create(ctx: Context, check: Check) -> str:
    folder = ctx.need_folder()
    program_type, channel = _program_type_and_channel(ctx)
    _make_program(ctx, check, "program", lambda name: ctx.api.create_program(
        name=name, folder=folder, type=program_type, channel=channel), "program create")
    return f"{program_type} program"  # the channel is the instance's: not in the report


def program_clone(ctx: Context, check: Check) -> None:
    folder = ctx.need_folder()
    if "program" not in ctx.program_ids:
        raise Skip("needs the program of program.create")
    source = ctx.program_ids["program"]
    _make_program(ctx, check, "program clone",
                  lambda name: ctx.api.clone_program(source, name=name, folder=folder), "program clone")


def program_delete(ctx: Context, check: Check) -> None:
    if not ctx.program_ids:
        raise Skip("needs the program of program.create")
    if ctx.keep:
        raise Skip("--keep: the programs stay in the scratch folder")
    for role in [r for r in ("program clone", "program") if r in ctx.program_ids]:
        pid = ctx.program_ids.pop(role)
        _delete(ctx, check, functools.partial(_available, functools.partial(ctx.api.delete_program, pid),
                                              "program delete"),
                functools.partial(ctx.api.get_program, pid), ctx.scratch.find(PROGRAM, pid))


STEPS: tuple[Step, ...] = (
    Step("folder.create", (f"POST {A}/folders.json",), 1, folder_create),
    Step("folder.get", (f"GET {A}/folder/{{id}}.json",), 1, folder_get),
    Step("folder.by-name", (f"GET {A}/folder/byName.json",), 1, folder_by_name),
    Step("folder.browse", (f"GET {A}/folders.json",), 1, folder_browse),
    Step("campaign.create", (f"POST {A}/smartCampaigns.json",), 2, campaign_create),
    Step("campaign.get", (f"GET {A}/smartCampaign/{{id}}.json",), 1, campaign_get),
    Step("campaign.by-name", (f"GET {A}/smartCampaign/byName.json",), 1, campaign_by_name),
    Step("campaign.browse-paging", (f"GET {A}/smartCampaigns.json",), 3, campaign_browse_paging),
    Step("campaign.update", (f"POST {A}/smartCampaign/{{id}}.json",), 1, campaign_update),
    Step("folder.content", (f"GET {A}/folder/{{id}}/content.json",), 1, folder_content),
    Step("refusal.duplicate-name", (f"POST {A}/smartCampaigns.json",), 1, refusal_duplicate_name),
    Step("refusal.comma-name", (f"POST {A}/smartCampaigns.json", f"GET {A}/smartCampaign/byName.json"), 2,
         refusal_comma_name),
    Step("refusal.activate-empty", (f"POST {A}/smartCampaign/{{id}}/activate.json",), 1, refusal_activate_empty),
    Step("template.read", (f"GET {A}/smartCampaign/byName.json", f"GET {A}/smartCampaign/{{id}}/smartList.json"),
         2, template_read),
    Step("campaign.clone", (f"POST {A}/smartCampaign/{{id}}/clone.json",), 1, campaign_clone),
    Step("campaign.activate", (f"POST {A}/smartCampaign/{{id}}/activate.json", f"GET {A}/smartCampaign/{{id}}.json"),
         2, campaign_activate),
    Step("campaign.browse-filters", (f"GET {A}/smartCampaigns.json",), 3, campaign_browse_filters),
    Step("refusal.delete-active", (f"POST {A}/smartCampaign/{{id}}/delete.json",), 2, refusal_delete_active),
    Step("campaign.deactivate", (f"POST {A}/smartCampaign/{{id}}/deactivate.json",
                                 f"GET {A}/smartCampaign/{{id}}.json"), 2, campaign_deactivate),
    Step("tokens.set", (f"POST {A}/folder/{{id}}/tokens.json",), 1, tokens_set),
    Step("tokens.get", (f"GET {A}/folder/{{id}}/tokens.json",), 1, tokens_get),
    Step("tokens.delete", (f"POST {A}/folder/{{id}}/tokens/delete.json", f"GET {A}/folder/{{id}}/tokens.json"),
         2, tokens_delete),
    Step("flow-steps.detect", (f"GET {A}/smartCampaign/flowSteps.json",), 1, flow_steps_detect),
    Step("program.create", (f"GET {A}/channels.json", f"GET {A}/programs.json", f"POST {A}/programs.json"), 3,
         program_create),
    Step("program.clone", (f"POST {A}/program/{{id}}/clone.json",), 1, program_clone),
    Step("program.delete", (f"POST {A}/program/{{id}}/delete.json", f"GET {A}/program/{{id}}.json"), 4,
         program_delete),
    Step("campaign.delete", (f"POST {A}/smartCampaign/{{id}}/delete.json", f"GET {A}/smartCampaign/{{id}}.json"),
         8, campaign_delete),
    Step("folder.delete", (f"POST {A}/folder/{{id}}/delete.json", f"GET {A}/folder/{{id}}.json"), 2,
         folder_delete),
)
