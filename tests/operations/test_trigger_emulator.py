"""Acceptance 1–4 of `marketo-sync trigger`, over HTTP against the emulator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ops_support import DATA, MARCH_PATH, REMINDER, Terminal

from marketo_sync import cli
from marketo_sync.emulator.config import EMULATOR_CLIENT_SECRET
from marketo_sync.emulator.seed import example_seed_path

TOKENS = ("--token", "WebinarTitle=Scaling Customer Engagement in 2026",
          "--token", "{{my.JoinLink}}=https://webinars.example.com/join/abc123")


def test_the_tutorial_end_to_end(run_cli, reminder):
    """1: the reminder requested by path for one registrant, with the tutorial's tokens."""
    code, out, err = run_cli.run("trigger", "--campaign", f"{MARCH_PATH}/{REMINDER}", "--lead", "1002200",
                                 *TOKENS, "--auto-approve")
    assert code == 0, err
    assert f'Request campaign "{MARCH_PATH}/{REMINDER}" (id {reminder})' in out
    assert "leads:    1 in 1 request" in out
    assert '{{my.WebinarTitle}} = "Scaling Customer Engagement in 2026"' in out
    assert "1 of 1 leads sent" in out
    (request,) = run_cli.server.backend.requests()
    assert request["campaignId"] == reminder and request["leads"] == [1002200]
    assert request["tokens"] == [
        {"name": "{{my.WebinarTitle}}", "value": "Scaling Customer Engagement in 2026"},
        {"name": "{{my.JoinLink}}", "value": "https://webinars.example.com/join/abc123"}]
    assert [c["path"] for c in run_cli.posts()] == [f"/rest/v1/campaigns/{reminder}/trigger.json"]
    assert EMULATOR_CLIENT_SECRET not in out + err


def test_tokens_file_leads_file_and_json_result(run_cli, reminder):
    code, result, err = run_cli.run_json(
        "trigger", "--id", str(reminder), "--leads-file", str(DATA / "leads.txt"),
        "--lead-email", "LEAD0@example.com", "--tokens-file", str(DATA / "webinar-tokens.yaml"),
        "--token", "WebinarTitle=From the command line", "--auto-approve")
    assert code == 0, err
    assert result["ok"] and result["format_version"] == 1 and result["operation"] == "trigger"
    assert result["campaign"] == {"id": reminder, "name": REMINDER, "path": f"{MARCH_PATH}/{REMINDER}"}
    assert result["leads"] == [1002200, 1002202, 1002201]     # ids first, then emails; duplicate removed
    assert result["tokens"] == {"{{my.WebinarTitle}}": "From the command line",
                                "{{my.JoinLink}}": "https://webinars.example.com/join/abc123"}
    assert [b["status"] for b in result["batches"]] == ["sent"]
    assert "#" in result["batches"][0]["requestId"]   # Marketo's requestId, kept for support
    assert "1 duplicate removed" in err
    (request,) = run_cli.server.backend.requests()
    assert request["leads"] == [1002200, 1002202, 1002201]


def test_a_terminal_answer_of_yes_sends_anything_else_cancels(run_cli, reminder):
    args = ("trigger", "--id", str(reminder), "--lead", "1002200")
    code, _, err = run_cli.run(*args, stdin=Terminal("no\n"))
    assert code == 1 and "cancelled" in err and "Only 'yes' will be accepted" in err
    assert run_cli.posts() == []
    code, _, err = run_cli.run(*args, stdin=Terminal("yes\n"))
    assert code == 0, err
    assert len(run_cli.server.backend.requests()) == 1


REFUSALS = {
    "batch campaign": (["--id", "2022", "--lead", "1002200"], "is a batch campaign"),
    "inactive campaign": (["--campaign", "Marketing Activities/Templates/Onboarding Step Template",
                           "--lead", "1002200"], "activate it and give it a 'Campaign is Requested'"),
    "not requestable": (["--id", "2011", "--lead", "1002200"], "is not requestable"),
    "unknown token": (["--lead", "1002200", "--token", "WebinarTitel=x"], "'WebinarTitel' is not a My Token"),
    "wrong token case": (["--lead", "1002200", "--token", "webinartitle=x"], "did you mean 'WebinarTitle'"),
    "too many tokens": (["--lead", "1002200", *[a for n in range(101) for a in ("--token", f"T{n}=v")]],
                        "101 tokens given; Marketo accepts at most 100"),
    "system token": (["--lead", "1002200", "--token", "{{lead.FirstName}}=Ada"], "only My Tokens"),
    "unknown email": (["--lead-email", "nobody@example.com", "--lead-email", "lead1@example.com"],
                      "1 email match no lead: nobody@example.com"),
    "unknown lead id": (["--lead", "1002200", "--lead", "999"], "1 lead id do not exist: 999"),
    "bad lead id": (["--lead", "12a"], "a lead id is a positive integer"),
    "no leads": ([], "no leads given"),
    "bad tokens file": (["--lead", "1002200", "--tokens-file", str(DATA / "bad-tokens.yaml")],
                        "bad-tokens.yaml, line 2, column 11: the value of 'JoinLink' must be a string"),
    "campaign name alone": (["--campaign", REMINDER, "--lead", "1002200"], "must be a full path"),
    "campaign not in that program": (
        ["--campaign", f"Marketing Activities/Webinars/2026-05 Product Roadmap Webinar/{REMINDER}",
         "--lead", "1002200"], "no campaign named 'Send Webinar Reminder'"),
    "no terminal, no --auto-approve": (["--lead", "1002200"], "there is no terminal to ask on"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_local_refusals_make_no_post(run_cli, reminder, case):
    """2: every refusal happens before the first write."""
    args, message = REFUSALS[case]
    if not any(a in ("--id", "--campaign") for a in args):
        args = ["--campaign", f"{MARCH_PATH}/{REMINDER}", *args]
    extra = [] if case == "no terminal, no --auto-approve" else ["--auto-approve"]
    code, out, err = run_cli.run("trigger", *args, *extra)
    assert code == 1
    assert message in err, err
    assert "Nothing was sent." in err
    assert run_cli.posts() == []
    assert run_cli.server.backend.requests() == []


def test_a_dry_run_reads_but_sends_nothing(run_cli, reminder):
    code, out, err = run_cli.run("trigger", "--campaign", f"{MARCH_PATH}/{REMINDER}", "--lead", "1002200",
                                 *TOKENS, "--dry-run")
    assert code == 0, err
    assert "Dry run: everything checked, nothing was sent." in out
    assert run_cli.posts() == [] and run_cli.server.backend.requests() == []
    assert any("tokens.json" in c["path"] for c in run_cli.server.calls()[run_cli.before:])  # it did read


def test_150_leads_are_two_requests_each_recorded_once(run_cli, reminder):
    """3: 100 + 50, each its own call, each recorded once."""
    backend = run_cli.server.backend
    ids = [backend.add_lead(email=f"reg{n}@example.com") for n in range(150)]
    leads = [a for i in ids for a in ("--lead", str(i))]
    code, result, err = run_cli.run_json("trigger", "--id", str(reminder), *leads, *TOKENS, "--auto-approve")
    assert code == 0, err
    assert [len(b["leads"]) for b in result["batches"]] == [100, 50]
    assert [b["status"] for b in result["batches"]] == ["sent", "sent"]
    recorded = backend.requests()
    assert [r["leads"] for r in recorded] == [ids[:100], ids[100:]]
    assert len(run_cli.posts()) == 2


def test_a_lost_answer_is_outcome_unknown_and_never_resent(run_cli, reminder):
    """4: the emulator commits the first request and drops the connection: reported, not resent,
    and the second batch is not sent either."""
    backend = run_cli.server.backend
    ids = [backend.add_lead(email=f"reg{n}@example.com") for n in range(120)]
    run_cli.server.set_faults(script=[{"method": "POST", "path_regex": r"/rest/v1/campaigns/\d+/trigger.json",
                                       "fault": "drop_after_commit", "count": 1}])
    leads = [a for i in ids for a in ("--lead", str(i))]
    code, out, err = run_cli.run("trigger", "--id", str(reminder), *leads, "--auto-approve")
    assert code == 1
    assert "call 1 (100 leads): outcome unknown" in out
    assert "call 2 (20 leads): not sent" in out
    assert "OUTCOME UNKNOWN" in out and "NOT resent" in out and "Check the campaign's Results" in out
    assert "0 of 120 leads sent" in out
    (request,) = backend.requests()                 # committed once, never again
    assert request["leads"] == ids[:100]
    assert len(run_cli.posts()) == 1
    code, result, _ = run_cli.run_json("trigger", "--id", str(reminder), "--lead", str(ids[0]), "--auto-approve")
    assert code == 0 and result["batches"][0]["status"] == "sent"   # the fault was one-shot


def test_the_example_project_apply_then_trigger(tmp_path, monkeypatch, capsys):
    """1, through the repository's project: `apply` creates and activates the reminder in the embedded
    emulator, then `trigger` requests it; the campaign files are not needed for `trigger`."""
    root = Path(__file__).resolve().parents[2]
    work = tmp_path / "project"
    (work / "examples").mkdir(parents=True)
    shutil.copy(root / "marketo-sync.yaml", work)
    shutil.copytree(root / "campaigns", work / "campaigns")
    shutil.copy(example_seed_path(), work / "examples" / "instance.yaml")
    monkeypatch.chdir(work)
    assert cli.main(["apply", "--auto-approve"]) == 0
    shutil.rmtree(work / "campaigns")
    capsys.readouterr()
    code = cli.main(["trigger", "--campaign", f"{MARCH_PATH}/{REMINDER}", "--lead", "1002200", *TOKENS,
                     "--auto-approve", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["ok"] and result["tokens"]["{{my.WebinarTitle}}"] == "Scaling Customer Engagement in 2026"
    state = json.loads((work / ".marketo-sync" / "emulator-state.json").read_text())
    (request,) = state["requests"]
    assert request["campaignId"] == result["campaign"]["id"] and request["leads"] == [1002200]


def test_an_email_shared_by_two_leads_is_refused(run_cli, reminder):
    run_cli.server.backend.add_lead(email="LEAD1@example.com", firstName="Grace (duplicate)")
    code, _, err = run_cli.run("trigger", "--id", str(reminder), "--lead-email", "lead1@example.com",
                               "--auto-approve")
    assert code == 1 and "email lead1@example.com matches 2 leads" in err and "give the lead id" in err
    assert run_cli.posts() == []
