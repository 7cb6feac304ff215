"""Identity, tokens, routing, the envelope and lenient parsing, over real HTTP."""

from __future__ import annotations

import gzip
import json
import socket

import pytest

from marketo_sync.emulator.clock import ManualClock

NO_ASSETS = "No assets found for the given search criteria."
BROWSE = "/rest/asset/v1/smartCampaigns.json"


def identity(api, **params):
    return api.raw("GET", "/identity/oauth/token", auth=False, params=params)


def test_identity_returns_the_same_token_while_valid(api, emulator):
    creds = {"grant_type": "client_credentials", "client_id": emulator.client_id,
             "client_secret": emulator.client_secret}
    first = identity(api, **creds).json()
    second = api.raw("POST", "/identity/oauth/token", auth=False, data=creds).json()
    assert set(first) == {"access_token", "token_type", "expires_in", "scope"}
    assert first["token_type"] == "bearer" and 3590 <= first["expires_in"] <= 3600
    assert second["access_token"] == first["access_token"]


def test_identity_refuses_bad_credentials_with_401(api, emulator):
    answer = identity(api, grant_type="client_credentials", client_id=emulator.client_id, client_secret="wrong")
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}])
def test_missing_or_unknown_token_is_601(api, headers):
    body = api.raw("GET", BROWSE, auth=False, headers=headers).json()
    assert body["success"] is False
    assert body["errors"][0]["code"] == "601"
    assert isinstance(body["requestId"], str) and "#" in body["requestId"]


def test_query_token_is_refused_with_601_naming_the_header(api):
    body = api.raw("GET", BROWSE, auth=False, params={"access_token": api.token()}).json()
    assert body["errors"][0]["code"] == "601"
    assert "Authorization: Bearer" in body["errors"][0]["message"]
    assert api.token() not in json.dumps(body)


def test_query_token_accepted_in_legacy_mode(make_emulator, api_for):
    api = api_for(make_emulator(legacy_query_token=True))
    body = api.raw("GET", BROWSE, auth=False, params={"access_token": api.token()}).json()
    assert body["success"] is True and body["result"]


def test_expired_token_is_602_after_ttl(make_emulator, api_for):
    clock = ManualClock()
    api = api_for(make_emulator(clock=clock, token_ttl=60))
    assert api.get(BROWSE)["success"] is True
    clock.advance(61)
    body = api.get(BROWSE)
    assert body["errors"][0]["code"] == "602"
    api._token = None  # a fresh token works again
    assert api.get(BROWSE)["success"] is True


def test_expire_tokens_fault_gives_602(api, emulator):
    assert api.get(BROWSE)["success"] is True
    emulator.set_faults(expire_tokens=True)
    assert api.get(BROWSE)["errors"][0]["code"] == "602"


def test_unknown_path_is_610_and_wrong_method_605(api):
    assert api.get("/rest/asset/v1/nothingHere.json")["errors"][0]["code"] == "610"
    assert api.raw("DELETE", BROWSE).json()["errors"][0]["code"] == "605"
    assert api.post("/rest/asset/v1/smartCampaign/2001/smartList.json")["errors"][0]["code"] == "605"


def test_empty_asset_read_has_the_exact_shape(api):
    body = api.get("/rest/asset/v1/smartCampaign/99999.json")
    assert set(body) == {"requestId", "success", "errors", "warnings"}
    assert body["success"] is True and body["errors"] == [] and body["warnings"] == [NO_ASSETS]
    for path, params in [("/rest/asset/v1/smartCampaign/byName.json", {"name": "No such campaign"}),
                         ("/rest/asset/v1/folder/byName.json", {"name": "No such folder"}),
                         (BROWSE, {"offset": 5000}),
                         ("/rest/asset/v1/program/4242.json", {})]:
        body = api.get(path, **params)
        assert "result" not in body and body["warnings"] == [NO_ASSETS], path


def test_business_errors_are_http_200_with_string_codes(api):
    answer = api.raw("POST", "/rest/asset/v1/smartCampaign/2004/activate.json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["success"] is False and body["errors"][0]["code"] == "709"


def test_gzip_only_when_asked_and_at_least_1024_bytes(api):
    big = api.raw("GET", BROWSE, headers={"Accept-Encoding": "gzip"}, params={"maxReturn": 20}, stream=True)
    raw = big.raw.read(decode_content=False)
    assert big.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(raw))["result"]
    plain = api.raw("GET", BROWSE, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    small = api.raw("GET", "/rest/asset/v1/smartCampaign/99999.json", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers and len(small.content) < 1024


@pytest.mark.parametrize("folder", [
    '{"id":1101,"type":"Folder"}', '{"id": 1101, "type": "folder"}', '{"id":1101,"type":"FOLDER"}',
    "{'id': 1101, 'type': Folder}",
])
def test_folder_reference_is_parsed_leniently(api, folder):
    body = api.post(BROWSE, params={"_method": "GET"}, data={"folder": folder})
    assert body["success"] is True
    assert {c["folder"]["id"] for c in body["result"]} == {1101}
    created = api.post(BROWSE, data={"name": f"Lenient {folder}", "folder": folder})
    assert created["success"] is True, created
    assert created["result"][0]["folder"] == {"id": 1101, "type": "Folder"}


def test_parameters_in_query_string_or_form_body(api):
    in_query = api.raw("POST", "/rest/asset/v1/folders.json",
                       params={"name": "From Query", "parent": '{"id":1101,"type":"Folder"}'}).json()
    in_form = api.post("/rest/asset/v1/folders.json", data={"name": "From Form", "parent": '{"id":1101,"type":"Folder"}'})
    assert in_query["success"] and in_form["success"]
    assert in_query["result"][0]["parent"] == {"id": 1101, "type": "Folder"}


def test_update_accepts_json_and_activate_any_body(api):
    updated = api.raw("POST", "/rest/asset/v1/smartCampaign/2002.json", json={"description": "via JSON"}).json()
    assert updated["result"][0]["description"] == "via JSON"
    for kwargs in ({}, {"json": {}}, {"data": {"x": "1"}}, {"files": {"f": ("a", b"")}}):
        assert api.post("/rest/asset/v1/smartCampaign/2002/activate.json", **kwargs)["success"] is True
        assert api.post("/rest/asset/v1/smartCampaign/2002/deactivate.json", **kwargs)["success"] is True


def test_bad_integer_parameter_is_a_business_error(api):
    body = api.get(BROWSE, maxReturn="lots")
    assert body["success"] is False and body["errors"][0]["code"] == "1001"
    assert api.get(BROWSE, maxReturn=201)["errors"][0]["code"] == "1003"


def test_leads_get_and_post_with_method_get(api):
    by_email = api.get("/rest/v1/leads.json", filterType="email", filterValues="lead1@example.com")
    assert [lead["id"] for lead in by_email["result"]] == [1002201]
    via_post = api.post("/rest/v1/leads.json", data={"_method": "GET", "filterType": "id",
                                                     "filterValues": "1002200,1002202"})
    assert [lead["id"] for lead in via_post["result"]] == [1002200, 1002202]
    created = api.post("/rest/v1/leads.json", json={"action": "createOrUpdate", "lookupField": "email",
                                                    "input": [{"email": "new@example.com", "firstName": "N"}]})
    assert created["result"][0]["status"] == "created"
    unknown = api.get("/rest/v1/leads.json", filterType="id", filterValues="1")
    assert unknown["success"] is True and unknown["result"] == []


def test_stop_closes_the_socket(make_emulator):
    server = make_emulator()
    port = server.port
    server.stop()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_long_uri_is_414_and_the_post_workaround_works(api):
    values = ",".join(f"lead{n}@example.com" for n in range(400))
    long_get = api.raw("GET", "/rest/v1/leads.json", params={"filterType": "email", "filterValues": values})
    assert long_get.status_code == 414
    workaround = api.post("/rest/v1/leads.json", data={"_method": "GET", "filterType": "email",
                                                       "filterValues": ",".join(values.split(",")[:300])})
    assert workaround["success"] is True and len(workaround["result"]) == 10


def test_body_over_one_megabyte_is_413(api):
    answer = api.raw("POST", "/rest/v1/leads.json", json={"input": [{"email": "x" * (1024 * 1024)}]})
    assert answer.status_code == 413
