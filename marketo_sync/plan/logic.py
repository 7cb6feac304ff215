"""A campaign's logic as the plan shows and pins it: triggers, filters (with conditions), flow.

:func:`smart_list_of` reduces a ``smartList.json?includeRules=true`` record to the form a file
writes under ``expect: {smart_list: …}`` (names, operators, conditions; no ids, which change
on every clone), and :func:`smart_list_lines` compares such an expectation with what the
instance has, one short line per difference (through :mod:`marketo_sync.plan.rules`).
:func:`logic_of` is the snapshot a clone carries so that the plan can show what it will get.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marketo_sync.plan.flows import content, remote_flow
from marketo_sync.plan.rules import compare, fingerprint


def _condition(raw: Mapping[str, Any]) -> dict[str, Any]:
    name = raw.get("activityAttributeName") or raw.get("attributeName") or raw.get("name") or ""
    return {"name": str(name), "operator": str(raw.get("operator") or ""),
            "values": [str(v) for v in raw.get("values") or []]}


def _rule(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):  # the older schema: triggers as names only
        return {"name": str(raw)}
    rule: dict[str, Any] = {"name": str(raw.get("name") or "")}
    if raw.get("operator"):
        rule["operator"] = str(raw["operator"])
    conditions = [_condition(c) for c in raw.get("conditions") or [] if isinstance(c, Mapping)]
    if conditions:
        rule["conditions"] = conditions
    return rule


def smart_list_of(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``{triggers, filters[, filterMatchType, filterCustomRuleLogic]}`` of a smart-list record."""
    if not record:
        return None
    inner = record.get("rules")
    rules: Mapping[str, Any] = inner if isinstance(inner, Mapping) else record
    out: dict[str, Any] = {"triggers": [_rule(r) for r in rules.get("triggers") or []],
                           "filters": [_rule(r) for r in rules.get("filters") or []]}
    match = str(rules.get("filterMatchType") or "").strip().lower()
    match = "custom" if match == "advanced" else match
    if out["filters"] and match and match != "all":
        out["filterMatchType"] = match
        if match == "custom" and rules.get("filterCustomRuleLogic"):
            out["filterCustomRuleLogic"] = str(rules["filterCustomRuleLogic"])
    return out


def logic_of(smart_list: Mapping[str, Any] | None, record: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a clone of this campaign gets: its smart list and its flow (None where not read)."""
    flow = remote_flow(record)
    return {"smart_list": smart_list_of(smart_list),
            "flow": None if flow is None else [content(step) for step in flow]}


def _as_record(smart_list: Mapping[str, Any]) -> dict[str, Any]:
    def rule(raw: Mapping[str, Any]) -> dict[str, Any]:
        return {"name": raw.get("name"), "operator": raw.get("operator") or "",
                "conditions": [{"name": c.get("name"), "operator": c.get("operator") or "is",
                                "values": c.get("values") if isinstance(c.get("values"), list)
                                else [c.get("values")]}
                               for c in raw.get("conditions") or []]}
    return {"filterMatchType": smart_list.get("filterMatchType") or "all",
            "filterCustomRuleLogic": smart_list.get("filterCustomRuleLogic") or "",
            "triggers": [rule(r) for r in smart_list.get("triggers") or []],
            "filters": [rule(r) for r in smart_list.get("filters") or []]}


def smart_list_lines(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """One line per difference between a pinned smart list and the instance's (both as
    :func:`smart_list_of` writes them); empty when they are the same."""
    lines = compare(fingerprint(_as_record(expected)), fingerprint(_as_record(actual)))
    return [line.replace("template has", "the file expects").replace("not in the template", "not in the file")
            for line in lines]


def rule_text(rule: Mapping[str, Any]) -> str:
    """``Campaign is Requested (Source is Web Service API)`` for a trigger or a filter."""
    conditions = [f"{c.get('name')} {c.get('operator') or 'is'} {', '.join(str(v) for v in c.get('values') or [])}"
                  .rstrip() for c in rule.get("conditions") or []]
    return str(rule.get("name")) + (f" ({'; '.join(conditions)})" if conditions else "")


def step_text(number: int, step: Mapping[str, Any]) -> list[str]:
    """A flow step with its attributes, and its choices when it has conditional ones."""
    choices: Sequence[Mapping[str, Any]] = step.get("choices") or []
    conditional = [c for c in choices if c.get("if")]
    default: Mapping[str, Any] = next((c for c in choices if not c.get("if")), {"attributes": {}})

    def attributes(choice: Mapping[str, Any]) -> str:
        return "; ".join(f"{k}: {v}" for k, v in (choice.get("attributes") or {}).items())

    if not conditional:
        shown = attributes(default)
        return [f"{number}. {step['step']}" + (f" ({shown})" if shown else "")]
    lines = [f"{number}. {step['step']}"]
    for index, choice in enumerate(conditional, start=1):
        cond = choice["if"]
        lines.append(f"   choice {index}: if {cond.get('name')} {cond.get('operator')} "
                     f"{', '.join(cond.get('values') or [])}: {attributes(choice)}")
    lines.append(f"   default: {attributes(default) or '(nothing set)'}")
    return lines
