"""The emulator at a big seed: start time, and browse / by-name calls answered per second.

Issue 13, goal 5: at a 50,000-campaign seed (10,000 programs × 5) browse and by-name answer
≥ 200 per second, and the emulator starts in ≤ 5 s (baseline: 11 browses/s, 20 s start)::

    .venv/bin/python benchmarks/bench_emulator.py [--programs 10000] [--calls 400]

Start time is measured in a fresh process (``EmulatorServer(seed_path=...)``, imports
included) for the YAML seed and for the same seed written as JSON. Rates are measured over
HTTP (the real server, one client, sequential calls) and in process (the backend alone). A
page of the whole instance (200 records) is shown too: its cost is building and encoding 200
records, whatever the seed's size, so it has no target of its own. The load average is printed:
on a shared machine the figures move with it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads

from marketo_sync.emulator import EmulatorServer

START_TARGET = 5.0
RATE_TARGET = 200.0
BASELINE = {"start": "20 s", "browse": "11/s", "by-name": "11/s"}

START_SCRIPT = """
import sys, time
t = time.perf_counter()
from marketo_sync.emulator import EmulatorServer
EmulatorServer(seed_path=sys.argv[1])
print(time.perf_counter() - t)
"""


def start_seconds(seed: Path) -> float:
    out = subprocess.run([sys.executable, "-c", START_SCRIPT, str(seed)], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def rate(calls: int, one: Callable[[int], Any]) -> float:
    started = time.perf_counter()
    for n in range(calls):
        one(n)
    return calls / (time.perf_counter() - started)


def program_ids(server: EmulatorServer) -> list[int]:
    return [p["id"] for p in server.backend.browse_programs(max_return=200)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=400, help="calls per measured rate")
    args = parser.parse_args(argv)
    work = workloads.programs_layout(args.programs, 5)
    with tempfile.TemporaryDirectory() as tmp:
        seed_yaml = work.write(Path(tmp))
        seed_json = Path(tmp) / "seed.json"
        seed_json.write_text(json.dumps(work.seed), encoding="utf-8")
        print(f"emulator at {work.name} ({work.campaigns + workloads.UNDECLARED + 1:,} campaigns seeded)")
        starts = {"YAML seed": start_seconds(seed_yaml), "JSON seed": start_seconds(seed_json)}
        server = EmulatorServer(seed_path=seed_json, rate_limit=(10**9, 20.0), daily_quota=10**9).start()
    try:
        backend = server.backend
        programs = [p.id for p in backend._programs()]
        random.seed(13)
        picks = [random.choice(programs) for _ in range(args.calls)]
        names = [random.choice(workloads.EVENT_CAMPAIGNS) for _ in range(args.calls)]
        total = len(backend._campaigns)
        pages = max(1, total // 200)
        http = requests.Session()
        token = http.get(f"{server.base_url}/identity/oauth/token", params={
            "grant_type": "client_credentials", "client_id": server.client_id,
            "client_secret": server.client_secret}).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        asset = f"{server.base_url}/rest/asset/v1"

        def get(path: str, **params: Any) -> None:
            body = http.get(f"{asset}/{path}", params=params).json()
            assert body.get("success"), body

        rows = [
            ("browse one program (folder=…)", lambda n: get("smartCampaigns.json", maxReturn=200, folder=json.dumps(
                {"id": picks[n], "type": "Program"})), lambda n: backend.browse_campaigns(
                folder=(picks[n], "Program"), max_return=200)),
            ("campaign by name", lambda n: get("smartCampaign/byName.json", name=names[n]),
             lambda n: backend.get_campaign_by_name(names[n])),
            ("browse the instance, 200/page", lambda n: get("smartCampaigns.json", maxReturn=200,
                                                            offset=200 * (n % pages)),
             lambda n: backend.browse_campaigns(offset=200 * (n % pages), max_return=200)),
        ]
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'':<32} {'HTTP calls/s':>13} {'in process/s':>13}  target  baseline")
        worst = float("inf")
        for label, over_http, in_process in rows:
            http_rate = rate(args.calls, over_http)
            local_rate = rate(args.calls, in_process)
            paged = "page" in label
            worst = worst if paged else min(worst, http_rate)
            target = "    —" if paged else f"≥ {RATE_TARGET:.0f}"
            baseline = BASELINE["by-name" if "name" in label else "browse"]
            print(f"{label:<32} {http_rate:>13.0f} {local_rate:>13.0f}  {target}   {baseline}")
    finally:
        server.stop()
    for label, seconds in starts.items():
        print(f"start, {label:<24} {seconds:>6.2f} s   target ≤ {START_TARGET:.0f} s   baseline {BASELINE['start']}")
    ok = worst >= RATE_TARGET and max(starts.values()) <= START_TARGET
    print("OK: every rate and both starts within target" if ok else "NOT WITHIN TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
