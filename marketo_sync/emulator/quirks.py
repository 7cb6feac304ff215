"""Deliberate wrongness on request: the emulator renames one response field.

A conformance check is only worth something if it notices when the instance answers differently
from what the tool expects. ``rename_field`` makes the emulator answer ``{"active": ...}`` where
Marketo answers ``{"isActive": ...}`` (for example), so a test can show that the conformance kit
reports exactly that deviation. Off unless switched on through ``/_emulator/quirks`` or
:meth:`EmulatorServer.set_quirks`; ``POST /_emulator/reset`` leaves it alone, as it leaves faults.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

QUIRK_SETTINGS = frozenset({"rename_field"})


def _parse_rename(value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"from", "to"}:
        raise ValueError('rename_field must be {"from": FIELD, "to": FIELD} or null')
    old, new = value["from"], value["to"]
    if not isinstance(old, str) or not isinstance(new, str) or not old or not new or old == new:
        raise ValueError("rename_field needs two different, non-empty field names")
    return old, new


class Quirks:
    """The current deliberate deviations (thread-safe); applied to every successful API answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rename: tuple[str, str] | None = None

    def configure(self, settings: Any) -> None:
        """Validate a whole body first, then apply it (a bad body changes nothing)."""
        if not isinstance(settings, Mapping):
            raise ValueError("the body must be a JSON object")
        unknown = set(settings) - QUIRK_SETTINGS
        if unknown:
            raise ValueError(f"unknown quirks: {', '.join(sorted(unknown))}; known: {', '.join(sorted(QUIRK_SETTINGS))}")
        if "rename_field" in settings:
            rename = _parse_rename(settings["rename_field"])
            with self._lock:
                self._rename = rename

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            rename = self._rename
        return {"rename_field": {"from": rename[0], "to": rename[1]} if rename else None}

    def apply(self, body: Any) -> Any:
        """The body with the renamed field in each ``result`` record (top level of the record)."""
        with self._lock:
            rename = self._rename
        if rename is None or not isinstance(body, dict) or not isinstance(body.get("result"), list):
            return body
        old, new = rename
        records = []
        for record in body["result"]:
            if isinstance(record, dict) and old in record:
                record = {(new if key == old else key): value for key, value in record.items()}
            records.append(record)
        return dict(body, result=records)
