"""Text for people: the confirmation of what will be sent, and the outcome call by call."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from marketo_sync.operations.prepare import ScheduleRequest, TriggerRequest
from marketo_sync.operations.run_at import iso
from marketo_sync.operations.send import NOT_SENT, SENT, UNKNOWN, OperationResult
from marketo_sync.render.common import inert


def _token_lines(tokens: Mapping[str, str], unchecked: bool) -> list[str]:
    if not tokens:
        return ["  tokens:   none (the program's My Tokens apply)"]
    note = " (names NOT checked: --allow-unknown-tokens)" if unchecked else ""
    lines = [f"  tokens:   {len(tokens)}{note}"]
    lines += [f"    {{{{my.{inert(name)}}}}} = {inert(json.dumps(value, ensure_ascii=False))}"
              for name, value in tokens.items()]
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
        detail = f": {batch.code} {inert(batch.message)}" if batch.code else ""
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
