"""Request (trigger) and schedule smart campaigns, with My Token overrides, safely.

These calls send email to real people and are not idempotent, so everything that can be
checked is checked *before* the first write (marketo-api.md §7):

* the campaign is found by id, or by its full path (names repeat across programs, so a
  bare name is never enough), and is of the right kind: an active trigger campaign with a
  "Campaign is Requested" / Web Service API trigger for a request (else Marketo answers
  1003), a batch campaign for a schedule;
* leads are positive integer ids that exist (Marketo skips unknown ids *silently*); emails
  resolve to exactly one lead each; at most 100 leads go in one request, so more are sent
  as several requests, each its own call;
* token names exist on the campaign's program or one of its folders (Marketo ignores an
  unknown override silently and the email goes out without the value), at most 100;
* ``runAt`` has an offset, is at least 5 minutes and at most 2 years ahead (1042).

Nothing here prints or opens a connection: it works through :class:`MarketoApi` reads and
the two write methods, which never resend after a lost answer (``OutcomeUnknown``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from marketo_sync import _yaml
from marketo_sync.errors import ApiError, MarketoSyncError, OutcomeUnknown
from marketo_sync.refs import FolderRef
from marketo_sync.remote import RemoteFolder, join_path, split_path

#: Request Campaign: at most 100 leads per call (marketo-api.md §7).
MAX_LEADS_PER_REQUEST = 100
#: Request and Schedule: at most 100 token overrides.
MAX_TOKENS = 100
#: Token names are at most 50 characters (marketo-api.md §9.2).
MAX_TOKEN_NAME = 50
#: ``cloneToProgramName`` is a program name: at most 255 characters.
MAX_CLONE_NAME = 255
#: Schedule: a run never starts sooner than 5 minutes from now, nor later than 2 years.
MIN_RUN_AT_DELAY = timedelta(minutes=5)
MAX_RUN_AT_YEARS = 2
#: Values per Get Leads call (Marketo's limit is 300; URIs must stay under 8 KB).
LEAD_LOOKUP_BATCH = 300
LEAD_LOOKUP_CHARS = 4000
#: How many folder levels above the campaign are searched for a token name.
MAX_TOKEN_LEVELS = 8
#: Version of the JSON result document.
RESULT_FORMAT_VERSION = 1

SENT = "sent"
UNKNOWN = "outcome unknown"
FAILED = "failed"
NOT_SENT = "not sent"

Record = Mapping[str, Any]
Clock = Callable[[], datetime]


class OperationError(MarketoSyncError):
    """A request or schedule refused before anything was sent; lists every reason."""

    def __init__(self, reasons: str | Iterable[str]) -> None:
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        if len(self.reasons) == 1:
            text = self.reasons[0]
        else:
            text = f"{len(self.reasons)} problems:\n" + "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(text + "\nNothing was sent.")


class OperationsApi(Protocol):
    """The calls this module makes (implemented by ``marketo_sync.client.MarketoApi``)."""

    def get_campaign(self, campaign_id: int) -> dict[str, Any] | None: ...
    def browse_campaigns(self, folder: FolderRef | None = None) -> list[dict[str, Any]]: ...
    def folders_by_name(self, name: str) -> list[dict[str, Any]]: ...
    def browse_folders(self, root: FolderRef, max_depth: int) -> list[dict[str, Any]]: ...
    def get_folder(self, ref: FolderRef) -> dict[str, Any] | None: ...
    def get_tokens(self, folder: FolderRef) -> list[dict[str, Any]]: ...
    def get_leads(self, filter_type: str, values: Sequence[str], *,
                  fields: Sequence[str] | None = None) -> list[dict[str, Any]]: ...
    def request_campaign(self, campaign_id: int, *, leads: Sequence[int],
                         tokens: Mapping[str, str] | None = None) -> Any: ...
    def schedule_campaign(self, campaign_id: int, *, run_at: str | None = None,
                          tokens: Mapping[str, str] | None = None,
                          clone_to_program_name: str | None = None) -> Any: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


# -- the campaign -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignTarget:
    """The campaign to run, as read just now."""

    id: int
    name: str
    path: str                      # "Marketing Activities/Webinars/<program>/<name>"
    type: str                      # "trigger" | "batch" | ...
    is_active: bool
    is_requestable: bool
    container: FolderRef | None
    program_id: int | None = None  # the program it belongs to, directly or through a folder

    @classmethod
    def from_record(cls, record: Record, parent_path: str) -> CampaignTarget:
        folder = record.get("folder")
        container = FolderRef.parse(folder) if folder else None
        name = str(record.get("name", ""))
        program = record.get("parentProgramId")
        if program is None and container is not None and container.type == "Program":
            program = container.id
        return cls(id=int(record["id"]), name=name,
                   path=join_path([*split_path(parent_path), name]) if parent_path else name,
                   type=str(record.get("type") or "").lower(), is_active=bool(record.get("isActive")),
                   is_requestable=bool(record.get("isRequestable")), container=container,
                   program_id=int(program) if program is not None else None)

    @property
    def label(self) -> str:
        return f'"{self.path}" (id {self.id})'


def _matches(folder: RemoteFolder, wanted: str) -> bool:
    return wanted in (folder.path, join_path(split_path(folder.api_path)))


def find_folder(api: OperationsApi, path: str) -> RemoteFolder | None:
    """The folder or program at exactly ``path`` (workspace segment optional).

    One by-name call for the last segment, matched on the full path; when that finds
    nothing (an instance whose by-name search skips programs), the nearest ancestor found
    by name is browsed just deep enough.
    """
    segments = split_path(path)
    wanted = join_path(segments)
    for cut in range(len(segments), 0, -1):
        anchor_path = join_path(segments[:cut])
        anchor = next((f for f in (RemoteFolder.from_record(r) for r in api.folders_by_name(segments[cut - 1]))
                       if f is not None and _matches(f, anchor_path)), None)
        if anchor is None:
            continue
        if cut == len(segments):
            return anchor
        for depth in (len(segments) - cut, len(segments) - cut + 1):  # +1: workspace as a level
            for record in api.browse_folders(anchor.ref, depth):
                folder = RemoteFolder.from_record(record)
                if folder is not None and _matches(folder, wanted):
                    return folder
        return None
    return None


def resolve_campaign(api: OperationsApi, *, campaign_id: int | None = None,
                     path: str | None = None) -> CampaignTarget:
    """The campaign by id, or by ``Folder/…/Program/Campaign Name`` (never by name alone)."""
    if (campaign_id is None) == (path is None):
        raise OperationError("name the campaign with --id N or --campaign PATH (one of them)")
    if campaign_id is not None:
        if campaign_id <= 0:
            raise OperationError(f"campaign id {campaign_id} is not a positive integer")
        record = api.get_campaign(campaign_id)
        if not record:
            raise OperationError(f"campaign {campaign_id} does not exist")
        folder = FolderRef.parse(record["folder"]) if record.get("folder") else None
        parent = RemoteFolder.from_record(api.get_folder(folder) or {}) if folder else None
        return CampaignTarget.from_record(record, parent.path if parent else "")
    segments = split_path(path or "")
    if len(segments) < 2:
        raise OperationError(f"--campaign {path!r} must be a full path: Folder/…/Program/Campaign Name "
                             "(campaign names repeat across programs)")
    parent_path, name = join_path(segments[:-1]), segments[-1]
    parent = find_folder(api, parent_path)
    if parent is None:
        raise OperationError(f"folder or program {parent_path!r} not found (campaign {path!r})")
    found = [r for r in api.browse_campaigns(parent.ref)
             if r.get("name") == name and r.get("folder") and FolderRef.parse(r["folder"]) == parent.ref]
    if not found:
        raise OperationError(f"no campaign named {name!r} in {parent.path!r}")
    if len(found) > 1:  # pragma: no cover - Marketo keeps names unique within a parent
        raise OperationError(f"{len(found)} campaigns named {name!r} in {parent.path!r}: use --id")
    return CampaignTarget.from_record(found[0], parent.path)


def check_requestable(target: CampaignTarget) -> None:
    """Request Campaign needs an active trigger campaign with an API request trigger (else 1003)."""
    if target.type != "trigger":
        raise OperationError(f"campaign {target.label} is a {target.type or 'non-trigger'} campaign; only "
                             "trigger campaigns can be requested (schedule a batch campaign with "
                             "`marketo-sync schedule`)")
    if not target.is_active or not target.is_requestable:
        state = "inactive" if not target.is_active else "not requestable"
        raise OperationError(f"campaign {target.label} is {state}: activate it and give it a "
                             "'Campaign is Requested' trigger with source 'Web Service API'")


def check_schedulable(target: CampaignTarget) -> None:
    """Schedule Campaign runs batch campaigns only (else 1003)."""
    if target.type != "batch":
        raise OperationError(f"campaign {target.label} is a {target.type or 'default'} campaign; only batch "
                             "campaigns can be scheduled (request a trigger campaign with "
                             "`marketo-sync trigger`)")


# -- tokens ------------------------------------------------------------------------------------

_WRAPPED = re.compile(r"^\{\{\s*my\.(?P<name>.+?)\s*\}\}$")


def token_name(raw: str) -> str:
    """``WebinarTitle``, ``my.WebinarTitle`` or ``{{my.WebinarTitle}}`` -> ``WebinarTitle``."""
    text = str(raw).strip()
    match = _WRAPPED.match(text)
    if match:
        text = match.group("name").strip()
    elif text.startswith("{{"):
        raise ValueError(f"token {raw!r}: only My Tokens ({{{{my.Name}}}}) can be overridden")
    elif text.startswith("my."):
        text = text[3:].strip()
    if not text:
        raise ValueError(f"token name {raw!r} is empty")
    if "{" in text or "}" in text:
        raise ValueError(f"token name {raw!r} is malformed")
    if len(text) > MAX_TOKEN_NAME:
        raise ValueError(f"token name {text!r} is longer than {MAX_TOKEN_NAME} characters")
    return text


def parse_token_args(pairs: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """``--token NAME=VALUE`` arguments: (tokens by bare name, problems)."""
    tokens: dict[str, str] = {}
    problems: list[str] = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            problems.append(f"--token {pair!r}: expected NAME=VALUE")
            continue
        try:
            bare = token_name(name)
        except ValueError as error:
            problems.append(f"--token: {error}")
            continue
        if bare in tokens:
            problems.append(f"--token: {bare!r} is given twice")
            continue
        tokens[bare] = value
    return tokens, problems


def load_tokens_file(path: Path) -> tuple[dict[str, str], list[str]]:
    """A YAML mapping ``Name: value``; problems name the file, line and column."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return {}, [f"cannot read the tokens file {path}: {getattr(error, 'strerror', None) or error}"]
    data, found = _yaml.load(text, str(path))
    problems = [f"{path}, line {p.mark.line}, column {p.mark.column}: {p.message}" for p in found]
    if problems:
        return {}, problems
    if data is None:
        return {}, []
    if not isinstance(data, _yaml.ContextDict):
        return {}, [f"{path}, line 1, column 1: expected a mapping of token names to values"]
    tokens: dict[str, str] = {}
    for key, value in data.items():
        mark = data.key_marks.get(key, data.mark)
        where = f"{path}, line {mark.line}, column {mark.column}"
        try:
            bare = token_name(str(key))
        except ValueError as error:
            problems.append(f"{where}: {error}")
            continue
        if bare in tokens:
            problems.append(f"{where}: token {bare!r} is given twice")
            continue
        written = data.scalars.get(key)
        if isinstance(value, str):
            tokens[bare] = value
        elif isinstance(value, int | float) and not isinstance(value, bool) and written is not None:
            tokens[bare] = written.text  # as written: 1.50 stays "1.50"
        else:
            vmark = data.value_marks.get(key, mark)
            problems.append(f"{path}, line {vmark.line}, column {vmark.column}: the value of {bare!r} must be "
                            "a string (quote it)")
    return tokens, problems


def merge_tokens(from_file: Mapping[str, str], from_args: Mapping[str, str]) -> dict[str, str]:
    """``--token`` overrides the same name in ``--tokens-file``."""
    return {**from_file, **from_args}


def check_token_count(tokens: Mapping[str, str]) -> list[str]:
    if len(tokens) > MAX_TOKENS:
        return [f"{len(tokens)} tokens given; Marketo accepts at most {MAX_TOKENS} per call"]
    return []


def _token_names(rows: Iterable[Record]) -> set[str]:
    names: set[str] = set()
    for entry in rows:
        items = entry.get("tokens") if "tokens" in entry else [entry]
        names.update(str(t["name"]) for t in items or [] if isinstance(t, Mapping) and "name" in t)
    return names


def _parent_ref(record: Record | None) -> FolderRef | None:
    try:
        return FolderRef.parse(record["parent"]) if record and record.get("parent") else None
    except (ValueError, TypeError, KeyError):  # a zone, or something we cannot follow
        return None


def check_tokens_exist(api: OperationsApi, target: CampaignTarget, tokens: Mapping[str, str]) -> None:
    """Every override names a My Token of the campaign's program or of a folder above it.

    Marketo ignores an unknown override without an error, and the email goes out without
    the value. Tokens are inherited, so the parents are read only for names not found yet.
    """
    missing = set(tokens)
    ref = target.container
    known: set[str] = set()
    for _ in range(MAX_TOKEN_LEVELS):
        if not missing or ref is None:
            break
        names = _token_names(api.get_tokens(ref))
        known |= names
        missing -= names
        if not missing:
            break
        record = api.get_folder(ref)
        ref = _parent_ref(record)
    if missing:
        lowered = {n.lower(): n for n in known}
        reasons = []
        for name in sorted(missing):
            hint = f" (did you mean {lowered[name.lower()]!r}?)" if name.lower() in lowered else ""
            reasons.append(f"token {name!r} is not a My Token of campaign {target.label} or its folders{hint}; "
                           "Marketo would ignore it and send the email without the value "
                           "(--allow-unknown-tokens skips this check)")
        raise OperationError(reasons)


# -- leads -------------------------------------------------------------------------------------


@dataclass
class LeadInput:
    """Leads as given: ids and emails, in order, with where each came from."""

    ids: list[tuple[int, str]] = field(default_factory=list)
    emails: list[tuple[str, str]] = field(default_factory=list)


def parse_lead_ids(values: Sequence[str], where: str = "--lead") -> tuple[list[tuple[int, str]], list[str]]:
    ids: list[tuple[int, str]] = []
    problems: list[str] = []
    for value in values:
        text = str(value).strip()
        if not re.fullmatch(r"[0-9]+", text) or int(text) <= 0:
            problems.append(f"{where} {value!r}: a lead id is a positive integer")
        else:
            ids.append((int(text), where))
    return ids, problems


def _looks_like_email(text: str) -> bool:
    return bool(re.fullmatch(r"[^@\s,]+@[^@\s,]+", text))


def parse_lead_emails(values: Sequence[str], where: str = "--lead-email") -> tuple[list[tuple[str, str]], list[str]]:
    emails: list[tuple[str, str]] = []
    problems: list[str] = []
    for value in values:
        text = str(value).strip()
        if _looks_like_email(text):
            emails.append((text, where))
        else:
            problems.append(f"{where} {value!r}: not an email address")
    return emails, problems


def load_leads_file(path: Path) -> tuple[LeadInput, list[str]]:
    """One lead per line: an id or an email; ``#`` starts a comment; blank lines are skipped."""
    leads = LeadInput()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        return leads, [f"cannot read the leads file {path}: {getattr(error, 'strerror', None) or error}"]
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        where = f"{path}, line {number}"
        if re.fullmatch(r"[0-9]+", text) and int(text) > 0:
            leads.ids.append((int(text), where))
        elif _looks_like_email(text):
            leads.emails.append((text, where))
        else:
            problems.append(f"{where}: {text!r} is neither a lead id nor an email address")
    return leads, problems


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    """Get Leads batches: at most 300 values and a URI well under Marketo's 8 KB."""
    chunk: list[str] = []
    size = 0
    for value in values:
        if chunk and (len(chunk) >= LEAD_LOOKUP_BATCH or size + len(value) + 3 > LEAD_LOOKUP_CHARS):
            yield chunk
            chunk, size = [], 0
        chunk.append(value)
        size += len(value) + 3  # the comma, encoded
    if chunk:
        yield chunk


def resolve_emails(api: OperationsApi, emails: Sequence[str]) -> dict[str, int]:
    """Email -> lead id; an unknown email, or one shared by several leads, is an error."""
    wanted = list(dict.fromkeys(e.lower() for e in emails))
    matches: dict[str, list[int]] = {e: [] for e in wanted}
    for chunk in _chunks(wanted):
        for row in api.get_leads("email", chunk, fields=["id", "email"]):
            email = str(row.get("email") or "").lower()
            if email in matches and row.get("id") is not None:
                matches[email].append(int(row["id"]))
    reasons = []
    unknown = [e for e, ids in matches.items() if not ids]
    if unknown:
        reasons.append(f"{len(unknown)} email{'s' if len(unknown) != 1 else ''} match no lead: "
                       + ", ".join(unknown))
    for email, ids in matches.items():
        if len(ids) > 1:
            reasons.append(f"email {email} matches {len(ids)} leads ({', '.join(map(str, sorted(ids)))}); "
                           "give the lead id with --lead so that one person gets one email")
    if reasons:
        raise OperationError(reasons)
    return {e: ids[0] for e, ids in matches.items()}


def check_leads_exist(api: OperationsApi, ids: Sequence[int]) -> None:
    """Marketo skips unknown lead ids without an error: refuse them instead."""
    found: set[int] = set()
    for chunk in _chunks([str(i) for i in ids]):
        found.update(int(r["id"]) for r in api.get_leads("id", chunk, fields=["id"]) if r.get("id") is not None)
    unknown = [i for i in ids if i not in found]
    if unknown:
        shown = ", ".join(map(str, unknown[:20])) + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else "")
        raise OperationError(f"{len(unknown)} lead id{'s' if len(unknown) != 1 else ''} do not exist: {shown}")


def lead_batches(ids: Sequence[int], size: int = MAX_LEADS_PER_REQUEST) -> list[list[int]]:
    return [list(ids[i:i + size]) for i in range(0, len(ids), size)]


# -- runAt -------------------------------------------------------------------------------------

_RELATIVE = re.compile(r"^\+\s*(?P<n>[0-9]+)\s*(?P<unit>m|min|h|d)$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class RunAt:
    """When a scheduled run starts: absolute, or relative to the moment of sending."""

    absolute: datetime | None = None
    relative: timedelta | None = None
    text: str = ""

    def at(self, now: datetime) -> datetime:
        return self.absolute if self.absolute is not None else now + (self.relative or timedelta())


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def parse_run_at(text: str) -> RunAt:
    """``+10m``/``+2h``/``+1d``, or ISO 8601 with an offset (``2026-03-10T15:00:00+01:00``)."""
    raw = str(text).strip()
    match = _RELATIVE.match(raw)
    if match:
        delta = timedelta(**{_UNITS[match.group("unit").lower()]: int(match.group("n"))})
        return RunAt(relative=delta, text=raw)
    candidate = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise OperationError(f"--run-at {raw!r} is not a time: give ISO 8601 with an offset "
                             "(2026-03-10T15:00:00+01:00) or +10m / +2h / +1d") from None
    if moment.tzinfo is None:
        raise OperationError(f"--run-at {raw!r} has no UTC offset: add one (e.g. +00:00 or Z), "
                             "otherwise the time zone would be guessed")
    return RunAt(absolute=moment, text=raw)


def check_run_at(run_at: RunAt, now: datetime) -> datetime:
    """The start in UTC; refused when under 5 minutes or over 2 years ahead (Marketo: 1042)."""
    moment = run_at.at(now).astimezone(UTC)
    if moment < now + MIN_RUN_AT_DELAY:
        raise OperationError(f"--run-at {run_at.text!r} is {_describe(moment - now)}: Marketo needs at least "
                             "5 minutes (it would answer 1042)")
    if moment > _add_years(now, MAX_RUN_AT_YEARS):
        raise OperationError(f"--run-at {run_at.text!r} is more than {MAX_RUN_AT_YEARS} years ahead "
                             "(Marketo would answer 1042)")
    return moment


def _describe(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return f"{-seconds // 60} minutes in the past"
    return f"only {seconds // 60} minutes {seconds % 60} seconds ahead"


def iso(moment: datetime) -> str:
    """Marketo's form: ``2026-03-10T14:00:00+0000`` (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


# -- prepared operations ---------------------------------------------------------------------


@dataclass
class TriggerRequest:
    """A validated request: what will be sent, in batches of at most 100 leads."""

    campaign: CampaignTarget
    leads: list[int]
    tokens: dict[str, str]
    duplicates: int = 0
    unchecked_tokens: bool = False

    @property
    def batches(self) -> list[list[int]]:
        return lead_batches(self.leads)


@dataclass
class ScheduleRequest:
    campaign: CampaignTarget
    run_at: RunAt | None
    tokens: dict[str, str]
    clone_to_program_name: str | None = None
    unchecked_tokens: bool = False


def _wrapped(tokens: Mapping[str, str]) -> dict[str, str]:
    return {"{{my." + name + "}}": value for name, value in tokens.items()}


def prepare_trigger(api: OperationsApi, *, campaign_id: int | None = None, campaign_path: str | None = None,
                    leads: LeadInput, tokens: Mapping[str, str], allow_unknown_tokens: bool = False,
                    problems: Sequence[str] = ()) -> TriggerRequest:
    """Validate everything (local checks first, then reads); nothing is written."""
    reasons = list(problems) + check_token_count(tokens)
    if not leads.ids and not leads.emails and not problems:
        reasons.append("no leads given: use --lead ID, --lead-email EMAIL or --leads-file FILE")
    if reasons:
        raise OperationError(reasons)
    target = resolve_campaign(api, campaign_id=campaign_id, path=campaign_path)
    check_requestable(target)
    if tokens and not allow_unknown_tokens:
        check_tokens_exist(api, target, tokens)
    by_email = resolve_emails(api, [e for e, _ in leads.emails]) if leads.emails else {}
    given = [i for i, _ in leads.ids] + [by_email[e.lower()] for e, _ in leads.emails]
    unique = list(dict.fromkeys(given))
    direct = list(dict.fromkeys(i for i, _ in leads.ids))  # ids found by email exist already
    if direct:
        check_leads_exist(api, direct)
    return TriggerRequest(campaign=target, leads=unique, tokens=dict(tokens),
                          duplicates=len(given) - len(unique), unchecked_tokens=bool(tokens) and allow_unknown_tokens)


def prepare_schedule(api: OperationsApi, *, campaign_id: int | None = None, campaign_path: str | None = None,
                     run_at: str | None, tokens: Mapping[str, str], clone_to_program_name: str | None = None,
                     allow_unknown_tokens: bool = False, problems: Sequence[str] = (),
                     clock: Clock = utc_now) -> ScheduleRequest:
    """Validate everything (local checks first, then reads); nothing is written."""
    reasons = list(problems) + check_token_count(tokens)
    parsed: RunAt | None = None
    if run_at is not None:
        try:
            parsed = parse_run_at(run_at)
            check_run_at(parsed, clock())
        except OperationError as error:
            reasons.extend(error.reasons)
    if clone_to_program_name is not None:
        if not clone_to_program_name.strip():
            reasons.append("--clone-to-program is empty")
        elif len(clone_to_program_name) > MAX_CLONE_NAME:
            reasons.append(f"--clone-to-program is longer than {MAX_CLONE_NAME} characters")
    if reasons:
        raise OperationError(reasons)
    target = resolve_campaign(api, campaign_id=campaign_id, path=campaign_path)
    check_schedulable(target)
    if clone_to_program_name and target.program_id is None:
        raise OperationError(f"--clone-to-program needs a campaign inside a program; campaign {target.label} "
                             "is in a folder (Marketo would answer 1003)")
    if tokens and not allow_unknown_tokens:
        check_tokens_exist(api, target, tokens)
    return ScheduleRequest(campaign=target, run_at=parsed, tokens=dict(tokens),
                           clone_to_program_name=clone_to_program_name,
                           unchecked_tokens=bool(tokens) and allow_unknown_tokens)


# -- sending and the result ----------------------------------------------------------------------


@dataclass
class BatchResult:
    """One call: its leads (trigger) and what became of it."""

    number: int
    leads: list[int]
    status: str = NOT_SENT
    code: str | None = None
    message: str | None = None
    request_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "leads": list(self.leads), "status": self.status, "code": self.code,
                "message": self.message, "requestId": self.request_id}


@dataclass
class OperationResult:
    """What was sent (or would be, with ``dry_run``) and what became of each call."""

    operation: str                 # "trigger" | "schedule"
    campaign: CampaignTarget
    tokens: dict[str, str]
    leads: list[int] = field(default_factory=list)
    run_at: str | None = None
    clone_to_program_name: str | None = None
    batches: list[BatchResult] = field(default_factory=list)
    dry_run: bool = False
    #: With ``cloneToProgramName``: the campaign Marketo scheduled in the new program.
    scheduled_campaign_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.dry_run or all(b.status == SENT for b in self.batches)

    def leads_with(self, status: str) -> list[int]:
        return [lead for b in self.batches if b.status == status for lead in b.leads]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": RESULT_FORMAT_VERSION, "operation": self.operation, "dry_run": self.dry_run,
            "ok": self.ok,
            "campaign": {"id": self.campaign.id, "name": self.campaign.name, "path": self.campaign.path},
            "leads": list(self.leads), "tokens": _wrapped(self.tokens), "runAt": self.run_at,
            "cloneToProgramName": self.clone_to_program_name,
            "scheduledCampaignId": self.scheduled_campaign_id,
            "batches": [b.to_dict() for b in self.batches],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _record_failure(batch: BatchResult, error: ApiError) -> None:
    batch.status = UNKNOWN if isinstance(error, OutcomeUnknown) else FAILED
    batch.code, batch.message, batch.request_id = error.code, error.message, error.request_id


def send_trigger(api: OperationsApi, request: TriggerRequest, *, dry_run: bool = False) -> OperationResult:
    """One call per batch of 100; stop at the first call that is not known to have worked.

    Nothing is ever resent: after an unknown outcome the remaining batches stay unsent, so
    that no lead can get the email twice.
    """
    result = OperationResult("trigger", request.campaign, dict(request.tokens), leads=list(request.leads),
                             dry_run=dry_run,
                             batches=[BatchResult(n, b) for n, b in enumerate(request.batches, start=1)])
    if dry_run:
        return result
    for batch in result.batches:
        try:
            accepted = api.request_campaign(request.campaign.id, leads=batch.leads, tokens=request.tokens or None)
        except ApiError as error:
            _record_failure(batch, error)
            break
        except KeyboardInterrupt:  # the call may have gone out: report it, do not lose the others
            batch.status, batch.message = UNKNOWN, "interrupted while the call was in flight"
            break
        batch.status = SENT
        batch.request_id = getattr(accepted, "request_id", None)
    return result


def send_schedule(api: OperationsApi, request: ScheduleRequest, *, dry_run: bool = False,
                  clock: Clock = utc_now) -> OperationResult:
    """One call. A relative ``runAt`` is measured from now, and checked again just before sending
    (the confirmation may have taken minutes)."""
    run_at = check_run_at(request.run_at, clock()) if request.run_at is not None else None
    result = OperationResult("schedule", request.campaign, dict(request.tokens),
                             run_at=iso(run_at) if run_at else None,
                             clone_to_program_name=request.clone_to_program_name, dry_run=dry_run,
                             batches=[BatchResult(1, [])])
    if dry_run:
        return result
    batch = result.batches[0]
    try:
        accepted = api.schedule_campaign(request.campaign.id, run_at=result.run_at,
                                         tokens=request.tokens or None,
                                         clone_to_program_name=request.clone_to_program_name)
    except ApiError as error:
        _record_failure(batch, error)
        return result
    batch.status = SENT
    batch.request_id = getattr(accepted, "request_id", None)
    if request.clone_to_program_name:
        result.scheduled_campaign_id = getattr(accepted, "campaign_id", None)
    return result


# -- text for people -----------------------------------------------------------------------------


def _token_lines(tokens: Mapping[str, str], unchecked: bool) -> list[str]:
    if not tokens:
        return ["  tokens:   none (the program's My Tokens apply)"]
    note = " (names NOT checked: --allow-unknown-tokens)" if unchecked else ""
    lines = [f"  tokens:   {len(tokens)}{note}"]
    lines += [f"    {{{{my.{name}}}}} = {json.dumps(value, ensure_ascii=False)}" for name, value in tokens.items()]
    return lines


def describe_trigger(request: TriggerRequest) -> str:
    """Exactly what will be sent, for the confirmation."""
    batches = request.batches
    sizes = " + ".join(str(len(b)) for b in batches)
    lines = [f"Request campaign {request.campaign.label}",
             f"  leads:    {len(request.leads)} in {len(batches)} request{'s' if len(batches) != 1 else ''}"
             + (f" ({sizes})" if len(batches) > 1 else "")
             + (f"; {request.duplicates} duplicate{'s' if request.duplicates != 1 else ''} removed"
                if request.duplicates else "")]
    shown = ", ".join(map(str, request.leads[:10])) + (" …" if len(request.leads) > 10 else "")
    lines.append(f"  lead ids: {shown}")
    lines += _token_lines(request.tokens, request.unchecked_tokens)
    lines.append("Each person in these leads may receive the campaign's email now.")
    return "\n".join(lines) + "\n"


def describe_schedule(request: ScheduleRequest, now: datetime) -> str:
    when = "in about 5 minutes (Marketo's default)"
    if request.run_at is not None:
        moment = request.run_at.at(now)
        when = f"{iso(moment)}" + (f" ({request.run_at.text} from when it is sent)" if request.run_at.relative
                                   else "")
    lines = [f"Schedule campaign {request.campaign.label}", f"  run at:   {when}"]
    if request.clone_to_program_name:
        lines.append(f"  clone the program as {request.clone_to_program_name!r} and schedule the copy "
                     "(20 per day)")
    lines += _token_lines(request.tokens, request.unchecked_tokens)
    lines.append("The campaign will run for everyone its smart list qualifies.")
    return "\n".join(lines) + "\n"


def render_result(result: OperationResult) -> str:
    """The outcome, call by call; an unknown outcome says what to do."""
    if result.dry_run:
        return "Dry run: everything checked, nothing was sent.\n"
    lines = []
    for batch in result.batches:
        what = f"{len(batch.leads)} leads" if result.operation == "trigger" else "schedule"
        detail = f": {batch.code} {batch.message}" if batch.code else ""
        rid = f" [requestId {batch.request_id}]" if batch.request_id else ""
        lines.append(f"  call {batch.number} ({what}): {batch.status}{detail}{rid}")
    sent = result.leads_with(SENT)
    if result.operation == "trigger":
        lines.append(f"{len(sent)} of {len(result.leads)} leads sent to campaign {result.campaign.label}.")
    elif result.ok:
        lines.append(f"Campaign {result.campaign.label} scheduled for {result.run_at or 'about 5 minutes from now'}.")
        if result.scheduled_campaign_id is not None:
            lines.append(f"Marketo scheduled campaign id {result.scheduled_campaign_id} in the new program "
                         f"{result.clone_to_program_name!r}.")
    unknown = [b for b in result.batches if b.status == UNKNOWN]
    if unknown:
        ids = result.leads_with(UNKNOWN)
        lines.append("OUTCOME UNKNOWN: the call was sent but its answer was lost; Marketo may have run it. "
                     "It was NOT resent. Check the campaign's Results in Marketo before sending again"
                     + (f" (leads: {', '.join(map(str, ids[:20]))}{' …' if len(ids) > 20 else ''})." if ids else "."))
    unsent = result.leads_with(NOT_SENT)
    if unsent and not result.dry_run:
        lines.append(f"{len(unsent)} leads were not sent (stopped after the first call that did not succeed).")
    return "\n".join(lines) + "\n"
