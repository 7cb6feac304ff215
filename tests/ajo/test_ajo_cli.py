"""`marketo-sync ajo` end to end: the CLI against the IMS + AJO emulator over HTTP."""

from __future__ import annotations

import io
import json
import logging

import pytest

from marketo_sync import cli
from marketo_sync.emulator.ajo import PASSWORD_RESET, SPRING_NEWSLETTER

UNITARY = "/ajo/im/executions/unitary"
SECRET = "ajo-s3cret-that-must-never-leak-91c2"


class Terminal(io.StringIO):
    """stdin that claims to be a terminal, with the operator's answer already typed."""

    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture
def env(ajo, monkeypatch):
    for name, value in ajo.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdin", Pipe(""))
    return ajo


def _execute(*extra: str) -> list[str]:
    return ["ajo", "execute", "--campaign-id", PASSWORD_RESET, "--recipient", "email:jane.doe@example.com", *extra]


def test_execute_with_context_is_accepted_and_recorded(env, capsys):
    code = cli.main(_execute("--context", "resetUrl=https://auth.example.com/r?t=1", "--context",
                             "expiresIn=30 minutes", "--request-id", "cli-1", "--auto-approve", "--format", "json"))
    out, err = capsys.readouterr()
    assert code == 0
    doc = json.loads(out)
    assert doc["outcome"] == "accepted" and doc["status"] == 202 and doc["requestId"] == "cli-1"
    [execution] = env.executions()
    assert execution["recipients"][0]["context"] == {"resetUrl": "https://auth.example.com/r?t=1",
                                                     "expiresIn": "30 minutes"}
    assert "email:jane.doe@example.com" in err  # the preview went to stderr in JSON mode


def test_recipients_file_and_context_file(env, tmp_path, capsys):
    (tmp_path / "to.yaml").write_text(
        "- {namespace: email, userId: jane.doe@example.com, context: {firstName: Jane}}\n"
        "- {type: aep, namespace: email, userId: john.chao@example.com,"
        " channelData: {emailAddress: john@work.example.com}}\n", encoding="utf-8")
    (tmp_path / "ctx.yaml").write_text("resetUrl: https://auth.example.com/r\nfirstName: Friend\n", encoding="utf-8")
    code = cli.main(["ajo", "execute", "--campaign-id", PASSWORD_RESET, "--recipients-file", str(tmp_path / "to.yaml"),
                     "--context-file", str(tmp_path / "ctx.yaml"), "--auto-approve"])
    out, _ = capsys.readouterr()
    assert code == 0 and "Accepted (HTTP 202)" in out
    jane, john = env.executions()[0]["recipients"]
    assert jane["context"] == {"resetUrl": "https://auth.example.com/r", "firstName": "Jane"}  # own key wins
    assert john["context"]["firstName"] == "Friend"
    assert john["channelData"] == {"emailAddress": "john@work.example.com"}


def test_no_terminal_and_no_auto_approve_is_refused_with_zero_calls(env, capsys):
    assert cli.main(_execute()) == 1
    assert "no terminal" in capsys.readouterr().err
    assert env.calls() == []


def test_the_operator_must_type_yes(env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert cli.main(_execute()) == 1
    assert "nothing was sent" in capsys.readouterr().err and env.calls() == []
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    assert cli.main(_execute()) == 0
    assert len(env.executions()) == 1


def test_dry_run_sends_nothing_even_without_credentials(ajo, monkeypatch, capsys):
    for name in ("AJO_CLIENT_ID", "AJO_CLIENT_SECRET", "AJO_ORG_ID", "AJO_SANDBOX"):
        monkeypatch.delenv(name, raising=False)
    code = cli.main(_execute("--context", "resetUrl=https://x.example.com", "--dry-run", "--format", "json"))
    out, _ = capsys.readouterr()
    assert code == 0
    doc = json.loads(out)
    assert doc["outcome"] == "dry-run" and doc["request"]["recipients"][0]["context"]["resetUrl"]
    assert ajo.calls() == []


@pytest.mark.parametrize(("extra", "reason"), [
    (["--context", "system=x"], "context.system is reserved"),
    (["--recipient", "email:JANE.DOE@example.com"], "must be unique"),
    (["--context", "blob=" + "x" * (200 * 1024)], "200 KB"),
])
def test_local_refusals_in_the_cli_make_no_call(env, capsys, extra, reason):
    assert cli.main(_execute(*extra, "--auto-approve")) == 1
    assert reason in capsys.readouterr().err
    assert env.calls() == []


def test_21_recipients_and_a_bad_campaign_id_make_no_call(env, capsys):
    many = [arg for i in range(21) for arg in ("--recipient", f"email:u{i}@example.com")]
    assert cli.main(["ajo", "execute", "--campaign-id", PASSWORD_RESET, *many, "--auto-approve"]) == 1
    assert "1 to 20 recipients" in capsys.readouterr().err
    assert cli.main(["ajo", "execute", "--campaign-id", "12345", "--recipient", "email:a@b.com",
                     "--auto-approve", "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["outcome"] == "invalid" and "is not a UUID" in err
    assert env.calls() == []


def test_server_refusal_shows_status_and_title(env, capsys):
    code = cli.main(["ajo", "execute", "--campaign-id", PASSWORD_RESET, "--recipient", "email:nobody@example.com",
                     "--auto-approve", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1
    doc = json.loads(out)
    assert doc["outcome"] == "refused" and doc["status"] == 400 and "not found" in doc["title"]
    assert "HTTP 400" in err


def test_drop_after_commit_is_outcome_unknown_exit_1_one_execution(env, capsys):
    env.set_faults(script=[{"path": UNITARY, "fault": "drop_after_commit"}])
    code = cli.main(_execute("--request-id", "lost-1", "--auto-approve", "--format", "json"))
    out, err = capsys.readouterr()
    assert code == 1
    assert json.loads(out)["outcome"] == "unknown" and "outcome unknown" in err and "lost-1" in err
    assert len(env.executions()) == 1
    assert len([c for c in env.calls() if c["path"] == UNITARY]) == 1


def test_audience_schedule_status_and_cancel(env, capsys):
    code = cli.main(["ajo", "execute", "--campaign-id", SPRING_NEWSLETTER, "--audience", "aud-spring-2026",
                     "--execute-at", "2099-03-01T08:00:00Z", "--context", "offer=SPRING", "--auto-approve",
                     "--format", "json"])
    out, _ = capsys.readouterr()
    assert code == 0
    schedule_id = json.loads(out)["response"]["scheduleId"]
    assert cli.main(["ajo", "status", "--schedule", schedule_id]) == 0
    assert "Scheduled" in capsys.readouterr().out
    assert cli.main(["ajo", "cancel", schedule_id]) == 1  # no terminal: refused
    assert env.schedules()[schedule_id]["scheduleStatus"] == "Scheduled"
    assert cli.main(["ajo", "cancel", schedule_id, "--auto-approve"]) == 0
    assert env.schedules() == {}
    capsys.readouterr()
    assert cli.main(["ajo", "status", "--schedule", schedule_id]) == 1
    assert "HTTP 404" in capsys.readouterr().err


def test_audience_run_now_and_its_status(env, capsys):
    assert cli.main(["ajo", "execute", "--campaign-id", SPRING_NEWSLETTER, "--audience", "aud-spring-2026",
                     "--auto-approve", "--format", "json"]) == 0
    execution_id = json.loads(capsys.readouterr().out)["response"]["executionId"]
    assert cli.main(["ajo", "status", execution_id, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["response"]["status"] == "Succeeded" and doc["response"]["targetedProfileCount"] == 1250


def test_missing_settings_name_the_variable(env, monkeypatch, capsys):
    monkeypatch.delenv("AJO_ORG_ID")
    assert cli.main(_execute("--auto-approve")) == 1
    assert "AJO_ORG_ID" in capsys.readouterr().err


def test_a_verbose_run_leaks_neither_the_secret_nor_the_token(make_ajo, monkeypatch, capsys, caplog):
    server = make_ajo(client_secret=SECRET)
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdin", Pipe(""))
    caplog.set_level(logging.DEBUG)
    server.set_faults(script=[{"path": UNITARY, "fault": "500"}])
    codes = [cli.main(["-vv", "ajo", "health"]),
             cli.main(["-vv", *_execute("--auto-approve", "--context", "resetUrl=https://x.example.com")])]
    codes.append(cli.main(["-vv", *_execute("--auto-approve", "--format", "json")]))
    out, err = capsys.readouterr()
    assert codes == [0, 0, 0]
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "POST /ajo/im/executions/unitary -> 500" in logged + err  # the run did log its calls
    tokens = server.issued_tokens()
    assert len(tokens) == 3  # one per run
    for haystack in (out, err, logged):
        assert SECRET not in haystack
        for token in tokens:
            assert token not in haystack
