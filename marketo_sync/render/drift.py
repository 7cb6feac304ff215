"""The drift report: the plan seen from the instance's side, as text, markdown and JSON.

``drift`` runs the very plan ``plan`` runs and reports it from the instance's point of view:
what someone changed in Marketo that the files would undo (the plan's changes), read-only
differences from ``expect`` (the plan's drift), and, as information, campaigns no file manages.
:func:`report_data` is the JSON document; text and markdown are views of it.
"""

from __future__ import annotations

import json
from typing import Any

from marketo_sync.plan.changes import CampaignChange, Change, TokenChange
from marketo_sync.plan.plan import Plan
from marketo_sync.render.common import code, id_suffix, inert, target_of
from marketo_sync.render.plan import (
    MARKDOWN_BUDGET,
    SYMBOLS,
    drift_details,
    drift_markdown,
    render_markdown,
    ui_link,
)

FORMAT_VERSION = "1"


def _show(value: Any) -> str:
    return inert(json.dumps(value, ensure_ascii=False))


def differences(change: Change) -> list[str]:
    """What differs, instance first: ``description: instance "a", files "b"``."""
    before, after = dict(change.before or {}), dict(change.after or {})
    if change.ACTION in ("create", "clone"):
        return ["missing in the instance (deleted there, or never created)"]
    if change.ACTION == "replace":
        return [f"in {_show(before.get('folder'))} in the instance, declared in {_show(after.get('folder'))}"]
    if change.ACTION == "delete":
        return ["in the instance but in no file (exclusive folder)" if change.reason == "undeclared"
                else "old half of a replace"]
    if change.ACTION == "delete-token":
        return [f"token in the instance but in no file (exclusive folder), value {_show(before.get('value'))}"]
    if change.ACTION == "activate" and not before:
        return ["to be activated once the campaign above exists"]
    if change.ACTION == "set-token" and not before:
        return [f"token missing in the instance; files: {_show(after.get('value'))}"]
    lines = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            lines.append(f"{key}: instance {_show(before.get(key))}, files {_show(after.get(key))}")
    return lines


def _subject(change: Change) -> str:
    return target_of(change) if isinstance(change, CampaignChange | TokenChange) else inert(change.key)


def _campaign_id(change: Change) -> int | None:
    return change.campaign.id if isinstance(change, CampaignChange) else None


def report_data(plan: Plan) -> dict[str, Any]:
    """The drift report as data (the JSON format; text and markdown are views of it).

    ``url`` is the campaign's address in the Marketo UI (``computedUrl``), or null.
    """
    return {
        "format_version": FORMAT_VERSION,
        "drift_detected": not plan.is_empty,
        "environment": plan.environment,
        "instance": plan.instance,
        "changes": [{"action": c.ACTION, "subject": _subject(c), "differences": differences(c),
                     "key": c.key, "location": c.location, "url": plan.link_of(_campaign_id(c))}
                    for c in plan.changes],
        "drift": [{**d.data, "url": plan.link_of(d.campaign.id)} for d in plan.drift],
        "unmanaged": [u.data for u in plan.unmanaged],
        "plan": plan.to_document(),
    }


def _headline(plan: Plan) -> str:
    if plan.is_empty:
        return "No drift"
    return "Drift detected"


def _counts(plan: Plan) -> str:
    return (f"{len(plan.changes)} change(s) the files would make (edited in Marketo since the last apply), "
            f"{len(plan.drift)} read-only difference(s), {len(plan.unmanaged)} unmanaged campaign(s)")


def _text_link(plan: Plan, campaign_id: int | None) -> list[str]:
    link = plan.link_of(campaign_id)
    return [f"      in the Marketo UI: {link}"] if link else []


def render_drift_text(plan: Plan) -> str:
    where = f"environment {plan.environment or '(default)'} on {plan.instance or '(unknown)'}"
    out = [f"{_headline(plan)}: {where}", _counts(plan), ""]
    if plan.changes:
        out.append("Changed in the instance (`marketo-sync apply` would revert these, or update the files):")
        for change in plan.changes:
            out.append(f"  {SYMBOLS[change.ACTION]} {change.ACTION:<12} {_subject(change)}")
            out += [f"      {line}" for line in differences(change)]
            out += _text_link(plan, _campaign_id(change))
        out.append("")
    if plan.drift:
        out.append("Read-only differences (the API cannot fix them: fix them in the Marketo UI or the files):")
        for drift in plan.drift:
            where_declared = f" ({drift.location})" if drift.location else ""
            out.append(f"  ! {inert(drift.campaign.path)}{id_suffix(drift.campaign.id)}: {drift.field} is "
                       f"{_show(drift.actual)}, the files expect {_show(drift.expected)}{where_declared}")
            out.extend(f"      {line}" for line in drift_details(drift))
            out += _text_link(plan, drift.campaign.id)
        out.append("")
    if plan.unmanaged:
        out.append(f"Unmanaged campaigns, for information ({len(plan.unmanaged)}):")
        for item in plan.unmanaged:
            out.append(f"  ? {inert(item.campaign.path)}{id_suffix(item.campaign.id)}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"



def render_drift_markdown(plan: Plan, *, budget: int = MARKDOWN_BUDGET) -> str:
    """For an issue body: headline and what differs first, then the plan's own markdown.

    Every user string and every value read from the instance is inert (code spans); each
    drifted campaign links to the Marketo UI.
    """
    head = [f"## marketo-sync drift: {_headline(plan)}", "",
            f"Environment {code(plan.environment or 'default')} on {code(plan.instance or 'unknown')}: "
            f"{_counts(plan)}.", ""]
    if plan.changes:
        head.append("**Changed in the instance** (`marketo-sync apply` would revert these; or update the "
                    "campaign files to match):")
        head.append("")
        for change in plan.changes[:50]:
            head.append(f"- {code(_subject(change), limit=400)} ({change.ACTION}){ui_link(plan, _campaign_id(change))}: "
                        + "; ".join(code(d, limit=300) for d in differences(change)))
        if len(plan.changes) > 50:
            head.append(f"- … and {len(plan.changes) - 50} more (see the plan below)")
        head.append("")
    if plan.drift:
        head.append("**Read-only differences** (fix them in the Marketo UI or change `expect`):")
        head.append("")
        for drift in plan.drift[:50]:
            first, *rest = drift_markdown(drift)
            head.append(f"- {code(drift.campaign.path, limit=400)}{id_suffix(drift.campaign.id)}"
                        f"{ui_link(plan, drift.campaign.id)}: {first}")
            head.extend(f"  - {line}" for line in rest)
        if len(plan.drift) > 50:
            head.append(f"- … and {len(plan.drift) - 50} more (see the plan below)")
        head.append("")
    text = "\n".join(head)
    return text + "\n" + render_markdown(plan, budget=max(2_000, budget - len(text) - 2))


def render_drift_json(plan: Plan) -> str:
    return json.dumps(report_data(plan), indent=2, ensure_ascii=False) + "\n"


DRIFT_RENDERERS = {"text": render_drift_text, "markdown": render_drift_markdown, "json": render_drift_json}
