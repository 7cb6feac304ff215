"""The name and description checks of ``validate`` (``desired/names.py``) on one document of
50,000 campaigns with clean names: their share of ``validate``'s time budget (issue 13, goal 4).

Clean names are the common case, so their cost is what counts: the check must not look up a
file position for a name that has nothing to report. Printed: seconds for the whole document::

    .venv/bin/python benchmarks/bench_names.py [--campaigns 50000]
"""

from __future__ import annotations

import argparse
import statistics
import time

from marketo_sync.desired import names


def document(count: int) -> dict[str, object]:
    return {"folder": "Marketing Activities/Webinars/2026 Q1",
            "tokens": [{"name": f"Token {i}"} for i in range(5)],
            "campaigns": [{"name": f"Campaign number {i}", "description": "Reminder for registrants",
                           "folder": f"Marketing Activities/Webinars/Program {i // 5}",
                           "previous_names": [f"Old {i}"]} for i in range(count)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=50_000)
    args = parser.parse_args()
    doc = document(args.campaigns)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        errors, warnings = names.check_document(doc)
        times.append(time.perf_counter() - start)
        assert not errors and not warnings
    print(f"name checks of {args.campaigns:,} campaigns: {statistics.median(times):.3f} s (median of 3)")


if __name__ == "__main__":
    main()
