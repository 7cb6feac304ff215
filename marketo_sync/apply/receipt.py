"""What an apply did: one :class:`Outcome` per change, verification differences, and views.

The receipt is the last thing apply prints: on a terminal as text, in CI as a versioned JSON
document (``--format json``, ``format_version`` "1"). Every change of the plan appears exactly
once, so nothing is silently lost: ``applied``, ``failed`` (with Marketo's code and message),
``skipped`` (with why) or ``unknown`` (the answer was lost and a read could not settle it).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from marketo_sync.plan.changes import CampaignChange, Change, ContainerChange, TokenChange

FORMAT_VERSION = "1"

_SECRET = re.compile(r"(access_token|client_secret|client_id|Bearer)([=:\s]+)[^&\s'\"]+", re.IGNORECASE)


def scrub(text: str) -> str:
    """Defence in depth: no token or secret may reach an outcome, the journal or the receipt."""
    return _SECRET.sub(r"\1\2***", text)

APPLIED = "applied"
FAILED = "failed"
SKIPPED = "skipped"
UNKNOWN = "unknown"
FINAL_STATUSES = (APPLIED, FAILED, SKIPPED, UNKNOWN)


@dataclass
class Outcome:
    """The result of one change. ``id`` is the campaign id acted on or produced (for a folder
    or program change, the folder or program id)."""

    change: Change
    status: str
    id: int | None = None
    code: str | None = None
    message: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        return self.change.key

    @property
    def status_text(self) -> str:
        """``failed`` / ``was skipped`` / ``has an unknown outcome``: for skip reasons."""
        return {FAILED: "failed", SKIPPED: "was skipped", UNKNOWN: "has an unknown outcome"}.get(
            self.status, self.status)

    @property
    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.change.key, "action": self.change.ACTION, "status": self.status}
        if isinstance(self.change, CampaignChange):
            out["campaign"] = self.change.campaign.as_dict()
        elif isinstance(self.change, TokenChange):
            out["token"] = self.change.token.as_dict()
        elif isinstance(self.change, ContainerChange):
            out["container"] = self.change.container.as_dict()
        out.update({"id": self.id, "code": self.code, "message": self.message, "note": self.note})
        return out


@dataclass(frozen=True)
class Difference:
    """A read-back that does not show what a change promised (``verify``)."""

    target: str
    field: str
    expected: Any
    actual: Any
    keys: tuple[str, ...] = ()

    @property
    def data(self) -> dict[str, Any]:
        return {"target": self.target, "field": self.field, "expected": self.expected,
                "actual": self.actual, "changes": list(self.keys)}

    def text(self) -> str:
        return (f"{self.target}: {self.field} is {json.dumps(self.actual)}, expected "
                f"{json.dumps(self.expected)}")


@dataclass
class Receipt:
    """Outcomes in plan order, verification result, and where the journal is."""

    outcomes: list[Outcome] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    verified: int = 0
    environment: str = ""
    instance: str = ""
    plan_checksum: str = ""
    journal: str | None = None
    stopped: str = ""

    def counts(self) -> dict[str, int]:
        counter = Counter(o.status for o in self.outcomes)
        return {status: counter.get(status, 0) for status in FINAL_STATUSES}

    @property
    def ok(self) -> bool:
        """Everything applied and verified: exit 0."""
        return all(o.status == APPLIED for o in self.outcomes) and not self.differences

    def to_document(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "format_version": FORMAT_VERSION,
            "kind": "marketo-sync apply receipt",
            "environment": self.environment,
            "instance": self.instance,
            "plan_checksum": self.plan_checksum,
            "ok": self.ok,
            "summary": {"total": len(self.outcomes), **counts},
            "stopped": self.stopped or None,
            "changes": [o.data for o in self.outcomes],
            "verification": {"checked": self.verified,
                             "differences": [d.data for d in self.differences]},
            "journal": self.journal,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_document(), indent=2, ensure_ascii=False) + "\n"
