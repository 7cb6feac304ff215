"""A quick yes to "is this document valid under the schema?", so that jsonschema runs only
to word the errors of a document that is not.

jsonschema walks each keyword through a generic dispatcher and builds a validator object per
subschema it descends into: at 50,000 campaigns that was a third of ``validate``. Most files
are valid, and proving that needs none of it. :func:`compile_schema` turns a schema into
plain Python predicates, one per subschema, that give **exactly** jsonschema's answer
(draft 2020-12 semantics, as ``jsonschema`` 4 implements them: ``integer`` admits ``1.0``,
``true`` is neither ``1`` nor a number, ``enum`` compares text as text, ``pattern`` is
``re.search``).

Exactness is what makes it safe: :mod:`~marketo_sync.desired.schema` returns "no problem"
only when the predicate says valid, and otherwise asks jsonschema, whose errors are reported
as before. Both answers must be exact, not only "valid", because ``oneOf`` counts the branches
that hold. So the compiler refuses (returns ``None``, and jsonschema does everything) a schema
with any keyword it does not implement; annotations are ignored, as jsonschema ignores them.
A value it cannot judge exactly cheaply (an ``enum`` of numbers, ``uniqueItems`` of
non-text items) raises :class:`Undecided` at run time, and jsonschema decides.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

#: Keywords that never change validity (annotations, and this project's message keys).
ANNOTATIONS = frozenset({
    "$schema", "$id", "$defs", "$comment", "title", "description", "markdownDescription", "examples",
    "default", "deprecated", "readOnly", "writeOnly", "errorMessage", "patternErrorMessage",
    "lengthErrorMessage",
})


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not implement (jsonschema is used alone)."""


class Undecided(Exception):
    """This value cannot be judged exactly here: jsonschema decides."""


def compile_schema(schema: Any) -> Check | None:
    """A predicate with jsonschema's answer for ``schema``, or ``None`` when not supported."""
    try:
        return _compile(schema)
    except Unsupported:
        return None


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Number)


_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": _is_integer,
    "number": _is_number,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]

    def every(value: Any) -> bool:
        for check in checks:
            if not check(value):
                return False
        return True

    return every


def _compile(schema: Any) -> Check:
    if schema is True:
        return lambda value: True
    if schema is False:
        return lambda value: False
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    unknown = set(schema) - ANNOTATIONS - _KEYWORDS
    if unknown:
        raise Unsupported(", ".join(sorted(unknown)))
    checks: list[Check] = []
    if "type" in schema:
        checks.append(_type(schema["type"]))
    if "enum" in schema:
        checks.append(_enum(schema["enum"]))
    checks.extend(_strings(schema))
    checks.extend(_numbers(schema))
    checks.extend(_arrays(schema))
    checks.extend(_objects(schema))
    for keyword in ("oneOf", "anyOf", "allOf"):
        if keyword in schema:
            checks.append(_combined(keyword, [_compile(s) for s in schema[keyword]]))
    if "not" in schema:
        negated = _compile(schema["not"])
        checks.append(lambda v: not negated(v))
    return _all(checks)


_KEYWORDS = frozenset({
    "type", "enum", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minItems", "maxItems", "uniqueItems", "items", "minProperties", "maxProperties", "required", "properties", "additionalProperties", "propertyNames", "oneOf", "anyOf",
    "allOf", "not",
})


def _type(names: Any) -> Check:
    wanted = [names] if isinstance(names, str) else list(names)
    if any(name not in _TYPES for name in wanted):
        raise Unsupported(f"type {names!r}")
    checks = [_TYPES[name] for name in wanted]
    if len(checks) == 1:
        return checks[0]
    return lambda v: any(check(v) for check in checks)


def _enum(values: Any) -> Check:
    if not all(isinstance(v, str) for v in values):
        def undecided(value: Any) -> bool:
            raise Undecided("enum of values other than text")
        return undecided
    allowed = frozenset(values)
    # jsonschema's equal(): with text on either side, ``==``; only text equals text.
    return lambda v: isinstance(v, str) and v in allowed


def _sizes(schema: dict[str, Any], kind: type[str | list[Any] | dict[Any, Any]], fewest: str, most: str) -> list[Check]:
    """``min…``/``max…`` of a length (text, list or mapping); other kinds of values pass."""
    checks: list[Check] = []
    if fewest in schema:
        low = schema[fewest]
        checks.append(lambda v: not isinstance(v, kind) or not len(v) < low)
    if most in schema:
        high = schema[most]
        checks.append(lambda v: not isinstance(v, kind) or not len(v) > high)
    return checks


def _strings(schema: dict[str, Any]) -> list[Check]:
    checks = _sizes(schema, str, "minLength", "maxLength")
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
    return checks


def _numbers(schema: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "minimum" in schema:
        least = schema["minimum"]
        checks.append(lambda v: not _is_number(v) or not v < least)
    if "maximum" in schema:
        most = schema["maximum"]
        checks.append(lambda v: not _is_number(v) or not v > most)
    if "exclusiveMinimum" in schema:
        above = schema["exclusiveMinimum"]
        checks.append(lambda v: not _is_number(v) or not v <= above)
    if "exclusiveMaximum" in schema:
        below = schema["exclusiveMaximum"]
        checks.append(lambda v: not _is_number(v) or not v >= below)
    return checks


def _unique_text(value: Any) -> bool:
    if not isinstance(value, list):
        return True
    if not all(isinstance(item, str) for item in value):
        raise Undecided("uniqueItems of values other than text")
    return len(set(value)) == len(value)


def _arrays(schema: dict[str, Any]) -> list[Check]:
    checks = _sizes(schema, list, "minItems", "maxItems")
    if schema.get("uniqueItems"):
        checks.append(_unique_text)
    if "items" in schema:
        if schema["items"] is False:
            checks.append(lambda v: not isinstance(v, list) or not v)
        else:
            item = _compile(schema["items"])

            def items(value: Any) -> bool:
                if not isinstance(value, list):
                    return True
                for element in value:
                    if not item(element):
                        return False
                return True

            checks.append(items)
    return checks


def _objects(schema: dict[str, Any]) -> list[Check]:
    checks = _sizes(schema, dict, "minProperties", "maxProperties")
    if "required" in schema:
        required = list(schema["required"])
        checks.append(lambda v: not isinstance(v, dict) or all(key in v for key in required))
    if "propertyNames" in schema:
        name = _compile(schema["propertyNames"])
        checks.append(lambda v: not isinstance(v, dict) or all(name(key) for key in v))
    if "properties" in schema or "additionalProperties" in schema:
        checks.append(_properties(schema))
    return checks


def _properties(schema: dict[str, Any]) -> Check:
    """``properties`` and ``additionalProperties`` in one pass over the mapping's keys."""
    known = {key: _compile(sub) for key, sub in (schema.get("properties") or {}).items()}
    extra_schema = schema.get("additionalProperties", True)
    refuse_extra = extra_schema is False
    extra = None if extra_schema is True or refuse_extra else _compile(extra_schema)

    def properties(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            check = known.get(key)
            if check is not None:
                if not check(item):
                    return False
            elif refuse_extra or (extra is not None and not extra(item)):
                return False
        return True

    return properties


def _combined(keyword: str, checks: list[Check]) -> Check:
    if keyword == "allOf":
        return _all(checks)
    if keyword == "anyOf":
        return lambda v: any(check(v) for check in checks)

    def one_of(value: Any) -> bool:
        holding = 0
        for check in checks:
            if check(value):
                holding += 1
                if holding > 1:
                    return False
        return holding == 1

    return one_of
