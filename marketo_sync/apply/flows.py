"""Apply a ``~ flow`` change: edit the flow step by step until it is the declared one.

The plan lists the operations; Marketo numbers steps and choices itself and renumbers them
after each call, and an answer can be lost. So apply works from what it reads: it reads the
flow, computes the smallest edit (:func:`marketo_sync.plan.flows.edit`, the plan's own
algorithm, so an unchanged instance gets exactly the plan's operations), runs the first
operation, takes the flow from the answer (every flow mutation answers the whole campaign)
and repeats. After a lost answer it reads again instead of repeating: a step whose add was
committed is then seen and configured, never added twice. Operations run in the plan's
order (adds, configuration, removals), so the flow is never empty while it is edited.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from marketo_sync.apply.receipt import APPLIED, FAILED, Difference, Outcome, scrub
from marketo_sync.errors import ApiError, AuthError, OutcomeUnknown, QuotaExhausted, TransportError
from marketo_sync.plan.changes import EditFlow, target_text
from marketo_sync.plan.flows import Step, edit, remote_flow, same_flow

log = logging.getLogger(__name__)

#: A definite refusal (not a lost answer) of the same edit this many times ends the change.
MAX_REFUSALS = 2


def _read(api: Any, campaign_id: int) -> list[Step]:
    flow = remote_flow(api.get_campaign(campaign_id))
    if flow is None:
        raise ApiError("flow", f"smart campaign {campaign_id} was read without its flow")
    return flow


def _run(api: Any, campaign_id: int, op: Mapping[str, Any], ids: Mapping[str, Any]) -> list[Any]:
    """One operation through the API; returns the answer's steps (the flow after the call)."""
    kind = op["op"]
    step_ids = (ids.get("steps") or {}).get(op["step"]) or {}
    if kind == "add-step":
        return list(api.add_flow_step(campaign_id, activity_type_id=int(step_ids["id"]), index=int(op["index"])))
    if kind == "remove-step":
        return list(api.remove_flow_step(campaign_id, int(op["stepId"])))
    if kind == "add-choice":
        return list(api.add_step_choice(campaign_id, int(op["stepId"])))
    if kind == "remove-choice":
        return list(api.remove_step_choice(campaign_id, int(op["stepId"]), int(op["choiceId"])))
    if kind == "reorder-choice":
        return list(api.reorder_step_choice(campaign_id, int(op["stepId"]), int(op["choiceId"]), int(op["to"]) - 1))
    attribute_ids = step_ids.get("attributes") or {}
    attributes = {int(attribute_ids[name]): value for name, value in op["attributes"].items() if name in attribute_ids}
    condition = op.get("if")
    kwargs: dict[str, Any] = {"attributes": attributes or None}
    if condition:
        kwargs.update(condition_type=(ids.get("conditions") or {}).get(condition["name"]),
                      operator=condition["operator"], condition_values=list(condition["values"]))
    return list(api.update_step_choice(campaign_id, int(op["stepId"]), int(op["choiceId"]), **kwargs))


def apply_flow(api: Any, change: EditFlow, campaign_id: int) -> Outcome:
    """Edit the flow of ``campaign_id`` until it reads as ``change.after["flow"]``."""
    wanted = list((change.after or {}).get("flow") or [])
    budget = 3 * len(change.operations) + 6
    current = _read(api, campaign_id)
    refusals = 0
    lost = 0
    for _ in range(budget):
        ops = edit(current, wanted)
        if not ops:
            note = f"{lost} lost answer(s) settled by reading the flow" if lost else ""
            return Outcome(change, APPLIED, id=campaign_id, note=note)
        try:
            answer = _run(api, campaign_id, ops[0], change.ids)
            current = remote_flow({"flow": {"steps": answer}}) if answer else _read(api, campaign_id)  # type: ignore[assignment]
        except (QuotaExhausted, AuthError):
            raise
        except (OutcomeUnknown, TransportError) as error:
            lost += 1
            log.info("%s: %s lost (%s); reading the flow", change.key, ops[0]["op"], error.code)
            current = _read(api, campaign_id)
        except ApiError as error:
            refusals += 1
            if refusals >= MAX_REFUSALS:
                raise
            log.info("%s: %s refused (%s); reading the flow before trying again", change.key, ops[0]["op"],
                     error.code)
            current = _read(api, campaign_id)
    return Outcome(change, FAILED, id=campaign_id, message=scrub(
        f"the flow is not the declared one after {budget} operations (last: {ops[0]['op']})"))


def verify_flows(api: Any, outcomes: Iterable[Outcome]) -> tuple[int, list[Difference]]:
    """Read back the flow of every applied ``~ flow`` change; (flows read, differences)."""
    read = 0
    differences: list[Difference] = []
    for outcome in outcomes:
        change = outcome.change
        if outcome.status != APPLIED or not isinstance(change, EditFlow):
            continue
        campaign_id = outcome.id if outcome.id is not None else change.campaign.id
        if campaign_id is None:
            continue
        target = target_text(change, campaign_id)
        read += 1
        try:
            flow = remote_flow(api.get_campaign(campaign_id))
        except ApiError as error:
            differences.append(Difference(target, "flow", "readable", scrub(f"{error.code}: {error.message}"),
                                          (change.key,)))
            continue
        wanted = (change.after or {}).get("flow") or []
        if flow is None or not same_flow(flow, wanted):
            shown = "not returned" if flow is None else f"{len(flow)} step(s): " + ", ".join(s["step"] for s in flow)
            differences.append(Difference(target, "flow", f"{len(wanted)} step(s) as declared", shown,
                                          (change.key,)))
    return read, differences
