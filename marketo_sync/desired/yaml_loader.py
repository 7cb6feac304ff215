"""YAML that remembers where everything was written.

Error messages must say ``campaigns/webinars.yaml, line 12, column 5``, so the loader turns
every mapping into a :class:`ContextDict` and every sequence into a :class:`ContextList`
that carry their own position and the position of each key and item (after octoDNS's
``ContextLoader``). Scalars cannot carry attributes, so their positions live in the
container that holds them.

Deliberate differences from ``yaml.safe_load``:

* dates stay strings (``value: 2026-03-15`` is a token value, not a ``datetime.date``);
* a key written twice in one mapping is reported, not silently overwritten;
* problems are collected, not raised, so that every file's errors are shown at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a file, as people and editors count."""

    line: int
    column: int


@dataclass(frozen=True)
class Scalar:
    """How a scalar value was written: its source text and whether it was quoted."""

    text: str
    quoted: bool


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class ContextDict(dict):  # type: ignore[type-arg]
    """A mapping that knows where it, each key and each value were written."""

    def __init__(self, *args: Any, file: str = "", mark: Mark = Mark(1, 1), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file = file
        self.mark = mark
        self.key_marks: dict[Any, Mark] = {}
        self.value_marks: dict[Any, Mark] = {}
        self.scalars: dict[Any, Scalar] = {}


class ContextList(list):  # type: ignore[type-arg]
    """A sequence that knows where it and each item were written."""

    def __init__(self, *args: Any, file: str = "", mark: Mark = Mark(1, 1)) -> None:
        super().__init__(*args)
        self.file = file
        self.mark = mark
        self.item_marks: list[Mark] = []
        self.scalars: dict[int, Scalar] = {}


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, with where it is (``key`` names the field when known)."""

    message: str
    mark: Mark
    key: str = ""


class ContextLoader(yaml.SafeLoader):
    """SafeLoader building :class:`ContextDict` / :class:`ContextList`, positions included."""

    problems: list[Problem]

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.file = file
        self.problems = []
        #: (mapping, key, problem): the field path is known only once the document is built
        self.duplicates: list[tuple[ContextDict, Any, Problem]] = []

    def construct_yaml_map(self, node: yaml.MappingNode) -> Any:
        data = ContextDict(file=self.file, mark=_mark(node))
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                self.problems.append(Problem("a mapping key must be a plain value", _mark(key_node)))
                continue
            if key in data:
                first = data.key_marks[key]
                self.duplicates.append((data, key, Problem(
                    f"key {key!r} is written twice in one mapping (first at line {first.line}, "
                    f"column {first.column})", _mark(key_node), str(key))))
                continue
            data[key] = self.construct_object(value_node, deep=True)
            data.key_marks[key] = _mark(key_node)
            data.value_marks[key] = _mark(value_node)
            if isinstance(value_node, yaml.ScalarNode):
                data.scalars[key] = Scalar(value_node.value, value_node.style not in (None, ""))

    def construct_yaml_seq(self, node: yaml.SequenceNode) -> Any:
        data = ContextList(file=self.file, mark=_mark(node))
        yield data
        for index, item in enumerate(node.value):
            data.append(self.construct_object(item, deep=True))
            data.item_marks.append(_mark(item))
            if isinstance(item, yaml.ScalarNode):
                data.scalars[index] = Scalar(item.value, item.style not in (None, ""))


ContextLoader.add_constructor("tag:yaml.org,2002:map", ContextLoader.construct_yaml_map)
ContextLoader.add_constructor("tag:yaml.org,2002:seq", ContextLoader.construct_yaml_seq)
# Dates stay as written: the resolver table is per class, so copy it before editing.
ContextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document. Returns ``(data, problems)``; ``data`` is ``None`` when the
    text is not YAML (the syntax error is then the only problem) or the file is empty.

    Syntax errors are described by the parser's own words and mark only: the offending
    line itself is never echoed, so that nothing written in the file leaks into logs.
    """
    loader = ContextLoader(text, file)
    try:
        data = loader.get_single_data()
        paths = _paths_of(data)
        for mapping, key, problem in loader.duplicates:
            path = [*paths.get(id(mapping), []), key]
            loader.problems.append(Problem(problem.message, problem.mark, field_name(path)))
        return data, loader.problems
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        words = [w for w in (error.context, error.problem) if w]
        return None, [*loader.problems, Problem("invalid YAML: " + ", ".join(words), position)]
    except yaml.YAMLError as error:  # pragma: no cover - every parser error is marked
        return None, [Problem(f"invalid YAML: {type(error).__name__}", Mark(1, 1))]
    finally:
        loader.dispose()


def _paths_of(node: Any, path: list[Any] | None = None,
              found: dict[int, list[Any]] | None = None) -> dict[int, list[Any]]:
    """The path of every container in a document, by identity."""
    path = [] if path is None else path
    found = {} if found is None else found
    if isinstance(node, dict | list):
        found[id(node)] = path
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            _paths_of(value, [*path, key], found)
    return found


def mark_of(document: Any, path: Sequence[Any], *, key: bool = False) -> Mark:
    """The position of the deepest node on ``path`` that has one.

    ``key=True`` points at the last key itself rather than its value (used for "unknown
    key" errors, where the key is what is wrong).
    """
    node = document
    best = getattr(document, "mark", Mark(1, 1))
    for index, step in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, ContextDict) and step in node:
            marks = node.key_marks if key and last else node.value_marks
            best = marks.get(step, best)
            node = node[step]
        elif isinstance(node, ContextList) and isinstance(step, int) and 0 <= step < len(node):
            best = node.item_marks[step]
            node = node[step]
        else:
            break
        best = getattr(node, "mark", best) if not (key and last) else best
    return best


def scalar_of(document: Any, path: Sequence[Any]) -> Scalar | None:
    """How the scalar at ``path`` was written, when it is a scalar."""
    if not path:
        return None
    node = document
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    scalars = getattr(node, "scalars", None)
    return scalars.get(path[-1]) if scalars is not None else None


def field_name(path: Sequence[Any]) -> str:
    """``["campaigns", 0, "active"]`` -> ``"campaigns[0].active"``; the root is ``"(file)"``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(file)"


# -- writing: stable scalars for generated files (``marketo-sync import``) ------------------

#: Plain scalars that other YAML readers (1.1 booleans, sexagesimal numbers, dates) might
#: take for something else, although PyYAML reads some of them as text: always quoted.
_NUMBER_OR_DATE_LIKE = re.compile(r"^[-+.]?[0-9][0-9_:.\-+eExXoObB ]*$")
#: Characters that start YAML syntax when they open a plain scalar.
_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"
_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
            "\r": "\\r", "\x1b": "\\e", "\"": "\\\"", "\\": "\\\\", "\x85": "\\N", "\xa0": "\\_",
            "\u2028": "\\L", "\u2029": "\\P"}


def double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly (escapes for every
    character YAML would fold, strip or refuse: line breaks, controls, BOM)."""
    out: list[str] = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif yaml.reader.Reader.NON_PRINTABLE.match(char) or char == "\ufeff":
            code = ord(char)
            out.append(f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF
                       else f"\\U{code:08X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _reads_back(written: str, text: str) -> bool:
    try:
        return bool(yaml.safe_load(f"k: {written}\n") == {"k": text}
                    and yaml.safe_load(f"- {written}\n") == [text])
    except yaml.YAMLError:
        return False


def scalar(value: str | bool | int | None) -> str:
    """A value as a block-context YAML scalar: plain when no reader could misread it, else
    double-quoted. Deterministic (the same value always gives the same text), so generated
    files are byte-identical from one run to the next. Strings only ever read back as the
    same string: a plain candidate is checked by parsing it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = (
        text != "" and text == text.strip() and text[0] not in _INDICATORS
        and ": " not in text and " #" not in text and not text.endswith(":")
        and "\t" not in text and not _NUMBER_OR_DATE_LIKE.match(text)
        and all(c not in _ESCAPES and not yaml.reader.Reader.NON_PRINTABLE.match(c) for c in text)
        and _reads_back(text, text)
    )
    return text if plain else double_quoted(text)
