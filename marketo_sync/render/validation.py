"""``validate``'s report as data, JSON and GitHub workflow commands. Pure functions -> ``str``.

Every reason a :class:`~marketo_sync.errors.ValidationError` carries ends with
``(file, line N, column M)`` and may start with the field (``campaigns[0].name: …``):
:func:`problem` splits it into those parts, so a CI reads them without parsing prose.

* JSON (``format_version`` "1"): ``{"valid", "errors": [{environment, file, line, column, field,
  message}], "warnings": [the same shape], "checked": [{environment, campaigns, files, valid}]}``.
* GitHub: one ``::error file=…,line=…,col=…,title=…::message`` per error, which the runner shows
  on the pull request's diff; values are escaped as the runner requires (``%``, CR, LF, and
  ``:``/``,`` in properties), so a message can never end the command or start another.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = "1"

_POSITIONED = re.compile(r"(?s)(?P<body>.*) \((?P<file>[^()]*?), line (?P<line>\d+), column (?P<column>\d+)\)")
_FIELD = re.compile(r"(?s)(?P<field>[A-Za-z_$][\w$.\[\]-]*): (?P<message>.*)")


def problem(reason: str, environment: str | None = None) -> dict[str, Any]:
    """``field: message (file, line N, column M)`` as a mapping (missing parts are null)."""
    found = _POSITIONED.fullmatch(reason.strip())
    body = found.group("body") if found else reason.strip()
    named = _FIELD.fullmatch(body)
    return {
        "environment": environment,
        "file": found.group("file") if found else None,
        "line": int(found.group("line")) if found else None,
        "column": int(found.group("column")) if found else None,
        "field": named.group("field") if named else None,
        "message": named.group("message") if named else body,
    }


@dataclass
class Checked:
    """One environment's validation: counts when valid, the reasons when not."""

    environment: str
    campaigns: int = 0
    files: int = 0
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.reasons


def report_data(results: Sequence[Checked]) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "valid": all(r.valid for r in results),
        "errors": [problem(reason, r.environment) for r in results for reason in r.reasons],
        "warnings": [problem(warning, r.environment) for r in results for warning in r.warnings],
        "checked": [{"environment": r.environment, "campaigns": r.campaigns, "files": r.files,
                     "valid": r.valid} for r in results],
    }


def render_validation_json(results: Sequence[Checked]) -> str:
    return json.dumps(report_data(results), indent=2, ensure_ascii=False) + "\n"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(results: Sequence[Checked]) -> str:
    """Workflow commands: ``::error`` per error, then a ``::notice`` summary line."""
    lines: list[str] = []
    several = len(results) > 1
    for item in results:
        for kind, reason in [*(("error", r) for r in item.reasons), *(("warning", w) for w in item.warnings)]:
            found = problem(reason, item.environment)
            props = []
            if found["file"]:
                props += [f"file={_property(found['file'])}", f"line={found['line']}", f"col={found['column']}"]
            title = "marketo-sync validate" + (f" ({item.environment})" if several else "")
            if found["field"]:
                title += f": {found['field']}"
            props.append(f"title={_property(title)}")
            lines.append(f"::{kind} {','.join(props)}::{_data(found['message'])}")
    errors = sum(len(r.reasons) for r in results)
    summary = (f"{errors} error(s) in campaign files" if errors else
               "; ".join(f"{r.campaigns} campaign(s) in {r.files} file(s): valid"
                         + (f" (environment {r.environment})" if several else "") for r in results))
    lines.append(f"::{'error' if errors else 'notice'} title=marketo-sync validate::{_data(summary)}")
    return "\n".join(lines) + "\n"
