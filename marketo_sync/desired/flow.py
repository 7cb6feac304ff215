"""A campaign's declared flow (``flow:`` in a campaign file), checked offline for its shape.

Each step is a mapping with ``step:`` (the activity type name as Marketo returns it, e.g.
``Send Email``) and its attributes by their Marketo names (``Email: Webinar Reminder``), or
``choices:``: conditional choices (``if: {name, operator, values}`` and attribute values), the
default choice last, without ``if``. The schema checks types; this module checks what it cannot
(the default choice is last and only last; attributes are on the step or in its choices, not
both) and keeps every step's position, so plan-time errors (an unknown step type or attribute,
found against ``flowSteps.json``) can name file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.desired.model import Location

#: Keys of a step or a choice that are not Marketo attributes.
STEP_KEYS = frozenset({"step", "choices"})
CHOICE_KEYS = frozenset({"if"})


@dataclass(frozen=True)
class Condition:
    """When a choice applies: a field (or activity) ``name``, an ``operator`` and ``values``."""

    name: str
    operator: str
    values: tuple[str, ...]

    def as_data(self) -> dict[str, Any]:
        return {"name": self.name, "operator": self.operator, "values": list(self.values)}


@dataclass(frozen=True)
class DesiredChoice:
    """One choice of a step: ``condition`` None for the default choice (always the last)."""

    condition: Condition | None
    attributes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DesiredStep:
    """One flow step: its type name and its choices (at least the default one)."""

    step: str
    choices: tuple[DesiredChoice, ...]
    location: Location


def _text(node: Any, key: Any, value: Any) -> str:
    """An attribute value as Marketo stores it: text; numbers as written, booleans lower-case."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    scalars = getattr(node, "scalars", {})
    written = scalars.get(key)
    return written.text if written is not None else str(value)


def _attributes(node: Mapping[str, Any], reserved: frozenset[str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), _text(node, k, v)) for k, v in node.items() if k not in reserved and v is not None)


def _condition(raw: Mapping[str, Any]) -> Condition:
    values = raw.get("values")
    items = values if isinstance(values, list) else ([] if values is None else [values])
    return Condition(str(raw.get("name", "")).strip(), str(raw.get("operator") or "is").strip(),
                     tuple(_text(items, i, v) for i, v in enumerate(items)))


Report = Callable[[str, list[Any]], None]


def parse_flow(raw: Sequence[Any], file: str, document: Any, path: list[Any],
               problem: Report) -> tuple[DesiredStep, ...]:
    """The steps of a schema-valid ``flow:`` list; ``problem(message, path)`` for what is wrong.

    ``document`` and ``path`` locate the list in its file (for :class:`Location` and messages).
    """
    steps: list[DesiredStep] = []
    for index, node in enumerate(raw):
        where = [*path, index]
        mark = _yaml.mark_of(document, where)
        location = Location(file, mark.line, mark.column)
        name = str(node["step"]).strip()
        own = _attributes(node, STEP_KEYS)
        raw_choices = node.get("choices")
        if not raw_choices:
            steps.append(DesiredStep(name, (DesiredChoice(None, own),), location))
            continue
        if own:
            problem(f"flow step {index + 1} {name!r} has attributes and `choices`: put the attributes in its "
                    "choices (the default choice, without `if`, last)", [*where, own[0][0]])
            continue
        choices: list[DesiredChoice] = []
        for number, choice in enumerate(raw_choices):
            last = number == len(raw_choices) - 1
            condition = choice.get("if")
            if condition is None and not last:
                problem(f"flow step {index + 1} {name!r}: only the last choice may be the default one "
                        "(without `if`); give this choice an `if`", [*where, "choices", number])
            elif condition is not None and last:
                problem(f"flow step {index + 1} {name!r}: the last choice is the default one and has no "
                        "`if`; add the default choice (its attributes, no `if`) at the end",
                        [*where, "choices", number, "if"])
            choices.append(DesiredChoice(_condition(condition) if condition is not None else None,
                                         _attributes(choice, CHOICE_KEYS)))
        steps.append(DesiredStep(name, tuple(choices), location))
    return tuple(steps)


def flow_data(steps: Sequence[DesiredStep]) -> list[dict[str, Any]]:
    """The declared flow as plain data (``step``, ``choices`` with ``if`` and ``attributes``)."""
    return [{"step": s.step, "choices": [
        {"if": c.condition.as_data() if c.condition else None, "attributes": dict(c.attributes)}
        for c in s.choices]} for s in steps]
