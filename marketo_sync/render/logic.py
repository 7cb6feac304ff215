"""Campaign logic in a plan: what a clone gets from its template, and ``~ flow`` edits.

Reviewers approve the logic that emails people, so the plan shows it: for a clone, the
template's triggers and filters (with their conditions) and flow steps (with attributes and
choices); for a flow edit, each step operation and the flow it leads to. Text lines for the
terminal (:func:`logic_lines`), a folded section for a pull-request comment
(:func:`markdown_logic`). Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marketo_sync.plan.changes import Change, CloneCampaign, EditFlow
from marketo_sync.plan.flows import describe
from marketo_sync.plan.logic import rule_text, step_text
from marketo_sync.plan.plan import Plan
from marketo_sync.render.common import code, inert, target_of

LIVE = "LIVE: the campaign is active, so this edit takes effect in Marketo at once"


def _flow_lines(flow: Sequence[Mapping[str, Any]] | None) -> list[str]:
    if flow is None:
        return ["flow: (not read: the instance answered without it)"]
    if not flow:
        return ["flow: no steps"]
    return ["flow:"] + [f"  {line}" for number, step in enumerate(flow, start=1) for line in step_text(number, step)]


def _smart_list_lines(smart_list: Mapping[str, Any] | None) -> list[str]:
    if smart_list is None:
        return ["triggers and filters: (not read)"]
    lines: list[str] = []
    for word in ("triggers", "filters"):
        rules = smart_list.get(word) or []
        lines.append(f"{word}:" + ("" if rules else " none"))
        lines += [f"  - {rule_text(rule)}" for rule in rules]
    match = smart_list.get("filterMatchType")
    if match:
        lines.append(f"filter match: {match}" + (f" ({smart_list['filterCustomRuleLogic']})"
                                                 if smart_list.get("filterCustomRuleLogic") else ""))
    return lines


def has_logic(change: Change) -> bool:
    return (isinstance(change, CloneCampaign) and change.logic is not None) or isinstance(change, EditFlow)


def logic_lines(change: Change) -> list[str]:
    """The logic under one change: a clone's inherited logic, a flow edit's operations (each line
    inert: a value read from the instance cannot start another line)."""
    return [inert(line) for line in _logic_lines(change)]


def _logic_lines(change: Change) -> list[str]:
    if isinstance(change, CloneCampaign) and change.logic is not None:
        return ["from the template:", *(f"  {line}" for line in _smart_list_lines(change.logic.get("smart_list"))
                                        + _flow_lines(change.logic.get("flow")))]
    if isinstance(change, EditFlow):
        lines = [LIVE] if change.live else []
        lines.append("step operations, in this order:")
        lines += [f"  {describe(op)}" for op in change.operations]
        lines += _flow_lines((change.after or {}).get("flow"))
        return [line if line != "flow:" else "flow after the edit:" for line in lines]
    return []


def markdown_logic(plan: Plan) -> list[str]:
    """A folded ``<details>`` section with the logic of every clone and flow edit (or nothing)."""
    changes = [c for c in plan.changes if has_logic(c)]
    if not changes:
        return []
    out = [f"<details><summary>Campaign logic ({len(changes)}): triggers, filters and flow steps</summary>", ""]
    for change in changes:
        title = "flow edit" if isinstance(change, EditFlow) else "clone"
        out.append(f"**{title}:** {code(target_of(change, with_id=False), limit=400)}")
        out.append("")
        out.append("```text")
        out += [_in_code(line) for line in logic_lines(change)]  # user text stays inert in a code block
        out.append("```")
        out.append("")
    out += ["</details>", ""]
    return out


def _in_code(line: str) -> str:
    """A line inside a fenced code block: backticks (which could close it) become quotes."""
    return line.replace("`", "'")
