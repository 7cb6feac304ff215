"""How many API calls does planning 1,000 declared campaigns in 10 folders cost?

Acceptance 3 of issue 4: at most ceil(1000/200) + 10 + a few, whatever the number of
campaigns per folder. This prints the calls counted **at the emulator** for several
distributions (even, skewed, full pages, geometric) next to the bound::

    .venv/bin/python benchmarks/bench_plan_calls.py [--total 1000] [--folders 10]

When the HTTP emulator or the client is not available (while they are being built), it falls
back to counting calls at the emulator's backend in process (one backend call per HTTP call,
plus one identity call), and says so.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import plan_workload

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.plan.planner import diff
from marketo_sync.refs import FolderRef
from marketo_sync.remote.read import read_remote


class BackendApi:
    """In-process fallback: the reads of ``MarketoApi`` straight on the backend, counted."""

    PAGE = 200

    def __init__(self, backend: MarketoBackend) -> None:
        self.backend = backend
        self.calls = 1  # identity

    def _pages(self, fn: Any, **kw: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            self.calls += 1
            page = fn(offset=offset, max_return=self.PAGE, **kw)
            out += page
            if len(page) < self.PAGE:
                return out
            offset += self.PAGE

    def folders_by_name(self, name: str) -> list[dict[str, Any]]:
        self.calls += 1
        return self.backend.get_folders_by_name(name)

    def browse_folders(self, root: FolderRef, max_depth: int) -> list[dict[str, Any]]:
        return self._pages(self.backend.browse_folders, root=(root.id, root.type), max_depth=max_depth)

    def browse_campaigns(self, folder: FolderRef) -> list[dict[str, Any]]:
        return self._pages(self.backend.browse_campaigns, folder=(folder.id, folder.type))

    def get_campaign(self, campaign_id: int) -> dict[str, Any] | None:
        self.calls += 1
        found = self.backend.get_campaign(campaign_id)
        return found[0] if found else None

    def get_tokens(self, folder: FolderRef) -> list[dict[str, Any]]:
        self.calls += 1
        return self.backend.get_tokens((folder.id, folder.type))


def measure_http(counts: list[int]) -> int:
    """Calls counted at a real emulator server, planning through the real client."""
    from marketo_sync.commands.plan import build_plan
    from marketo_sync.emulator import EmulatorServer
    from marketo_sync.workflows.session import session_for_url

    server = EmulatorServer(seed=plan_workload.seed(counts))
    server.start()
    try:
        with session_for_url(server.base_url) as session:
            build_plan(session, plan_workload.desired(counts))
        return len(list(server.calls()))
    finally:
        server.stop()


def measure_backend(counts: list[int]) -> int:
    backend = MarketoBackend()
    backend.load_seed(plan_workload.seed(counts))
    api = BackendApi(backend)
    state = read_remote(api, plan_workload.desired(counts), call_count=lambda: api.calls)
    plan = diff(plan_workload.desired(counts), state)
    assert not plan.changes, "the workload declares exactly what is seeded"
    return api.calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=1000)
    parser.add_argument("--folders", type=int, default=10)
    args = parser.parse_args(argv)
    try:
        measure_http([1] * args.folders)
        measure, where = measure_http, "emulator over HTTP"
    except Exception as error:
        measure, where = measure_backend, f"emulator backend in process ({type(error).__name__})"
    bound = plan_workload.bound(args.total, args.folders)
    print(f"plan read cost, {args.total} declared campaigns in {args.folders} folders "
          f"(bound ceil({args.total}/200) + {args.folders} + 4 = {bound}); counted at the {where}")
    print(f"{'distribution':<12} {'calls':>5} {'bound':>5}  {'seconds':>7}  campaigns per folder")
    worst = 0
    for name, counts in plan_workload.distributions(args.total, args.folders).items():
        start = time.perf_counter()
        calls = measure(counts)
        elapsed = time.perf_counter() - start
        worst = max(worst, calls)
        print(f"{name:<12} {calls:>5} {bound:>5}  {elapsed:>7.2f}  {counts}")
    print("OK: every distribution within the bound" if worst <= bound else "OVER THE BOUND")
    return 0 if worst <= bound else 1


if __name__ == "__main__":
    sys.exit(main())
