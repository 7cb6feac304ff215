"""Paging through asset browse endpoints with ``offset`` / ``maxReturn``.

Asset browse endpoints have no page token: the caller moves ``offset`` by ``maxReturn``
(at most 200) until an answer is empty (the "No assets found" warning or 702, both
returned as ``[]`` by the client) or shorter than a full page. A full last page therefore
costs one more call that answers empty: 1,000 rows take 5 full pages plus 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

MAX_PAGE = 200

Fetch = Callable[[dict[str, Any]], list[dict[str, Any]]]


def iter_offset(fetch: Fetch, query: Mapping[str, Any] | None = None, *,
                page_size: int = MAX_PAGE) -> Iterator[dict[str, Any]]:
    """Yield every row; ``fetch(query)`` returns one page for a query with offset/maxReturn."""
    if not 1 <= page_size <= MAX_PAGE:
        raise ValueError(f"page_size must be 1..{MAX_PAGE}, not {page_size}")
    offset = 0
    while True:
        page_query = dict(query or {})
        page_query.update(offset=offset, maxReturn=page_size)
        rows = fetch(page_query)
        yield from rows
        if len(rows) < page_size:
            return
        offset += page_size
