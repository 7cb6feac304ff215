"""Send a prepared request and record what became of each call, never resending.

After a lost answer (``OutcomeUnknown``) the remaining batches stay unsent, so that no lead
can get the email twice; the result says which calls are known to have worked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marketo_sync.client.protocols import OperationsApi
from marketo_sync.errors import ApiError, OutcomeUnknown
from marketo_sync.operations.prepare import ScheduleRequest, TriggerRequest
from marketo_sync.operations.run_at import Clock, check_run_at, iso, utc_now
from marketo_sync.operations.target import CampaignTarget

#: Version of the JSON result document.
RESULT_FORMAT_VERSION = 1

SENT = "sent"
UNKNOWN = "outcome unknown"
FAILED = "failed"
NOT_SENT = "not sent"


def _wrapped(tokens: Mapping[str, str]) -> dict[str, str]:
    return {"{{my." + name + "}}": value for name, value in tokens.items()}


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
