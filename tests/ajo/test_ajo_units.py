"""Pure logic of the AJO package: settings from the environment and local payload checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from marketo_sync.client import ajo_payloads as payloads
from marketo_sync.client.ajo_payloads import PayloadError, build_audience, build_unitary, parse_execute_at
from marketo_sync.client.ajo_settings import AjoSettings
from marketo_sync.errors import ConfigError

CAMPAIGN = "10e2583b-4d1d-4b57-bd6e-fdc79405d67d"
JANE = {"type": "aep", "namespace": "email", "userId": "jane@example.com"}
ENV = {"AJO_CLIENT_ID": "abc123", "AJO_CLIENT_SECRET": "p8e-SECRET-value", "AJO_ORG_ID": "0123ABCD@AdobeOrg",
       "AJO_SANDBOX": "prod"}
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_settings_defaults_and_no_secret_in_repr():
    settings = AjoSettings.from_env(ENV)
    assert settings.scopes == ("openid", "AdobeID", "read_organizations")
    assert settings.token_url == "https://ims-na1.adobelogin.com/ims/token/v3"
    assert settings.url("/im/executions/unitary") == "https://platform.adobe.io/ajo/im/executions/unitary"
    assert "p8e-SECRET-value" not in repr(settings) + str(settings)


@pytest.mark.parametrize(("change", "named"), [
    ({"AJO_CLIENT_SECRET": ""}, "AJO_CLIENT_SECRET"),
    ({"AJO_SANDBOX": "  "}, "AJO_SANDBOX"),
    ({"AJO_ORG_ID": "0123ABCD"}, "AJO_ORG_ID"),
    ({"AJO_SANDBOX": "Prod Sandbox"}, "AJO_SANDBOX"),
    ({"AJO_SCOPES": "openid,Adobe ID"}, "AJO_SCOPES"),
    ({"AJO_BASE_URL": "http://platform.adobe.io"}, "AJO_BASE_URL"),
    ({"AJO_IMS_URL": "https://user:p8e-SECRET-value@ims.example.com"}, "AJO_IMS_URL"),
    ({"AJO_IMS_URL": "ims-na1.adobelogin.com"}, "AJO_IMS_URL must look like https://ims-na1.adobelogin.com"),
])
def test_bad_settings_name_the_variable_never_the_secret(change, named):
    with pytest.raises(ConfigError) as caught:
        AjoSettings.from_env({**ENV, **change})
    assert named in str(caught.value) and "p8e-SECRET-value" not in str(caught.value)


def test_http_is_allowed_for_loopback_only_and_scopes_are_split():
    settings = AjoSettings.from_env({**ENV, "AJO_BASE_URL": "http://127.0.0.1:8080/", "AJO_SCOPES": "openid, a.b"})
    assert settings.base_url == "http://127.0.0.1:8080" and settings.scopes == ("openid", "a.b")
    pasted = AjoSettings.from_env({**ENV, "AJO_BASE_URL": "https://platform-stage.adobe.io/ajo/"})
    assert pasted.url("/im/health") == "https://platform-stage.adobe.io/ajo/im/health"


def test_a_valid_unitary_payload_is_built_as_given():
    recipient = {**JANE, "channelData": {"emailAddress": "x@example.com"},
                 "context": {"product": {"name": "Jackets"}, "offer": "THANKS"}, "profile": {"person": {}}}
    assert build_unitary(CAMPAIGN, [recipient], "r-1") == {"requestId": "r-1", "campaignId": CAMPAIGN,
                                                           "recipients": [recipient]}


def test_every_problem_is_reported_at_once():
    recipients = [JANE, {**JANE, "userId": "JANE@example.com"}, {"type": "aep", "namespace": "email"},
                  {"type": "sms", "namespace": "phone", "userId": "1"},
                  {**JANE, "userId": "k@example.com", "context": {"system": "x", "count": 3}, "userid": "typo"}]
    with pytest.raises(PayloadError) as caught:
        build_unitary("not-a-uuid", recipients, "bad id with spaces")
    text = "\n".join(caught.value.reasons)
    for reason in ("is not a UUID", "requestId must be", "repeats recipients[0]", "recipients[2].userId",
                   "recipients[3].type", "context.system is reserved", "context.count is int",
                   "unknown field userid"):
        assert reason in text
    assert "nothing was sent" in str(caught.value)


def test_recipient_count_limits():
    with pytest.raises(PayloadError, match="not 0"):
        build_unitary(CAMPAIGN, [], "r")
    twenty = [{**JANE, "userId": f"u{i}@example.com"} for i in range(20)]
    assert len(build_unitary(CAMPAIGN, twenty, "r")["recipients"]) == 20
    with pytest.raises(PayloadError, match="not 21"):
        build_unitary(CAMPAIGN, [*twenty, JANE], "r")


def test_context_size_counts_the_whole_call_in_utf8_bytes():
    half = "é" * (50 * 1024)  # 100 KB of UTF-8 per recipient
    two = [{**JANE, "context": {"a": half}}, {**JANE, "userId": "b@example.com", "context": {"a": half}}]
    with pytest.raises(PayloadError, match="at most 204800 bytes"):
        build_unitary(CAMPAIGN, two, "r")
    assert build_unitary(CAMPAIGN, two[:1], "r")
    assert payloads.context_bytes([{"a": "é"}]) == len('{"a":"é"}'.encode())


def test_execute_at_must_have_a_zone_and_be_in_the_future():
    assert parse_execute_at("2026-06-01T15:00:00+02:00", NOW) == "2026-06-01T13:00:00.000Z"
    assert parse_execute_at("2026-06-02T09:30:00.5Z", NOW) == "2026-06-02T09:30:00.500Z"
    for value, reason in (("2026-06-02T09:30:00", "no time zone"), ("2026-06-01T12:00:00Z", "not in the future"),
                          ("tomorrow", "not an ISO 8601")):
        with pytest.raises(PayloadError, match=reason):
            parse_execute_at(value, NOW)


def test_audience_payload_with_schedule_and_context():
    body = build_audience(CAMPAIGN, "r-2", audience_id="aud-1", context={"offer": "SPRING"},
                          execute_at="2026-07-01T09:00:00Z", now=NOW)
    assert body == {"requestId": "r-2", "campaignId": CAMPAIGN, "audience": {"id": "aud-1"},
                    "context": {"offer": "SPRING"}, "schedule": {"executeAt": "2026-07-01T09:00:00.000Z"}}
    with pytest.raises(PayloadError) as caught:
        build_audience(CAMPAIGN, "r", context={"system": "x"}, execute_at="2001-01-01T00:00:00Z", now=NOW)
    assert len(caught.value.reasons) == 2


def test_generated_request_ids_are_fresh_and_valid():
    first, second = payloads.new_request_id(), payloads.new_request_id()
    assert first != second and payloads.check_request_id(first) == []
