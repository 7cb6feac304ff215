"""What an in-place update of a campaign or a program sends: the name and description that differ."""

from __future__ import annotations

from typing import Any

from marketo_sync.remote.state import normalise_description


def name_and_description(current_name: str, current_description: str, name: str,
                         description: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(before, after)`` holding only what differs; a ``None`` description is not managed.

    Descriptions compare as Marketo stores them (``" "`` and empty are the same).
    """
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if name != current_name:
        before["name"], after["name"] = current_name, name
    if description is not None:
        wanted = normalise_description(description)
        if wanted != current_description:
            before["description"], after["description"] = current_description, wanted
    return before, after
