"""Adoption: read existing campaigns (and program My Tokens) and write campaign files for them.

``marketo-sync import`` exists so that a team can start from its real instance: the files it
writes describe the instance exactly, so that **a plan right after an import shows no
changes**. Three properties follow from that and are kept here:

* **Exact values.** Names, descriptions and token values are written so that they read back
  byte for byte (``_yaml.scalar`` quotes whatever a YAML reader could misread, and a literal
  ``${`` is escaped as ``$${`` because the loader substitutes variables).
* **Stable output.** Containers, campaigns and tokens are sorted, formatting is fixed, and
  nothing volatile (dates, URLs, the time of the import) is written, so that a second import
  gives byte-identical files and a diff in Git means a change in Marketo.
* **Frugal reads.** Folders are resolved as ``remote.py`` does (one by-name call per area,
  one browse below it); then one paged browse per container and one token read per program:
  ``sum(ceil(n_i / 200)) + programs + a few`` calls.

System campaigns are left out (the tool never changes them), and so are values the files
cannot express (a comma in a name, a token type the API cannot create); each omission is
written as a comment in the file, so nothing disappears silently.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from marketo_sync import atomic
from marketo_sync.client.protocols import ProgramReadApi
from marketo_sync.config import Environment, Project
from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.desired.load import find_campaign_files, normalise_path
from marketo_sync.desired.model import DesiredState, Location, ManagedFolder
from marketo_sync.desired.schema import schema_path
from marketo_sync.errors import MarketoSyncError
from marketo_sync.plan.planner import CAMPAIGN_FOLDER_TYPES
from marketo_sync.refs import FolderRef
from marketo_sync.remote.read import read_remote
from marketo_sync.remote.state import (
    RemoteCampaign,
    RemoteFolder,
    RemoteProgram,
    RemoteState,
    RemoteToken,
    common_prefix,
    join_path,
    split_path,
)
from marketo_sync.workflows.import_logic import Logic, flow_lines, read_campaign_logic, smart_list_lines

#: Token types the API can create (docs/campaign-files.md); others (script blocks) are skipped.
CREATABLE_TOKEN_TYPES = ("date", "number", "rich text", "score", "sfdc campaign", "text")
CAMPAIGN_TYPES = ("trigger", "batch", "default")
QUALIFICATION_RULES = ("once", "any", "interval")
MAX_NAME = 255
MAX_DESCRIPTION = 2000
MAX_TOKEN_NAME = 50
#: How deep one folder browse goes under a ``--recursive`` root; deeper trees cost one more
#: browse per folder found at this depth.
BROWSE_DEPTH = 10
SCHEMA_URL = "https://raw.githubusercontent.com/marketo-sync/marketo-sync/main/schemas/campaigns.schema.json"
_VARIABLE = re.compile(r"\$(\$?)\{([^}]*)\}")


class ImportRefused(MarketoSyncError):
    """The import cannot be done as asked (unknown folder, not a campaign container)."""


class ImportConflict(MarketoSyncError):
    """Files exist and ``--force`` was not given; nothing was written."""

    def __init__(self, existing: Sequence[str]) -> None:
        self.existing = list(existing)
        listed = "\n".join(f"  - {name}" for name in self.existing)
        super().__init__(f"{len(self.existing)} file(s) already exist; nothing was written (use --force to "
                         f"overwrite them):\n{listed}")


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Container:
    """One folder or program as read: its direct campaigns and (programs) its tokens."""

    folder: RemoteFolder
    campaigns: tuple[RemoteCampaign, ...]
    tokens: tuple[RemoteToken, ...] | None = None  # None: not read (folders)
    #: ``import --flow``: each campaign's flow and smart list by id (None: not read).
    logic: Mapping[int, Logic] | None = None
    #: The program's record (programs only): its description becomes the ``program:`` block.
    program: RemoteProgram | None = None


@dataclass
class ReadResult:
    containers: list[Container] = field(default_factory=list)
    calls: int = 0


def _is_program(folder: RemoteFolder) -> bool:
    return folder.ref.type == "Program"


def _can_hold_campaigns(folder: RemoteFolder) -> bool:
    return folder.folder_type.strip().lower() in CAMPAIGN_FOLDER_TYPES


def _descendants(api: ProgramReadApi, state: RemoteState, roots: Sequence[RemoteFolder]) -> list[RemoteFolder]:
    """Every folder and program below ``roots``.

    Roots of one area are browsed together from their deepest common ancestor when
    ``read_remote`` resolved it (one paged call instead of one per root), else one by one.
    A folder found at the bottom of a browse is browsed again, so no depth is cut off.
    """
    groups: dict[str, list[RemoteFolder]] = {}
    for root in roots:
        groups.setdefault(split_path(root.path)[0], []).append(root)
    tops: list[tuple[RemoteFolder, int]] = []
    for group in groups.values():
        common = common_prefix([split_path(r.path) for r in group])
        ancestor = state.folder(join_path(common)) if len(group) > 1 and common else None
        if ancestor is None:
            tops += [(root, BROWSE_DEPTH) for root in group]
        else:
            reach = max(len(split_path(r.path)) for r in group) - len(common)
            tops.append((ancestor, reach + BROWSE_DEPTH))
    found: dict[FolderRef, RemoteFolder] = {}
    while tops:
        top, depth = tops.pop()
        top_depth = len(split_path(top.api_path))
        for record in api.browse_folders(top.ref, depth):
            folder = RemoteFolder.from_record(record)
            if folder is None or folder.ref == top.ref:
                continue
            state.add_folder(folder)
            if folder.ref in found or not any(_under(folder, root) for root in roots):
                continue
            found[folder.ref] = folder
            if len(split_path(folder.api_path)) - top_depth >= depth:
                tops.append((folder, BROWSE_DEPTH))
    return sorted(found.values(), key=lambda f: (f.path, f.ref))


def _under(folder: RemoteFolder, root: RemoteFolder) -> bool:
    child, parent = split_path(folder.api_path), split_path(root.api_path)
    return len(child) > len(parent) and child[: len(parent)] == parent


def read_containers(api: ProgramReadApi, paths: Sequence[str], *, recursive: bool = False,
                    call_count: Callable[[], int] | None = None, workspace: str | None = None,
                    flow: bool = False) -> ReadResult:
    """Resolve ``paths`` (Marketing Activities paths, as in campaign files) and read them.

    The named paths are resolved and browsed by :func:`remote.read_remote` (the planner's own
    reader, so import and plan see the instance the same way); ``recursive`` adds every folder
    and program below them, each browsed once. Tokens are read once per program. Paths
    resolve in ``workspace`` (the environment's; None: not named).
    """
    start = call_count() if call_count else 0
    wanted = [join_path(split_path(p)) for p in paths]
    nowhere = Location("(command line)", 0, 0)
    desired = DesiredState(folders=tuple(ManagedFolder(p, "additive", nowhere) for p in dict.fromkeys(wanted)))
    state = read_remote(api, desired, workspace=workspace)
    calls = state.read_calls
    problems: list[str] = []
    roots: list[RemoteFolder] = []
    for path in dict.fromkeys(wanted):
        folder = state.folder(path)
        if folder is None:
            problems.append(f"folder {path!r} does not exist in the instance (give a Marketing Activities "
                            "path such as 'Marketing Activities/Webinars'; the workspace is not written"
                            f"{state.workspace_hint(path)})")
        elif not _can_hold_campaigns(folder):
            problems.append(f"{path!r} is a {folder.folder_type!r} folder: smart campaigns live only in "
                            "Marketing Activities folders and programs")
        else:
            roots.append(folder)
    if problems:
        raise ImportRefused("cannot import:\n" + "\n".join(f"  - {p}" for p in problems))
    containers: dict[FolderRef, RemoteFolder] = {f.ref: f for f in roots}
    if recursive:
        for folder in _descendants(api, state, roots):
            if _can_hold_campaigns(folder):
                containers.setdefault(folder.ref, folder)
    result = ReadResult()
    for ref, folder in sorted(containers.items(), key=lambda item: (item[1].path, item[0])):
        if ref not in state.campaigns:
            state.add_campaigns(ref, api.browse_campaigns(ref))
        tokens: tuple[RemoteToken, ...] | None = None
        program: RemoteProgram | None = None
        if _is_program(folder):
            tokens = tuple(RemoteToken(t.name, t.type, t.value) for t in api.tokens_of(ref))
            record = api.get_program(ref.id)
            program = RemoteProgram.from_record(record) if record else None
        logic = None
        if flow:
            logic = read_campaign_logic(api, [c.id for c in state.in_folder(ref) if not c.is_system])
        result.containers.append(Container(folder, state.in_folder(ref), tokens, logic, program))
    if call_count:
        result.calls = call_count() - start
    else:
        result.calls = calls
    return result




# -- writing ---------------------------------------------------------------------------------


def escape_variables(text: str) -> str:
    """Make ``text`` survive the loader's ``${name}`` substitution unchanged (``$${`` is a literal
    ``${``): every reference the loader would see gets one more ``$``."""
    return _VARIABLE.sub(lambda m: "$" + m.group(0), text)


def unescape_variables(text: str) -> str:
    """What the loader makes of ``text`` when no variable is used (the inverse, for checks)."""
    return _VARIABLE.sub(lambda m: m.group(0)[1:] if m.group(1) else m.group(0), text)


def _text(value: str) -> str:
    return _yaml.scalar(escape_variables(value))


def folder_with_variables(path: str, variables: Mapping[str, str]) -> str:
    """``Marketing Activities/Webinars/X`` -> ``${webinars}/X`` when ``webinars`` is a prefix.

    The longest prefix wins (whole path segments only), then the first name in sorted order;
    the rest of the path is escaped so that it reads back as written.
    """
    segments = split_path(path)
    best: tuple[int, str] | None = None
    for name in sorted(variables):
        value = split_path(str(variables[name]))
        if not value or "${" in str(variables[name]) or tuple(segments[: len(value)]) != value:
            continue
        if best is None or len(value) > best[0]:
            best = (len(value), name)
    if best is None:
        return escape_variables(join_path(segments))
    rest = join_path(segments[best[0]:])
    return f"${{{best[1]}}}" + (f"/{escape_variables(rest)}" if rest else "")


def _comment(text: str) -> str:
    """One comment line's text: no line breaks or control characters can end the comment."""
    return "".join(c if c.isprintable() else " " for c in text)


def _expect(campaign: RemoteCampaign) -> list[tuple[str, str]]:
    expect: list[tuple[str, str]] = []
    if campaign.type in CAMPAIGN_TYPES:
        expect.append(("type", campaign.type))
    expect.append(("isRequestable", _yaml.scalar(bool(campaign.is_requestable))))
    rule = str(campaign.qualification_rule_type or "").lower()
    if rule in QUALIFICATION_RULES:
        expect.append(("qualificationRuleType", rule))
    if isinstance(campaign.is_communication_limit_enabled, bool):
        expect.append(("isCommunicationLimitEnabled", _yaml.scalar(campaign.is_communication_limit_enabled)))
    return expect


def render_container(container: Container, *, managed: str = "additive",
                     variables: Mapping[str, str] | None = None,
                     schema_ref: str = SCHEMA_URL, environment: str = "") -> str:
    """The campaign file for one container (deterministic text, sorted by name). With an
    ``environment``, ids are written for it only (``id: {sandbox: 2011}``): another instance
    has other ids (``import --merge-ids`` adds them)."""
    folder = container.folder
    lines = [f"# yaml-language-server: $schema={schema_ref}",
             f"# Imported from {_comment(folder.path)} ({folder.ref.type} {folder.ref.id}) by "
             "`marketo-sync import`.",
             f"folder: {_yaml.scalar(folder_with_variables(folder.path, variables or {}))}"]
    lines += _program_lines(container.program)
    lines.append(f"managed: {managed}")
    lines += _token_lines(container.tokens)
    lines += _campaign_lines(container.campaigns, environment, container.logic)
    return "\n".join(lines) + "\n"


def _program_lines(program: RemoteProgram | None) -> list[str]:
    """The ``program:`` block of an imported program: its description (no ``template``: the
    program exists, so nothing would be cloned)."""
    if program is None:
        return []
    if len(program.description) > MAX_DESCRIPTION:
        return ["program: {}  # description left out: longer than "
                f"{MAX_DESCRIPTION} characters"]
    return ["program:", f"  description: {_text(program.description)}"]


def _token_lines(tokens: tuple[RemoteToken, ...] | None) -> list[str]:
    if tokens is None:
        return []
    kept: list[RemoteToken] = []
    notes: list[str] = []
    seen: set[str] = set()
    for token in sorted(tokens, key=lambda t: (t.name.casefold(), t.name)):
        label = _comment(token.name)
        if token.type not in CREATABLE_TOKEN_TYPES:
            notes.append(f"#   {label} (type {_comment(token.type) or 'unknown'}): the API cannot create this "
                         "type; manage it in Marketo")
        elif len(token.name) > MAX_TOKEN_NAME or re.match(r"^[Mm][Yy]\.", token.name) or \
                re.search(r"[{}]", token.name) or not token.name.strip():
            notes.append(f"#   {label}: a name campaign files cannot express")
        elif token.name.casefold() in seen:
            notes.append(f"#   {label}: differs only in case from a token above")
        else:
            seen.add(token.name.casefold())
            kept.append(token)
    if not kept and not notes:
        return []
    lines = ["", "tokens:" if kept else "tokens: []"]
    for token in kept:
        lines += [f"  - name: {_text(token.name)}", f"    type: {token.type}", f"    value: {_text(token.value)}"]
    if notes:
        lines += ["# My Tokens left out:", *notes]
    return lines


def id_text(campaign_id: int, environment: str = "") -> str:
    """``2011``, or ``{sandbox: 2011}`` for one environment."""
    return f"{{{_yaml.scalar(environment)}: {campaign_id}}}" if environment else str(campaign_id)


def _campaign_lines(campaigns: tuple[RemoteCampaign, ...], environment: str = "",
                    logic: Mapping[int, Logic] | None = None) -> list[str]:
    kept: list[RemoteCampaign] = []
    system: list[RemoteCampaign] = []
    notes: list[str] = []
    seen: set[str] = set()
    for campaign in sorted(campaigns, key=lambda c: (c.name, c.id)):
        label = f"{_comment(campaign.name)} (id {campaign.id})"
        if campaign.is_system:
            system.append(campaign)
        elif "," in campaign.name or not campaign.name.strip() or len(campaign.name) > MAX_NAME:
            notes.append(f"#   {label}: a comma or the length of its name cannot be written in a campaign "
                         "file (Marketo's by-name lookups split on commas); rename it in Marketo")
        elif campaign.name.casefold() in seen:
            notes.append(f"#   {label}: its name differs only in case from a campaign above; rename it")
        else:
            seen.add(campaign.name.casefold())
            kept.append(campaign)
    lines = ["", "campaigns:" if kept else "campaigns: []"]
    for campaign in kept:
        lines += [f"  - name: {_text(campaign.name)}", f"    id: {id_text(campaign.id, environment)}"]
        if len(campaign.description) > MAX_DESCRIPTION:
            lines.append(f"    # description left out: longer than {MAX_DESCRIPTION} characters")
        else:
            lines.append(f"    description: {_text(campaign.description)}")
        if campaign.type == "trigger":
            lines.append(f"    active: {_yaml.scalar(campaign.is_active)}")
        known = (logic or {}).get(campaign.id)
        if known is None:
            expect = ", ".join(f"{k}: {v}" for k, v in _expect(campaign))
            lines.append(f"    expect: {{{expect}}}")
            continue
        lines.append("    expect:")
        lines += [f"      {k}: {v}" for k, v in _expect(campaign)]
        if known.get("smart_list") is not None:
            lines += smart_list_lines(known["smart_list"], "      ", _text)
        if known.get("flow") is not None:
            lines += flow_lines(known["flow"], "    ", _text)
        else:
            lines.append("    # flow left out: the instance answered without it")
    if system:
        lines.append("# System campaigns left out: Marketo manages them and marketo-sync never changes them")
        lines += [f"#   {_comment(c.name)} (id {c.id})" for c in system]
    if notes:
        lines.append("# Campaigns left out:")
        lines += notes
    return lines


def slug(path: str) -> str:
    """``Marketing Activities/Webinars/2026-03 Webinar`` -> ``webinars-2026-03-webinar`` (the area
    is left out; accents are dropped, anything else becomes ``-``)."""
    segments = split_path(path)
    text = " ".join(segments[1:] if len(segments) > 1 else segments)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:120].strip("-")


def file_names(containers: Sequence[Container]) -> dict[FolderRef, str]:
    """A file name per container: the slug of its path, made unique in path order."""
    names: dict[FolderRef, str] = {}
    used: set[str] = set()
    for container in sorted(containers, key=lambda c: (c.folder.path, c.folder.ref)):
        ref = container.folder.ref
        base = slug(container.folder.path) or f"{ref.type.lower()}-{ref.id}"
        name, n = base, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        names[ref] = f"{name}.yaml"
    return names


@dataclass(frozen=True)
class ImportedFile:
    name: str
    text: str
    container: Container


def build_files(containers: Sequence[Container], *, managed: str = "additive",
                variables: Mapping[str, str] | None = None, schema_ref: str = SCHEMA_URL,
                environment: str = "") -> list[ImportedFile]:
    names = file_names(containers)
    return [ImportedFile(names[c.folder.ref], render_container(c, managed=managed, variables=variables,
                                                               schema_ref=schema_ref, environment=environment), c)
            for c in sorted(containers, key=lambda c: names[c.folder.ref])]


def declared_containers(paths: Sequence[Path], root: Path,
                        variables: Mapping[str, str] | None = None) -> dict[str, Path]:
    """The container (``folder:``, normalised, without regard to case) each existing campaign file
    under ``paths`` declares, and that file; unreadable files are skipped (validate reports them)."""
    found: dict[str, Path] = {}
    files, _ = find_campaign_files(paths, root)
    values = dict(variables or {})
    for path in files:
        try:
            document, _problems = _yaml.load(_yaml.read_text(path), str(path))
        except (OSError, _yaml.FileRefused, ValueError):
            continue
        folder = document.get("folder") if isinstance(document, dict) else None
        if isinstance(folder, str):
            folder = _VARIABLE.sub(lambda m: m.group(0)[1:] if m.group(1) else values.get(m.group(2).strip(),
                                                                                             m.group(0)), folder)
            found.setdefault(normalise_path(folder).casefold(), path)
    return found


def write_files(files: Sequence[ImportedFile], out: Path, *, force: bool = False,
                root: Path | None = None, declared: Mapping[str, Path] | None = None) -> list[Path]:
    """Write every file into ``out``; with an existing file and no ``force``, write none.

    Refused, whatever ``force`` (nothing written): a container that another file of ``declared``
    already declares (under another name; the project would declare it twice), and a target
    that is a symlink leading outside ``root`` (the project). Each file is written atomically.
    """
    targets = [out / f.name for f in files]
    if root is not None:
        inside = root.resolve()
        for target in targets:
            if target.is_symlink() and not target.resolve().is_relative_to(inside):
                raise ImportRefused(f"{target} is a symlink to {target.resolve()}, outside the project "
                                    f"({inside}): refusing to write through it; remove the link")
    for target, file in zip(targets, files, strict=True):
        other = (declared or {}).get(normalise_path(file.container.folder.path).casefold())
        if other is not None and other.resolve() != target.resolve():
            raise ImportRefused(f"{file.container.folder.path!r} is already declared by {other}: import would "
                                f"write it again as {target}, and the project would declare it twice; "
                                "update that file instead (or remove it and import again); nothing was written")
    existing = [str(t) for t in targets if t.exists() or t.is_symlink()]
    if existing and not force:
        raise ImportConflict(existing)
    out.mkdir(parents=True, exist_ok=True)
    for target, file in zip(targets, files, strict=True):
        atomic.write_text(target, file.text)
    return targets


def schema_reference(out: Path, project_root: Path) -> str:
    """The ``$schema=`` target, always one that resolves where the files are written: the
    project's ``schemas/`` copy relative to ``out`` when there is one, else a copy of the
    packaged schema written into ``out`` itself (``campaigns.schema.json`` beside the files).
    ``marketo-sync validate --schema`` prints the packaged schema's path."""
    local = project_root / "schemas" / "campaigns.schema.json"
    if local.is_file():
        try:
            return Path(os.path.relpath(local.resolve(), out.resolve())).as_posix()
        except ValueError:  # another drive (Windows)
            pass
    return SCHEMA_BESIDE


#: The schema copy written beside imported files when the project has no ``schemas/``.
SCHEMA_BESIDE = "campaigns.schema.json"


def write_schema_copy(out: Path, schema_ref: str) -> Path | None:
    """Write the packaged schema beside the files when ``schema_ref`` points there (see
    :func:`schema_reference`); called after the files are written, so a failed read leaves nothing."""
    if schema_ref != SCHEMA_BESIDE:
        return None
    target = out / SCHEMA_BESIDE
    atomic.write_text(target, schema_path(SCHEMA_BESIDE).read_text(encoding="utf-8"))
    return target


__all__ = ["Container", "ImportConflict", "ImportRefused", "ImportedFile", "build_files", "declared_containers", "escape_variables",
           "file_names", "folder_with_variables", "read_containers", "render_container", "schema_reference",
           "slug", "write_files", "write_schema_copy"]


def default_output_directory(project: Project) -> Path:
    """The project's (first) campaign directory: where ``import`` writes without ``--out``."""
    for path in project.campaign_paths:
        if path.suffix.lower() not in (".yaml", ".yml") and "*" not in str(path):
            return Path(path)
    return project.root / "campaigns"


def shared_variables(project: Project, chosen: Environment) -> dict[str, str]:
    """The chosen environment's variables that every environment defines, so the files
    ``import`` writes stay valid in all of them (``validate --all-environments``)."""
    names = set(chosen.variables)
    for environment in project.environments.values():
        names &= set(environment.variables)
    return {name: str(chosen.variables[name]) for name in sorted(names)}
