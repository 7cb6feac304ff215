"""Pure logic of marketo_sync.operations: parsing, limits, batching, stopping (no server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ops_support import DATA

from marketo_sync import operations as ops
from marketo_sync.errors import ApiError, OutcomeUnknown
from marketo_sync.refs import FolderRef

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["WebinarTitle", " {{my.WebinarTitle}} ", "my.WebinarTitle", "{{ my.WebinarTitle }}"])
def test_token_names_bare_or_wrapped(raw):
    assert ops.token_name(raw) == "WebinarTitle"


@pytest.mark.parametrize("raw, message", [("{{lead.FirstName}}", "only My Tokens"), ("", "empty"),
                                          ("{{my.}}", "only My Tokens"), ("a}b", "malformed"),
                                          ("x" * 51, "longer than 50")])
def test_bad_token_names(raw, message):
    with pytest.raises(ValueError, match=message):
        ops.token_name(raw)


def test_token_arguments_and_file():
    tokens, problems = ops.parse_token_args(["A=1", "B==x=", "C", "{{my.A}}=2"])
    assert tokens == {"A": "1", "B": "=x="}
    assert problems == ["--token 'C': expected NAME=VALUE", "--token: 'A' is given twice"]
    from_file, problems = ops.load_tokens_file(DATA / "webinar-tokens.yaml")
    assert problems == []
    assert from_file == {"WebinarTitle": "Scaling Customer Engagement in 2026",
                         "JoinLink": "https://webinars.example.com/join/abc123"}
    assert ops.merge_tokens(from_file, {"WebinarTitle": "cli"})["WebinarTitle"] == "cli"


def test_tokens_file_problems_have_positions(tmp_path):
    _, problems = ops.load_tokens_file(DATA / "bad-tokens.yaml")
    assert any(p.endswith("bad-tokens.yaml, line 2, column 11: the value of 'JoinLink' must be a string (quote it)")
               for p in problems)
    assert any("line 3, column 1" in p and "only My Tokens" in p for p in problems)
    numbers = tmp_path / "n.yaml"
    numbers.write_text("Price: 1.50\nSeats: 20\nFlag: true\nAnswer: NO\n")
    tokens, problems = ops.load_tokens_file(numbers)
    assert tokens == {"Price": "1.50", "Seats": "20", "Answer": "NO"}  # as written; YAML 1.2: NO is text
    assert problems == [f"{numbers}, line 3, column 7: the value of 'Flag' must be a string (quote it)"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("A: [1\n")
    assert "invalid YAML" in ops.load_tokens_file(broken)[1][0]
    assert "cannot read the tokens file" in ops.load_tokens_file(tmp_path / "missing.yaml")[1][0]


def test_leads_file_and_arguments(tmp_path):
    leads, problems = ops.load_leads_file(DATA / "leads.txt")
    assert problems == []
    assert [i for i, _ in leads.ids] == [1002200, 1002202]
    assert leads.emails == [("lead1@example.com", f"{DATA / 'leads.txt'}, line 3")]
    bad = tmp_path / "bad.txt"
    bad.write_text("12\nnot a lead\n0\n")
    _, problems = ops.load_leads_file(bad)
    assert problems == [f"{bad}, line 2: 'not a lead' is neither a lead id nor an email address",
                        f"{bad}, line 3: '0' is neither a lead id nor an email address"]
    assert ops.parse_lead_ids(["-1", "1.5", "7"])[1] == ["--lead '-1': a lead id is a positive integer",
                                                         "--lead '1.5': a lead id is a positive integer"]
    assert ops.parse_lead_emails(["a@b", "ab"])[1] == ["--lead-email 'ab': not an email address"]


def test_batches_of_100():
    assert [len(b) for b in ops.lead_batches(list(range(1, 251)))] == [100, 100, 50]
    assert ops.lead_batches([]) == []


def test_lookup_chunks_keep_uris_short():
    emails = [f"{'x' * 60}{n}@example.com" for n in range(300)]
    chunks = list(ops._chunks(emails))
    assert sum(len(c) for c in chunks) == 300 and len(chunks) > 1
    assert all(sum(len(e) + 3 for e in c) <= ops.LEAD_LOOKUP_CHARS for c in chunks)
    assert [len(c) for c in ops._chunks([str(n) for n in range(700)])] == [300, 300, 100]


@pytest.mark.parametrize("text, expected", [
    ("+10m", NOW + timedelta(minutes=10)), ("+2h", NOW + timedelta(hours=2)), ("+1d", NOW + timedelta(days=1)),
    ("2026-03-01T14:00:00+01:00", NOW + timedelta(hours=1)), ("2026-03-01T13:00:00Z", NOW + timedelta(hours=1)),
    ("+5m", NOW + timedelta(minutes=5)),
])
def test_run_at_accepted(text, expected):
    assert ops.check_run_at(ops.parse_run_at(text), NOW) == expected
    assert ops.iso(expected).endswith("+0000")


@pytest.mark.parametrize("text, message", [
    ("+4m", "at least 5 minutes"), ("2026-03-01T12:04:59+00:00", "at least 5 minutes"),
    ("2026-02-28T12:00:00+00:00", "in the past"), ("2028-03-01T12:00:01+00:00", "more than 2 years"),
    ("2026-03-01T15:00:00", "no UTC offset"), ("tomorrow", "not a time"), ("+1w", "not a time"),
    ("+999999999d", "more than 2 years"), ("+99999999999999999999h", "more than 2 years"),
])
def test_run_at_refused(text, message):
    with pytest.raises(ops.OperationError, match=message):
        ops.check_run_at(ops.parse_run_at(text), NOW)


def test_a_relative_run_at_is_measured_when_sending():
    """The confirmation may take minutes: +5m is still 5 minutes from the moment of sending."""
    request = ops.ScheduleRequest(campaign=_target("batch"), run_at=ops.parse_run_at("+5m"), tokens={})
    later = NOW + timedelta(minutes=3)
    result = ops.send_schedule(FakeApi(), request, dry_run=True, clock=lambda: later)
    assert result.run_at == ops.iso(later + timedelta(minutes=5))
    absolute = ops.ScheduleRequest(campaign=_target("batch"), tokens={},
                                   run_at=ops.parse_run_at("2026-03-01T12:06:00+00:00"))
    with pytest.raises(ops.OperationError, match="at least 5 minutes"):
        ops.send_schedule(FakeApi(), absolute, clock=lambda: later)


def _target(kind: str, *, active: bool = True, requestable: bool = True) -> ops.CampaignTarget:
    return ops.CampaignTarget(id=7, name="C", path="A/P/C", type=kind, is_active=active,
                              is_requestable=requestable, container=FolderRef(3, "Program"), program_id=3)


class FakeApi:
    """Records writes; fails the calls listed in ``failures`` (by call number)."""

    def __init__(self, failures: dict[int, Exception] | None = None) -> None:
        self.failures = failures or {}
        self.sent: list[list[int]] = []

    def request_campaign(self, campaign_id, *, leads, tokens=None):
        number = len(self.sent) + 1
        self.sent.append(list(leads))
        if number in self.failures:
            raise self.failures[number]

    def schedule_campaign(self, campaign_id, *, run_at=None, tokens=None, clone_to_program_name=None):
        self.sent.append([])


@pytest.mark.parametrize("error, status", [(ApiError("1003", "Campaign 7 is not active", "r#1"), "failed"),
                                           (OutcomeUnknown("000", "connection dropped"), "outcome unknown")])
def test_the_first_unsuccessful_batch_stops_the_rest(error, status):
    api = FakeApi({2: error})
    request = ops.TriggerRequest(campaign=_target("trigger"), leads=list(range(1, 251)), tokens={"A": "1"})
    result = ops.send_trigger(api, request)
    assert [b.status for b in result.batches] == ["sent", status, "not sent"]
    assert len(api.sent) == 2                       # never resent, never continued
    assert result.batches[1].code == error.code and not result.ok
    assert result.leads_with("not sent") == list(range(201, 251))
    text = ops.render_result(result)
    assert "100 of 250 leads sent" in text and "50 leads were not sent" in text
    if status == "failed":
        assert "[requestId r#1]" in text


def test_campaign_kind_checks():
    ops.check_requestable(_target("trigger"))
    ops.check_schedulable(_target("batch"))
    with pytest.raises(ops.OperationError, match="inactive: activate it"):
        ops.check_requestable(_target("trigger", active=False, requestable=False))
    with pytest.raises(ops.OperationError, match="not requestable"):
        ops.check_requestable(_target("trigger", requestable=False))
    with pytest.raises(ops.OperationError, match="batch campaign; only trigger"):
        ops.check_requestable(_target("batch"))
    with pytest.raises(ops.OperationError, match="only batch campaigns"):
        ops.check_schedulable(_target("trigger"))


def test_the_description_says_exactly_what_will_be_sent():
    request = ops.TriggerRequest(campaign=_target("trigger"), leads=list(range(1, 151)),
                                 tokens={"WebinarTitle": "Hello"}, duplicates=2)
    text = ops.describe_trigger(request)
    assert 'Request campaign "A/P/C" (id 7)' in text
    assert "150 in 2 requests (100 + 50); 2 duplicates removed" in text
    assert '{{my.WebinarTitle}} = "Hello"' in text


def test_unused_path_is_not_a_file(tmp_path: Path):
    assert ops.load_leads_file(tmp_path)[1][0].startswith("cannot read the leads file")


def test_an_interrupt_mid_call_is_reported_not_lost():
    api = FakeApi({2: KeyboardInterrupt()})
    request = ops.TriggerRequest(campaign=_target("trigger"), leads=list(range(1, 251)), tokens={})
    result = ops.send_trigger(api, request)
    assert [b.status for b in result.batches] == ["sent", "outcome unknown", "not sent"]
    assert "OUTCOME UNKNOWN" in ops.render_result(result)


def test_a_campaign_name_from_the_instance_stays_on_its_line():
    from marketo_sync.operations.target import CampaignTarget

    target = CampaignTarget(id=7, name="x\nNo changes.", path="Marketing Activities/x\nNo changes.\x1b[2K",
                            type="trigger", is_active=True, is_requestable=True, container=None)
    assert target.label == '"Marketing Activities/x\\nNo changes.\\x1b[2K" (id 7)'
