"""Decision logic of the applier over the emulator backend (no HTTP): order, dependencies,
idempotency after lost answers, stopping on 607, the stale-plan check, verification."""

from __future__ import annotations

import pytest
from apply_builders import (
    absent,
    activate,
    clone,
    create,
    deactivate,
    delete,
    observe,
    plan_of,
    set_token,
    token_observation,
    update,
)
from fake_api import (
    BOUNCED,
    EMPTY_FLOW,
    LEGACY_ROUTING,
    MARCH,
    MARCH_CONFIRMATION,
    OPERATIONAL,
    REMINDER,
    SCORE_WEB_VISIT,
    SYSTEM,
    FakeApi,
)

from marketo_sync.apply.applier import Applier
from marketo_sync.apply.preflight import check_target, preflight
from marketo_sync.apply.receipt import APPLIED, FAILED, SKIPPED, UNKNOWN, scrub
from marketo_sync.apply.verify import verify
from marketo_sync.errors import StalePlan, UnsafePlan


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


def run(api: FakeApi, plan, workers: int = 3):
    applier = Applier(api, plan, workers=workers)
    return {o.key: o for o in applier.run()}, applier


def test_phases_run_in_order_and_clone_then_activate(api):
    changes = [*clone(MARCH, "02 - Reminder", REMINDER, active=True),
               set_token(MARCH, "WebinarTitle", "New title"),
               update(OPERATIONAL, "Legacy Lead Routing", LEGACY_ROUTING, "retired"),
               deactivate(OPERATIONAL, "Score - Web Visit", SCORE_WEB_VISIT)]
    plan = plan_of(changes, [absent(MARCH, "02 - Reminder"), observe(api, LEGACY_ROUTING),
                             observe(api, SCORE_WEB_VISIT), token_observation(api, MARCH, "WebinarTitle")])
    outcomes, _ = run(api, plan)
    assert {o.status for o in outcomes.values()} == {APPLIED}
    assert api.writes() == ["set_token", "clone_campaign", "update_campaign", "deactivate_campaign",
                            "activate_campaign"]
    (created,) = api.campaigns_named(MARCH, "02 - Reminder")
    assert created["isActive"] is True
    assert outcomes["activate:" + plan.changes[-1].key.split(":", 1)[1]].id == created["id"]
    checked, differences = verify(api, outcomes.values())
    assert checked == 4 and differences == []


def test_refused_activation_skips_nothing_else_and_keeps_its_code(api):
    changes = [*clone(MARCH, "Broken", EMPTY_FLOW, active=True), *clone(MARCH, "Fine", REMINDER, active=True)]
    outcomes, _ = run(api, plan_of(changes, []))
    failed = outcomes["activate:" + changes[1].key.split(":", 1)[1]]
    assert failed.status == FAILED and failed.code == "709" and "flow" in failed.message
    assert [o.status for k, o in outcomes.items() if "Fine" in k] == [APPLIED, APPLIED]
    # the clone itself applied and still reads back as promised (inactive)
    assert verify(api, outcomes.values())[1] == []


def test_failed_dependency_skips_dependents_only(api):
    api.faults["clone_campaign"] = ["refused", "refused"]
    changes = [*clone(MARCH, "A", REMINDER, active=True), create(MARCH, "B")]
    outcomes, _ = run(api, plan_of(changes, []), workers=1)
    assert outcomes[changes[0].key].status == FAILED
    skipped = outcomes[changes[1].key]
    assert skipped.status == SKIPPED and changes[0].key in skipped.message
    assert outcomes[changes[2].key].status == APPLIED


def test_lost_answer_after_commit_is_found_not_duplicated(api):
    api.faults["clone_campaign"] = ["drop_after_commit"]
    changes = clone(MARCH, "Once", REMINDER, active=True)
    outcomes, _ = run(api, plan_of(changes, []))
    assert outcomes[changes[0].key].status == APPLIED
    assert "found by name after an unknown outcome" in outcomes[changes[0].key].note
    assert len(api.campaigns_named(MARCH, "Once")) == 1
    assert api.writes().count("clone_campaign") == 1
    assert outcomes[changes[1].key].status == APPLIED


def test_lost_answer_before_commit_is_tried_once_more(api):
    api.faults["create_campaign"] = ["drop"]
    change = create(MARCH, "Retry me")
    outcomes, _ = run(api, plan_of([change], []))
    assert outcomes[change.key].status == APPLIED and outcomes[change.key].note == ""
    assert api.writes() == ["create_campaign", "create_campaign"]
    assert len(api.campaigns_named(MARCH, "Retry me")) == 1


def test_two_lost_answers_are_unknown(api):
    api.faults["create_campaign"] = ["drop", "drop"]
    change = create(MARCH, "Lost")
    outcomes, _ = run(api, plan_of([change], []))
    assert outcomes[change.key].status == UNKNOWN
    assert api.campaigns_named(MARCH, "Lost") == []


def test_retried_idempotent_writes_are_settled_by_reading(api):
    api.faults["activate_campaign"] = ["repeat"]
    api.faults["delete_campaign"] = ["repeat"]
    api.faults["deactivate_campaign"] = ["drop_after_commit"]
    changes = [activate(OPERATIONAL, "Legacy Lead Routing", LEGACY_ROUTING),
               deactivate(OPERATIONAL, "Score - Web Visit", SCORE_WEB_VISIT)]
    changes.append(delete(OPERATIONAL, "Score - Web Visit", SCORE_WEB_VISIT, (changes[1].key,)))
    outcomes, _ = run(api, plan_of(changes, []))
    assert {k: o.status for k, o in outcomes.items()} == {c.key: APPLIED for c in changes}
    assert "709" in outcomes[changes[0].key].note and "702" in outcomes[changes[2].key].note
    assert api.get_campaign(SCORE_WEB_VISIT) is None


def test_quota_exhausted_stops_and_records_the_rest(api):
    api.faults["create_campaign"] = ["ok", "quota"]
    changes = [create(MARCH, f"C{n}") for n in range(5)]
    outcomes, applier = run(api, plan_of(changes, []), workers=1)
    statuses = [outcomes[c.key].status for c in sorted(changes, key=lambda c: c.sort_key)]
    assert statuses == [APPLIED, FAILED, SKIPPED, SKIPPED, SKIPPED]
    assert "607" in applier.stopped
    assert all("not applied" in outcomes[c.key].message for c in changes if outcomes[c.key].status == SKIPPED)
    assert api.writes().count("create_campaign") == 2


def test_stale_plan_is_refused_before_any_write(api):
    plan = plan_of([update(OPERATIONAL, "Legacy Lead Routing", LEGACY_ROUTING, "retired"),
                    *clone(MARCH, "New", REMINDER)],
                   [observe(api, LEGACY_ROUTING), absent(MARCH, "New")])
    preflight(api, plan)  # fresh: accepted
    api.backend.update_campaign(LEGACY_ROUTING, description="edited in the UI")
    api.backend.create_campaign(name="New", folder=(MARCH.id, MARCH.type))
    with pytest.raises(StalePlan) as refused:
        preflight(api, plan)
    text = str(refused.value)
    assert "description was" in text and "edited in the UI" in text
    assert "did not exist and now does" in text and "Run plan again" in text
    assert api.writes() == []


def test_stale_token_and_deleted_campaign(api):
    plan = plan_of([set_token(MARCH, "WebinarTitle", "x"), update(MARCH, "01", MARCH_CONFIRMATION, "d")],
                   [token_observation(api, MARCH, "WebinarTitle"), observe(api, MARCH_CONFIRMATION)])
    api.backend.upsert_token((MARCH.id, MARCH.type), name="WebinarTitle", type="text", value="changed")
    api.backend.deactivate_campaign(MARCH_CONFIRMATION)
    api.backend.delete_campaign(MARCH_CONFIRMATION)
    with pytest.raises(StalePlan) as refused:
        preflight(api, plan)
    assert "{{my.WebinarTitle}} changed" in str(refused.value)
    assert "no longer exists" in str(refused.value)


def test_system_target_is_refused_even_when_observed(api):
    plan = plan_of([delete(SYSTEM, "Process Bounced Emails", BOUNCED)], [observe(api, BOUNCED, SYSTEM)])
    with pytest.raises(UnsafePlan, match="system campaigns"):
        preflight(api, plan)


def test_plan_for_another_instance_is_refused():
    plan = plan_of([], [])
    check_target(plan, environment="test", instance="fake")
    with pytest.raises(StalePlan, match="made for environment 'test'"):
        check_target(plan, environment="production", instance="fake")
    with pytest.raises(StalePlan):
        check_target(plan, environment="test", instance="other:443")


def test_verify_reports_a_difference(api):
    change = update(OPERATIONAL, "Legacy Lead Routing", LEGACY_ROUTING, "retired")
    outcomes, _ = run(api, plan_of([change], []))
    api.backend.update_campaign(LEGACY_ROUTING, description="someone else")
    checked, differences = verify(api, outcomes.values())
    assert checked == 1
    assert [(d.field, d.expected, d.actual) for d in differences] == [("description", "retired", "someone else")]


def test_scrub_hides_tokens():
    assert scrub("GET /rest?access_token=abc123&x=1 Bearer xyz") == "GET /rest?access_token=***&x=1 Bearer ***"


def test_lost_answer_of_an_idempotent_write_not_in_effect_is_sent_again(api):
    api.faults["activate_campaign"] = ["drop"]
    api.faults["deactivate_campaign"] = ["drop", "drop"]
    changes = [activate(OPERATIONAL, "Legacy Lead Routing", LEGACY_ROUTING),
               deactivate(OPERATIONAL, "Score - Web Visit", SCORE_WEB_VISIT)]
    outcomes, _ = run(api, plan_of(changes, []))
    assert outcomes[changes[0].key].status == APPLIED
    assert outcomes[changes[0].key].note == "sent again after a lost answer"
    assert outcomes[changes[1].key].status == FAILED  # lost twice, and a read shows it still active
    assert "did not take effect" in outcomes[changes[1].key].message
    assert api.writes().count("activate_campaign") == 2 and api.writes().count("deactivate_campaign") == 2


def test_lost_answer_that_cannot_be_read_back_is_unknown(api):
    api.faults["activate_campaign"] = ["drop_after_commit"]
    api.faults["get_campaign"] = ["refused"]
    change = activate(OPERATIONAL, "Legacy Lead Routing", LEGACY_ROUTING)
    outcomes, _ = run(api, plan_of([change], []))
    assert outcomes[change.key].status == UNKNOWN
    assert api.writes() == ["activate_campaign"]  # never resent without knowing
