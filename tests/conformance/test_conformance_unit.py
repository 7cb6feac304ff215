"""Pure logic of the conformance kit: comparing answers with the expected shapes, the report."""

from __future__ import annotations

import json

from marketo_sync.conformance import expect
from marketo_sync.conformance.expect import Deviation
from marketo_sync.conformance.kit import inert, segments
from marketo_sync.conformance.report import (
    DEVIATION,
    PASS,
    SKIPPED,
    Leftover,
    Report,
    StepResult,
    render_text,
)

CAMPAIGN = {"id": 1076, "name": "Smart Campaign 02", "description": "", "createdAt": "2019-08-14T17:42:04Z+0000",
            "updatedAt": "2019-08-14T17:42:04Z+0000", "folder": {"id": 640, "type": "Folder"},
            "status": "Never Run", "type": "batch", "isSystem": False, "isActive": False, "isRequestable": False,
            "isCommunicationLimitEnabled": True, "recurrence": {"weekdayOnly": False},
            "qualificationRuleType": "once", "workspace": "Default", "smartListId": 5132, "flowId": 1095,
            "computedUrl": "https://app-sjqe.marketo.com/#SC1076A1"}  # Adobe's Create example


def test_adobes_documented_campaign_has_no_deviation():
    assert expect.compare(CAMPAIGN, expect.CAMPAIGN) == []
    assert expect.compare(dict(CAMPAIGN, extra="fine"), expect.CAMPAIGN) == []


def test_missing_and_mistyped_fields_are_named_with_both_values():
    record = dict(CAMPAIGN, isActive="false", createdAt="2019-08-14 17:42:04")
    del record["flowId"]
    assert expect.compare(record, expect.CAMPAIGN) == [
        Deviation("createdAt", "date like 2016-09-10T23:16:19Z+0000", '"2019-08-14 17:42:04"'),
        Deviation("isActive", "boolean", '"false"'),
        Deviation("flowId", "integer", "(missing)")]
    assert expect.compare(None, expect.CAMPAIGN) == [Deviation("result", "object", "null")]
    assert expect.compare(dict(CAMPAIGN, id=True), expect.CAMPAIGN) == [Deviation("id", "integer", "true")]


def test_values_skip_fields_the_shape_already_reported():
    renamed = {k if k != "isActive" else "active": v for k, v in CAMPAIGN.items()}
    assert expect.values(renamed, {"isActive": False}, expect.CAMPAIGN) == []
    assert expect.values(CAMPAIGN, {"isActive": True, "name": "Smart Campaign 02"}) == [
        Deviation("isActive", "true", "false")]


def test_envelope_and_refusals():
    ok = {"success": True, "errors": [], "requestId": "7883#169838a32f0", "warnings": [], "result": []}
    assert expect.envelope(ok) == []
    assert expect.envelope({"success": False, "requestId": "1#2", "errors": [{"code": "702"}]}) == []
    assert expect.envelope(dict(ok, requestId=42, warnings="x")) == [
        Deviation("requestId", 'string like "7883#169838a32f0"', "42"), Deviation("warnings", "array", '"x"')]
    assert expect.envelope("(not JSON)") == [Deviation("envelope", "a JSON object", '"(not JSON)"')]
    refused = {"success": False, "requestId": "1#2", "errors": [{"code": "709", "message": "dup"}]}
    assert expect.refusal(refused, "709") == []
    assert expect.refusal(dict(refused, errors=[{"code": 709}]), "709") == [
        Deviation("errors[0].code", '"709"', "709")]


def test_shown_values_are_inert_and_short():
    assert expect.shown("a\x1b[31mred") == '"a\\u001b[31mred"'
    assert len(expect.shown("x" * 500)) == expect.SHOWN_CHARS
    assert inert("bell\x07 and \x1b") == "bell\\u0007 and \\u001b"
    assert segments("/Marketing Activities//Templates/ ") == ["Marketing Activities", "Templates"]


def test_report_text_and_json():
    report = Report(steps=[StepResult("folder.create", ("POST x",), PASS, "made"),
                           StepResult("campaign.get", ("GET y",), DEVIATION,
                                      deviations=[Deviation("isActive", "boolean", "(missing)")]),
                           StepResult("campaign.clone", ("POST z",), SKIPPED, "no --template given")],
                    scratch_folder="marketo-sync-conformance-abc123", scratch_folder_id=7,
                    left=[Leftover("folder", "marketo-sync-conformance-abc123", 7, "https://app/#MF7A1", "not empty")],
                    calls=12)
    text = render_text(report)
    assert text.rstrip().endswith("2 of 3 steps as expected")
    assert "isActive: expected boolean, got (missing)" in text and "https://app/#MF7A1" in text
    doc = json.loads(report.to_json())
    assert doc["format"] == "marketo-sync.conformance/1" and doc["ok"] is False
    assert doc["summary"] == {"steps": 3, "as_expected": 2, "pass": 1, "deviation": 1, "skipped": 1, "error": 0}
    assert doc["steps"][1]["deviations"] == [{"field": "isActive", "expected": "boolean", "actual": "(missing)"}]
    assert doc["cleanup"]["not_removed"][0]["link"] == "https://app/#MF7A1"
    assert Report(steps=report.steps[:1]).ok and not Report(steps=report.steps[:1], interrupted=True).ok


def test_record_dates_and_query_dates():
    moment = expect.parse_date("2019-08-14T17:42:04Z+0000")
    assert moment is not None and expect.query_date(moment) == "2019-08-14T17:42:04+00:00"
    assert expect.parse_date("2019-08-14 17:42:04") is None and expect.parse_date(None) is None


def test_empty_reads_in_their_two_documented_forms():
    warning = {"success": True, "errors": [], "requestId": "1a#2b", "warnings": [expect.NO_ASSETS]}
    assert expect.empty_read(warning) == []
    assert expect.empty_read({"success": False, "requestId": "1a#2b", "errors": [{"code": "702"}]}) == []
    assert expect.empty_read(dict(warning, warnings=[])) == [
        Deviation("warnings", f'["{expect.NO_ASSETS}"] (or error 702)', "[]")]
    assert expect.empty_read(dict(warning, result=[])) == []
    assert expect.empty_read(dict(warning, result=[{"id": 1}])) == [
        Deviation("result", "no result (nothing matches)", '[{"id": 1}]')]
