"""Flow steps as code: the catalogue, the declared and current flows, and the smallest edit.

Pure (no I/O). A flow is a list of steps in a plain, comparable form:
``{"step": "Send Email", "choices": [{"if": {name, operator, values} | None, "attributes":
{name: value}}, ...]}``, the default choice (``if`` None) last; blank attribute values are
"not set" and left out. Steps read from Marketo also carry their ``id`` and their choices'
``id``, which the edit needs and the comparison ignores.

:func:`edit` computes the operations that turn the current flow into the wanted one, in an
order that keeps every intermediate flow valid: steps are added first (so an active
campaign's flow is never empty), then each step's choices are configured, then the steps
that are no longer wanted are removed. Apply recomputes the edit from what it reads before
every call, so a lost answer is settled by reading, never by repeating an add.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marketo_sync.desired.flow import DesiredStep

Step = dict[str, Any]
Op = dict[str, Any]

#: Operations, in the words the plan shows.
OPERATIONS = ("add-step", "add-choice", "update-choice", "reorder-choice", "remove-choice", "remove-step")


# -- the catalogue ---------------------------------------------------------------------------

@dataclass(frozen=True)
class StepType:
    """A flow action of ``flowSteps.json``: its id and its attributes (name -> id)."""

    id: int
    name: str
    attributes: Mapping[str, int] = field(default_factory=dict)

    def attribute(self, name: str) -> str | None:
        """The attribute's name as Marketo spells it (matched ignoring case), or None."""
        wanted = name.strip().casefold()
        return next((a for a in self.attributes if a.casefold() == wanted), None)


@dataclass(frozen=True)
class FlowCatalogue:
    """What the instance offers: step types and choice condition types.

    ``available`` is False when the instance has no flow-step endpoints (610/404 on
    ``flowSteps.json``): flows can then be read and shown, never changed.
    """

    available: bool = True
    steps: Mapping[str, StepType] = field(default_factory=dict)
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, steps: Sequence[Mapping[str, Any]], conditions: Sequence[Mapping[str, Any]]) -> FlowCatalogue:
        step_types = {}
        for row in steps:
            if row.get("id") is None or not row.get("name"):
                continue
            attributes = {str(c["name"]): int(c["id"]) for c in row.get("constraints") or []
                          if isinstance(c, Mapping) and c.get("name") and c.get("id") is not None}
            step_types[str(row["name"]).casefold()] = StepType(int(row["id"]), str(row["name"]), attributes)
        kinds = {}
        for row in conditions:
            if row.get("id") is None or not row.get("name"):
                continue
            constraints = [c for c in row.get("constraints") or [] if isinstance(c, Mapping)]
            kind = "attribute" if any(c.get("dbAttrib") for c in constraints) else "activity"
            kinds[str(row["name"]).casefold()] = {"id": int(row["id"]), "type": kind, "name": str(row["name"])}
        return cls(True, step_types, kinds)

    def step(self, name: str) -> StepType | None:
        return self.steps.get(name.strip().casefold())

    def condition(self, name: str) -> Mapping[str, Any] | None:
        return self.conditions.get(name.strip().casefold())

    def ids(self, flow: Sequence[Step]) -> dict[str, Any]:
        """The ids apply needs for ``flow``: step types, their attribute ids, condition types."""
        steps: dict[str, Any] = {}
        conditions: dict[str, Any] = {}
        for item in flow:
            kind = self.step(item["step"])
            if kind is not None:
                steps[kind.name] = {"id": kind.id, "attributes": dict(kind.attributes)}
            for choice in item["choices"]:
                cond = choice.get("if")
                found = self.condition(cond["name"]) if cond else None
                if found is not None:
                    conditions[found["name"]] = {"id": found["id"], "type": found["type"]}
        return {"steps": steps, "conditions": conditions}


# -- flows in the comparable form ---------------------------------------------------------------

def _condition(rule: Any) -> dict[str, Any]:
    if not isinstance(rule, Mapping):
        return {"name": "", "operator": "", "values": []}
    return {"name": str(rule.get("name") or ""), "operator": str(rule.get("operator") or ""),
            "values": [str(v) for v in rule.get("values") or []]}


def remote_flow(record: Mapping[str, Any] | None) -> list[Step] | None:
    """The flow of a ``smartCampaign/{id}.json`` record (with ids), or None when it has none."""
    flow = record.get("flow") if record else None
    if isinstance(flow, Mapping):
        raw = flow.get("steps") or []
    elif isinstance(flow, list):
        raw = flow
    else:
        return None
    steps: list[Step] = []
    for step in raw:
        if not isinstance(step, Mapping):
            continue
        conditional: list[dict[str, Any]] = []
        default: list[dict[str, Any]] = []
        for choice in step.get("stepChoice") or []:
            if not isinstance(choice, Mapping):
                continue
            attributes = {str(a.get("name")): str(a.get("value")) for a in choice.get("attributes") or []
                          if isinstance(a, Mapping) and a.get("name") and a.get("value") not in (None, "")}
            entry: dict[str, Any] = {"id": choice.get("id"), "attributes": attributes}
            if choice.get("default"):
                default.append({**entry, "if": None})
            else:
                conditional.append({**entry, "if": _condition(choice.get("rule"))})
        choices = conditional + (default[:1] or [{"id": None, "if": None, "attributes": {}}])
        steps.append({"id": step.get("id"), "step": str(step.get("activityTypeName") or ""), "choices": choices})
    return steps


def content(step: Mapping[str, Any]) -> dict[str, Any]:
    """A step without ids: what is compared."""
    return {"step": step["step"], "choices": [
        {"if": c.get("if"), "attributes": dict(sorted(c.get("attributes", {}).items()))} for c in step["choices"]]}


def _signature(step: Mapping[str, Any]) -> str:
    return json.dumps(content(step), sort_keys=True)


def same_flow(current: Sequence[Mapping[str, Any]], wanted: Sequence[Mapping[str, Any]]) -> bool:
    return [_signature(s) for s in current] == [_signature(s) for s in wanted]


def declared_flow(steps: Sequence[DesiredStep], catalogue: FlowCatalogue | None,
                  where: str) -> tuple[list[Step], list[str]]:
    """The declared flow in the comparable form, names spelled as the catalogue spells them.

    Without a catalogue (an instance without the flow endpoints) names are kept as written.
    Unknown step types, attributes and condition fields are errors naming ``where`` and the
    step's file and line.
    """
    flow: list[Step] = []
    errors: list[str] = []
    for number, step in enumerate(steps, start=1):
        at = f" ({step.location})"
        kind = catalogue.step(step.step) if catalogue and catalogue.available else None
        if catalogue and catalogue.available and kind is None:
            known = ", ".join(sorted(t.name for t in catalogue.steps.values()))
            errors.append(f"{where}: flow step {number}: unknown step type {step.step!r} "
                          f"(smartCampaign/flowSteps.json has: {known}){at}")
            continue
        choices = []
        for choice in step.choices:
            attributes: dict[str, str] = {}
            for name, value in choice.attributes:
                spelled = kind.attribute(name) if kind is not None else name
                if spelled is None:
                    assert kind is not None
                    known = ", ".join(kind.attributes) or "none"
                    errors.append(f"{where}: flow step {number} {kind.name!r} has no attribute {name!r} "
                                  f"(its attributes: {known}){at}")
                    continue
                if value != "":
                    attributes[spelled] = value
            condition = choice.condition.as_data() if choice.condition else None
            if condition is not None and catalogue and catalogue.available:
                found = catalogue.condition(condition["name"])
                if found is None:
                    errors.append(f"{where}: flow step {number}: a choice tests {condition['name']!r}, which "
                                  f"smartCampaign/flowStepTypes.json does not offer{at}")
                else:
                    condition["name"] = found["name"]
            choices.append({"if": condition, "attributes": attributes})
        flow.append({"step": kind.name if kind is not None else step.step, "choices": choices})
    return flow, errors


# -- the smallest edit --------------------------------------------------------------------------

def _align(current: Sequence[Step], wanted: Sequence[Step]) -> list[tuple[int | None, int | None]]:
    """Pairs (current index, wanted index), monotonic in both: equal steps first, then steps of
    the same type (edited in place); the rest are removed (i, None) or added (None, j)."""
    pairs: list[tuple[int | None, int | None]] = []
    outer = difflib.SequenceMatcher(a=[_signature(s) for s in current], b=[_signature(s) for s in wanted],
                                    autojunk=False)
    for tag, i1, i2, j1, j2 in outer.get_opcodes():
        if tag == "equal":
            pairs += [(i1 + k, j1 + k) for k in range(i2 - i1)]
            continue
        inner = difflib.SequenceMatcher(a=[s["step"].casefold() for s in current[i1:i2]],
                                        b=[s["step"].casefold() for s in wanted[j1:j2]], autojunk=False)
        for t, a1, a2, b1, b2 in inner.get_opcodes():
            if t == "equal":
                pairs += [(i1 + a1 + k, j1 + b1 + k) for k in range(a2 - a1)]
            else:
                pairs += [(i1 + a, None) for a in range(a1, a2)]
                pairs += [(None, j1 + b) for b in range(b1, b2)]
    return pairs


def _choice_content(choice: Mapping[str, Any]) -> str:
    return json.dumps({"if": choice.get("if"), "attributes": dict(sorted(choice.get("attributes", {}).items()))},
                      sort_keys=True)


def _update(index: int, step: Mapping[str, Any], position: int | None, choice: Mapping[str, Any] | None,
            want: Mapping[str, Any]) -> Op:
    """Set one choice to ``want``: its condition (conditional choices) and every attribute
    (those no longer wanted are blanked)."""
    attributes = dict(want.get("attributes", {}))
    for name in (choice or {}).get("attributes", {}):
        attributes.setdefault(name, "")
    return {"op": "update-choice", "index": index, "step": step["step"], "stepId": step.get("id"),
            "choice": "default" if position is None else position + 1,
            "choiceId": (choice or {}).get("id"), "if": want.get("if"), "attributes": attributes}


def _choice_ops(index: int, have: Mapping[str, Any], want: Mapping[str, Any]) -> list[Op]:
    ops: list[Op] = []
    have_cond = [c for c in have["choices"] if c.get("if") is not None]
    want_cond = [c for c in want["choices"] if c.get("if") is not None]
    base = {"index": index, "step": have["step"], "stepId": have.get("id")}
    if [_choice_content(c) for c in have_cond] != [_choice_content(c) for c in want_cond]:
        if sorted(map(_choice_content, have_cond)) == sorted(map(_choice_content, want_cond)):
            arranged = list(have_cond)
            for position, target in enumerate(want_cond):
                found = next(q for q in range(position, len(arranged))
                             if _choice_content(arranged[q]) == _choice_content(target))
                if found != position:
                    ops.append({**base, "op": "reorder-choice", "choice": found + 1, "to": position + 1,
                                "choiceId": arranged[found].get("id")})
                    arranged.insert(position, arranged.pop(found))
        else:
            for position, target in enumerate(want_cond):
                if position < len(have_cond):
                    if _choice_content(have_cond[position]) != _choice_content(target):
                        ops.append(_update(index, have, position, have_cond[position], target))
                else:
                    ops.append({**base, "op": "add-choice", "choice": position + 1})
                    ops.append(_update(index, have, position, None, target))
            for position in range(len(have_cond) - 1, len(want_cond) - 1, -1):
                ops.append({**base, "op": "remove-choice", "choice": position + 1,
                            "choiceId": have_cond[position].get("id")})
    none: Mapping[str, Any] = {"attributes": {}}
    have_default: Mapping[str, Any] = next((c for c in have["choices"] if c.get("if") is None), none)
    want_default: Mapping[str, Any] = next((c for c in want["choices"] if c.get("if") is None), none)
    if dict(have_default.get("attributes", {})) != dict(want_default.get("attributes", {})):
        ops.append(_update(index, have, None, have_default, want_default))
    return ops


def edit(current: Sequence[Step], wanted: Sequence[Step]) -> list[Op]:
    """The operations that turn ``current`` into ``wanted``, each valid where it stands.

    Indexes are 0-based positions in the flow at the moment the operation runs; ``stepId`` /
    ``choiceId`` are set when the step or choice exists in ``current`` (apply recomputes the
    edit after every call, so an operation it runs always has them).
    """
    pairs = _align(current, wanted)
    matched = {j: i for i, j in pairs if i is not None and j is not None}
    working: list[tuple[str, int]] = [("current", i) for i in range(len(current))]
    ops: list[Op] = []
    for j, want in enumerate(wanted):
        if j in matched:
            continue
        if j == 0:
            position = 0
        else:
            previous = ("current", matched[j - 1]) if j - 1 in matched else ("new", j - 1)
            position = working.index(previous) + 1
        working.insert(position, ("new", j))
        ops.append({"op": "add-step", "index": position, "step": want["step"]})
    for j, want in enumerate(wanted):
        key = ("current", matched[j]) if j in matched else ("new", j)
        position = working.index(key)
        have = current[matched[j]] if j in matched else {
            "id": None, "step": want["step"], "choices": [{"id": None, "if": None, "attributes": {}}]}
        ops.extend(_choice_ops(position, have, want))
    for position in range(len(working) - 1, -1, -1):
        kind, i = working[position]
        if kind == "current" and i not in matched.values():
            ops.append({"op": "remove-step", "index": position, "step": current[i]["step"],
                        "stepId": current[i].get("id")})
    return ops


def describe(op: Mapping[str, Any]) -> str:
    """One operation as the plan shows it (1-based step numbers, as in the Marketo UI)."""
    number = int(op["index"]) + 1
    step = f"step {number} {op['step']!r}"
    kind = op["op"]
    if kind == "add-step":
        return f"add {op['step']!r} at step {number}"
    if kind == "remove-step":
        return f"remove {step}"
    if kind == "add-choice":
        return f"{step}: add choice {op['choice']}"
    if kind == "remove-choice":
        return f"{step}: remove choice {op['choice']}"
    if kind == "reorder-choice":
        return f"{step}: move choice {op['choice']} to {op['to']}"
    which = "default choice" if op["choice"] == "default" else f"choice {op['choice']}"
    parts = []
    if op.get("if"):
        cond = op["if"]
        parts.append(f"if {cond['name']} {cond['operator']} {', '.join(cond['values'])}".rstrip())
    parts += [f"{name}: {value if value != '' else '(not set)'}" for name, value in op["attributes"].items()]
    return f"{step}, {which}: " + "; ".join(parts)


__all__ = ["OPERATIONS", "FlowCatalogue", "StepType", "content", "declared_flow", "describe", "edit",
           "remote_flow", "same_flow"]
