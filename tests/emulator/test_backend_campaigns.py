"""Smart campaign rules of the emulator backend (no HTTP): derived fields, writes, failures."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from example_counts import campaigns as seeded_campaigns

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.clock import ManualClock, parse_iso8601
from marketo_sync.emulator.exceptions import MarketoApiError

SPECS = Path("/work/shared/marketo-api")
TEMPLATES = (1101, "Folder")
WEBINARS = (1102, "Folder")
MARCH_PROGRAM = (1102, "Program")
MAY_PROGRAM = (1103, "Program")
NEWSLETTERS = (1103, "Folder")
SYSTEM = (1105, "Folder")
EMAILS = (1106, "Folder")
DESIGN_STUDIO = (15, "Folder")
REMINDER, ONBOARDING, FORM_FILL, EMPTY_FLOW, NEWSLETTER_TEMPLATE = 2001, 2002, 2003, 2004, 2005
MARCH_CONFIRMATION, MAY_CONFIRMATION = 2011, 2012
SCORE_WEB_VISIT, LEGACY_ROUTING = 2032, 2033
BOUNCED = 2041


def api_error(code: str):
    return pytest.raises(MarketoApiError, match=rf"^{code}: ")


def one(records: list[dict]) -> dict:
    assert len(records) == 1, records
    return records[0]


def swagger_validator(path: Path, name: str, *, optional: set[str] = frozenset(), patch: dict | None = None):
    """A validator for one Adobe swagger definition.

    ``optional`` names fields the spec marks required but real responses omit (marketo-api.md
    §5.2: "validate tolerantly"); ``patch`` replaces property schemas where Adobe's own docs and
    the spec disagree (listed in marketo-api.md §13).
    """
    definitions = json.loads(path.read_text())["definitions"]
    target = dict(definitions[name])
    target["required"] = [f for f in target.get("required", []) if f not in optional]
    if patch:
        target["properties"] = dict(target["properties"], **patch)
    definitions = dict(definitions, **{name: target})
    return jsonschema.Draft4Validator({"$ref": f"#/definitions/{name}", "definitions": definitions})


CAMPAIGN_VALIDATOR = swagger_validator(
    SPECS / "smart-campaigns/get-smart-campaign-by-id.operation.json", "SmartCampaignResponseWithFlow",
    optional={"qualificationRuleInterval", "qualificationRuleUnit", "maxMembers", "folder"},
    patch={"recurrence": {"type": "object", "required": ["weekdayOnly"]}})
CAMPAIGN_VALIDATOR_OLD_SPEC = swagger_validator(
    SPECS / "adobe-swagger/swagger-asset.json", "SmartCampaignResponse",
    optional={"qualificationRuleInterval", "qualificationRuleUnit", "maxMembers", "folder"},
    patch={"recurrence": {"type": "object", "required": ["weekdayOnly"]}})
SMART_LIST_VALIDATOR = swagger_validator(
    SPECS / "smart-campaigns/get-smart-list-by-smart-campaign-id.operation.json", "SmartListResponseWithRules")


# -- record shapes -------------------------------------------------------------------------------

def test_every_seeded_campaign_validates_against_adobe_swagger(backend: MarketoBackend) -> None:
    records = backend.browse_campaigns(max_return=200, include_flow=True)
    assert len(records) == len(seeded_campaigns())
    for record in records:
        assert ("folder" in record) is not record["isSystem"]  # Adobe's system-campaign example has none
        CAMPAIGN_VALIDATOR.validate(record)
        CAMPAIGN_VALIDATOR_OLD_SPEC.validate({k: v for k, v in record.items() if k != "flow"})
        smart_list = one(backend.get_campaign_smart_list(record["id"], include_rules=True))
        SMART_LIST_VALIDATOR.validate(smart_list)


def test_campaign_record_has_the_documented_fields_and_formats(backend: MarketoBackend) -> None:
    record = one(backend.get_campaign(REMINDER))
    assert list(record) == ["id", "name", "description", "createdAt", "updatedAt", "folder", "status", "type",
                            "isSystem", "isActive", "isRequestable", "isCommunicationLimitEnabled", "recurrence",
                            "qualificationRuleType", "workspace", "smartListId", "flowId", "computedUrl", "flow"]
    assert record["createdAt"] == "2025-11-03T09:30:00Z+0000"
    assert record["folder"] == {"id": 1101, "type": "Folder"}
    assert record["recurrence"] == {"weekdayOnly": False}
    assert record["workspace"] == "Default"
    assert [s["activityTypeName"] for s in record["flow"]["steps"]] == ["Send Email"]
    assert record["flow"]["steps"][0]["stepChoice"][0]["attributes"][0]["value"] == "Webinar Reminder"
    assert "flow" not in one(backend.get_campaign(REMINDER, include_flow=False))


def test_computed_url_host_changes_between_reads_like_real_marketo(backend: MarketoBackend) -> None:
    first = one(backend.get_campaign(REMINDER))["computedUrl"]
    second = one(backend.get_campaign(REMINDER))["computedUrl"]
    assert first != second
    assert first.endswith("/#SC2001A1") and second.endswith("/#SC2001A1")


def test_smart_list_rules_use_the_newer_object_shape(backend: MarketoBackend) -> None:
    smart_list = one(backend.get_campaign_smart_list(REMINDER, include_rules=True))
    assert smart_list["id"] == one(backend.get_campaign(REMINDER))["smartListId"]
    trigger = one(smart_list["rules"]["triggers"])
    assert trigger["name"] == "Campaign is Requested" and trigger["ruleType"] == "Activity"
    condition = one(trigger["conditions"])
    assert condition["activityAttributeName"] == "Source"
    assert condition["values"] == ["Web Service API"] and condition["isPrimary"] is True
    assert "rules" not in one(backend.get_campaign_smart_list(REMINDER))
    assert backend.get_campaign_smart_list(999_999) == []


# -- derived, never stored -----------------------------------------------------------------------

@pytest.mark.parametrize(("campaign_id", "ctype", "status", "active", "requestable"), [
    (REMINDER, "trigger", "Active", True, True),
    (ONBOARDING, "trigger", "Inactive", False, False),  # requestable trigger but inactive
    (FORM_FILL, "trigger", "Inactive", False, False),
    (SCORE_WEB_VISIT, "trigger", "Active", True, False),  # active, but not "Campaign is Requested"
    (NEWSLETTER_TEMPLATE, "batch", "Never Run", False, False),
    (2021, "batch", "Single Run", False, False),  # scheduled once
    (BOUNCED, "batch", "Never Run", False, False),  # as Adobe's example of this system campaign
])
def test_type_status_and_requestable_are_derived(backend: MarketoBackend, campaign_id: int, ctype: str,
                                                 status: str, active: bool, requestable: bool) -> None:
    record = one(backend.get_campaign(campaign_id))
    assert (record["type"], record["status"], record["isActive"], record["isRequestable"]) == \
        (ctype, status, active, requestable)


def test_a_recurring_batch_campaign_reads_recurring_run(backend: MarketoBackend) -> None:
    cid = backend.add_campaign((1104, "Folder"), "Nightly Dedupe", filters=["Email Address"], flow=["Send Alert"],
                               recurrence={"startAt": "2026-02-02T02:00:00Z+0000", "intervalType": "Daily",
                                           "interval": 1})
    record = one(backend.get_campaign(cid))
    assert (record["type"], record["status"]) == ("batch", "Recurring Run")
    assert record["recurrence"] == {"weekdayOnly": False, "startAt": "2026-02-02T02:00:00Z+0000",
                                    "intervalType": "Daily", "interval": 1}
    CAMPAIGN_VALIDATOR.validate(record)


def test_a_created_campaign_is_default_and_follows_its_rules(backend: MarketoBackend) -> None:
    record = one(backend.create_campaign(name="Blank", folder=TEMPLATES))
    assert (record["type"], record["status"], record["isActive"], record["isRequestable"]) == \
        ("default", "Never Run", False, False)
    assert record["isCommunicationLimitEnabled"] is True
    assert record["description"] == ""
    CAMPAIGN_VALIDATOR.validate(record)


def test_requestable_needs_the_web_service_api_source(clock: ManualClock) -> None:
    backend = MarketoBackend(clock=clock)
    root = backend.add_folder(None, "Marketing Activities")
    folder = backend.add_folder(root, "Ops")
    other_source = backend.add_campaign(folder, "Flow requested", active=True,
                                        triggers=[{"name": "Campaign is Requested", "source": "Marketo Flow Action"}],
                                        flow=[{"action": "Send Email", "email": "X"}])
    api_source = backend.add_campaign(folder, "API requested", active=True,
                                      triggers=[{"name": "Campaign is Requested", "source": "Web Service API"}],
                                      flow=[{"action": "Send Email", "email": "X"}])
    assert one(backend.get_campaign(other_source))["isRequestable"] is False
    assert one(backend.get_campaign(api_source))["isRequestable"] is True


def test_parent_program_id_is_the_nearest_program_and_absent_outside_programs(backend: MarketoBackend) -> None:
    assert one(backend.get_campaign(MARCH_CONFIRMATION))["parentProgramId"] == 1102
    assert one(backend.get_campaign(MAY_CONFIRMATION))["parentProgramId"] == 1103
    assert "parentProgramId" not in one(backend.get_campaign(REMINDER))
    nested = one(backend.create_folder(name="Emails and Campaigns", parent=MARCH_PROGRAM))
    inside = one(backend.create_campaign(name="Nested", folder=(nested["id"], "Folder")))
    assert inside["parentProgramId"] == 1102
    assert inside["folder"] == {"id": nested["id"], "type": "Folder"}


# -- reads ---------------------------------------------------------------------------------------

def test_unknown_campaign_reads_are_empty(backend: MarketoBackend) -> None:
    assert backend.get_campaign(999_999) == []
    assert backend.get_campaign_by_name("No such campaign") == []


def test_get_by_name_is_exact_and_returns_the_first_by_id(backend: MarketoBackend) -> None:
    assert one(backend.get_campaign_by_name("01 - Registration Confirmation"))["id"] == MARCH_CONFIRMATION
    assert backend.get_campaign_by_name("01 - registration confirmation") == []
    backend.create_campaign(name="Hello, world", folder=TEMPLATES)
    assert backend.get_campaign_by_name("Hello, world") == []  # by-name cannot match commas


def test_browse_filters_by_direct_parent_and_orders_by_id(backend: MarketoBackend) -> None:
    ids = [r["id"] for r in backend.browse_campaigns(folder=TEMPLATES)]
    assert ids == [2001, 2002, 2003, 2004, 2005]
    assert backend.browse_campaigns(folder=(14, "Folder")) == []  # grandchildren are not included
    assert [r["id"] for r in backend.browse_campaigns(folder=MARCH_PROGRAM)] == [MARCH_CONFIRMATION]
    assert backend.browse_campaigns(folder=WEBINARS) == []  # same number, other id space


def test_browse_pages_with_offset_and_max_return(backend: MarketoBackend) -> None:
    backend.add_campaigns(TEMPLATES, 450, name="Bulk {n:04d}", filters=[{"name": "Country", "country": "FR"}])
    seen: list[int] = []
    offset = 0
    while True:
        page = backend.browse_campaigns(offset=offset, max_return=200)
        seen += [r["id"] for r in page]
        if len(page) < 200:
            break
        offset += 200
    total = len(seeded_campaigns()) + 450
    assert len(seen) == total and seen == sorted(seen) and len(set(seen)) == total
    assert backend.browse_campaigns(offset=total) == []
    assert len(backend.browse_campaigns()) == 20


@pytest.mark.parametrize("max_return", [0, 201, -5])
def test_browse_rejects_max_return_outside_1_to_200(backend: MarketoBackend, max_return: int) -> None:
    with api_error("1003"):
        backend.browse_campaigns(max_return=max_return)


def test_browse_is_active_true_keeps_active_campaigns_only(backend: MarketoBackend) -> None:
    ids = [r["id"] for r in backend.browse_campaigns(is_active=True, max_return=200)]
    assert ids == [REMINDER, MARCH_CONFIRMATION, MAY_CONFIRMATION, SCORE_WEB_VISIT]
    assert len(backend.browse_campaigns(is_active=False, max_return=200)) == len(seeded_campaigns())


@pytest.mark.parametrize("stamp", ["2026-02-01T12:10:00-00:00", "2026-02-01T12:10:00+0000",
                                   "2026-02-01T12:10:00Z", "2026-02-01T07:10:00-05:00"])
def test_browse_updated_at_window_accepts_iso_forms(backend: MarketoBackend, clock: ManualClock,
                                                    stamp: str) -> None:
    clock.advance(3600)  # 13:00
    backend.update_campaign(ONBOARDING, description="touched")
    assert [r["id"] for r in backend.browse_campaigns(earliest_updated_at=stamp)] == [ONBOARDING]
    before = [r["id"] for r in backend.browse_campaigns(latest_updated_at=stamp, max_return=200)]
    assert ONBOARDING not in before and len(before) == len(seeded_campaigns()) - 1


def test_browse_bad_date_is_704(backend: MarketoBackend) -> None:
    with api_error("704"):
        backend.browse_campaigns(earliest_updated_at="yesterday")


# -- create / update / clone / delete -------------------------------------------------------------

def test_create_checks_name_and_folder(backend: MarketoBackend) -> None:
    with api_error("701"):
        backend.create_campaign(name="  ", folder=TEMPLATES)
    with api_error("709"):
        backend.create_campaign(name="x" * 256, folder=TEMPLATES)
    with api_error("710"):
        backend.create_campaign(name="Lost", folder=(424242, "Folder"))
    with api_error("710"):
        backend.create_campaign(name="Lost", folder=(1101, "Program"))  # 1101 is a folder id only
    with api_error("711"):
        backend.create_campaign(name="Misplaced", folder=EMAILS)
    with api_error("711"):
        backend.create_campaign(name="Misplaced", folder=DESIGN_STUDIO)
    with api_error("709"):
        backend.create_campaign(name="Too wordy", folder=TEMPLATES, description="d" * 2001)
    assert one(backend.create_campaign(name="x" * 255, folder=TEMPLATES, description="d" * 2000))


def test_duplicate_names_are_709_within_a_parent_but_fine_across_programs(backend: MarketoBackend) -> None:
    with pytest.raises(MarketoApiError) as failure:
        backend.create_campaign(name="Webinar Reminder Template", folder=TEMPLATES)
    assert failure.value.code == "709" and "already exists" in failure.value.message
    with api_error("709"):
        backend.clone_campaign(REMINDER, name="Onboarding Step Template", folder=TEMPLATES)
    with api_error("709"):
        backend.update_campaign(ONBOARDING, name="Webinar Reminder Template")
    # The seed itself has "01 - Registration Confirmation" in two programs; a third is fine too.
    third = one(backend.create_campaign(name="01 - Registration Confirmation", folder=TEMPLATES))
    assert third["name"] == "01 - Registration Confirmation"
    # Renaming a campaign to its own name is not a conflict.
    assert one(backend.update_campaign(ONBOARDING, name="Onboarding Step Template"))["name"] == \
        "Onboarding Step Template"


def test_update_changes_updated_at_but_never_created_at(backend: MarketoBackend, clock: ManualClock) -> None:
    before = one(backend.get_campaign(ONBOARDING))
    clock.advance(90)
    after = one(backend.update_campaign(ONBOARDING, name="Onboarding Step 1", description="First step"))
    assert (after["name"], after["description"]) == ("Onboarding Step 1", "First step")
    assert after["createdAt"] == before["createdAt"]
    assert after["updatedAt"] == "2026-02-01T12:01:30Z+0000" != before["updatedAt"]
    with api_error("702"):
        backend.update_campaign(999_999, name="Ghost")
    with api_error("701"):
        backend.update_campaign(ONBOARDING, name="")


def test_clone_copies_rules_flow_and_settings_and_is_inactive(backend: MarketoBackend) -> None:
    source = one(backend.get_campaign(REMINDER))
    clone = one(backend.clone_campaign(REMINDER, name="Send Webinar Reminder", folder=MARCH_PROGRAM,
                                       description="Reminder for March"))
    assert clone["id"] > source["id"]
    assert (clone["type"], clone["isActive"], clone["isRequestable"], clone["status"]) == \
        ("trigger", False, False, "Inactive")
    assert clone["parentProgramId"] == 1102
    assert clone["smartListId"] != source["smartListId"] and clone["flowId"] != source["flowId"]
    assert clone["qualificationRuleType"] == source["qualificationRuleType"]
    assert clone["isCommunicationLimitEnabled"] == source["isCommunicationLimitEnabled"]
    assert "flow" not in clone  # create/clone/update answer SmartCampaignResponse, without flow
    CAMPAIGN_VALIDATOR_OLD_SPEC.validate(clone)
    assert [s["activityTypeName"] for s in one(backend.get_campaign(clone["id"]))["flow"]["steps"]] == \
        ["Send Email"]
    source_rules = one(backend.get_campaign_smart_list(REMINDER, include_rules=True))["rules"]
    clone_rules = one(backend.get_campaign_smart_list(clone["id"], include_rules=True))["rules"]
    assert [t["name"] for t in clone_rules["triggers"]] == [t["name"] for t in source_rules["triggers"]]
    assert clone_rules["triggers"][0]["conditions"] == source_rules["triggers"][0]["conditions"]
    assert clone_rules["triggers"][0]["id"] != source_rules["triggers"][0]["id"]
    # The clone is a new campaign: activating it makes it requestable; the source is untouched.
    backend.activate_campaign(clone["id"])
    assert one(backend.get_campaign(clone["id"]))["isRequestable"] is True
    assert one(backend.get_campaign(REMINDER))["isActive"] is True


def test_clone_of_a_score_campaign_keeps_qualification_rule(backend: MarketoBackend) -> None:
    clone = one(backend.clone_campaign(SCORE_WEB_VISIT, name="Score copy", folder=TEMPLATES))
    assert clone["qualificationRuleType"] == "any"


def test_clone_checks_source_and_destination(backend: MarketoBackend) -> None:
    with api_error("702"):
        backend.clone_campaign(999_999, name="Ghost", folder=TEMPLATES)
    with api_error("711"):
        backend.clone_campaign(REMINDER, name="Copy", folder=EMAILS)
    with api_error("710"):
        backend.clone_campaign(REMINDER, name="Copy", folder=(31337, "Program"))
    with api_error("701"):
        backend.clone_campaign(REMINDER, name="", folder=TEMPLATES)


def test_delete_removes_and_never_reuses_ids(backend: MarketoBackend) -> None:
    created = one(backend.create_campaign(name="Short lived", folder=TEMPLATES))
    assert backend.delete_campaign(created["id"]) == [{"id": created["id"]}]
    assert backend.get_campaign(created["id"]) == []
    with api_error("702"):
        backend.delete_campaign(created["id"])
    again = one(backend.create_campaign(name="Short lived", folder=TEMPLATES))
    assert again["id"] > created["id"]


def test_deleting_an_active_campaign_is_709(backend: MarketoBackend) -> None:
    with pytest.raises(MarketoApiError) as failure:
        backend.delete_campaign(REMINDER)
    assert failure.value.code == "709" and "active" in failure.value.message
    backend.deactivate_campaign(REMINDER)
    assert backend.delete_campaign(REMINDER) == [{"id": REMINDER}]


# -- activation ----------------------------------------------------------------------------------

def test_activate_and_deactivate_round_trip(backend: MarketoBackend, clock: ManualClock) -> None:
    clock.advance(60)
    assert backend.activate_campaign(ONBOARDING) == [{"id": ONBOARDING}]
    record = one(backend.get_campaign(ONBOARDING))
    assert (record["isActive"], record["status"], record["isRequestable"]) == (True, "Active", True)
    assert record["updatedAt"] == "2026-02-01T12:01:00Z+0000"
    clock.advance(60)
    assert backend.deactivate_campaign(ONBOARDING) == [{"id": ONBOARDING}]
    record = one(backend.get_campaign(ONBOARDING))
    assert (record["isActive"], record["status"]) == (False, "Inactive")
    assert record["updatedAt"] == "2026-02-01T12:02:00Z+0000"


@pytest.mark.parametrize(("campaign", "reason"), [
    (EMPTY_FLOW, "no step"),
    (NEWSLETTER_TEMPLATE, "batch"),
    (REMINDER, "already active"),
])
def test_activation_failures_are_709_and_say_why(backend: MarketoBackend, campaign: int, reason: str) -> None:
    with pytest.raises(MarketoApiError) as failure:
        backend.activate_campaign(campaign)
    assert failure.value.code == "709"
    assert reason in failure.value.message


def test_activating_a_campaign_without_trigger_is_709(backend: MarketoBackend) -> None:
    created = one(backend.create_campaign(name="Nothing yet", folder=TEMPLATES))
    with pytest.raises(MarketoApiError) as failure:
        backend.activate_campaign(created["id"])
    assert failure.value.code == "709" and "no trigger" in failure.value.message


def test_a_clone_of_the_empty_flow_template_cannot_be_activated(backend: MarketoBackend) -> None:
    clone = one(backend.clone_campaign(EMPTY_FLOW, name="Still empty", folder=TEMPLATES))
    with pytest.raises(MarketoApiError, match="no step"):
        backend.activate_campaign(clone["id"])


def test_deactivate_needs_an_active_campaign(backend: MarketoBackend) -> None:
    with api_error("709"):
        backend.deactivate_campaign(LEGACY_ROUTING)
    with api_error("709"):
        backend.deactivate_campaign(NEWSLETTER_TEMPLATE)
    with api_error("702"):
        backend.deactivate_campaign(999_999)
    with api_error("702"):
        backend.activate_campaign(999_999)


def test_rule_errors_block_activation(clock: ManualClock) -> None:
    backend = MarketoBackend(clock=clock)
    folder = backend.add_folder(backend.add_folder(None, "Marketing Activities"), "Ops")
    cid = backend.add_campaign(folder, "Broken", triggers=["Fills Out Form"],
                               flow=[{"action": "Send Email", "email": "X"}])
    backend._campaigns[cid].triggers[0]["conditions"] = [  # as the UI would flag a deleted form
        {"activityAttributeId": 3, "activityAttributeName": "Form", "operator": "is", "values": ["Gone"],
         "isPrimary": True, "isError": True, "errorMessage": "Form 'Gone' was deleted"}]
    with pytest.raises(MarketoApiError, match="was deleted"):
        backend.activate_campaign(cid)


# -- system campaigns ----------------------------------------------------------------------------

@pytest.mark.parametrize("operation", [
    lambda b: b.update_campaign(BOUNCED, description="mine now"),
    lambda b: b.delete_campaign(BOUNCED),
    lambda b: b.activate_campaign(BOUNCED),
    lambda b: b.deactivate_campaign(BOUNCED),
    lambda b: b.clone_campaign(BOUNCED, name="My bounces", folder=TEMPLATES),
])
def test_system_campaigns_cannot_be_changed(backend: MarketoBackend, operation) -> None:
    before = one(backend.get_campaign(BOUNCED))
    with pytest.raises(MarketoApiError) as failure:
        operation(backend)
    assert failure.value.code == "709" and "system campaign" in failure.value.message
    after = one(backend.get_campaign(BOUNCED))
    assert {k: v for k, v in after.items() if k != "computedUrl"} == \
        {k: v for k, v in before.items() if k != "computedUrl"}


def test_system_campaigns_are_visible_to_reads(backend: MarketoBackend) -> None:
    records = backend.browse_campaigns(folder=SYSTEM)
    assert [(r["name"], r["isSystem"], r["type"]) for r in records] == [
        ("Process Bounced Emails", True, "batch"), ("Process Unsubscribes", True, "batch")]


def test_many_generated_campaigns_are_cheap(clock: ManualClock) -> None:
    backend = MarketoBackend(clock=clock)
    folder = backend.add_folder(backend.add_folder(None, "Marketing Activities"), "Bulk")
    ids = backend.add_campaigns(folder, 1000, triggers=[{"name": "Campaign is Requested", "source": "Web Service API"}],
                                flow=[{"action": "Send Email", "email": "E"}], active=True)
    assert len(ids) == 1000 and ids == sorted(ids)
    assert one(backend.get_campaign(ids[-1]))["name"] == "Generated Campaign 1000"
    assert parse_iso8601(one(backend.get_campaign(ids[0]))["createdAt"]) == clock()


# -- flow steps (newer API) ---------------------------------------------------------------------------

def catalogue_validator(operation: str, name: str) -> jsonschema.Draft4Validator:
    definitions = json.loads((SPECS / "smart-campaigns" / operation).read_text())["definitions"]
    return jsonschema.Draft4Validator({"$ref": f"#/definitions/{name}", "definitions": definitions})


def test_rule_and_flow_step_catalogues(backend: MarketoBackend) -> None:
    rules_result = one(backend.get_rule_types())
    catalogue_validator("get-smart-campaign-rules.operation.json", "SmartCampaignRules").validate(rules_result)
    assert "Campaign is Requested" in {t["name"] for t in rules_result["triggers"]}
    steps_result = one(backend.get_flow_step_types())
    catalogue_validator("get-smart-campaign-flow-steps.operation.json",
                        "SmartCampaignFlowSteps").validate(steps_result)
    send_email = next(s for s in steps_result["flowSteps"] if s["name"] == "Send Email")
    assert send_email["id"] == 6 and send_email["constraints"][0]["name"] == "Email"


def test_adding_a_flow_step_makes_the_empty_flow_template_activatable(backend: MarketoBackend,
                                                                      clock: ManualClock) -> None:
    clock.advance(5)
    record = one(backend.add_flow_step(EMPTY_FLOW, activity_type_id=6, index=0))
    CAMPAIGN_VALIDATOR.validate(record)
    step = one(record["flow"]["steps"])
    assert (step["activityTypeName"], step["stepChoice"][0]["attributes"][0]["value"]) == ("Send Email", "")
    assert record["updatedAt"] == "2026-02-01T12:00:05Z+0000"
    assert backend.activate_campaign(EMPTY_FLOW) == [{"id": EMPTY_FLOW}]
    waited = one(backend.add_flow_step(ONBOARDING, activity_type_id=1001, index=1))
    assert [s["activityTypeName"] for s in waited["flow"]["steps"]] == ["Send Email", "Wait", "Wait"]


def test_removing_flow_steps(backend: MarketoBackend) -> None:
    steps = one(backend.get_campaign(ONBOARDING))["flow"]["steps"]
    record = one(backend.remove_flow_step(ONBOARDING, steps[0]["id"]))
    assert [s["activityTypeName"] for s in record["flow"]["steps"]] == ["Wait"]
    with api_error("702"):
        backend.remove_flow_step(ONBOARDING, steps[0]["id"])
    backend.remove_flow_step(ONBOARDING, steps[1]["id"])
    with pytest.raises(MarketoApiError, match="no step"):
        backend.activate_campaign(ONBOARDING)


@pytest.mark.parametrize(("campaign", "kwargs", "code"), [
    (ONBOARDING, {"activity_type_id": 99999, "index": 0}, "1003"),
    (ONBOARDING, {"activity_type_id": 6, "index": 3}, "1003"),
    (999_999, {"activity_type_id": 6, "index": 0}, "702"),
    (BOUNCED, {"activity_type_id": 6, "index": 0}, "709"),
])
def test_add_flow_step_failures(backend: MarketoBackend, campaign: int, kwargs: dict, code: str) -> None:
    with api_error(code):
        backend.add_flow_step(campaign, **kwargs)
