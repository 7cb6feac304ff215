"""Request (trigger) and schedule smart campaigns, with My Token overrides, safely.

These calls send email to real people and are not idempotent, so everything that can be
checked is checked *before* the first write:

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

One module per step, in the order a command uses them: ``target`` (which campaign),
``tokens`` and ``leads`` (what goes with it), ``run_at`` (when), ``prepare`` (all checks,
no writes), ``send`` (the writes and their result), ``text`` (what people read); ``api`` and
``errors`` hold the protocol and the refusal they share. This package re-exports their
names, so ``from marketo_sync import operations as ops`` keeps working.
"""

from __future__ import annotations

from marketo_sync.client.protocols import OperationsApi
from marketo_sync.operations.errors import (
    OperationError,
)
from marketo_sync.operations.leads import (
    LEAD_LOOKUP_BATCH,
    LEAD_LOOKUP_CHARS,
    MAX_LEADS_PER_REQUEST,
    LeadInput,
    check_leads_exist,
    lead_batches,
    load_leads_file,
    parse_lead_emails,
    parse_lead_ids,
    resolve_emails,
)
from marketo_sync.operations.leads import _chunks as _chunks  # used by the unit tests
from marketo_sync.operations.prepare import (
    MAX_CLONE_NAME,
    ScheduleRequest,
    TriggerRequest,
    prepare_schedule,
    prepare_trigger,
)
from marketo_sync.operations.run_at import (
    MAX_RUN_AT_YEARS,
    MIN_RUN_AT_DELAY,
    Clock,
    RunAt,
    check_run_at,
    iso,
    parse_run_at,
    utc_now,
)
from marketo_sync.operations.send import (
    FAILED,
    NOT_SENT,
    RESULT_FORMAT_VERSION,
    SENT,
    UNKNOWN,
    BatchResult,
    OperationResult,
    send_schedule,
    send_trigger,
)
from marketo_sync.operations.target import (
    CampaignTarget,
    check_requestable,
    check_schedulable,
    find_folder,
    resolve_campaign,
)
from marketo_sync.operations.text import (
    describe_schedule,
    describe_trigger,
    render_result,
)
from marketo_sync.operations.tokens import (
    MAX_TOKEN_LEVELS,
    MAX_TOKEN_NAME,
    MAX_TOKENS,
    check_token_count,
    check_tokens_exist,
    load_tokens_file,
    merge_tokens,
    parse_token_args,
    token_name,
)

__all__ = [
    "BatchResult",
    "CampaignTarget",
    "Clock",
    "FAILED",
    "LEAD_LOOKUP_BATCH",
    "LEAD_LOOKUP_CHARS",
    "LeadInput",
    "MAX_CLONE_NAME",
    "MAX_LEADS_PER_REQUEST",
    "MAX_RUN_AT_YEARS",
    "MAX_TOKENS",
    "MAX_TOKEN_LEVELS",
    "MAX_TOKEN_NAME",
    "MIN_RUN_AT_DELAY",
    "NOT_SENT",
    "OperationError",
    "OperationResult",
    "OperationsApi",
    "RESULT_FORMAT_VERSION",
    "RunAt",
    "SENT",
    "ScheduleRequest",
    "TriggerRequest",
    "UNKNOWN",
    "check_leads_exist",
    "check_requestable",
    "check_run_at",
    "check_schedulable",
    "check_token_count",
    "check_tokens_exist",
    "describe_schedule",
    "describe_trigger",
    "find_folder",
    "iso",
    "lead_batches",
    "load_leads_file",
    "load_tokens_file",
    "merge_tokens",
    "parse_lead_emails",
    "parse_lead_ids",
    "parse_run_at",
    "parse_token_args",
    "prepare_schedule",
    "prepare_trigger",
    "render_result",
    "resolve_campaign",
    "resolve_emails",
    "send_schedule",
    "send_trigger",
    "token_name",
    "utc_now",
]
