"""Validate a trigger or schedule completely (local checks first, then reads) into a request.

Everything that can be checked is checked before the first write, because the writes
email real people and are not idempotent; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from marketo_sync.client.protocols import OperationsApi
from marketo_sync.operations.errors import OperationError
from marketo_sync.operations.leads import LeadInput, check_leads_exist, lead_batches, resolve_emails
from marketo_sync.operations.run_at import Clock, RunAt, check_run_at, parse_run_at, utc_now
from marketo_sync.operations.target import (
    CampaignTarget,
    check_requestable,
    check_schedulable,
    resolve_campaign,
)
from marketo_sync.operations.tokens import check_token_count, check_tokens_exist

#: ``cloneToProgramName`` is a program name: at most 255 characters.
MAX_CLONE_NAME = 255


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


def prepare_trigger(api: OperationsApi, *, campaign_id: int | None = None, campaign_path: str | None = None,
                    leads: LeadInput, tokens: Mapping[str, str], allow_unknown_tokens: bool = False,
                    problems: Sequence[str] = (), workspace: str | None = None) -> TriggerRequest:
    """Validate everything (local checks first, then reads); nothing is written."""
    reasons = list(problems) + check_token_count(tokens)
    if not leads.ids and not leads.emails and not problems:
        reasons.append("no leads given: use --lead ID, --lead-email EMAIL or --leads-file FILE")
    if reasons:
        raise OperationError(reasons)
    target = resolve_campaign(api, campaign_id=campaign_id, path=campaign_path, workspace=workspace)
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
                     clock: Clock = utc_now, workspace: str | None = None) -> ScheduleRequest:
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
    target = resolve_campaign(api, campaign_id=campaign_id, path=campaign_path, workspace=workspace)
    check_schedulable(target)
    if clone_to_program_name and target.program_id is None:
        raise OperationError(f"--clone-to-program needs a campaign inside a program; campaign {target.label} "
                             "is in a folder (Marketo would answer 1003)")
    if tokens and not allow_unknown_tokens:
        check_tokens_exist(api, target, tokens)
    return ScheduleRequest(campaign=target, run_at=parsed, tokens=dict(tokens),
                           clone_to_program_name=clone_to_program_name,
                           unchecked_tokens=bool(tokens) and allow_unknown_tokens)
