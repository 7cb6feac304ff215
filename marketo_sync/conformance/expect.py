"""What marketo-sync expects of Marketo's answers, and how an answer is compared with it.

The shapes are those of Adobe's documented examples (AdobeDocs/marketo-developer.en) that the
tool reads: field names, JSON types, the ``2016-09-10T23:16:19Z+0000`` date format and the
envelope (``success``, ``requestId``, string error codes). Fields an answer has on top are
never a deviation (Marketo adds fields over time); a missing or differently typed field is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\+0000$")
REQUEST_ID = re.compile(r"^[0-9a-f]+#[0-9a-f]+$")
MISSING = "(missing)"
NO_ASSETS = "No assets found for the given search criteria."
SHOWN_CHARS = 80


@dataclass(frozen=True)
class Deviation:
    """One field that differs from what the tool expects: its name and both values."""

    field: str
    expected: str
    actual: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "expected": self.expected, "actual": self.actual}


def shown(value: Any) -> str:
    """A value as the report shows it: JSON, cut to a readable length."""
    if value is MISSING:
        return MISSING
    text = json.dumps(value, ensure_ascii=False, default=str)  # escapes control characters: inert
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + "…"


def parse_date(value: Any) -> datetime | None:
    """A record date (``2016-09-10T23:16:19Z+0000``) as an aware datetime; None if unreadable."""
    if not isinstance(value, str) or not DATE.match(value):
        return None
    return datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def query_date(moment: datetime) -> str:
    """A date for ``earliestUpdatedAt``/``latestUpdatedAt`` as Adobe's example writes it (ISO 8601)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


# -- field kinds ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    """A JSON type with a name for the report (``integer``, ``date 2016-09-10T23:16:19Z+0000``...)."""

    name: str
    accepts: Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_ref(value: Any) -> bool:
    return (isinstance(value, Mapping) and _is_int(value.get("id"))
            and str(value.get("type", "")).lower() in ("folder", "program"))


def _is_program_folder(value: Any) -> bool:
    return (isinstance(value, Mapping) and _is_int(value.get("value"))
            and str(value.get("type", "")).lower() in ("folder", "program") and "folderName" in value)


INT = Kind("integer", _is_int)
STR = Kind("string", lambda v: isinstance(v, str))
BOOL = Kind("boolean", lambda v: isinstance(v, bool))
OBJECT = Kind("object", lambda v: isinstance(v, Mapping))
LIST = Kind("array", lambda v: isinstance(v, list))
DATE_KIND = Kind("date like 2016-09-10T23:16:19Z+0000", lambda v: isinstance(v, str) and bool(DATE.match(v)))
REF = Kind('{"id": integer, "type": "Folder"|"Program"}', _is_ref)
OPTIONAL_REF = Kind('null or {"id": integer, "type": "Folder"|"Program"}', lambda v: v is None or _is_ref(v))
PROGRAM_FOLDER = Kind('{"type", "value": integer, "folderName"}', _is_program_folder)
OPTIONAL_STR = Kind("string or null", lambda v: v is None or isinstance(v, str))


def one_of(*values: str) -> Kind:
    return Kind(" | ".join(f'"{v}"' for v in values), lambda v: isinstance(v, str) and v in values)


Shape = Mapping[str, Kind]

CAMPAIGN: Shape = {
    "id": INT, "name": STR, "description": STR, "createdAt": DATE_KIND, "updatedAt": DATE_KIND, "folder": REF,
    "status": STR, "type": one_of("batch", "default", "trigger"), "isSystem": BOOL, "isActive": BOOL,
    "isRequestable": BOOL, "isCommunicationLimitEnabled": BOOL, "recurrence": OBJECT,
    "qualificationRuleType": one_of("once", "any", "interval"), "workspace": STR, "smartListId": INT,
    "flowId": INT, "computedUrl": STR,
}
FOLDER: Shape = {
    "id": INT, "name": STR, "createdAt": DATE_KIND, "updatedAt": DATE_KIND, "url": OPTIONAL_STR,
    "folderId": REF, "folderType": STR, "parent": OPTIONAL_REF, "path": STR, "isArchive": BOOL,
    "isSystem": BOOL, "workspace": STR,
}
PROGRAM: Shape = {
    "id": INT, "name": STR, "description": STR, "createdAt": DATE_KIND, "updatedAt": DATE_KIND, "url": STR,
    "type": STR, "channel": STR, "folder": PROGRAM_FOLDER, "status": STR, "workspace": STR,
}
TOKEN_ROW: Shape = {"folder": OBJECT, "tokens": LIST}
TOKEN: Shape = {"name": STR, "type": STR, "value": STR}
CONTENT_ITEM: Shape = {"id": INT, "type": STR}
ID_ROW: Shape = {"id": INT}
SMART_LIST: Shape = {"id": INT, "name": STR, "rules": OBJECT}


def compare(record: Any, shape: Shape, where: str = "") -> list[Deviation]:
    """Every expected field that is missing or of another type (extra fields are fine)."""
    prefix = f"{where}." if where else ""
    if not isinstance(record, Mapping):
        return [Deviation(where or "result", "object", shown(record))]
    found = []
    for name, kind in shape.items():
        value = record.get(name, MISSING) if name in record else MISSING
        if value is MISSING or not kind.accepts(value):
            found.append(Deviation(prefix + name, kind.name, shown(value)))
    return found


def values(record: Any, expected: Mapping[str, Any], shape: Shape | None = None) -> list[Deviation]:
    """Expected values of fields; a field the shape check already reported is not reported twice."""
    if not isinstance(record, Mapping):
        return []
    broken = {d.field for d in compare(record, shape)} if shape else set()
    found = []
    for name, want in expected.items():
        if name in broken:
            continue
        got = record.get(name, MISSING) if name in record else MISSING
        if got != want:
            found.append(Deviation(name, shown(want), shown(got)))
    return found


# -- the envelope -----------------------------------------------------------------------------------
def envelope(body: Any) -> list[Deviation]:
    """What the client relies on in every successful REST answer (the last one of a call)."""
    if body is None:
        return []  # nothing recorded (a call answered from the client's own knowledge)
    if not isinstance(body, Mapping):
        return [Deviation("envelope", "a JSON object", shown(body))]
    if body.get("success") is False and error_code(body) == "702":
        return []  # "no data found": the other documented form of an empty read
    found = []
    if body.get("success") is not True:
        found.append(Deviation("success", "true", shown(body.get("success", MISSING))))
    request_id = body.get("requestId", MISSING)
    if not (isinstance(request_id, str) and REQUEST_ID.match(request_id)):
        found.append(Deviation("requestId", 'string like "7883#169838a32f0"', shown(request_id)))
    for name in ("result", "warnings", "errors"):
        if name in body and not isinstance(body[name], list):
            found.append(Deviation(name, "array", shown(body[name])))
    return found


def empty_read(body: Any) -> list[Deviation]:
    """A read that matches nothing, in one of its two documented forms: ``success`` with the
    "No assets found for the given search criteria." warning and no ``result``, or error 702."""
    if not isinstance(body, Mapping) or (body.get("success") is False and error_code(body) == "702"):
        return envelope(body)
    found = envelope(body)
    if "result" in body:
        if body["result"] != []:
            found.append(Deviation("result", "no result (nothing matches)", shown(body["result"])))
        return found
    warnings = body.get("warnings")
    texts = [w.get("message") if isinstance(w, Mapping) else w for w in warnings] if isinstance(warnings, list) else []
    if not any(isinstance(t, str) and t.strip() == NO_ASSETS for t in texts):
        found.append(Deviation("warnings", f'["{NO_ASSETS}"] (or error 702)', shown(body.get("warnings", MISSING))))
    return found


def error_code(body: Any) -> str | None:
    """The first error code of a refusal, as the string Marketo sends (None if none)."""
    if not isinstance(body, Mapping):
        return None
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        code = errors[0].get("code")
        return None if code is None else str(code) if isinstance(code, str) else repr(code)
    return None


def refusal(body: Any, code: str) -> list[Deviation]:
    """A refusal as the tool expects it: ``success: false`` and the code as a string."""
    if not isinstance(body, Mapping):
        return [Deviation("envelope", "a JSON object", shown(body))]
    found = []
    if body.get("success") is not False:
        found.append(Deviation("success", "false", shown(body.get("success", MISSING))))
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], Mapping) else {}
    got = first.get("code", MISSING)
    if got != code:
        found.append(Deviation("errors[0].code", f'"{code}"', shown(got)))
    return found
