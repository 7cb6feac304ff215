"""The promotion tests' project: the repository's example project in a temporary directory,
with a sandbox emulator (examples/instance.yaml) and a production one (every id shifted,
Webinars below Events: tests/data/promotion/production-instance.yaml)."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from marketo_sync.emulator.seed import example_seed_path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SEED = ROOT / "tests" / "data" / "promotion" / "production-instance.yaml"


class Promotion:
    """The example project in a temporary directory, its sandbox and production emulators."""

    def __init__(self, cli_project: Any, make_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cli = cli_project
        self.root: Path = cli_project.root
        shutil.copy(ROOT / "marketo-sync.yaml", self.root / "marketo-sync.yaml")
        shutil.copytree(ROOT / "campaigns", self.root / "campaigns")
        self.servers = {"sandbox": make_emulator(seed_path=str(example_seed_path())),
                        "production": make_emulator(seed_path=str(PRODUCTION_SEED))}
        for env, server in self.servers.items():
            prefix = f"MARKETO_{env.upper()}_"
            monkeypatch.setenv(prefix + "BASE_URL", server.base_url)
            monkeypatch.setenv(prefix + "CLIENT_ID", server.client_id)
            monkeypatch.setenv(prefix + "CLIENT_SECRET", server.client_secret)

    def add_files(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            (self.root / name).write_text(textwrap.dedent(text), encoding="utf-8")

    def run(self, *argv: str) -> tuple[int, str, str]:
        return self.cli.run(*argv)

    def plan(self, env: str) -> dict[str, Any]:
        code, out, err = self.run("plan", "--env", env, "--format", "json")
        assert code == 0, err
        return json.loads(out)

    def apply(self, env: str) -> None:
        code, out, err = self.run("apply", "--env", env, "--auto-approve")
        assert code == 0, out + err

    def campaign(self, env: str, campaign_id: int) -> dict[str, Any]:
        [record] = self.servers[env].backend.get_campaign(campaign_id)
        return record


@pytest.fixture
def promotion(cli_project: Any, make_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Promotion:
    return Promotion(cli_project, make_emulator, monkeypatch)
