"""Acceptance tests of `marketo-sync plan` against the emulator (real HTTP on 127.0.0.1).

The CLI runs in process (``cli.main``) with the connection taken from MARKETO_* variables
pointing at the fixture's emulator; calls are counted at the emulator.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import jsonschema
import pytest

from marketo_sync import cli
from marketo_sync.emulator.config import EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET
from marketo_sync.plan.plan import Plan

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "plan"
SCHEMA = json.loads((ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import plan_workload  # noqa: E402

ALL_ACTIONS = {"create", "clone", "replace", "update", "activate", "deactivate", "delete", "set-token",
               "delete-token"}


def base_url(server) -> str:
    return str(getattr(server, "base_url", None) or server.url)


@pytest.fixture
def run_plan(monkeypatch, tmp_path, capsys):
    """Run `marketo-sync plan` in a copy of a test repository against ``server``."""

    def run(server, repo: str | Path, *args: str) -> tuple[int, str, str]:
        source = repo if isinstance(repo, Path) else DATA / repo
        work = tmp_path / source.name
        if not work.exists():
            shutil.copytree(source, work)
        monkeypatch.chdir(work)
        monkeypatch.setenv("MARKETO_BASE_URL", base_url(server))
        monkeypatch.setenv("MARKETO_CLIENT_ID", EMULATOR_CLIENT_ID)
        monkeypatch.setenv("MARKETO_CLIENT_SECRET", EMULATOR_CLIENT_SECRET)
        monkeypatch.delenv("NO_COLOR", raising=False)
        capsys.readouterr()
        code = cli.main(["plan", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_every_action_kind_in_all_three_formats(emulator, run_plan):
    code, text, _ = run_plan(emulator, "all_actions", "--allow-replace")
    assert code == 0, text
    for marker in ("+ create", "+ clone", "± replace", "~ update", "▶ activate", "■ deactivate",
                   "- delete ", "~ set-token", "- delete-token"):
        assert marker in text, marker
    assert "\033[" not in text  # not a terminal: no colour
    assert "qualificationRuleType" in text and "Monthly Newsletter - December" in text  # drift, unmanaged

    code, markdown, _ = run_plan(emulator, "all_actions", "--allow-replace", "--format", "markdown")
    assert code == 0
    assert markdown.startswith("### marketo-sync plan")
    for action in ALL_ACTIONS:
        assert f"| {action} |" in markdown, action

    code, out, _ = run_plan(emulator, "all_actions", "--allow-replace", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document)) == []
    assert {c["action"] for c in document["changes"]} == ALL_ACTIONS
    assert [d["field"] for d in document["drift"]] == ["qualificationRuleType"]
    assert [u["campaign"]["name"] for u in document["unmanaged"]] == ["Monthly Newsletter - December"]
    replace = next(c for c in document["changes"] if c["action"] == "replace")
    assert replace["source"]["id"] == 2033 and replace["campaign"]["folder"] == "Marketing Activities/Webinars"
    assert document["summary"]["api"]["read_calls"] > 0


def test_replace_is_refused_without_allow_replace(emulator, run_plan):
    code, out, err = run_plan(emulator, "all_actions")
    assert code == 1
    assert out == ""
    assert "allow_replace" in err and "webinars.yaml, line" in err


def test_same_name_in_two_programs_planned_independently(emulator, run_plan):
    code, out, _ = run_plan(emulator, "same_name", "--format", "json")
    assert code == 0
    changes = {(c["campaign"]["id"], c["action"]): c for c in json.loads(out)["changes"]}
    assert set(changes) == {(2011, "update"), (2012, "deactivate")}
    assert changes[(2011, "update")]["after"] == {"description": "March confirmation"}
    assert changes[(2012, "deactivate")]["campaign"]["folder"].endswith("2026-05 Product Roadmap Webinar")


def test_no_changes_exit_codes(emulator, run_plan):
    code, out, _ = run_plan(emulator, "no_changes", "--detailed-exitcode")
    assert code == 0, out
    assert "No changes." in out
    # computedUrl changes host between reads and dates come as Z+0000: still no changes
    code, out, _ = run_plan(emulator, "no_changes", "--detailed-exitcode", "--format", "json")
    assert code == 0 and json.loads(out)["changes"] == []
    code, _, _ = run_plan(emulator, "same_name", "--detailed-exitcode")
    assert code == 2
    code, _, _ = run_plan(emulator, "same_name")
    assert code == 0


def test_out_saves_a_plan_with_observations(emulator, run_plan, tmp_path):
    target = tmp_path / "saved" / "plan.json"
    code, _, err = run_plan(emulator, "same_name", "--out", str(target))
    assert code == 0 and str(target) in err
    plan = Plan.from_json(target.read_text(encoding="utf-8"))
    observed = {o.id: o for o in plan.observations}
    assert set(observed) == {2011, 2012}
    assert observed[2011].fields["description"] == "Confirms the registration as soon as the form is filled out"
    assert observed[2011].updated_at and observed[2011].updated_at.endswith("+00:00")
    assert plan.instance and plan.changes


@pytest.mark.parametrize("case", sorted(p.name for p in (DATA / "invalid").iterdir()))
def test_invalid_files_fail_before_any_api_call(emulator, run_plan, case):
    code, out, err = run_plan(emulator, DATA / "invalid" / case)
    assert code == 1
    assert out == ""
    assert ".yaml" in err and "line" in err
    assert list(emulator.calls()) == []


def write_repo(root: Path, counts: list[int]) -> Path:
    """The workload as campaign files: one exclusive file per folder."""
    state = plan_workload.desired(counts)
    files: dict[str, list[str]] = {}
    for folder in state.folders:
        files[folder.location.file] = [f"folder: {folder.folder}", "managed: exclusive", "campaigns:"]
    for campaign in state.campaigns:
        files[campaign.location.file].append(f"  - {{name: {campaign.name}, description: benchmark}}")
    for name, lines in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("distribution", sorted(plan_workload.distributions()))
def test_call_count_bound(make_emulator, run_plan, tmp_path, distribution):
    counts = plan_workload.distributions()[distribution]
    server = make_emulator(seed=plan_workload.seed(counts))
    repo = write_repo(tmp_path / f"repo-{distribution}", counts)
    code, out, err = run_plan(server, repo, "--format", "json", "--detailed-exitcode")
    assert code == 0, err
    calls = len(list(server.calls()))
    assert 0 < calls <= plan_workload.bound(), f"{distribution}: {calls} calls"
    assert json.loads(out)["summary"]["api"]["read_calls"] <= calls
