"""Smart-list rules and flow steps: a small catalogue, compact specs, and the derived facts.

Seeds stay short (``{name: Campaign is Requested, source: Web Service API}``,
``{action: Send Email, email: Webinar Reminder}``); this module expands them to the API's
record shapes (``SmartListFilters`` with ``conditions``, ``FlowStep`` with ``stepChoice``) and
derives what Marketo derives: a campaign's ``type`` and whether it can be requested.

Rule-type and activity ids follow Marketo's activity-type ids where one exists (Send Email 6,
Fills Out Form 2, ...); the rest are emulator-chosen. Nothing relies on their values.
"""

from __future__ import annotations

import copy
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]
NextId = Callable[[str], int]  # "rule" | "condition" | "step" | "choice" | "attribute" -> fresh id

CAMPAIGN_IS_REQUESTED = "Campaign is Requested"
WEB_SERVICE_API = "Web Service API"


class RuleSpecError(ValueError):
    """A compact rule or flow spec that cannot be expanded; the message names the field."""


@dataclass(frozen=True)
class RuleType:
    name: str
    rule_type_id: int
    kind: str  # "Activity" | "Attribute"
    attributes: tuple[tuple[int, str], ...]  # (attribute id, attribute name); the first is primary
    operator: str = "is"


@dataclass(frozen=True)
class FlowAction:
    name: str
    activity_type_id: int
    attributes: tuple[tuple[int, str, str], ...]  # (activityTypeAttribId, name, dataType)
    choices: bool = True  # Wait cannot branch: Marketo offers no choices on it


TRIGGERS: dict[str, RuleType] = {r.name.lower(): r for r in (
    RuleType(CAMPAIGN_IS_REQUESTED, 47, "Activity", ((81, "Source"), (82, "Campaign"))),
    RuleType("Fills Out Form", 2, "Activity", ((3, "Form"), (4, "Web Page"))),
    RuleType("Visits Web Page", 1, "Activity", ((1, "Web Page"), (2, "Querystring"))),
    RuleType("Data Value Changes", 13, "Activity",
             ((44, "Attribute"), (45, "New Value"), (46, "Previous Value"))),
    RuleType("Opens Email", 10, "Activity", ((7, "Email"),)),
    RuleType("Clicks Link in Email", 11, "Activity", ((8, "Email"), (9, "Link"))),
    RuleType("Email Bounces", 8, "Activity", ((10, "Email"),)),
    RuleType("Unsubscribes from Email", 9, "Activity", ((11, "Email"),)),
    RuleType("Person is Created", 12, "Activity", ((12, "Source"),)),
    RuleType("Added to List", 24, "Activity", ((13, "List"),)),
    RuleType("Score is Changed", 22, "Activity", ((14, "Score Name"), (15, "Change"))),
    RuleType("Program Status is Changed", 104, "Activity", ((16, "Program"), (17, "New Status"))),
)}

FILTERS: dict[str, RuleType] = {r.name.lower(): r for r in (
    RuleType("Member of List", 83, "Attribute", ((83, "List"),), "in"),
    RuleType("Member of Program", 84, "Attribute", ((84, "Program"),), "in"),
    RuleType("Filled Out Form", 2, "Activity", ((3, "Form"), (4, "Web Page"))),
    RuleType("Visited Web Page", 1, "Activity", ((1, "Web Page"),)),
    RuleType("Was Sent Email", 6, "Activity", ((5, "Email"),)),
    RuleType("Opened Email", 10, "Activity", ((7, "Email"),)),
    RuleType("Email Bounced", 8, "Activity", ((10, "Email"),)),
    RuleType("Unsubscribed from Email", 9, "Activity", ((11, "Email"),)),
)}

FLOW_ACTIONS: dict[str, FlowAction] = {a.name.lower(): a for a in (
    FlowAction("Send Email", 6, ((101, "Email", "reference"),)),
    FlowAction("Change Data Value", 13, ((131, "Attribute", "reference"), (132, "New Value", "string"))),
    FlowAction("Change Score", 22, ((221, "Score Name", "reference"), (222, "Change", "score"))),
    FlowAction("Change Owner", 23, ((231, "New Owner", "reference"),)),
    FlowAction("Add to List", 24, ((241, "List", "reference"),)),
    FlowAction("Remove from List", 25, ((251, "List", "reference"),)),
    FlowAction("Send Alert", 38, ((381, "Alert", "reference"), (382, "Send To", "string"))),
    FlowAction("Interesting Moment", 46, ((461, "Type", "string"), (462, "Description", "string"))),
    FlowAction("Request Campaign", 47, ((471, "Campaign", "reference"),)),
    FlowAction("Change Program Status", 104, ((1041, "Program", "reference"), (1042, "New Status", "string"))),
    FlowAction("Call Webhook", 110, ((1101, "Webhook", "reference"),)),
    FlowAction("Sync Person to SFDC", 19, ((191, "Assign To", "string"),)),
    FlowAction("Wait", 1001, ((10011, "Wait Duration", "duration"),), choices=False),
    FlowAction("Remove from Flow", 1002, ((10021, "Campaigns", "reference"),)),
)}

FLOW_ACTIONS_BY_ID: dict[int, FlowAction] = {a.activity_type_id: a for a in FLOW_ACTIONS.values()}

_DURATION = re.compile(r"\d+\s+(minute|hour|day|week|month)s?", re.IGNORECASE)
_SCORE_CHANGE = re.compile(r"[+\-=]?\s*\d+")


def attribute_value_problem(data_type: str, value: str) -> str | None:
    """Why ``value`` cannot go into a flow attribute of ``data_type``, or None when it can.

    Blank is "not set yet" (what Add Flow Step leaves); references (emails, lists) are not
    checked, because the emulator holds no such assets.
    """
    if value == "":
        return None
    if data_type == "duration" and not _DURATION.fullmatch(value.strip()):
        return f"{value!r} is not a duration such as '2 days' (minutes, hours, days, weeks or months)"
    if data_type == "score" and not _SCORE_CHANGE.fullmatch(value.strip()):
        return f"{value!r} is not a score change such as '+5', '-10' or '=0'"
    return None


_RESERVED_RULE_KEYS = {"name", "operator", "conditions"}
_RESERVED_STEP_KEYS = {"action", "choices"}


_NORMS: dict[str, str] = {}  # a cache of _norm for text keys (a big seed repeats the same few)
_BY_KEY: dict[tuple[Any, ...], dict[str, Any]] = {}  # attributes -> {_norm(name): attribute}
_CACHE_CAP = 10_000


def _norm(key: str) -> str:
    if type(key) is str:
        norm = _NORMS.get(key)
        if norm is None:
            norm = "".join(ch for ch in key.lower() if ch.isalnum())
            if len(_NORMS) < _CACHE_CAP:
                _NORMS[key] = norm
        return norm
    return "".join(ch for ch in str(key).lower() if ch.isalnum())


def _by_key(attributes: tuple[Any, ...]) -> dict[str, Any]:
    """``{_norm(name): attribute}`` of a rule type's or a flow action's attributes (each a tuple
    whose second item is the name), built once per attribute list. The caller must not change it."""
    by_key = _BY_KEY.get(attributes)
    if by_key is None:
        by_key = {_norm(attribute[1]): attribute for attribute in attributes}
        if len(_BY_KEY) < _CACHE_CAP:
            _BY_KEY[attributes] = by_key
    return by_key


def _values(raw: Any, where: str) -> list[str]:
    if isinstance(raw, list | tuple):
        return [str(v) for v in raw]
    if raw is None or isinstance(raw, Mapping):
        raise RuleSpecError(f"{where}: expected a value or a list of values, got {raw!r}")
    return [str(raw)]


def lead_field_id(name: str) -> int:
    """The emulator's stable id of a lead field (Country, Job Title...), derived from its name."""
    return 1000 + zlib.crc32(name.lower().encode()) % 9000


def _lead_field_filter(name: str) -> RuleType:
    """A filter on a lead field (Country, Job Title...): any field name is allowed, like Marketo."""
    field_id = lead_field_id(name)
    return RuleType(name, field_id, "Attribute", ((field_id, name),))


def expand_rule(spec: Any, *, trigger: bool, next_id: NextId, where: str) -> Record:
    """A compact trigger/filter spec -> a ``SmartListFilters`` record with conditions.

    ``spec`` is a rule name, or a mapping with ``name``, optional ``operator``, and either
    attribute shortcuts (``source: Web Service API``) or ``conditions: [{attribute, operator,
    values}]``. Unknown triggers are refused (typos would silently change ``type``); unknown
    filters are lead-field filters, as in Marketo where any field can be filtered on.
    """
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str) or not spec["name"].strip():
        raise RuleSpecError(f"{where}: a rule needs a 'name'")
    name = spec["name"].strip()
    catalogue = TRIGGERS if trigger else FILTERS
    rule_type = catalogue.get(name.lower())
    if rule_type is None:
        if trigger:
            known = ", ".join(sorted(r.name for r in TRIGGERS.values()))
            raise RuleSpecError(f"{where}.name: unknown trigger {name!r}; known triggers: {known}")
        rule_type = _lead_field_filter(name)
    by_key = _by_key(rule_type.attributes)
    default_operator = str(spec.get("operator", rule_type.operator))
    pairs: list[tuple[int, str, str, list[str]]] = []
    for key, raw in spec.items():
        if key in _RESERVED_RULE_KEYS:
            continue
        attr = by_key.get(_norm(key))
        if attr is None:
            known = ", ".join(a for _, a in rule_type.attributes)
            raise RuleSpecError(f"{where}.{key}: {rule_type.name!r} has no attribute {key!r}; known: {known}")
        pairs.append((attr[0], attr[1], default_operator, _values(raw, f"{where}.{key}")))
    for index, cond in enumerate(spec.get("conditions") or []):
        cwhere = f"{where}.conditions[{index}]"
        if not isinstance(cond, Mapping) or "attribute" not in cond:
            raise RuleSpecError(f"{cwhere}: a condition needs 'attribute', 'operator' and 'values'")
        attr = by_key.get(_norm(cond["attribute"]))
        if attr is None:
            known = ", ".join(a for _, a in rule_type.attributes)
            raise RuleSpecError(f"{cwhere}.attribute: {rule_type.name!r} has no attribute "
                                f"{cond['attribute']!r}; known: {known}")
        pairs.append((attr[0], attr[1], str(cond.get("operator", default_operator)),
                      _values(cond.get("values", []), f"{cwhere}.values")))
    primary_id = rule_type.attributes[0][0]
    pairs.sort(key=lambda p: p[0] != primary_id)  # the primary condition comes first
    conditions = []
    for attr_id, attr_name, operator, values in pairs:
        if rule_type.kind == "Activity":
            cond = {"activityAttributeId": attr_id, "activityAttributeName": attr_name}
        else:
            cond = {"attributeId": attr_id, "attributeName": attr_name}
        cond.update({"operator": operator, "values": values, "isPrimary": attr_id == primary_id})
        conditions.append(cond)
    return {"id": next_id("rule"), "name": rule_type.name, "ruleTypeId": rule_type.rule_type_id,
            "ruleType": rule_type.kind, "operator": default_operator, "conditions": conditions}


def _step_attributes(action: FlowAction, spec: Mapping[str, Any], next_id: NextId, where: str) -> list[Record]:
    by_key = _by_key(action.attributes)
    attributes = []
    for key, raw in spec.items():
        if key in _RESERVED_STEP_KEYS:
            continue
        attr = by_key.get(_norm(key))
        if attr is None:
            known = ", ".join(name for _, name, _ in action.attributes)
            raise RuleSpecError(f"{where}.{key}: flow action {action.name!r} has no attribute {key!r}; "
                                f"known: {known}")
        if isinstance(raw, Mapping | list):
            raise RuleSpecError(f"{where}.{key}: expected a single value, got {raw!r}")
        problem = attribute_value_problem(attr[2], str(raw))
        if problem:
            raise RuleSpecError(f"{where}.{key}: {problem}")
        attributes.append({"id": next_id("attribute"), "activityTypeAttribId": attr[0], "name": attr[1],
                           "dataType": attr[2], "value": str(raw),
                           "primary": attr[0] == action.attributes[0][0]})
    attributes.sort(key=lambda a: not a["primary"])
    return attributes


def _choice_rule(spec: Any, where: str) -> Record:
    """``{name: City, operator: is, values: [San Francisco]}`` -> a ``FlowStepChoiceRule``."""
    if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
        raise RuleSpecError(f"{where}: a choice needs 'if: {{name, operator, values}}'")
    field = _lead_field_filter(spec["name"].strip())
    return {"name": field.name, "operator": str(spec.get("operator", "is")), "ruleType": "Attribute",
            "ruleTypeId": field.rule_type_id, "values": _values(spec.get("values", []), f"{where}.values")}


def expand_step(spec: Any, *, next_id: NextId, where: str) -> Record:
    """A compact flow spec (``{action: Send Email, email: X}``) -> a ``FlowStep`` record.

    ``choices: [{if: {name: City, operator: is, values: [SF]}, email: Y}]`` adds conditional
    choices before the default one, as Marketo lists them (Choice 1, ..., Default).
    """
    if isinstance(spec, str):
        spec = {"action": spec}
    if not isinstance(spec, Mapping) or not isinstance(spec.get("action"), str):
        raise RuleSpecError(f"{where}: a flow step needs an 'action'")
    action = FLOW_ACTIONS.get(spec["action"].strip().lower())
    if action is None:
        known = ", ".join(sorted(a.name for a in FLOW_ACTIONS.values()))
        raise RuleSpecError(f"{where}.action: unknown flow action {spec['action']!r}; known: {known}")
    step_id = next_id("step")
    choices = []
    raw_choices = spec.get("choices") or []
    if not isinstance(raw_choices, list):
        raise RuleSpecError(f"{where}.choices: expected a list")
    if raw_choices and not action.choices:
        raise RuleSpecError(f"{where}.choices: flow action {action.name!r} cannot have choices")
    for index, choice in enumerate(raw_choices):
        cwhere = f"{where}.choices[{index}]"
        if not isinstance(choice, Mapping) or "if" not in choice:
            raise RuleSpecError(f"{cwhere}: a choice needs 'if: {{name, operator, values}}'")
        rule = _choice_rule(choice["if"], f"{cwhere}.if")
        attributes = _step_attributes(action, {k: v for k, v in choice.items() if k != "if"}, next_id, cwhere)
        choices.append({"id": next_id("choice"), "default": False, "attributes": attributes, "rule": rule})
    default = {"id": next_id("choice"), "default": True,
               "attributes": _step_attributes(action, spec, next_id, where)}
    return {"id": step_id, "activityTypeId": action.activity_type_id, "activityTypeName": action.name,
            "stepChoice": [*choices, default]}


def copy_with_new_ids(records: list[Record], next_id: NextId) -> list[Record]:
    """Deep copy of rules or flow steps with fresh ids (Marketo renumbers on clone)."""
    copies = []
    for record in copy.deepcopy(records):
        if "ruleTypeId" in record:
            record["id"] = next_id("rule")
        else:
            record["id"] = next_id("step")
            for choice in record.get("stepChoice", []):
                choice["id"] = next_id("choice")
                for attribute in choice.get("attributes", []):
                    attribute["id"] = next_id("attribute")
        copies.append(record)
    return copies


# -- catalogues (GET smartCampaign/rules.json and flowSteps.json) --------------------------------

def rule_catalogue() -> Record:
    """Every trigger and filter rule type the emulator knows, as ``SmartCampaignRules``."""
    def rule_type(rule: RuleType) -> Record:
        return {"id": rule.rule_type_id, "name": rule.name, "type": rule.kind.lower(),
                "constraints": [{"id": attr_id, "name": attr_name, "dataType": "string",
                                 "primary": index == 0, "operator": rule.operator}
                                for index, (attr_id, attr_name) in enumerate(rule.attributes)]}
    return {"filters": [rule_type(r) for r in FILTERS.values()],
            "triggers": [rule_type(r) for r in TRIGGERS.values()]}


def flow_step_catalogue() -> Record:
    """Every flow action the emulator knows, as ``SmartCampaignFlowSteps``."""
    return {"flowSteps": [
        {"id": action.activity_type_id, "name": action.name,
         "constraints": [{"id": attr_id, "name": name, "dataType": dtype, "primary": index == 0}
                         for index, (attr_id, name, dtype) in enumerate(action.attributes)]}
        for action in FLOW_ACTIONS.values()]}


def new_step(activity_type_id: int, next_id: NextId) -> Record | None:
    """An empty step of one action type (what the add-flow-step endpoint creates), or None."""
    action = FLOW_ACTIONS_BY_ID.get(activity_type_id)
    if action is None:
        return None
    step_id = next_id("step")
    attributes = [{"id": next_id("attribute"), "activityTypeAttribId": attr_id, "name": name, "dataType": dtype,
                   "value": "", "primary": index == 0}
                  for index, (attr_id, name, dtype) in enumerate(action.attributes)]
    return {"id": step_id, "activityTypeId": action.activity_type_id, "activityTypeName": action.name,
            "stepChoice": [{"id": next_id("choice"), "default": True, "attributes": attributes}]}


# -- derived facts -------------------------------------------------------------------------

def campaign_type(triggers: list[Record], filters: list[Record]) -> str:
    """Marketo's rule: triggers -> trigger; filters only -> batch; nothing -> default."""
    if triggers:
        return "trigger"
    return "batch" if filters else "default"


def has_api_request_trigger(triggers: list[Record]) -> bool:
    """A "Campaign is Requested" trigger whose Source is "Web Service API"."""
    for rule in triggers:
        if rule.get("name") != CAMPAIGN_IS_REQUESTED:
            continue
        for cond in rule.get("conditions", []):
            if cond.get("activityAttributeName") == "Source" and WEB_SERVICE_API in cond.get("values", []):
                return True
    return False


def rule_errors(rules: list[Record]) -> list[str]:
    """Messages of conditions flagged ``isError`` (they block activation, as in Marketo)."""
    return [cond.get("errorMessage") or f"rule {rule.get('name')!r} has an error"
            for rule in rules for cond in rule.get("conditions", []) if cond.get("isError")]
