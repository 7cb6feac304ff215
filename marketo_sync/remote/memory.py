"""The instance's campaign count, remembered between runs in ``.marketo-sync/instance-counts.json``.

The read strategy (``remote/strategy.py``) prices one browse of the whole instance by its
campaign count, which no endpoint gives. The count seen by the last run is the best estimate
for the next: it is kept per instance (the secret-free host, as plans are bound to it), with
``at_least`` when a run only learned a lower bound. A missing or unreadable file is no memory:
the strategy then estimates from the folder tree.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from marketo_sync import atomic

log = logging.getLogger(__name__)

FILE = "instance-counts.json"


def recall(state_dir: Path, instance: str) -> int | None:
    """The campaign count (or its lower bound) remembered for ``instance``, or None."""
    entry = _load(state_dir / FILE).get(instance)
    if not isinstance(entry, dict):
        return None
    value = entry.get("campaigns", entry.get("at_least"))
    return int(value) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def remember(state_dir: Path, instance: str, *, campaigns: int | None, at_least: int = 0) -> None:
    """Keep what this run learned; nothing is written when it learned nothing."""
    if campaigns is None and at_least <= 0:
        return
    path = state_dir / FILE
    counts = _load(path)
    counts[instance] = {"campaigns": campaigns} if campaigns is not None else {"at_least": at_least}
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, json.dumps(counts, indent=1, sort_keys=True))  # never a half-written file
    except OSError as error:  # a read-only checkout still plans; the next run estimates again
        log.info("could not remember the instance's campaign count in %s: %s", path, error)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
