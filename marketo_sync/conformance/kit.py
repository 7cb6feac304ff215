"""Running the conformance kit: resolve the parent and template, show the plan, run, clean up.

``Kit.prepare`` only reads (the parent folder and the template's folder), so a wrong path
fails before anything is created. ``Kit.run`` runs every step, turns any failure of a step
into its result, and always ends with the cleanup, also after Ctrl-C: the report then says
what was skipped and what could not be removed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from marketo_sync.client import MarketoApi
from marketo_sync.client.transport import AnswerRecorder
from marketo_sync.conformance import expect
from marketo_sync.conformance.report import DEVIATION, ERROR, PASS, SKIPPED, Leftover, Report, StepResult
from marketo_sync.conformance.scratch import Scratch
from marketo_sync.conformance.steps import STEPS, Check, Context, Skip, Step, Template
from marketo_sync.errors import ConfigError, MarketoSyncError
from marketo_sync.refs import FolderRef

DEFAULT_PARENT = "Marketing Activities"
DAILY_QUOTA = 50_000


class Declined(MarketoSyncError):
    """The user did not approve the plan: nothing was created."""


@dataclass(frozen=True)
class KitOptions:
    """What the command line asks for (``--parent``, ``--template``, ``--keep``)."""

    parent: str = DEFAULT_PARENT
    template: str | None = None
    keep: bool = False


def segments(path: str) -> list[str]:
    return [s.strip() for s in str(path).split("/") if s.strip()]


def resolve_folder(api: MarketoApi, path: str, *, what: str) -> FolderRef:
    """The folder (or program) at exactly ``path``; the workspace segment Marketo puts second in
    its paths may be left out. One by-name call; ConfigError when nothing or several match."""
    wanted = segments(path)
    if not wanted:
        raise ConfigError(f"{what} is empty")
    matches = []
    for record in api.folders_by_name(wanted[-1]):
        found = segments(str(record.get("path", "")))
        without_workspace = found[:1] + found[2:]
        if wanted in (found, without_workspace):
            try:
                matches.append(FolderRef.parse(record.get("folderId") or {"id": record.get("id")}))
            except (ValueError, TypeError, KeyError):
                continue
    if not matches:
        raise ConfigError(f"{what} {path!r} was not found on the instance")
    if len(set(matches)) > 1:
        raise ConfigError(f"{what} {path!r} names {len(set(matches))} folders (one per workspace?); "
                          "add the workspace as the second segment, e.g. 'Marketing Activities/Default/...'")
    return matches[0]


class Kit:
    """One run of the conformance kit against one instance."""

    def __init__(self, api: MarketoApi, recorder: AnswerRecorder, options: KitOptions, *,
                 suffix: str | None = None, steps: tuple[Step, ...] = STEPS) -> None:
        self.api = api
        self.recorder = recorder
        self.options = options
        self.steps = steps
        self.suffix = suffix or secrets.token_hex(3)
        self.ctx: Context | None = None

    def _calls(self) -> int:
        return int(self.api.client.stats.calls)

    def prepare(self) -> Context:
        """Resolve ``--parent`` and the template's folder (reads only)."""
        parent = resolve_folder(self.api, self.options.parent, what="--parent")
        template = None
        if self.options.template:
            parts = segments(self.options.template)
            if len(parts) < 2:
                raise ConfigError("--template must be a path 'Folder/.../Campaign Name'")
            folder = resolve_folder(self.api, "/".join(parts[:-1]), what="the --template folder")
            template = Template(self.options.template, folder, parts[-1])
        self.ctx = Context(api=self.api, recorder=self.recorder, scratch=Scratch(self.api), parent=parent,
                           suffix=self.suffix, template=template, keep=self.options.keep)
        return self.ctx

    def planned_calls(self) -> int:
        return sum(step.calls for step in self.steps)

    def describe(self) -> str:
        """The plan of calls with its cost, shown before anything is created."""
        ctx = self.ctx or self.prepare()
        calls = self.planned_calls()
        lines = [f"Conformance kit: {len(self.steps)} steps, about {calls} API calls "
                 f"({calls / DAILY_QUOTA:.2%} of a daily quota of {DAILY_QUOTA:,}; paced by the client's "
                 "rate limits), plus a few for cleanup if a step fails.",
                 f"It creates the folder {ctx.folder_name!r} under {self.options.parent!r} and works only inside "
                 "it. It never requests or schedules a campaign and never creates a lead.",
                 "Template: " + (f"{self.options.template!r} (cloned; the clone is activated only if its only "
                                 "trigger is 'Campaign is Requested')" if ctx.template else
                                 "none (clone and activation steps are skipped)"),
                 "Cleanup: " + ("the scratch folder and its content stay (--keep); active campaigns are "
                                "deactivated" if ctx.keep else "everything created is removed, newest first"),
                 ""]
        for number, step in enumerate(self.steps, 1):
            lines.append(f"  {number:>2}. {step.name:<24} {', '.join(step.endpoints)}  "
                         f"({step.calls} call{'s' if step.calls != 1 else ''})")
        return "\n".join(lines) + "\n"

    def run(self) -> Report:
        """Every step, then the cleanup, also after Ctrl-C (which the report then records)."""
        ctx = self.ctx or self.prepare()
        report = Report(scratch_folder=ctx.folder_name, kept=ctx.keep)
        start_calls = self._calls()
        pending = list(self.steps)
        try:
            while pending:
                step = pending[0]
                report.steps.append(self._run_step(ctx, step))
                pending.pop(0)
        except KeyboardInterrupt:
            report.interrupted = True
            for step in pending:
                report.steps.append(StepResult(step.name, step.endpoints, SKIPPED, "interrupted (Ctrl-C)"))
        finally:
            report.scratch_folder_id = ctx.folder.id if ctx.folder else None
            self._cleanup(ctx, report)
            report.calls = self._calls() - start_calls
        return report

    def _run_step(self, ctx: Context, step: Step) -> StepResult:
        check = Check(ctx)
        before = self._calls()
        self.recorder.last = None
        try:
            detail = step.run(ctx, check) or ""
        except Skip as why:
            return StepResult(step.name, step.endpoints, SKIPPED, str(why), calls=self._calls() - before)
        except MarketoSyncError as failure:
            return StepResult(step.name, step.endpoints, ERROR, inert(str(failure)), check.deviations,
                              calls=self._calls() - before)
        except (KeyError, TypeError, ValueError, AttributeError) as failure:  # an answer of another shape
            return StepResult(step.name, step.endpoints, ERROR, f"unexpected answer: {inert(repr(failure))}",
                              check.deviations, calls=self._calls() - before)
        status = DEVIATION if check.deviations else PASS
        return StepResult(step.name, step.endpoints, status, inert(detail), check.deviations,
                          calls=self._calls() - before)

    def _cleanup(self, ctx: Context, report: Report) -> None:
        try:
            ctx.scratch.remove_all(keep=ctx.keep, suffix=ctx.suffix)
        except KeyboardInterrupt:
            report.interrupted = True
            ctx.scratch.left += [Leftover(a.kind, a.name, a.id, a.link, "cleanup interrupted (Ctrl-C)")
                                 for a in ctx.scratch.assets if not ctx.scratch.is_left(a)]
        report.removed, report.left = list(ctx.scratch.removed), list(ctx.scratch.left)


def inert(text: str) -> str:
    """Text from Marketo made safe for a terminal or a log: control characters escaped."""
    return "".join(ch if ch.isprintable() else expect.shown(ch)[1:-1] for ch in text)
