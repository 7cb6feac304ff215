"""My Token overrides: parse them, load them from YAML, and check they exist before sending.

Marketo ignores an unknown override silently and the email goes out without the value,
so every name is looked up on the campaign's program and the folders above it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from marketo_sync.client.protocols import OperationsApi, Row
from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.operations.errors import OperationError
from marketo_sync.operations.target import CampaignTarget
from marketo_sync.refs import FolderRef

#: Request and Schedule: at most 100 token overrides.
MAX_TOKENS = 100
#: Token names are at most 50 characters.
MAX_TOKEN_NAME = 50
#: How many folder levels above the campaign are searched for a token name.
MAX_TOKEN_LEVELS = 8


_WRAPPED = re.compile(r"^\{\{\s*my\.(?P<name>.+?)\s*\}\}$")


def token_name(raw: str) -> str:
    """``WebinarTitle``, ``my.WebinarTitle`` or ``{{my.WebinarTitle}}`` -> ``WebinarTitle``."""
    text = str(raw).strip()
    match = _WRAPPED.match(text)
    if match:
        text = match.group("name").strip()
    elif text.startswith("{{"):
        raise ValueError(f"token {raw!r}: only My Tokens ({{{{my.Name}}}}) can be overridden")
    elif text.startswith("my."):
        text = text[3:].strip()
    if not text:
        raise ValueError(f"token name {raw!r} is empty")
    if "{" in text or "}" in text:
        raise ValueError(f"token name {raw!r} is malformed")
    if len(text) > MAX_TOKEN_NAME:
        raise ValueError(f"token name {text!r} is longer than {MAX_TOKEN_NAME} characters")
    return text


def parse_token_args(pairs: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """``--token NAME=VALUE`` arguments: (tokens by bare name, problems)."""
    tokens: dict[str, str] = {}
    problems: list[str] = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            problems.append(f"--token {pair!r}: expected NAME=VALUE")
            continue
        try:
            bare = token_name(name)
        except ValueError as error:
            problems.append(f"--token: {error}")
            continue
        if bare in tokens:
            problems.append(f"--token: {bare!r} is given twice")
            continue
        tokens[bare] = value
    return tokens, problems


def load_tokens_file(path: Path) -> tuple[dict[str, str], list[str]]:
    """A YAML mapping ``Name: value``; problems name the file, line and column."""
    try:
        text = _yaml.read_text(Path(path))
    except _yaml.FileRefused as error:
        return {}, [f"cannot read the tokens file {path}: {error}"]
    data, found = _yaml.load(text, str(path))
    problems = [f"{path}, line {p.mark.line}, column {p.mark.column}: {p.message}" for p in found]
    if problems:
        return {}, problems
    if data is None:
        return {}, []
    if not isinstance(data, _yaml.ContextDict):
        return {}, [f"{path}, line 1, column 1: expected a mapping of token names to values"]
    tokens: dict[str, str] = {}
    for key, value in data.items():
        mark = data.key_marks.get(key, data.mark)
        where = f"{path}, line {mark.line}, column {mark.column}"
        try:
            bare = token_name(str(key))
        except ValueError as error:
            problems.append(f"{where}: {error}")
            continue
        if bare in tokens:
            problems.append(f"{where}: token {bare!r} is given twice")
            continue
        written = data.scalars.get(key)
        if isinstance(value, str):
            tokens[bare] = value
        elif isinstance(value, int | float) and not isinstance(value, bool) and written is not None:
            tokens[bare] = written.text  # as written: 1.50 stays "1.50"
        else:
            vmark = data.value_marks.get(key, mark)
            problems.append(f"{path}, line {vmark.line}, column {vmark.column}: the value of {bare!r} must be "
                            "a string (quote it)")
    return tokens, problems


def merge_tokens(from_file: Mapping[str, str], from_args: Mapping[str, str]) -> dict[str, str]:
    """``--token`` overrides the same name in ``--tokens-file``."""
    return {**from_file, **from_args}


def check_token_count(tokens: Mapping[str, str]) -> list[str]:
    if len(tokens) > MAX_TOKENS:
        return [f"{len(tokens)} tokens given; Marketo accepts at most {MAX_TOKENS} per call"]
    return []


def _parent_ref(record: Row | None) -> FolderRef | None:
    return FolderRef.parse_or_none(record.get("parent")) if record else None  # None: a zone, or unreadable


def check_tokens_exist(api: OperationsApi, target: CampaignTarget, tokens: Mapping[str, str]) -> None:
    """Every override names a My Token of the campaign's program or of a folder above it.

    Marketo ignores an unknown override without an error, and the email goes out without
    the value. Tokens are inherited, so the parents are read only for names not found yet.
    """
    missing = set(tokens)
    ref = target.container
    known: set[str] = set()
    for _ in range(MAX_TOKEN_LEVELS):
        if not missing or ref is None:
            break
        names = {token.name for token in api.tokens_of(ref)}
        known |= names
        missing -= names
        if not missing:
            break
        record = api.get_folder(ref)
        ref = _parent_ref(record)
    if missing:
        lowered = {n.lower(): n for n in known}
        reasons = []
        for name in sorted(missing):
            hint = f" (did you mean {lowered[name.lower()]!r}?)" if name.lower() in lowered else ""
            reasons.append(f"token {name!r} is not a My Token of campaign {target.label} or its folders{hint}; "
                           "Marketo would ignore it and send the email without the value "
                           "(--allow-unknown-tokens skips this check)")
        raise OperationError(reasons)
