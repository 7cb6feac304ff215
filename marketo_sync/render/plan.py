"""Views of a :class:`~marketo_sync.plan.plan.Plan`: text, markdown and JSON. Pure functions -> ``str``.

* :func:`render_text`: for a terminal, Terraform-like (``+`` create/clone, ``~`` update,
  ``-`` delete, ``±`` replace, ``▶`` activate, ``■`` deactivate), colour only when asked
  (the CLI asks on a TTY without ``NO_COLOR``).
* :func:`render_markdown`: for a pull-request comment: summary first, details folded in
  ``<details>``, capped below GitHub's 65,536-character limit with a note of what was cut.
* :func:`render_json`: the saved-plan document (``schemas/plan.schema.json``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from marketo_sync.plan.changes import (
    CampaignChange,
    Change,
    CloneCampaign,
    CloneProgram,
    ContainerChange,
    CreateProgram,
    Drift,
    ReplaceCampaign,
    Unmanaged,
)
from marketo_sync.plan.plan import Plan
from marketo_sync.render.common import code, id_suffix, inert, md_link, target_of, value_text
from marketo_sync.render.logic import logic_lines, markdown_logic

#: GitHub refuses comments longer than this many characters.
GITHUB_COMMENT_LIMIT = 65_536
#: What render_markdown aims to stay under by default (room for a bot's own header).
MARKDOWN_BUDGET = 60_000

SYMBOLS: dict[str, str] = {
    "create": "+", "clone": "+", "update": "~", "flow": "~", "activate": "▶", "deactivate": "■",
    "delete": "-", "replace": "±", "set-token": "~", "delete-token": "-",
    "create-folder": "+", "create-program": "+", "clone-program": "+", "update-program": "~",
}

_COLOURS: dict[str, str] = {
    "create": "32", "clone": "32", "update": "33", "flow": "33", "activate": "36", "deactivate": "33",
    "delete": "31", "replace": "35", "set-token": "33", "delete-token": "31", "drift": "31",
    "create-folder": "32", "create-program": "32", "clone-program": "32", "update-program": "33",
    "bold": "1", "dim": "2",
}


Format = Callable[[Any], str]


def _plain(value: Any) -> str:
    return inert(value)


def details_of(change: Change, *, value: Format = value_text, path: Format = _plain) -> list[str]:
    """Human lines under a change: what changes from what to what.

    ``value`` writes a value and ``path`` a path or name: plain for the terminal; the markdown
    view passes :func:`~marketo_sync.render.common.code` so that user text stays inert.
    """
    lines: list[str] = []
    before, after = dict(change.before or {}), dict(change.after or {})
    if isinstance(change, CloneCampaign):
        kept = "triggers and flow" if change.logic is None else "triggers, filters and flow (below)"
        lines.append(f"from template {path(change.template.path)} (id {change.template.id}); keeps its {kept}")
    if change.ACTION == "flow":
        operations = len(getattr(change, "operations", ()))
        lines.append(f"{operations} step operation{'s' if operations != 1 else ''}"
                     + ("; LIVE: the campaign is active" if getattr(change, "live", False) else ""))
    if isinstance(change, CloneProgram):
        lines.append(f"from template program {path(change.template.path)} (id {change.template.id}); brings its "
                     "campaigns (inactive), My Tokens, folders and local assets")
    if isinstance(change, CreateProgram):
        lines.append(f"type {value(after.get('type'))}, channel {value(after.get('channel'))}; empty")
    if isinstance(change, ContainerChange) and change.container.folder_ref.id < 0:
        lines.append("in the folder created above")
    if isinstance(change, ReplaceCampaign):
        lines.append(f"replace: clone {path(change.source.path)} (id {change.source.id}) into "
                     f"{path(change.campaign.folder)}, delete the old; the campaign id changes")
    if change.ACTION in ("create", "clone", "replace", "create-program", "clone-program"):
        if "description" in after:
            lines.append(f"description: {value(after['description'])}")
    elif change.ACTION in ("activate", "deactivate") and isinstance(change, CampaignChange) \
            and change.campaign.id is None:
        lines.append("once the campaign above exists" if change.target_from else "once the program above brings it")
    elif change.ACTION in ("update", "set-token", "activate", "deactivate", "update-program"):
        order = ["name", "description", "type", "value", "isActive"]
        for key in sorted(set(before) | set(after), key=lambda k: (order.index(k) if k in order else 99, k)):
            if before.get(key) == after.get(key) and key in before:
                continue
            old = value(before[key]) if key in before else "(none)"
            lines.append(f"{key}: {old} -> {value(after.get(key))}")
    elif change.ACTION in ("delete", "delete-token"):
        if change.reason == "undeclared":
            lines.append("not declared in any file (exclusive folder)")
        elif change.reason == "replaced":
            lines.append("old campaign of a replace")
        if before.get("isActive"):
            lines.append("active: deactivated first")
        if "value" in before:
            lines.append(f"value: {value(before['value'])}")
    return lines


def _drift_line(drift: Drift) -> str:
    ref = drift.campaign
    where = f" ({drift.location})" if drift.location else ""
    return (f"{inert(ref.path)}{id_suffix(ref.id)}: {drift.field} is {value_text(drift.actual)}, the file expects "
            f"{value_text(drift.expected)}{where}")


def drift_details(drift: Drift) -> list[str]:
    """The lines after the first of a multi-line drift message (``expect.rules``: one per
    difference, each starting with ``- ``); single-line messages have none."""
    return [line.strip() for line in drift.message.splitlines()[1:] if line.strip()]


#: Why an undeclared campaign is left alone, by :class:`~marketo_sync.plan.changes.Unmanaged` reason.
UNMANAGED_WHY: dict[str, str] = {
    "system": "system campaign, never deleted",
    "additive": "additive folder",
    "narrowed": "not checked: narrowed run (--campaigns left files out; another file may declare it)",
}


def _unmanaged_line(item: Unmanaged) -> str:
    ref = item.campaign
    state = "active" if item.is_active else "inactive"
    return f"{inert(ref.path)}{id_suffix(ref.id)}, {state}; {UNMANAGED_WHY.get(item.reason, item.reason)}"


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
            source = f" from {inert(change.template.path)}" if isinstance(change, CloneProgram) else ""
            out.append(paint(change.ACTION, f"  {symbol} {change.ACTION:<12} {target_of(change)}{source}"))
            for line in details_of(change) + logic_lines(change):
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

#: Where the comment sends people for what it leaves out.
FULL_PLAN_HINT = ("the full plan is in the workflow's job summary and its saved-plan artifact "
                  "(`marketo-sync show plan.json`), or run `marketo-sync plan`")


def _md_value(value: Any) -> str:
    return code(value_text(value), table=True, limit=300)


def _md_path(text: Any) -> str:
    return code(text, table=True, limit=400)


def ui_link(plan: Plan, campaign_id: int | None) -> str:
    """`` · [open in Marketo](…)`` for a campaign the instance gave an address for, else ``""``."""
    link = md_link("open in Marketo", plan.link_of(campaign_id))
    return f" · {link}" if link else ""


def _change_row(plan: Plan, change: Change) -> str:
    details = "; ".join(details_of(change, value=_md_value, path=_md_path))
    campaign_id = change.campaign.id if isinstance(change, CampaignChange) else \
        change.container.id if isinstance(change, ContainerChange) else None
    return (f"| {SYMBOLS[change.ACTION]} | {change.ACTION} | {_md_path(target_of(change, with_id=False))}"
            f"{id_suffix(campaign_id)}{ui_link(plan, campaign_id)} | {details} |")


def drift_markdown(drift: Drift) -> list[str]:
    """A drift entry's difference, then one line per rule difference; every value in code."""
    shown = [f"{code(drift.field)} is {_md_value(drift.actual)}, the file expects {_md_value(drift.expected)}"
             + (f" ({code(drift.location, table=True)})" if drift.location else "")]
    details = drift_details(drift)
    shown += [code(line.removeprefix("- "), table=True, limit=200) for line in details[:10]]
    if len(details) > 10:
        shown.append(f"… {len(details) - 10} more")
    return shown


def _drift_row(plan: Plan, drift: Drift) -> str:
    ref = drift.campaign
    return (f"| {_md_path(ref.path)}{id_suffix(ref.id)}{ui_link(plan, ref.id)} | "
            f"{'<br>'.join(drift_markdown(drift))} |")


def _unmanaged_row(item: Unmanaged) -> str:
    state = "active" if item.is_active else "inactive"
    return (f"- {_md_path(item.campaign.path)}{id_suffix(item.campaign.id)} — {state}; "
            f"{UNMANAGED_WHY.get(item.reason, code(item.reason))}")


def _left_out(count: int, what: str, full_plan: str) -> str:
    return (f"**{count} more {what} not shown** (this comment is kept under GitHub's "
            f"{GITHUB_COMMENT_LIMIT:,}-character limit): {full_plan}.")


def _section(title: str, head: list[str], rows: list[str], budget: int, what: str,
             full_plan: str) -> tuple[list[str], int]:
    """A folded section holding the whole rows that fit in ``budget`` characters; notes the cut.

    Rows are whole lines, so a cut never falls inside a tag, a code span or a line, and the
    fold is always closed.
    """
    opening = [f"<details><summary>{title}</summary>", "", *head]
    closing = ["", "</details>", ""]
    note_room = len(_left_out(len(rows), what, full_plan)) + 2
    used = sum(len(x) + 1 for x in opening + closing) + note_room
    shown: list[str] = []
    for row in rows:
        if used + len(row) + 1 > budget:
            break
        shown.append(row)
        used += len(row) + 1
    cut = len(rows) - len(shown)
    lines = opening + shown
    if cut:
        lines += ["", _left_out(cut, what, full_plan)]
    return lines + closing, cut


def apply_flags_line(flags: Sequence[str]) -> str:
    if not flags:
        return "**Apply needs no extra flag.**"
    return "**Apply will need** " + ", ".join(f"`{f}`" for f in flags) + " (it refuses the plan without them)."


def render_markdown(plan: Plan, *, budget: int = MARKDOWN_BUDGET, apply_flags: Sequence[str] | None = None,
                    full_plan: str = FULL_PLAN_HINT) -> str:
    """The pull-request comment: summary first, details folded, at most ``budget`` characters.

    States the plan's checksums and the flags apply will need (``apply_flags``; by default
    computed with the default safety thresholds), links every existing campaign to the
    Marketo UI, and writes every user string inert (:func:`~marketo_sync.render.common.code`).
    """
    title = "### marketo-sync plan"
    if plan.environment:
        title += f": {code(plan.environment)}"
    if plan.instance:
        title += f" on {code(plan.instance)}"
    out: list[str] = [title, ""]
    if plan.is_empty:
        out.append("**No changes.** The instance matches the campaign files.")
    else:
        out.append(f"**Plan:** {plan.summary_line()}")
    out.append("")
    out.append(f"**{plan.cost.describe()}.**")
    out.append("")
    if plan.changes:
        out.append(apply_flags_line(plan.required_flags() if apply_flags is None else apply_flags))
        out.append("")
    out.append(f"Changes checksum: `{plan.changes_checksum()}` (`marketo-sync apply --checksum` refuses a "
               f"plan that differs) · saved plan: `{plan.to_document()['checksum']}`")
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
                   "fix them in the Marketo UI (each is linked below) or change the files.")
        out.append("")
    # The remaining budget is shared in order: changes, drift, unmanaged.
    remaining = budget - sum(len(x) + 1 for x in out) - 100
    sections: list[tuple[str, list[str], list[str], str]] = []
    if plan.changes:
        sections.append((f"Changes ({len(plan.changes)}), in apply order",
                         ["| | Action | Campaign or token | Details |", "|---|---|---|---|"],
                         [_change_row(plan, c) for c in plan.changes], "changes"))
    if plan.drift:
        sections.append((f"Drift ({len(plan.drift)})", ["| Campaign | Difference |", "|---|---|"],
                         [_drift_row(plan, d) for d in plan.drift], "drift entries"))
    if plan.unmanaged:
        sections.append((f"Unmanaged campaigns ({len(plan.unmanaged)})", [],
                         [_unmanaged_row(u) for u in plan.unmanaged], "unmanaged campaigns"))
    for title_text, head, rows, what in sections:
        lines, _ = _section(title_text, head, rows, max(remaining, 600), what, full_plan)
        out.extend(lines)
        remaining -= sum(len(x) + 1 for x in lines)
    logic = markdown_logic(plan)
    if logic and sum(len(x) + 1 for x in logic) <= max(remaining, 0):
        out.extend(logic)
    elif logic:
        out += ["**Campaign logic not shown** (the comment is capped below GitHub's limit); run "
                "`marketo-sync plan` to see it.", ""]
    return fit("\n".join(out).rstrip("\n") + "\n", budget, full_plan)


def fit(text: str, budget: int, full_plan: str = FULL_PLAN_HINT) -> str:
    """Last resort (the sections normally keep within budget): keep whole lines, close every
    open fold, say where the rest is."""
    if len(text) <= budget:
        return text
    note = f"**Output cut at the comment size limit**: {full_plan}."
    kept: list[str] = []
    used = len(note) + 2
    depth = 0
    for line in text.splitlines():
        opens, closes = line.count("<details>"), line.count("</details>")
        if used + len(line) + 1 + len("\n\n</details>") * (depth + opens - closes) > budget:
            break
        kept.append(line)
        used += len(line) + 1
        depth += opens - closes
    tail = ["", note] + ["", "</details>"] * depth
    return "\n".join(kept + tail) + "\n"


# -- json --------------------------------------------------------------------------------------


def render_json(plan: Plan) -> str:
    """The machine-readable plan: the same document ``plan --out`` saves."""
    return plan.to_json()


RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}
