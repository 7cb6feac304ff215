"""Views of a :class:`~marketo_sync.plan.plan.Plan`: text, markdown and JSON. Pure functions -> ``str``.

* :func:`render_text`: for a terminal, Terraform-like (``+`` create/clone, ``~`` update,
  ``-`` delete, ``±`` replace, ``▶`` activate, ``■`` deactivate), colour only when asked
  (the CLI asks on a TTY without ``NO_COLOR``).
* :func:`render_markdown`: for a pull-request comment: summary first, details folded in
  ``<details>``, capped below GitHub's 65,536-character limit with a note of what was cut.
* :func:`render_json`: the saved-plan document (``schemas/plan.schema.json``).
"""

from __future__ import annotations

from collections.abc import Callable

from marketo_sync.plan.changes import (
    CampaignChange,
    Change,
    CloneCampaign,
    Drift,
    ReplaceCampaign,
    Unmanaged,
)
from marketo_sync.plan.plan import Plan
from marketo_sync.render.common import cell, id_suffix, md_inline, target_of, value_text

#: GitHub refuses comments longer than this many characters.
GITHUB_COMMENT_LIMIT = 65_536
#: What render_markdown aims to stay under by default (room for a bot's own header).
MARKDOWN_BUDGET = 60_000

SYMBOLS: dict[str, str] = {
    "create": "+", "clone": "+", "update": "~", "activate": "▶", "deactivate": "■",
    "delete": "-", "replace": "±", "set-token": "~", "delete-token": "-",
}

_COLOURS: dict[str, str] = {
    "create": "32", "clone": "32", "update": "33", "activate": "36", "deactivate": "33",
    "delete": "31", "replace": "35", "set-token": "33", "delete-token": "31", "drift": "31",
    "bold": "1", "dim": "2",
}








def details_of(change: Change) -> list[str]:
    """Human lines under a change: what changes from what to what."""
    lines: list[str] = []
    before, after = dict(change.before or {}), dict(change.after or {})
    if isinstance(change, CloneCampaign):
        lines.append(f"from template {change.template.path} (id {change.template.id}); keeps its "
                     "triggers and flow")
    if isinstance(change, ReplaceCampaign):
        lines.append(f"replace: clone {change.source.path} (id {change.source.id}) into "
                     f"{change.campaign.folder}, delete the old; the campaign id changes")
    if change.ACTION in ("create", "clone", "replace"):
        if "description" in after:
            lines.append(f"description: {value_text(after['description'])}")
    elif change.ACTION in ("activate", "deactivate") and isinstance(change, CampaignChange) \
            and change.campaign.id is None:
        lines.append("once the campaign above exists")
    elif change.ACTION in ("update", "set-token", "activate", "deactivate"):
        order = ["name", "description", "type", "value", "isActive"]
        for key in sorted(set(before) | set(after), key=lambda k: (order.index(k) if k in order else 99, k)):
            if before.get(key) == after.get(key) and key in before:
                continue
            old = value_text(before[key]) if key in before else "(none)"
            lines.append(f"{key}: {old} -> {value_text(after.get(key))}")
    elif change.ACTION in ("delete", "delete-token"):
        if change.reason == "undeclared":
            lines.append("not declared in any file (exclusive folder)")
        elif change.reason == "replaced":
            lines.append("old campaign of a replace")
        if before.get("isActive"):
            lines.append("active: deactivated first")
        if "value" in before:
            lines.append(f"value: {value_text(before['value'])}")
    return lines


def _drift_line(drift: Drift) -> str:
    ref = drift.campaign
    where = f" ({drift.location})" if drift.location else ""
    return (f"{ref.path}{id_suffix(ref.id)}: {drift.field} is {value_text(drift.actual)}, the file expects "
            f"{value_text(drift.expected)}{where}")


def drift_details(drift: Drift) -> list[str]:
    """The lines after the first of a multi-line drift message (``expect.rules``: one per
    difference, each starting with ``- ``); single-line messages have none."""
    return [line.strip() for line in drift.message.splitlines()[1:] if line.strip()]


def _unmanaged_line(item: Unmanaged) -> str:
    ref = item.campaign
    state = "active" if item.is_active else "inactive"
    why = "system campaign, never deleted" if item.reason == "system" else "additive folder"
    return f"{ref.path}{id_suffix(ref.id)}, {state}; {why}"


# -- text --------------------------------------------------------------------------------------


def render_text(plan: Plan, *, color: bool = False) -> str:
    """The terminal view. ``color`` adds ANSI colours (the caller decides: TTY and no NO_COLOR)."""

    def paint(kind: str, text: str) -> str:
        return f"\033[{_COLOURS[kind]}m{text}\033[0m" if color else text

    out: list[str] = []
    header = "marketo-sync plan"
    if plan.environment or plan.instance:
        header += f" for environment {plan.environment or '(default)'} on {plan.instance or '(unknown)'}"
    out.append(paint("bold", header))
    out.append("")
    if not plan.changes:
        out.append("No changes. The instance matches the campaign files.")
    else:
        out.append("marketo-sync will perform the following actions, in this order:")
        out.append("")
        for change in plan.changes:
            symbol = SYMBOLS[change.ACTION]
            out.append(paint(change.ACTION, f"  {symbol} {change.ACTION:<12} {target_of(change)}"))
            for line in details_of(change):
                out.append(f"      {line}")
            if change.depends_on:
                out.append(paint("dim", f"      after: {', '.join(change.depends_on)}"))
        out.append("")
    if plan.drift:
        out.append(paint("drift", f"Drift that the API cannot fix ({len(plan.drift)}; fix it in the "
                                  "Marketo UI or change the file):"))
        for drift in plan.drift:
            out.append(paint("drift", f"  ! {_drift_line(drift)}"))
            for line in drift_details(drift):
                out.append(f"      {line}")
        out.append("")
    if plan.unmanaged:
        out.append(f"Unmanaged campaigns, left alone ({len(plan.unmanaged)}):")
        for item in plan.unmanaged:
            out.append(f"  ? {_unmanaged_line(item)}")
        out.append("")
    out.append(paint("bold", f"Plan: {plan.summary_line()}"))
    out.append(plan.cost.describe() + ".")
    return "\n".join(out) + "\n"


# -- markdown ----------------------------------------------------------------------------------






def _drift_cell(drift: Drift) -> str:
    text = cell(_drift_line(drift).split(': ', 1)[-1])
    details = drift_details(drift)
    shown = [cell(line, 200) for line in details[:10]]
    if len(details) > len(shown):
        shown.append(f"… {len(details) - len(shown)} more")
    return "<br>".join([text, *shown])


def _change_row(change: Change) -> str:
    details = "; ".join(details_of(change))
    campaign_id = change.campaign.id if isinstance(change, CampaignChange) else None
    return (f"| {SYMBOLS[change.ACTION]} | {change.ACTION} | `{cell(target_of(change, with_id=False), 400)}`"
            f"{id_suffix(campaign_id)} | {cell(details)} |")


def _section(title: str, head: list[str], rows: list[str], budget: int,
             what: str) -> tuple[list[str], int]:
    """A folded section holding as many rows as fit in ``budget`` characters; notes the cut."""
    lines = [f"<details><summary>{title}</summary>", "", *head]
    used = sum(len(x) + 1 for x in lines) + 40
    shown = 0
    for row in rows:
        if used + len(row) + 1 > budget:
            break
        lines.append(row)
        used += len(row) + 1
        shown += 1
    cut = len(rows) - shown
    if cut:
        lines.append("")
        lines.append(f"**{cut} more {what} not shown** (the comment is capped below GitHub's "
                     f"{GITHUB_COMMENT_LIMIT:,}-character limit); run `marketo-sync plan` or see the "
                     "JSON plan for all of them.")
    lines += ["", "</details>", ""]
    return lines, cut


def render_markdown(plan: Plan, *, budget: int = MARKDOWN_BUDGET) -> str:
    """The pull-request comment: summary first, details folded, at most ``budget`` characters."""
    budget = min(budget, GITHUB_COMMENT_LIMIT - 1)
    title = "### marketo-sync plan"
    if plan.environment:
        title += f": `{md_inline(plan.environment)}`"
    if plan.instance:
        title += f" on `{md_inline(plan.instance)}`"
    out: list[str] = [title, ""]
    if plan.is_empty:
        out.append("**No changes.** The instance matches the campaign files.")
    else:
        out.append(f"**Plan:** {plan.summary_line()}")
    out.append("")
    out.append(f"**{plan.cost.describe()}.**")
    out.append("")
    counts = {k: v for k, v in plan.counts().items() if v}
    if counts:
        out.append("| Action | Count |")
        out.append("|---|---:|")
        for action, count in counts.items():
            out.append(f"| {SYMBOLS[action]} {action} | {count} |")
        out.append("")
    if plan.drift:
        out.append(f"> [!WARNING]\n> {len(plan.drift)} read-only difference(s) the API cannot fix: "
                   "fix them in the Marketo UI or change the files.")
        out.append("")
    # The remaining budget is shared in order: changes, drift, unmanaged.
    remaining = budget - sum(len(x) + 1 for x in out) - 200
    sections: list[tuple[str, list[str], list[str], str]] = []
    if plan.changes:
        sections.append((f"Changes ({len(plan.changes)}), in apply order",
                         ["| | Action | Campaign or token | Details |", "|---|---|---|---|"],
                         [_change_row(c) for c in plan.changes], "changes"))
    if plan.drift:
        sections.append((f"Drift ({len(plan.drift)})", ["| Campaign | Difference |", "|---|---|"],
                         [f"| `{cell(d.campaign.path, 400)}`{id_suffix(d.campaign.id)} | "
                          f"{_drift_cell(d)} |" for d in plan.drift],
                         "drift entries"))
    if plan.unmanaged:
        sections.append((f"Unmanaged campaigns ({len(plan.unmanaged)})", [],
                         [f"- `{cell(u.campaign.path, 400)}`{id_suffix(u.campaign.id)} — {cell(_unmanaged_line(u).split(', ', 1)[-1])}"
                          for u in plan.unmanaged], "unmanaged campaigns"))
    for title_text, head, rows, what in sections:
        lines, _ = _section(title_text, head, rows, max(remaining, 500), what)
        out.extend(lines)
        remaining -= sum(len(x) + 1 for x in lines)
    text = "\n".join(out).rstrip("\n") + "\n"
    if len(text) > budget:  # last resort; the sections above normally keep within budget
        note = "\n\n**Output cut at the comment size limit**; run `marketo-sync plan` for all of it.\n"
        text = text[: budget - len(note)] + note
    return text


# -- json --------------------------------------------------------------------------------------


def render_json(plan: Plan) -> str:
    """The machine-readable plan: the same document ``plan --out`` saves."""
    return plan.to_json()


RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}
