"""The flow-step endpoints over HTTP: parameter forms, faults as on any call, and ``no_flow_api``
(an instance without these endpoints). Their answers against the specs: test_swagger_contract.py."""

from __future__ import annotations

from typing import Any

import pytest
import requests

A = "/rest/asset/v1/smartCampaign"
ONBOARDING, EMPTY_FLOW = 2002, 2004


def flow(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert body["success"] is True, body
    return body["result"][0]["flow"]["steps"]


def test_lenient_forms_of_the_json_parameters(api) -> None:
    steps = flow(api.post(f"{A}/{EMPTY_FLOW}/flows.json", data={"activityType": "{'id': 1001, 'type': 'activity'}",
                                                                 "index": "0"}))
    assert [s["activityTypeName"] for s in steps] == ["Wait"]
    step, choice = steps[0]["id"], steps[0]["stepChoice"][0]["id"]
    body = api.post(f"{A}/{EMPTY_FLOW}/flow/{step}/choice/{choice}.json",
                    json={"attributes": {"10011": "1 week"}})  # a JSON body, the map as an object
    assert flow(body)[0]["stepChoice"][0]["attributes"][0]["value"] == "1 week"
    body = api.post(f"{A}/{EMPTY_FLOW}/flows.json", data={"activityType": "6", "index": 1})  # a bare id
    assert [s["activityTypeName"] for s in flow(body)] == ["Wait", "Send Email"]


def test_a_flow_write_lost_after_commit_is_committed(emulator, api) -> None:
    """drop_after_commit applies to flow writes as to any call: the step exists, the answer is lost."""
    path = f"{A}/{ONBOARDING}/flows.json"
    emulator.set_faults(script=[{"method": "POST", "path": path, "fault": "drop_after_commit"}])
    with pytest.raises(requests.ConnectionError):
        api.raw("POST", path, data={"activityType": '{"id":1001,"type":"activity"}', "index": 0})
    assert [s["activityTypeName"] for s in flow(api.get(f"{A}/{ONBOARDING}.json"))] == ["Wait", "Send Email", "Wait"]
    emulator.set_faults(script=[{"path_regex": r".*/choice/\d+\.json", "fault": "604"}])
    step = flow(api.get(f"{A}/{ONBOARDING}.json"))[1]
    body = api.post(f"{A}/{ONBOARDING}/flow/{step['id']}/choice/{step['stepChoice'][0]['id']}.json",
                    data={"attributes": '{"101":"Changed"}'})
    assert body["errors"][0]["code"] == "604"
    assert flow(api.get(f"{A}/{ONBOARDING}.json"))[1] == step  # not executed
    assert [c["fault"] for c in emulator.calls() if c["fault"]] == ["drop_after_commit", "604"]


def test_no_flow_api_answers_610_and_still_reads_flows(make_emulator, api_for) -> None:
    server = make_emulator(no_flow_api=True)
    api = api_for(server)
    for method, path in (("GET", f"{A}/flowSteps.json"), ("GET", f"{A}/flowStepTypes.json"),
                         ("POST", f"{A}/{ONBOARDING}/flows.json"), ("POST", f"{A}/{ONBOARDING}/flow/1/remove.json"),
                         ("POST", f"{A}/{ONBOARDING}/flow/1/addChoice.json"),
                         ("POST", f"{A}/{ONBOARDING}/flow/1/choice/2.json"),
                         ("GET", f"{A}/{ONBOARDING}/flows.json")):
        body = api.raw(method, path, data={"activityType": "6", "index": 0} if method == "POST" else None).json()
        assert (body["success"], body["errors"][0]["code"]) == (False, "610"), (method, path, body)
    assert [s["activityTypeName"] for s in flow(api.get(f"{A}/{ONBOARDING}.json"))] == ["Send Email", "Wait"]
    assert api.get(f"{A}/rules.json")["success"] is True
    assert server.backend.get_campaign(ONBOARDING)[0]["flow"]["steps"][0]["activityTypeName"] == "Send Email"
