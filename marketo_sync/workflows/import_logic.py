"""``import --flow``: read each campaign's flow and smart list, and write them as YAML.

Each imported campaign gets its whole ``flow:`` (steps with their attributes and choices, as
Marketo names them) and ``expect: {smart_list: …}`` (its triggers and filters, pinned), so that
a plan right after the import is empty and a later UI change to the logic shows up. Costs two
reads per campaign (its record, which carries the flow, and its smart list with rules).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.plan.flows import content, remote_flow
from marketo_sync.plan.logic import smart_list_of

Logic = Mapping[str, Any]


def read_campaign_logic(api: Any, campaign_ids: Sequence[int]) -> dict[int, Logic]:
    """``{id: {"flow": [...] | None, "smart_list": {...} | None}}`` for every campaign."""
    logic: dict[int, Logic] = {}
    for campaign_id in campaign_ids:
        flow = remote_flow(api.get_campaign(campaign_id))
        smart_list = smart_list_of(api.get_campaign_smart_list(campaign_id, include_rules=True))
        logic[campaign_id] = {"flow": None if flow is None else [content(step) for step in flow],
                              "smart_list": smart_list}
    return logic


def _values(values: Sequence[Any], text: Callable[[str], str]) -> str:
    return "[" + ", ".join(text(str(v)) for v in values) + "]"


def _condition(cond: Mapping[str, Any], text: Callable[[str], str]) -> str:
    return (f"{{name: {text(str(cond.get('name', '')))}, operator: {text(str(cond.get('operator') or 'is'))}, "
            f"values: {_values(cond.get('values') or [], text)}}}")


def _rule_lines(rule: Mapping[str, Any], indent: str, text: Callable[[str], str]) -> list[str]:
    lines = [f"{indent}- name: {text(str(rule['name']))}"]
    if rule.get("operator"):
        lines.append(f"{indent}  operator: {text(str(rule['operator']))}")
    conditions = rule.get("conditions") or []
    if conditions:
        lines.append(f"{indent}  conditions:")
        lines += [f"{indent}    - {_condition(c, text)}" for c in conditions]
    return lines


def smart_list_lines(smart_list: Mapping[str, Any], indent: str, text: Callable[[str], str]) -> list[str]:
    """``smart_list:`` and its rules, block style, under ``expect:`` at ``indent``."""
    lines = [f"{indent}smart_list:"]
    for word in ("triggers", "filters"):
        rules = smart_list.get(word) or []
        lines.append(f"{indent}  {word}:" + ("" if rules else " []"))
        for rule in rules:
            lines += _rule_lines(rule, indent + "    ", text)
    for key in ("filterMatchType", "filterCustomRuleLogic"):
        if smart_list.get(key):
            lines.append(f"{indent}  {key}: {text(str(smart_list[key]))}")
    return lines


def _attribute_lines(attributes: Mapping[str, str], indent: str, text: Callable[[str], str]) -> list[str]:
    return [f"{indent}{_yaml.scalar(name)}: {text(value)}" for name, value in attributes.items()]


def flow_lines(flow: Sequence[Mapping[str, Any]], indent: str, text: Callable[[str], str]) -> list[str]:
    """``flow:`` with one mapping per step (``step:`` first), block style, at ``indent``."""
    if not flow:
        return [f"{indent}flow: []"]
    lines = [f"{indent}flow:"]
    for step in flow:
        lines.append(f"{indent}  - step: {text(str(step['step']))}")
        choices = step.get("choices") or []
        conditional = [c for c in choices if c.get("if")]
        default: Mapping[str, Any] = next((c for c in choices if not c.get("if")), {"attributes": {}})
        if not conditional:
            lines += _attribute_lines(default.get("attributes") or {}, indent + "    ", text)
            continue
        lines.append(f"{indent}    choices:")
        for choice in conditional:
            lines.append(f"{indent}      - if: {_condition(choice['if'], text)}")
            lines += _attribute_lines(choice.get("attributes") or {}, indent + "        ", text)
        attributes = default.get("attributes") or {}
        if attributes:
            first, *rest = _attribute_lines(attributes, "", text)
            lines.append(f"{indent}      - {first}")
            lines += [f"{indent}        {line}" for line in rest]
        else:
            lines.append(f"{indent}      - {{}}")
    return lines
