"""The apply workflow: get the plan, refuse what must not run, execute, read back.

Order of the steps, each before the next (``commands/apply.py`` supplies the two
interactive pieces, showing the plan and asking for ``yes``, as callbacks):

1. plan now, or load ``planfile`` (checksum verified) and refuse another environment/instance;
2. show the plan; stop when it has no changes;
3. refuse an unsafe plan (``allow_delete``, ``force``; without ``force`` also one whose calls
   exceed ``safety.max_daily_share`` of ``limits.daily_quota`` less today's usage, read once
   from ``stats/usage.json`` where the instance offers it), then ask for approval;
4. re-read what the plan observed and refuse a stale plan (zero writes); a plan made by this
   run moments ago (``FRESH_SECONDS``, so not after a long wait for approval) is not re-read;
5. run the changes with a journal under ``<state dir>/journal/``; read back; the receipt.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from marketo_sync.apply.applier import Applier
from marketo_sync.apply.journal import DEFAULT_KEEP, Journal, prune
from marketo_sync.apply.preflight import check_quota, check_target, fresh_preflight, preflight
from marketo_sync.apply.progress import ProgressEvent
from marketo_sync.apply.receipt import Receipt
from marketo_sync.apply.verify import verify
from marketo_sync.config import Safety
from marketo_sync.desired.model import DesiredState
from marketo_sync.errors import ApplyInterrupted, PlanError
from marketo_sync.plan.plan import Plan
from marketo_sync.remote import memory, strategy
from marketo_sync.workflows.plan import build_plan
from marketo_sync.workflows.session import Session

#: Told of every change started and finished (:mod:`marketo_sync.apply.progress`).
Progress = Callable[[ProgressEvent], None]


#: A plan made by this run and approved within this many seconds is applied without re-reading
#: what it observed (its reads are that fresh); after a longer wait for a human, it is re-read.
FRESH_SECONDS = 60.0

@dataclass(frozen=True, kw_only=True)
class ApplyOptions:
    """What the user allowed, and where journals go."""

    allow_delete: bool = False
    force: bool = False
    allow_replace: bool = False
    safety: Safety = Safety()
    state_dir: Path = Path(".marketo-sync")
    #: Journals kept after a successful apply (the project file's ``journals.keep``).
    keep_journals: int = DEFAULT_KEEP


def load_plan_file(path: Path) -> Plan:
    """A plan saved by ``plan --out``; its checksum is verified."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlanError(f"cannot read the plan file {path}: {error.strerror or error}") from error
    return Plan.from_json(text)


def get_plan(session: Session, *, desired: DesiredState | None, planfile: Path | None,
             allow_replace: bool = False, targets: Sequence[str] = (), narrowed: bool = False,
             checksum: str | None = None) -> Plan:
    """Plan now from ``desired``, or load ``planfile`` and refuse it for another instance.

    ``checksum`` (``apply --checksum``): refuse unless the plan's changes checksum is this one,
    the one the reviewed pull request's comment showed.
    """
    plan = _get_plan(session, desired=desired, planfile=planfile, allow_replace=allow_replace,
                     targets=targets, narrowed=narrowed)
    if checksum is not None and plan.changes_checksum() != checksum.strip():
        raise PlanError(f"the plan's changes checksum is {plan.changes_checksum()}, not the reviewed "
                        f"{checksum.strip()}: the files or the instance changed since the review; "
                        "nothing was changed (plan again and review)")
    return plan


def _get_plan(session: Session, *, desired: DesiredState | None, planfile: Path | None,
              allow_replace: bool, targets: Sequence[str], narrowed: bool) -> Plan:
    if planfile is not None:
        plan = load_plan_file(planfile)
        check_target(plan, environment=session.environment, instance=session.instance)
        return plan
    if desired is None:
        raise PlanError("nothing to apply: neither campaign files nor a plan file were given")
    plan = build_plan(session, desired, allow_replace=allow_replace, targets=targets, narrowed=narrowed)
    return dataclasses.replace(plan, fresh=True, read_at=time.monotonic(),
                               cost=dataclasses.replace(plan.cost, inline=True))


def apply_plan(session: Session, plan: Plan, options: ApplyOptions, *,
               approve: Callable[[], None] | None = None, progress: Progress | None = None) -> Receipt:
    """Refuse an unsafe or stale plan (nothing written), ask ``approve``, execute, verify.

    ``approve`` raises to cancel (it is ``None`` for an auto-approved or saved plan).
    """
    if not plan.has_changes:
        return Receipt(environment=plan.environment, instance=plan.instance)
    plan.raise_if_unsafe(allow_delete=options.allow_delete, force=options.force,
                         max_share=options.safety.max_destructive_share,
                         min_managed=options.safety.min_managed)
    if not options.force:
        # the project's quota now, not the one a saved plan was priced with
        check_quota(dataclasses.replace(plan.cost, daily_quota=session.daily_quota),
                    max_share=options.safety.max_daily_share, read_usage=session.api.daily_usage)
    if approve is not None:
        approve()
    if plan.fresh and time.monotonic() - plan.read_at <= FRESH_SECONDS:
        fresh_preflight(plan)
    else:
        preflight(session.api, plan)
    return execute(session, plan, state_dir=options.state_dir, progress=progress, keep_journals=options.keep_journals)


def execute(session: Session, plan: Plan, *, state_dir: Path, progress: Progress | None = None,
            keep_journals: int = DEFAULT_KEEP) -> Receipt:
    """Run an approved, fresh plan with a journal; read back; the receipt. No prompts, no output.

    After a successful run, journals beyond the newest ``keep_journals`` are removed."""
    checksum = str(plan.to_document()["checksum"])
    receipt = Receipt(environment=plan.environment, instance=plan.instance, plan_checksum=checksum)
    workers = max(1, session.client.limits.concurrency)
    with Journal.create(state_dir, session.environment) as journal:
        receipt.journal = str(journal.path)
        journal.header(plan_checksum=checksum, plan_created_at=plan.created_at,
                       environment=session.environment, instance=session.instance,
                       changes=len(plan.changes))
        applier = Applier(session.api, plan, journal=journal, workers=workers, progress=progress)
        interrupted: KeyboardInterrupt | None = None
        try:
            receipt.outcomes = applier.run()
        except KeyboardInterrupt as error:  # Ctrl-C or SIGTERM: footer and receipt all the same
            interrupted = error
        finally:
            if not receipt.outcomes:  # interrupted: record what the applier knew
                receipt.outcomes = [applier.outcomes[c.key] for c in plan.changes if c.key in applier.outcomes]
            receipt.stopped = applier.stopped
            journal.footer(receipt.counts(), stopped=applier.stopped or None,
                           interrupted=applier.stopped.startswith("interrupted"))
        if interrupted is not None:
            raise ApplyInterrupted(receipt, interrupted)
        if applier.stopped:  # a stop class: the client sends nothing more, so nothing is read back
            return receipt
        remembered = plan.cost.instance_campaigns
        if remembered is None and session.state_dir is not None:
            remembered = memory.recall(session.state_dir, session.instance)
        receipt.verified, receipt.differences = verify(
            session.api, receipt.outcomes,
            read_folders=lambda refs: strategy.read_folders(session.api, refs, remembered_campaigns=remembered,
                                                            concurrency=workers))
        if receipt.differences:
            journal.write({"type": "verification", "differences": [d.data for d in receipt.differences]})
    if receipt.ok:
        prune(state_dir, keep_journals)
    return receipt
