"""JSON Schema validation of loaded YAML, with every error placed in the file.

The schemas in ``schemas/`` are the single source of the file formats (editors use them
too, through ``# yaml-language-server: $schema=``). This module runs the validator the
schema declares (``$schema``), collects **all** errors with ``iter_errors``, and maps each
error's ``absolute_path`` to the nearest position the loader remembered.

Messages are rewritten for people who edit YAML, and never echo a whole mapping or list:
a project file may hold a value that must not end up in a log.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError as SchemaViolation

from marketo_sync.desired import schema_fast
from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.desired.yaml_loader import Problem

_PACKAGE = Path(__file__).resolve().parent.parent  # marketo_sync/
#: The repository's ``schemas/`` (a source checkout); an installed package has a copy.
_SOURCE_SCHEMAS = _PACKAGE.parent / "schemas"
_PACKAGED_SCHEMAS = _PACKAGE / "schemas"

_TYPE_WORDS = {
    "string": "text", "boolean": "true or false", "integer": "a whole number",
    "number": "a number", "object": "a mapping", "array": "a list", "null": "empty",
}


def schema_path(name: str) -> Path:
    """``schemas/<name>`` of the source tree when present, else the packaged copy."""
    source = _SOURCE_SCHEMAS / name
    packaged = _PACKAGED_SCHEMAS / name
    return source if source.exists() or not packaged.exists() else packaged


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema (cached: it is read once per process)."""
    return json.loads(schema_path(name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def _validator(name: str) -> Any:
    """Built once per schema, with its local ``$ref`` inlined (see :func:`inline_refs`)."""
    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(inline_refs(schema), format_checker=cls.FORMAT_CHECKER)


@cache
def _valid(name: str) -> schema_fast.Check | None:
    """The exact quick check of :mod:`~marketo_sync.desired.schema_fast` (``None``: not supported)."""
    return schema_fast.compile_schema(inline_refs(load_schema(name)))


_ANNOTATIONS = frozenset({"description", "title", "$comment", "markdownDescription", "examples", "default"})


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with each ``{"$ref": "#/$defs/x"}`` replaced by a copy of ``x``.

    Resolving a reference costs a registry lookup per instance: for 50,000 campaigns that was
    half of ``validate``. Only references to ``$defs`` whose siblings are annotations are
    inlined; a recursive or unusual one is left as it is (still resolved by jsonschema), so
    what validates and the errors are the same.
    """
    defs = schema.get("$defs") or {}

    def inline(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        name = ref[len("#/$defs/"):] if isinstance(ref, str) and ref.startswith("#/$defs/") else None
        if name is not None and name in defs and name not in stack and set(node) - {"$ref"} <= _ANNOTATIONS:
            target = inline(defs[name], (*stack, name))
            return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return {key: inline(value, stack) for key, value in node.items()}

    return inline(schema, ())  # type: ignore[no-any-return]


def check(document: Any, name: str, *, ignore_keys: Iterable[str] = ()) -> list[Problem]:
    """Every violation of schema ``name`` in ``document``, placed and worded, in file order.

    ``ignore_keys``: unknown keys the caller already reported more precisely (for example
    credentials in a project file), so that they are not reported twice.
    """
    quick = _valid(name)
    if quick is not None:
        try:
            if quick(document):
                return []  # jsonschema would find nothing: it only words the errors
        except schema_fast.Undecided:
            pass
    ignored = frozenset(ignore_keys)
    problems: list[Problem] = []
    for error in _validator(name).iter_errors(document):
        problems.extend(_describe(error, document, ignored))
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.mark.line, p.mark.column))


def format_problem(file: str, problem: Problem) -> str:
    """``field: message (file, line N, column M)``: the form of every reason we report."""
    where = f"{file}, line {problem.mark.line}, column {problem.mark.column}"
    field = f"{problem.key}: " if problem.key else ""
    return f"{field}{problem.message} ({where})"


# -- wording -------------------------------------------------------------------------------

def describe_value(value: Any) -> str:
    """A short, safe description of a value: scalars shown (truncated), containers named."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def _expected_types(value: Any) -> str:
    types = [value] if isinstance(value, str) else list(value)
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types)


def _describe(error: SchemaViolation, document: Any, ignored: frozenset[str]) -> list[Problem]:
    path: Sequence[Any] = list(error.absolute_path)
    field = _yaml.field_name(path)
    mark = _yaml.mark_of(document, path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    keyword = error.validator
    value: Any = error.validator_value  # jsonschema types these as "Any | Unset"
    instance: Any = error.instance

    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = sorted(schema.get("properties", {}))
        problems = []
        for key in instance:
            if key in schema.get("properties", {}) or key in ignored:
                continue
            hint = difflib.get_close_matches(str(key), known, n=1)
            maybe = f"did you mean {hint[0]!r}? " if hint else ""
            problems.append(Problem(
                f"unknown key {key!r} ({maybe}allowed here: {', '.join(known)})",
                _yaml.mark_of(document, [*path, key], key=True), _yaml.field_name([*path, key])))
        return problems
    if keyword == "required":
        missing = [k for k in value if not isinstance(instance, dict) or k not in instance]
        return [Problem(f"missing required key {k!r}", mark, field) for k in missing]
    if keyword == "type":
        message = schema.get("errorMessage") or (
            f"must be {_expected_types(value)}, not {describe_value(instance)}")
        scalar = _yaml.scalar_of(document, path)
        wants_text = "string" in ([value] if isinstance(value, str) else value)
        if wants_text and scalar is not None and not scalar.quoted:
            message += " (put it in quotes to make it text)"
        return [Problem(message, mark, field)]
    if keyword in ("oneOf", "anyOf"):
        # No branch has the right type: the schema's own sentence says what is allowed.
        # Otherwise the closest branch's error is the useful one (e.g. a missing ``type``).
        specific = [e for e in error.context or [] if e.validator != "type" or e.relative_path]
        if schema.get("errorMessage") and not specific:
            return [Problem(schema["errorMessage"], mark, field)]
        best = jsonschema.exceptions.best_match(specific or error.context or [])
        return _describe(best, document, ignored) if best is not None else [
            Problem("does not match any allowed form", mark, field)]
    if keyword == "enum":
        allowed = ", ".join(str(v) for v in value)
        return [Problem(f"must be one of: {allowed}; not {describe_value(instance)}", mark, field)]
    if keyword == "maxLength":
        return [Problem(f"is {len(instance)} characters long; at most {value} are allowed"
                        + (f": {schema['lengthErrorMessage']}" if schema.get("lengthErrorMessage") else ""),
                        mark, field)]
    if keyword == "minLength":
        return [Problem("must not be empty", mark, field)]
    if keyword == "pattern":
        message = schema.get("patternErrorMessage") or f"must match the pattern {value!r}"
        return [Problem(f"{describe_value(instance)}: {message}", mark, field)]
    if keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most",
                 "exclusiveMaximum": "less than"}[keyword]
        return [Problem(f"must be {words} {value}, not {describe_value(instance)}", mark, field)]
    if keyword == "propertyNames":
        return [Problem(f"invalid key: {error.message}", mark, field)]
    if isinstance(instance, dict | list):
        return [Problem(f"does not satisfy {keyword} {value!r}", mark, field)]
    return [Problem(error.message, mark, field)]
