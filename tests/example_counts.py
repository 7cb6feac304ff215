"""What the example instance (``examples/instance.yaml``) holds, counted from the seed itself.

Tests that count the seed's contents derive their expectation from here, so adding to the seed
(a template program, a campaign) changes the expectation with it instead of breaking a number.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from marketo_sync.emulator.seed import example_seed_path, read_seed_file


@cache
def _seed() -> dict[str, Any]:
    return read_seed_file(example_seed_path())


def _walk(node: dict[str, Any], kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    yield kind, node
    for child in node.get("folders") or []:
        yield from _walk(child, "Folder")
    for child in node.get("programs") or []:
        yield from _walk(child, "Program")


def containers(kind: str | None = None) -> list[dict[str, Any]]:
    """Every folder and program of the seed (``kind``: only "Folder" or "Program")."""
    found = [(k, n) for root in _seed()["folders"] for k, n in _walk(root, "Folder")]
    return [n for k, n in found if kind is None or k == kind]


def campaigns() -> list[dict[str, Any]]:
    """Every campaign of the seed, in folders and programs."""
    return [c for node in containers() for c in node.get("campaigns") or []]


def campaign_ids() -> list[int]:
    return sorted(int(c["id"]) for c in campaigns())


def program_ids() -> list[int]:
    return sorted(int(p["id"]) for p in containers("Program"))
