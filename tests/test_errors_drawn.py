"""Every exception class of the package is drawn in the hierarchy of ``marketo_sync/errors.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import marketo_sync.errors

PACKAGE = Path(__file__).resolve().parents[1] / "marketo_sync"


def _exception_classes() -> list[tuple[str, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    (isinstance(b, ast.Name) and (b.id.endswith(("Error", "Exception", "Unknown", "Plan",
                                                                 "Sent", "Refused", "Conflict", "Errors"))
                                                  or b.id in ("Exception", "ValueError")))
                    or (isinstance(b, ast.Attribute) and b.attr.endswith("Error")) for b in node.bases):
                found.append((str(path.relative_to(PACKAGE)), node.name))
    return found


def test_every_exception_class_is_drawn():
    drawn = marketo_sync.errors.__doc__ or ""
    missing = [f"{name} ({where})" for where, name in _exception_classes() if name not in drawn]
    assert missing == [], "not in the hierarchy drawn in errors.py: " + ", ".join(missing)


def test_the_check_sees_the_known_classes():
    names = {name for _, name in _exception_classes()}
    assert {"PlanErrors", "OperationError", "NotSent", "SeedError", "AjoError"} <= names
