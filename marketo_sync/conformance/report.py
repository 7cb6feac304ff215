"""The conformance report: one result per step, what cleanup left behind, as text or JSON.

The JSON document is meant to be attached to a bug report, so it holds only what the kit
itself created and saw: step names, endpoints, statuses, deviations (field and both values),
the names and ids of the scratch assets. Never a secret, a token, the instance's host or
anything the kit did not create.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from marketo_sync import __version__
from marketo_sync.conformance.expect import Deviation

REPORT_FORMAT = "marketo-sync.conformance/1"

PASS = "pass"
DEVIATION = "deviation"
SKIPPED = "skipped"
ERROR = "error"
STATUSES = (PASS, DEVIATION, SKIPPED, ERROR)


@dataclass
class StepResult:
    """What one step found: ``pass``, ``deviation`` (with the fields), ``skipped`` (why) or ``error``."""

    name: str
    endpoints: tuple[str, ...]
    status: str
    detail: str = ""
    deviations: list[Deviation] = field(default_factory=list)
    calls: int = 0

    @property
    def as_expected(self) -> bool:
        return self.status in (PASS, SKIPPED)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "endpoints": list(self.endpoints), "status": self.status,
                               "calls": self.calls}
        if self.detail:
            out["detail"] = self.detail
        if self.deviations:
            out["deviations"] = [d.as_dict() for d in self.deviations]
        return out


@dataclass
class Leftover:
    """An asset the kit created and could not remove (or kept with ``--keep``), with its UI link."""

    kind: str
    name: str
    id: int | None
    link: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "id": self.id, "link": self.link, "reason": self.reason}


@dataclass
class Report:
    """The whole run."""

    steps: list[StepResult] = field(default_factory=list)
    scratch_folder: str = ""
    scratch_folder_id: int | None = None
    removed: list[str] = field(default_factory=list)
    left: list[Leftover] = field(default_factory=list)
    kept: bool = False
    interrupted: bool = False
    calls: int = 0

    def count(self, status: str) -> int:
        return sum(1 for s in self.steps if s.status == status)

    @property
    def as_expected(self) -> int:
        return sum(1 for s in self.steps if s.as_expected)

    @property
    def ok(self) -> bool:
        """Exit 0: every step passed or was skipped, and the run was not cut short."""
        return not self.interrupted and all(s.as_expected for s in self.steps)

    def to_json(self) -> str:
        doc = {
            "format": REPORT_FORMAT, "tool": f"marketo-sync {__version__}", "ok": self.ok,
            "summary": {"steps": len(self.steps), "as_expected": self.as_expected,
                        **{status: self.count(status) for status in STATUSES}},
            "interrupted": self.interrupted, "api_calls": self.calls,
            "scratch_folder": {"name": self.scratch_folder, "id": self.scratch_folder_id, "kept": self.kept},
            "steps": [s.as_dict() for s in self.steps],
            "cleanup": {"removed": list(self.removed), "not_removed": [x.as_dict() for x in self.left]},
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


MARKS = {PASS: "ok", DEVIATION: "DEVIATION", SKIPPED: "skipped", ERROR: "ERROR"}


def render_text(report: Report) -> str:
    """The human report; its last line is always "N of M steps as expected"."""
    lines = []
    width = max((len(s.name) for s in report.steps), default=10)
    for step in report.steps:
        mark = MARKS.get(step.status, step.status)
        detail = f"  {step.detail}" if step.detail else ""
        lines.append(f"  {mark:<9} {step.name:<{width}}{detail}".rstrip())
        for deviation in step.deviations:
            lines.append(f"            {deviation.field}: expected {deviation.expected}, got {deviation.actual}")
    if report.interrupted:
        lines.append("\nInterrupted: the remaining steps were skipped; cleanup ran.")
    if report.removed:
        lines.append(f"\nRemoved: {', '.join(report.removed)}.")
    if report.left:
        title = "Kept (--keep)" if report.kept and all(x.reason == "kept" for x in report.left) else \
            "Could not remove (remove by hand)"
        lines.append(f"\n{title}:")
        for item in report.left:
            link = f"  {item.link}" if item.link else ""
            ident = f" (id {item.id})" if item.id is not None else ""
            lines.append(f"  - {item.kind} {item.name!r}{ident}: {item.reason}{link}")
    lines.append(f"\n{report.calls} API calls. {report.as_expected} of {len(report.steps)} steps as expected")
    return "\n".join(lines) + "\n"
