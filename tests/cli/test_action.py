"""The reusable pieces for campaign repositories (issue 9): ``action.yml`` and the pre-commit hook.

The action's ``run`` step is executed here exactly as written in ``action.yml`` (bash, with the
inputs in the environment variables GitHub sets), against the emulator; the hook is exercised
through ``pre-commit try-repo`` (slow: it builds the hook's environment from the package index).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OPERATIONAL = "Marketing Activities/Operational"


def _action() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _step(step_id: str) -> dict[str, Any]:
    return next(s for s in _action()["runs"]["steps"] if s.get("id") == step_id)


def run_action(tmp_path: Path, project: Path, env: dict[str, str], **inputs: str) -> tuple[int, str, str]:
    """The action's ``run`` step, run by bash as the runner would; returns (code, exitcode output, log)."""
    step = _step("run")
    github_output = tmp_path / "github_output"
    github_output.write_text("", encoding="utf-8")
    variables = {**os.environ, **env, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
                 "GITHUB_OUTPUT": str(github_output)}
    for name, value in step["env"].items():  # ${{ inputs.x }} -> the input's value
        found = re.fullmatch(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", str(value))
        variables[name] = inputs.get(found.group(1), "") if found else str(value)
    process = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=project, env=variables,
                             capture_output=True, text=True, timeout=120)
    return process.returncode, github_output.read_text(encoding="utf-8"), process.stdout + process.stderr


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "campaigns").mkdir(parents=True)
    (root / "campaigns" / "operational.yaml").write_text(
        f"folder: {OPERATIONAL}\nmanaged: exclusive\ncampaigns:\n  - name: Score - Web Visit\n    active: false\n"
        "  - name: Legacy Lead Routing\n", encoding="utf-8")
    return root


def test_the_action_has_the_documented_inputs_and_pins_what_it_uses():
    action = _action()
    assert {"command", "environment", "args"} <= set(action["inputs"])
    assert action["runs"]["using"] == "composite"
    assert "exitcode" in action["outputs"]
    for step in action["runs"]["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
        for value in (step.get("run") or "",):
            assert "${{" not in value, "inputs reach the shell through env only"
    assert _step("install")["run"] == 'python -m pip install --quiet "$MARKETO_SYNC_SOURCE"'


def test_the_action_runs_the_command_and_reports_2_as_an_output_not_a_failure(emulator, tmp_path):
    env = {"MARKETO_BASE_URL": emulator.base_url, "MARKETO_CLIENT_ID": emulator.client_id,
           "MARKETO_CLIENT_SECRET": emulator.client_secret}
    project = _project(tmp_path)
    code, output, log = run_action(
        tmp_path, project, env, command="plan",
        args=f"--format json --detailed-exitcode --target '{OPERATIONAL}/Score - Web Visit'", output="plan.json")
    assert code == 0, log
    assert output == "exitcode=2\n"
    import json

    changes = json.loads((project / "plan.json").read_text(encoding="utf-8"))["changes"]
    assert [(c["action"], c["campaign"]["name"]) for c in changes] == [("deactivate", "Score - Web Visit")]
    assert emulator.client_secret not in log

    code, output, log = run_action(tmp_path, project, env, command="plan", args="--no-such-flag")
    assert code == 1 and output == "exitcode=1\n" and "::error title=marketo-sync plan::exit 1" in log

    code, output, _ = run_action(tmp_path, project, env, command="validate", environment="default",
                                 args="--format github")
    assert code == 0 and output == "exitcode=0\n"


def test_the_pre_commit_hook_definition_and_its_entry(tmp_path):
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "marketo-sync-validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("campaigns/webinars.yaml") and files.search("marketo-sync.yaml")
    assert not files.search("README.md") and not files.search("docs/campaigns.md")
    entry = hook["entry"].split()
    assert entry[0] == "marketo-sync"
    project = _project(tmp_path)
    run = [str(BIN / entry[0]), *entry[1:]]
    assert subprocess.run(run, cwd=project, capture_output=True, timeout=60).returncode == 0
    (project / "campaigns" / "bad.yaml").write_text(f"folder: {OPERATIONAL}\ncampaigns:\n  - name: A, B\n",
                                                    encoding="utf-8")
    failed = subprocess.run(run, cwd=project, capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1 and "campaigns/bad.yaml, line 3" in failed.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None or not (BIN / "pre-commit").exists(),
                    reason="needs git and pre-commit (the test extras)")
def test_pre_commit_try_repo_runs_the_hook(tmp_path):
    project = _project(tmp_path)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=env)
    (project / "campaigns" / "bad.yaml").write_text(f"folder: {OPERATIONAL}\ncampaigns:\n  - name: A, B\n",
                                                    encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=project, check=True, env=env)
    command = [str(BIN / "pre-commit"), "try-repo", str(ROOT), "marketo-sync-validate", "--all-files"]
    failed = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300, env=env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "campaigns/bad.yaml, line 3" in failed.stdout
    (project / "campaigns" / "bad.yaml").unlink()
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    passed = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300, env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
