"""Acceptance 5 (and the schedule half of 2) of `marketo-sync schedule`, over HTTP against the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ops_support import MARCH, MARCH_PATH

from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import normalise_date

NEWSLETTERS = FolderRef(1103, "Folder")
DECEMBER = "Marketing Activities/Newsletters/Monthly Newsletter - December"


@pytest.fixture
def newsletter_token(emulator, session_of) -> None:
    """A My Token on the Newsletters folder, so that the December issue may override it."""
    session_of(emulator).api.set_token(NEWSLETTERS, name="IssueTitle", type="text", value="Monthly news")


def recorded_run_at(schedule: dict) -> datetime:
    return datetime.fromisoformat(str(normalise_date(schedule["runAt"])))


def test_schedule_a_batch_campaign_in_an_hour_with_tokens(run_cli, newsletter_token):
    """5: id 2022, --run-at +1h, a token: one schedule recorded, runAt an hour from now."""
    before = datetime.now(UTC)
    code, out, err = run_cli.run("schedule", "--id", "2022", "--run-at", "+1h",
                                 "--token", "IssueTitle=December: the year in review", "--auto-approve")
    after = datetime.now(UTC)
    assert code == 0, err
    assert f'Schedule campaign "{DECEMBER}" (id 2022)' in out
    assert "(+1h from when it is sent)" in out and "scheduled for" in out
    (schedule,) = run_cli.server.backend.schedules()
    assert schedule["campaignId"] == 2022
    assert schedule["tokens"] == [{"name": "{{my.IssueTitle}}", "value": "December: the year in review"}]
    assert before + timedelta(hours=1) - timedelta(seconds=1) <= recorded_run_at(schedule) \
        <= after + timedelta(hours=1)
    assert [c["path"] for c in run_cli.posts()] == ["/rest/v1/campaigns/2022/schedule.json"]


def test_schedule_by_path_at_an_absolute_time(run_cli):
    when = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    local = when.astimezone(datetime.now().astimezone().tzinfo).isoformat()
    code, result, err = run_cli.run_json("schedule", "--campaign", DECEMBER, "--run-at", local, "--auto-approve")
    assert code == 0, err
    assert result["runAt"] == when.strftime("%Y-%m-%dT%H:%M:%S+0000")
    (schedule,) = run_cli.server.backend.schedules()
    assert recorded_run_at(schedule) == when


def test_clone_to_program_is_recorded(run_cli):
    backend = run_cli.server.backend
    campaign = backend.add_campaign((MARCH.id, MARCH.type), "Post-Webinar Recording",
                                    filters=[{"name": "Member of List", "list": "Newsletter Subscribers"}],
                                    flow=[{"action": "Send Email", "email": "Recording"}])
    code, result, err = run_cli.run_json(
        "schedule", "--campaign", f"{MARCH_PATH}/Post-Webinar Recording", "--run-at", "+1d",
        "--clone-to-program", "2026-03 Customer Engagement Webinar - Replay", "--token", "WebinarTitle=Replay",
        "--auto-approve")
    assert code == 0, err
    assert result["cloneToProgramName"] == "2026-03 Customer Engagement Webinar - Replay"
    (schedule,) = backend.schedules()
    assert schedule["sourceCampaignId"] == campaign and schedule["clonedProgramId"]
    assert schedule["cloneToProgramName"] == "2026-03 Customer Engagement Webinar - Replay"
    # the receipt names the campaign Marketo scheduled in the copy, and the call's requestId
    assert result["scheduledCampaignId"] == schedule["campaignId"] != campaign
    assert result["batches"][0]["requestId"]


REFUSALS = {
    "trigger campaign": (["--id", "2011"], "only batch campaigns can be scheduled"),
    "too soon": (["--run-at", "+4m"], "Marketo needs at least 5 minutes"),
    "in the past": (["--run-at", "2020-01-01T00:00:00+00:00"], "minutes in the past"),
    "more than 2 years": (["--run-at", "+740d"], "more than 2 years ahead"),
    "beyond any date (was an OverflowError)": (["--run-at", "+999999999d"], "more than 2 years ahead"),
    "beyond a timedelta": (["--run-at", "+99999999999999999999m"], "more than 2 years ahead"),
    "no offset": (["--run-at", "2030-01-01T10:00:00"], "has no UTC offset"),
    "garbage": (["--run-at", "next tuesday"], "is not a time"),
    "unknown token": (["--token", "IssueTitel=x"], "'IssueTitel' is not a My Token"),
    "clone name too long": (["--clone-to-program", "x" * 256], "longer than 255 characters"),
    "clone outside a program": (["--clone-to-program", "Copy"], "needs a campaign inside a program"),
    "no terminal, no --auto-approve": ([], "there is no terminal to ask on"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_local_refusals_make_no_post(run_cli, newsletter_token, case):
    """2: every refusal happens before the first write."""
    args, message = REFUSALS[case]
    if "--id" not in args:
        args = ["--id", "2022", *args]
    extra = [] if case == "no terminal, no --auto-approve" else ["--auto-approve"]
    code, out, err = run_cli.run("schedule", *args, *extra)
    assert code == 1
    assert message in err, err
    assert run_cli.posts() == [] and run_cli.server.backend.schedules() == []


def test_a_dry_run_sends_nothing(run_cli, newsletter_token):
    code, out, err = run_cli.run("schedule", "--id", "2022", "--run-at", "+2h", "--token", "IssueTitle=x",
                                 "--dry-run")
    assert code == 0, err
    assert "nothing was sent" in out
    assert run_cli.posts() == [] and run_cli.server.backend.schedules() == []


def test_a_lost_schedule_answer_is_outcome_unknown_and_not_resent(run_cli):
    run_cli.server.set_faults(script=[{"method": "POST", "path_regex": r"/rest/v1/campaigns/\d+/schedule.json",
                                       "fault": "drop_after_commit", "count": 1}])
    code, result, err = run_cli.run_json("schedule", "--id", "2022", "--auto-approve")
    assert code == 1 and not result["ok"]
    assert result["batches"][0]["status"] == "outcome unknown"
    assert "OUTCOME UNKNOWN" in err
    assert len(run_cli.server.backend.schedules()) == 1 and len(run_cli.posts()) == 1
