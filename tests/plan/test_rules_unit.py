"""Unit tests of marketo_sync.plan.rules: the fingerprint of a smart list and flow, and its comparison."""

from __future__ import annotations

import copy
from typing import Any

from marketo_sync.plan.rules import compare, fingerprint, flow_compared


def condition(attr_id: int, name: str, values: list[str], operator: str = "is", **extra: Any) -> dict[str, Any]:
    return {"id": extra.pop("id", 900 + attr_id), "activityAttributeId": attr_id, "activityAttributeName": name,
            "operator": operator, "values": values, "isPrimary": extra.pop("primary", False), **extra}


def requested(source: list[str], rule_id: int = 1) -> dict[str, Any]:
    return {"id": rule_id, "name": "Campaign is Requested", "ruleTypeId": 47, "ruleType": "Activity",
            "operator": "is", "conditions": [condition(81, "Source", source, primary=True)]}


def step(step_id: int, type_id: int, name: str, **attributes: str) -> dict[str, Any]:
    return {"id": step_id, "activityTypeId": type_id, "activityTypeName": name,
            "stepChoice": [{"id": step_id * 10, "default": True, "attributes": [
                {"id": step_id * 100 + n, "activityTypeAttribId": n, "name": k, "value": v, "primary": n == 0}
                for n, (k, v) in enumerate(attributes.items())]}]}


def smart_list(*triggers: Any, filters: tuple[Any, ...] = (), match: str = "all",
               logic: str | None = None) -> dict[str, Any]:
    rules: dict[str, Any] = {"filterMatchType": match, "triggers": list(triggers), "filters": list(filters)}
    if logic is not None:
        rules["filterCustomRuleLogic"] = logic
    return {"id": 5001, "name": "x", "rules": rules}


def campaign(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"id": 2001, "name": "x", "flow": {"steps": list(steps)}}


TEMPLATE_LIST = smart_list(requested(["Web Service API"]))
TEMPLATE = campaign(step(1, 6, "Send Email", Email="Webinar Reminder"),
                    step(2, 1001, "Wait", **{"Wait Duration": "2 days"}))


def renumbered(record: dict[str, Any], offset: int) -> dict[str, Any]:
    """A deep copy with every ``id`` changed, as a clone gets."""
    copied = copy.deepcopy(record)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("id"), int):
                node["id"] += offset
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(copied)
    return copied


def test_ids_are_ignored():
    a = fingerprint(TEMPLATE_LIST, TEMPLATE)
    b = fingerprint(renumbered(TEMPLATE_LIST, 7000), renumbered(TEMPLATE, 7000))
    assert a == b and a.digest() == b.digest()
    assert compare(a, b) == []


def test_both_rule_schema_versions_are_read():
    old = {"rules": {"filterMatchType": "All", "triggers": ["Campaign is Requested"], "filters": [
        {"id": 3, "name": "Country", "ruleTypeId": 1501, "ruleType": "Attribute", "operator": "is",
         "conditions": [{"activityAttributeId": 1501, "activityAttributeName": "Country", "operator": "is",
                         "values": ["FR"], "isPrimary": True}]}]}}
    new = {"rules": {"filterMatchType": "all", "triggers": [{"id": 9, "name": "Campaign is Requested",
                                                            "operator": "is", "conditions": []}],
                     "filters": [{"id": 4, "name": "Country", "ruleTypeId": 1501, "ruleType": "Attribute",
                                  "operator": "is", "conditions": [
                                      {"attributeId": 1501, "attributeName": "Country", "operator": "is",
                                       "values": ["FR"], "isPrimary": True}]}]}}
    a, b = fingerprint(old), fingerprint(new)
    assert [t["name"] for t in a.triggers] == ["Campaign is Requested"]
    assert compare(a, b) == []  # "All" == "all"; a string trigger == an object one without conditions
    assert a.flow is None and not flow_compared(a, b)
    assert fingerprint({"filterMatchType": "Advanced"}).filter_match_type == "custom"


def test_order_of_values_and_conditions_is_irrelevant_where_marketo_treats_them_as_sets():
    base = requested(["Web Service API", "Form"])
    base["conditions"].append(condition(82, "Campaign", ["X"]))
    shuffled = copy.deepcopy(base)
    shuffled["conditions"].reverse()
    shuffled["conditions"][-1]["values"].reverse()
    assert compare(fingerprint(smart_list(base)), fingerprint(smart_list(shuffled))) == []
    # a range keeps its order
    between = requested([])
    between["conditions"] = [condition(15, "Change", ["1", "10"], operator="between")]
    swapped = copy.deepcopy(between)
    swapped["conditions"][0]["values"] = ["10", "1"]
    assert compare(fingerprint(smart_list(between)), fingerprint(smart_list(swapped))) == [
        "trigger 1 'Campaign is Requested': condition 'Change' is ['10', '1'], template has ['1', '10']"]


def test_order_of_steps_and_rules_is_relevant():
    swapped = campaign(*reversed(TEMPLATE["flow"]["steps"]))
    lines = compare(fingerprint(TEMPLATE_LIST, TEMPLATE), fingerprint(TEMPLATE_LIST, swapped))
    assert lines == ["flow step 1 extra: 'Wait' (not in the template)", "flow step 2 missing: 'Wait'"]
    other = campaign(step(1, 22, "Change Score", Change="+5"),
                     step(2, 1001, "Wait", **{"Wait Duration": "2 days"}))
    assert compare(fingerprint(TEMPLATE_LIST, TEMPLATE), fingerprint(TEMPLATE_LIST, other)) == [
        "flow step 1 is 'Change Score', template has 'Send Email'"]
    form = {"id": 5, "name": "Fills Out Form", "ruleTypeId": 2, "operator": "is", "conditions": []}
    two = fingerprint(smart_list(requested(["Web Service API"]), form))
    assert fingerprint(smart_list(form, requested(["Web Service API"]))).digest() != two.digest()


def test_readable_lines_for_each_kind_of_difference():
    template = fingerprint(TEMPLATE_LIST, TEMPLATE)
    edited = fingerprint(
        smart_list(requested(["Form"]), filters=({"name": "Country", "ruleTypeId": 1501, "operator": "is",
                                                   "conditions": []},), match="Any"),
        campaign(step(5, 6, "Send Email", Email="Other Email")))
    assert compare(template, edited) == [
        "filter match type is 'any', template has 'all'",
        "trigger 1 'Campaign is Requested': condition 'Source' is ['Form'], template has ['Web Service API']",
        "filter 1 extra: 'Country' (not in the template)",
        "flow step 1 'Send Email': 'Email' is 'Other Email', template has 'Webinar Reminder'",
        "flow step 2 missing: 'Wait'",
    ]
    for line in compare(template, edited):
        assert "root[" not in line and "values_changed" not in line  # never raw DeepDiff output


def test_operator_custom_logic_and_choices():
    rule = requested(["Web Service API"])
    other = copy.deepcopy(rule)
    other["conditions"][0]["operator"] = "is not"
    with_choice = copy.deepcopy(TEMPLATE)
    with_choice["flow"]["steps"][0]["stepChoice"].insert(0, {
        "id": 77, "default": False,
        "rule": {"name": "City", "operator": "is", "ruleTypeId": 64, "values": ["San Francisco"]},
        "attributes": [{"id": 78, "name": "Email", "value": "SF Reminder"}]})
    lines = compare(fingerprint(smart_list(rule, match="custom", logic="1 and 2"), TEMPLATE),
                    fingerprint(smart_list(other, match="Custom", logic="1  OR 2"), with_choice))
    assert lines == [
        "custom filter logic is '1 or 2', template has '1 and 2'",
        "trigger 1 'Campaign is Requested': condition 'Source' is 'is not' ['Web Service API'], template has "
        "'is' ['Web Service API']",
        "flow step 1 'Send Email': extra choice 1 (if 'City' is ['San Francisco']) (not in the template)",
    ]


def test_flow_absent_compares_the_smart_list_only():
    template = fingerprint(TEMPLATE_LIST, TEMPLATE)
    without_flow = fingerprint(TEMPLATE_LIST, {"id": 2050, "name": "x"})
    assert without_flow.flow is None and without_flow.summary() == "1 trigger, 0 filters, flow not read"
    assert compare(template, without_flow) == []
    assert not flow_compared(template, without_flow)
    assert template.summary() == "1 trigger, 0 filters, 2 flow steps"


# -- the planner's use of it (pure: a hand-built RemoteState) -------------------------------------

def test_planner_reports_rules_drift_with_one_line_per_difference():
    from plan_builders import MARCH, dc, desired, example_remote

    from marketo_sync.plan.planner import diff
    from marketo_sync.render.plan import render_markdown, render_text

    remote = example_remote()
    template = "Marketing Activities/Templates/Webinar Reminder Template"
    remote.rules[2001] = fingerprint(TEMPLATE_LIST, TEMPLATE)
    remote.rules[3001] = fingerprint(smart_list(requested(["Form"])), {"id": 3001})  # no flow returned
    plan = diff(desired(dc("01 - Registration Confirmation", MARCH, template=template,
                           expect={"rules": "template"})), remote)
    [drift] = plan.drift
    assert (drift.field, drift.expected) == ("rules", f"same as template {template}")
    assert drift.actual == ("trigger 1 'Campaign is Requested': condition 'Source' is ['Form'], template has "
                            "['Web Service API'] (and 1 more)")
    assert drift.message.splitlines()[1:] == [
        "- trigger 1 'Campaign is Requested': condition 'Source' is ['Form'], template has ['Web Service API']",
        "- flow steps not compared: the instance did not return them (an API before the flow endpoints); "
        "smart list only"]
    text = render_text(plan)
    assert "      - flow steps not compared" in text
    assert "<br>`trigger 1 'Campaign is Requested'" in render_markdown(plan)

    remote.rules[3001] = fingerprint(TEMPLATE_LIST, {"id": 3001, "flow": TEMPLATE["flow"]})
    assert diff(desired(dc("01 - Registration Confirmation", MARCH, template=template,
                           expect={"rules": "template"})), remote).drift == ()


def test_planner_without_a_readable_smart_list_says_so():
    from plan_builders import MARCH, dc, desired, example_remote

    from marketo_sync.plan.planner import diff

    remote = example_remote()
    remote.rules[2001] = fingerprint(TEMPLATE_LIST, TEMPLATE)
    plan = diff(desired(dc("01 - Registration Confirmation", MARCH, template=2001,
                           expect={"rules": "template"})), remote)
    [drift] = plan.drift
    assert drift.actual == "(could not be read)"
    assert drift.expected == ("same as template Marketing Activities/Templates/Webinar Reminder Template "
                              "(id 2001)")
