"""YAML that remembers where everything was written, and refuses files that could hurt.

Error messages must say ``campaigns/webinars.yaml, line 12, column 5``, so the loader turns
every mapping into a :class:`ContextDict` and every sequence into a :class:`ContextList`
that carry their own position and the position of each key and item (after octoDNS's
``ContextLoader``). Scalars cannot carry attributes, so their positions live in the
container that holds them.

Deliberate differences from ``yaml.safe_load``:

* YAML 1.2 scalars: only ``true``/``false`` are booleans (``yes``, ``no``, ``on``, ``off``,
  ``y``, ``n`` are text, as in every YAML 1.2 reader); ``010`` is ten, ``12:30`` is text;
* dates stay strings (``value: 2026-03-15`` is a token value, not a ``datetime.date``);
* a key written twice in one mapping is reported, not silently overwritten;
* anchors and aliases (``&a`` / ``*a``) are refused (a "billion laughs" file expands an
  alias exponentially), and so are files over a size cap and nesting deeper than
  :data:`MAX_DEPTH`: every refusal is a positioned problem, never a traceback;
* problems are collected, not raised, so that every file's errors are shown at once.

Speed: libyaml's C parser (``yaml.CParser``) produces the events when PyYAML was built with
it; composing stays in Python (:class:`_Composer`) so that the checks above, and every line
and column, are the same with either parser. Without libyaml the pure-Python parser is used.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.resolver import Resolver

#: libyaml's parser when PyYAML was built with it (wheels ship it, source builds may not).
#: ``yaml.cyaml`` does not re-export ``CParser`` at the package level: read it from the module.
_CParser: Any = None
with contextlib.suppress(ImportError):
    from yaml import cyaml

    _CParser = getattr(cyaml, "CParser", None)

#: The default cap on one campaign or project file (``limits.max_file_mb`` changes it).
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: Deeper nesting than any campaign file needs (they nest about 6 levels); the cap keeps the
#: recursive composer and constructor far from Python's recursion limit.
MAX_DEPTH = 64


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


class _Refused(yaml.MarkedYAMLError):
    """A construct we will not read (anchor, alias, deep nesting): our words, not the parser's."""


class _Composer(Composer):
    """PyYAML's composer, refusing anchors and aliases and bounding the nesting depth.

    Refusing at composition means an alias is never expanded: a "billion laughs" file stops
    at its first ``*alias``, in microseconds.
    """

    depth = 0

    # The parser mixed in beside this class supplies these (PyYAML's stubs do not say so).
    check_event: Any
    get_event: Any
    peek_event: Any

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.get_event()
            raise _Refused(problem="YAML aliases (*name) are not accepted: write the value out "
                                   "where it is needed", problem_mark=event.start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise _Refused(problem="YAML anchors (&name) are not accepted: write each value out "
                                   "where it is needed", problem_mark=event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(problem=f"nested deeper than {MAX_DEPTH} levels", problem_mark=event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Yaml12Resolver(Resolver):
    """The YAML 1.2 core schema's implicit types (null, true/false, int, float; no dates)."""


_Yaml12Resolver.yaml_implicit_resolvers = {}
_Yaml12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Yaml12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"))
_Yaml12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))
_Yaml12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class _ContextConstructor(SafeConstructor):
    """SafeConstructor building :class:`ContextDict` / :class:`ContextList`, positions included."""

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file
        self.problems: list[Problem] = []
        #: (mapping, key, problem): the field path is known only once the document is built
        self.duplicates: list[tuple[ContextDict, Any, Problem]] = []

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """YAML 1.2: ``010`` is ten (1.1 read it as octal eight); ``0o`` and ``0x`` prefixes."""
        text = str(self.construct_scalar(node))
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text, 10)

    def construct_yaml_map(self, node: yaml.MappingNode) -> Any:
        data = ContextDict(file=self.file, mark=_mark(node))
        yield data
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


_ContextConstructor.add_constructor("tag:yaml.org,2002:map", _ContextConstructor.construct_yaml_map)  # type: ignore[type-var]
_ContextConstructor.add_constructor("tag:yaml.org,2002:seq", _ContextConstructor.construct_yaml_seq)  # type: ignore[type-var]
_ContextConstructor.add_constructor("tag:yaml.org,2002:int", _ContextConstructor.construct_yaml_int)  # type: ignore[type-var]


class ContextLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _Composer,
                    _ContextConstructor, _Yaml12Resolver):
    """The pure-Python loader: PyYAML's reader, scanner and parser, our composer and constructor."""

    def __init__(self, stream: str, file: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _Composer.__init__(self)
        _ContextConstructor.__init__(self, file)
        _Yaml12Resolver.__init__(self)


CContextLoader: Any = None
if _CParser is not None:
    class _CContextLoader(_CParser, _Composer, _ContextConstructor, _Yaml12Resolver):  # type: ignore[misc]
        """libyaml's events, our composer and constructor: the same documents and marks, faster."""

        # The composer's node methods, not CParser's: those would compose in C, unchecked.
        check_node = _Composer.check_node
        get_node = _Composer.get_node
        get_single_node = _Composer.get_single_node

        def __init__(self, stream: str, file: str) -> None:
            _CParser.__init__(self, stream)
            _Composer.__init__(self)
            _ContextConstructor.__init__(self, file)
            _Yaml12Resolver.__init__(self)

    CContextLoader = _CContextLoader


class FileRefused(Exception):
    """A file that is not read at all (too large, unreadable, not UTF-8); the message says why
    (callers say which file)."""


def read_text(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of ``path``, refused before reading when larger than ``max_bytes``.

    Raises :class:`FileRefused` (never a traceback for a bad file).
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileRefused(f"it is {_megabytes(size)}, over the {_megabytes(max_bytes)} cap "
                              "(limits.max_file_mb in the project file raises it)")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FileRefused(f"not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise FileRefused(str(error.strerror or error)) from None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def load(text: str, file: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
         parser: str = "auto") -> tuple[Any, list[Problem]]:
    """Parse one YAML document. Returns ``(data, problems)``; ``data`` is ``None`` when the
    text is not YAML (the syntax error is then the only problem) or the file is empty.

    ``parser``: ``"auto"`` (libyaml when available), ``"c"`` or ``"python"``. Syntax errors
    are always worded and placed by the pure-Python parser, the same whichever parsed first.
    Syntax errors are described by the parser's own words and mark only: the offending
    line itself is never echoed, so that nothing written in the file leaks into logs.
    """
    if len(text) > max_bytes:  # callers reading files use read_text, which refuses earlier
        return None, [Problem(f"the text is over the {_megabytes(max_bytes)} cap", Mark(1, 1))]
    use_c = CContextLoader is not None and parser != "python"
    if parser == "c" and CContextLoader is None:  # pragma: no cover
        raise ValueError("libyaml is not available")
    if use_c:
        built = _build_plain(text, file)
        if built is not _NOT_PLAIN:
            return built, []
        data, problems, syntax_error = _parse(CContextLoader, text, file)
        if not syntax_error:
            return data, problems
    data, problems, _ = _parse(ContextLoader, text, file)
    return data, problems


#: What the YAML 1.2 resolver's tags construct to, for :func:`_build_plain` (the same
#: conversions as :class:`_ContextConstructor`: SafeConstructor's, and our ``int``).
_NOT_PLAIN: Any = object()
_BOOL, _INT, _FLOAT, _NULL = ("tag:yaml.org,2002:" + t for t in ("bool", "int", "float", "null"))
_RESOLVERS: dict[Any, list[tuple[str, Any]]] = _Yaml12Resolver.yaml_implicit_resolvers


def _plain_value(text: str) -> Any:
    """A plain (unquoted, untagged) scalar's value, resolved and constructed as the loader does."""
    tag = next((t for t, regexp in _RESOLVERS.get(text[0] if text else "", ()) if regexp.match(text)), None)
    if tag is None:
        return text
    if tag == _BOOL:
        return SafeConstructor.bool_values[text.lower()]
    if tag == _INT:
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text, 10)
    if tag == _NULL:
        return None
    value = text.replace("_", "").lower()  # _FLOAT: SafeConstructor.construct_yaml_float
    sign = -1 if value[0] == "-" else +1
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * SafeConstructor.inf_value
    if value == ".nan":
        return SafeConstructor.nan_value
    return sign * float(value)


def _build_plain(text: str, file: str) -> Any:
    """The document of a file using none of what the composer checks, built straight from
    libyaml's events; ``_NOT_PLAIN`` when the file needs the full loader.

    The common file (one document; no anchor, alias or tag; plain keys written once; nesting
    well under :data:`MAX_DEPTH`) gives the same data, marks and scalars as
    :class:`_CContextLoader`, without building a node tree first (composing and constructing
    in Python were most of ``validate``'s time). Anything else, a syntax error included, is
    left to the full loader, which words the problem: returning ``None`` never changes a
    result, only its cost. An empty file (no document) is left to the full loader too.
    """
    try:
        parser = _CParser(text)
    except yaml.YAMLError:
        return _NOT_PLAIN
    try:
        return _build_events(parser.get_event, file)
    except yaml.YAMLError:
        return _NOT_PLAIN
    finally:
        parser.dispose()


def _build_events(get: Any, file: str) -> Any:
    """:func:`_build_plain`'s loop over the events."""
    scalar_event, mapping_start, mapping_end = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.MappingEndEvent
    sequence_start, sequence_end = yaml.SequenceStartEvent, yaml.SequenceEndEvent
    if type(get()) is not yaml.StreamStartEvent or type(get()) is not yaml.DocumentStartEvent:
        return _NOT_PLAIN
    # Each open collection: [container, is_mapping, key (or _NOT_PLAIN while a key is awaited), key mark].
    stack: list[list[Any]] = []
    root: Any = _NOT_PLAIN
    limit = MAX_DEPTH - 1  # leave the exact edge to the composer
    while True:
        event = get()
        kind = type(event)
        if kind is mapping_end or kind is sequence_end:
            done = stack.pop()[0]
            if not stack:
                root = done
                break
            continue
        if event.anchor is not None or event.tag is not None or len(stack) >= limit:
            return _NOT_PLAIN
        start = event.start_mark
        mark = Mark(start.line + 1, start.column + 1)
        scalar: Scalar | None = None
        if kind is scalar_event:
            raw = event.value
            value = _plain_value(raw) if event.implicit[0] else raw
            scalar = Scalar(raw, event.style not in (None, ""))
        elif kind is mapping_start:
            value = ContextDict(file=file, mark=mark)
        elif kind is sequence_start:
            value = ContextList(file=file, mark=mark)
        else:
            return _NOT_PLAIN
        if not stack:
            if scalar is not None:
                root = value
                break
            stack.append([value, kind is mapping_start, _NOT_PLAIN, None])
            continue
        top = stack[-1]
        container = top[0]
        if top[1]:
            key = top[2]
            if key is _NOT_PLAIN:  # this event is a key
                if scalar is None or value in container:
                    return _NOT_PLAIN  # a collection as a key, or a key written twice
                top[2], top[3] = value, mark
                continue
            container[key] = value
            container.key_marks[key] = top[3]
            container.value_marks[key] = mark
            if scalar is not None:
                container.scalars[key] = scalar
            top[2] = _NOT_PLAIN
        else:
            if scalar is not None:
                container.scalars[len(container)] = scalar
            container.append(value)
            container.item_marks.append(mark)
        if scalar is None:
            stack.append([value, kind is mapping_start, _NOT_PLAIN, None])
    if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
        return _NOT_PLAIN
    return root


def _parse(loader_class: Any, text: str, file: str) -> tuple[Any, list[Problem], bool]:
    """``(data, problems, syntax_error)`` with one loader class."""
    try:
        loader = loader_class(text, file)
    except yaml.reader.ReaderError as error:  # the pure reader checks every character first
        return None, [Problem(f"invalid YAML: the character U+{error.character:04X} is not allowed in a "
                              "YAML file (write it as an escape in a double-quoted string)",
                              _index_mark(text, error.position))], True
    try:
        data = loader.get_single_data()
        paths = _paths_of(data)
        for mapping, key, problem in loader.duplicates:
            path = [*paths.get(id(mapping), []), key]
            loader.problems.append(Problem(problem.message, problem.mark, field_name(path)))
        return data, loader.problems, False
    except _Refused as error:
        return None, [*loader.problems, Problem(str(error.problem), _position(error))], False
    except yaml.MarkedYAMLError as error:
        words = [w for w in (error.context, error.problem) if w]
        return None, [*loader.problems, Problem("invalid YAML: " + ", ".join(words), _position(error))], True
    except yaml.YAMLError as error:  # pragma: no cover - every parser error is marked
        return None, [Problem(f"invalid YAML: {type(error).__name__}", Mark(1, 1))], True
    finally:
        loader.dispose()


def _index_mark(text: str, index: int) -> Mark:
    line = text.count("\n", 0, index)
    return Mark(line + 1, index - (text.rfind("\n", 0, index) + 1) + 1)


def _position(error: yaml.MarkedYAMLError) -> Mark:
    mark = error.problem_mark or error.context_mark
    return Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)


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
