"""Execute a :class:`~marketo_sync.plan.Plan`: exactly its changes, in its order, losing nothing.

Apply decides nothing on its own: every call it makes is described by a change of
the plan. What it adds is care around those calls:

* **Preflight** (:mod:`marketo_sync.apply.preflight`: :func:`check_target`, :func:`preflight`): a
  plan runs only on the environment and instance it was made for, and only if a fresh read
  of every observed campaign and token still matches the plan's observations; otherwise
  :class:`StalePlan` before any write. A change whose target now reads as ``isSystem`` is
  refused too (the planner never plans one; this is defence in depth).
* **Phases and concurrency** (:class:`Applier`): phase after phase in the plan's order;
  the changes of a phase run concurrently on a pool as large as the client's concurrency
  limit (the client paces the calls itself). A change whose ``depends_on`` did not apply
  is skipped; ``target_from`` supplies the id a create/clone/replace produced.
* **Idempotency**: when the answer to a create or clone is lost (``OutcomeUnknown``), the
  parent folder is browsed for the name before trying once more, so a campaign is never
  created twice. An idempotent write that answers "already active" / "not found" after a
  dropped first attempt is settled by reading, not reported as failed.
* **Stop classes**: a 607 (daily quota), a failed authentication or an unreachable instance
  (no connection after the bounded retries of one call) stops the run: no new change starts,
  no settling read is made (the client sends nothing more), what was not started is recorded
  as skipped ("not applied") and what was in flight as unknown.
* **Journal**: every change is journalled as it starts and as it completes.
* **Verification** (:mod:`marketo_sync.apply.verify`: :func:`verify`): after the run, what was
  applied is read back and compared with each change's ``verify``.

This module is the execution; preflight and verification live in their own modules.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, cast

from marketo_sync.apply.flows import apply_flow
from marketo_sync.apply.journal import Journal
from marketo_sync.apply.programs import Binder, Unbound, run_container
from marketo_sync.apply.progress import FINISHED, STARTED, ProgressEvent
from marketo_sync.apply.reads import WriteApi, campaigns_in
from marketo_sync.apply.receipt import APPLIED, FAILED, SKIPPED, UNKNOWN, Outcome, scrub
from marketo_sync.apply.verify import check
from marketo_sync.client.protocols import ProgramWriteApi
from marketo_sync.errors import (
    ApiError,
    AuthError,
    BusinessRuleError,
    NotFound,
    OutcomeUnknown,
    QuotaExhausted,
    RunHalted,
    TransportError,
    halts_the_run,
)
from marketo_sync.plan.changes import (
    ActivateCampaign,
    CampaignChange,
    Change,
    CloneCampaign,
    ContainerChange,
    CreateCampaign,
    DeactivateCampaign,
    DeleteCampaign,
    DeleteToken,
    EditFlow,
    ReplaceCampaign,
    SetToken,
    TokenChange,
    UpdateCampaign,
    target_text,
)
from marketo_sync.plan.plan import Plan

log = logging.getLogger(__name__)

# -- execution -------------------------------------------------------------------------------

def stop_reason(error: ApiError) -> str:
    """Why the run stops, in the receipt's words ("" when ``error`` is no stop class)."""
    if not halts_the_run(error):
        return ""
    if isinstance(error, QuotaExhausted):
        return f"the daily API quota is used up (Marketo error {error.code})"
    if isinstance(error, AuthError):
        return f"authentication failed (Marketo error {error.code}: {scrub(error.message)})"
    if isinstance(error, RunHalted):
        return scrub(error.message)
    return f"the instance is unreachable ({scrub(error.message)})"


def _creates(change: Change) -> bool:
    """Changes that produce a campaign (and its id) rather than act on one."""
    return isinstance(change, CreateCampaign | CloneCampaign | ReplaceCampaign)


def _campaign_id(record: Mapping[str, Any]) -> int | None:
    """The id in a create or clone answer (None when Marketo answered without one)."""
    return int(record["id"]) if record.get("id") is not None else None


class Applier:
    """Runs the changes of one plan; see the module docstring. One instance per run."""

    def __init__(self, api: WriteApi, plan: Plan, *, journal: Journal | None = None, workers: int = 1,
                 progress: Callable[[ProgressEvent], None] | None = None) -> None:
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
        self.binder = Binder(api, plan)

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
        except BaseException as error:  # Ctrl-C, SIGTERM (cli.Terminated says which in its text)
            self.stop(f"interrupted ({error})" if str(error) else "interrupted")
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
        if isinstance(change, CampaignChange) and not _creates(change) and self._target_id(change) is None \
                and not self.binder.is_brought(change):
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
            self.progress(ProgressEvent(STARTED, number, len(self.plan.changes), change.ACTION, target_text(change)))
        self._journal(Outcome(change, "started", id=getattr(getattr(change, "campaign", None), "id", None)))

    def _finish(self, outcome: Outcome) -> None:
        with self._lock:
            if outcome.key in self.outcomes:
                return
            self.outcomes[outcome.key] = outcome
            done = len(self.outcomes)
        self._journal(outcome)
        if self.progress is not None:
            change = outcome.change
            self.progress(ProgressEvent(FINISHED, done, len(self.plan.changes), change.ACTION, target_text(change)))

    def _journal(self, outcome: Outcome) -> None:
        if self.journal is None:
            return
        change = outcome.change
        self.journal.change(
            key=change.key, action=change.ACTION, status=outcome.status,
            campaign=change.campaign.as_dict() if isinstance(change, CampaignChange)
            else change.container.as_dict() if isinstance(change, ContainerChange) else None,
            token=change.token.as_dict() if isinstance(change, TokenChange) else None,
            id=outcome.id, code=outcome.code, message=outcome.message, note=outcome.note)

    # -- one change ------------------------------------------------------------------------
    def _execute(self, change: Change) -> Outcome:
        try:
            change = self.binder.bind(change, self.outcomes)
        except Unbound as error:
            return Outcome(change, FAILED, message=str(error))
        except ApiError as error:
            return Outcome(change, FAILED, code=error.code, message=scrub(f"could not bind: {error.message}"))
        campaign_id = self._target_id(change) if isinstance(change, CampaignChange) else None
        try:
            if isinstance(change, ContainerChange):
                return run_container(cast(ProgramWriteApi, self.api), change)
            return self._do(change, campaign_id)
        except ApiError as error:
            reason = stop_reason(error)
            if not reason:
                return Outcome(change, FAILED, id=campaign_id, code=error.code, message=scrub(error.message))
            first = not self.stopped
            self.stop(reason)
            if first and isinstance(error, QuotaExhausted | AuthError):  # refused: nothing was done
                return Outcome(change, FAILED, id=campaign_id, code=error.code, message=scrub(error.message))
            return Outcome(change, UNKNOWN, id=campaign_id, code=error.code,
                           message=f"in flight when the run stopped: {reason}; not confirmed by a read")
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
            source_id = source.id
            if source_id is None:
                raise TypeError(f"{change.key}: the plan names no campaign to clone from")
            return self._create(change, lambda: api.clone_campaign(
                source_id, name=ref.name, folder=ref.folder_ref, description=after.get("description")))
        assert campaign_id is not None
        if isinstance(change, EditFlow):
            return apply_flow(api, change, campaign_id)
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
        found = next((c for c in campaigns_in(self.api, ref.folder_ref) if c.name == ref.name), None)
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
            if halts_the_run(last):
                raise last  # no look-up: nothing more is sent after a stop class
            try:
                found = self._find(change)
            except ApiError as error:
                if halts_the_run(error):
                    raise
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
                if halts_the_run(error):
                    raise  # no settling read: nothing more is sent after a stop class
                try:
                    holds: bool | None = not check(self.api, change, campaign_id)
                except ApiError as read_error:
                    if halts_the_run(read_error):
                        raise
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
