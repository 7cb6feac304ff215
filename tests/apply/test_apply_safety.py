"""Issue 15: one apply at a time, fast and honest stops, signals, the concurrency cap.

Against emulators on 127.0.0.1: an in-process :class:`EmulatorServer` is the "external"
instance of an apply run as a separate process (``python -m marketo_sync apply``); the
embedded case runs the emulator inside each process. Overlap is made certain by stopping
the first process (SIGSTOP) once its journal exists, never by sleeping.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from apply_workload import declared, duplicates_and_counts, write_repo

from marketo_sync import cli
from marketo_sync.apply.journal import journals, read_journal
from marketo_sync.emulator import EmulatorServer
from marketo_sync.emulator.config import EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET
from marketo_sync.errors import LockHeld
from marketo_sync.workflows.lock import hold

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGNS = 30  # clone + activate each: 60 changes


def environment(base_url: str) -> dict[str, str]:
    return {"MARKETO_BASE_URL": base_url, "MARKETO_CLIENT_ID": EMULATOR_CLIENT_ID,
            "MARKETO_CLIENT_SECRET": EMULATOR_CLIENT_SECRET, "NO_COLOR": "1"}


def start_apply(repo: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    full = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "marketo_sync", "apply", "--auto-approve", *args], cwd=repo,
                            env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_journal(state: Path, process: subprocess.Popen[str], *, applied: int = 0,
                     timeout: float = 60.0) -> Path:
    """The run's journal once it exists (and holds ``applied`` applied changes): polling a
    condition with a bound, not waiting for time to pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        found = journals(state)
        if found:
            try:
                if read_journal(found[-1]).header and read_journal(found[-1]).counts()["applied"] >= applied:
                    return found[-1]
            except OSError:
                pass
        time.sleep(0.01)
    raise AssertionError(f"no journal with {applied} applied changes (exit {process.poll()})")


def check_converged(backend, count: int = CAMPAIGNS) -> None:
    dupes, found = duplicates_and_counts(backend, count)
    assert dupes == []
    assert found == {key: len(names) for key, names in declared(count).items()}


def use(monkeypatch, repo: Path, env: dict[str, str]) -> None:
    monkeypatch.chdir(repo)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


# -- 1. the lock ----------------------------------------------------------------------------

def test_second_apply_is_refused_while_one_runs_against_an_external_emulator(make_emulator, tmp_path,
                                                                             monkeypatch, capsys):
    server = make_emulator(rate_limit="100/1")
    repo = write_repo(tmp_path / "repo", CAMPAIGNS, calls=100, window=1)
    env = environment(server.base_url)
    first = start_apply(repo, env)
    try:
        wait_for_journal(repo / ".marketo-sync", first)
        first.send_signal(signal.SIGSTOP)  # certainly still running while the second starts
        use(monkeypatch, repo, env)
        capsys.readouterr()
        assert cli.main(["apply", "--auto-approve"]) == 1
        err = capsys.readouterr().err
        assert f"another apply is in progress (pid {first.pid} on " in err and ", since 20" in err
        assert "lock file" in err and "Traceback" not in err
    finally:
        first.send_signal(signal.SIGCONT)
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    writes = [c for c in server.calls() if c["method"] == "POST" and c["kind"] == "api"]
    assert len(writes) == 2 * CAMPAIGNS  # every write is the first run's
    # the refused run never even asked for a token (every call needs one): it made no call at all
    assert sum(1 for c in server.calls() if c["path"] == "/identity/oauth/token") == 1
    check_converged(server.backend)
    assert cli.main(["plan", "--detailed-exitcode"]) == 0


def test_second_apply_is_refused_on_the_embedded_emulator_and_nothing_is_lost(tmp_path, monkeypatch, capsys):
    repo = write_repo(tmp_path / "repo", CAMPAIGNS, calls=100, window=1)
    (repo / "marketo-sync.yaml").write_text(
        "campaigns: campaigns\nlimits: {rate_limit: 100, window: 1}\n"
        "environments:\n  emu: {emulator: {seed: instance.yaml}}\n", encoding="utf-8")
    (repo / "instance.yaml").write_bytes((ROOT / "examples" / "instance.yaml").read_bytes())
    (repo / "other").mkdir()
    (repo / "other" / "extra.yaml").write_text(
        "folder: Marketing Activities/Operational\ncampaigns:\n  - name: Extra From The Refused Run\n",
        encoding="utf-8")
    first = start_apply(repo, {"NO_COLOR": "1"})
    try:
        wait_for_journal(repo / ".marketo-sync", first)
        first.send_signal(signal.SIGSTOP)
        state = repo / ".marketo-sync" / "emulator-state.json"
        before = state.read_bytes()
        monkeypatch.chdir(repo)
        capsys.readouterr()
        assert cli.main(["apply", "--auto-approve", "--campaigns", "other"]) == 1
        err = capsys.readouterr().err
        assert f"another apply is in progress (pid {first.pid} on " in err
        assert state.read_bytes() == before  # the refused run wrote nothing, not even a token
    finally:
        first.send_signal(signal.SIGCONT)
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    capsys.readouterr()
    assert cli.main(["plan", "--campaigns", "campaigns", "--campaigns", "other", "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert [(c["action"], c["campaign"]["name"]) for c in plan["changes"]] == [
        ("create", "Extra From The Refused Run")]  # all 60 changes of the first run were kept


def test_a_stale_lock_is_taken_over_with_a_notice_and_a_live_one_refused(tmp_path):
    state = tmp_path / ".marketo-sync"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    pid = int(gone.stdout)
    (state / "locks").mkdir(parents=True)
    (state / "locks" / "host.example.lock").write_text(json.dumps(
        {"pid": pid, "host": "ci-1", "command": "apply", "since": "2026-01-01T00:00:00+00:00"}))
    with hold(state, "host.example", command="apply") as holding:
        assert f"took over a stale lock of apply (pid {pid} on ci-1" in holding.took_over
        assert "no longer running" in holding.took_over
    with hold(state, "host.example", command="apply") as holding:
        assert holding.took_over == ""  # released cleanly: nothing stale left behind

    code = ("import sys; from pathlib import Path; from marketo_sync.workflows.lock import hold\n"
            "with hold(Path(sys.argv[1]), 'host.example', command='trigger'):\n"
            "    print('held', flush=True); sys.stdin.readline()\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(state)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld, match=rf"another trigger is in progress \(pid {holder.pid} on "):
            with hold(state, "host.example", command="apply"):
                pass
    finally:
        holder.communicate("\n", timeout=30)


# -- 2. stop classes ------------------------------------------------------------------------

def start_emulator(state: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    """``marketo-sync emulator`` as its own process (so that it can die as a real instance does)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "marketo_sync", "emulator", "--port", "0", "--seed",
         str(ROOT / "examples" / "instance.yaml"), "--state", str(state), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    first = process.stdout.readline()
    assert first.startswith("Marketo emulator listening on "), process.stderr.read()
    return process, first.split()[-1]


def test_dead_instance_stops_the_run_with_a_receipt_and_a_footer(tmp_path, monkeypatch, capsys):
    """The emulator process is killed after 10 applied changes of 60. Retries are shortened here
    (the default policy's stop time is measured by benchmarks/bench_apply_safety.py)."""
    from marketo_sync.client import core
    from marketo_sync.client.retry import RetryPolicy
    from marketo_sync.workflows import apply as apply_workflow

    state = tmp_path / "state.json"
    emulator, url = start_emulator(state, "--rate-limit", "100/1")
    repo = write_repo(tmp_path / "repo", CAMPAIGNS, calls=100, window=1)
    use(monkeypatch, repo, environment(url))
    monkeypatch.setattr(core, "RetryPolicy", lambda: RetryPolicy(attempts=3, initial=0.05, max_wait=0.1, jitter=0))
    original = apply_workflow.Applier
    killed: list[float] = []

    class KillAfterTen(original):  # the instance dies once ten changes have been applied
        def _finish(self, outcome):
            super()._finish(outcome)
            if sum(1 for o in self.outcomes.values() if o.status == "applied") >= 10 and not killed:
                killed.append(time.monotonic())
                emulator.kill()
                emulator.wait(timeout=30)

    monkeypatch.setattr(apply_workflow, "Applier", KillAfterTen)
    try:
        capsys.readouterr()
        code = cli.main(["apply", "--auto-approve", "--format", "json"])
        elapsed = time.monotonic() - killed[0]
        out, err = capsys.readouterr()
    finally:
        emulator.kill()
        emulator.communicate(timeout=30)
    assert code == 1 and "Traceback" not in err
    assert elapsed < 120, elapsed
    receipt = json.loads(out)
    assert "the instance is unreachable" in receipt["stopped"]
    assert receipt["verification"] == {"checked": 0, "differences": []}
    summary = receipt["summary"]
    assert summary["applied"] >= 10 and summary["skipped"] > 0 and summary["total"] == 2 * CAMPAIGNS
    assert all(c["message"].startswith("not applied") for c in receipt["changes"] if c["status"] == "skipped")
    journal = read_journal(receipt["journal"])
    assert journal.complete and "unreachable" in journal.footer["stopped"]

    monkeypatch.setattr(apply_workflow, "Applier", original)
    again, url = start_emulator(state, "--rate-limit", "100/1")
    try:
        use(monkeypatch, repo, environment(url))
        assert cli.main(["apply", "--auto-approve"]) == 0, capsys.readouterr()
    finally:
        again.send_signal(signal.SIGINT)
        again.communicate(timeout=30)
    check_converged(EmulatorServer(seed_path=ROOT / "examples" / "instance.yaml", state_path=state).backend)


def test_spent_quota_stops_at_once_without_verification_reads(make_emulator, tmp_path, monkeypatch, capsys):
    server = make_emulator(rate_limit="100/1", daily_quota=40)
    repo = write_repo(tmp_path / "repo", CAMPAIGNS, calls=100, window=1)
    use(monkeypatch, repo, environment(server.base_url))
    capsys.readouterr()
    assert cli.main(["apply", "--auto-approve", "--format", "json"]) == 1
    receipt = json.loads(capsys.readouterr().out)
    assert "daily API quota is used up" in receipt["stopped"]
    assert receipt["verification"]["differences"] == [] and receipt["verification"]["checked"] == 0
    calls = [c for c in server.calls() if c["kind"] == "api"]
    first_607 = next(i for i, c in enumerate(calls) if c["code"] == "607")
    after = calls[first_607 + 1:]
    in_flight = 5 - 1  # the default client concurrency: calls already on the wire may still arrive
    assert len(after) <= in_flight, after
    assert all(c["code"] == "607" for c in after)
    statuses = Counter(c["status"] for c in receipt["changes"])
    assert statuses["applied"] > 0 and statuses["skipped"] > 0
    assert journal_footer(receipt)["stopped"].startswith("the daily API quota")


def journal_footer(receipt):
    return read_journal(receipt["journal"]).footer


# -- 4. signals -----------------------------------------------------------------------------

def test_sigterm_writes_the_footer_prints_the_receipt_and_exits_143(make_emulator, tmp_path, monkeypatch, capsys):
    server = make_emulator(rate_limit="100/1", latency_ms=30)
    repo = write_repo(tmp_path / "repo", CAMPAIGNS, calls=100, window=1)
    env = environment(server.base_url)
    process = start_apply(repo, env)
    try:
        journal = wait_for_journal(repo / ".marketo-sync", process, applied=5)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143, err
    assert "Apply: " in out and "Stopped early: interrupted (SIGTERM)" in out
    assert "Terminated (SIGTERM)." in err and "Traceback" not in err
    contents = read_journal(journal)
    assert contents.complete and contents.footer["interrupted"] is True
    assert 5 <= contents.counts()["applied"] < 2 * CAMPAIGNS

    use(monkeypatch, repo, env)
    assert cli.main(["apply", "--auto-approve"]) == 0
    check_converged(server.backend)


# -- 5. the concurrency cap -----------------------------------------------------------------

def test_the_concurrency_cap_is_learned_after_the_first_615(make_emulator, tmp_path, monkeypatch, capsys, caplog):
    server = make_emulator(rate_limit="100/1", concurrency=2, latency_ms=20)
    repo = write_repo(tmp_path / "repo", CAMPAIGNS, calls=100, window=1, concurrency=8)
    use(monkeypatch, repo, environment(server.base_url))
    capsys.readouterr()
    assert cli.main(["-v", "apply", "--auto-approve"]) == 0
    busy = [c for c in server.calls() if c["code"] == "615"]
    assert 0 < len(busy) <= 8, len(busy)
    told = [r for r in caplog.records if "keeping at most" in r.getMessage() and r.levelno == logging.INFO]
    assert len(told) == 1  # logged once at -v
    check_converged(server.backend)
