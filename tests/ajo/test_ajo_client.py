"""AjoClient against the IMS + AJO emulator over real HTTP: executions, refusals, retries, unknowns."""

from __future__ import annotations

import pytest

from marketo_sync.client.ajo import AjoAuthError, AjoClient, AjoError, AjoOutcomeUnknown
from marketo_sync.client.ajo_payloads import PayloadError
from marketo_sync.client.ajo_settings import AjoSettings
from marketo_sync.emulator.ajo import PASSWORD_RESET, SPRING_NEWSLETTER, AjoEmulator, example_seed

JANE = {"type": "aep", "namespace": "email", "userId": "jane.doe@example.com"}
UNITARY = "/ajo/im/executions/unitary"
RESET_CONTEXT = {"resetUrl": "https://auth.example.com/reset?t=abc123", "expiresIn": "30 minutes"}


def _ajo_calls(server: AjoEmulator) -> list[dict]:
    return [c for c in server.calls() if c["kind"] == "ajo"]


def _seed(**campaign: object) -> dict:
    seed = example_seed()
    seed["campaigns"][PASSWORD_RESET].update(campaign)
    return seed


def test_password_reset_with_context_is_accepted_recorded_and_matches_the_spec(ajo, client, contract):
    result = client.execute_unitary(PASSWORD_RESET, [{**JANE, "context": RESET_CONTEXT}], request_id="reset-0001")

    assert result.status == 202 and result.request_id == "reset-0001"
    assert result.body["executionId"] and result.body["requestId"] == "reset-0001"
    [execution] = ajo.executions()
    assert execution["campaignId"] == PASSWORD_RESET
    assert execution["recipients"] == [{**JANE, "context": RESET_CONTEXT}]
    [call] = _ajo_calls(ajo)
    contract.check_request(call)   # imExecutionRequestUnitary + required headers, no x-request-id
    contract.check_answer(call)    # 202 imExecutionResponse
    assert call["content_type"] == "application/json"


def test_every_call_sends_the_four_headers_and_never_x_request_id(ajo, client, contract):
    client.health()
    client.execute_unitary(PASSWORD_RESET, [JANE])
    run = client.execute_audience(SPRING_NEWSLETTER, audience_id="aud-spring-2026")
    client.execution_status(run.body["executionId"])
    scheduled = client.execute_audience(SPRING_NEWSLETTER, audience_id="aud-spring-2026",
                                        execute_at="2099-01-01T09:00:00+02:00", context={"offer": "SPRING"})
    client.schedule_status(scheduled.body["scheduleId"])
    client.cancel_schedule(scheduled.body["scheduleId"])
    calls = _ajo_calls(ajo)
    assert len(calls) == 7
    for call in calls:
        for header in ("authorization", "x-api-key", "x-gw-ims-org-id", "x-sandbox-name", "content-type"):
            assert header in call["headers"], (call["path"], header)
        assert "x-request-id" not in call["headers"]
        contract.check_request(call)
        contract.check_answer(call)
    assert [c["kind"] for c in ajo.calls()].count("ims") == 1  # one token for the whole run


@pytest.mark.parametrize(("campaign", "title"), [
    ({"status": "draft"}, "is not live (status: draft)"),
    ({"status": "stopped"}, "is not live (status: stopped)"),
    ({"startDate": "2099-01-01T00:00:00Z"}, "has not started yet"),
    ({"endDate": "2001-01-01T00:00:00Z"}, "has ended"),
])
def test_campaign_not_live_or_outside_its_dates_is_refused_with_status_and_title(make_ajo, make_client, contract,
                                                                                  campaign, title):
    server = make_ajo(_seed(**campaign))
    client, sleeps = make_client(server)
    with pytest.raises(AjoError) as caught:
        client.execute_unitary(PASSWORD_RESET, [JANE])
    assert caught.value.status == 400 and title in caught.value.title
    assert caught.value.type.startswith("https://ns.adobe.com/aep/errors/")
    assert "HTTP 400" in str(caught.value) and title in str(caught.value)
    assert server.executions() == [] and sleeps.waits == []  # a 400 is final: not retried
    [call] = _ajo_calls(server)
    contract.check_answer(call)


def test_unknown_profile_is_refused_unless_the_campaign_creates_profiles(make_ajo, make_client):
    stranger = {"type": "aep", "namespace": "email", "userId": "nobody@example.com"}
    strict = make_ajo()
    with pytest.raises(AjoError) as caught:
        make_client(strict)[0].execute_unitary(PASSWORD_RESET, [JANE, stranger])
    assert caught.value.status == 400 and "profile email:nobody@example.com not found" in caught.value.title
    assert strict.executions() == []

    creating = make_ajo(_seed(createsProfiles=True))
    make_client(creating)[0].execute_unitary(PASSWORD_RESET, [stranger])
    assert creating.executions()[0]["createdProfiles"] == ["email:nobody@example.com"]


def test_local_refusals_make_no_call(ajo, client):
    many = [{"type": "aep", "namespace": "email", "userId": f"u{i}@example.com"} for i in range(21)]
    cases = [
        (PASSWORD_RESET, many, "1 to 20 recipients"),
        (PASSWORD_RESET, [JANE, dict(JANE)], "must be unique"),
        (PASSWORD_RESET, [{**JANE, "context": {"system": "x"}}], "context.system is reserved"),
        (PASSWORD_RESET, [{**JANE, "context": {"blob": "x" * (200 * 1024)}}], "at most 204800 bytes"),
        ("campaign-12345", [JANE], "is not a UUID"),
    ]
    for campaign_id, recipients, reason in cases:
        with pytest.raises(PayloadError) as caught:
            client.execute_unitary(campaign_id, recipients)
        assert reason in str(caught.value)
    with pytest.raises(PayloadError, match="not in the future"):
        client.execute_audience(SPRING_NEWSLETTER, execute_at="2001-01-01T00:00:00Z")
    assert ajo.calls() == []  # not even an IMS call


def test_401_mid_run_gets_one_new_token_and_one_resend(ajo, client):
    client.execute_unitary(PASSWORD_RESET, [JANE])
    ajo.revoke_tokens()
    client.execute_unitary(PASSWORD_RESET, [{**JANE, "userId": "john.chao@example.com"}], request_id="after-401")

    kinds = [(c["kind"], c["status"]) for c in ajo.calls()]
    assert kinds == [("ims", 200), ("ajo", 202), ("ajo", 401), ("ims", 200), ("ajo", 202)]
    assert client.stats.reauths == 1 and client.stats.retries == 0
    assert [e["requestId"] for e in ajo.executions()][1] == "after-401"
    assert len(ajo.executions()) == 2


def test_a_401_with_a_fresh_token_is_final(make_ajo, make_client):
    server = make_ajo(token_ttl=0)  # every token is already expired when AJO sees it
    client, sleeps = make_client(server)
    with pytest.raises(AjoAuthError) as caught:
        client.execute_unitary(PASSWORD_RESET, [JANE])
    assert caught.value.status == 401 and sleeps.waits == []
    assert [(c["kind"], c["status"]) for c in server.calls()] == [("ims", 200), ("ajo", 401), ("ims", 200),
                                                                   ("ajo", 401)]


def test_500_and_429_are_retried_with_the_same_request_id(ajo, make_client):
    client, sleeps = make_client(ajo)
    ajo.set_faults(script=[{"path": UNITARY, "fault": "500"}, {"path": UNITARY, "fault": "429"}])
    result = client.execute_unitary(PASSWORD_RESET, [JANE])

    posts = [c for c in _ajo_calls(ajo) if c["path"] == UNITARY]
    assert [c["status"] for c in posts] == [500, 429, 202]
    assert len({c["request"]["requestId"] for c in posts}) == 1
    assert posts[0]["request"]["requestId"] == result.request_id
    assert len(ajo.executions()) == 1 and result.attempts == 3
    # backoff after the 500; after the 429, the server's Retry-After (2 s) wins over the 1 s backoff
    assert len(sleeps.waits) == 2 and 0.5 <= sleeps.waits[0] <= 0.6 and sleeps.waits[1] == 2.0


def test_retries_are_bounded(ajo, make_client):
    client, sleeps = make_client(ajo)
    ajo.set_faults(script=[{"path": UNITARY, "fault": "503", "count": 10}])
    with pytest.raises(AjoError) as caught:
        client.execute_unitary(PASSWORD_RESET, [JANE])
    assert caught.value.status == 503 and len(sleeps.waits) == 4
    assert len(_ajo_calls(ajo)) == 5 and ajo.executions() == []


@pytest.mark.parametrize("fault", ["drop_after_commit", "drop", "504"])
def test_an_answer_lost_after_sending_is_outcome_unknown_and_not_resent(ajo, make_client, fault):
    client, sleeps = make_client(ajo)
    ajo.set_faults(script=[{"path": UNITARY, "fault": fault}])
    with pytest.raises(AjoOutcomeUnknown) as caught:
        client.execute_unitary(PASSWORD_RESET, [JANE], request_id="maybe-1")
    assert "maybe-1" in str(caught.value) and "--retry-unknown" in str(caught.value)
    assert len([c for c in _ajo_calls(ajo) if c["path"] == UNITARY]) == 1 and sleeps.waits == []
    assert len(ajo.executions()) == (1 if fault == "drop_after_commit" else 0)


def test_retry_unknown_resends_the_same_request_id_which_duplicates_without_dedup(make_ajo, make_client):
    plain = make_ajo()
    plain.set_faults(script=[{"path": UNITARY, "fault": "drop_after_commit"}])
    make_client(plain)[0].execute_unitary(PASSWORD_RESET, [JANE], request_id="again-1", retry_unknown=True)
    assert [e["requestId"] for e in plain.executions()] == ["again-1", "again-1"]  # why it is opt-in

    dedup = make_ajo(dedupe_request_ids=True)
    dedup.set_faults(script=[{"path": UNITARY, "fault": "drop_after_commit"}])
    result = make_client(dedup)[0].execute_unitary(PASSWORD_RESET, [JANE], request_id="again-2",
                                                   retry_unknown=True)
    assert len(dedup.executions()) == 1 and result.body["executionId"] == dedup.executions()[0]["executionId"]


def test_audience_schedule_status_and_cancel(ajo, client, contract):
    scheduled = client.execute_audience(SPRING_NEWSLETTER, audience_id="aud-spring-2026",
                                        execute_at="2099-06-01T09:00:00Z", context={"offer": "SPRING"})
    schedule_id = scheduled.body["scheduleId"]
    assert scheduled.status == 202 and scheduled.body["scheduleStatus"] == "Scheduled"
    assert client.schedule_status(schedule_id).body["executeAt"] == "2099-06-01T09:00:00.000Z"
    assert client.cancel_schedule(schedule_id).body == {}
    with pytest.raises(AjoError) as caught:
        client.schedule_status(schedule_id)
    assert caught.value.status == 404
    with pytest.raises(AjoError) as caught:
        client.execution_status("AUD-99999999")
    assert caught.value.status == 404
    for call in _ajo_calls(ajo):
        contract.check_answer(call)
    assert ajo.executions() == []


def test_a_due_schedule_triggers_and_can_no_longer_be_cancelled(make_ajo, make_client):
    now = [1_900_000_000.0]
    server = make_ajo(clock=lambda: now[0], audience_run_seconds=60)
    client, _ = make_client(server)
    scheduled = client.execute_audience(SPRING_NEWSLETTER, audience_id="aud-spring-2026",
                                        execute_at="2099-01-01T00:00:00Z")
    now[0] = 4_070_908_800.0 + 1  # just after 2099-01-01
    status = client.schedule_status(scheduled.body["scheduleId"]).body
    assert status["scheduleStatus"] == "Triggered"
    assert status["executionDetails"]["status"] == "InProgress"
    assert status["executionDetails"]["targetedProfileCount"] == 1250
    with pytest.raises(AjoError, match="already been triggered"):
        client.cancel_schedule(scheduled.body["scheduleId"])
    now[0] += 61
    assert client.execution_status(status["executionDetails"]["executionId"]).body["status"] == "Succeeded"


def test_bad_credentials_fail_at_ims_without_any_ajo_call(ajo):
    env = {**ajo.env(), "AJO_CLIENT_SECRET": "wrong-secret-value"}
    with AjoClient(AjoSettings.from_env(env)) as client, pytest.raises(AjoAuthError) as caught:
        client.health()
    assert caught.value.status == 401 and "wrong-secret-value" not in str(caught.value)
    assert [c["kind"] for c in ajo.calls()] == ["ims"]


def test_the_token_is_cached_until_shortly_before_expiry(make_ajo, make_client):
    server = make_ajo(token_ttl=3600)
    now = [1000.0]
    client, _ = make_client(server, clock=lambda: now[0])
    client.health()
    now[0] += 3400
    client.health()
    assert [c["kind"] for c in server.calls()].count("ims") == 1
    now[0] += 200  # 60 s before expiry: renewed early, before AJO could refuse it
    client.health()
    assert [c["kind"] for c in server.calls()].count("ims") == 2
    assert all(c["status"] == 200 for c in server.calls())


def test_a_wrong_sandbox_is_refused_by_ajo(ajo):
    with AjoClient(AjoSettings.from_env({**ajo.env(), "AJO_SANDBOX": "dev"})) as client:
        with pytest.raises(AjoError) as caught:
            client.execute_unitary(PASSWORD_RESET, [JANE])
    assert caught.value.status == 400 and "sandbox 'dev' not found" in caught.value.title


def test_reads_are_retried_after_a_drop_and_a_lost_cancel_counts_as_done(ajo, make_client):
    client, sleeps = make_client(ajo)
    scheduled = client.execute_audience(SPRING_NEWSLETTER, audience_id="aud-spring-2026",
                                        execute_at="2099-01-01T00:00:00Z")
    path = f"/ajo/im/executions/schedules/{scheduled.body['scheduleId']}"
    ajo.set_faults(script=[{"path": path, "method": "GET", "fault": "drop"},
                           {"path": path, "method": "DELETE", "fault": "drop_after_commit"}])
    assert client.schedule_status(scheduled.body["scheduleId"]).attempts == 2
    assert client.cancel_schedule(scheduled.body["scheduleId"]).body == {}  # cancelled, answer lost, then 404
    assert [(c["method"], c["status"]) for c in _ajo_calls(ajo)][1:] == [
        ("GET", None), ("GET", 200), ("DELETE", None), ("DELETE", 404)]
    assert ajo.schedules() == {} and len(sleeps.waits) == 2


def test_the_client_and_its_errors_never_show_the_secret_or_token(ajo, client):
    client.health()
    [token] = ajo.issued_tokens()
    ajo.revoke_tokens()
    ajo.set_faults(script=[{"path": UNITARY, "fault": "504"}])
    with pytest.raises(AjoOutcomeUnknown) as caught:
        client.execute_unitary(PASSWORD_RESET, [JANE])
    for text in (repr(client), str(client.settings), repr(client.settings), str(caught.value)):
        assert ajo.client_secret not in text and token not in text


def test_swapped_client_id_and_secret_never_appear_in_errors_or_reprs(ajo):
    env = {**ajo.env(), "AJO_CLIENT_ID": ajo.client_secret, "AJO_CLIENT_SECRET": ajo.client_id}
    settings = AjoSettings.from_env(env)
    with AjoClient(settings) as client, pytest.raises(AjoAuthError) as caught:
        client.health()
    assert "AJO_CLIENT_ID, AJO_CLIENT_SECRET" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), str(settings), repr(client)):
        assert ajo.client_secret not in text and ajo.client_id not in text
