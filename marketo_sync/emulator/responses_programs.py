"""HTTP handlers of the program writes: create, clone, update (metadata) and delete; and the
channel catalogue (``channels.json``) program create takes its channel from.

Same lenient parsing as ``responses.py`` (form, query string or JSON object; ``folder`` as a JSON
string or marketorestpython's ``{'id': 1, 'type': Folder}``). ``tags`` and ``costs`` are JSON
arrays in a form field; marketorestpython sends them as Python reprs (``str(list_of_dicts)``,
single quotes), which Marketo's lenient parser takes too, so they are read as literals as well.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.exceptions import MarketoApiError
from marketo_sync.emulator.responses import (
    ApiRequest,
    Body,
    asset_read,
    asset_write,
    bool_param,
    int_param,
    parse_folder_ref,
    required_text,
    text_param,
)


def list_param(req: ApiRequest, name: str) -> list[Any] | None:
    """A JSON array (or a Python literal list) given as a string, or a list in a JSON body."""
    value = req.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            try:
                value = ast.literal_eval(value)  # literals only: never evaluates code
            except (ValueError, SyntaxError):
                raise MarketoApiError("1003", f"Invalid value for {name}: expected a JSON array") from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise MarketoApiError("1003", f"Invalid value for {name}: expected a JSON array")
    return value


def create_program(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.create_program(
        name=required_text(req, "name"), folder=parse_folder_ref(req.get("folder"), "folder"),
        type=text_param(req, "type"), channel=text_param(req, "channel"),
        description=text_param(req, "description"), tags=list_param(req, "tags"), costs=list_param(req, "costs")))


def clone_program(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.clone_program(req.path_int(), name=required_text(req, "name"),
                                       folder=parse_folder_ref(req.get("folder"), "folder"),
                                       description=text_param(req, "description")))


def update_program(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.update_program(
        req.path_int(), name=text_param(req, "name"), description=text_param(req, "description"),
        channel=text_param(req, "channel"), tags=list_param(req, "tags"), costs=list_param(req, "costs"),
        costs_destructive_update=bool(bool_param(req, "costsDestructiveUpdate", False))))


def delete_program(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_write(b.delete_program(req.path_int()))


def get_channels(req: ApiRequest, b: MarketoBackend) -> Body:
    return asset_read(b.get_channels(offset=int_param(req, "offset", 0),
                                     max_return=int_param(req, "maxReturn", 20)))
