"""HTTP handlers of the flow-step endpoints: parse leniently, call, wrap.

The JSON-in-a-form-field parameters (``activityType``, ``conditionTypeId``, ``attributes``)
are read as JSON strings, as mappings from a JSON body, or in the single-quoted form a Python
client produces with ``str(dict)``; ``conditionValues`` is comma-separated (or a JSON list).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.exceptions import MarketoApiError
from marketo_sync.emulator.responses import (
    ApiRequest,
    Body,
    _as_int,
    asset_read,
    asset_write,
    int_param,
    text_param,
)


def _json_value(raw: Any, name: str) -> Any:
    if not isinstance(raw, str):
        return raw
    for text in (raw, raw.replace("'", '"')):
        try:
            return json.loads(text)
        except ValueError:
            continue
    raise MarketoApiError("1003", f"Invalid value for {name}: expected JSON")


def _typed_ref(req: ApiRequest, name: str, example: str) -> tuple[int, str | None]:
    """``{"id": 6, "type": "activity"}`` -> ``(6, "activity")``; a bare id has no type."""
    raw = req.get(name)
    if raw is None or raw == "":
        raise MarketoApiError("701", f"{name} cannot be blank")
    ref = _json_value(raw, name)
    if isinstance(ref, Mapping):
        if "id" not in ref:
            raise MarketoApiError("1003", f"Invalid value for {name}: expected {example}")
        kind = ref.get("type")
        return _as_int(ref["id"], f"{name}.id"), None if kind is None else str(kind)
    return _as_int(ref, name), None


def _required_int(req: ApiRequest, name: str) -> int:
    value = int_param(req, name, None)
    if value is None:
        raise MarketoApiError("701", f"{name} cannot be blank")
    return value


def _step_path(req: ApiRequest) -> tuple[int, int]:
    return req.path_int(), req.path_int("step")


# -- catalogues --------------------------------------------------------------------------------------
def get_flow_step_types(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_flow_step_types())


def get_flow_condition_types(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_flow_condition_types())


# -- steps -------------------------------------------------------------------------------------------
def add_flow_step(req: ApiRequest, b: MarketoBackend) -> Body:
    activity_id, kind = _typed_ref(req, "activityType", '{"id":6,"type":"activity"}')
    return asset_write(b.add_flow_step(req.path_int(), activity_type_id=activity_id,
                                       index=_required_int(req, "index"), activity_kind=kind or "activity"))


def remove_flow_step(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.remove_flow_step(*_step_path(req)))


# -- choices -----------------------------------------------------------------------------------------
def add_step_choice(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.add_step_choice(*_step_path(req)))


def _attributes(req: ApiRequest) -> Mapping[str, Any] | None:
    raw = req.get("attributes")
    if raw is None or raw == "":
        return None
    value = _json_value(raw, "attributes")
    if not isinstance(value, Mapping):
        raise MarketoApiError("1003", 'Invalid value for attributes: expected a JSON object such as {"101":"1 day"}')
    return value


def _condition_values(req: ApiRequest) -> list[str] | None:
    raw = req.get("conditionValues")
    if raw is None:
        return None
    if isinstance(raw, list):
        return [str(v) for v in raw]
    return [part.strip() for part in str(raw).split(",") if part.strip()]


def update_step_choice(req: ApiRequest, b: MarketoBackend) -> Body:
    condition = None
    if req.get("conditionTypeId") not in (None, ""):
        type_id, kind = _typed_ref(req, "conditionTypeId", '{"id":64,"type":"attribute"}')
        if kind is None:
            raise MarketoApiError("1003", "Invalid value for conditionTypeId: 'type' must be activity or attribute")
        condition = (type_id, kind)
    return asset_write(b.update_step_choice(
        *_step_path(req), req.path_int("choice"), attributes=_attributes(req), condition_type=condition,
        operator=text_param(req, "operator"), condition_values=_condition_values(req)))


def remove_step_choice(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.remove_step_choice(*_step_path(req), req.path_int("choice")))


def reorder_step_choice(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.reorder_step_choice(*_step_path(req), req.path_int("choice"),
                                             _required_int(req, "newSeqNumZeroBased")))
