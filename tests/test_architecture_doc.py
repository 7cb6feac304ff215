"""docs/architecture.md stays true to the tree: every package and every command is on it."""

from __future__ import annotations

from pathlib import Path

from marketo_sync.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_and_command_is_documented():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(p.name for p in (ROOT / "marketo_sync").iterdir() if (p / "__init__.py").is_file())
    missing = [f"{p}/" for p in packages if f"`{p}/`" not in page]
    missing += [f"command {c}" for c in COMMANDS if f"| `{c}` |" not in page]
    assert missing == [], "docs/architecture.md does not mention: " + ", ".join(missing)
