"""Flow steps and choices in the emulator backend (no HTTP): the mutations of marketo-api.md §6
and their validation, every answer checked against the per-operation spec's record schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.clock import ManualClock
from marketo_sync.emulator.exceptions import MarketoApiError
from marketo_sync.emulator.rules import lead_field_id
from marketo_sync.emulator.seed import SeedError, backend_from_seed

SPECS = Path(__file__).parents[1] / "contract" / "marketo-api" / "smart-campaigns"
OPERATIONAL = (1104, "Folder")
REMINDER, ONBOARDING, EMPTY_FLOW, DEDUPE, BOUNCED = 2001, 2002, 2004, 2031, 2041
CITY = lead_field_id("City")


def _validator(operation: str, name: str) -> jsonschema.Draft4Validator:
    definitions = json.loads((SPECS / operation).read_text())["definitions"]
    return jsonschema.Draft4Validator({"$ref": f"#/definitions/{name}", "definitions": definitions})


FLOW_VALIDATOR = _validator("update-flow-step-choice.operation.json", "Flow")
CONDITION_TYPES_VALIDATOR = _validator("get-smart-campaign-flow-step-types.operation.json",
                                       "SmartCampaignFlowStepTypes")


def api_error(code: str):
    return pytest.raises(MarketoApiError, match=rf"^{code}: ")


def flow_of(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps of the one campaign a mutation answers, after checking them against the spec."""
    assert len(records) == 1, records
    flow = records[0]["flow"]
    errors = [f"{list(e.path)}: {e.message}" for e in FLOW_VALIDATOR.iter_errors(flow)]
    assert not errors, errors[:5]
    return flow["steps"]


def steps(backend: MarketoBackend, campaign: int) -> list[dict[str, Any]]:
    return flow_of(backend.get_campaign(campaign))


def attribute_values(choice: dict[str, Any]) -> dict[str, str]:
    return {a["name"]: a["value"] for a in choice["attributes"]}


# -- steps ---------------------------------------------------------------------------------------------

def test_removing_the_last_step_of_an_active_trigger_campaign_is_refused(backend: MarketoBackend) -> None:
    only = steps(backend, REMINDER)[0]
    with api_error("709") as refused:
        backend.remove_flow_step(REMINDER, only["id"])
    assert "last step" in str(refused.value) and "deactivate" in str(refused.value)
    assert [s["id"] for s in steps(backend, REMINDER)] == [only["id"]]
    backend.deactivate_campaign(REMINDER)
    assert flow_of(backend.remove_flow_step(REMINDER, only["id"])) == []


def test_an_active_campaign_with_two_steps_may_lose_one(backend: MarketoBackend) -> None:
    backend.add_flow_step(REMINDER, activity_type_id=1001, index=0)
    wait = steps(backend, REMINDER)[0]
    assert [s["activityTypeName"] for s in flow_of(backend.remove_flow_step(REMINDER, wait["id"]))] == ["Send Email"]
    assert backend.get_campaign(REMINDER)[0]["isActive"] is True


@pytest.mark.parametrize(("kwargs", "code", "words"), [
    ({"activity_type_id": 99999, "index": 0}, "1003", "activityType"),
    ({"activity_type_id": 6, "index": -1}, "1003", "between 0 and 2"),
    ({"activity_type_id": 6, "index": 3}, "1003", "between 0 and 2"),
    ({"activity_type_id": 6, "index": 0, "activity_kind": "attribute"}, "1003", "'activity'"),
])
def test_add_flow_step_refusals_change_nothing(backend: MarketoBackend, kwargs: dict, code: str,
                                               words: str) -> None:
    before = steps(backend, ONBOARDING)
    with api_error(code) as refused:
        backend.add_flow_step(ONBOARDING, **kwargs)
    assert words in str(refused.value)
    assert steps(backend, ONBOARDING) == before


def test_step_mutations_on_system_campaigns_and_unknown_ids(backend: MarketoBackend) -> None:
    step = steps(backend, BOUNCED)[0]
    with api_error("709"):
        backend.remove_flow_step(BOUNCED, step["id"])
    with api_error("709"):
        backend.add_step_choice(BOUNCED, step["id"])
    with api_error("702"):
        backend.remove_flow_step(ONBOARDING, step["id"])  # a step of another campaign
    with api_error("702"):
        backend.add_step_choice(999_999, step["id"])


# -- choices -------------------------------------------------------------------------------------------

def test_a_choice_is_added_before_the_default_and_configured(backend: MarketoBackend, clock: ManualClock) -> None:
    email = steps(backend, ONBOARDING)[0]
    clock.advance(60)
    record = backend.add_step_choice(ONBOARDING, email["id"])
    assert record[0]["updatedAt"] == "2026-02-01T12:01:00Z+0000"
    choices = flow_of(record)[0]["stepChoice"]
    assert [c["default"] for c in choices] == [False, True]
    new = choices[0]
    assert "rule" not in new and attribute_values(new) == {"Email": ""}
    updated = backend.update_step_choice(
        ONBOARDING, email["id"], new["id"], attributes={"101": "Onboarding Step (EU)"},
        condition_type=(CITY, "attribute"), operator="is", condition_values=["Paris", "Berlin"])
    choice = flow_of(updated)[0]["stepChoice"][0]
    assert attribute_values(choice) == {"Email": "Onboarding Step (EU)"}
    assert choice["rule"] == {"name": "City", "operator": "is", "ruleType": "Attribute", "ruleTypeId": CITY,
                              "values": ["Paris", "Berlin"]}
    default = flow_of(updated)[0]["stepChoice"][1]
    assert attribute_values(default) == {"Email": "Onboarding Step"}  # untouched


def test_updating_values_keeps_the_condition_and_adds_missing_attributes(backend: MarketoBackend) -> None:
    step = steps(backend, DEDUPE)[0]  # Change Data Value with a Country choice
    choice, default = step["stepChoice"]
    rule = choice["rule"]
    updated = flow_of(backend.update_step_choice(DEDUPE, step["id"], choice["id"],
                                                 attributes={"132": "United Kingdom of GB"}))
    assert updated[0]["stepChoice"][0]["rule"] == rule
    assert attribute_values(updated[0]["stepChoice"][0])["New Value"] == "United Kingdom of GB"
    values = flow_of(backend.update_step_choice(DEDUPE, step["id"], choice["id"], condition_values=["GB"]))
    assert values[0]["stepChoice"][0]["rule"] == dict(rule, values=["GB"])
    wait = flow_of(backend.update_step_choice(ONBOARDING, steps(backend, ONBOARDING)[1]["id"],
                                              steps(backend, ONBOARDING)[1]["stepChoice"][0]["id"],
                                              attributes={"10011": "3 days"}))
    assert attribute_values(wait[1]["stepChoice"][0]) == {"Wait Duration": "3 days"}
    empty = flow_of(backend.add_flow_step(EMPTY_FLOW, activity_type_id=13, index=0))[0]  # no values yet
    filled = flow_of(backend.update_step_choice(EMPTY_FLOW, empty["id"], empty["stepChoice"][0]["id"],
                                                attributes={"132": "Engaged", "131": "Lead Status"}))
    assert [a["name"] for a in filled[0]["stepChoice"][0]["attributes"]] == ["Attribute", "New Value"]


def test_an_activity_condition(backend: MarketoBackend) -> None:
    email = steps(backend, ONBOARDING)[0]
    new = flow_of(backend.add_step_choice(ONBOARDING, email["id"]))[0]["stepChoice"][0]
    updated = flow_of(backend.update_step_choice(ONBOARDING, email["id"], new["id"], condition_type=(6, "activity"),
                                                 condition_values=["Welcome"]))
    assert updated[0]["stepChoice"][0]["rule"] == {"name": "Was Sent Email", "operator": "is", "ruleType": "Activity",
                                                   "ruleTypeId": 6, "values": ["Welcome"]}


@pytest.mark.parametrize(("target", "kwargs", "code", "words"), [
    ("default", {"attributes": {"999": "x"}}, "1003", "101 (Email)"),
    ("default", {"attributes": {"Email": "x"}}, "1003", "Invalid attribute 'Email'"),
    ("default", {"attributes": {"101": {"nested": 1}}}, "1003", "expected text"),
    ("default", {"condition_type": (CITY, "attribute")}, "709", "default choice"),
    ("new", {"condition_type": (424242, "attribute")}, "1003", "flowStepTypes.json"),
    ("new", {"condition_type": (CITY, "field")}, "1003", "conditionTypeId"),
    ("new", {"operator": "is"}, "1003", "conditionTypeId is required"),
    ("new", {"condition_type": (CITY, "attribute"), "operator": "resembles"}, "1003", "operator"),
    ("wait", {"attributes": {"10011": "soon"}}, "1003", "duration"),
    ("score", {"attributes": {"222": "a lot"}}, "1003", "score change"),
])
def test_update_choice_refusals_change_nothing(backend: MarketoBackend, target: str, kwargs: dict, code: str,
                                              words: str) -> None:
    campaign = {"wait": ONBOARDING, "score": 2032}.get(target, ONBOARDING)
    step = steps(backend, campaign)[1 if target == "wait" else 0]
    if target == "new":
        backend.add_step_choice(campaign, step["id"])
        step = steps(backend, campaign)[0]
    choice = step["stepChoice"][0 if target == "new" else -1]
    before = steps(backend, campaign)
    with api_error(code) as refused:
        backend.update_step_choice(campaign, step["id"], choice["id"],
                                   **dict(kwargs, attributes=kwargs.get("attributes", {"101": "Changed"}
                                                                        if target == "new" else None)))
    assert words in str(refused.value)
    assert steps(backend, campaign) == before


def test_wait_steps_have_no_choices(backend: MarketoBackend) -> None:
    wait = steps(backend, ONBOARDING)[1]
    with api_error("709") as refused:
        backend.add_step_choice(ONBOARDING, wait["id"])
    assert "'Wait'" in str(refused.value)


def test_removing_choices(backend: MarketoBackend) -> None:
    step = steps(backend, DEDUPE)[0]
    choice, default = step["stepChoice"]
    with api_error("709"):
        backend.remove_step_choice(DEDUPE, step["id"], default["id"])
    remaining = flow_of(backend.remove_step_choice(DEDUPE, step["id"], choice["id"]))[0]["stepChoice"]
    assert [c["id"] for c in remaining] == [default["id"]]
    with api_error("702"):
        backend.remove_step_choice(DEDUPE, step["id"], choice["id"])


def test_reordering_choices_keeps_the_default_last(backend: MarketoBackend) -> None:
    step = steps(backend, DEDUPE)[0]
    backend.add_step_choice(DEDUPE, step["id"])
    first, second, default = steps(backend, DEDUPE)[0]["stepChoice"]
    moved = flow_of(backend.reorder_step_choice(DEDUPE, step["id"], second["id"], 0))[0]["stepChoice"]
    assert [c["id"] for c in moved] == [second["id"], first["id"], default["id"]]
    with api_error("709"):
        backend.reorder_step_choice(DEDUPE, step["id"], default["id"], 0)
    for position in (-1, 2):
        with api_error("1003"):
            backend.reorder_step_choice(DEDUPE, step["id"], first["id"], position)
    assert [c["id"] for c in steps(backend, DEDUPE)[0]["stepChoice"]] == [second["id"], first["id"], default["id"]]


# -- catalogues ----------------------------------------------------------------------------------------

def test_condition_type_catalogue_lists_fields_activities_and_fields_in_use(backend: MarketoBackend) -> None:
    backend.add_campaign(OPERATIONAL, "Language routing", triggers=["Person is Created"], flow=[
        {"action": "Send Email", "email": "Welcome",
         "choices": [{"if": {"name": "Preferred Language", "values": ["fr"]}, "email": "Bienvenue"}]}])
    result = backend.get_flow_condition_types()
    assert len(result) == 1
    CONDITION_TYPES_VALIDATOR.validate(result[0])
    by_name = {t["name"]: t for t in result[0]["flowStepTypes"]}
    assert by_name["City"]["id"] == CITY and by_name["City"]["constraints"][0]["type"] == "standard"
    assert by_name["Preferred Language"]["constraints"][0]["type"] == "custom"
    assert by_name["Was Sent Email"]["constraints"][0]["dbAttrib"] is False
    assert len({t["id"] for t in result[0]["flowStepTypes"]}) == len(result[0]["flowStepTypes"])


def test_flow_step_catalogue_names_the_attribute_data_types(backend: MarketoBackend) -> None:
    catalogue = {s["name"]: s for s in backend.get_flow_step_types()[0]["flowSteps"]}
    assert [c["dataType"] for c in catalogue["Wait"]["constraints"]] == ["duration"]
    assert [c["name"] for c in catalogue["Change Score"]["constraints"]] == ["Score Name", "Change"]


# -- seeds follow the same value rules -----------------------------------------------------------------

@pytest.mark.parametrize(("step", "words"), [
    ({"action": "Wait", "wait duration": "soon"}, "duration"),
    ({"action": "Wait", "wait duration": "1 day", "choices": [{"if": {"name": "City"}}]}, "cannot have choices"),
])
def test_seed_flow_values_are_checked(step: dict, words: str) -> None:
    doc = {"folders": [{"name": "Marketing Activities", "folders": [
        {"name": "F", "campaigns": [{"name": "C", "flow": [step]}]}]}]}
    with pytest.raises(SeedError, match=words):
        backend_from_seed(doc)
