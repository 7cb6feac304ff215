"""Seed files: a readable YAML description of a Marketo instance, validated, for the backend.

A seed is a nested tree (folders hold folders, programs and campaigns; programs hold folders
and campaigns) plus leads. ``normalise_seed`` checks every field and flattens the tree into a
build plan; errors name the file, line and field (``instance.yaml, line 12:
folders[0].folders[1].campaigns[0].triggers[0].name: unknown trigger ...``). The format is
documented in ``docs/emulator-seed.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal, overload

import yaml

from marketo_sync.emulator import rules
from marketo_sync.emulator.clock import parse_iso8601
from marketo_sync.emulator.model import DESIGN_STUDIO, MARKETING_ACTIVITIES, TOKEN_TYPES
from marketo_sync.emulator.store import gc_paused

ROOT_NAMES = (MARKETING_ACTIVITIES, DESIGN_STUDIO)
FOLDER_KEYS = {"name", "id", "description", "folderType", "isSystem", "isArchive", "tokens",
               "folders", "programs", "campaigns"}
PROGRAM_KEYS = {"name", "id", "description", "type", "channel", "status", "tags", "costs", "tokens",
                "folders", "programs", "campaigns", "assets"}
ASSET_KEYS = {"type", "name"}
CAMPAIGN_KEYS = {"name", "id", "description", "triggers", "filters", "flow", "active", "isSystem",
                 "qualificationRuleType", "qualificationRuleInterval", "qualificationRuleUnit",
                 "isCommunicationLimitEnabled", "maxMembers", "recurrence", "filterMatchType",
                 "filterCustomRuleLogic", "scheduled", "count"}
TOKEN_KEYS = {"name", "type", "value"}
TOP_KEYS = {"workspace", "workspaces", "createdAt", "folders", "leads"}
WORKSPACE_KEYS = {"name", "id", "folders"}
MAX_GENERATED = 100_000


class SeedError(ValueError):
    """A seed document that cannot describe an instance; the message names where and why."""


class _LineDict(dict):
    """A mapping that remembers the line it came from, for error messages."""

    line: int | None = None


# libyaml's C parser when PyYAML was built with it (about 6x faster on a 50,000-campaign seed,
# with the same line marks); the pure-Python SafeLoader otherwise. Both construct safe types only.
_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_seed_file(path: str | Path) -> dict[str, Any]:
    """Parse and validate a seed file; returns the document for ``MarketoBackend.load_seed``."""
    return read_seed_plan(path)[0]


def read_seed_plan(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parse and validate a seed file: the document and its build plan (``normalise_seed``),
    which ``MarketoBackend.load_seed(doc, plan=plan)`` uses instead of validating again.

    Parsed fast first (a JSON seed by ``json``, a YAML one without line marks); only a seed that
    fails validation is parsed again with line marks, so that the error names its line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"{path}: cannot read seed file: {exc.strerror}") from None
    with gc_paused():
        doc = _parse(text, path, lines=False)
        try:
            plan = normalise_seed(doc, source=str(path))
        except SeedError:
            normalise_seed(_parse(text, path, lines=True), source=str(path))  # raises, naming the line
            raise
    return doc, plan


def _parse(text: str, path: Path, *, lines: bool) -> Any:
    if not lines and text.lstrip().startswith("{"):
        try:  # JSON is YAML too; the json module reads a 50,000-campaign seed 100x faster
            return json.loads(text)
        except ValueError:
            pass  # not JSON after all (a YAML flow mapping, say): YAML decides
    if not lines:
        built = _build_from_events(text)
        if built is not _NOT_COMMON:
            return built
    try:  # (C)SafeLoader subclasses: no arbitrary objects
        return yaml.load(text, Loader=_LineLoader if lines else _SafeLoader)
    except yaml.YAMLError as exc:
        raise SeedError(f"{path}: not valid YAML: {exc}") from None


#: What :func:`_build_from_events` returns for a seed it leaves to ``yaml.load``.
_NOT_COMMON: Any = object()
_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)
_MAX_DEPTH = 200  # deeper seeds go to yaml.load, whose recursion decides what happens
_STR_TAG = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
_LEFT_TO_YAML_LOAD = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")


def _build_from_events(text: str) -> Any:
    """The document ``yaml.load(text, Loader=CSafeLoader)`` gives, built straight from libyaml's
    events (composing a node tree and constructing it in Python was most of a big seed's start);
    ``_NOT_COMMON`` when the seed uses anything else than plain mappings, sequences and scalars.

    Anchors, aliases, tags, merge keys, a collection as a key, several documents, deep nesting
    and syntax errors are all left to ``yaml.load``, which decides (and words an error) as
    before: this only ever changes the cost. Plain scalars are resolved by SafeLoader's own
    resolvers and constructed by SafeConstructor's own constructors (cached per text).
    """
    if _CParser is None:
        return _NOT_COMMON
    try:
        parser = _CParser(text)
    except yaml.YAMLError:
        return _NOT_COMMON
    try:
        return _events_to_data(parser.get_event)
    except (yaml.YAMLError, TypeError, ValueError):
        return _NOT_COMMON
    finally:
        parser.dispose()


def _events_to_data(get: Callable[[], Any]) -> Any:
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    if type(get()) is not yaml.StreamStartEvent or type(get()) is not yaml.DocumentStartEvent:
        return _NOT_COMMON
    resolvers = yaml.resolver.Resolver.yaml_implicit_resolvers
    constructor = yaml.constructor.SafeConstructor()
    plain: dict[str, Any] = {}  # plain scalar text -> its value (all immutable)
    # Each open collection: [container, is_mapping, pending key (or _NOT_COMMON)].
    stack: list[list[Any]] = []
    root: Any = _NOT_COMMON
    while True:
        event = get()
        kind = type(event)
        if kind is mapping_end or kind is sequence_end:
            done = stack.pop()[0]
            if not stack:
                root = done
                break
            continue
        if event.anchor is not None or event.tag is not None or len(stack) >= _MAX_DEPTH:
            return _NOT_COMMON
        is_scalar = kind is scalar_event
        if is_scalar:
            raw = event.value
            if not event.implicit[0]:  # quoted: a string
                value = raw
            elif raw in plain:
                value = plain[raw]
            else:
                tag = next((t for t, regexp in resolvers.get(raw[:1], ()) if regexp.match(raw)), _STR_TAG)
                if tag in _LEFT_TO_YAML_LOAD:
                    return _NOT_COMMON
                value = raw if tag == _STR_TAG else constructor.construct_object(yaml.ScalarNode(tag, raw))
                plain[raw] = value
        elif kind is mapping_start:
            value = {}
        elif kind is sequence_start:
            value = []
        else:  # an alias, or anything unexpected
            return _NOT_COMMON
        if not stack:
            if is_scalar:
                root = value
                break
            stack.append([value, kind is mapping_start, _NOT_COMMON])
            continue
        top = stack[-1]
        if top[1]:
            if top[2] is _NOT_COMMON:  # this event is a key
                if not is_scalar:
                    return _NOT_COMMON  # a collection as a key: yaml.load refuses it
                top[2] = value
                continue
            top[0][top[2]] = value
            top[2] = _NOT_COMMON
        else:
            top[0].append(value)
        if not is_scalar:
            stack.append([value, kind is mapping_start, _NOT_COMMON])
    if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
        return _NOT_COMMON
    return root


def backend_from_seed(seed: str | Path | Mapping[str, Any], **backend_options: Any) -> Any:
    """A ``MarketoBackend`` loaded from a seed file or document (options go to the constructor)."""
    from marketo_sync.emulator.backend import MarketoBackend

    doc = read_seed_file(seed) if isinstance(seed, str | Path) else seed
    backend = MarketoBackend(**backend_options)
    backend.load_seed(dict(doc))
    return backend


def example_seed_path() -> Path:
    """The example instance every demo and test knows: ``examples/instance.yaml`` of the source
    tree, or a packaged copy in ``marketo_sync/data/instance.yaml`` when installed without it."""
    package = Path(__file__).resolve().parents[1]
    source_tree = package.parent / "examples" / "instance.yaml"
    packaged = package / "data" / "instance.yaml"
    return source_tree if source_tree.exists() or not packaged.exists() else packaged


# -- validation ---------------------------------------------------------------------------------

class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Any, where: str, message: str) -> SeedError:
        line = getattr(node, "line", None)
        position = f"{self.source}, line {line}" if line else self.source
        return SeedError(f"{position}: {where}: {message}")

    def mapping(self, node: Any, where: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(node, Mapping):
            raise self.fail(node, where, f"expected a mapping, got {type(node).__name__}")
        if allowed.issuperset(node):  # the usual case (only text keys can be allowed ones)
            return node
        unknown = sorted(set(map(str, node)) - allowed)
        if unknown:
            raise self.fail(node, f"{where}.{unknown[0]}", f"unknown key; allowed keys: {', '.join(sorted(allowed))}")
        return node

    def items(self, parent: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(parent, f"{where}.{key}", "expected a list")
        return value

    @overload
    def text(self, parent: Mapping[str, Any], key: str, where: str, *, required: Literal[True],
             max_len: int | None = None) -> str: ...
    @overload
    def text(self, parent: Mapping[str, Any], key: str, where: str, *, required: bool = False,
             max_len: int | None = None) -> str | None: ...
    def text(self, parent: Mapping[str, Any], key: str, where: str, *, required: bool = False,
             max_len: int | None = None) -> str | None:
        value = parent.get(key)
        if type(value) is str and (max_len is None or len(value) <= max_len) and (not required or value.strip()):
            return value  # the usual case, decided as below
        if value is None:
            if required:
                raise self.fail(parent, f"{where}.{key}", "is required")
            return None
        if isinstance(value, date):  # YAML reads 2026-05-14 as a date: keep what was written
            value = value.isoformat()
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(parent, f"{where}.{key}", f"expected text, got {type(value).__name__}")
        value = str(value)
        if required and not value.strip():
            raise self.fail(parent, f"{where}.{key}", "cannot be blank")
        if max_len is not None and len(value) > max_len:
            raise self.fail(parent, f"{where}.{key}", f"is {len(value)} characters long; the maximum is {max_len}")
        return value

    def flag(self, parent: Mapping[str, Any], key: str, where: str) -> bool | None:
        value = parent.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.fail(parent, f"{where}.{key}", "expected true or false")
        return value

    def integer(self, parent: Mapping[str, Any], key: str, where: str) -> int | None:
        value = parent.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise self.fail(parent, f"{where}.{key}", "expected a positive integer")
        return value


def _dummy_ids() -> Callable[[str], int]:
    counter = iter(range(1, 10**9))
    return lambda _space: next(counter)


def normalise_campaign(spec: Any, *, where: str, source: str = "<seed>") -> list[dict[str, Any]]:
    """Validate one campaign spec; ``count`` expands it to that many campaigns (``{n}`` in the name)."""
    check = _Checker(source)
    spec = check.mapping(spec, where, CAMPAIGN_KEYS)
    name = check.text(spec, "name", where, required=True, max_len=255)
    out: dict[str, Any] = {"name": name}
    if spec.get("id") is not None:
        out["id"] = check.integer(spec, "id", where)
    description = check.text(spec, "description", where, max_len=2000)
    if description is not None:
        out["description"] = description
    ids = _dummy_ids()
    for key, trigger in (("triggers", True), ("filters", False)):
        values = check.items(spec, key, where)
        for index, rule in enumerate(values):
            try:
                rules.expand_rule(rule, trigger=trigger, next_id=ids, where=f"{where}.{key}[{index}]")
            except rules.RuleSpecError as exc:
                raise check.fail(rule if isinstance(rule, Mapping) else spec, *str(exc).split(": ", 1)) from None
        out[key] = values
    steps = check.items(spec, "flow", where)
    for index, step in enumerate(steps):
        try:
            rules.expand_step(step, next_id=ids, where=f"{where}.flow[{index}]")
        except rules.RuleSpecError as exc:
            raise check.fail(step if isinstance(step, Mapping) else spec, *str(exc).split(": ", 1)) from None
    out["flow"] = steps
    for key in ("active", "isSystem", "isCommunicationLimitEnabled", "scheduled"):
        value = check.flag(spec, key, where)
        if value is not None:
            out[key] = value
    qualification = spec.get("qualificationRuleType", "once")
    if qualification not in ("once", "any", "interval"):
        raise check.fail(spec, f"{where}.qualificationRuleType", "expected once, any or interval")
    out["qualificationRuleType"] = qualification
    if qualification == "interval":
        out["qualificationRuleInterval"] = check.integer(spec, "qualificationRuleInterval", where) or 1
        unit = spec.get("qualificationRuleUnit", "day")
        if unit not in ("hour", "day", "week", "month"):
            raise check.fail(spec, f"{where}.qualificationRuleUnit", "expected hour, day, week or month")
        out["qualificationRuleUnit"] = unit
    if spec.get("maxMembers") is not None:
        out["maxMembers"] = check.integer(spec, "maxMembers", where)
    match_type = spec.get("filterMatchType", "all")
    if match_type not in ("all", "any", "custom"):
        raise check.fail(spec, f"{where}.filterMatchType", "expected all, any or custom")
    out["filterMatchType"] = match_type
    if match_type == "custom":
        out["filterCustomRuleLogic"] = check.text(spec, "filterCustomRuleLogic", where, required=True)
    recurrence = spec.get("recurrence")
    if recurrence is not None:
        if not isinstance(recurrence, Mapping):
            raise check.fail(spec, f"{where}.recurrence", "expected a mapping (Marketo's recurrence fields)")
        out["recurrence"] = dict(recurrence)
    if out.get("active") and not out["triggers"]:
        raise check.fail(spec, f"{where}.active", "only a campaign with a trigger can be active")
    if out.get("active") and not steps:
        raise check.fail(spec, f"{where}.active", "a campaign without a flow step cannot be active")
    count = spec.get("count")
    if count is None:
        return [out]
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_GENERATED:
        raise check.fail(spec, f"{where}.count", f"expected an integer from 1 to {MAX_GENERATED}")
    if "{n" not in name or "id" in out:
        raise check.fail(spec, f"{where}.count", "needs a name with {n} (e.g. 'Batch {n:04d}') and no id")
    try:
        return [dict(out, name=name.format(n=n)) for n in range(1, count + 1)]
    except (KeyError, ValueError, IndexError) as exc:
        raise check.fail(spec, f"{where}.name", f"cannot format with n: {exc}") from None


def _tokens(check: _Checker, node: Mapping[str, Any], where: str) -> list[dict[str, str]]:
    tokens, seen = [], set()
    for index, token in enumerate(check.items(node, "tokens", where)):
        twhere = f"{where}.tokens[{index}]"
        token = check.mapping(token, twhere, TOKEN_KEYS)
        name = check.text(token, "name", twhere, required=True, max_len=50)
        if name.startswith("{{"):
            raise check.fail(token, f"{twhere}.name", "use the bare name (WebinarTitle), not {{my.WebinarTitle}}")
        if name in seen:
            raise check.fail(token, f"{twhere}.name", f"token {name!r} is declared twice")
        seen.add(name)
        ttype = check.text(token, "type", twhere, required=True)
        if ttype not in (*TOKEN_TYPES, "script block"):
            raise check.fail(token, f"{twhere}.type", f"expected one of {', '.join(TOKEN_TYPES)}, script block")
        tokens.append({"name": name, "type": ttype, "value": check.text(token, "value", twhere) or ""})
    return tokens


def normalise_seed(doc: Any, *, source: str = "<seed>") -> dict[str, Any]:
    """Validate a seed document and flatten it into the backend's build plan.

    Plan: ``{workspace, workspaces: [{name, id}], createdAt, containers: [{kind, parentIndex,
    ...}] (pre-order; roots carry their ``workspace``), campaigns: [{containerIndex, ...}],
    leads: [...], explicitIds: {space: [ids]}}``. ``workspace`` is the primary workspace (the
    top-level ``folders`` live in it); ``workspaces`` adds others, each with its own roots.
    """
    check = _Checker(source)
    doc = check.mapping(doc, "seed", TOP_KEYS)
    plan: dict[str, Any] = {"workspace": check.text(doc, "workspace", "seed", max_len=255) or "Default",
                            "workspaces": [], "createdAt": None, "containers": [], "campaigns": [], "leads": [],
                            "explicitIds": {"Folder": [], "Program": [], "campaign": [], "lead": []}}
    created = doc.get("createdAt")
    if created is not None:
        try:
            parse_iso8601(str(created).replace(" ", "T"))
        except ValueError:
            raise check.fail(doc, "seed.createdAt", "expected an ISO-8601 datetime") from None
        plan["createdAt"] = str(created).replace(" ", "T")

    def take_id(space: str, node: Mapping[str, Any], where: str) -> int | None:
        explicit = check.integer(node, "id", where)
        if explicit is not None:
            if explicit in plan["explicitIds"][space]:
                raise check.fail(node, f"{where}.id", f"{space} id {explicit} is used twice")
            plan["explicitIds"][space].append(explicit)
        return explicit

    def walk(node: Any, kind: str, parent_index: int | None, where: str, area: str) -> None:
        node = check.mapping(node, where, FOLDER_KEYS if kind == "Folder" else PROGRAM_KEYS)
        name = check.text(node, "name", where, required=True, max_len=255)
        entry: dict[str, Any] = {"kind": kind, "name": name, "parentIndex": parent_index,
                                 "id": take_id(kind, node, where),
                                 "description": check.text(node, "description", where, max_len=2000) or "",
                                 "tokens": _tokens(check, node, where)}
        if kind == "Folder":
            entry["folderType"] = check.text(node, "folderType", where)
            for flag in ("isSystem", "isArchive"):
                value = check.flag(node, flag, where)
                if value is not None:
                    entry[flag] = value
        else:
            if area != MARKETING_ACTIVITIES:
                raise check.fail(node, where, "programs live in Marketing Activities only")
            entry["type"] = check.text(node, "type", where) or "Default"
            entry["channel"] = check.text(node, "channel", where) or "Operational"
            entry["status"] = check.text(node, "status", where) or ""
            tags = check.items(node, "tags", where)
            entry["tags"] = [dict(check.mapping(t, f"{where}.tags[{i}]", {"tagType", "tagValue"}))
                             for i, t in enumerate(tags)]
            if node.get("costs") is not None:
                entry["costs"] = check.items(node, "costs", where)
            entry["assets"] = []
            for i, raw_asset in enumerate(check.items(node, "assets", where)):
                awhere = f"{where}.assets[{i}]"
                asset = check.mapping(raw_asset, awhere, ASSET_KEYS)
                entry["assets"].append({"type": check.text(asset, "type", awhere, required=True),
                                        "name": check.text(asset, "name", awhere, required=True)})
        plan["containers"].append(entry)
        index = len(plan["containers"]) - 1
        names: dict[str, str] = {}
        for key, child_kind in (("folders", "Folder"), ("programs", "Program")):
            for i, child in enumerate(check.items(node, key, where)):
                cwhere = f"{where}.{key}[{i}]"
                child_name = child.get("name") if isinstance(child, Mapping) else None
                if child_name in names:
                    raise check.fail(child, f"{cwhere}.name", f"{child_name!r} is already used in {name!r} "
                                                              f"by {names[child_name]}")
                names[str(child_name)] = cwhere
                walk(child, child_kind, index, cwhere, area)
        campaign_names: set[str] = set()
        campaigns = check.items(node, "campaigns", where)
        if campaigns and area != MARKETING_ACTIVITIES:
            raise check.fail(node, f"{where}.campaigns", "smart campaigns live in Marketing Activities only")
        for i, raw in enumerate(campaigns):
            cwhere = f"{where}.campaigns[{i}]"
            for spec in normalise_campaign(raw, where=cwhere, source=source):
                if spec["name"] in campaign_names:
                    raise check.fail(raw, f"{cwhere}.name", f"campaign {spec['name']!r} already exists in {name!r}; "
                                                            "names are unique within a folder or program")
                campaign_names.add(spec["name"])
                if spec.get("id") is not None:
                    if spec["id"] in plan["explicitIds"]["campaign"]:
                        raise check.fail(raw, f"{cwhere}.id", f"campaign id {spec['id']} is used twice")
                    plan["explicitIds"]["campaign"].append(spec["id"])
                plan["campaigns"].append(dict(spec, containerIndex=index))

    def walk_roots(holder: Mapping[str, Any], where: str, workspace: str) -> None:
        seen_roots: set[str] = set()
        for i, root in enumerate(check.items(holder, "folders", where)):
            rwhere = f"{where}.folders[{i}]" if where != "seed" else f"folders[{i}]"
            root_name = root.get("name") if isinstance(root, Mapping) else None
            if root_name not in ROOT_NAMES:
                raise check.fail(root, f"{rwhere}.name", f"a top-level folder must be one of {', '.join(ROOT_NAMES)}")
            if root_name in seen_roots:
                raise check.fail(root, f"{rwhere}.name", f"{root_name!r} is declared twice in workspace {workspace!r}")
            seen_roots.add(root_name)
            first = len(plan["containers"])
            walk(root, "Folder", None, rwhere, root_name)
            plan["containers"][first]["workspace"] = workspace

    _workspaces(check, doc, plan, walk_roots)

    emails: set[str] = set()
    for i, lead in enumerate(check.items(doc, "leads", "seed")):
        where = f"leads[{i}]"
        if not isinstance(lead, Mapping):
            raise check.fail(lead, where, "expected a mapping of lead fields (id, email, firstName...)")
        lead_id = take_id("lead", lead, where)
        email = check.text(lead, "email", where, required=True)
        if email.lower() in emails:
            raise check.fail(lead, f"{where}.email", f"{email!r} is used by another lead")
        emails.add(email.lower())
        fields = {k: v.isoformat() if isinstance(v, date) else v for k, v in lead.items()}
        plan["leads"].append(dict(fields, id=lead_id))
    return plan


def _workspaces(check: _Checker, doc: Mapping[str, Any], plan: dict[str, Any],
                walk_roots: Callable[[Mapping[str, Any], str, str], None]) -> None:
    """The primary workspace (top-level ``folders``) and the ``workspaces`` list, with their ids.

    A workspace id is Marketo's ``accessZoneId``: given ones are kept, the others are numbered
    from 1 in the order written. The primary workspace may also be listed, without top-level
    folders then, to give its id.
    """
    primary = plan["workspace"]
    entries: list[tuple[str, int | None]] = []
    listed: dict[str, str] = {}
    for i, entry in enumerate(check.items(doc, "workspaces", "seed")):
        where = f"workspaces[{i}]"
        entry = check.mapping(entry, where, WORKSPACE_KEYS)
        name = check.text(entry, "name", where, required=True, max_len=255)
        if name in listed:
            raise check.fail(entry, f"{where}.name", f"workspace {name!r} is already declared by {listed[name]}")
        if name == primary and doc.get("folders"):
            raise check.fail(entry, f"{where}.name", f"workspace {name!r} is the primary workspace, whose "
                                                     "folders are the top-level 'folders'; declare them in one place")
        listed[name] = where
        entries.append((name, check.integer(entry, "id", where)))
    if primary not in listed:
        entries.insert(0, (primary, None))
    taken = [wid for _, wid in entries if wid is not None]
    if len(taken) != len(set(taken)):
        raise check.fail(doc, "seed.workspaces", "two workspaces have the same id")
    free = (n for n in range(1, 10**9) if n not in taken)
    plan["workspaces"] = [{"name": name, "id": wid if wid is not None else next(free)} for name, wid in entries]
    walk_roots(doc, "seed", primary)
    for i, entry in enumerate(check.items(doc, "workspaces", "seed")):
        walk_roots(entry, f"workspaces[{i}]", str(entry["name"]))
