"""examples/github-workflows/marketo-promote.yml: sandbox on merge, then the same commit to
production behind the `production` environment's approval, with `compare` before and after."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from marketo_sync.cli import build_parser

WORKFLOW = Path(__file__).resolve().parents[2] / "examples" / "github-workflows" / "marketo-promote.yml"
ALLOWED_ACTIONS = {"actions/checkout", "actions/setup-python", "actions/upload-artifact", "actions/github-script"}


def workflow() -> dict[str, Any]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def commands(job: dict[str, Any]) -> list[list[str]]:
    """Every `marketo-sync …` command of a job's scripts, in order, cut at redirections."""
    found = []
    for step in job["steps"]:
        for line in step.get("run", "").splitlines():
            if line.strip().startswith("marketo-sync "):
                words = shlex.split(line.strip())
                cut = next((i for i, w in enumerate(words) if w.startswith((">", "|", "&&", ";"))), len(words))
                found.append(words[1:cut])
    return found


def test_every_command_parses_and_the_order_is_the_promotion() -> None:
    jobs = workflow()["jobs"]
    parser = build_parser()
    for job in jobs.values():
        for argv in commands(job):
            assert callable(parser.parse_args(argv).run), argv
    assert [c[:3] for c in commands(jobs["sandbox"])] == [
        ["validate", "--all-environments"], ["apply", "--env", "sandbox"]]
    production = [c[0] for c in commands(jobs["production"])]
    assert production == ["compare", "plan", "apply", "compare"]
    assert commands(jobs["production"])[2][:3] == ["apply", "production-plan.json", "--env"]


def test_production_waits_for_sandbox_and_its_approval_on_the_same_commit() -> None:
    jobs = workflow()["jobs"]
    assert jobs["production"]["needs"] == "sandbox"
    assert jobs["production"]["environment"] == "production"
    for job in jobs.values():
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["ref"] == "${{ github.sha }}"
    after = next(s for s in jobs["production"]["steps"] if s.get("name", "").startswith("Compare after"))
    assert 'if [ "$code" -ne 0 ]' in after["run"]  # production must match sandbox afterwards


def test_only_allowed_actions_and_secrets_only_as_references() -> None:
    document = workflow()
    for job in document["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                action, _, version = step["uses"].partition("@")
                assert action in ALLOWED_ACTIONS and re.fullmatch(r"[0-9a-f]{40}", version), step["uses"]
        for name, value in [*job.get("env", {}).items(),
                            *(item for step in job["steps"] for item in step.get("env", {}).items())]:
            if re.search(r"SECRET|CLIENT_ID|BASE_URL", name):
                assert re.fullmatch(r"\$\{\{ secrets\.[A-Z0-9_]+ \}\}", value), name
    assert "secrets." not in "".join(s.get("run", "") for j in document["jobs"].values() for s in j["steps"])
