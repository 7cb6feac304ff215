"""Pure planner tests: DesiredState and RemoteState built directly, no server."""

from __future__ import annotations

import pytest
from plan_builders import (
    MARCH,
    MAY,
    NEWSLETTERS,
    OPERATIONAL,
    SYSTEM,
    TEMPLATES,
    WEBINARS,
    dc,
    desired,
    example_remote,
    managed,
    token,
)

from marketo_sync.plan.changes import (
    ActivateCampaign,
    CloneCampaign,
    CreateCampaign,
    DeactivateCampaign,
    DeleteCampaign,
    DeleteToken,
    ReplaceCampaign,
    SetToken,
    UpdateCampaign,
)
from marketo_sync.plan.plan import Plan
from marketo_sync.plan.planner import PlanErrors, PlanOptions, diff

TEMPLATE = "Marketing Activities/Templates/Webinar Reminder Template"


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.ACTION, c.key.split(":", 1)[1]) for c in plan.changes]


def test_no_changes_when_files_match():
    plan = diff(desired(dc("01 - Registration Confirmation", MARCH, active=True, description="")),
                example_remote())
    assert plan.is_empty
    assert plan.changes == ()


def test_same_name_in_two_programs_is_planned_independently():
    plan = diff(desired(
        dc("01 - Registration Confirmation", MARCH, description="March"),
        dc("01 - Registration Confirmation", MAY, active=False),
    ), example_remote())
    by_id = {c.campaign.id: c for c in plan.changes}
    assert set(by_id) == {3001, 3002}
    assert isinstance(by_id[3001], UpdateCampaign) and by_id[3001].after == {"description": "March"}
    assert isinstance(by_id[3002], DeactivateCampaign)
    assert by_id[3002].campaign.folder_ref == MAY


def test_clone_then_activate_depends_on_clone_and_tokens():
    plan = diff(desired(
        dc("02 - Reminder", MARCH, template=TEMPLATE, active=True, description="Reminder"),
        tokens=(token(MARCH, "WebinarTitle", "New title"),),
    ), example_remote())
    changes = plan.by_key()
    clone = changes["clone:Marketing Activities/Webinars/2026-03 Customer Engagement Webinar/02 - Reminder"]
    assert isinstance(clone, CloneCampaign)
    assert clone.template.id == 2001 and clone.campaign.id is None
    assert clone.after == {"name": "02 - Reminder", "description": "Reminder"}
    activate = next(c for c in plan.changes if isinstance(c, ActivateCampaign))
    assert activate.target_from == clone.key
    set_token = next(c for c in plan.changes if isinstance(c, SetToken))
    assert set(activate.depends_on) == {clone.key, set_token.key}
    assert [c.ORDER for c in plan.changes] == sorted(c.ORDER for c in plan.changes)
    assert set_token.before == {"type": "text", "value": "Scaling Customer Engagement in 2025"}


def test_create_without_template():
    plan = diff(desired(dc("Empty One", OPERATIONAL)), example_remote())
    assert [type(c) for c in plan.changes] == [CreateCampaign]
    obs = plan.observations[0]
    assert obs.exists is False and obs.name == "Empty One"


def test_exclusive_folder_deletes_undeclared_after_deactivating_active_ones():
    plan = diff(desired(dc("Legacy Lead Routing", OPERATIONAL),
                        folders=(managed(OPERATIONAL, "exclusive"),)), example_remote())
    keys = plan.by_key()
    deactivate = keys["deactivate:Marketing Activities/Operational/Score - Web Visit"]
    delete = keys["delete:Marketing Activities/Operational/Score - Web Visit"]
    assert delete.depends_on == (deactivate.key,)
    assert isinstance(keys["delete:Marketing Activities/Operational/Data Hygiene - Fix Country Values"],
                      DeleteCampaign)
    assert "delete:Marketing Activities/Operational/Legacy Lead Routing" not in keys
    # observations carry what apply must re-check
    observed = {o.id for o in plan.observations}
    assert {5001, 5002} <= observed


def test_additive_folder_lists_unmanaged():
    plan = diff(desired(dc("Monthly Newsletter - November", NEWSLETTERS),
                        folders=(managed(NEWSLETTERS, "additive"),)), example_remote())
    assert plan.changes == ()
    assert [u.campaign.name for u in plan.unmanaged] == ["Monthly Newsletter - December"]


def test_system_campaigns_are_never_deleted():
    plan = diff(desired(folders=(managed(SYSTEM, "exclusive"),)), example_remote())
    assert plan.changes == ()
    assert [(u.campaign.id, u.reason) for u in plan.unmanaged] == [(6001, "system")]


def test_rename_with_pinned_id():
    plan = diff(desired(dc("Lead Routing v2", OPERATIONAL, id=5003)), example_remote())
    (change,) = plan.changes
    assert isinstance(change, UpdateCampaign)
    assert change.before == {"name": "Legacy Lead Routing"} and change.after == {"name": "Lead Routing v2"}
    assert change.campaign.id == 5003


def test_replace_refused_unless_allowed_then_planned():
    state = example_remote()
    want = desired(dc("Score - Web Visit", WEBINARS, id=5002))
    with pytest.raises(PlanErrors, match="needs allow_replace"):
        diff(want, state)
    plan = diff(want, state, PlanOptions(allow_replace=True))
    kinds = {type(c) for c in plan.changes}
    assert kinds == {ReplaceCampaign, DeactivateCampaign, DeleteCampaign, ActivateCampaign}
    replace = next(c for c in plan.changes if isinstance(c, ReplaceCampaign))
    assert replace.source.id == 5002 and replace.campaign.folder_ref == WEBINARS
    delete = next(c for c in plan.changes if isinstance(c, DeleteCampaign))
    assert replace.key in delete.depends_on and delete.campaign.id == 5002
    assert delete.reason == "replaced"


def test_expect_mismatch_is_drift_not_change():
    plan = diff(desired(dc("Score - Web Visit", OPERATIONAL,
                           expect={"type": "trigger", "isRequestable": True})), example_remote())
    assert plan.changes == ()
    assert [(d.field, d.expected, d.actual) for d in plan.drift] == [("isRequestable", True, False)]
    assert not plan.is_empty


def test_all_plan_errors_collected_at_once_with_locations():
    campaigns = [
        dc("Monthly Newsletter - November", NEWSLETTERS, active=True),         # batch activation
        dc("New", OPERATIONAL, template="Marketing Activities/Templates/Nope"),   # missing template
        dc("New batch", OPERATIONAL, template="Marketing Activities/Templates/Newsletter Batch Template",
           active=True),                                                          # non-trigger template
        dc("X", "Marketing Activities/Nowhere"),                                  # unknown folder
        dc("Process Bounced Emails", SYSTEM, description="mine now"),           # system campaign
        dc("01 - Registration Confirmation", MAY, active=False, protect=True),  # protected deactivation
    ]
    with pytest.raises(PlanErrors) as caught:
        diff(desired(*campaigns), example_remote())
    reasons = caught.value.reasons
    assert len(reasons) == 6
    for campaign, reason in zip(campaigns, reasons, strict=False):
        assert str(campaign.location) in "\n".join(reasons), reason
    text = "\n".join(reasons)
    for fragment in ("only trigger campaigns can be activated", "does not exist", "cannot be activated",
                     "unknown folder", "system campaign", "protected"):
        assert fragment in text


def test_token_delete_only_in_exclusive_container():
    state = example_remote()
    plan = diff(desired(tokens=(token(MARCH, "WebinarTitle", "Scaling Customer Engagement in 2025"),)),
                state)
    assert plan.changes == ()
    plan = diff(desired(tokens=(token(MARCH, "WebinarTitle", "Scaling Customer Engagement in 2025"),),
                        folders=(managed(MARCH, "exclusive"),)), state)
    deletes = [c for c in plan.changes if isinstance(c, DeleteToken)]
    assert [c.token.name for c in deletes] == ["JoinLink"]
    assert deletes[0].before == {"type": "text", "value": "https://webinars.example.com/join/abc123"}


def test_saved_plan_roundtrip_and_checksum():
    plan = diff(desired(dc("02 - Reminder", MARCH, template=TEMPLATE, active=True),
                        dc("Legacy Lead Routing", OPERATIONAL, description="old"),
                        folders=(managed(OPERATIONAL, "exclusive"),)),
                example_remote(), PlanOptions(environment="sandbox", instance="127.0.0.1"))
    text = plan.to_json()
    again = Plan.from_json(text)
    assert again == plan
    assert again.to_json() == text
    tampered = text.replace('"old"', '"new"')
    assert tampered != text
    from marketo_sync.errors import PlanError
    with pytest.raises(PlanError, match="checksum"):
        Plan.from_json(tampered)


def test_api_cost_counts_writes_and_reads():
    plan = diff(desired(dc("02 - Reminder", MARCH, template=TEMPLATE, active=True)), example_remote())
    assert plan.cost.read_calls == 7
    assert plan.cost.apply_writes == 2
    assert plan.cost.apply_reads == 2  # one browse of the program before and after
    assert TEMPLATES not in {c.campaign.folder_ref for c in plan.campaign_changes()}


def test_raise_if_unsafe_rules():
    from marketo_sync.errors import UnsafePlan

    plan = diff(desired(dc("Legacy Lead Routing", OPERATIONAL), folders=(managed(OPERATIONAL, "exclusive"),)),
                example_remote())
    with pytest.raises(UnsafePlan, match="--allow-delete"):
        plan.raise_if_unsafe()
    plan.raise_if_unsafe(allow_delete=True)  # 3 managed: below the minimum for the share rule
    with pytest.raises(UnsafePlan, match=r"66.67% .* is over 25.00% \(2/3 .*--force required"):
        plan.raise_if_unsafe(allow_delete=True, min_managed=1)
    plan.raise_if_unsafe(allow_delete=True, min_managed=1, force=True)


def test_design_studio_folder_cannot_hold_campaigns():
    from marketo_sync.refs import FolderRef
    from marketo_sync.remote.state import RemoteFolder

    state = example_remote()
    state.add_folder(RemoteFolder(FolderRef(1106), "Design Studio/Emails", "/Design Studio/Default/Emails",
                                  "Emails", folder_type="Email"))
    with pytest.raises(PlanErrors, match="'Email' folder: smart campaigns can live only in Marketing"):
        diff(desired(dc("x", "Design Studio/Emails")), state)
