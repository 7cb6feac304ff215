"""Plan cost that follows the instance (issue 13): ours vs two marketorestpython scripts.

For each workload of ``workloads.py`` (1,000 campaigns in 10 folders; 2,000 programs × 5;
10,000 programs × 5) an emulator is started with the seed, then three clients run, each in its
own process, against it:

* **ours**: ``marketo-sync plan`` on the workload's campaign files (the real CLI);
* **mrp per folder**: marketorestpython browses the tree once, then each declared container;
* **mrp whole**: marketorestpython browses the tree once, then every campaign of the instance,
  grouped locally by folder.

Printed per client: API calls counted at the emulator (``/_emulator/calls``, REST calls: identity
calls excluded, as in the plan's own figure), wall time, peak RSS, and the ratios ours / mrp. The emulator's rate limit is lifted
so that a run takes seconds; the minimum time at the default 50 calls / 20 s is printed
for ours. ``--latency-ms 600`` adds Marketo-like latency and keeps the default limits, to show
how much of its 50 calls / 20 s share the reader uses::

    .venv/bin/python benchmarks/bench_plan_cost.py [--only programs-2000] [--latency-ms 600]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads

from marketo_sync.emulator import EmulatorServer

BASELINE = {"folders-1000": (12, 8), "programs-2000": (2012, 63), "programs-10000": (10052, 303)}
TARGET = {"folders-1000": 12, "programs-2000": 80, "programs-10000": 330}

MRP_SCRIPT = r"""
import json, sys, time
from types import SimpleNamespace
from marketorestpython.client import MarketoClient
from marketorestpython.helper import http_lib
http_lib.time = SimpleNamespace(time=time.time, sleep=lambda s: None)   # its own pacing off
url, client_id, secret, mode, containers = sys.argv[1:6]
wanted = json.load(open(containers))
mc = MarketoClient("000-AAA-000", client_id, secret)
mc.host = url
root = mc.get_folder_by_name("Marketing Activities")[0]["folderId"]
tree = mc.browse_folders(root=json.dumps(root), maxDepth=10, maxReturn=200)
by_path = {}
for f in tree:
    parts = f["path"].strip("/").split("/")
    by_path["/".join(parts[:1] + parts[2:])] = f["folderId"]
found = {}
if mode == "folder":
    for path in wanted:
        ref = by_path[path]
        for page in mc.get_smart_campaigns(folderId=ref["id"], folderType=ref["type"], maxReturn=200):
            found.setdefault(path, []).extend(page)
else:
    paths = {(r["id"], r["type"]): p for p, r in by_path.items()}
    for page in mc.get_smart_campaigns(maxReturn=200):
        for c in page:
            path = paths.get((c["folder"]["id"], c["folder"]["type"]))
            if path in wanted:
                found.setdefault(path, []).append(c)
print(sum(len(v) for v in found.values()))
"""

PROJECT_LIMITS = "limits: {rate_limit: 100, window: 0.01, concurrency: 5}\n"  # 10,000 calls/s


# Runs a module or a script and reports the process's peak RSS on stderr at exit. VmHWM, not
# getrusage: Linux keeps ru_maxrss across exec, so a child would report its parent's size.
PEAK_WRAPPER = r"""
import atexit, runpy, sys
def peak():
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(f"PEAK-RSS-KB {kb}", file=sys.stderr)
atexit.register(peak)
kind, target, *rest = sys.argv[1:]
sys.argv = [target, *rest]
if kind == "module":
    runpy.run_module(target, run_name="__main__", alter_sys=True)
else:
    runpy.run_path(target, run_name="__main__")
"""


def run(command: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout of one client process (``[kind, target, args...]``)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, *command], cwd=cwd, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 2):
        raise RuntimeError(f"{command[:2]} failed ({done.returncode}): {done.stderr[-2000:]}")
    peaks = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK-RSS-KB ")]
    return elapsed, (peaks[-1] / 1024 if peaks else float("nan")), done.stdout


def calls_at(server: EmulatorServer) -> list[dict[str, Any]]:
    """REST calls in the emulator's call log (identity calls are not counted, as in the plan's figure)."""
    calls = requests.get(f"{server.base_url}/_emulator/calls", timeout=60).json()["calls"]
    return [call for call in calls if call["path"].startswith("/rest/")]


def busiest_window(calls: list[dict[str, Any]], window: float = 20.0) -> int:
    """The most calls that started within any ``window`` seconds."""
    starts = sorted(datetime.fromisoformat(c["time"]).timestamp() for c in calls)
    best, first = 0, 0
    for last, at in enumerate(starts):
        while at - starts[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def measure(name: str, work: workloads.Workload, latency_ms: float) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        work.write(directory)
        seed = directory / "seed.json"
        seed.write_text(json.dumps(work.seed), encoding="utf-8")
        containers = directory / "containers.json"
        containers.write_text(json.dumps(work.containers), encoding="utf-8")
        default_limits = latency_ms > 0
        project = directory / "marketo-sync.yaml"
        if not default_limits:  # lifted so that a 10,000-call baseline takes seconds, not an hour
            project.write_text(project.read_text() + PROJECT_LIMITS, encoding="utf-8")
        server = EmulatorServer(seed_path=seed, rate_limit=(100, 20.0) if default_limits else (10**9, 20.0),
                                daily_quota=10**9, latency_ms=latency_ms).start()
        try:
            env = dict(os.environ, BENCH_BASE_URL=server.base_url, BENCH_CLIENT_ID=server.client_id,
                       BENCH_CLIENT_SECRET=server.client_secret, NO_COLOR="1")
            script = directory / "mrp_browse.py"
            script.write_text(MRP_SCRIPT, encoding="utf-8")
            clients = [("ours", ["module", "marketo_sync", "plan", "--project", str(project)])]
            if not default_limits:
                for mode in ("folder", "whole"):
                    clients.append((f"mrp {mode}", ["script", str(script), server.base_url,
                                                    server.client_id, server.client_secret, mode, str(containers)]))
            for label, command in clients:
                before = len(calls_at(server))
                seconds, peak, out = run(command, cwd=directory, env=env)
                made = calls_at(server)[before:]
                rows.append({"workload": name, "client": label, "calls": len(made), "busiest": busiest_window(made),
                             "seconds": seconds, "rss": peak, "out": out})
        finally:
            server.stop()
    return rows


def min_seconds(calls: int, rate: int = 50, window: float = 20.0) -> float:
    return math.floor((calls - 1) / rate) * window if calls > 0 else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(workloads.LAYOUTS), action="append")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    names = args.only or list(workloads.LAYOUTS)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; latency {args.latency_ms:g} ms")
    print(f"{'workload':<16} {'client':<11} {'calls':>6} {'wall s':>7} {'RSS MB':>7}  notes")
    ok = True
    for name in names:
        rows = measure(name, workloads.LAYOUTS[name](), args.latency_ms)
        ours = rows[0]
        for row in rows:
            notes = ""
            if row["client"] == "ours":
                before, mrp_whole = BASELINE[name]
                target = TARGET[name]
                ok &= row["calls"] <= target
                notes = (f"target ≤ {target}, baseline {before} (mrp whole {mrp_whole} then); "
                         f"≥ {min_seconds(row['calls']):g} s at 50 calls/20 s")
                if args.latency_ms:
                    share = row["busiest"] / 50
                    notes += (f"; busiest 20 s: {row['busiest']} calls = {share:.0%} of its 50 calls/20 s share "
                              "(baseline 33 = 66 %, sequential)")
                    if row["calls"] > 50:
                        ok &= share >= 0.9
                summary = [line for line in row["out"].splitlines() if line.startswith("API cost")]
                notes += ("\n" + " " * 18 + summary[0]) if summary else ""
            else:
                notes = (f"ours/mrp: calls {ours['calls'] / row['calls']:.2f}, wall {ours['seconds'] / row['seconds']:.2f}, "
                         f"RSS {ours['rss'] / row['rss']:.2f}")
            print(f"{name:<16} {row['client']:<11} {row['calls']:>6} {row['seconds']:>7.1f} {row['rss']:>7.0f}  {notes}")
    print("OK: every plan within its call target" if ok else "NOT WITHIN TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
