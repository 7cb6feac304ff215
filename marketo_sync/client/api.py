"""One small method per Marketo endpoint used by marketo-sync, each stating its encoding.

Asset API writes are form-encoded, with folder references as JSON strings
(``folder={"id":640,"type":"Folder"}``); lead-database calls (trigger, schedule, leads)
take JSON bodies ``{"input": ...}``. Reads that find nothing return ``None`` or ``[]``.
Writes that create something or send email (create, clone, trigger, schedule) are marked
not idempotent: the client never resends them after a lost answer.

Marketo's shapes are normalised here, once, so no caller unwraps them: a read by id or name
returns one record or ``None`` (never Marketo's one-element ``result`` list), and
:meth:`MarketoApi.tokens_of` returns a container's My Tokens flat, as :class:`Token`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marketo_sync.client.core import MarketoClient
from marketo_sync.client.flows import FlowApiMixin
from marketo_sync.errors import NotFound
from marketo_sync.refs import FolderRef

Row = dict[str, Any]

ASSET = "/rest/asset/v1"
LEADS = "/rest/v1"


def _first(rows: list[Row]) -> Row | None:
    """The one record of a read by id or name; ``None`` for none (or an empty record)."""
    return rows[0] if rows and rows[0] else None


def _bool(value: bool) -> str:
    return "true" if value else "false"


def my_token(name: str) -> str:
    """``WebinarTitle`` -> ``{{my.WebinarTitle}}``; an already wrapped name is kept."""
    text = name.strip()
    if text.startswith("{{") and text.endswith("}}"):
        return text
    if text.startswith("my."):
        text = text[3:]
    return "{{my." + text + "}}"


def _token_list(tokens: Mapping[str, str] | None) -> list[dict[str, str]]:
    return [{"name": my_token(name), "value": str(value)} for name, value in (tokens or {}).items()]


def _drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Token:
    """A My Token as every caller sees it: bare name, type lower-cased, value as text."""

    name: str
    type: str
    value: str


def tokens_from_rows(rows: Sequence[Row]) -> list[Token]:
    """Marketo wraps a container's tokens as ``[{"folder": …, "tokens": [...]}]``: unwrapped here, once."""
    tokens: list[Token] = []
    for entry in rows:
        items = entry.get("tokens") if isinstance(entry, Mapping) and "tokens" in entry else [entry]
        for token in items if isinstance(items, list) else []:
            if isinstance(token, Mapping) and token.get("name") not in (None, ""):
                value = token.get("value")
                tokens.append(Token(str(token["name"]), str(token.get("type") or "").strip().lower(),
                                    "" if value is None else str(value)))
    return tokens


@dataclass(frozen=True)
class RunAccepted:
    """Marketo accepted a request or a schedule: the campaign id it answered and its requestId."""

    campaign_id: int | None
    request_id: str | None

    @classmethod
    def of(cls, rows: list[Row], request_id: str | None) -> RunAccepted:
        first = rows[0] if rows else {}
        return cls(int(first["id"]) if first.get("id") is not None else None, request_id)


class MarketoApi(FlowApiMixin):
    """Typed endpoint calls on top of a :class:`MarketoClient` (flow steps: :mod:`~marketo_sync.client.flows`)."""

    def __init__(self, client: MarketoClient) -> None:
        self.client = client

    def _get(self, path: str, **query: Any) -> list[Row]:
        return self.client.request("GET", path, query=_drop_none(query) or None)

    def _get_one(self, path: str, **query: Any) -> Row | None:
        try:
            return _first(self._get(path, **query))
        except NotFound:
            return None

    # -- folders (query parameters) ---------------------------------------------------

    def get_folder(self, ref: FolderRef) -> Row | None:
        """GET folder/{id}.json?type=Folder|Program (type required: separate id spaces); one record or None."""
        return self._get_one(f"{ASSET}/folder/{ref.id}.json", type=ref.type)

    def folders_by_name(self, name: str, *, type: str | None = None, root: FolderRef | None = None) -> list[Row]:
        """GET folder/byName.json?name=… (exact match, may return several)."""
        return self._get(f"{ASSET}/folder/byName.json", name=name, type=type,
                         root=root.to_json() if root else None)

    def browse_folders(self, root: FolderRef, max_depth: int) -> list[Row]:
        """GET folders.json?root=…&maxDepth=… , all pages (the root and its descendants)."""
        return list(self.client.pages(f"{ASSET}/folders.json", {"root": root.to_json(), "maxDepth": max_depth}))

    # -- smart campaigns: reads (query parameters) --------------------------------------

    def browse_campaigns(self, folder: FolderRef | None = None, *, is_active: bool | None = None,
                         earliest_updated_at: str | None = None,
                         latest_updated_at: str | None = None) -> list[Row]:
        """GET smartCampaigns.json, all pages, optionally filtered by folder, state, update time."""
        query = _drop_none({"folder": folder.to_json() if folder else None,
                            "isActive": _bool(is_active) if is_active is not None else None,
                            "earliestUpdatedAt": earliest_updated_at, "latestUpdatedAt": latest_updated_at})
        return list(self.client.pages(f"{ASSET}/smartCampaigns.json", query))

    def get_campaign(self, campaign_id: int) -> Row | None:
        """GET smartCampaign/{id}.json: one record or None."""
        return self._get_one(f"{ASSET}/smartCampaign/{int(campaign_id)}.json")

    def get_campaign_by_name(self, name: str) -> Row | None:
        """GET smartCampaign/byName.json?name=…"""
        return self._get_one(f"{ASSET}/smartCampaign/byName.json", name=name)

    def get_campaign_smart_list(self, campaign_id: int, *, include_rules: bool = True) -> Row | None:
        """GET smartCampaign/{id}/smartList.json?includeRules=true|false: one record or None."""
        return self._get_one(f"{ASSET}/smartCampaign/{int(campaign_id)}/smartList.json",
                             includeRules=_bool(include_rules))

    # -- tokens and programs (query parameters) -----------------------------------------

    def get_tokens(self, folder: FolderRef) -> list[Row]:
        """GET folder/{id}/tokens.json?folderType=… : the raw rows ``[{"folder": …, "tokens": […]}]``."""
        try:
            return self._get(f"{ASSET}/folder/{folder.id}/tokens.json", folderType=folder.type)
        except NotFound:
            return []

    def tokens_of(self, folder: FolderRef) -> list[Token]:
        """The My Tokens of a folder or program, unwrapped and normalised (:class:`Token`)."""
        return tokens_from_rows(self.get_tokens(folder))

    def get_program(self, program_id: int) -> Row | None:
        """GET program/{id}.json."""
        return self._get_one(f"{ASSET}/program/{int(program_id)}.json")

    def get_program_by_name(self, name: str) -> Row | None:
        """GET program/byName.json?name=…"""
        return self._get_one(f"{ASSET}/program/byName.json", name=name)

    # -- usage --------------------------------------------------------------------------

    def daily_usage(self) -> int | None:
        """GET stats/usage.json: the calls the instance counted today, every API user together
        (Adobe: ``result: [{date, total, users: [{userId, count}]}]``); None when it does not say.
        Costs one call. An instance without the endpoint answers 610 (or HTTP 404): that error is raised."""
        for row in self._get(f"{LEADS}/stats/usage.json"):
            if isinstance(row, Mapping):
                if isinstance(row.get("total"), int):
                    return int(row["total"])
                users = row.get("users")
                if isinstance(users, list):
                    return sum(int(u.get("count") or 0) for u in users if isinstance(u, Mapping))
        return None

    # -- smart campaigns: writes (form-encoded) -----------------------------------------

    def create_campaign(self, *, name: str, folder: FolderRef, description: str | None = None) -> Row:
        """POST smartCampaigns.json, form. Not idempotent: a lost answer raises OutcomeUnknown."""
        form = _drop_none({"name": name, "folder": folder.to_json(), "description": description})
        return self._one_row(self.client.request("POST", f"{ASSET}/smartCampaigns.json", form=form,
                                                 idempotent=False))

    def clone_campaign(self, template_id: int, *, name: str, folder: FolderRef,
                       description: str | None = None) -> Row:
        """POST smartCampaign/{id}/clone.json, form. Not idempotent."""
        form = _drop_none({"name": name, "folder": folder.to_json(), "description": description})
        return self._one_row(self.client.request("POST", f"{ASSET}/smartCampaign/{int(template_id)}/clone.json",
                                                 form=form, idempotent=False))

    def update_campaign(self, campaign_id: int, *, name: str | None = None,
                        description: str | None = None) -> Row:
        """POST smartCampaign/{id}.json, form (name/description only). Idempotent: sets values."""
        form = _drop_none({"name": name, "description": description})
        return self._one_row(self.client.request("POST", f"{ASSET}/smartCampaign/{int(campaign_id)}.json",
                                                 form=form, idempotent=True))

    def delete_campaign(self, campaign_id: int) -> None:
        """POST smartCampaign/{id}/delete.json, no body. Not resent after a lost answer."""
        self.client.request("POST", f"{ASSET}/smartCampaign/{int(campaign_id)}/delete.json", idempotent=False)

    def activate_campaign(self, campaign_id: int) -> None:
        """POST smartCampaign/{id}/activate.json, no body."""
        self.client.request("POST", f"{ASSET}/smartCampaign/{int(campaign_id)}/activate.json", idempotent=False)

    def deactivate_campaign(self, campaign_id: int) -> None:
        """POST smartCampaign/{id}/deactivate.json, no body."""
        self.client.request("POST", f"{ASSET}/smartCampaign/{int(campaign_id)}/deactivate.json",
                            idempotent=False)

    # -- programs: writes (form-encoded) -----------------------------------------------

    def back_off(self, retry: int) -> None:
        """Wait before resending a write that was looked up first (see ``MarketoClient.back_off``)."""
        self.client.back_off(retry)

    def update_program(self, program_id: int, *, name: str | None = None,
                       description: str | None = None) -> Row:
        """POST program/{id}.json, form (name/description). Idempotent: sets values."""
        form = _drop_none({"name": name, "description": description})
        return self._one_row(self.client.request("POST", f"{ASSET}/program/{int(program_id)}.json", form=form,
                                                 idempotent=True))

    # -- tokens: writes (form-encoded) ---------------------------------------------------

    def set_token(self, folder: FolderRef, *, name: str, type: str, value: str) -> None:
        """POST folder/{id}/tokens.json, form. An upsert by name, so idempotent."""
        form = {"name": name, "type": type, "value": value, "folderType": folder.type}
        self.client.request("POST", f"{ASSET}/folder/{folder.id}/tokens.json", form=form, idempotent=True)

    def delete_token(self, folder: FolderRef, *, name: str, type: str) -> None:
        """POST folder/{id}/tokens/delete.json, form."""
        form = {"name": name, "type": type, "folderType": folder.type}
        self.client.request("POST", f"{ASSET}/folder/{folder.id}/tokens/delete.json", form=form,
                            idempotent=False)

    # -- folders, programs and catalogues for the conformance kit -----------------------

    def create_folder(self, *, name: str, parent: FolderRef, description: str | None = None) -> Row:
        """POST folders.json, form (``parent`` as a JSON string). Not idempotent."""
        form = _drop_none({"name": name, "parent": parent.to_json(), "description": description})
        return self._one_row(self.client.request("POST", f"{ASSET}/folders.json", form=form, idempotent=False))

    def delete_folder(self, ref: FolderRef) -> None:
        """POST folder/{id}/delete.json, form ``type``: only empty, non-system folders."""
        self.client.request("POST", f"{ASSET}/folder/{ref.id}/delete.json", form={"type": ref.type},
                            idempotent=False)

    def folder_content(self, ref: FolderRef, *, offset: int = 0, max_return: int = 200) -> list[Row]:
        """GET folder/{id}/content.json?type=…: one page of ``[{"id", "type"}]`` (direct children)."""
        try:
            return self._get(f"{ASSET}/folder/{ref.id}/content.json", type=ref.type, offset=offset,
                             maxReturn=max_return)
        except NotFound:
            return []

    def browse_campaigns_page(self, folder: FolderRef | None, *, offset: int, max_return: int,
                              is_active: bool | None = None, earliest_updated_at: str | None = None,
                              latest_updated_at: str | None = None) -> list[Row]:
        """GET smartCampaigns.json: one page only, for callers that check paging themselves
        (``folder`` None: a page of the whole instance)."""
        return self._get(f"{ASSET}/smartCampaigns.json", folder=folder.to_json() if folder else None, offset=offset,
                         maxReturn=max_return, isActive=_bool(is_active) if is_active is not None else None,
                         earliestUpdatedAt=earliest_updated_at, latestUpdatedAt=latest_updated_at)

    def flow_step_types(self) -> list[Row]:
        """GET smartCampaign/flowSteps.json: the flow action catalogue (newer API: feature-detect)."""
        return self._get(f"{ASSET}/smartCampaign/flowSteps.json")

    def channels(self) -> list[Row]:
        """GET channels.json: one page of program channels ``[{name, applicableProgramType, ...}]``."""
        return self._get(f"{ASSET}/channels.json", maxReturn=200)

    def browse_programs_page(self, *, offset: int = 0, max_return: int = 20) -> list[Row]:
        """GET programs.json: one page of program records (browse answers carry no tags)."""
        return self._get(f"{ASSET}/programs.json", offset=offset, maxReturn=max_return)

    def create_program(self, *, name: str, folder: FolderRef, type: str, channel: str,
                       description: str | None = None, tags: Sequence[tuple[str, str]] = ()) -> Row:
        """POST programs.json, form (name, folder, type, channel required; ``tags`` as a JSON array of
        ``{tagType, tagValue}``). Not idempotent."""
        form = _drop_none({"name": name, "folder": folder.to_json(), "type": type, "channel": channel,
                           "description": description,
                           "tags": json.dumps([{"tagType": k, "tagValue": v} for k, v in tags]) if tags else None})
        return self._one_row(self.client.request("POST", f"{ASSET}/programs.json", form=form, idempotent=False))

    def clone_program(self, program_id: int, *, name: str, folder: FolderRef,
                      description: str | None = None) -> Row:
        """POST program/{id}/clone.json, form (name globally unique). Not idempotent: a lost answer
        (719, a lock wait timeout, included) is an unknown outcome."""
        form = _drop_none({"name": name, "folder": folder.to_json(), "description": description})
        return self._one_row(self.client.request("POST", f"{ASSET}/program/{int(program_id)}/clone.json",
                                                 form=form, idempotent=False))

    def delete_program(self, program_id: int) -> None:
        """POST program/{id}/delete.json: the program and everything inside it."""
        self.client.request("POST", f"{ASSET}/program/{int(program_id)}/delete.json", idempotent=False)

    # -- lead database (JSON bodies) -----------------------------------------------------

    def request_campaign(self, campaign_id: int, *, leads: Sequence[int],
                         tokens: Mapping[str, str] | None = None) -> RunAccepted:
        """POST campaigns/{id}/trigger.json, JSON. Sends email: never resent blindly."""
        body: dict[str, Any] = {"leads": [{"id": int(lead)} for lead in leads]}
        if tokens:
            body["tokens"] = _token_list(tokens)
        answer = self.client.call("POST", f"{LEADS}/campaigns/{int(campaign_id)}/trigger.json",
                                  json={"input": body}, idempotent=False)
        return RunAccepted.of(answer.rows, answer.request_id)

    def schedule_campaign(self, campaign_id: int, *, run_at: str | None = None,
                          tokens: Mapping[str, str] | None = None,
                          clone_to_program_name: str | None = None) -> RunAccepted:
        """POST campaigns/{id}/schedule.json, JSON. Runs a batch campaign: never resent blindly.

        With ``clone_to_program_name`` the answer's id is the scheduled campaign in the new program.
        """
        body = _drop_none({"runAt": run_at, "cloneToProgramName": clone_to_program_name,
                           "tokens": _token_list(tokens) if tokens else None})
        answer = self.client.call("POST", f"{LEADS}/campaigns/{int(campaign_id)}/schedule.json",
                                  json={"input": body}, idempotent=False)
        return RunAccepted.of(answer.rows, answer.request_id)

    def get_leads(self, filter_type: str, values: Sequence[str], *,
                  fields: Sequence[str] | None = None) -> list[Row]:
        """GET leads.json?filterType=…&filterValues=a,b (query; at most 300 values)."""
        return self._get(f"{LEADS}/leads.json", filterType=filter_type,
                         filterValues=",".join(str(v) for v in values),
                         fields=",".join(fields) if fields else None)

    def sync_leads(self, leads: Sequence[Mapping[str, Any]], *, action: str = "createOrUpdate",
                   lookup_field: str = "email") -> list[Row]:
        """POST leads.json, JSON ``{action, lookupField, input}``; per-record status rows."""
        body = {"action": action, "lookupField": lookup_field, "input": [dict(lead) for lead in leads]}
        return self.client.request("POST", f"{LEADS}/leads.json", json=body,
                                   idempotent=action in ("createOrUpdate", "updateOnly"))

    @staticmethod
    def _one_row(rows: list[Row]) -> Row:
        return rows[0] if rows else {}
