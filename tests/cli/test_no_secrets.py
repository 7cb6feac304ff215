"""Secrets never leave the client: not in output, logs, saved plans, journals or receipts.

A whole verbose session (validate, plan --out, apply PLANFILE --format json, plan) runs through
the CLI against an emulator with a distinctive secret; everything the tool printed, logged or
wrote is then searched for the secret and for the access token it was given.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import requests

from marketo_sync import cli

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-value-that-must-never-leak-7f3a"
CLIENT_ID = "leak-test-client"


def test_verbose_session_leaks_neither_secret_nor_token(make_emulator, tmp_path, monkeypatch, capsys, caplog):
    server = make_emulator(client_id=CLIENT_ID, client_secret=SECRET)
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "data" / "apply" / "example", work)
    monkeypatch.chdir(work)
    monkeypatch.setenv("MARKETO_BASE_URL", server.base_url)
    monkeypatch.setenv("MARKETO_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("MARKETO_CLIENT_SECRET", SECRET)
    caplog.set_level(logging.DEBUG)
    saved = work / "plan.json"

    codes = [cli.main(["-vv", "validate"]), cli.main(["-vv", "plan", "--out", str(saved)]),
             cli.main(["-vv", "apply", str(saved), "--format", "json"]),
             cli.main(["-vv", "plan", "--detailed-exitcode", "--format", "json"])]
    assert codes == [0, 0, 0, 0]
    out, err = capsys.readouterr()

    # identity hands back the token in use while it is valid: this is the one the tool sent
    token = requests.get(f"{server.base_url}/identity/oauth/token", timeout=10, params={
        "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET,
    }).json()["access_token"]
    written = "\n".join(p.read_text(encoding="utf-8") for p in work.rglob("*") if p.is_file())
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "GET /rest/asset/v1/smartCampaigns.json" in logged + err  # the verbose run did log calls
    for haystack in (out, err, logged, written):
        assert SECRET not in haystack
        assert token not in haystack
        assert token.split(":")[0] not in haystack
