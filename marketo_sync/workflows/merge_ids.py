"""``import --env production --merge-ids``: add one environment's ids to existing campaign files.

Files imported from sandbox pin sandbox's ids (``id: {sandbox: 2011}``). Production holds the
same campaigns under other ids, and often at other paths (its ``${variables}``). Merging loads
the files with the environment's variables, reads the instance as plan does, finds each declared
campaign by path and name (or ``previous_names``), and writes its id into the declaration's
mapping, in place: the rest of the file (comments, order, quoting) is left as written.

* ``id: {sandbox: 2011}`` becomes ``id: {sandbox: 2011, production: 7011}`` (a block mapping
  gets a ``production: 7011`` line);
* a declaration without ``id`` gets ``id: {production: 7011}``;
* a campaign not in the instance is left alone (it is matched by path and name once created),
  and so is a single ``id: 2011`` that differs from the instance's (which environment it
  belongs to cannot be told): both are reported, never guessed.

:func:`merge_text` is pure (text in, text out); :func:`merge_ids` reads the instance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from marketo_sync import atomic
from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.desired.model import DesiredCampaign, DesiredState
from marketo_sync.plan.narrow import path_of, segments
from marketo_sync.remote.read import read_remote
from marketo_sync.remote.state import find_declared
from marketo_sync.workflows.session import Session


@dataclass(frozen=True)
class Merged:
    """What merging changed and what it left alone, with why."""

    environment: str
    files: tuple[str, ...] = ()                       # files rewritten
    added: tuple[str, ...] = ()                       # "file, line N: name -> id"
    left_alone: tuple[str, ...] = ()                  # reasons, one per campaign
    calls: int = 0


@dataclass
class _Edits:
    """Line edits of one file, applied bottom-up so that earlier line numbers stay valid."""

    lines: list[str]
    replaced: dict[int, str] = field(default_factory=dict)   # line index -> new text
    inserted: dict[int, list[str]] = field(default_factory=dict)  # after line index -> new lines

    def text(self, newline_at_end: bool) -> str:
        out: list[str] = []
        for index, line in enumerate(self.lines):
            out.append(self.replaced.get(index, line))
            out.extend(self.inserted.get(index, []))
        return "\n".join(out) + ("\n" if newline_at_end else "")


def _closing_brace(line: str, start: int) -> int | None:
    """The index of the ``}`` closing the flow mapping opened at ``line[start]`` (quotes skipped)."""
    depth, quote = 0, ""
    for index in range(start, len(line)):
        char = line[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index
    return None


def _flow(mapping: Mapping[str, int]) -> str:
    return "{" + ", ".join(f"{_yaml.scalar(str(k))}: {v}" for k, v in mapping.items()) + "}"


def _merge_one(edits: _Edits, campaign: _yaml.ContextDict, environment: str, campaign_id: int) -> str | None:
    """Edit one campaign mapping; None when done, else why it was left alone."""
    lines = edits.lines
    start = campaign.mark
    row = start.line - 1
    written = campaign.get("id")
    if isinstance(written, int) and not isinstance(written, bool):
        return None if written == campaign_id else (
            f"`id: {written}` pins every environment, and {environment}'s is {campaign_id}: write "
            f"`id: {{<env>: {written}, {environment}: {campaign_id}}}`")
    if isinstance(written, dict):
        if written.get(environment) == campaign_id:
            return None
        key_mark, value_mark = campaign.key_marks["id"], campaign.value_marks["id"]
        key_row, value_row = key_mark.line - 1, value_mark.line - 1
        if value_row == key_row and lines[key_row][value_mark.column - 1] == "{":
            close = _closing_brace(lines[key_row], value_mark.column - 1)
            if close is None:
                return "its `id` mapping spans several lines; edit by hand"
            merged = {**{str(k): int(v) for k, v in written.items()}, environment: campaign_id}
            line = lines[key_row]
            edits.replaced[key_row] = line[: value_mark.column - 1] + _flow(merged) + line[close + 1:]
            return None
        if environment in written:
            return f"its `id` names {environment} {written[environment]}, the instance has {campaign_id}"
        if not isinstance(written, _yaml.ContextDict) or not written.key_marks:
            return "its `id` mapping cannot be placed in the file; edit by hand"
        last = max(m.line for m in written.key_marks.values()) - 1
        edits.inserted.setdefault(last, []).append(
            " " * (value_mark.column - 1) + f"{_yaml.scalar(environment)}: {campaign_id}")
        return None
    if written is not None:
        return "its `id` is neither a number nor a mapping"
    entry = f"id: {_flow({environment: campaign_id})}"
    if lines[row][start.column - 1] == "{":  # a flow mapping: `- {name: A, ...}`
        close = _closing_brace(lines[row], start.column - 1)
        if close is None:
            return "it is a flow mapping over several lines; edit by hand"
        edits.replaced[row] = lines[row][:close] + f", {entry}" + lines[row][close:]
        return None
    name_row = campaign.key_marks["name"].line - 1 if "name" in campaign.key_marks else row
    after = name_row  # right after the name, as import writes it; past a name written on several lines
    while after + 1 < len(lines) and lines[after + 1].strip() and not lines[after + 1].lstrip().startswith("#") \
            and len(lines[after + 1]) - len(lines[after + 1].lstrip()) > start.column - 1:
        after += 1
    edits.inserted.setdefault(after, []).insert(0, " " * (start.column - 1) + entry)
    return None


def merge_text(text: str, file: str, found: Sequence[tuple[int, int, str, int]],
               environment: str) -> tuple[str, list[str], list[str]]:
    """``found``: (line, column, name, id) of each declared campaign found in the instance.

    Returns the new text, what was added and what was left alone (one line each)."""
    document, problems = _yaml.load(text, file)
    if document is None or problems:
        return text, [], [f"{file}: cannot be read back as YAML; nothing merged"]
    campaigns = document.get("campaigns") or []
    by_mark = {(c.mark.line, c.mark.column): c for c in campaigns if isinstance(c, _yaml.ContextDict)}
    edits = _Edits(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"))
    added: list[str] = []
    left: list[str] = []
    for line, column, name, campaign_id in found:
        mapping = by_mark.get((line, column))
        where = f"{file}, line {line}"
        if mapping is None:
            left.append(f"{where}: {name!r}: its declaration was not found in the file; edit by hand")
            continue
        before = (len(edits.replaced), sum(len(v) for v in edits.inserted.values()))
        why = _merge_one(edits, mapping, environment, campaign_id)
        if why is not None:
            left.append(f"{where}: {name!r} left alone: {why}")
        elif before != (len(edits.replaced), sum(len(v) for v in edits.inserted.values())):
            added.append(f"{where}: {name!r} {environment} id {campaign_id}")
    if not added:
        return text, added, left
    merged = edits.text(text.endswith("\n"))
    check, problems = _yaml.load(merged, file)
    if check is None or problems:  # never write what would not read back
        return text, [], [f"{file}: the merged text would not be valid YAML; nothing merged, edit by hand"]
    return merged, added, left


def _under(campaign: DesiredCampaign, folders: Sequence[str]) -> bool:
    if not folders:
        return True
    path = path_of(campaign.folder, campaign.name) if isinstance(campaign.folder, str) else ()
    return any(path[: len(segments(f))] == segments(f) for f in folders)


def merge_ids(session: Session, desired: DesiredState, root: Path, *, environment: str,
              folders: Sequence[str] = (), write: Callable[[Path, str], None] | None = None) -> Merged:
    """Read the instance for ``desired`` (the files loaded with ``environment``'s variables) and
    add each found campaign's id to its declaration; ``folders`` narrows to paths below them."""
    remote = read_remote(session.api, desired, call_count=session.calls_made, workspace=session.workspace)
    by_file: dict[str, list[tuple[int, int, str, int]]] = {}
    left: list[str] = []
    for campaign in desired.campaigns:
        if not _under(campaign, folders):
            continue
        found = find_declared(remote, campaign)
        if found is None:
            pinned = f" (its id {campaign.id} is not there)" if campaign.id is not None else ""
            left.append(f"{campaign.location}: {campaign.name!r} is not in {environment}{pinned}; it is matched by "
                        "path and name once created")
            continue
        location = campaign.location
        by_file.setdefault(location.file, []).append((location.line, location.column, campaign.name, found.id))
    written: list[str] = []
    added: list[str] = []
    for file, declarations in sorted(by_file.items()):
        path = root / file
        text = path.read_text(encoding="utf-8")
        merged, file_added, file_left = merge_text(text, file, declarations, environment)
        added += file_added
        left += file_left
        if merged != text:
            (write or _write)(path, merged)
            written.append(file)
    return Merged(environment=environment, files=tuple(written), added=tuple(added), left_alone=tuple(left),
                  calls=remote.read_calls)


def _write(path: Path, text: str) -> None:
    atomic.write_text(path, text)

