"""Views of an apply :class:`~marketo_sync.apply.receipt.Receipt`: text for a terminal, JSON for CI.

The JSON view is the receipt's own versioned document (:meth:`Receipt.to_json`).
"""

from __future__ import annotations

import json

from marketo_sync.apply.receipt import APPLIED, FAILED, FORMAT_VERSION, SKIPPED, UNKNOWN, Receipt
from marketo_sync.errors import MarketoSyncError
from marketo_sync.plan.changes import Change, target_text
from marketo_sync.render.common import inert


def render_receipt_text(receipt: Receipt) -> str:
    """The terminal view: counts, what did not apply (with why), notes, verification, journal."""
    counts = receipt.counts()
    lines: list[str] = []
    for outcome in receipt.outcomes:
        if outcome.status == APPLIED:
            continue
        what = f"{outcome.change.ACTION} {_target(outcome.change, outcome.id)}"
        if outcome.status == FAILED:
            code = f"Marketo error {outcome.code}: " if outcome.code else ""
            lines.append(f"  ✗ failed   {what}\n      {code}{inert(outcome.message)}")
        elif outcome.status == SKIPPED:
            lines.append(f"  - skipped  {what}\n      {inert(outcome.message)}")
        else:
            lines.append(f"  ? unknown  {what}\n      {inert(outcome.message)}")
    notes = [o for o in receipt.outcomes if o.status == APPLIED and o.note]
    for outcome in notes:
        lines.append(f"  ✓ applied  {outcome.change.ACTION} {_target(outcome.change, outcome.id)}"
                     f"\n      {inert(outcome.note)}")
    head = (f"Apply: {counts[APPLIED]} applied, {counts[FAILED]} failed, {counts[SKIPPED]} skipped, "
            f"{counts[UNKNOWN]} unknown (of {len(receipt.outcomes)}).")
    out = [head]
    if receipt.stopped:
        out.append(f"Stopped early: {inert(receipt.stopped)}")
    out.extend(lines)
    if receipt.differences:
        out.append(f"Verification: {len(receipt.differences)} difference(s) after reading back "
                   f"{receipt.verified} item(s):")
        out.extend(f"  ≠ {inert(d.text())}" for d in receipt.differences)
    elif receipt.verified:
        out.append(f"Verification: read back {receipt.verified} item(s), all as planned.")
    elif receipt.stopped:
        out.append("Verification: nothing read back (the run stopped).")
    if counts[UNKNOWN]:
        out.append("Some outcomes are unknown: run `marketo-sync plan` to see what is left to do; "
                   "apply again converges.")
    elif not receipt.ok:
        out.append("Run `marketo-sync plan` to see what is left to do.")
    if receipt.journal:
        out.append(f"Journal: {receipt.journal}")
    return "\n".join(out) + "\n"


def _target(change: Change, campaign_id: int | None) -> str:
    return inert(target_text(change, campaign_id))


def render_receipt_json(receipt: Receipt) -> str:
    return receipt.to_json()


def render_refusal_json(error: MarketoSyncError) -> str:
    """The receipt's JSON shape for a run that applied nothing: why, and which kind of refusal."""
    document = {
        "format_version": FORMAT_VERSION,
        "kind": "marketo-sync apply receipt",
        "ok": False,
        "refused": {"error": type(error).__name__, "message": str(error),
                    "code": getattr(error, "code", None)},
        "summary": {"total": 0},
        "changes": [],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
