"""The architecture's rules, enforced: the imports and calls of every module, read with ``ast``.

The tree shows the pipeline (``desired/`` → ``remote/`` → ``plan/`` → ``apply/``, with ``render/``
for every view, ``client/`` for all HTTP and ``workflows/`` below the commands). These tests fail
when a change breaks one of its rules:

* the planner (``plan/``) never reaches the client or the reader: it is a pure function of the
  desired and remote states;
* the emulator imports nothing of the tool (it must stay a stand-in for Marketo, not a copy of
  the tool's beliefs about Marketo);
* nothing below the commands prints (``print``, ``sys.stdout``/``sys.stderr``, ``input``);
* HTTP (``requests``, ``urllib3``, ``http.client``, ``urllib.request``, ``socket``) and retry
  loops (``sleep``) live in ``client/`` only (the emulator, a server, is exempt for HTTP and sleep);
* a command module never imports another command module (shared CLI pieces live in
  ``commands/options.py``, shared logic in ``workflows/``).

Each rule is also checked against a small synthetic module, so that a rule that silently
stopped matching anything would fail here too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from marketo_sync.cli import COMMANDS

PACKAGE = Path(__file__).resolve().parents[1] / "marketo_sync"

HTTP_MODULES = ("requests", "urllib3", "http.client", "urllib.request", "socket", "http.server",
                "socketserver")
STAGES = ("desired", "remote", "plan", "apply", "render", "client", "emulator", "operations",
          "commands", "workflows")


@dataclass(frozen=True)
class Module:
    name: str          # dotted, e.g. "marketo_sync.plan.planner"
    path: Path
    tree: ast.Module

    @property
    def part(self) -> str:
        """The first package below ``marketo_sync`` ("plan", "cli", ...)."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else ""


def load(name: str, source: str, path: Path | None = None) -> Module:
    return Module(name, path or Path(name.replace(".", "/") + ".py"), ast.parse(source))


def package_modules() -> list[Module]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules.append(load(".".join(parts), path.read_text(encoding="utf-8"), path))
    return modules


def imports_of(module: Module) -> Iterator[tuple[str, int]]:
    """Every imported module name (absolute), with its line; ``from x import y`` yields x and x.y."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.name.split(".")
                if not module.path.name == "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


# -- the rules: each returns the violations of one module ----------------------------------------


def planner_reaches_client(module: Module) -> list[str]:
    if module.part != "plan":
        return []
    banned = ("marketo_sync.client", "marketo_sync.remote.read", "marketo_sync.workflows",
              "marketo_sync.apply", "requests")
    return [f"{module.name}:{line} imports {name}" for name, line in imports_of(module)
            if any(_within(name, b) for b in banned)]


def emulator_imports_tool(module: Module) -> list[str]:
    if module.part != "emulator":
        return []
    return [f"{module.name}:{line} imports {name}" for name, line in imports_of(module)
            if _within(name, "marketo_sync") and not _within(name, "marketo_sync.emulator")]


def _is_output(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "input"):
        return f"{node.func.id}()"
    if (isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr", "stdin")
            and isinstance(node.value, ast.Name) and node.value.id == "sys"):
        return f"sys.{node.attr}"
    return None


def prints_below_commands(module: Module) -> list[str]:
    if module.part in ("commands", "cli", "__main__") or module.name in ("marketo_sync.__main__",):
        return []
    found = []
    for node in ast.walk(module.tree):
        what = _is_output(node)
        if what:
            found.append(f"{module.name}:{getattr(node, 'lineno', '?')} uses {what}")
    return found


def http_outside_client(module: Module) -> list[str]:
    if module.part in ("client", "emulator"):
        return []
    found = [f"{module.name}:{line} imports {name}" for name, line in imports_of(module)
             if any(_within(name, m) for m in HTTP_MODULES)]
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called == "sleep":
                found.append(f"{module.name}:{node.lineno} calls sleep (a retry loop belongs in client/)")
    return found


def command_imports_command(module: Module) -> list[str]:
    if module.part != "commands" or module.name.rsplit(".", 1)[-1] not in COMMANDS:
        return []
    others = {f"marketo_sync.commands.{c}" for c in COMMANDS} - {module.name}
    return [f"{module.name}:{line} imports {name}" for name, line in imports_of(module)
            if any(_within(name, o) for o in others)]


RULES = {
    "the planner never reaches the client or the reader": planner_reaches_client,
    "the emulator imports only marketo_sync.emulator": emulator_imports_tool,
    "nothing below the commands prints": prints_below_commands,
    "HTTP and retry loops only in client/": http_outside_client,
    "a command never imports another command": command_imports_command,
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_package_keeps_the_rule(rule):
    violations = [v for module in package_modules() for v in RULES[rule](module)]
    assert violations == [], f"{rule}:\n" + "\n".join(violations)


# -- each rule catches what it is about (so that a rule cannot silently match nothing) -----------

BROKEN = {
    "the planner never reaches the client or the reader": (
        "marketo_sync.plan.planner", "from marketo_sync.remote.read import read_remote\n"),
    "the emulator imports only marketo_sync.emulator": (
        "marketo_sync.emulator.backend", "from marketo_sync.plan.changes import Change\n"),
    "nothing below the commands prints": (
        "marketo_sync.apply.applier", "import sys\ndef f():\n    sys.stderr.write('x')\n"),
    "HTTP and retry loops only in client/": (
        "marketo_sync.remote.read", "import time\ndef f():\n    time.sleep(1)\n"),
    "a command never imports another command": (
        "marketo_sync.commands.drift", "from marketo_sync.commands.plan import run\n"),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_catches_a_break(rule):
    name, source = BROKEN[rule]
    assert RULES[rule](load(name, source)), f"{rule!r} did not catch {source!r} in {name}"


def test_more_breaks_are_caught():
    assert http_outside_client(load("marketo_sync.workflows.plan", "import requests\n"))
    assert prints_below_commands(load("marketo_sync.render.plan", "print('hello')\n"))
    assert planner_reaches_client(load("marketo_sync.plan.plan", "from marketo_sync.client import MarketoApi\n"))
    assert emulator_imports_tool(load("marketo_sync.emulator.seed", "from ..refs import FolderRef\n",
                                      Path("marketo_sync/emulator/seed.py")))
    # what is allowed stays allowed
    assert not command_imports_command(load("marketo_sync.commands.plan",
                                            "from marketo_sync.commands.options import use_color\n"))
    assert not http_outside_client(load("marketo_sync.client.transport", "import requests\n"))
    assert not prints_below_commands(load("marketo_sync.commands.plan", "print('plan')\n"))


def test_the_tree_shows_the_pipeline():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert set(STAGES) <= packages, f"missing stage packages: {sorted(set(STAGES) - packages)}"
    assert not [p for p in PACKAGE.rglob("*_common.py")], "no module named *_common"
    assert not (PACKAGE / "ajo").exists(), "AJO's HTTP lives in client/"
