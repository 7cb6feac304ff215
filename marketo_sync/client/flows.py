"""The flow-step endpoints (marketo-api.md §6): catalogues and the step and choice mutations.

These endpoints are newer than Adobe's published spec and missing on some instances, which
answer ``610`` (or HTTP 404): :func:`lacks_flow_api` recognises that answer, so callers can
feature-detect. Adding a step or a choice creates something, so those two are never resent
after a lost answer (``OutcomeUnknown``); updating and reordering a choice set values and are
resent; removals are not (a resend would answer 702 for what the first one removed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from marketo_sync.client.core import MarketoClient
from marketo_sync.errors import ApiError

Row = dict[str, Any]
SMART_CAMPAIGN = "/rest/asset/v1/smartCampaign"
#: What an instance without the flow-step endpoints answers: Marketo's "unknown path", HTTP 404.
MISSING_ENDPOINT_CODES = frozenset({"610", "404"})


def lacks_flow_api(error: ApiError) -> bool:
    """Whether ``error`` means "this instance has no such endpoint" (not a passing failure)."""
    return str(error.code) in MISSING_ENDPOINT_CODES


def _flow_of(rows: list[Row]) -> list[Row]:
    """The steps of the campaign a mutation answers (``[]`` when the answer has none)."""
    first = rows[0] if rows else {}
    flow = first.get("flow") if isinstance(first, Mapping) else None
    steps = flow.get("steps") if isinstance(flow, Mapping) else None
    return list(steps or [])


class FlowApiMixin:
    """Flow-step calls of :class:`~marketo_sync.client.api.MarketoApi` (which provides ``client``)."""

    client: MarketoClient

    def flow_step_catalogue(self) -> list[Row]:
        """GET smartCampaign/flowSteps.json, unwrapped: every flow action with its attributes."""
        rows = self.client.request("GET", f"{SMART_CAMPAIGN}/flowSteps.json")
        return [step for row in rows for step in (row.get("flowSteps") or [])]

    def flow_condition_catalogue(self) -> list[Row]:
        """GET smartCampaign/flowStepTypes.json, unwrapped: what a choice condition may test."""
        rows = self.client.request("GET", f"{SMART_CAMPAIGN}/flowStepTypes.json")
        return [kind for row in rows for kind in (row.get("flowStepTypes") or [])]

    def add_flow_step(self, campaign_id: int, *, activity_type_id: int, index: int) -> list[Row]:
        """POST smartCampaign/{id}/flows.json, form. Not idempotent (it adds a step)."""
        form = {"activityType": json.dumps({"id": int(activity_type_id), "type": "activity"}), "index": int(index)}
        return _flow_of(self.client.request("POST", f"{SMART_CAMPAIGN}/{int(campaign_id)}/flows.json", form=form,
                                            idempotent=False))

    def remove_flow_step(self, campaign_id: int, step_id: int) -> list[Row]:
        """POST smartCampaign/{id}/flow/{stepId}/remove.json."""
        return _flow_of(self.client.request(
            "POST", f"{SMART_CAMPAIGN}/{int(campaign_id)}/flow/{int(step_id)}/remove.json", idempotent=False))

    def add_step_choice(self, campaign_id: int, step_id: int) -> list[Row]:
        """POST .../flow/{stepId}/addChoice.json. Not idempotent (it adds a choice)."""
        return _flow_of(self.client.request(
            "POST", f"{SMART_CAMPAIGN}/{int(campaign_id)}/flow/{int(step_id)}/addChoice.json", idempotent=False))

    def update_step_choice(self, campaign_id: int, step_id: int, choice_id: int, *,
                           attributes: Mapping[int, str] | None = None,
                           condition_type: Mapping[str, Any] | None = None, operator: str | None = None,
                           condition_values: Sequence[str] | None = None) -> list[Row]:
        """POST .../flow/{stepId}/choice/{choiceId}.json, form. Idempotent: it sets values."""
        form: dict[str, Any] = {}
        if attributes:
            form["attributes"] = json.dumps({str(k): str(v) for k, v in attributes.items()})
        if condition_type is not None:
            form["conditionTypeId"] = json.dumps(dict(condition_type))
        if operator is not None:
            form["operator"] = operator
        if condition_values is not None:
            form["conditionValues"] = ",".join(str(v) for v in condition_values)
        path = f"{SMART_CAMPAIGN}/{int(campaign_id)}/flow/{int(step_id)}/choice/{int(choice_id)}.json"
        return _flow_of(self.client.request("POST", path, form=form, idempotent=True))

    def remove_step_choice(self, campaign_id: int, step_id: int, choice_id: int) -> list[Row]:
        """POST .../choice/{choiceId}/remove.json."""
        path = f"{SMART_CAMPAIGN}/{int(campaign_id)}/flow/{int(step_id)}/choice/{int(choice_id)}/remove.json"
        return _flow_of(self.client.request("POST", path, idempotent=False))

    def reorder_step_choice(self, campaign_id: int, step_id: int, choice_id: int, position: int) -> list[Row]:
        """POST .../choice/{choiceId}/reorder.json?newSeqNumZeroBased=n. Idempotent (a position)."""
        path = f"{SMART_CAMPAIGN}/{int(campaign_id)}/flow/{int(step_id)}/choice/{int(choice_id)}/reorder.json"
        return _flow_of(self.client.request("POST", path, query={"newSeqNumZeroBased": int(position)},
                                            idempotent=True))


class FlowReadApi(Protocol):
    """The catalogue reads the plan makes."""

    def flow_step_catalogue(self) -> list[Row]: ...
    def flow_condition_catalogue(self) -> list[Row]: ...


class FlowWriteApi(Protocol):
    """What apply needs to edit a flow: the campaign read (its ``flow``) and the mutations."""

    def get_campaign(self, campaign_id: int) -> Row | None: ...
    def add_flow_step(self, campaign_id: int, *, activity_type_id: int, index: int) -> list[Row]: ...
    def remove_flow_step(self, campaign_id: int, step_id: int) -> list[Row]: ...
    def add_step_choice(self, campaign_id: int, step_id: int) -> list[Row]: ...
    def update_step_choice(self, campaign_id: int, step_id: int, choice_id: int, *,
                           attributes: Mapping[int, str] | None = None,
                           condition_type: Mapping[str, Any] | None = None, operator: str | None = None,
                           condition_values: Sequence[str] | None = None) -> list[Row]: ...
    def remove_step_choice(self, campaign_id: int, step_id: int, choice_id: int) -> list[Row]: ...
    def reorder_step_choice(self, campaign_id: int, step_id: int, choice_id: int, position: int) -> list[Row]: ...
