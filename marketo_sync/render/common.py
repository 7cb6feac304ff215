"""What every view shares: how a change's target, an id and a value are written, and the
escaping that keeps user text from breaking a markdown table or code span.

One copy, used by the plan, drift and receipt views alike.
"""

from __future__ import annotations

import json
from typing import Any

from marketo_sync.plan.changes import CampaignChange, Change, TokenChange, target_text

__all__ = ["cell", "id_suffix", "md_inline", "target_of", "value_text"]


def value_text(value: Any) -> str:
    """A value as JSON: strings quoted (non-ASCII kept), numbers and booleans bare."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


def target_of(change: Change, *, with_id: bool = True) -> str:
    """``Folder/…/Name (id 123)`` or ``Folder {{my.Token}}``; ``with_id=False`` omits the id."""
    if isinstance(change, CampaignChange) and not with_id:
        return change.campaign.path
    if isinstance(change, CampaignChange | TokenChange):
        return target_text(change)
    return change.key


def id_suffix(campaign_id: int | None) -> str:
    return f" (id {campaign_id})" if campaign_id is not None else ""


def md_inline(text: str) -> str:
    """Escape what would break a table cell or inline code (pipes, backticks, line breaks)."""
    return text.replace("|", "\\|").replace("`", "'").replace("\n", " ")


def cell(text: str, limit: int = 300) -> str:
    """A table cell: escaped, and cut with an ellipsis beyond ``limit`` characters."""
    text = md_inline(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
