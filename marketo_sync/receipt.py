"""What an apply did: one :class:`Outcome` per change, verification differences, and views.

The receipt is the last thing apply prints: on a terminal as text, in CI as a versioned JSON
document (``--format json``, ``format_version`` "1"). Every change of the plan appears exactly
once, so nothing is silently lost: ``applied``, ``failed`` (with Marketo's code and message),
``skipped`` (with why) or ``unknown`` (the answer was lost and a read could not settle it).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from marketo_sync.changes import CampaignChange, Change, TokenChange

FORMAT_VERSION = "1"

APPLIED = "applied"
FAILED = "failed"
SKIPPED = "skipped"
UNKNOWN = "unknown"
FINAL_STATUSES = (APPLIED, FAILED, SKIPPED, UNKNOWN)


def target_text(change: Change, campaign_id: int | None = None) -> str:
    """``Folder/…/Name (id 123)`` or ``Folder {{my.Token}}`` for messages."""
    if isinstance(change, TokenChange):
        return f"{change.token.folder} {{{{my.{change.token.name}}}}}"
    assert isinstance(change, CampaignChange)
    ref = change.campaign
    shown = campaign_id if campaign_id is not None else ref.id
    return f"{ref.path} (id {shown})" if shown is not None else ref.path


@dataclass
class Outcome:
    """The result of one change. ``id`` is the campaign id acted on or produced."""

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

    def render_text(self) -> str:
        counts = self.counts()
        lines: list[str] = []
        for outcome in self.outcomes:
            if outcome.status == APPLIED:
                continue
            what = f"{outcome.change.ACTION} {target_text(outcome.change, outcome.id)}"
            if outcome.status == FAILED:
                code = f"Marketo error {outcome.code}: " if outcome.code else ""
                lines.append(f"  ✗ failed   {what}\n      {code}{outcome.message}")
            elif outcome.status == SKIPPED:
                lines.append(f"  - skipped  {what}\n      {outcome.message}")
            else:
                lines.append(f"  ? unknown  {what}\n      {outcome.message}")
        notes = [o for o in self.outcomes if o.status == APPLIED and o.note]
        for outcome in notes:
            lines.append(f"  ✓ applied  {outcome.change.ACTION} {target_text(outcome.change, outcome.id)}"
                         f"\n      {outcome.note}")
        head = (f"Apply: {counts[APPLIED]} applied, {counts[FAILED]} failed, {counts[SKIPPED]} skipped, "
                f"{counts[UNKNOWN]} unknown (of {len(self.outcomes)}).")
        out = [head]
        if self.stopped:
            out.append(f"Stopped early: {self.stopped}")
        out.extend(lines)
        if self.differences:
            out.append(f"Verification: {len(self.differences)} difference(s) after reading back "
                       f"{self.verified} item(s):")
            out.extend(f"  ≠ {d.text()}" for d in self.differences)
        elif self.verified:
            out.append(f"Verification: read back {self.verified} item(s), all as planned.")
        if counts[UNKNOWN]:
            out.append("Some outcomes are unknown: run `marketo-sync plan` to see what is left to do; "
                       "apply again converges.")
        elif not self.ok:
            out.append("Run `marketo-sync plan` to see what is left to do.")
        if self.journal:
            out.append(f"Journal: {self.journal}")
        return "\n".join(out) + "\n"
