"""The thin layer between HTTP and the backend: parse parameters leniently, call, wrap.

Marketo accepts parameters in the query string or a form body, folder references as JSON
strings (or the not-quite-JSON that ``marketorestpython`` sends), booleans and types in any
case, and JSON bodies where its docs say form. Every handler here takes an :class:`ApiRequest`
and the backend and returns the JSON body; backend errors (``MarketoApiError``) propagate and
the server wraps them into the envelope with :func:`error_body`.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, overload

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.exceptions import MarketoApiError

NO_ASSETS = "No assets found for the given search criteria."
Body = dict[str, Any]


def request_id() -> str:
    """Marketo's ``requestId`` shape: ``<hex>#<hex>`` (random, then milliseconds)."""
    return f"{os.urandom(2).hex()}#{int(time.time() * 1000):x}"


@dataclass
class ApiRequest:
    """One API call, parameters merged from the query string, a form body and a JSON object body."""

    method: str
    path: str
    params: dict[str, list[str]] = field(default_factory=dict)
    json: Any = None
    path_args: dict[str, str] = field(default_factory=dict)
    #: ``(US Central day, calls counted that day)``, filled in by the server (which keeps the
    #: limits) for ``stats/usage.json`` only.
    usage: tuple[str, int] | None = None

    def get(self, name: str) -> Any:
        """The first value of ``name`` (query/form first, then a top-level JSON key), or None."""
        values = self.params.get(name)
        if values:
            return values[0]
        if isinstance(self.json, Mapping) and name in self.json:
            return self.json[name]
        return None

    def get_any(self, *names: str) -> Any:
        for name in names:
            value = self.get(name)
            if value is not None:
                return value
        return None

    def many(self, name: str) -> list[str]:
        """Every value of a multi parameter: repeated (``id=1&id=2``) or comma-separated."""
        out: list[str] = []
        for value in self.params.get(name, []):
            out.extend(part.strip() for part in str(value).split(",") if part.strip())
        if not out and isinstance(self.json, Mapping) and isinstance(self.json.get(name), list):
            out = [str(v) for v in self.json[name]]
        return out

    def path_int(self, name: str = "id") -> int:
        return int(self.path_args[name])


# -- envelopes ------------------------------------------------------------------------------------
def asset_read(records: list[Any]) -> Body:
    """Asset reads: matching nothing is ``success:true`` + the warning and NO ``result`` key."""
    if not records:
        return {"success": True, "errors": [], "requestId": request_id(), "warnings": [NO_ASSETS]}
    return {"success": True, "errors": [], "requestId": request_id(), "warnings": [], "result": records}


def asset_write(records: list[Any]) -> Body:
    return {"success": True, "errors": [], "requestId": request_id(), "warnings": [], "result": records}


def asset_action(records: list[Any]) -> Body:
    """Activate and deactivate answers, as Adobe's examples show them: no ``warnings`` key."""
    return {"success": True, "errors": [], "requestId": request_id(), "result": records}


def leaddb(records: list[Any], **extra: Any) -> Body:
    """Lead-database answers, shaped like Adobe's examples: no errors/warnings on success."""
    body: Body = {"requestId": request_id(), "result": records, "success": True}
    body.update(extra)
    return body


def error_body(code: str, message: str, *, asset: bool = True) -> Body:
    body: Body = {"requestId": request_id(), "success": False, "errors": [{"code": str(code), "message": message}]}
    if asset:
        body["warnings"] = []
    return body


# -- lenient parameter parsing ----------------------------------------------------------------------
_REF_ID = re.compile(r"""['"]?id['"]?\s*:\s*['"]?\s*(-?\d+)""", re.IGNORECASE)
_REF_TYPE = re.compile(r"""['"]?type['"]?\s*:\s*['"]?\s*([A-Za-z]+)""", re.IGNORECASE)


def parse_folder_ref(value: Any, name: str) -> tuple[int, str] | None:
    """``{"id":12,"type":"Folder"}`` as a JSON string, a mapping, or marketorestpython's
    ``{'id': 12, 'type': Folder}``; the type in any case. None when absent; 1003 when unreadable."""
    if value is None or value == "":
        return None
    ref: Any = value
    if isinstance(value, str):
        try:
            ref = json.loads(value)
        except ValueError:
            id_match, type_match = _REF_ID.search(value), _REF_TYPE.search(value)
            if not id_match:
                raise MarketoApiError("1003", f"Invalid value for {name}: expected {{\"id\":n,\"type\":"
                                              f"\"Folder\"|\"Program\"}}") from None
            ref = {"id": id_match.group(1), "type": type_match.group(1) if type_match else "Folder"}
    if not isinstance(ref, Mapping) or "id" not in ref:
        raise MarketoApiError("1003", f"Invalid value for {name}: expected {{\"id\":n,\"type\":\"Folder\"|\"Program\"}}")
    return (_as_int(ref["id"], f"{name}.id"), folder_type(ref.get("type") or "Folder", f"{name}.type"))


def folder_type(value: Any, name: str = "type") -> str:
    kind = str(value).strip().capitalize()
    if kind not in ("Folder", "Program"):
        raise MarketoApiError("1003", f"Invalid value {value!r} for {name}: expected Folder or Program")
    return kind


def _as_int(value: Any, name: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise MarketoApiError("1001", f"Invalid value '{value}'. Required of type 'Integer' for {name}") from None


@overload
def int_param(req: ApiRequest, name: str, default: int) -> int: ...
@overload
def int_param(req: ApiRequest, name: str, default: None) -> int | None: ...
def int_param(req: ApiRequest, name: str, default: int | None) -> int | None:
    value = req.get(name)
    if value is None or value == "":
        return default
    return _as_int(value, name)


@overload
def bool_param(req: ApiRequest, name: str, default: bool) -> bool: ...
@overload
def bool_param(req: ApiRequest, name: str, default: None) -> bool | None: ...
def bool_param(req: ApiRequest, name: str, default: bool | None) -> bool | None:
    value = req.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise MarketoApiError("1001", f"Invalid value '{value}'. Required of type 'Boolean' for {name}")


def text_param(req: ApiRequest, name: str) -> str | None:
    value = req.get(name)
    return None if value is None else str(value)


def required_text(req: ApiRequest, name: str) -> str:
    value = text_param(req, name)
    if value is None or not value.strip():
        raise MarketoApiError("701", f"{name} cannot be blank")
    return value


def _input(req: ApiRequest) -> Mapping[str, Any]:
    body = req.json if isinstance(req.json, Mapping) else {}
    data = body.get("input") or {}
    if not isinstance(data, Mapping):
        raise MarketoApiError("1003", "input must be an object")
    return data


# -- smart campaigns --------------------------------------------------------------------------------
def get_smart_campaign(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_campaign(req.path_int(), bool_param(req, "includeFlowSteps", True)))


def update_smart_campaign(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.update_campaign(req.path_int(), name=text_param(req, "name"),
                                         description=text_param(req, "description")))


def get_smart_campaign_by_name(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_campaign_by_name(required_text(req, "name"),
                                             bool_param(req, "includeFlowSteps", True)))


def browse_smart_campaigns(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.browse_campaigns(
        folder=parse_folder_ref(req.get("folder"), "folder"), offset=int_param(req, "offset", 0),
        max_return=int_param(req, "maxReturn", 20), is_active=bool_param(req, "isActive", None),
        earliest_updated_at=text_param(req, "earliestUpdatedAt"),
        latest_updated_at=text_param(req, "latestUpdatedAt")))


def create_smart_campaign(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.create_campaign(name=required_text(req, "name"),
                                         folder=parse_folder_ref(req.get("folder"), "folder"),
                                         description=text_param(req, "description")))


def clone_smart_campaign(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.clone_campaign(req.path_int(), name=required_text(req, "name"),
                                        folder=parse_folder_ref(req.get("folder"), "folder"),
                                        description=text_param(req, "description")))


def delete_smart_campaign(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.delete_campaign(req.path_int()))


def activate_smart_campaign(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_action(b.activate_campaign(req.path_int()))


def deactivate_smart_campaign(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_action(b.deactivate_campaign(req.path_int()))


def get_campaign_smart_list(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_campaign_smart_list(req.path_int(), bool_param(req, "includeRules", False)))


def get_smart_list(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_smart_list(req.path_int(), bool_param(req, "includeRules", False)))


def get_rule_types(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_rule_types())


# -- folders ---------------------------------------------------------------------------------------
def _folder_key(req: ApiRequest, param: str = "type") -> tuple[int, str]:
    return (req.path_int(), folder_type(req.get(param) or "Folder", param))


def get_folder(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_folder(_folder_key(req)))


def update_folder(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.update_folder(_folder_key(req), name=text_param(req, "name"),
                                       description=text_param(req, "description"),
                                       is_archive=bool_param(req, "isArchive", None)))


def get_folder_by_name(req: ApiRequest, b: MarketoBackend) -> Body:
    kind = req.get("type")
    return asset_read(b.get_folders_by_name(
        required_text(req, "name"), type=folder_type(kind) if kind else None,
        root=parse_folder_ref(req.get("root"), "root"),
        workspace=text_param(req, "workSpace") or text_param(req, "workspace")))


def browse_folders(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.browse_folders(
        root=parse_folder_ref(req.get("root"), "root"), max_depth=int_param(req, "maxDepth", 2),
        offset=int_param(req, "offset", 0), max_return=int_param(req, "maxReturn", 20),
        workspace=text_param(req, "workSpace") or text_param(req, "workspace")))


def create_folder(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.create_folder(name=required_text(req, "name"),
                                       parent=parse_folder_ref(req.get("parent"), "parent"),
                                       description=text_param(req, "description")))


def get_folder_content(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_folder_content(_folder_key(req), offset=int_param(req, "offset", 0),
                                           max_return=int_param(req, "maxReturn", 20)))


def delete_folder(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.delete_folder(_folder_key(req)))


# -- programs ---------------------------------------------------------------------------------------
def get_program(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_program(req.path_int()))


def get_program_by_name(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_program_by_name(required_text(req, "name")))


def browse_programs(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.browse_programs(
        offset=int_param(req, "offset", 0), max_return=int_param(req, "maxReturn", 20),
        filter_type=text_param(req, "filterType"), filter_values=req.many("filterValues"),
        earliest_updated_at=text_param(req, "earliestUpdatedAt"),
        latest_updated_at=text_param(req, "latestUpdatedAt"), status=text_param(req, "status")))


# -- My Tokens -------------------------------------------------------------------------------------
def get_tokens(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_tokens(_folder_key(req, "folderType")))


def upsert_token(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.upsert_token(_folder_key(req, "folderType"), name=required_text(req, "name"),
                                      type=required_text(req, "type"), value=required_text(req, "value")))


def delete_token(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.delete_token(_folder_key(req, "folderType"), name=required_text(req, "name"),
                                      type=required_text(req, "type")))


# -- lead database ---------------------------------------------------------------------------------
def list_campaigns(req: ApiRequest, b: MarketoBackend) -> Body:
    ids = [_as_int(v, "id") for v in req.many("id")]
    records, token = b.list_campaigns(
        ids=ids or None, names=req.many("name") or None, program_names=req.many("programName") or None,
        workspace_names=req.many("workspaceName") or None, batch_size=int_param(req, "batchSize", 300),
        next_page_token=text_param(req, "nextPageToken"), is_triggerable=bool_param(req, "isTriggerable", None))
    extra: dict[str, Any] = {"moreResult": token is not None}
    if token is not None:
        extra["nextPageToken"] = token
    return leaddb(records, **extra)


def get_daily_usage(req: ApiRequest, b: MarketoBackend) -> Body:
    """GET /rest/v1/stats/usage.json: today's calls, Adobe's record shape
    ``[{date, total, users: [{userId, count}]}]``; every call is the one API user's."""
    day, total = req.usage or ("", 0)
    return leaddb([{"date": f"{day}T00:00:00Z", "total": total,
                    "users": [{"userId": b.api_user, "count": total}] if total else []}])


def get_lead_campaign(req: ApiRequest, b: MarketoBackend) -> Body:
    return leaddb(b.get_lead_campaign(req.path_int()))


def request_campaign(req: ApiRequest, b: MarketoBackend) -> Body:
    data = _input(req)
    return leaddb(b.request_campaign(req.path_int(), leads=list(data.get("leads") or []),
                                     tokens=data.get("tokens")))


def schedule_campaign(req: ApiRequest, b: MarketoBackend) -> Body:
    data = _input(req)
    return leaddb(b.schedule_campaign(req.path_int(), run_at=data.get("runAt"), tokens=data.get("tokens"),
                                      clone_to_program_name=data.get("cloneToProgramName")))


def get_leads(req: ApiRequest, b: MarketoBackend) -> Body:
    filter_type = text_param(req, "filterType")
    if not filter_type:
        raise MarketoApiError("1002", "Missing value for required parameter 'filterType'")
    return leaddb(b.get_leads(filter_type=filter_type, filter_values=req.many("filterValues"),
                              fields=req.many("fields") or None))


def sync_leads(req: ApiRequest, b: MarketoBackend) -> Body:
    body = req.json if isinstance(req.json, Mapping) else {}
    leads = body.get("input")
    if not isinstance(leads, list):
        raise MarketoApiError("1003", "input must be a list of lead records")
    return leaddb(b.sync_leads(leads=leads, action=body.get("action") or "createOrUpdate",
                               lookup_field=body.get("lookupField") or "email"))
