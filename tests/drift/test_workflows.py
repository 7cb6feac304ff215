"""The GitHub Actions workflows: every `marketo-sync` command they run exists with those flags,
only the allowed actions are used (pinned to a major version), and no secret is inlined."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from marketo_sync.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = [ROOT / "examples" / "github-workflows" / "marketo-plan.yml",
             ROOT / "examples" / "github-workflows" / "marketo-drift.yml"]
ALLOWED_ACTIONS = {"actions/checkout", "actions/setup-python", "actions/upload-artifact", "actions/github-script"}
SECRET_NAMES = re.compile(r"(SECRET|CLIENT_ID|BASE_URL|TOKEN|PASSWORD|API_KEY)", re.IGNORECASE)
SECRET_REF = re.compile(r"^\$\{\{\s*secrets\.[A-Z0-9_]+\s*\}\}$")


def _load(path: Path) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); accept either.
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"].values() for step in job["steps"]]


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


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_marketo_sync_command_parses(path: Path):
    parser = build_parser()
    scripts = [step["run"] for step in _steps(_load(path)) if "run" in step]
    commands = [c for script in scripts for c in _commands(script)]
    mentions = sum(len(re.findall(r"(?m)^\s*marketo-sync\s", script)) for script in scripts)
    assert commands and len(commands) == mentions
    for argv in commands:
        try:
            args = parser.parse_args(argv)
        except SystemExit as error:  # argparse exits on unknown commands or flags
            pytest.fail(f"{path.name}: `marketo-sync {' '.join(argv)}` does not parse ({error})")
        assert callable(args.run)
    names = {argv[0] for argv in commands}
    assert names == ({"validate", "plan"} if path.name == "marketo-plan.yml" else {"drift"})


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_only_allowed_actions_pinned_to_a_major_version(path: Path):
    for step in _steps(_load(path)):
        if "uses" in step:
            action, _, version = step["uses"].partition("@")
            assert action in ALLOWED_ACTIONS, step["uses"]
            assert re.fullmatch(r"v\d+", version), step["uses"]


def _walk(node: Any, path: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")
    else:
        yield path, node


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_secret_is_inlined(path: Path):
    document = _load(path)
    env_values = 0
    for where, value in _walk(document):
        key = where.rsplit(".", 1)[-1]
        if ".env." in where + "." and SECRET_NAMES.search(key):
            assert isinstance(value, str) and SECRET_REF.match(value), f"{where} must be ${{{{ secrets.… }}}}"
            env_values += 1
        if isinstance(value, str) and "secrets." in value:
            # Secrets reach commands only through env, never expanded into a script or an argument.
            assert SECRET_REF.match(value.strip()) and ".env." in where + ".", where
    assert env_values == 3  # base URL, client id, client secret of one environment
    text = path.read_text(encoding="utf-8")
    assert "emulator-secret" not in text and "client_secret=" not in text.lower()


def test_environments_match_the_example_project():
    plan = _load(WORKFLOWS[0])["jobs"]["plan"]["env"]
    drift = _load(WORKFLOWS[1])["jobs"]["drift"]["env"]
    assert all(k.startswith("MARKETO_SANDBOX_") for k in plan if SECRET_NAMES.search(k))
    assert all(k.startswith("MARKETO_PRODUCTION_") for k in drift if SECRET_NAMES.search(k))
    project = yaml.safe_load((ROOT / "marketo-sync.yaml").read_text(encoding="utf-8"))
    assert project["environments"]["sandbox"]["env_prefix"] == "MARKETO_SANDBOX_"
    assert project["environments"]["production"]["env_prefix"] == "MARKETO_PRODUCTION_"
