"""Workloads for measuring the plan's read cost: N declared campaigns spread over F folders.

Shared by ``benchmarks/bench_plan_calls.py`` and the call-count test, so that the test asserts
exactly what the benchmark prints.
"""

from __future__ import annotations

import math
from typing import Any

from marketo_sync.desired.model import DesiredCampaign, DesiredState, Location, ManagedFolder

AREA = "Marketing Activities"
PARENT = "Bench"


def distributions(total: int = 1000, folders: int = 10) -> dict[str, list[int]]:
    """Even, skewed (one folder holds almost everything) and page-edge distributions."""
    even = [total // folders] * folders
    even[0] += total - sum(even)
    skewed = [1] * folders
    skewed[0] = total - (folders - 1)
    edge = [200] * (total // 200) + [0] * max(0, folders - total // 200)  # full pages: worst case
    edge = (edge + [0] * folders)[:folders]
    edge[-1] += total - sum(edge)
    geometric = [max(1, total >> (i + 1)) for i in range(folders)]
    geometric[0] += total - sum(geometric)
    return {"even": even, "skewed": skewed, "full-pages": edge, "geometric": geometric}


def folder_name(index: int) -> str:
    return f"Folder {index:02d}"


def seed(counts: list[int]) -> dict[str, Any]:
    """An emulator seed: ``Marketing Activities/Bench/Folder NN`` holding ``counts[NN]`` campaigns."""
    children = []
    for index, count in enumerate(counts):
        folder: dict[str, Any] = {"name": folder_name(index)}
        if count:
            folder["campaigns"] = [{"name": f"Campaign {index:02d}-{{n:04d}}", "count": count,
                                    "description": "benchmark"}]
        children.append(folder)
    return {
        "workspace": "Default",
        "folders": [{"name": AREA, "folderType": "Zone", "isSystem": True,
                     "folders": [{"name": PARENT, "folders": children}]}],
    }


def desired(counts: list[int]) -> DesiredState:
    """Every seeded campaign declared (description unchanged), each folder exclusive."""
    campaigns = []
    folders = []
    for index, count in enumerate(counts):
        path = f"{AREA}/{PARENT}/{folder_name(index)}"
        file = f"campaigns/folder-{index:02d}.yaml"
        folders.append(ManagedFolder(path, "exclusive", Location(file, 1, 1)))
        for n in range(1, count + 1):
            campaigns.append(DesiredCampaign(name=f"Campaign {index:02d}-{n:04d}", folder=path,
                                             location=Location(file, 3 + n, 5), description="benchmark"))
    return DesiredState(campaigns=tuple(campaigns), folders=tuple(folders))


def bound(total: int = 1000, folders: int = 10, few: int = 4) -> int:
    """Acceptance 3: ceil(total/200) + folders + a few (auth, folder lookup, tree browse)."""
    return math.ceil(total / 200) + folders + few
