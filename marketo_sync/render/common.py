"""What every view shares: how a change's target, an id and a value are written, and the
markdown that keeps user text inert.

Markdown rule (issue 9): **every user-supplied string** (names, paths, descriptions, token values,
what Marketo returned) reaches a comment only through :func:`code`: inside a code span, a
``@mention``, an HTML tag, ``</details>``, ``<!--``, a link or an issue reference is shown
literally, never acted on. :func:`code` picks a backtick fence longer than any run of backticks in
the text, turns line breaks into spaces and, in a table, escapes pipes. Only our own words are
written outside code spans.
"""

from __future__ import annotations

import json
import re
from typing import Any

from marketo_sync.plan.changes import CampaignChange, Change, ContainerChange, TokenChange, target_text

__all__ = ["cell", "code", "id_suffix", "inert", "md_inline", "md_link", "target_of", "value_text"]

#: What a name may not bring to a terminal or log: C0 and C1 controls (line breaks, escape
#: sequences, NUL), DEL, the Unicode line and paragraph separators, and the bidirectional
#: overrides and isolates that reorder what is shown.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    number = ord(ch)
    return f"\\x{number:02x}" if number < 0x100 else f"\\u{number:04x}"


def inert(text: Any) -> str:
    """A name, path or any text from the files or the instance, for a terminal or a log.

    Control characters are written visibly (``\\n``, ``\\x00``, ``\\u2028``), so no value can
    start a new line, move the cursor or colour the output: it stays on the line the tool gave it
    and cannot look like the tool's own words. Other text is returned as it is.
    """
    text = str(text)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def value_text(value: Any) -> str:
    """A value as JSON: strings quoted (non-ASCII kept, control characters escaped), numbers and
    booleans bare."""
    if isinstance(value, str):
        return inert(json.dumps(value, ensure_ascii=False))
    return json.dumps(value)


def target_of(change: Change, *, with_id: bool = True) -> str:
    """``Folder/…/Name (id 123)`` or ``Folder {{my.Token}}``; ``with_id=False`` omits the id."""
    if isinstance(change, CampaignChange) and not with_id:
        return inert(change.campaign.path)
    if isinstance(change, ContainerChange) and not with_id:
        return inert(change.container.path)
    if isinstance(change, CampaignChange | TokenChange | ContainerChange):
        return inert(target_text(change))
    return inert(change.key)


def id_suffix(campaign_id: int | None) -> str:
    return f" (id {campaign_id})" if campaign_id is not None else ""


def md_inline(text: str) -> str:
    """Escape what would break a table cell or inline code (pipes, backticks, line breaks)."""
    return text.replace("|", "\\|").replace("`", "'").replace("\n", " ")


def cell(text: str, limit: int = 300) -> str:
    """A table cell: escaped, and cut with an ellipsis beyond ``limit`` characters."""
    text = md_inline(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def code(text: Any, *, table: bool = False, limit: int | None = None) -> str:
    """``text`` as an inert inline code span (see the module docstring); cut at ``limit``.

    In a table (``table=True``) pipes are escaped; a backslash just before a pipe becomes ``⧵``,
    since GitHub's table parser would read ``\\|`` as a backslash and a cell border.
    """
    flat = _cut(re.sub(r"[\r\n\t\f\v\u2028\u2029]+", " ", str(text)), limit)
    if not flat.strip():
        return "(empty)" if not flat else f"`{flat}`" if "`" not in flat else "(blank)"
    if table:
        flat = flat.replace("\\|", "⧵|").replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or (flat.startswith(" ") and flat.endswith(" ")) else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


#: Links are written only to addresses of this shape (Marketo's ``computedUrl``).
_SAFE_URL = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]+)?/#[A-Za-z0-9]+")


def md_link(text: str, url: str | None) -> str:
    """``[text](url)`` for a well-formed UI address, else nothing (``text`` is ours, not the user's)."""
    return f"[{text}]({url})" if url and _SAFE_URL.fullmatch(url) else ""
