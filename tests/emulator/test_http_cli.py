"""`marketo-sync emulator` as a real process: prints its URL, serves, stops cleanly on SIGINT."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

from marketo_sync.emulator.config import EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET

ROOT = Path(__file__).resolve().parents[2]


def start(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "marketo_sync", "emulator", "--port", "0", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_cli_serves_the_example_seed_and_stops_on_sigint(tmp_path):
    state = tmp_path / "state.json"
    process = start("--seed", "examples/instance.yaml", "--state", str(state), "--rate-limit", "50/10")
    try:
        first = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", first)
        assert match, first + process.stderr.read()
        url = match.group(1)
        banner = "".join(process.stdout.readline() for _ in range(5))
        assert EMULATOR_CLIENT_ID in banner and EMULATOR_CLIENT_SECRET in banner
        with requests.Session() as session:
            token = session.get(f"{url}/identity/oauth/token", timeout=10, params={
                "grant_type": "client_credentials", "client_id": EMULATOR_CLIENT_ID,
                "client_secret": EMULATOR_CLIENT_SECRET}).json()["access_token"]
            body = session.get(f"{url}/rest/asset/v1/smartCampaign/byName.json", timeout=10,
                               params={"name": "Webinar Reminder Template"},
                               headers={"Authorization": f"Bearer {token}"}).json()
            assert body["result"][0]["id"] == 2001
            assert session.get(f"{url}/_emulator/faults", timeout=10).json()["rate_limit"] == "50/10"
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert state.exists()


def test_cli_rejects_a_bad_flag_naming_it():
    process = subprocess.run([sys.executable, "-m", "marketo_sync", "emulator", "--rate-limit", "fast"],
                             cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert process.returncode == 1  # a usage error is an error; 2 means only "changes or drift"
    assert "--rate-limit" in process.stderr


def test_cli_never_prints_a_custom_secret():
    process = start("--client-secret", "my-own-secret-value")
    try:
        banner = "".join(process.stdout.readline() for _ in range(3))
        assert "listening on" in banner
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert "my-own-secret-value" not in banner + out + err
    assert process.returncode == 0


def test_cli_no_flow_api_serves_an_instance_without_flow_step_endpoints():
    process = start("--seed", "examples/instance.yaml", "--no-flow-api")
    try:
        url = re.search(r"(http://127\.0\.0\.1:\d+)", process.stdout.readline()).group(1)
        banner = "".join(process.stdout.readline() for _ in range(6))
        assert "flow-step API: off" in banner
        with requests.Session() as session:
            token = session.get(f"{url}/identity/oauth/token", timeout=10, params={
                "grant_type": "client_credentials", "client_id": EMULATOR_CLIENT_ID,
                "client_secret": EMULATOR_CLIENT_SECRET}).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            catalogue = session.get(f"{url}/rest/asset/v1/smartCampaign/flowSteps.json", timeout=10,
                                    headers=headers).json()
            assert catalogue["errors"][0]["code"] == "610"
            campaign = session.get(f"{url}/rest/asset/v1/smartCampaign/2001.json", timeout=10, headers=headers).json()
            assert campaign["result"][0]["flow"]["steps"][0]["activityTypeName"] == "Send Email"
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
