"""The example GitHub Actions workflows (issue 9): safe enough to hold production credentials.

Every example workflow is parsed and checked: secrets only in the ``env:`` of steps that run
marketo-sync (never workflow- or job-level), every ``uses:`` pinned to a full 40-hex commit with
its version in a comment, least ``permissions:``, a ``concurrency:`` group for every job that
holds an environment's credentials, apply-on-merge that applies only the reviewed plan, a gated
production job, and every marketo-sync command line parses with the CLI's own parser.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from marketo_sync.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / "examples" / "github-workflows").glob("*.yml"))
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
SECRET_REF = re.compile(r"\$\{\{\s*secrets\.")
MARKETO_SYNC_ACTION = re.compile(r"^[A-Za-z0-9_.-]+/marketo-sync@")


def _load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _on(document: dict[str, Any]) -> Any:
    return document.get("on", document.get(True))  # PyYAML reads a bare `on` key as True


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def _commands(script: str) -> list[list[str]]:
    """``marketo-sync …`` lines of a shell script, cut at redirections and operators."""
    found = []
    for line in script.splitlines():
        line = line.strip()
        if not line.startswith("marketo-sync "):
            continue
        words = []
        for word in shlex.split(line):
            if word in (">", ">>", "|", "||", "&&", ";", "2>") or word.startswith((">", "2>")):
                break
            words.append(word)
        found.append(words[1:])
    return found


def _action_argv(step: dict[str, Any]) -> list[str]:
    """The command line the marketo-sync action builds from ``with:`` (as action.yml does)."""
    given = step.get("with") or {}
    argv = [str(given["command"])]
    if given.get("environment"):
        argv += ["--env", str(given["environment"])]
    return argv + shlex.split(re.sub(r"\$\{\{[^}]*\}\}", _filled, str(given.get("args", ""))))


def _filled(expression: re.Match[str]) -> str:
    """A value like the one an expression gives at run time (a checksum, the flags a plan needs)."""
    text = expression.group(0)
    if "checksum" in text:
        return "sha256:" + "0" * 64
    return "--allow-delete" if "flags" in text else "value"


def _runs_marketo_sync(step: dict[str, Any]) -> bool:
    return bool(MARKETO_SYNC_ACTION.match(str(step.get("uses", "")))) or "marketo-sync " in str(step.get("run", ""))


def _command_lines(document: dict[str, Any]) -> list[list[str]]:
    lines = []
    for job in document["jobs"].values():
        for step in _steps(job):
            if MARKETO_SYNC_ACTION.match(str(step.get("uses", ""))):
                lines.append(_action_argv(step))
            lines += _commands(str(step.get("run", "")))
    return lines


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_secrets_only_in_the_env_of_steps_that_run_marketo_sync(path: Path):
    document = _load(path)
    assert not SECRET_REF.search(yaml.safe_dump(document.get("env") or {})), "workflow-level secret"
    for name, job in document["jobs"].items():
        assert not SECRET_REF.search(yaml.safe_dump(job.get("env") or {})), f"job-level secret in {name}"
        for step in _steps(job):
            outside_env = {k: v for k, v in step.items() if k != "env"}
            assert not SECRET_REF.search(yaml.safe_dump(outside_env)), f"secret spliced into {step}"
            if SECRET_REF.search(yaml.safe_dump(step.get("env") or {})):
                assert _runs_marketo_sync(step), f"a step that does not run marketo-sync gets secrets: {step}"
                for value in step["env"].values():
                    if SECRET_REF.search(str(value)):
                        assert re.fullmatch(r"\$\{\{\s*secrets\.[A-Z0-9_]+\s*\}\}", str(value)), value


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_with_its_version(path: Path):
    document = _load(path)
    uses = [step["uses"] for job in document["jobs"].values() for step in _steps(job) if "uses" in step]
    assert uses
    for ref in uses:
        assert PINNED.match(ref), f"{path.name}: {ref} is not pinned to a 40-hex commit"
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.match(r"\s*(- )?uses: ", line):
            assert re.search(r"@[0-9a-f]{40}\s+#\s*v\S+", line), f"{path.name}: no version comment: {line}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_permissions_and_a_concurrency_group_per_environment(path: Path):
    document = _load(path)
    assert "permissions" in document, "top-level permissions (least: {} or read-only)"
    assert document["permissions"] in ({}, {"contents": "read"}), document["permissions"]
    for name, job in document["jobs"].items():
        holds_credentials = any(SECRET_REF.search(yaml.safe_dump(s.get("env") or {})) for s in _steps(job))
        if not holds_credentials:
            continue
        assert "permissions" in job, f"{name}: say which permissions the job needs"
        group = (job.get("concurrency") or {}).get("group") or (document.get("concurrency") or {}).get("group")
        assert group, f"{name}: a job with an instance's credentials needs a concurrency group"
        if job.get("environment") and str(job["environment"]).startswith(("sandbox", "production")):
            assert "marketo" in group


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_marketo_sync_command_parses(path: Path):
    parser = build_parser()
    lines = _command_lines(_load(path))
    assert lines
    for argv in lines:
        try:
            args = parser.parse_args(argv)
        except SystemExit as error:
            pytest.fail(f"{path.name}: `marketo-sync {' '.join(argv)}` does not parse ({error})")
        assert callable(args.run)


def _jobs_by_workflow() -> dict[str, dict[str, Any]]:
    return {p.name: _load(p) for p in WORKFLOWS}


def test_plan_on_pull_request_validates_forks_without_secrets_and_plans_only_same_repo():
    document = _jobs_by_workflow()["marketo-plan.yml"]
    assert "pull_request" in _on(document) and "pull_request_target" not in _on(document)
    validate, plan = document["jobs"]["validate"], document["jobs"]["plan"]
    assert "if" not in validate and not any(s.get("env") for s in _steps(validate))
    assert plan["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert ["validate", "--all-environments", "--format", "github"] in _command_lines({"jobs": {"v": validate}})
    scripts = " ".join(str(s.get("run", "")) for s in _steps(plan))
    assert "GITHUB_STEP_SUMMARY" in scripts and "show plan.json" in scripts  # the full plan
    assert any("updateComment" in str((s.get("with") or {}).get("script", "")) for s in _steps(plan))


def test_apply_on_merge_applies_only_the_reviewed_plan_and_production_is_gated():
    workflows = _jobs_by_workflow()
    merges = {name: doc for name, doc in workflows.items()
              if (_on(doc) or {}).get("push", {}).get("branches") == ["main"]}
    assert merges, "an apply-on-merge workflow"
    applies = [(name, job_name, job, argv) for name, doc in merges.items()
               for job_name, job in doc["jobs"].items()
               for argv in _command_lines({"jobs": {job_name: job}}) if argv[0] == "apply"]
    assert applies
    for _name, job_name, _job, argv in applies:
        reviewed = "--checksum" in argv or any(a.endswith(".json") and not a.startswith("-") for a in argv[1:])
        assert reviewed, f"{job_name} applies something nobody reviewed: {argv}"
    gated = [job for _, _, job, argv in applies if job.get("environment") == "production"]
    assert gated, "a production apply behind the `production` environment"


def test_scheduled_drift_tells_drift_from_a_broken_run():
    document = _jobs_by_workflow()["marketo-drift.yml"]
    assert "schedule" in _on(document)
    steps = _steps(document["jobs"]["drift"])
    script = next(str(s["with"]["script"]) for s in steps if "script" in (s.get("with") or {}))
    assert "EXITCODE === '0'" in script and "EXITCODE !== '2'" in script
    assert any(s.get("if") == "steps.drift.outputs.exitcode == '2'" for s in steps)
