"""Apply 200 changes under 20% injected faults and a 10 calls / 2 s window (issue 5, acceptance 3).

Runs ``marketo-sync apply --auto-approve --format json`` (in process, real HTTP) until a run
applies everything, then checks the instance: no duplicate campaign, exactly the declared
count, every campaign active; prints per run the wall time, the receipt summary and the calls
and faults counted at the emulator::

    .venv/bin/python benchmarks/bench_apply_faults.py [--calls 10] [--window 2] [--campaigns 100]

The default test suite runs the same workload at 50 calls / 2 s
(``tests/apply/test_apply_faults.py``); this is the exact 10 / 2 s case.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "apply"))

from apply_workload import declared, duplicates_and_counts, write_repo  # noqa: E402

from marketo_sync import cli  # noqa: E402
from marketo_sync.emulator import EmulatorServer  # noqa: E402
from marketo_sync.emulator.config import (  # noqa: E402
    EMULATOR_CLIENT_ID,
    EMULATOR_CLIENT_SECRET,
    FAULT_KINDS,
)
from marketo_sync.emulator.seed import example_seed_path  # noqa: E402


def run_cli(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(args)
    return code, out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--window", type=float, default=2.0)
    parser.add_argument("--campaigns", type=int, default=100, help="clone+activate pairs (default 100)")
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--max-runs", type=int, default=8)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, EmulatorServer(
            seed_path=example_seed_path(), rate_limit=f"{options.calls}/{options.window:g}") as server:
        server.set_faults(fault_rate=options.fault_rate, fault_seed=options.seed, fault_kinds=list(FAULT_KINDS))
        repo = write_repo(Path(tmp) / "repo", options.campaigns, calls=options.calls, window=options.window)
        os.chdir(repo)
        os.environ.update(MARKETO_BASE_URL=server.base_url, MARKETO_CLIENT_ID=EMULATOR_CLIENT_ID,
                          MARKETO_CLIENT_SECRET=EMULATOR_CLIENT_SECRET, NO_COLOR="1")
        print(f"{2 * options.campaigns} changes, emulator window {options.calls}/{options.window:g} s, "
              f"fault rate {options.fault_rate:.0%} ({', '.join(FAULT_KINDS)})")
        print(f"{'run':>3} {'exit':>4} {'seconds':>8} {'calls':>6} {'faults':>6} {'606':>4}  receipt")
        started = time.monotonic()
        ok = False
        for number in range(1, options.max_runs + 1):
            before = len(server.calls())
            t0 = time.monotonic()
            code, out = run_cli(["apply", "--auto-approve", "--format", "json"])
            seconds = time.monotonic() - t0
            calls = server.calls()[before:]
            faults = sum(1 for c in calls if c.get("fault"))
            limited = sum(1 for c in calls if c.get("code") == "606")
            summary = json.loads(out)["summary"] if out.strip() else "(no receipt: the run failed before applying)"
            print(f"{number:>3} {code:>4} {seconds:>8.1f} {len(calls):>6} {faults:>6} {limited:>4}  {summary}")
            if code == 0:
                ok = True
                break
        total = time.monotonic() - started
        server.set_faults(fault_rate=0)
        plan_code, _ = run_cli(["plan", "--detailed-exitcode"])
        dupes, found = duplicates_and_counts(server.backend, options.campaigns)
        wanted = {key: len(names) for key, names in declared(options.campaigns).items()}
        kinds = Counter(c["fault"] for c in server.calls() if c.get("fault"))
        print(f"converged: {ok} in {number} run(s), {total:.1f} s; plan --detailed-exitcode: {plan_code}")
        print(f"duplicates: {dupes or 'none'}; campaigns per container {found} (declared {wanted})")
        print(f"faults injected: {dict(sorted(kinds.items()))}")
        return 0 if ok and plan_code == 0 and not dupes and found == wanted else 1


if __name__ == "__main__":
    sys.exit(main())
