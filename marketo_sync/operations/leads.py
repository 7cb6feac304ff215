"""Leads to request a campaign for: parse ids and emails, resolve emails, check ids exist, batch.

Marketo skips unknown lead ids silently and an email may match several leads, so both are
refused before sending; at most 100 leads go in one call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from marketo_sync.client.protocols import OperationsApi
from marketo_sync.operations.errors import OperationError

#: Request Campaign: at most 100 leads per call.
MAX_LEADS_PER_REQUEST = 100
#: Values per Get Leads call (Marketo's limit is 300; URIs must stay under 8 KB).
LEAD_LOOKUP_BATCH = 300
LEAD_LOOKUP_CHARS = 4000


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
