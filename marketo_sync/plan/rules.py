"""A stable fingerprint of a campaign's smart list and flow, and a readable comparison.

Marketo's API cannot change triggers, filters or flow steps, so a
campaign cloned from a template can only drift from it through the UI. This module reduces
what the API returns to the parts that mean something:

* smart list: ``filterMatchType`` (case-insensitive; the old ``Advanced`` is the new
  ``custom``), the custom rule logic, and for each trigger and filter **in order** its rule
  type (``ruleTypeId``, else its name), name, operator and conditions; conditions are keyed by
  attribute (``activityAttributeId`` / ``attributeId``, else the name), so their order does not
  matter, and their ``values`` are sorted (Marketo treats them as a set) except for operators
  whose values are a range;
* flow: each step **in order**, by action (``activityTypeId``, else its name), with its
  choices in order, each with its rule and its attributes by name/value.

Every ``id`` is ignored (rules, steps, choices and attributes are renumbered on clone), and
both rule schema versions are read (triggers as strings in the older one, objects in the newer).

:func:`compare` aligns rules and steps by type, finds the differences inside matched ones with
:class:`deepdiff.DeepDiff`, and words each difference as one short line; raw DeepDiff output
never reaches the user.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

#: Operators whose values are an ordered pair or range, not a set.
ORDERED_VALUE_OPERATORS = frozenset({"between", "not between", "in time frame", "in date range"})

#: Section of the fingerprint -> the word used in messages.
_SECTIONS = (("triggers", "trigger"), ("filters", "filter"), ("flow", "flow step"))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _key(type_id: Any, name: Any) -> str:
    """A rule or action identity: its type id when the API gives one, else its name."""
    if type_id not in (None, ""):
        return f"#{type_id}"
    return _text(name).casefold()


def _values(raw: Any, operator: str) -> list[str]:
    if raw is None:
        values: list[str] = []
    elif isinstance(raw, list | tuple):
        values = [_text(v) for v in raw]
    else:
        values = [_text(raw)]
    return values if operator.casefold() in ORDERED_VALUE_OPERATORS else sorted(values)


def _conditions(raw: Any) -> dict[str, dict[str, Any]]:
    conditions: dict[str, dict[str, Any]] = {}
    for cond in raw or []:
        if not isinstance(cond, Mapping):
            continue
        name = _text(cond.get("activityAttributeName") or cond.get("attributeName") or cond.get("name"))
        attr_id = cond.get("activityAttributeId", cond.get("attributeId"))
        operator = _text(cond.get("operator"))
        key = _key(attr_id, name)
        entry = {"name": name, "operator": operator, "values": _values(cond.get("values"), operator)}
        # Two conditions on one attribute (rare, e.g. two date ranges): keep both, by content.
        if key in conditions:
            n = 2
            while f"{key}~{n}" in conditions:
                n += 1
            key = f"{key}~{n}"
        conditions[key] = entry
    return dict(sorted(conditions.items(), key=lambda kv: (kv[0], json.dumps(kv[1], sort_keys=True))))


def _rule(raw: Any) -> dict[str, Any]:
    """A trigger or filter: a string (older schema) or a ``SmartListFilters`` object."""
    if not isinstance(raw, Mapping):  # older schema: only the name is known
        name = _text(raw)
        return {"key": _key(None, name), "name": name, "operator": None, "conditions": None}
    name = _text(raw.get("name"))
    return {"key": _key(raw.get("ruleTypeId"), name), "name": name, "operator": _text(raw.get("operator")),
            "conditions": _conditions(raw.get("conditions"))}


def _choice_rule(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        return None
    operator = _text(raw.get("operator"))
    return {"name": _text(raw.get("name")), "operator": operator, "values": _values(raw.get("values"), operator)}


def _step(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A flow step: its conditional choices in order (Choice 1, 2, ...) and its default choice."""
    name = _text(raw.get("activityTypeName") or raw.get("name"))
    choices: list[dict[str, Any]] = []
    default: dict[str, str] | None = None
    for choice in raw.get("stepChoice") or raw.get("choices") or []:
        if not isinstance(choice, Mapping):
            continue
        attributes = {_text(a.get("name")) or f"#{a.get('activityTypeAttribId')}": _text(a.get("value"))
                      for a in choice.get("attributes") or [] if isinstance(a, Mapping)}
        attributes = dict(sorted(attributes.items()))
        if choice.get("default", False) or choice.get("rule") is None:
            default = attributes
        else:
            choices.append({"rule": _choice_rule(choice.get("rule")), "attributes": attributes})
    return {"key": _key(raw.get("activityTypeId"), name), "name": name, "choices": choices, "default": default}


def _match_type(raw: Any) -> str:
    value = _text(raw).casefold()
    return "custom" if value == "advanced" else value


@dataclass(frozen=True)
class Fingerprint:
    """The normalised smart list and flow of one campaign.

    ``flow`` is None when the instance did not return it (``GET smartCampaign/{id}.json``
    without ``flow``: an API older than the flow endpoints); the smart list is then compared alone.
    """

    filter_match_type: str
    custom_logic: str
    triggers: tuple[dict[str, Any], ...]
    filters: tuple[dict[str, Any], ...]
    flow: tuple[dict[str, Any], ...] | None

    def as_data(self) -> dict[str, Any]:
        return {"filterMatchType": self.filter_match_type, "customLogic": self.custom_logic,
                "triggers": list(self.triggers), "filters": list(self.filters),
                "flow": None if self.flow is None else list(self.flow)}

    def digest(self) -> str:
        """``sha256:…`` of the canonical JSON: equal for campaigns with the same rules and flow."""
        canonical = json.dumps(self.as_data(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def summary(self) -> str:
        """``1 trigger, 0 filters, 2 flow steps`` (for messages)."""
        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"
        parts = [count(len(self.triggers), "trigger"), count(len(self.filters), "filter")]
        parts.append("flow not read" if self.flow is None else count(len(self.flow), "flow step"))
        return ", ".join(parts)


def fingerprint(smart_list: Mapping[str, Any] | None, campaign: Mapping[str, Any] | None = None) -> Fingerprint:
    """The fingerprint of a ``smartList.json?includeRules=true`` record and a campaign record.

    ``smart_list`` may be the record or its ``rules`` member; ``campaign`` is the
    ``smartCampaign/{id}.json`` record (its ``flow``), or None when the flow was not read.
    """
    rules: Mapping[str, Any] = {}
    if smart_list:
        inner = smart_list.get("rules")
        rules = inner if isinstance(inner, Mapping) else smart_list
    flow: tuple[dict[str, Any], ...] | None = None
    raw_flow = campaign.get("flow") if campaign else None
    if isinstance(raw_flow, Mapping):
        flow = tuple(_step(s) for s in raw_flow.get("steps") or [] if isinstance(s, Mapping))
    elif isinstance(raw_flow, list):
        flow = tuple(_step(s) for s in raw_flow if isinstance(s, Mapping))
    logic = " ".join(_text(rules.get("filterCustomRuleLogic")).casefold().split())
    return Fingerprint(
        filter_match_type=_match_type(rules.get("filterMatchType")),
        custom_logic=logic,
        triggers=tuple(_rule(r) for r in rules.get("triggers") or []),
        filters=tuple(_rule(r) for r in rules.get("filters") or []),
        flow=flow,
    )


# -- comparison -------------------------------------------------------------------------------


def _show(values: Sequence[str]) -> str:
    return "[" + ", ".join(repr(v) for v in values) + "]"


def _condition(cond: Mapping[str, Any], with_operator: bool) -> str:
    values = _show(cond.get("values", []))
    return f"{cond.get('operator', '')!r} {values}" if with_operator else values


def _levels(diff: DeepDiff) -> list[Any]:
    """Every reported difference, in a stable order (by path), whatever its kind."""
    levels = [level for report in diff.values() for level in report]
    return sorted(levels, key=lambda level: [str(p) for p in level.path(output_format="list")])


def _rule_lines(label: str, expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """Differences inside one matched trigger or filter (``label``: ``trigger 1 'Name'``)."""
    lines: list[str] = []
    seen: set[str] = set()
    if expected.get("conditions") is None or actual.get("conditions") is None:
        return []  # a trigger given by name only (older schema): nothing more to compare
    for level in _levels(DeepDiff(expected, actual, view="tree")):
        path = level.path(output_format="list")
        if not path:
            continue
        if path[0] == "key" and str(expected["key"]).startswith("#") and str(actual["key"]).startswith("#"):
            lines.append(f"{label}: rule type id is {actual['key'][1:]}, template has {expected['key'][1:]}")
            continue
        if path[0] in ("name", "operator"):
            lines.append(f"{label}: {path[0]} is {actual.get(path[0])!r}, template has "
                         f"{expected.get(path[0])!r}")
            continue
        if path[0] != "conditions":
            continue
        if len(path) == 1:  # the whole mapping (cannot happen for dicts, kept for safety)
            lines.append(f"{label}: conditions differ from the template")
            continue
        key = str(path[1])
        if key in seen:
            continue
        seen.add(key)
        old, new = expected["conditions"].get(key), actual["conditions"].get(key)
        if old is None and new is not None:
            lines.append(f"{label}: extra condition {new['name']!r} {_condition(new, True)} "
                         "(not in the template)")
        elif new is None and old is not None:
            lines.append(f"{label}: condition {old['name']!r} missing (template has "
                         f"{_condition(old, True)})")
        elif old is not None and new is not None:
            both = old.get("operator") != new.get("operator")
            lines.append(f"{label}: condition {new['name']!r} is {_condition(new, both)}, template has "
                         f"{_condition(old, both)}")
    return list(dict.fromkeys(lines))


def _choice_rule_text(rule: Mapping[str, Any] | None) -> str:
    if not rule:
        return "none"
    return f"{rule.get('name')!r} {rule.get('operator', '')} {_show(rule.get('values', []))}"


def _attribute_line(prefix: str, name: str, old: Mapping[str, str] | None, new: Mapping[str, str] | None) -> str:
    return (f"{prefix}: {name!r} is {(new or {}).get(name, '(not set)')!r}, template has "
            f"{(old or {}).get(name, '(not set)')!r}")


def _step_lines(label: str, expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """Differences inside one matched flow step (``label``: ``flow step 1 'Send Email'``)."""
    lines: list[str] = []
    old_choices, new_choices = expected.get("choices", []), actual.get("choices", [])
    with_choices = bool(old_choices or new_choices)
    for level in _levels(DeepDiff(expected, actual, view="tree")):
        path = level.path(output_format="list")
        if not path:
            continue
        if path[0] == "name":
            lines.append(f"{label}: name is {actual.get('name')!r}, template has {expected.get('name')!r}")
        elif path[0] == "default":
            prefix = f"{label}, default choice" if with_choices else label
            if len(path) >= 2:
                lines.append(_attribute_line(prefix, str(path[1]), expected.get("default"), actual.get("default")))
            else:
                lines.append(f"{prefix}: {'missing' if actual.get('default') is None else 'not in the template'}")
        elif path[0] == "choices" and len(path) >= 2:
            index = int(path[1])
            old = old_choices[index] if index < len(old_choices) else None
            new = new_choices[index] if index < len(new_choices) else None
            if old is None and new is not None:
                lines.append(f"{label}: extra choice {index + 1} (if {_choice_rule_text(new.get('rule'))}) "
                             "(not in the template)")
            elif new is None and old is not None:
                lines.append(f"{label}: choice {index + 1} missing (if {_choice_rule_text(old.get('rule'))})")
            elif old is not None and new is not None:
                prefix = f"{label}, choice {index + 1}"
                if len(path) >= 4 and path[2] == "attributes":
                    lines.append(_attribute_line(prefix, str(path[3]), old["attributes"], new["attributes"]))
                elif len(path) >= 3 and path[2] == "rule":
                    lines.append(f"{prefix}: condition is {_choice_rule_text(new.get('rule'))}, template has "
                                 f"{_choice_rule_text(old.get('rule'))}")
    return list(dict.fromkeys(lines))


def _sequence_lines(word: str, expected: Sequence[Mapping[str, Any]],
                    actual: Sequence[Mapping[str, Any]]) -> list[str]:
    """Align two ordered lists by rule/action type; missing, extra and changed items as lines.

    Order matters: a step moved elsewhere is reported as missing at its template position and
    extra at its new one. Numbers are 1-based, as in the Marketo UI: a missing item has its
    template number, the others their number in the campaign.
    """
    lines: list[str] = []
    # Aligned by name (it names the rule or action type in the UI, and both schema versions have
    # it); a different type id under one name is reported by the inner comparison.
    matcher = difflib.SequenceMatcher(a=[e["name"].casefold() for e in expected],
                                      b=[a["name"].casefold() for a in actual], autojunk=False)
    inner = _step_lines if word == "flow step" else _rule_lines
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                old, new = expected[i1 + offset], actual[j1 + offset]
                lines.extend(inner(f"{word} {j1 + offset + 1} {new['name']!r}", old, new))
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                old, new = expected[i1 + offset], actual[j1 + offset]
                lines.append(f"{word} {j1 + offset + 1} is {new['name']!r}, template has {old['name']!r}")
            continue
        for index in range(i1, i2):
            lines.append(f"{word} {index + 1} missing: {expected[index]['name']!r}")
        for index in range(j1, j2):
            lines.append(f"{word} {index + 1} extra: {actual[index]['name']!r} (not in the template)")
    return lines


def compare(expected: Fingerprint, actual: Fingerprint) -> list[str]:
    """Short human lines, one per difference between the template (``expected``) and the campaign.

    An empty list means "same rules and flow". When either side's flow was not read, the flow
    is not compared (the caller says so); the smart list always is.
    """
    lines: list[str] = []
    top = DeepDiff({"filterMatchType": expected.filter_match_type, "customLogic": expected.custom_logic},
                   {"filterMatchType": actual.filter_match_type, "customLogic": actual.custom_logic},
                   view="tree")
    words = {"filterMatchType": "filter match type", "customLogic": "custom filter logic"}
    for level in _levels(top):
        path = level.path(output_format="list")
        if path and path[0] in words:
            name = str(path[0])
            old = expected.filter_match_type if name == "filterMatchType" else expected.custom_logic
            new = actual.filter_match_type if name == "filterMatchType" else actual.custom_logic
            lines.append(f"{words[name]} is {new or '(none)'!r}, template has {old or '(none)'!r}")
    for section, word in _SECTIONS:
        old_items = getattr(expected, section)
        new_items = getattr(actual, section)
        if old_items is None or new_items is None:
            continue
        lines.extend(_sequence_lines(word, old_items, new_items))
    return lines


def flow_compared(expected: Fingerprint, actual: Fingerprint) -> bool:
    """Whether :func:`compare` could compare the flow (both sides returned it)."""
    return expected.flow is not None and actual.flow is not None


__all__ = ["ORDERED_VALUE_OPERATORS", "Fingerprint", "compare", "fingerprint", "flow_compared"]
