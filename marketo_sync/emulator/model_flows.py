"""Flow steps and their choices through the newer asset API (backend layer 2, beside campaigns).

Adobe's per-operation specs (vendored in ``tests/contract/marketo-api/smart-campaigns/``) define
the endpoints but no error codes; the choices made here (listed in ``docs/emulator-seed.md``,
"Flow steps through the API") follow §4's table: ``1003`` for invalid data (unknown activity
type or condition type, index out of range, an attribute the action does not have, a value of
the wrong form), ``709`` for business rules (the last step of an active trigger campaign, the
default choice, choices on a step that cannot branch, system campaigns), ``702`` for an unknown
step or choice. Every mutation answers the whole campaign with its flow, as the specs say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marketo_sync.emulator import rules
from marketo_sync.emulator.model import Campaign
from marketo_sync.emulator.model_base import Record, atomic, fail
from marketo_sync.emulator.model_campaigns import CampaignMixin

#: Lead fields every instance has, offered as choice conditions (flowStepTypes.json). Fields
#: that seeded choices test are offered too, as custom fields of that instance.
STANDARD_LEAD_FIELDS = (
    "City", "Company Name", "Country", "Email Address", "First Name", "Industry", "Job Title",
    "Last Name", "Lead Score", "Lead Source", "Lead Status", "Postal Code", "Region", "State",
)
#: Operators a choice condition may use (Marketo's smart-list operators).
CHOICE_OPERATORS = frozenset({
    "is", "is not", "contains", "not contains", "starts with", "not starts with", "ends with",
    "is empty", "is not empty", "greater than", "less than", "at least", "at most", "between",
    "in", "not in", "in past", "not in past", "before", "after", "on", "not on",
})
CONDITION_KINDS = {"activity": "Activity", "attribute": "Attribute"}


def _field_type(name: str, standard: bool) -> Record:
    field_id = rules.lead_field_id(name)
    return {"id": field_id, "name": name, "kind": "Attribute", "constraints": [
        {"id": field_id, "name": name, "dataType": "string", "primary": True, "operator": "is",
         "dbAttrib": True, "dbAttribId": str(field_id), "dbObject": "Lead",
         "type": "standard" if standard else "custom"}]}


def _filter_type(rule: rules.RuleType) -> Record:
    return {"id": rule.rule_type_id, "name": rule.name, "kind": rule.kind, "constraints": [
        {"id": attr_id, "name": attr_name, "dataType": "string", "primary": index == 0,
         "operator": rule.operator, "dbAttrib": False}
        for index, (attr_id, attr_name) in enumerate(rule.attributes)]}


class FlowMixin(CampaignMixin):
    """Flow steps and choices: the catalogues and the seven mutations Adobe documents."""

    # -- catalogues -------------------------------------------------------------------------------
    @atomic
    def get_flow_step_types(self) -> list[Record]:
        """``GET /smartCampaign/flowSteps.json``: the flow action catalogue."""
        return [rules.flow_step_catalogue()]

    def _condition_types(self) -> dict[int, Record]:
        """Choice condition types by id: activity and list/program filters, lead fields."""
        types: dict[int, Record] = {r.rule_type_id: _filter_type(r) for r in rules.FILTERS.values()}
        for name in STANDARD_LEAD_FIELDS:
            types.setdefault(rules.lead_field_id(name), _field_type(name, standard=True))
        for campaign in self._campaigns.values():
            for step in campaign.flow:
                for choice in step.get("stepChoice", []):
                    rule = choice.get("rule") or {}
                    if rule.get("ruleType") == "Attribute" and rule.get("name"):
                        types.setdefault(int(rule["ruleTypeId"]), _field_type(rule["name"], standard=False))
        return types

    @atomic
    def get_flow_condition_types(self) -> list[Record]:
        """``GET /smartCampaign/flowStepTypes.json``: what a choice condition may test."""
        entries = sorted(self._condition_types().values(), key=lambda t: (t["kind"] != "Activity", t["name"]))
        return [{"flowStepTypes": [{k: v for k, v in t.items() if k != "kind"} for t in entries]}]

    # -- steps ------------------------------------------------------------------------------------
    def _flow_campaign(self, campaign_id: int) -> Campaign:
        return self._campaign_for_write(campaign_id, "change the flow of")

    def _step(self, campaign: Campaign, step_id: int) -> Record:
        for step in campaign.flow:
            if step["id"] == int(step_id):
                return step
        raise fail(702, f"Flow step {step_id} not found in smart campaign {campaign.id}")

    def _flow_changed(self, campaign: Campaign) -> list[Record]:
        campaign.updated_at = self._now()
        return self._records([campaign])

    @atomic
    def add_flow_step(self, campaign_id: int, *, activity_type_id: int, index: int,
                      activity_kind: str = "activity") -> list[Record]:
        """``POST /smartCampaign/{id}/flows.json``: an empty step of that action at ``index``."""
        campaign = self._flow_campaign(campaign_id)
        if str(activity_kind).lower() != "activity":
            raise fail(1003, f"Invalid activityType type {activity_kind!r}: flow steps are of type 'activity'")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= len(campaign.flow):
            raise fail(1003, f"Invalid index {index!r}: must be between 0 and {len(campaign.flow)}")
        step = rules.new_step(int(activity_type_id), self._next)
        if step is None:
            raise fail(1003, f"Invalid activityType {activity_type_id!r}: not a flow action "
                             "(see smartCampaign/flowSteps.json)")
        campaign.flow.insert(index, step)
        return self._flow_changed(campaign)

    @atomic
    def remove_flow_step(self, campaign_id: int, step_id: int) -> list[Record]:
        """``POST /smartCampaign/{id}/flow/{stepId}/remove.json``, with all its choices."""
        campaign = self._flow_campaign(campaign_id)
        step = self._step(campaign, step_id)
        if len(campaign.flow) == 1 and self._derived(campaign)["isActive"]:
            raise fail(709, f"Cannot remove flow step {step_id}: it is the last step of active smart campaign "
                            f"{campaign.id}; deactivate it first")
        campaign.flow.remove(step)
        return self._flow_changed(campaign)

    # -- choices ----------------------------------------------------------------------------------
    @staticmethod
    def _choice(step: Record, choice_id: int) -> Record:
        for choice in step["stepChoice"]:
            if choice["id"] == int(choice_id):
                return choice
        raise fail(702, f"Choice {choice_id} not found in flow step {step['id']}")

    @staticmethod
    def _action(step: Record) -> rules.FlowAction:
        action = rules.FLOW_ACTIONS_BY_ID.get(int(step["activityTypeId"]))
        if action is None:  # a step imported from a state file of a later catalogue
            raise fail(709, f"Flow step {step['id']} has an unknown action type {step['activityTypeId']}")
        return action

    @atomic
    def add_step_choice(self, campaign_id: int, step_id: int) -> list[Record]:
        """``POST .../flow/{stepId}/addChoice.json``: an empty choice just before the default one.

        Its condition and values are set with :meth:`update_step_choice`; until then it has no
        ``rule`` (Marketo shows it as an incomplete choice).
        """
        campaign = self._flow_campaign(campaign_id)
        step = self._step(campaign, step_id)
        action = self._action(step)
        if not action.choices:
            raise fail(709, f"Cannot add a choice to flow step {step_id}: {action.name!r} steps have no choices")
        attributes = [{"id": self._next("attribute"), "activityTypeAttribId": attr_id, "name": name,
                       "dataType": dtype, "value": "", "primary": index == 0}
                      for index, (attr_id, name, dtype) in enumerate(action.attributes)]
        step["stepChoice"].insert(len(step["stepChoice"]) - 1,
                                  {"id": self._next("choice"), "default": False, "attributes": attributes})
        return self._flow_changed(campaign)

    @atomic
    def update_step_choice(self, campaign_id: int, step_id: int, choice_id: int, *,
                           attributes: Mapping[str, Any] | None = None,
                           condition_type: tuple[int, str] | None = None, operator: str | None = None,
                           condition_values: list[str] | None = None) -> list[Record]:
        """``POST .../flow/{stepId}/choice/{choiceId}.json``: the choice's condition and values.

        ``attributes`` maps ``activityTypeAttribId`` (as text) to the new value; the condition
        (``condition_type`` = (id, "activity"|"attribute"), ``operator``, ``condition_values``)
        applies only to non-default choices. Everything is checked before anything changes.
        """
        campaign = self._flow_campaign(campaign_id)
        step = self._step(campaign, step_id)
        choice = self._choice(step, choice_id)
        action = self._action(step)
        new_values = self._checked_attributes(action, attributes or {})
        rule = self._checked_rule(choice, condition_type, operator, condition_values)
        by_attr = {a["activityTypeAttribId"]: a for a in choice.setdefault("attributes", [])}
        for attr_id, name, dtype in action.attributes:
            if attr_id in new_values:
                if attr_id not in by_attr:
                    by_attr[attr_id] = {"id": self._next("attribute"), "activityTypeAttribId": attr_id,
                                        "name": name, "dataType": dtype,
                                        "primary": attr_id == action.attributes[0][0]}
                by_attr[attr_id]["value"] = new_values[attr_id]
        order = {attr_id: n for n, (attr_id, _, _) in enumerate(action.attributes)}
        choice["attributes"] = sorted(by_attr.values(), key=lambda a: order.get(a["activityTypeAttribId"], 999))
        if rule is not None:
            choice["rule"] = rule
        return self._flow_changed(campaign)

    @staticmethod
    def _checked_attributes(action: rules.FlowAction, attributes: Mapping[str, Any]) -> dict[int, str]:
        known = {attr_id: (name, dtype) for attr_id, name, dtype in action.attributes}
        values: dict[int, str] = {}
        for key, raw in attributes.items():
            try:
                attr_id = int(str(key).strip())
            except ValueError:
                attr_id = -1
            if attr_id not in known:
                listing = ", ".join(f"{i} ({n})" for i, (n, _) in known.items())
                raise fail(1003, f"Invalid attribute {key!r} for flow action {action.name!r}; "
                                 f"its attributes are {listing}")
            if isinstance(raw, Mapping | list) or raw is None:
                raise fail(1003, f"Invalid value for attribute {attr_id} ({known[attr_id][0]}): expected text")
            value = str(raw).lower() if isinstance(raw, bool) else str(raw)
            problem = rules.attribute_value_problem(known[attr_id][1], value)
            if problem:
                raise fail(1003, f"Invalid value for attribute {attr_id} ({known[attr_id][0]}): {problem}")
            values[attr_id] = value
        return values

    def _checked_rule(self, choice: Record, condition_type: tuple[int, str] | None, operator: str | None,
                      condition_values: list[str] | None) -> Record | None:
        """The choice's new ``rule``, None when the call does not touch the condition."""
        if condition_type is None and operator is None and condition_values is None:
            return None
        if choice["default"]:
            raise fail(709, f"Choice {choice['id']} is the default choice: it has no condition")
        rule = dict(choice.get("rule") or {})
        if condition_type is not None:
            type_id, kind = condition_type
            ctype = self._condition_types().get(int(type_id))
            wanted = CONDITION_KINDS.get(str(kind).lower())
            if ctype is None or wanted is None:  # the catalogue decides the kind; the type is only checked
                raise fail(1003, f"Invalid conditionTypeId {{'id': {type_id}, 'type': {kind!r}}}: "
                                 "not a condition type (see smartCampaign/flowStepTypes.json)")
            if rule.get("ruleTypeId") != ctype["id"]:
                rule = {"name": ctype["name"], "operator": ctype["constraints"][0].get("operator", "is"),
                        "ruleType": ctype["kind"], "ruleTypeId": ctype["id"], "values": []}
        if not rule:
            raise fail(1003, f"Choice {choice['id']} has no condition yet: conditionTypeId is required")
        if operator is not None:
            if operator.strip().lower() not in CHOICE_OPERATORS:
                raise fail(1003, f"Invalid operator {operator!r}; expected one of {', '.join(sorted(CHOICE_OPERATORS))}")
            rule["operator"] = operator.strip().lower()
        if condition_values is not None:
            rule["values"] = list(condition_values)
        return rule

    @atomic
    def remove_step_choice(self, campaign_id: int, step_id: int, choice_id: int) -> list[Record]:
        """``POST .../choice/{choiceId}/remove.json``; the default choice stays."""
        campaign = self._flow_campaign(campaign_id)
        step = self._step(campaign, step_id)
        choice = self._choice(step, choice_id)
        if choice["default"]:
            raise fail(709, f"Cannot remove choice {choice_id}: the default choice of a flow step cannot be removed")
        step["stepChoice"].remove(choice)
        return self._flow_changed(campaign)

    @atomic
    def reorder_step_choice(self, campaign_id: int, step_id: int, choice_id: int, position: int) -> list[Record]:
        """``POST .../choice/{choiceId}/reorder.json?newSeqNumZeroBased=n``; the default stays last."""
        campaign = self._flow_campaign(campaign_id)
        step = self._step(campaign, step_id)
        choice = self._choice(step, choice_id)
        if choice["default"]:
            raise fail(709, f"Cannot reorder choice {choice_id}: the default choice is always last")
        conditional = [c for c in step["stepChoice"] if not c["default"]]
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < len(conditional):
            raise fail(1003, f"Invalid newSeqNumZeroBased {position!r}: must be between 0 and {len(conditional) - 1}")
        conditional.remove(choice)
        conditional.insert(position, choice)
        step["stepChoice"] = [*conditional, *(c for c in step["stepChoice"] if c["default"])]
        return self._flow_changed(campaign)
