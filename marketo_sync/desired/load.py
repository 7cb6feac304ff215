"""Desired state: what the campaign files declare, loaded and validated offline.

``load_desired`` reads every campaign file (``campaigns/**/*.yaml``), substitutes the
environment's ``${variables}``, validates each file against ``schemas/campaigns.schema.json``
and then checks the Marketo rules no schema can express (duplicates across files, activation
without a template, ...). It collects **every** problem, each placed at
``file, line N, column M`` with its field, and raises one :class:`ValidationError`, so a
user fixes all of them in one pass and no API call is ever made for invalid files.

The dataclasses it builds (:mod:`marketo_sync.desired.model`) are the contract with the
reader and the planner.
"""

from __future__ import annotations

import gc
import glob
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marketo_sync.desired import names, schema
from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.desired.flow import parse_flow
from marketo_sync.desired.model import (
    CreatableFolder,
    DesiredCampaign,
    DesiredProgram,
    DesiredState,
    DesiredToken,
    Location,
    ManagedFolder,
    ParentSpec,
)
from marketo_sync.desired.yaml_loader import Problem
from marketo_sync.errors import ValidationError
from marketo_sync.refs import FolderRef

# -- loading -------------------------------------------------------------------------------

SCHEMA = "campaigns.schema.json"
_PATTERNS = ("*.yaml", "*.yml")
_VARIABLE = re.compile(r"\$(\$?)\{([^}]*)\}")
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def load_desired(paths: Iterable[Path | str], *, root: Path | None = None,
                 variables: Mapping[str, str] | None = None, environment: str = "",
                 environments: Iterable[str] | None = None,
                 max_file_bytes: int = _yaml.DEFAULT_MAX_BYTES) -> DesiredState:
    """Load and validate every campaign file under ``paths`` (files, directories or globs).

    ``root`` is the project root: relative ``paths`` are taken from it, and file names in
    messages and :class:`Location` are shown relative to it. ``variables`` are the
    environment's values for ``${name}``; ``environment`` names it in messages and picks its
    entry of a per-environment ``id`` mapping. ``environments`` (the project's names, when
    known) catches a misspelt key of such a mapping, which would otherwise never match. A file
    over ``max_file_bytes`` is refused unread.

    Raises :class:`ValidationError` with every reason when anything is wrong.
    """
    base = Path(root) if root is not None else Path.cwd()
    paths = list(paths)
    files, reasons = find_campaign_files(paths, base)
    loader = _Loader(dict(variables or {}), environment, max_file_bytes)
    loader.environments = None if environments is None else frozenset(environments)
    with _collector_paused():
        for path in files:
            loader.load_file(path, display_name(path, base))
    reasons.extend(loader.reasons)
    if not files and not reasons:
        looked = ", ".join(display_name(base / p, base) or "." for p in paths) or "(no path given)"
        reasons.append(f"no campaign files found: looked for {' and '.join(_PATTERNS)} in {looked}")
    if reasons:
        raise ValidationError(reasons)
    return DesiredState(programs=tuple(loader.programs), create_folders=tuple(loader.create_folders),
                        campaigns=tuple(loader.campaigns), folders=tuple(loader.folders),
                        tokens=tuple(loader.tokens), files=tuple(loader.files),
                        warnings=tuple(loader.warnings))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the files are read.

    Loading creates hundreds of thousands of objects that all live on (nothing it builds is
    garbage), and each of CPython's generation-2 passes walks all of them again: at 50,000
    campaigns the passes took about 40 % of ``validate``. Reference counting still frees
    what dies; the collector is restored (and runs again as usual) afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def display_name(path: Path, root: Path) -> str:
    """The file as messages show it: relative to the project root when inside it."""
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def find_campaign_files(paths: Iterable[Path | str], root: Path) -> tuple[list[Path], list[str]]:
    """Every ``*.yaml`` / ``*.yml`` file the paths name, sorted, once each; missing paths are reasons.

    Hidden files and directories (``.git``, ``.marketo-sync``) are skipped.
    """
    found: dict[Path, None] = {}
    reasons: list[str] = []
    for raw in paths:
        path = Path(raw)
        full = path if path.is_absolute() else root / path
        if glob.has_magic(str(raw)):
            matches = sorted(Path(m) for m in glob.glob(str(full), recursive=True))
            if not matches:
                reasons.append(f"no file matches {str(raw)!r} (relative to {display_name(root, root) or '.'})")
            for match in matches:
                if match.is_dir():
                    found.update(dict.fromkeys(_yaml_files(match)))
                else:
                    found[match] = None
        elif full.is_dir():
            found.update(dict.fromkeys(_yaml_files(full)))
        elif full.is_file():
            found[full] = None
        else:
            shown = display_name(full, root)
            where = "" if shown == str(full) else f" (looked at {full})"
            reasons.append(f"campaign path {shown!r} does not exist{where}")
    return list(found), reasons


def _yaml_files(directory: Path) -> list[Path]:
    files = {f for pattern in _PATTERNS for f in directory.rglob(pattern) if f.is_file()}
    visible = [f for f in files if not any(part.startswith(".") for part in f.relative_to(directory).parts)]
    return sorted(visible)


def normalise_path(path: str) -> str:
    """``" /A / B/ "`` -> ``"A/B"``: the form the planner resolves (segments stripped)."""
    return "/".join(s.strip() for s in path.split("/") if s.strip())


def parent_key(spec: ParentSpec) -> tuple[Any, ...]:
    """A comparable identity for a parent: names compare without regard to case, as Marketo does."""
    if isinstance(spec, FolderRef):
        return ("ref", spec.type, spec.id)
    return ("path", spec.casefold())


@dataclass
class _First:
    """Where something was first declared, to name both places in a conflict."""

    location: Location
    value: Any = None


class _Loader:
    """Accumulates the state and every reason across files (one instance per load)."""

    def __init__(self, variables: dict[str, str], environment: str,
                 max_file_bytes: int = _yaml.DEFAULT_MAX_BYTES) -> None:
        self.variables = variables
        self.environment = environment
        self.max_file_bytes = max_file_bytes
        self.reasons: list[str] = []
        self.warnings: list[str] = []
        self.campaigns: list[DesiredCampaign] = []
        self.folders: list[ManagedFolder] = []
        self.tokens: list[DesiredToken] = []
        self.files: list[str] = []
        self.programs: list[DesiredProgram] = []
        self.create_folders: list[CreatableFolder] = []
        self.seen_programs: dict[str, _First] = {}
        self.seen_campaigns: dict[tuple[Any, ...], _First] = {}
        self.seen_ids: dict[int, _First] = {}
        self.seen_tokens: dict[tuple[Any, ...], _First] = {}
        self.seen_managed: dict[tuple[Any, ...], _First] = {}
        self.seen_previous: dict[tuple[Any, ...], _First] = {}
        self.seen_previous_programs: dict[str, _First] = {}
        self.environments: frozenset[str] | None = None

    # -- one file ----------------------------------------------------------------------
    def load_file(self, path: Path, name: str) -> None:
        self.files.append(name)
        try:
            text = _yaml.read_text(path, max_bytes=self.max_file_bytes)
        except _yaml.FileRefused as error:
            self.reasons.append(f"cannot read the file: {error} ({name})")
            return
        document, problems = _yaml.load(text, name, max_bytes=self.max_file_bytes)
        if document is None and not problems:
            return  # an empty file declares nothing
        problems = [*problems, *self.substitute(document, [])]
        schema_problems = schema.check(document, SCHEMA) if document is not None else []
        problems.extend(schema_problems)
        bad = {p.key for p in schema_problems}
        text_errors, text_warnings = names.check_document(document)
        problems.extend(p for p in text_errors if p.key not in bad)
        self.warnings.extend(schema.format_problem(name, p) for p in text_warnings)
        if document is not None and not any(k == "(file)" for k in bad):
            problems.extend(self.build(document, name, bad))
        ordered = sorted(dict.fromkeys(problems), key=lambda p: (p.mark.line, p.mark.column))
        self.reasons.extend(schema.format_problem(name, p) for p in ordered)

    def substitute(self, node: Any, path: list[Any]) -> list[Problem]:
        """Replace ``${name}`` in every string value, in place; ``$${`` writes a literal ``${``."""
        problems: list[Problem] = []
        items: Iterable[tuple[Any, Any]]
        if isinstance(node, dict):
            items = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            return problems
        for key, value in items:
            if isinstance(value, str) and "${" in value:
                node[key], unknown = self._expand(value)
                for message in unknown:
                    problems.append(Problem(message, _yaml.mark_of(node, [key]),
                                            _yaml.field_name([*path, key])))
            elif isinstance(value, dict | list):
                problems.extend(self.substitute(value, [*path, key]))
        return problems

    def _expand(self, text: str) -> tuple[str, list[str]]:
        unknown: list[str] = []

        def replace(match: re.Match[str]) -> str:
            escaped, name = match.group(1), match.group(2).strip()
            if escaped:
                return match.group(0)[1:]
            if not _VARIABLE_NAME.match(name):
                unknown.append(f"${{{match.group(2)}}} is not a valid variable reference "
                               "(write ${name}; $${ writes a literal ${)")
                return match.group(0)
            if name not in self.variables:
                env = f"environment {self.environment!r}" if self.environment else "the environment"
                known = ", ".join(sorted(self.variables)) or "none"
                unknown.append(f"unknown variable ${{{name}}}: {env} defines {known}")
                return match.group(0)
            return str(self.variables[name])

        return _VARIABLE.sub(replace, text), unknown

    # -- semantic checks -----------------------------------------------------------------
    def build(self, document: _yaml.ContextDict, file: str, bad: set[str]) -> list[Problem]:
        """Turn a schema-valid part of one file into dataclasses; check what the schema cannot."""
        problems: list[Problem] = []

        def broken(field: str) -> bool:
            return any(k == field or k.startswith((field + ".", field + "[")) for k in bad)

        def at(path: list[Any], *, key: bool = False) -> Location:
            mark = _yaml.mark_of(document, path, key=key)
            return Location(file, mark.line, mark.column)

        def problem(message: str, path: list[Any], *, key: bool = False) -> None:
            problems.append(Problem(message, _yaml.mark_of(document, path, key=key), _yaml.field_name(path)))

        default: ParentSpec | None = None
        if "folder" in document and not broken("folder"):
            default = _parent(document["folder"])

        if "program" in document and not broken("program"):
            self._program(document["program"], default, at(["program"]), problem)
        if document.get("create_folder") is True and not broken("create_folder"):
            if isinstance(default, str):
                self.create_folders.append(CreatableFolder(default, at(["create_folder"])))
            elif default is not None:
                problem("`create_folder` creates the folders of a path, and the file's `folder` is an id",
                        ["create_folder"])
            elif "folder" not in document:
                problem("`create_folder` applies to the file's `folder`, and this file has none", ["create_folder"])

        if "managed" in document and not broken("managed"):
            if default is None:
                if "folder" not in document:
                    problem("`managed` applies to the file's `folder`, and this file has none", ["managed"])
            else:
                self._managed(default, document["managed"], at(["managed"]), problem)

        for index, token in enumerate(document.get("tokens") or []):
            path = ["tokens", index]
            if broken(_yaml.field_name(path)) or "tokens" in bad:
                continue
            if default is None:
                if "folder" not in document:
                    problem("tokens belong to the file's `folder` (a program), and this file has none",
                            path)
                continue
            self._token(default, token, at(path), problem, path)

        for index, raw in enumerate(document.get("campaigns") or []):
            path = ["campaigns", index]
            if broken(_yaml.field_name(path)) or "campaigns" in bad:
                continue
            folder: ParentSpec | None = _parent(raw["folder"]) if "folder" in raw else default
            if folder is None:
                if "folder" not in document:
                    problem(f"campaign {raw['name']!r} has no folder: set `folder` on it or at the top "
                            "of the file", path)
                continue
            self._campaign(raw, folder, at(path), problem, path)
        return problems

    def _program(self, raw: _yaml.ContextDict, folder: ParentSpec | None, location: Location,
                 problem: Any) -> None:
        """The ``program:`` block: what the schema cannot say (needs a path; template or type)."""
        if not isinstance(folder, str):
            problem("`program` declares the program that the file's `folder` names, so `folder` must be "
                    "the program's path (Marketing Activities/…/Program Name)", ["program"])
            return
        template = raw.get("template")
        if isinstance(template, str):
            template = normalise_path(template)
        elif isinstance(template, Mapping):
            template = int(template["id"])
        kind, channel = raw.get("type"), raw.get("channel")
        if template is not None and (kind is not None or channel is not None):
            key = "type" if kind is not None else "channel"
            problem(f"`{key}` is used only when the program is created without a template (a clone keeps "
                    "its template's type and channel): remove it or the template", ["program", key])
            return
        if template is None and (kind is None) != (channel is None):
            missing = "channel" if channel is None else "type"
            problem(f"a program created without a template needs both `type` and `channel`; `{missing}` is "
                    "missing", ["program"])
            return
        key = folder.casefold()
        first = self.seen_programs.get(key)
        if first is not None:
            problem(f"program {folder!r} is declared twice: here and at {first.location}", ["program"])
            return
        self.seen_programs[key] = _First(location)
        previous = self._previous_program_names(raw, folder, location, problem)
        tags = tuple((str(k), str(v)) for k, v in (raw.get("tags") or {}).items())
        self.programs.append(DesiredProgram(
            path=folder, location=location, template=template, type=kind, channel=channel,
            description=raw.get("description"), tags=tags, id=raw.get("id"), previous_names=previous))

    def _previous_program_names(self, raw: _yaml.ContextDict, folder: str, location: Location,
                                problem: Any) -> tuple[str, ...]:
        """``program.previous_names``: none may be the program's own name, and the program a
        file declares is never also another file's previous name (which one is meant?)."""
        parent, _, name = folder.rpartition("/")
        key = folder.casefold()
        declared_here = self.seen_previous_programs.get(key)
        if declared_here is not None:
            problem(f"program {folder!r} is declared here and is a previous name of another program at "
                    f"{declared_here.location}: a renamed program is declared once, by its new name", ["program"])
        names: list[str] = []
        for index, previous in enumerate(raw.get("previous_names") or []):
            path = f"{parent}/{previous.strip()}"
            if previous.strip().casefold() == name.casefold():
                problem(f"previous name {previous!r} is the program's own name", ["program", "previous_names", index])
                continue
            other = self.seen_programs.get(path.casefold())
            if other is not None:
                problem(f"previous name {previous!r} of program {folder!r} is declared as a program at "
                        f"{other.location}: a renamed program is declared once, by its new name",
                        ["program", "previous_names", index])
                continue
            self.seen_previous_programs.setdefault(path.casefold(), _First(location))
            names.append(previous.strip())
        return tuple(names)

    def _managed(self, folder: ParentSpec, mode: str, location: Location, problem: Any) -> None:
        key = parent_key(folder)
        first = self.seen_managed.get(key)
        if first is None:
            self.seen_managed[key] = _First(location, mode)
            self.folders.append(ManagedFolder(folder, mode, location))  # type: ignore[arg-type]
        elif first.value != mode:
            problem(f"folder {_show(folder)!r} is declared `managed: {mode}` here and "
                    f"`managed: {first.value}` at {first.location}: choose one", ["managed"])

    def _token(self, folder: ParentSpec, token: _yaml.ContextDict, location: Location, problem: Any,
               path: list[Any]) -> None:
        name = token["name"]
        key = (parent_key(folder), name.casefold())
        first = self.seen_tokens.get(key)
        if first is not None:
            problem(f"token {name!r} of {_show(folder)!r} is declared twice: here and at {first.location}",
                    [*path, "name"])
            return
        self.seen_tokens[key] = _First(location)
        self.tokens.append(DesiredToken(folder, name, token["type"], _token_value(token), location))

    def _campaign(self, raw: _yaml.ContextDict, folder: ParentSpec, location: Location, problem: Any,
                  path: list[Any]) -> None:
        name: str = raw["name"]
        ids, pinned = self._ids(raw, problem, path)
        template = raw.get("template")
        if isinstance(template, str):
            template = normalise_path(template)
        # `active: true` without a template is fine for a campaign that exists (in any
        # environment): only the plan knows whether it must be created, and refuses it then.
        expect = raw.get("expect") or {}
        if expect.get("rules") is not None and template is None:
            problem("`expect: {rules: template}` compares the campaign's triggers, filters and flow steps "
                    "with its `template`, and this campaign has no `template`", [*path, "expect", "rules"])
        key = (parent_key(folder), name.casefold())
        first = self.seen_campaigns.get(key)
        if first is not None:
            problem(f"campaign {name!r} in {_show(folder)!r} is declared twice: here and at "
                    f"{first.location}", [*path, "name"])
            return
        self.seen_campaigns[key] = _First(location)
        previous = self._previous_names(raw, folder, key, location, problem, path)
        if pinned is not None:
            other = self.seen_ids.get(pinned)
            if other is not None:
                problem(f"campaign id {pinned} is pinned twice: here and at {other.location}", [*path, "id"])
                return
            self.seen_ids[pinned] = _First(location)
        flow = None
        if raw.get("flow") is not None:
            flow = parse_flow(raw["flow"], location.file, raw, ["flow"],
                              lambda message, where: problem(message, [*path, *where]))
        self.campaigns.append(DesiredCampaign(
            name=name, folder=folder, location=location, description=raw.get("description"),
            active=raw.get("active"), template=template, id=pinned, protect=bool(raw.get("protect", False)),
            expect=dict(raw.get("expect") or {}), allow_replace=bool(raw.get("allow_replace", False)),
            ids=ids, previous_names=previous, flow=flow,
        ))

    def _ids(self, raw: _yaml.ContextDict, problem: Any, path: list[Any]) -> tuple[dict[str, int], int | None]:
        """``id: 2011`` pins in every environment; ``id: {sandbox: 2011}`` in those it names."""
        written = raw.get("id")
        if not isinstance(written, dict):
            return {}, written
        ids = {str(env): int(value) for env, value in written.items()}
        if self.environments is not None:
            for env in ids:
                if env not in self.environments:
                    known = ", ".join(sorted(self.environments)) or "none"
                    problem(f"`id` names environment {env!r}, which the project does not define "
                            f"(defined: {known})", [*path, "id", env], key=True)
        return ids, ids.get(self.environment)

    def _previous_names(self, raw: _yaml.ContextDict, folder: ParentSpec, key: tuple[Any, ...],
                        location: Location, problem: Any, path: list[Any]) -> tuple[str, ...]:
        """``previous_names``: none may be the campaign's name or another declared campaign's."""
        name: str = raw["name"]
        names: list[str] = []
        declared_here = self.seen_previous.get(key)
        if declared_here is not None:
            problem(f"campaign {name!r} is declared here and is a previous name of another campaign at "
                    f"{declared_here.location}: a renamed campaign is declared once, by its new name",
                    [*path, "name"])
        for index, previous in enumerate(raw.get("previous_names") or []):
            previous_key = (parent_key(folder), previous.casefold())
            if previous_key == key:
                problem(f"previous name {previous!r} is the campaign's own name", [*path, "previous_names", index])
                continue
            other = self.seen_campaigns.get(previous_key)
            if other is not None:
                problem(f"previous name {previous!r} of {name!r} is declared as a campaign at "
                        f"{other.location}: a renamed campaign is declared once, by its new name",
                        [*path, "previous_names", index])
                continue
            self.seen_previous.setdefault(previous_key, _First(location))
            names.append(previous)
        return tuple(names)


def _parent(value: Any) -> ParentSpec:
    if isinstance(value, dict):
        return FolderRef.parse(value)
    return normalise_path(str(value))


def _show(spec: ParentSpec) -> str:
    return spec if isinstance(spec, str) else str(spec)


def _token_value(token: _yaml.ContextDict) -> str:
    """Token values are text in Marketo: numbers keep the digits as written (``1.50``)."""
    value = token["value"]
    if isinstance(value, str):
        return value
    written = token.scalars.get("value")
    if written is not None and not isinstance(value, bool):
        return written.text
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
