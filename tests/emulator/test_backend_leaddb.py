"""Lead-database endpoints of the emulator backend: campaigns, request, schedule, leads (no HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from example_counts import campaigns as seeded_campaigns

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.clock import ManualClock
from marketo_sync.emulator.exceptions import MarketoApiError
from marketo_sync.emulator.seed import backend_from_seed, example_seed_path, read_seed_file

SEED = read_seed_file(example_seed_path())  # parsed once; every test builds its own backend
MAPI = Path("/work/shared/marketo-api/adobe-swagger/swagger-mapi.json")
REMINDER, ONBOARDING, FORM_FILL, EMPTY_FLOW, NEWSLETTER_TEMPLATE = 2001, 2002, 2003, 2004, 2005
MARCH_CONFIRMATION = 2011
NOVEMBER, DECEMBER = 2021, 2022
SCORE_WEB_VISIT = 2032
LEADS = list(range(1002200, 1002210))
MARCH = (1102, "Program")
NOW = "2026-02-01T12:00:00Z"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def backend(clock: ManualClock) -> MarketoBackend:
    return backend_from_seed(SEED, clock=clock)


def api_error(code: str):
    return pytest.raises(MarketoApiError, match=rf"^{code}: ")


def one(records: list[dict]) -> dict:
    assert len(records) == 1, records
    return records[0]


LEAD_CAMPAIGN_VALIDATOR = jsonschema.Draft4Validator(
    {"$ref": "#/definitions/Campaign", "definitions": json.loads(MAPI.read_text())["definitions"]})


# -- campaigns.json ------------------------------------------------------------------------------

def test_lead_campaign_records_validate_and_name_their_program(backend: MarketoBackend) -> None:
    records, token = backend.list_campaigns()
    assert token is None and len(records) == len(seeded_campaigns())
    for record in records:
        LEAD_CAMPAIGN_VALIDATOR.validate(record)
    by_id = {r["id"]: r for r in records}
    assert by_id[MARCH_CONFIRMATION]["programId"] == 1102
    assert by_id[MARCH_CONFIRMATION]["programName"] == "2026-03 Customer Engagement Webinar"
    assert by_id[MARCH_CONFIRMATION]["createdAt"] == "2025-11-03T09:30:00Z"
    assert "programId" not in by_id[REMINDER]
    assert (by_id[REMINDER]["type"], by_id[REMINDER]["active"]) == ("trigger", True)
    assert (by_id[NOVEMBER]["type"], by_id[NOVEMBER]["active"]) == ("batch", False)
    assert by_id[REMINDER]["workspaceName"] == "Default"


def test_list_campaigns_filters(backend: MarketoBackend) -> None:
    def ids(**kwargs) -> list[int]:
        return [r["id"] for r in backend.list_campaigns(**kwargs)[0]]

    assert ids(ids=[2002, 2001, 999]) == [2001, 2002]
    assert ids(names=["01 - Registration Confirmation"]) == [2011, 2012]
    assert ids(program_names=["2026-05 Product Roadmap Webinar"]) == [2012]
    assert ids(workspace_names=["Elsewhere"]) == []
    assert ids(is_triggerable=True) == [REMINDER]
    backend.activate_campaign(ONBOARDING)
    assert ids(is_triggerable=True) == [REMINDER, ONBOARDING]


def test_list_campaigns_pages_with_next_page_token(backend: MarketoBackend) -> None:
    backend.add_campaigns((1101, "Folder"), 1000 - len(seeded_campaigns()), filters=["Country"])  # 1,000 in all
    seen, token, pages = [], None, 0
    while True:
        page, token = backend.list_campaigns(batch_size=300, next_page_token=token)
        seen += [r["id"] for r in page]
        pages += 1
        if token is None:
            break
    assert pages == 4 and len(seen) == 1000 and len(set(seen)) == 1000
    with api_error("1003"):
        backend.list_campaigns(batch_size=301)
    with api_error("1001"):
        backend.list_campaigns(next_page_token="not-a-token")


def test_get_lead_campaign(backend: MarketoBackend) -> None:
    assert one(backend.get_lead_campaign(REMINDER))["name"] == "Webinar Reminder Template"
    with api_error("1013"):
        backend.get_lead_campaign(999_999)


# -- request (trigger.json) ----------------------------------------------------------------------

TOKENS = [{"name": "{{my.WebinarTitle}}", "value": "Scaling Customer Engagement"},
          {"name": "{{my.JoinLink}}", "value": "https://webinars.example.com/join/xyz"}]


def test_request_campaign_is_recorded(backend: MarketoBackend) -> None:
    assert backend.request_campaign(REMINDER, leads=[LEADS[0], {"id": LEADS[1]}], tokens=TOKENS) == [{"id": REMINDER}]
    request = one(backend.requests())
    assert request["campaignId"] == REMINDER
    assert request["leads"] == LEADS[:2] and request["unknownLeads"] == []
    assert request["tokens"] == TOKENS
    assert request["at"] == "2026-02-01T12:00:00Z"


def test_request_with_unknown_leads_succeeds_and_skips_them(backend: MarketoBackend) -> None:
    assert backend.request_campaign(REMINDER, leads=[LEADS[0], 4_242_424]) == [{"id": REMINDER}]
    request = one(backend.requests())
    assert (request["leads"], request["unknownLeads"]) == ([LEADS[0]], [4_242_424])


@pytest.mark.parametrize(("campaign", "code", "reason"), [
    (999_999, "1013", "not found"),
    (NEWSLETTER_TEMPLATE, "1003", "batch campaign"),
    (ONBOARDING, "1003", "not active"),  # right trigger, inactive
    (SCORE_WEB_VISIT, "1003", "Campaign is Requested"),  # active, other trigger
    (EMPTY_FLOW, "1003", "not active"),
])
def test_request_refusals_say_why(backend: MarketoBackend, campaign: int, code: str, reason: str) -> None:
    with pytest.raises(MarketoApiError) as failure:
        backend.request_campaign(campaign, leads=[LEADS[0]])
    assert failure.value.code == code and reason in failure.value.message
    assert backend.requests() == []


def test_request_limits(backend: MarketoBackend) -> None:
    backend.request_campaign(REMINDER, leads=list(range(1, 101)))  # 100 is fine
    with api_error("1003"):
        backend.request_campaign(REMINDER, leads=list(range(1, 102)))
    many = [{"name": f"{{{{my.T{i}}}}}", "value": "v"} for i in range(101)]
    backend.request_campaign(REMINDER, leads=[LEADS[0]], tokens=many[:100])
    with api_error("1003"):
        backend.request_campaign(REMINDER, leads=[LEADS[0]], tokens=many)
    with api_error("1002"):
        backend.request_campaign(REMINDER, leads=[])
    assert len(backend.requests()) == 2


@pytest.mark.parametrize("name", ["WebinarTitle", "{{WebinarTitle}}", "{{lead.FirstName}}", "{{my.}}", None])
def test_request_token_names_must_be_my_tokens(backend: MarketoBackend, name) -> None:
    with api_error("1003"):
        backend.request_campaign(REMINDER, leads=[LEADS[0]], tokens=[{"name": name, "value": "x"}])


def test_request_with_tokens_in_a_nested_program_is_611(backend: MarketoBackend) -> None:
    outer = backend.add_program((1102, "Folder"), "2026 Webinar Series")
    inner = backend.add_program(outer, "Series - Episode 1")
    cid = backend.add_campaign(inner, "Send Reminder", active=True,
                               triggers=[{"name": "Campaign is Requested", "source": "Web Service API"}],
                               flow=[{"action": "Send Email", "email": "Reminder"}])
    with api_error("611"):
        backend.request_campaign(cid, leads=[LEADS[0]], tokens=TOKENS)
    assert backend.request_campaign(cid, leads=[LEADS[0]]) == [{"id": cid}]  # without tokens it works


# -- schedule -------------------------------------------------------------------------------------

def test_schedule_defaults_to_five_minutes_and_marks_single_run(backend: MarketoBackend) -> None:
    assert backend.schedule_campaign(DECEMBER) == [{"id": DECEMBER}]
    schedule = one(backend.schedules())
    assert schedule["campaignId"] == DECEMBER and schedule["runAt"] == "2026-02-01T12:05:00Z"
    assert backend.get_campaign(DECEMBER)[0]["status"] == "Single Run"


@pytest.mark.parametrize("run_at", ["2026-02-01T13:00:00Z", "2026-02-01T13:00:00+0000",
                                    "2026-02-01T08:00:00-05:00", "2026-02-01T13:00:00-00:00"])
def test_schedule_accepts_iso_run_at(backend: MarketoBackend, run_at: str) -> None:
    backend.schedule_campaign(DECEMBER, run_at=run_at, tokens=[{"name": "{{my.Issue}}", "value": "Dec"}])
    schedule = one(backend.schedules())
    assert schedule["runAt"] == "2026-02-01T13:00:00Z"
    assert schedule["tokens"] == [{"name": "{{my.Issue}}", "value": "Dec"}]


@pytest.mark.parametrize(("run_at", "code", "reason"), [
    ("2028-02-01T12:00:01Z", "1042", "2 years"),  # too far
    ("next tuesday", "704", "runAt"),
])
def test_schedule_run_at_bounds(backend: MarketoBackend, run_at: str, code: str, reason: str) -> None:
    with pytest.raises(MarketoApiError) as failure:
        backend.schedule_campaign(DECEMBER, run_at=run_at)
    assert failure.value.code == code and reason in failure.value.message
    assert backend.schedules() == []
    assert backend.get_campaign(DECEMBER)[0]["status"] == "Never Run"


@pytest.mark.parametrize("run_at", ["2026-02-01T12:01:00Z", "2026-02-01T12:04:30Z", "2026-02-01T11:00:00Z"])
def test_schedule_sooner_than_five_minutes_runs_in_five(backend: MarketoBackend, run_at: str) -> None:
    """Adobe: scheduled campaigns "always wait a minimum of five minutes" (one minute ahead, just
    under five, or already past): accepted, and the run moves to now + 5 minutes."""
    assert backend.schedule_campaign(DECEMBER, run_at=run_at) == [{"id": DECEMBER}]
    assert one(backend.schedules())["runAt"] == "2026-02-01T12:05:00Z"


def test_schedule_run_at_edges_follow_the_clock(backend: MarketoBackend, clock: ManualClock) -> None:
    backend.schedule_campaign(DECEMBER, run_at="2028-02-01T12:00:00Z")  # exactly two years
    clock.advance(3600)
    backend.schedule_campaign(DECEMBER, run_at="2028-02-01T13:00:00Z")  # two years from the new now
    assert [s["runAt"] for s in backend.schedules()] == ["2028-02-01T12:00:00Z", "2028-02-01T13:00:00Z"]
    with api_error("1042"):
        backend.schedule_campaign(DECEMBER, run_at="2028-02-01T13:00:01Z")


def test_schedule_refuses_trigger_and_default_campaigns(backend: MarketoBackend) -> None:
    with pytest.raises(MarketoApiError) as failure:
        backend.schedule_campaign(REMINDER)
    assert failure.value.code == "1003" and "trigger campaign" in failure.value.message
    blank = one(backend.create_campaign(name="Blank", folder=(1101, "Folder")))
    with api_error("1003"):
        backend.schedule_campaign(blank["id"])
    with api_error("1013"):
        backend.schedule_campaign(999_999)
    with api_error("1003"):
        backend.schedule_campaign(DECEMBER, tokens=[{"name": "Issue", "value": "x"}])


def test_schedule_clone_to_program_name(backend: MarketoBackend) -> None:
    batch = backend.add_campaign(MARCH, "02 - Send Invitations", filters=[{"name": "Member of List", "list": "Invitees"}],
                                 flow=[{"action": "Send Email", "email": "Invitation"}])
    result = one(backend.schedule_campaign(batch, clone_to_program_name="2026-04 Customer Engagement Webinar"))
    program = one(backend.get_program_by_name("2026-04 Customer Engagement Webinar"))
    assert program["folder"] == {"type": "Folder", "value": 1102, "folderName": "Webinars"}
    assert (program["type"], program["channel"]) == ("Event", "Webinar")
    copies = backend.browse_campaigns(folder=(program["id"], "Program"))
    assert [c["name"] for c in copies] == ["01 - Registration Confirmation", "02 - Send Invitations"]
    assert all(not c["isActive"] for c in copies)
    assert result["id"] == copies[1]["id"] != batch
    assert copies[1]["status"] == "Single Run"
    assert [t["name"] for t in one(backend.get_tokens((program["id"], "Program")))["tokens"]] == \
        ["WebinarTitle", "JoinLink", "WebinarImage"]
    schedule = one(backend.schedules())
    assert (schedule["sourceCampaignId"], schedule["clonedProgramId"]) == (batch, program["id"])
    with api_error("1017"):
        backend.schedule_campaign(batch, clone_to_program_name="2026-04 Customer Engagement Webinar")
    with api_error("1003"):
        backend.schedule_campaign(DECEMBER, clone_to_program_name="Not in a program")


def test_clone_to_program_is_limited_to_20_a_day(backend: MarketoBackend, clock: ManualClock) -> None:
    batch = backend.add_campaign(MARCH, "Batch", filters=["Country"], flow=["Send Email"])
    for n in range(20):
        backend.schedule_campaign(batch, clone_to_program_name=f"Copy {n}")
    with api_error("1020"):
        backend.schedule_campaign(batch, clone_to_program_name="Copy 20")
    backend.schedule_campaign(batch)  # a plain schedule is not limited
    clock.advance(24 * 3600)
    assert backend.schedule_campaign(batch, clone_to_program_name="Copy 20")


# -- leads ---------------------------------------------------------------------------------------

def test_get_leads_by_id_and_email(backend: MarketoBackend) -> None:
    by_id = backend.get_leads(filter_type="id", filter_values=[str(LEADS[0]), "5"])
    assert by_id == [{"id": LEADS[0], "email": "lead0@example.com", "firstName": "Ada", "lastName": "Lovelace",
                      "updatedAt": "2025-11-03T09:30:00Z", "createdAt": "2025-11-03T09:30:00Z"}]
    by_email = backend.get_leads(filter_type="email", filter_values=["LEAD3@example.com", "lead4@example.com"],
                                 fields=["firstName"])
    assert by_email == [{"id": LEADS[3], "firstName": "Katherine"}, {"id": LEADS[4], "firstName": "Edsger"}]
    assert backend.get_leads(filter_type="email", filter_values=["nobody@example.com"]) == []
    with api_error("1006"):
        backend.get_leads(filter_type="id", filter_values=["1"], fields=["shoeSize"])
    with api_error("1003"):
        backend.get_leads(filter_type="shoeSize", filter_values=["42"])


def test_sync_leads_actions(backend: MarketoBackend, clock: ManualClock) -> None:
    clock.advance(60)
    results = backend.sync_leads(leads=[{"email": "new@example.com", "firstName": "Nova"},
                                        {"email": "lead1@example.com", "lastName": "Hopper-Murray"}])
    assert results[0]["status"] == "created" and results[0]["id"] > LEADS[-1]
    assert results[1] == {"id": LEADS[1], "status": "updated"}
    updated = one(backend.get_leads(filter_type="id", filter_values=[str(LEADS[1])]))
    assert (updated["lastName"], updated["updatedAt"]) == ("Hopper-Murray", "2026-02-01T12:01:00Z")
    skipped = backend.sync_leads(leads=[{"email": "new@example.com"}], action="createOnly")
    assert skipped == [{"status": "skipped", "reasons": [{"code": "1005", "message": "Lead already exists"}]}]
    missing = backend.sync_leads(leads=[{"email": "ghost@example.com"}], action="updateOnly")
    assert missing == [{"status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]}]
    assert backend.get_leads(filter_type="email", filter_values=["ghost@example.com"]) == []
    with api_error("1003"):
        backend.sync_leads(leads=[{"email": "x@example.com"}], action="upsert")
    # A lead created by sync can be requested at once.
    backend.request_campaign(REMINDER, leads=[results[0]["id"]])
    assert backend.requests()[-1]["leads"] == [results[0]["id"]]
