"""Issue 15 item 3: the quota guard (``limits.daily_quota``, ``safety.max_daily_share``).

Against an in-process emulator: an apply whose calls exceed the allowed share of the day's
quota is refused before any write without ``--force`` and applied with it; ``plan`` shows
the share; today's usage from ``stats/usage.json`` (read once) is counted in, and an instance
without that endpoint is applied without it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from marketo_sync import cli
from marketo_sync.emulator.config import EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET

FOLDER = "Marketing Activities/Operational"
USAGE = "/rest/v1/stats/usage.json"


def write_repo(root: Path, creates: int, *, daily_quota: int) -> Path:
    """``creates`` new campaigns in one folder, client limits matching a 100/1 s emulator."""
    (root / "campaigns").mkdir(parents=True)
    (root / "marketo-sync.yaml").write_text(
        "campaigns: campaigns\n"
        f"limits: {{rate_limit: 100, window: 1, concurrency: 5, daily_quota: {daily_quota}}}\n"
        "environments:\n  test: {}\n", encoding="utf-8")
    lines = [f"folder: {FOLDER}", "managed: additive", "campaigns:"]
    lines += [f"  - name: Bulk {n:03d}" for n in range(creates)]
    (root / "campaigns" / "bulk.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def connect(monkeypatch, repo: Path, server) -> None:
    monkeypatch.chdir(repo)
    for name, value in {"MARKETO_BASE_URL": server.base_url, "MARKETO_CLIENT_ID": EMULATOR_CLIENT_ID,
                        "MARKETO_CLIENT_SECRET": EMULATOR_CLIENT_SECRET, "NO_COLOR": "1"}.items():
        monkeypatch.setenv(name, value)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def writes(server) -> list[dict]:
    return [c for c in server.calls() if c.get("kind") == "api" and c["method"] == "POST"]


def bulk_count(server) -> int:
    rows = server.backend.browse_campaigns(folder=(1104, "Folder"), max_return=200, offset=0)
    rows += server.backend.browse_campaigns(folder=(1104, "Folder"), max_return=200, offset=200)
    return sum(1 for r in rows if r["name"].startswith("Bulk "))


def test_apply_over_the_daily_share_is_refused_without_force_and_applied_with_it(make_emulator, tmp_path,
                                                                                 monkeypatch, capsys):
    server = make_emulator(rate_limit="100/1")
    connect(monkeypatch, write_repo(tmp_path / "repo", 300, daily_quota=400), server)

    code, out, err = run(capsys, "apply", "--auto-approve")
    assert code == 1
    assert "of the daily quota of 400 (limits.daily_quota)" in err
    assert "at most 50% (safety.max_daily_share) without --force" in err
    assert "Traceback" not in err
    assert writes(server) == []  # refused before any write
    assert bulk_count(server) == 0

    code, out, err = run(capsys, "apply", "--auto-approve", "--force")
    assert code == 0, err
    assert bulk_count(server) == 300
    # one usage read, by the refused run: with --force the guard is off and reads nothing
    assert len([c for c in server.calls() if c["path"] == USAGE]) == 1
    code, out, err = run(capsys, "plan", "--detailed-exitcode")
    assert code == 0, out + err  # converged


def test_plan_shows_the_share_of_the_daily_quota(make_emulator, tmp_path, monkeypatch, capsys):
    server = make_emulator(rate_limit="100/1")
    connect(monkeypatch, write_repo(tmp_path / "repo", 300, daily_quota=400), server)

    code, out, err = run(capsys, "plan")
    assert code == 0, err
    cost = next(line for line in out.splitlines() if line.startswith("API cost:"))
    assert "of the daily quota of 400 calls" in cost
    share = float(cost.rsplit("; ", 1)[1].split("%")[0])
    assert share > 75  # 300 writes and their verification reads of 400

    code, out, err = run(capsys, "plan", "--format", "markdown")
    assert "of the daily quota of 400 calls" in out
    assert "**Apply will need** `--force` (it refuses the plan without them)." in out  # over the share

    code, out, err = run(capsys, "plan", "--format", "json")
    api = json.loads(out)["summary"]["api"]
    assert api["daily_quota"] == 400
    assert api["daily_share"] == round(api["apply_calls"] / 400, 6)
    assert round(api["daily_share"] * 100) == round(share)
    assert [c for c in server.calls() if c["path"] == USAGE] == []  # plan does not read the usage


def test_todays_usage_is_read_once_and_counted_in(make_emulator, tmp_path, monkeypatch, capsys, caplog):
    server = make_emulator(rate_limit="100/1")
    connect(monkeypatch, write_repo(tmp_path / "repo", 100, daily_quota=1000), server)
    server.set_faults(used_today=450)  # other integrations: with ~100 of ours, over 500 of 1,000

    code, out, err = run(capsys, "apply", "--auto-approve")
    assert code == 1
    usage_calls = [c for c in server.calls() if c["path"] == USAGE]
    assert len(usage_calls) == 1
    assert "already used today (stats/usage.json)" in err
    assert "of the daily quota of 1,000 (limits.daily_quota)" in err
    used = int(err.split(" with ")[1].split(" already")[0].replace(",", ""))
    assert used > 450  # the instance's count: theirs, our plan's reads and the usage call
    assert writes(server) == []

    # The same run without the usage count is well under 50%: applied.
    server.set_faults(used_today=0)
    code, out, err = run(capsys, "apply", "--auto-approve")
    assert code == 0, err
    assert len([c for c in server.calls() if c["path"] == USAGE]) == 2  # one per run
    assert bulk_count(server) == 100


def test_an_instance_without_the_usage_endpoint_is_guarded_by_the_runs_own_calls(make_emulator, tmp_path,
                                                                                  monkeypatch, capsys, caplog):
    server = make_emulator(rate_limit="100/1", no_usage_api=True)
    connect(monkeypatch, write_repo(tmp_path / "repo", 20, daily_quota=1000), server)
    server.set_faults(used_today=900)  # not visible: the endpoint answers 610

    with caplog.at_level(logging.INFO, logger="marketo_sync"):
        code, out, err = run(capsys, "apply", "--auto-approve", "-v")
    assert code == 0, err
    assert "today's API usage is not counted in the quota guard: stats/usage.json answered 610 " \
           "(not offered)" in caplog.text
    assert bulk_count(server) == 20


def test_the_emulator_serves_todays_usage_in_adobes_record_shape(emulator, api):
    emulator.set_faults(used_today=7)
    body = api.get(USAGE)
    assert body["success"] is True
    (record,) = body["result"]
    assert set(record) == {"date", "total", "users"}
    assert record["date"].endswith("T00:00:00Z")
    assert record["total"] == 8  # the 7 set, and this call (it costs one)
    assert record["users"] == [{"userId": "apis@emulator.example.com", "count": 8}]
