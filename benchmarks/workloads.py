"""The workloads of issue 13: an emulator seed and the campaign files that declare it.

Two layouts, as measured in the issue:

* **folders**: ``Marketing Activities/Bench/Folder NN`` holding the campaigns evenly
  (1,000 campaigns in 10 folders);
* **programs**: one program per event, cloned from a template, five campaigns each, the
  programs grouped 100 to a folder under ``Marketing Activities/Events`` (2,000 programs × 5 =
  10,000 campaigns; 10,000 × 5 = 50,000).

Every seeded campaign is declared (same description), so a plan of a fresh instance has no
change. The instance also holds a ``Templates`` folder and an ``Operational`` folder that no file
declares, as a real instance does. Used by ``bench_plan_cost.py`` and ``bench_emulator.py``::

    .venv/bin/python benchmarks/workloads.py programs --programs 2000 --out /tmp/w2000
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

AREA = "Marketing Activities"
PER_FOLDER = 100  # programs per folder in the programs layout
EVENT_CAMPAIGNS = ("01 - Registration", "02 - Invitation", "03 - Reminder", "04 - Follow-up Attended",
                   "05 - Follow-up No Show")
TEMPLATES = "Templates"
UNDECLARED = 20  # campaigns of the Operational folder, which no file declares


@dataclass
class Workload:
    """A seed document and the campaign files (relative path -> text) that declare it."""

    name: str
    seed: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)
    campaigns: int = 0  # declared (and seeded) campaigns
    containers: list[str] = field(default_factory=list)  # declared containers, as paths

    def write(self, directory: Path) -> Path:
        """Write ``seed.yaml``, ``campaigns/*.yaml`` and ``marketo-sync.yaml``; returns the seed."""
        directory.mkdir(parents=True, exist_ok=True)
        seed_path = directory / "seed.yaml"
        seed_path.write_text(dump_yaml(self.seed), encoding="utf-8")
        for relative, text in self.files.items():
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        (directory / "marketo-sync.yaml").write_text(PROJECT, encoding="utf-8")
        return seed_path


PROJECT = """\
# Benchmark project (benchmarks/workloads.py): the environment reads BENCH_BASE_URL,
# BENCH_CLIENT_ID and BENCH_CLIENT_SECRET.
campaigns: campaigns
default_environment: bench
environments:
  bench:
    env_prefix: BENCH_
"""


def dump_yaml(document: Any) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True, width=200,
                     default_flow_style=None)


def _seed_campaign(name: str, description: str, index: int) -> dict[str, Any]:
    """A campaign as a template clone has it; the reminder is requested by the API and sends an email."""
    campaign: dict[str, Any] = {"name": name, "description": description}
    if index % 5 == 2:
        campaign["triggers"] = [{"name": "Campaign is Requested", "source": "Web Service API"}]
        campaign["flow"] = [{"action": "Send Email", "email": name}]
    return campaign


def _fixtures() -> list[dict[str, Any]]:
    """What every instance holds besides the declared campaigns: templates, operational campaigns."""
    templates = {"name": TEMPLATES, "campaigns": [
        {"name": "Event Reminder Template", "description": "template",
         "triggers": [{"name": "Campaign is Requested", "source": "Web Service API"}],
         "flow": [{"action": "Send Email", "email": "Event Reminder"}], "active": True}]}
    operational = {"name": "Operational", "campaigns": [
        {"name": f"Operational {n:02d}", "description": "not declared"} for n in range(1, UNDECLARED + 1)]}
    return [templates, operational]


def _instance(children: list[dict[str, Any]]) -> dict[str, Any]:
    return {"workspace": "Default", "createdAt": "2025-11-03T09:30:00Z",
            "folders": [{"name": AREA, "folderType": "Zone", "isSystem": True,
                         "folders": _fixtures() + children}]}


def _file(folder: str, campaigns: list[dict[str, Any]], managed: str = "additive") -> str:
    body = {"folder": folder, "managed": managed, "campaigns": campaigns}
    return dump_yaml(body)


def folders_layout(total: int = 1000, folders: int = 10) -> Workload:
    """``total`` campaigns spread evenly over ``folders`` folders under ``Marketing Activities/Bench``."""
    counts = [total // folders + (1 if i < total % folders else 0) for i in range(folders)]
    work = Workload(name=f"{total:,} campaigns in {folders} folders", seed={}, campaigns=total)
    bench: dict[str, Any] = {"name": "Bench", "folders": []}
    for index, count in enumerate(counts):
        folder_name = f"Folder {index:02d}"
        names = [f"Campaign {index:02d}-{n:04d}" for n in range(1, count + 1)]
        bench["folders"].append({"name": folder_name, "campaigns": [
            _seed_campaign(name, "benchmark", n) for n, name in enumerate(names)]})
        path = f"{AREA}/Bench/{folder_name}"
        work.containers.append(path)
        work.files[f"campaigns/folder-{index:02d}.yaml"] = _file(
            path, [{"name": name, "description": "benchmark"} for name in names], managed="exclusive")
    work.seed = _instance([bench])
    return work


def program_path(number: int) -> str:
    return f"{AREA}/Events/Batch {number // PER_FOLDER:03d}/Event {number:05d}"


def programs_layout(programs: int = 2000, per_program: int = 5, files: int | None = None) -> Workload:
    """One program per event with ``per_program`` campaigns, 100 programs to a folder.

    ``files=None`` writes one campaign file per program (the usual layout); ``files=N`` writes
    N files whose campaigns name their own ``folder`` (the 10-file ``validate`` workload).
    """
    names = [EVENT_CAMPAIGNS[i] if i < len(EVENT_CAMPAIGNS) else f"{i + 1:02d} - Step" for i in range(per_program)]
    work = Workload(name=f"{programs * per_program:,} campaigns in {programs:,} programs × {per_program}",
                    seed={}, campaigns=programs * per_program)
    batches: list[dict[str, Any]] = []
    grouped: list[list[dict[str, Any]]] = [[] for _ in range(files or 0)]
    for number in range(programs):
        if number % PER_FOLDER == 0:
            batches.append({"name": f"Batch {number // PER_FOLDER:03d}", "programs": []})
        description = f"Event {number:05d}"
        batches[-1]["programs"].append({
            "name": f"Event {number:05d}", "type": "Event", "channel": "Webinar",
            "campaigns": [_seed_campaign(name, description, i) for i, name in enumerate(names)]})
        path = program_path(number)
        work.containers.append(path)
        declared = [{"name": name, "description": description} for name in names]
        if files:
            grouped[number * files // programs] += [dict(c, folder=path) for c in declared]
        else:
            work.files[f"campaigns/batch-{number // PER_FOLDER:03d}/event-{number:05d}.yaml"] = _file(path, declared)
    for index, campaigns in enumerate(grouped):
        body = dump_yaml({"campaigns": campaigns})
        work.files[f"campaigns/part-{index:02d}.yaml"] = body
    work.seed = _instance([{"name": "Events", "folders": batches}])
    return work


LAYOUTS = {
    "folders-1000": lambda: folders_layout(1000, 10),
    "programs-2000": lambda: programs_layout(2000, 5),
    "programs-10000": lambda: programs_layout(10000, 5),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a workload of issue 13 to a directory.")
    parser.add_argument("layout", choices=["folders", "programs"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--campaigns", type=int, default=1000, help="folders layout: campaigns")
    parser.add_argument("--folders", type=int, default=10, help="folders layout: folders")
    parser.add_argument("--programs", type=int, default=2000, help="programs layout: programs")
    parser.add_argument("--per-program", type=int, default=5)
    parser.add_argument("--files", type=int, default=None, help="programs layout: N files instead of one per program")
    args = parser.parse_args(argv)
    if args.layout == "folders":
        work = folders_layout(args.campaigns, args.folders)
    else:
        work = programs_layout(args.programs, args.per_program, args.files)
    seed = work.write(args.out)
    print(f"{work.name}: {seed} and {len(work.files)} campaign files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
