"""Reading Marketo's answers: ``{requestId, success, errors, warnings, result}``.

Marketo reports most errors with HTTP 200 and ``success: false``; "nothing found" is
usually a *success* with the warning "No assets found for the given search criteria." and
no ``result`` key (or the error 702). Both mean zero rows here. Anything that is not a
Marketo envelope (HTTP error, HTML from a proxy, cut-off JSON) is a transport failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

EMPTY_WARNING = "No assets found for the given search criteria."


@dataclass
class Envelope:
    """One parsed answer. ``code`` is the first error's code ("" on success)."""

    success: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    code: str = ""
    message: str = ""
    request_id: str | None = None
    warnings: list[Any] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """The "nothing found" answer, in either of its two forms."""
        return (self.success and not self.rows and _has_empty_warning(self.warnings)) or self.code == "702"


class NotAnEnvelope(ValueError):
    """The body is not JSON, or not a JSON object: a proxy page, a cut-off answer."""


def _has_empty_warning(warnings: list[Any]) -> bool:
    for warning in warnings:
        text = warning.get("message") if isinstance(warning, dict) else warning
        if isinstance(text, str) and text.strip() == EMPTY_WARNING:
            return True
    return False


def decode_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise NotAnEnvelope("the answer is not JSON") from None


def parse(body: bytes) -> Envelope:
    """Parse a REST answer body into an :class:`Envelope` (raise :class:`NotAnEnvelope`)."""
    data = decode_json(body)
    if not isinstance(data, dict) or "success" not in data:
        raise NotAnEnvelope("the answer is not a Marketo envelope")
    request_id = data.get("requestId")
    request_id = str(request_id) if request_id is not None else None
    warnings = data.get("warnings") or []
    if not isinstance(warnings, list):
        warnings = [warnings]
    if data.get("success") is True:
        result = data.get("result")
        rows = [r for r in result if isinstance(r, dict)] if isinstance(result, list) else []
        return Envelope(True, rows, request_id=request_id, warnings=warnings)
    errors = data.get("errors") or []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    code = str(first.get("code", "")).strip() or "unknown"
    messages = [str(e.get("message", "")) for e in errors if isinstance(e, dict)]
    message = "; ".join(m for m in messages if m) or "no error message"
    return Envelope(False, [], code=code, message=message, request_id=request_id, warnings=warnings)


def parse_token(body: bytes) -> tuple[str, float]:
    """The identity answer ``{access_token, expires_in, ...}`` as (token, seconds left)."""
    data = decode_json(body)
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str) or not data["access_token"]:
        raise NotAnEnvelope("the identity answer holds no access token")
    try:
        expires_in = float(data.get("expires_in", 0))
    except (TypeError, ValueError):
        expires_in = 0.0
    return data["access_token"], max(0.0, expires_in)
