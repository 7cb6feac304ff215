"""The planner's part for campaign logic: ``~ flow`` changes and pinned smart lists.

Pure: everything comes from the :class:`~marketo_sync.remote.state.RemoteState` that
:mod:`marketo_sync.remote.read_logic` filled. Errors are returned (the planner collects
them with the others), each naming the campaign and the declaration's file and line.
"""

from __future__ import annotations

from typing import Any

from marketo_sync.desired.model import DesiredCampaign
from marketo_sync.plan.changes import CampaignRef, Drift, EditFlow
from marketo_sync.plan.flows import content, declared_flow, edit, remote_flow, same_flow
from marketo_sync.plan.logic import smart_list_lines, smart_list_of
from marketo_sync.remote.state import RemoteCampaign, RemoteState

NO_FLOW_API = "this instance cannot change flow steps through the API: clone from a template instead"


def plan_flow(desired: DesiredCampaign, remote: RemoteState, *, target: CampaignRef, key: str,
              current: RemoteCampaign | None, source_id: int | None,
              target_from: str | None) -> tuple[EditFlow | None, list[str]]:
    """The ``~ flow`` change that makes the flow the declared one, or None; and errors.

    ``source_id`` is the campaign whose flow the target has before the edit: the campaign
    itself, or the template of a clone (None: a campaign created empty, with no flow).
    """
    if desired.flow is None:
        return None, []
    where = f"campaign {desired.name!r}"
    at = f" ({desired.location})"
    if source_id is None:
        flow_now: list[dict[str, Any]] | None = []
    else:
        flow_now = remote_flow(remote.records.get(source_id))
    if flow_now is None:
        whose = "its" if current is not None else "its template's"
        return None, [f"{where}: {whose} flow could not be read (the instance answered without `flow`), so "
                      f"the declared flow cannot be compared{at}"]
    catalogue = remote.flow_catalogue
    wanted, errors = declared_flow(desired.flow, catalogue, where)
    if errors:
        return None, errors
    if same_flow(flow_now, wanted):
        return None, []
    if catalogue is None or not catalogue.available:
        return None, [f"{where}: its flow differs from the declared one, and {NO_FLOW_API}{at}"]
    live = bool(current is not None and current.is_active)
    if not wanted and (live or desired.active):
        return None, [f"{where}: an active trigger campaign needs at least one flow step; the declared "
                      f"flow is empty{at}"]
    change = EditFlow(
        key=key, campaign=target, target_from=target_from, depends_on=(target_from,) if target_from else (),
        before={"flow": [content(step) for step in flow_now]}, after={"flow": wanted}, verify={},
        location=str(desired.location), operations=tuple(edit(flow_now, wanted)), ids=catalogue.ids(wanted),
        live=live, reason="live: the campaign is active" if live else "flow differs")
    return change, []


def smart_list_drift(desired: DesiredCampaign, remote: RemoteState, campaign: RemoteCampaign,
                     target: CampaignRef) -> Drift | None:
    """Drift when the triggers and filters differ from ``expect: {smart_list: …}``."""
    expected = desired.expect.get("smart_list")
    if expected is None:
        return None
    record = remote.smart_lists.get(campaign.id)
    actual = smart_list_of(record)
    if actual is None:
        return Drift(target, "smart_list", "as pinned in the file", "(could not be read)", str(desired.location),
                     "the smart list could not be read, so its triggers and filters were not compared")
    lines = smart_list_lines(expected, actual)
    if not lines:
        return None
    link = campaign.ui_url or str((record or {}).get("url") or "")
    summary = lines[0] if len(lines) == 1 else f"{lines[0]} (and {len(lines) - 1} more)"
    where = [f"- in the Marketo UI: {link}"] if link else []
    return Drift(target, "smart_list", "as pinned in the file", summary, str(desired.location),
                 "triggers or filters were changed in the Marketo UI; the API cannot change them: change them "
                 "back there, or update `expect.smart_list` in the file:\n"
                 + "\n".join([f"- {line}" for line in lines] + where))
