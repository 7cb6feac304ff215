"""`marketo-sync drift`: does the instance still match Git? For a scheduled CI job.

It runs the very plan ``plan`` runs (``commands.plan.build_plan``: one read, one diff) and
reports it from the instance's point of view: what someone changed in Marketo that the files
would undo (the plan's changes), read-only differences from ``expect`` (the plan's drift),
and, as information, campaigns no file manages. Exit codes: 0 no drift, 2 drift (so the
scheduled job fails and opens an issue), 1 error (invalid files cost no API call).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from marketo_sync.changes import CampaignChange, Change, TokenChange
from marketo_sync.constants import EXIT_CHANGES, EXIT_OK
from marketo_sync.plan import Plan
from marketo_sync.render import MARKDOWN_BUDGET, SYMBOLS, drift_details, render_markdown, target_of

FORMATS = ("text", "markdown", "json")
FORMAT_VERSION = "1"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "drift", help="report whether the instance still matches the campaign files (for scheduled CI)",
        description="Plan as `plan` does and report differences between the instance and the files: "
        "campaigns edited in Marketo, read-only `expect` mismatches, and (as information) unmanaged "
        "campaigns. Exit codes: 0 no drift, 1 error, 2 drift.",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    from marketo_sync.commands import _common

    _common.add_project_arguments(parser)
    parser.set_defaults(run=run)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


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
    return target_of(change) if isinstance(change, CampaignChange | TokenChange) else change.key


def report_data(plan: Plan) -> dict[str, Any]:
    """The drift report as data (the JSON format; text and markdown are views of it)."""
    return {
        "format_version": FORMAT_VERSION,
        "drift_detected": not plan.is_empty,
        "environment": plan.environment,
        "instance": plan.instance,
        "changes": [{"action": c.ACTION, "subject": _subject(c), "differences": differences(c),
                     "key": c.key, "location": c.location} for c in plan.changes],
        "drift": [d.data for d in plan.drift],
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


def render_text(plan: Plan) -> str:
    where = f"environment {plan.environment or '(default)'} on {plan.instance or '(unknown)'}"
    out = [f"{_headline(plan)}: {where}", _counts(plan), ""]
    if plan.changes:
        out.append("Changed in the instance (`marketo-sync apply` would revert these, or update the files):")
        for change in plan.changes:
            out.append(f"  {SYMBOLS[change.ACTION]} {change.ACTION:<12} {_subject(change)}")
            out += [f"      {line}" for line in differences(change)]
        out.append("")
    if plan.drift:
        out.append("Read-only differences (the API cannot fix them: fix them in the Marketo UI or the files):")
        for drift in plan.drift:
            where_declared = f" ({drift.location})" if drift.location else ""
            out.append(f"  ! {drift.campaign.path}{_id(drift.campaign.id)}: {drift.field} is "
                       f"{_show(drift.actual)}, the files expect {_show(drift.expected)}{where_declared}")
            out.extend(f"      {line}" for line in drift_details(drift))
        out.append("")
    if plan.unmanaged:
        out.append(f"Unmanaged campaigns, for information ({len(plan.unmanaged)}):")
        for item in plan.unmanaged:
            out.append(f"  ? {item.campaign.path}{_id(item.campaign.id)}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _id(campaign_id: int | None) -> str:
    return f" (id {campaign_id})" if campaign_id is not None else ""


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'").replace("\n", " ")


def render_markdown_report(plan: Plan, *, budget: int = MARKDOWN_BUDGET) -> str:
    """For an issue body: headline and what differs first, then the plan's own markdown."""
    head = [f"## marketo-sync drift: {_headline(plan)}", "",
            f"Environment `{_md(plan.environment or 'default')}` on `{_md(plan.instance or 'unknown')}`: "
            f"{_counts(plan)}.", ""]
    if plan.changes:
        head.append("**Changed in the instance** (`marketo-sync apply` would revert these; or update the "
                    "campaign files to match):")
        head.append("")
        for change in plan.changes[:50]:
            head.append(f"- `{_md(_subject(change))}` ({change.ACTION}): {_md('; '.join(differences(change)))}")
        if len(plan.changes) > 50:
            head.append(f"- … and {len(plan.changes) - 50} more (see the plan below)")
        head.append("")
    if plan.drift:
        head.append("**Read-only differences** (fix them in the Marketo UI or change `expect`):")
        head.append("")
        for drift in plan.drift[:50]:
            head.append(f"- `{_md(drift.campaign.path)}`{_id(drift.campaign.id)}: `{drift.field}` is "
                        f"{_md(_show(drift.actual))}, the files expect {_md(_show(drift.expected))}")
            head.extend(f"  - {_md(line.removeprefix('- '))}" for line in drift_details(drift))
        head.append("")
    text = "\n".join(head)
    return text + "\n" + render_markdown(plan, budget=max(2_000, budget - len(text) - 2))


def render_json_report(plan: Plan) -> str:
    return json.dumps(report_data(plan), indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    from marketo_sync.commands.plan import _load, build_plan
    from marketo_sync.connect import open_session

    project, environment, desired = _load(args)
    print(f"Read {len(desired.campaigns)} campaign(s) from {len(desired.files)} file(s); reading the "
          "instance…", file=sys.stderr)
    with open_session(project, environment) as session:
        plan = build_plan(session, desired)
    renderer = {"text": render_text, "markdown": render_markdown_report, "json": render_json_report}
    sys.stdout.write(renderer[args.format](plan))
    sys.stdout.flush()
    return EXIT_OK if plan.is_empty else EXIT_CHANGES
