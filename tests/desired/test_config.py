"""Project file: environments, limits, defaults; errors placed; credentials refused, never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketo_sync.config import EmbeddedEmulator, Environment, Limits, Safety, load_project
from marketo_sync.errors import ConfigError

DATA = Path(__file__).resolve().parents[1] / "data" / "desired"
ROOT = Path(__file__).resolve().parents[2]


def test_project_file_values():
    project = load_project(DATA / "valid" / "marketo-sync.yaml")
    root = DATA / "valid"
    assert project.root == root and project.file == root / "marketo-sync.yaml"
    assert project.campaign_paths == (root / "campaigns",)
    assert project.state_dir == root / ".marketo-sync"
    assert project.limits == Limits(40, 10.0, 3) and project.safety == Safety(0.5, 4)
    assert sorted(project.environments) == ["emulator", "production", "sandbox"]
    sandbox = project.environment()
    assert sandbox.name == "sandbox" and sandbox.env_prefix == "MARKETO_SANDBOX_"
    assert dict(sandbox.variables) == {"webinars": "Marketing Activities/Webinars", "year": "2026",
                                       "price": "1.50"}
    emulator = project.environment("emulator")
    assert emulator == Environment("emulator", "MARKETO_", {}, EmbeddedEmulator(
        "examples/instance.yaml", ".marketo-sync/emulator-state.json"))


def test_unknown_environment_lists_the_known_ones():
    project = load_project(DATA / "valid" / "marketo-sync.yaml")
    with pytest.raises(ConfigError, match=r"unknown environment 'staging' .*emulator, production, sandbox"):
        project.environment("staging")


def test_no_project_file_is_the_current_directory(tmp_path):
    project = load_project(cwd=tmp_path)
    assert project.file is None and project.root == tmp_path
    assert project.campaign_paths == (tmp_path / "campaigns",)
    assert project.environment() == Environment("default", "MARKETO_")
    assert project.limits == Limits() and project.safety == Safety()


def test_project_file_found_in_the_current_directory(tmp_path):
    (tmp_path / "marketo-sync.yaml").write_text("campaigns: [a, 'b/*.yaml']\nenvironments: {only: {}}\n")
    project = load_project(cwd=tmp_path)
    assert project.campaign_paths == (tmp_path / "a", tmp_path / "b/*.yaml")
    assert project.environment().name == "only"   # the only environment is the default


def test_missing_project_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_project(tmp_path / "nope.yaml")


def test_credentials_and_other_errors_all_reported_without_the_secret():
    path = DATA / "project_credentials" / "marketo-sync.yaml"
    with pytest.raises(ConfigError) as caught:
        load_project(path)
    reasons = caught.value.reasons  # type: ignore[attr-defined]
    assert [r.rsplit(", line ", 1)[1] for r in reasons] == [
        "4, column 5)", "7, column 5)", "8, column 22)", "9, column 22)"]
    assert reasons[0].startswith("environments.sandbox.client_secret: credentials are never read from files: "
                                 "remove 'client_secret' and set the environment variable "
                                 "MARKETO_SANDBOX_CLIENT_SECRET instead")
    assert reasons[0].endswith(f"({path}, line 4, column 5)")
    assert "MARKETO_BASE_URL" in reasons[1] and reasons[1].startswith("environments.production.base_url:")
    assert reasons[2].startswith("limits.rate_limit: must be at most 100, not 500")
    assert reasons[3].startswith("default_environment: unknown environment 'staging' (defined: production, sandbox)")
    assert "s3cr3t" not in str(caught.value) and "123-ABC" not in str(caught.value)


def test_unknown_default_environment(tmp_path):
    (tmp_path / "marketo-sync.yaml").write_text("default_environment: staging\nenvironments: {a: {}, b: {}}\n")
    with pytest.raises(ConfigError) as caught:
        load_project(cwd=tmp_path)
    assert caught.value.reasons == [  # type: ignore[attr-defined]
        f"default_environment: unknown environment 'staging' (defined: a, b) "
        f"({tmp_path / 'marketo-sync.yaml'}, line 1, column 22)"]


def test_no_default_among_several_environments(tmp_path):
    (tmp_path / "marketo-sync.yaml").write_text("environments: {a: {}, b: {}}\n")
    with pytest.raises(ConfigError, match="choose an environment with --env"):
        load_project(cwd=tmp_path).environment()


def test_bad_yaml_in_project_file_does_not_echo_the_line(tmp_path):
    (tmp_path / "marketo-sync.yaml").write_text("environments:\n  a: {variables: {k: hunter2\n")
    with pytest.raises(ConfigError) as caught:
        load_project(cwd=tmp_path)
    assert "invalid YAML" in str(caught.value) and "hunter2" not in str(caught.value)


def test_the_repository_example_project():
    project = load_project(ROOT / "marketo-sync.yaml")
    assert project.default_environment == "emulator"
    assert sorted(project.environments) == ["emulator", "production", "sandbox"]
    assert project.environment().embedded_emulator == EmbeddedEmulator(
        "examples/instance.yaml", ".marketo-sync/emulator-state.json")
    assert project.environment("production").env_prefix == "MARKETO_PRODUCTION_"
