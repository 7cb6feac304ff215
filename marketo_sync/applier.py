"""Execute a :class:`~marketo_sync.plan.Plan`: exactly its changes, in its order, losing nothing.

Apply decides nothing on its own (issue 5): every call it makes is described by a change of
the plan. What it adds is care around those calls:

* **Preflight** (:func:`check_target`, :func:`preflight`): a plan runs only on the
  environment and instance it was made for, and only if a fresh read of every observed
  campaign and token still matches the plan's observations; otherwise :class:`StalePlan`
  before any write. A change whose target now reads as ``isSystem`` is refused too (the
  planner never plans one; this is defence in depth).
* **Phases and concurrency** (:class:`Applier`): phase after phase in the plan's order;
  the changes of a phase run concurrently on a pool as large as the client's concurrency
  limit (the client paces the calls itself). A change whose ``depends_on`` did not apply
  is skipped; ``target_from`` supplies the id a create/clone/replace produced.
* **Idempotency**: when the answer to a create or clone is lost (``OutcomeUnknown``), the
  parent folder is browsed for the name before trying once more, so a campaign is never
  created twice. An idempotent write that answers "already active" / "not found" after a
  dropped first attempt is settled by reading, not reported as failed.
* **Stop on exhausted budget**: a 607 (daily quota) or a failed authentication stops the
  run; what was not started is recorded as skipped ("not applied").
* **Journal**: every change is journalled as it starts and as it completes.
* **Verification** (:func:`verify`): after the run, what was applied is read back and
  compared with each change's ``verify``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Protocol

from marketo_sync.changes import (
    ActivateCampaign,
    CampaignChange,
    Change,
    CloneCampaign,
    CreateCampaign,
    DeactivateCampaign,
    DeleteCampaign,
    DeleteToken,
    ReplaceCampaign,
    SetToken,
    TokenChange,
    UpdateCampaign,
)
from marketo_sync.errors import (
    ApiError,
    AuthError,
    BusinessRuleError,
    NotFound,
    OutcomeUnknown,
    QuotaExhausted,
    StalePlan,
    TransportError,
    UnsafePlan,
)
from marketo_sync.journal import Journal
from marketo_sync.plan import Observation, Plan
from marketo_sync.receipt import APPLIED, FAILED, SKIPPED, UNKNOWN, Difference, Outcome, target_text
from marketo_sync.refs import FolderRef
from marketo_sync.remote import RemoteCampaign, normalise_description

log = logging.getLogger(__name__)


class WriteApi(Protocol):
    """The calls apply makes (implemented by ``marketo_sync.client.MarketoApi``)."""

    def browse_campaigns(self, folder: FolderRef) -> list[dict[str, Any]]: ...
    def get_campaign(self, campaign_id: int) -> dict[str, Any] | None: ...
    def get_tokens(self, folder: FolderRef) -> list[dict[str, Any]]: ...
    def create_campaign(self, *, name: str, folder: FolderRef,
                        description: str | None = None) -> dict[str, Any]: ...
    def clone_campaign(self, template_id: int, *, name: str, folder: FolderRef,
                       description: str | None = None) -> dict[str, Any]: ...
    def update_campaign(self, campaign_id: int, *, name: str | None = None,
                        description: str | None = None) -> dict[str, Any]: ...
    def delete_campaign(self, campaign_id: int) -> Any: ...
    def activate_campaign(self, campaign_id: int) -> Any: ...
    def deactivate_campaign(self, campaign_id: int) -> Any: ...
    def set_token(self, folder: FolderRef, *, name: str, type: str, value: str) -> Any: ...
    def delete_token(self, folder: FolderRef, *, name: str, type: str) -> Any: ...


# -- reading helpers (shared by preflight, idempotency checks and verification) -----------------

_SECRET = re.compile(r"(access_token|client_secret|client_id|Bearer)([=:\s]+)[^&\s'\"]+", re.IGNORECASE)


def scrub(text: str) -> str:
    """Defence in depth: no token or secret may reach the journal or the receipt."""
    return _SECRET.sub(r"\1\2***", text)


def _one(record: Any) -> dict[str, Any] | None:
    if isinstance(record, list):
        record = record[0] if record else None
    return dict(record) if isinstance(record, Mapping) and record else None


def _folder_of(record: Mapping[str, Any]) -> FolderRef | None:
    try:
        return FolderRef.parse(record.get("folder"))
    except (ValueError, TypeError, KeyError):
        return None


def _campaigns_in(api: WriteApi, folder: FolderRef) -> list[RemoteCampaign]:
    """Direct children of ``folder`` (a browse may include nested campaigns)."""
    return [RemoteCampaign.from_record(r) for r in api.browse_campaigns(folder) if _folder_of(r) == folder]


def _campaign(api: WriteApi, campaign_id: int) -> RemoteCampaign | None:
    record = _one(api.get_campaign(campaign_id))
    return RemoteCampaign.from_record(record) if record else None


def _tokens(api: WriteApi, folder: FolderRef) -> dict[str, dict[str, str]]:
    tokens: dict[str, dict[str, str]] = {}
    for entry in api.get_tokens(folder):
        items = entry.get("tokens") if isinstance(entry, Mapping) and "tokens" in entry else [entry]
        for token in items or []:
            tokens[str(token["name"])] = {"type": str(token.get("type", "")),
                                          "value": str(token.get("value", ""))}
    return tokens


def _real(folder: FolderRef) -> bool:
    """The planner uses id 0 for a container it could not resolve: read by id instead."""
    return folder.id != 0


def _differs(expected: Any, actual: Any, field_name: str) -> bool:
    if field_name == "description":
        return normalise_description(expected) != normalise_description(actual)
    if field_name == "type" and isinstance(expected, str) and isinstance(actual, str):
        return expected.strip().lower() != actual.strip().lower()
    return bool(expected != actual)


# -- preflight -------------------------------------------------------------------------------


def check_target(plan: Plan, *, environment: str, instance: str) -> None:
    """Refuse a saved plan made for another environment or instance."""
    if plan.environment != environment or plan.instance != instance:
        raise StalePlan(
            f"the plan was made for environment {plan.environment!r} on {plan.instance!r}, not for "
            f"{environment!r} on {instance!r}; run plan again for this environment")


@dataclass
class Preflight:
    """What the re-read found: campaigns by id, and every difference from the observations."""

    campaigns: dict[int, RemoteCampaign] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    reads: int = 0


def _compare_campaign(obs: Observation, now: RemoteCampaign | None, moved_from: FolderRef | None,
                      out: list[str]) -> None:
    where = f"{obs.folder}/{obs.name}"
    if now is None:
        out.append(f"{where} (id {obs.id}) no longer exists")
        return
    if moved_from is not None:
        out.append(f"{where} (id {obs.id}) moved to {now.folder}")
    current = now.fields()
    changed = [name for name, value in obs.fields.items()
               if name in current and _differs(value, current[name], name)]
    for name in changed:
        out.append(f"{where} (id {obs.id}): {name} was {obs.fields[name]!r}, is now {current[name]!r}")
    if not changed and obs.updated_at and now.updated_at and obs.updated_at != now.updated_at:
        out.append(f"{where} (id {obs.id}) was edited: updatedAt was {obs.updated_at}, is now {now.updated_at}")


def preflight(api: WriteApi, plan: Plan) -> Preflight:
    """Re-read what the plan observed; raise :class:`StalePlan` or :class:`UnsafePlan` before any write.

    One browse per affected folder, one get-by-id per observed campaign not found in its
    folder (pinned elsewhere, or gone), one token read per affected container.
    """
    result = Preflight()
    observations = list(plan.observations)
    by_folder: dict[FolderRef, list[RemoteCampaign]] = {}

    def folder_campaigns(ref: FolderRef) -> list[RemoteCampaign]:
        if ref not in by_folder:
            by_folder[ref] = _campaigns_in(api, ref)
            result.reads += 1
        return by_folder[ref]

    def by_id(campaign_id: int) -> RemoteCampaign | None:
        if campaign_id not in result.campaigns:
            result.reads += 1
            found = _campaign(api, campaign_id)
            if found is None:
                return None
            result.campaigns[campaign_id] = found
        return result.campaigns[campaign_id]

    for obs in observations:
        if obs.kind != "campaign":
            continue
        ref = FolderRef.parse(obs.folder_ref)
        here = folder_campaigns(ref) if _real(ref) else []
        for campaign in here:
            result.campaigns.setdefault(campaign.id, campaign)
        if not obs.exists:
            clash = next((c for c in here if c.name == obs.name), None)
            if clash is not None:
                result.differences.append(f"{obs.folder}/{obs.name} did not exist and now does (id {clash.id})")
            continue
        assert obs.id is not None
        in_folder = next((c for c in here if c.id == obs.id), None)
        if in_folder is not None:
            _compare_campaign(obs, in_folder, None, result.differences)
            continue
        now = by_id(obs.id)
        moved = ref if (now is not None and _real(ref) and now.folder != ref) else None
        _compare_campaign(obs, now, moved, result.differences)

    token_reads: dict[FolderRef, dict[str, dict[str, str]]] = {}
    for obs in observations:
        if obs.kind != "token":
            continue
        ref = FolderRef.parse(obs.folder_ref)
        if ref not in token_reads:
            token_reads[ref] = _tokens(api, ref)
            result.reads += 1
        current = token_reads[ref].get(obs.name)
        where = f"{obs.folder} {{{{my.{obs.name}}}}}"
        if obs.exists and current is None:
            result.differences.append(f"{where} no longer exists")
        elif not obs.exists and current is not None:
            result.differences.append(f"{where} did not exist and now does")
        elif current is not None and any(current.get(k) != v for k, v in obs.fields.items()):
            result.differences.append(f"{where} changed: was {dict(obs.fields)}, is now {current}")

    if result.differences:
        listed = "\n".join(f"  - {d}" for d in result.differences)
        raise StalePlan(f"the instance changed since the plan was made (nothing was applied):\n{listed}\n"
                        "Run plan again and review the new plan.")

    system = []
    for change in plan.campaign_changes():
        ids = [change.campaign.id, getattr(getattr(change, "source", None), "id", None)]
        for campaign_id in (i for i in ids if i is not None):
            campaign = result.campaigns.get(campaign_id) or by_id(campaign_id)
            if campaign is not None and campaign.is_system:
                system.append(f"{change.key} (id {campaign_id})")
    if system:
        raise UnsafePlan("the plan changes system campaigns, which marketo-sync never touches "
                         f"(nothing was applied): {', '.join(system)}")
    return result


# -- execution -------------------------------------------------------------------------------

#: Exceptions after which no further change is started (retrying cannot help).
FATAL: tuple[type[ApiError], ...] = (QuotaExhausted, AuthError)


def _creates(change: Change) -> bool:
    """Changes that produce a campaign (and its id) rather than act on one."""
    return isinstance(change, CreateCampaign | CloneCampaign | ReplaceCampaign)


def _campaign_id(record: Any) -> int | None:
    found = _one(record)
    if found is None or found.get("id") is None:
        return None
    return int(found["id"])


class Applier:
    """Runs the changes of one plan; see the module docstring. One instance per run."""

    def __init__(self, api: WriteApi, plan: Plan, *, journal: Journal | None = None, workers: int = 1,
                 progress: Callable[[str], None] | None = None) -> None:
        self.api = api
        self.plan = plan
        self.journal = journal
        self.workers = max(1, int(workers))
        self.progress = progress
        self.outcomes: dict[str, Outcome] = {}
        self.stopped = ""
        self._lock = threading.Lock()
        self._started = 0
        self._running: dict[Future[Outcome], Change] = {}

    # -- orchestration ---------------------------------------------------------------------
    def run(self) -> list[Outcome]:
        """Every change of the plan, each with exactly one outcome, in plan order."""
        phases: dict[int, list[Change]] = {}
        for change in self.plan.changes:
            phases.setdefault(change.ORDER, []).append(change)
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="apply")
        try:
            for order in sorted(phases):
                self._run_phase(pool, phases[order])
        except BaseException:
            self.stop("interrupted")
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            for future, change in list(self._running.items()):  # only after an interruption
                if future.done() and not future.cancelled():
                    self._finish(future.result())
                else:
                    self._finish(Outcome(change, UNKNOWN, message="interrupted while running"))
            for change in self.plan.changes:
                if change.key not in self.outcomes:
                    self._finish(Outcome(change, SKIPPED, message=f"not applied: {self.stopped or 'not reached'}"))
        return [self.outcomes[c.key] for c in self.plan.changes]

    def stop(self, reason: str) -> None:
        with self._lock:
            if not self.stopped:
                self.stopped = reason

    def _run_phase(self, pool: ThreadPoolExecutor, changes: list[Change]) -> None:
        pending = list(changes)
        running = self._running
        while pending or running:
            waiting = {c.key for c in pending} | {c.key for c in running.values()}
            for change in list(pending):
                if len(running) >= self.workers:
                    break  # submit no more than can run: a stop must not leave queued work behind
                if any(dep in waiting for dep in change.depends_on):
                    continue  # a dependency inside this phase has not completed yet
                pending.remove(change)
                blocked = self._blocked(change)
                if blocked is not None:
                    self._finish(blocked)
                    continue
                self._begin(change)
                running[pool.submit(self._execute, change)] = change
            if not running:
                for change in pending:  # only a dependency cycle can leave these
                    self._finish(Outcome(change, SKIPPED, message="dependency cycle in the plan"))
                return
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                change = running.pop(future)
                self._finish(future.result())

    def _blocked(self, change: Change) -> Outcome | None:
        """Skip when stopped, when a dependency did not apply, or when there is no id to act on."""
        if self.stopped:
            return Outcome(change, SKIPPED, message=f"not applied: {self.stopped}")
        for dep in change.depends_on:
            outcome = self.outcomes.get(dep)
            if outcome is None:
                return Outcome(change, SKIPPED, message=f"depends on {dep}, which is not in the plan")
            if outcome.status != APPLIED:
                return Outcome(change, SKIPPED, message=f"depends on {dep}, which {outcome.status_text}")
        if isinstance(change, CampaignChange) and not _creates(change) and self._target_id(change) is None:
            return Outcome(change, SKIPPED, message=f"no campaign id: {change.target_from or 'none'} did not "
                                                    "produce one")
        return None

    def _target_id(self, change: CampaignChange) -> int | None:
        if change.campaign.id is not None or _creates(change):
            return change.campaign.id
        produced = self.outcomes.get(change.target_from or "")
        return produced.id if produced is not None else None

    def _begin(self, change: Change) -> None:
        with self._lock:
            self._started += 1
            number = self._started
        if self.progress is not None:
            self.progress(f"change {number} of {len(self.plan.changes)}: {change.ACTION} {target_text(change)}")
        self._journal(Outcome(change, "started", id=getattr(getattr(change, "campaign", None), "id", None)))

    def _finish(self, outcome: Outcome) -> None:
        with self._lock:
            if outcome.key in self.outcomes:
                return
            self.outcomes[outcome.key] = outcome
        self._journal(outcome)

    def _journal(self, outcome: Outcome) -> None:
        if self.journal is None:
            return
        change = outcome.change
        self.journal.change(
            key=change.key, action=change.ACTION, status=outcome.status,
            campaign=change.campaign.as_dict() if isinstance(change, CampaignChange) else None,
            token=change.token.as_dict() if isinstance(change, TokenChange) else None,
            id=outcome.id, code=outcome.code, message=outcome.message, note=outcome.note)

    # -- one change ------------------------------------------------------------------------
    def _execute(self, change: Change) -> Outcome:
        campaign_id = self._target_id(change) if isinstance(change, CampaignChange) else None
        try:
            return self._do(change, campaign_id)
        except FATAL as error:
            self.stop(f"Marketo error {error.code}: {error.message}")
            return Outcome(change, FAILED, id=campaign_id, code=error.code, message=scrub(error.message))
        except ApiError as error:
            return Outcome(change, FAILED, id=campaign_id, code=error.code, message=scrub(error.message))
        except Exception as error:  # a bug must not lose the record of the other changes
            log.exception("unexpected error while applying %s", change.key)
            return Outcome(change, FAILED, id=campaign_id, message=scrub(f"{type(error).__name__}: {error}"))

    def _do(self, change: Change, campaign_id: int | None) -> Outcome:
        api = self.api
        if isinstance(change, SetToken):
            after = dict(change.after or {})
            return self._idempotent(change, None, lambda: api.set_token(
                change.token.folder_ref, name=change.token.name, type=str(after["type"]),
                value=str(after["value"])))
        if isinstance(change, DeleteToken):
            kind = str((change.before or {}).get("type", ""))
            return self._idempotent(change, None, lambda: api.delete_token(
                change.token.folder_ref, name=change.token.name, type=kind))
        assert isinstance(change, CampaignChange)
        after = dict(change.after or {})
        ref = change.campaign
        if isinstance(change, CreateCampaign):
            return self._create(change, lambda: api.create_campaign(
                name=ref.name, folder=ref.folder_ref, description=after.get("description")))
        if isinstance(change, CloneCampaign | ReplaceCampaign):
            source = change.template if isinstance(change, CloneCampaign) else change.source
            assert source.id is not None
            return self._create(change, lambda: api.clone_campaign(
                source.id, name=ref.name, folder=ref.folder_ref, description=after.get("description")))
        assert campaign_id is not None
        if isinstance(change, UpdateCampaign):
            return self._idempotent(change, campaign_id, lambda: api.update_campaign(
                campaign_id, name=after.get("name"), description=after.get("description")))
        if isinstance(change, ActivateCampaign):
            return self._idempotent(change, campaign_id, lambda: api.activate_campaign(campaign_id))
        if isinstance(change, DeactivateCampaign):
            return self._idempotent(change, campaign_id, lambda: api.deactivate_campaign(campaign_id))
        if isinstance(change, DeleteCampaign):
            return self._idempotent(change, campaign_id, lambda: api.delete_campaign(campaign_id))
        raise TypeError(f"apply does not know how to run {change.ACTION!r}")

    def _find(self, change: CampaignChange) -> int | None:
        ref = change.campaign
        found = next((c for c in _campaigns_in(self.api, ref.folder_ref) if c.name == ref.name), None)
        return found.id if found is not None else None

    def _create(self, change: CampaignChange, call: Callable[[], Any]) -> Outcome:
        """A non-idempotent write: after a lost answer, look by (parent, name) before trying again."""
        last: ApiError | None = None
        for attempt in (1, 2):
            try:
                created = _campaign_id(call())
                if created is None:  # an answer without an id: find it rather than guess
                    created = self._find(change)
                if created is None:
                    return Outcome(change, UNKNOWN, message="Marketo answered without a campaign id")
                return Outcome(change, APPLIED, id=created)
            except (OutcomeUnknown, TransportError) as error:
                last = error
            except BusinessRuleError as error:
                if attempt == 1:
                    raise
                last = error  # the first, unknown attempt may have created it after all
            try:
                found = self._find(change)
            except FATAL:
                raise
            except ApiError as error:
                return Outcome(change, UNKNOWN, code=last.code, message=scrub(
                    f"{last.message}; the look-up by name failed too ({error.code}: {error.message})"))
            if found is not None:
                return Outcome(change, APPLIED, id=found, note=f"found by name after an unknown outcome "
                                                               f"({last.code}: {scrub(last.message)})")
            log.info("%s: not created after an unknown outcome; trying once more", change.key)
        assert last is not None
        status = UNKNOWN if isinstance(last, OutcomeUnknown) else FAILED
        return Outcome(change, status, code=last.code, message=scrub(last.message))

    def _idempotent(self, change: Change, campaign_id: int | None, call: Callable[[], Any]) -> Outcome:
        """A write that is safe to repeat: an odd answer is settled by reading what is there.

        After a lost answer (``OutcomeUnknown``) that a read shows did not take effect, the
        write is sent once more; a 709 "already active" or 702 "not found" to that second
        attempt is again settled by reading.
        """
        for attempt in (1, 2):
            try:
                call()
                note = "sent again after a lost answer" if attempt == 2 else ""
                return Outcome(change, APPLIED, id=campaign_id, note=note)
            except (BusinessRuleError, NotFound, OutcomeUnknown, TransportError) as error:
                try:
                    holds: bool | None = not check(self.api, change, campaign_id)
                except FATAL:
                    raise
                except ApiError:
                    holds = None  # could not read: the outcome stays unknown
                if holds:
                    return Outcome(change, APPLIED, id=campaign_id,
                                   note=f"confirmed by reading after Marketo answered {error.code}: "
                                        f"{scrub(error.message)}")
                if not isinstance(error, OutcomeUnknown):
                    raise
                if holds is None:
                    return Outcome(change, UNKNOWN, id=campaign_id, code=error.code,
                                   message=scrub(error.message))
                if attempt == 2:
                    return Outcome(change, FAILED, id=campaign_id, code=error.code, message=scrub(
                        f"the answer was lost twice and a read shows the change did not take effect "
                        f"({error.message})"))
                log.info("%s: not in effect after a lost answer; sending it again", change.key)
        raise AssertionError("unreachable")


# -- verification ----------------------------------------------------------------------------


def check(api: WriteApi, change: Change, campaign_id: int | None) -> list[Difference]:
    """Read one change's target and compare with its ``verify`` (used to settle odd answers)."""
    if isinstance(change, TokenChange):
        current = _tokens(api, change.token.folder_ref).get(change.token.name)
        return _compare(target_text(change), dict(change.verify), current, (change.key,))
    assert campaign_id is not None
    now = _campaign(api, campaign_id)
    return _compare(target_text(change, campaign_id), dict(change.verify),
                    now.fields() if now is not None else None, (change.key,))


def _compare(target: str, expected: Mapping[str, Any], actual: Mapping[str, Any] | None,
             keys: tuple[str, ...]) -> list[Difference]:
    if expected.get("exists") is False:
        return [] if actual is None else [Difference(target, "exists", False, True, keys)]
    if actual is None:
        return [Difference(target, "exists", True, False, keys)]
    return [Difference(target, name, value, actual.get(name), keys)
            for name, value in expected.items()
            if name != "exists" and _differs(value, actual.get(name), name)]


@dataclass
class _Expected:
    target: str
    folder: FolderRef
    verify: dict[str, Any] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)


def verify(api: WriteApi, outcomes: Iterable[Outcome]) -> tuple[int, list[Difference]]:
    """Read back every applied change; returns (items read back, differences).

    Later changes of one campaign override earlier ones (a clone reads back inactive only
    until its activation), so the expectation is merged per campaign id in plan order. Reads:
    one browse per affected folder, one get-by-id for campaigns not found there, one token
    read per affected container.
    """
    campaigns: dict[int, _Expected] = {}
    tokens: dict[tuple[FolderRef, str], _Expected] = {}
    for outcome in outcomes:
        if outcome.status != APPLIED:
            continue
        change = outcome.change
        if isinstance(change, TokenChange):
            entry = tokens.setdefault((change.token.folder_ref, change.token.name),
                                      _Expected(target_text(change), change.token.folder_ref))
            entry.verify = dict(change.verify)
            entry.keys.append(change.key)
            continue
        assert isinstance(change, CampaignChange)
        campaign_id = outcome.id if outcome.id is not None else change.campaign.id
        if campaign_id is None:
            continue
        entry = campaigns.setdefault(campaign_id, _Expected(target_text(change, campaign_id),
                                                            change.campaign.folder_ref))
        if change.verify.get("exists") is False:
            entry.verify = {"exists": False}
        else:
            entry.verify.update(change.verify)
        entry.keys.append(change.key)

    differences: list[Difference] = []
    browsed: dict[FolderRef, dict[int, RemoteCampaign]] = {}
    for campaign_id, entry in campaigns.items():
        keys = tuple(entry.keys)
        try:
            if _real(entry.folder) and entry.folder not in browsed:
                browsed[entry.folder] = {c.id: c for c in _campaigns_in(api, entry.folder)}
            now = browsed.get(entry.folder, {}).get(campaign_id)
            if now is None:
                now = _campaign(api, campaign_id)
        except ApiError as error:
            differences.append(Difference(entry.target, "read back", "readable",
                                          scrub(f"{error.code}: {error.message}"), keys))
            continue
        differences.extend(_compare(entry.target, entry.verify, now.fields() if now else None, keys))

    read_tokens: dict[FolderRef, dict[str, dict[str, str]]] = {}
    for (folder, name), entry in tokens.items():
        keys = tuple(entry.keys)
        try:
            if folder not in read_tokens:
                read_tokens[folder] = _tokens(api, folder)
        except ApiError as error:
            differences.append(Difference(entry.target, "read back", "readable",
                                          scrub(f"{error.code}: {error.message}"), keys))
            continue
        differences.extend(_compare(entry.target, entry.verify, read_tokens[folder].get(name), keys))
    return len(campaigns) + len(tokens), differences
