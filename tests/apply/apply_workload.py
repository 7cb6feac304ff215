"""A 200-change apply workload over the example instance, shared by tests and the benchmark.

``count`` campaigns cloned from the Webinar Reminder Template and activated (two changes
each), spread over two folders and two programs, in a repository with a project file whose
client limits match the emulator's window.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

#: (user path, (id, type)) of the containers the workload fills.
CONTAINERS: tuple[tuple[str, tuple[int, str]], ...] = (
    ("Marketing Activities/Operational", (1104, "Folder")),
    ("Marketing Activities/Newsletters", (1103, "Folder")),
    ("Marketing Activities/Webinars/2026-03 Customer Engagement Webinar", (1102, "Program")),
    ("Marketing Activities/Webinars/2026-05 Product Roadmap Webinar", (1103, "Program")),
)
PREFIX = "Auto Campaign "
TEMPLATE = "Marketing Activities/Templates/Webinar Reminder Template"


def declared(count: int) -> dict[tuple[int, str], list[str]]:
    """Campaign names per container, round robin."""
    out: dict[tuple[int, str], list[str]] = {key: [] for _, key in CONTAINERS}
    for n in range(count):
        out[CONTAINERS[n % len(CONTAINERS)][1]].append(f"{PREFIX}{n:03d}")
    return out


def write_repo(root: Path, count: int, *, calls: int, window: float, concurrency: int = 5) -> Path:
    """``count`` clone+activate pairs (2 x count changes) and a project file with these limits."""
    (root / "campaigns").mkdir(parents=True, exist_ok=True)
    (root / "marketo-sync.yaml").write_text(
        "campaigns: campaigns\n"
        f"limits: {{rate_limit: {calls}, window: {window:g}, concurrency: {concurrency}}}\n"
        "environments:\n  test: {}\n", encoding="utf-8")
    names = declared(count)
    for index, (path, key) in enumerate(CONTAINERS):
        lines = [f"folder: {path}", "campaigns:"]
        for name in names[key]:
            lines += [f"  - name: {name}", f"    template: {TEMPLATE}", "    active: true"]
        (root / "campaigns" / f"part-{index}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def duplicates_and_counts(backend: Any, count: int) -> tuple[list[str], dict[tuple[int, str], int]]:
    """Names present more than once in a container, and how many workload campaigns each holds."""
    dupes: list[str] = []
    found: dict[tuple[int, str], int] = {}
    for _, key in CONTAINERS:
        rows = backend.browse_campaigns(folder=key, max_return=200)
        names = Counter(r["name"] for r in rows)
        dupes += [f"{key}: {name} x{n}" for name, n in names.items() if n > 1]
        found[key] = sum(1 for name in names if name.startswith(PREFIX))
    return dupes, found
