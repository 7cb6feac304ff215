"""The route table: which path and method reach which response handler (moto's ``urls.py``).

A path that matches no pattern is Marketo's ``610``; a known path with the wrong method is ``605``.
The flow-step endpoints (``_FLOW_ROUTES``) are newer than Adobe's published spec; an emulator run
with ``no_flow_api`` answers them ``610``, like an instance that does not have them yet; one run
with ``no_usage_api`` answers ``stats/usage.json`` ``610``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from marketo_sync.emulator import responses as r
from marketo_sync.emulator import responses_flows as f
from marketo_sync.emulator import responses_programs as rp

Handler = Callable[[r.ApiRequest, Any], dict[str, Any]]

ASSET = "/rest/asset/v1"
LEADDB = "/rest/v1"
_ID = r"(?P<id>\d+)"
_STEP = rf"{ASSET}/smartCampaign/{_ID}/flow/(?P<step>\d+)"
_CHOICE = rf"{_STEP}/choice/(?P<choice>\d+)"

_FLOW_ROUTES: list[tuple[str, dict[str, Handler]]] = [
    (rf"{ASSET}/smartCampaign/flowSteps\.json", {"GET": f.get_flow_step_types}),
    (rf"{ASSET}/smartCampaign/flowStepTypes\.json", {"GET": f.get_flow_condition_types}),
    (rf"{ASSET}/smartCampaign/{_ID}/flows\.json", {"POST": f.add_flow_step}),
    (rf"{_STEP}/remove\.json", {"POST": f.remove_flow_step}),
    (rf"{_STEP}/addChoice\.json", {"POST": f.add_step_choice}),
    (rf"{_CHOICE}\.json", {"POST": f.update_step_choice}),
    (rf"{_CHOICE}/remove\.json", {"POST": f.remove_step_choice}),
    (rf"{_CHOICE}/reorder\.json", {"POST": f.reorder_step_choice}),
]

_ROUTES: list[tuple[str, dict[str, Handler]]] = [
    (rf"{ASSET}/smartCampaign/rules\.json", {"GET": r.get_rule_types}),
    (rf"{ASSET}/smartCampaign/byName\.json", {"GET": r.get_smart_campaign_by_name}),
    (rf"{ASSET}/smartCampaign/{_ID}\.json", {"GET": r.get_smart_campaign, "POST": r.update_smart_campaign}),
    (rf"{ASSET}/smartCampaigns\.json", {"GET": r.browse_smart_campaigns, "POST": r.create_smart_campaign}),
    (rf"{ASSET}/smartCampaign/{_ID}/clone\.json", {"POST": r.clone_smart_campaign}),
    (rf"{ASSET}/smartCampaign/{_ID}/delete\.json", {"POST": r.delete_smart_campaign}),
    (rf"{ASSET}/smartCampaign/{_ID}/activate\.json", {"POST": r.activate_smart_campaign}),
    (rf"{ASSET}/smartCampaign/{_ID}/deactivate\.json", {"POST": r.deactivate_smart_campaign}),
    (rf"{ASSET}/smartCampaign/{_ID}/smartList\.json", {"GET": r.get_campaign_smart_list}),
    (rf"{ASSET}/smartList/{_ID}\.json", {"GET": r.get_smart_list}),
    (rf"{ASSET}/folder/byName\.json", {"GET": r.get_folder_by_name}),
    (rf"{ASSET}/folder/{_ID}\.json", {"GET": r.get_folder, "POST": r.update_folder}),
    (rf"{ASSET}/folders\.json", {"GET": r.browse_folders, "POST": r.create_folder}),
    (rf"{ASSET}/folder/{_ID}/content\.json", {"GET": r.get_folder_content}),
    (rf"{ASSET}/folder/{_ID}/delete\.json", {"POST": r.delete_folder}),
    (rf"{ASSET}/folder/{_ID}/tokens\.json", {"GET": r.get_tokens, "POST": r.upsert_token}),
    (rf"{ASSET}/folder/{_ID}/tokens/delete\.json", {"POST": r.delete_token}),
    (rf"{ASSET}/program/byName\.json", {"GET": r.get_program_by_name}),
    (rf"{ASSET}/program/{_ID}\.json", {"GET": r.get_program, "POST": rp.update_program}),
    (rf"{ASSET}/programs\.json", {"GET": r.browse_programs, "POST": rp.create_program}),
    (rf"{ASSET}/program/{_ID}/clone\.json", {"POST": rp.clone_program}),
    (rf"{ASSET}/program/{_ID}/delete\.json", {"POST": rp.delete_program}),
    (rf"{ASSET}/channels\.json", {"GET": rp.get_channels}),
    (rf"{LEADDB}/campaigns\.json", {"GET": r.list_campaigns}),
    (rf"{LEADDB}/campaigns/{_ID}\.json", {"GET": r.get_lead_campaign}),
    (rf"{LEADDB}/campaigns/{_ID}/trigger\.json", {"POST": r.request_campaign}),
    (rf"{LEADDB}/campaigns/{_ID}/schedule\.json", {"POST": r.schedule_campaign}),
    (rf"{LEADDB}/leads\.json", {"GET": r.get_leads, "POST": r.sync_leads}),
    (rf"{LEADDB}/stats/usage\.json", {"GET": r.get_daily_usage}),
    *_FLOW_ROUTES,
]
ROUTES: list[tuple[re.Pattern[str], dict[str, Handler]]] = [(re.compile(p), m) for p, m in _ROUTES]
FLOW_PATHS: list[re.Pattern[str]] = [re.compile(p) for p, _ in _FLOW_ROUTES]


class RouteError(Exception):
    """No route: ``code`` is ``"610"`` (unknown path) or ``"605"`` (method not allowed)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def resolve(method: str, path: str) -> tuple[Handler, dict[str, str]]:
    """The handler and the path arguments for a call, or :class:`RouteError`."""
    for pattern, methods in ROUTES:
        match = pattern.fullmatch(path)
        if match:
            handler = methods.get(method.upper())
            if handler is None:
                raise RouteError("605", f"Request method '{method.upper()}' not supported")
            return handler, match.groupdict()
    raise RouteError("610", "Requested resource not found")


def is_flow_api(path: str) -> bool:
    """One of the flow-step endpoints (absent on instances without the newer flow API)."""
    return any(pattern.fullmatch(path) for pattern in FLOW_PATHS)


def is_usage_api(path: str) -> bool:
    """``stats/usage.json`` (today's call count): answered from the limits' count."""
    return path == f"{LEADDB}/stats/usage.json"


def is_leaddb(path: str) -> bool:
    """Lead-database answers have their own envelope style (no ``warnings`` strings)."""
    return path.startswith(LEADDB + "/")
