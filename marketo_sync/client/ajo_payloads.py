"""Local checks and payload building for AJO API-triggered campaign executions.

Why check locally: these calls send messages to real people. Every rule we can verify before
the call (recipient count, duplicate ids, reserved ``context.system``, the 200 KB context
limit, a UUID campaign id, a future ``executeAt``) is refused here, with zero HTTP calls, so a
typo never becomes a half-sent batch. All reasons are collected and reported together.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from marketo_sync.errors import MarketoSyncError

MAX_RECIPIENTS = 20
#: AJO's documented limit on context data ("<= 200 KB"), counted as UTF-8 JSON bytes of every
#: context object in one call (the strict reading: the whole call, not each recipient).
MAX_CONTEXT_BYTES = 200 * 1024
RECIPIENT_TYPES = ("aep", "external")
MAX_REQUEST_ID = 128

_RECIPIENT_KEYS = {
    "aep": {"type", "namespace", "userId", "channelData", "context", "profile", "mergePolicyName",
            "mergePolicySchema"},
    "external": {"type", "namespace", "userId", "channelData", "context", "profile"},
}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@-]+$")


class PayloadError(MarketoSyncError):
    """The execution request is invalid; nothing was sent. Carries every reason."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        head = f"refused before sending (nothing was sent): {len(self.reasons)} problem"
        head += "s" if len(self.reasons) != 1 else ""
        super().__init__(head + ":\n" + "\n".join(f"  - {r}" for r in self.reasons))


def new_request_id() -> str:
    """A fresh ``requestId``; the same one is reused for every retry of one execution."""
    return str(uuid.uuid4())


def check_campaign_id(value: Any) -> list[str]:
    if not isinstance(value, str) or not _UUID.match(value.strip()):
        return [f"campaignId {value!r} is not a UUID (copy it from the campaign's cURL request panel)"]
    return []


def check_request_id(value: Any) -> list[str]:
    if not isinstance(value, str) or not value or len(value) > MAX_REQUEST_ID or not _REQUEST_ID.match(value):
        return [f"requestId must be 1-{MAX_REQUEST_ID} characters of letters, digits and . _ : @ -"]
    return []


def check_context(context: Any, where: str) -> list[str]:
    """Values must be strings or objects of strings (AJO maps ``{{context.x}}`` to String only)."""
    if context is None:
        return []
    if not isinstance(context, Mapping):
        return [f"{where} must be an object of strings"]
    problems = []
    if "system" in context:
        problems.append(f"{where}.system is reserved for Adobe's internal use; rename the attribute")
    problems.extend(_check_strings(context, where))
    return problems


def _check_strings(value: Mapping[str, Any], where: str) -> list[str]:
    problems = []
    for key, item in value.items():
        path = f"{where}.{key}"
        if not isinstance(key, str) or not key.strip():
            problems.append(f"{where} has an empty or non-text key")
        elif isinstance(item, Mapping):
            problems.extend(_check_strings(item, path))
        elif not isinstance(item, str):
            problems.append(f"{path} is {type(item).__name__} {item!r}; AJO treats context values as "
                            "strings: quote it")
    return problems


def context_bytes(contexts: Sequence[Any]) -> int:
    """UTF-8 bytes of the JSON of every context object of one call."""
    return sum(len(json.dumps(c, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8"))
               for c in contexts if c)


def _check_size(contexts: Sequence[Any]) -> list[str]:
    size = context_bytes(contexts)
    if size > MAX_CONTEXT_BYTES:
        return [f"context data is {size} bytes; AJO accepts at most {MAX_CONTEXT_BYTES} bytes (200 KB) per call"]
    return []


def check_recipient(recipient: Any, index: int) -> list[str]:
    where = f"recipients[{index}]"
    if not isinstance(recipient, Mapping):
        return [f"{where} must be an object with type, namespace and userId"]
    kind = recipient.get("type")
    if kind not in RECIPIENT_TYPES:
        return [f"{where}.type must be one of {', '.join(RECIPIENT_TYPES)}, not {kind!r}"]
    problems = []
    unknown = sorted(set(recipient) - _RECIPIENT_KEYS[kind])
    if unknown:
        problems.append(f"{where} has unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                        f"(allowed for {kind}: {', '.join(sorted(_RECIPIENT_KEYS[kind]))})")
    for name in ("namespace", "userId"):
        value = recipient.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}.{name} must be a non-empty string")
    for name in ("mergePolicyName", "mergePolicySchema"):
        if name in recipient and not isinstance(recipient[name], str):
            problems.append(f"{where}.{name} must be a string")
    channel = recipient.get("channelData")
    if channel is not None and not isinstance(channel, Mapping):
        problems.append(f"{where}.channelData must be an object")
    profile = recipient.get("profile")
    if profile is not None and not isinstance(profile, Mapping):
        problems.append(f"{where}.profile must be an object")
    problems.extend(check_context(recipient.get("context"), f"{where}.context"))
    return problems


def check_recipients(recipients: Any) -> list[str]:
    if not isinstance(recipients, Sequence) or isinstance(recipients, str | bytes):
        return ["recipients must be a list"]
    if not 1 <= len(recipients) <= MAX_RECIPIENTS:
        return [f"a unitary execution takes 1 to {MAX_RECIPIENTS} recipients, not {len(recipients)}; "
                "split the list, or use an audience execution"]
    problems = []
    for index, recipient in enumerate(recipients):
        problems.extend(check_recipient(recipient, index))
    seen: dict[str, int] = {}
    for index, recipient in enumerate(recipients):
        user = recipient.get("userId") if isinstance(recipient, Mapping) else None
        if not isinstance(user, str):
            continue
        key = user.strip().casefold()  # stricter than exact: A@x.com and a@x.com are one person
        if key in seen:
            problems.append(f"recipients[{index}].userId {user!r} repeats recipients[{seen[key]}]; "
                            "userIds must be unique within a call")
        else:
            seen[key] = index
    problems.extend(_check_size([r.get("context") for r in recipients if isinstance(r, Mapping)]))
    return problems


def parse_execute_at(value: str, now: datetime) -> str:
    """ISO 8601 with a time zone, strictly in the future -> ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (UTC)."""
    text = str(value).strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise PayloadError([f"executeAt {value!r} is not an ISO 8601 date-time "
                            "(e.g. 2026-09-01T09:00:00Z)"]) from None
    if when.tzinfo is None:
        raise PayloadError([f"executeAt {value!r} has no time zone; add Z or an offset like +02:00"])
    if when <= now:
        raise PayloadError([f"executeAt {value!r} is not in the future"])
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def build_unitary(campaign_id: str, recipients: Sequence[Mapping[str, Any]], request_id: str) -> dict[str, Any]:
    """A checked ``imExecutionRequestUnitary`` body, or :class:`PayloadError` with every reason."""
    problems = check_campaign_id(campaign_id) + check_request_id(request_id) + check_recipients(recipients)
    if problems:
        raise PayloadError(problems)
    return {"requestId": request_id, "campaignId": campaign_id.strip(),
            "recipients": [dict(r) for r in recipients]}


def build_audience(campaign_id: str, request_id: str, *, audience_id: str | None = None,
                   context: Mapping[str, Any] | None = None, execute_at: str | None = None,
                   now: datetime | None = None) -> dict[str, Any]:
    """A checked ``imExecutionRequestAudience`` body (``schedule`` when ``execute_at`` is given)."""
    problems = check_campaign_id(campaign_id) + check_request_id(request_id)
    if audience_id is not None and (not isinstance(audience_id, str) or not audience_id.strip()):
        problems.append("audience id must be a non-empty string")
    problems += check_context(context, "context") + _check_size([context])
    schedule = None
    if execute_at is not None:
        try:
            schedule = {"executeAt": parse_execute_at(execute_at, now or datetime.now(UTC))}
        except PayloadError as error:
            problems += error.reasons
    if problems:
        raise PayloadError(problems)
    body: dict[str, Any] = {"requestId": request_id, "campaignId": campaign_id.strip()}
    if audience_id is not None:
        body["audience"] = {"id": audience_id.strip()}
    if context:
        body["context"] = dict(context)
    if schedule:
        body["schedule"] = schedule
    return body
