"""References to Marketo containers (folders and programs), shared by every layer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

FolderType = Literal["Folder", "Program"]


@dataclass(frozen=True, order=True)
class FolderRef:
    """A Marketing Activities container: a folder or a program.

    Folder ids and program ids are separate id spaces in Marketo, so an id alone is
    ambiguous: the type always travels with it.
    """

    id: int
    type: FolderType = "Folder"

    @classmethod
    def parse(cls, value: Any) -> FolderRef:
        """Accept ``{"id": 1, "type": "folder"}`` (any casing), or Marketo's ``{"value": 1, ...}``."""
        if isinstance(value, FolderRef):
            return value
        if isinstance(value, str):
            value = json.loads(value)
        if not isinstance(value, dict):
            raise ValueError(f"not a folder reference: {value!r}")
        raw_id = value.get("id", value.get("value"))
        if raw_id is None:
            raise ValueError("a folder reference needs an id")
        raw_type = str(value.get("type", "Folder")).strip().lower()
        if raw_type not in ("folder", "program"):
            raise ValueError(f"folder type must be Folder or Program, not {value.get('type')!r}")
        return cls(int(raw_id), "Program" if raw_type == "program" else "Folder")

    @classmethod
    def parse_or_none(cls, value: Any) -> FolderRef | None:
        """:meth:`parse`, or None for an empty or unreadable reference (records without a parent)."""
        if value in (None, "", {}):
            return None
        try:
            return cls.parse(value)
        except (ValueError, TypeError, KeyError):
            return None

    def to_json(self) -> str:
        """The JSON string Marketo expects in ``folder`` / ``root`` / ``parent`` parameters."""
        return json.dumps({"id": self.id, "type": self.type}, separators=(",", ":"))

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type}

    def __str__(self) -> str:
        return f"{self.type} {self.id}"
