"""Read the campaign logic the plan needs (triggers, filters, flow), and nothing more.

* a campaign that declares ``flow:`` and exists: its record (``smartCampaign/{id}.json``
  carries the flow), once;
* a campaign that pins ``expect: {smart_list: …}`` and exists: its smart list, once;
* a campaign to be cloned: its template's smart list and record, once per distinct template,
  so that the plan shows what the clone gets;
* when any file declares a ``flow:``: the catalogue (``flowSteps.json`` and
  ``flowStepTypes.json``), once. An instance without these endpoints answers 610 or HTTP 404:
  the catalogue is then marked unavailable (feature detection), and flows are still read.

Records already read by id (a pinned campaign, a template given by id) are reused.
"""

from __future__ import annotations

import logging
from typing import Any

from marketo_sync.client.flows import lacks_flow_api
from marketo_sync.desired.model import DesiredState
from marketo_sync.errors import ApiError
from marketo_sync.plan.flows import FlowCatalogue
from marketo_sync.remote.state import RemoteState, find_declared, find_template

log = logging.getLogger(__name__)


def _record(api: Any, state: RemoteState, campaign_id: int) -> None:
    if campaign_id not in state.records:
        record = api.get_campaign(campaign_id)
        if record:
            state.records[campaign_id] = record


def _smart_list(api: Any, state: RemoteState, campaign_id: int) -> None:
    if campaign_id not in state.smart_lists:
        record = api.get_campaign_smart_list(campaign_id, include_rules=True)
        if record:
            state.smart_lists[campaign_id] = record


def read_catalogue(api: Any) -> FlowCatalogue:
    """The flow-step catalogue, or an unavailable one when the instance lacks the endpoints."""
    try:
        steps = api.flow_step_catalogue()
    except ApiError as error:
        if lacks_flow_api(error):
            log.info("the instance has no flow-step endpoints (%s): flows are read-only", error.code)
            return FlowCatalogue(available=False)
        raise
    try:
        conditions = api.flow_condition_catalogue()
    except ApiError as error:
        if not lacks_flow_api(error):
            raise
        conditions = []
    return FlowCatalogue.from_rows(steps, conditions)


def read_logic(api: Any, state: RemoteState, desired: DesiredState) -> None:
    """Fill ``state.records``, ``state.smart_lists`` and ``state.flow_catalogue`` (see module doc)."""
    templates: list[int] = []
    for campaign in desired.campaigns:
        remote = find_declared(state, campaign)
        if remote is not None:
            if campaign.flow is not None:
                _record(api, state, remote.id)
            if "smart_list" in campaign.expect:
                _smart_list(api, state, remote.id)
            continue
        if campaign.template is None:
            continue
        template = find_template(state, campaign.template)
        if template is not None:
            templates.append(template.id)
    for template_id in dict.fromkeys(templates):
        _smart_list(api, state, template_id)
        _record(api, state, template_id)
    if any(c.flow is not None for c in desired.campaigns) and state.flow_catalogue is None:
        state.flow_catalogue = read_catalogue(api)
