"""``pytest -m live``: the conformance kit and a plan/apply round trip inside a scratch folder of a
real Marketo sandbox (MARKETO_LIVE_BASE_URL, _CLIENT_ID, _CLIENT_SECRET; optional
MARKETO_LIVE_TEMPLATE and MARKETO_LIVE_PARENT). Without them these tests are skipped and say so.
The round trip also runs against the emulator on every run, so its code is always exercised."""

from __future__ import annotations

import json
import os

import pytest
from live_sandbox import LIVE_PREFIX, needs_sandbox, project_file, round_trip


@pytest.mark.live
@needs_sandbox
def test_conformance_kit_on_the_sandbox(cli_project):
    project_file(cli_project.root, prefix=LIVE_PREFIX)
    argv = ["conformance", "--format", "json", "--auto-approve",
            "--parent", os.environ.get(f"{LIVE_PREFIX}PARENT", "Marketing Activities")]
    if os.environ.get(f"{LIVE_PREFIX}TEMPLATE"):
        argv += ["--template", os.environ[f"{LIVE_PREFIX}TEMPLATE"]]
    code, out, err = cli_project.run(*argv)
    doc = json.loads(out)
    assert doc["cleanup"]["not_removed"] == [], err
    assert code == 0, err  # the text report (stderr) lists every deviation


@pytest.mark.live
@needs_sandbox
def test_plan_apply_round_trip_on_the_sandbox(cli_project):
    round_trip(cli_project, dict(os.environ), prefix=LIVE_PREFIX,
               parent=os.environ.get(f"{LIVE_PREFIX}PARENT", "Marketing Activities"))


def test_plan_apply_round_trip_against_the_emulator(emulator, cli_project, monkeypatch):
    environ = {"EMU_BASE_URL": emulator.base_url, "EMU_CLIENT_ID": emulator.client_id,
               "EMU_CLIENT_SECRET": emulator.client_secret}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    before = emulator.backend.export_state()["campaigns"]
    round_trip(cli_project, environ, prefix="EMU_", parent="Marketing Activities/Operational")
    assert emulator.backend.export_state()["campaigns"] == before
