"""What preflight, the applier and verification share: the write API and reading it alike.

Preflight, the idempotency checks and the read-back must read a campaign, a folder's
campaigns and a container's tokens the same way, and compare fields the same way, or
they would disagree about what "the same" means; ``scrub`` keeps secrets out of every
message they record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

from marketo_sync.refs import FolderRef
from marketo_sync.remote import RemoteCampaign, normalise_description


class WriteApi(Protocol):
    """The calls apply makes (implemented by ``marketo_sync.client.MarketoApi``)."""

    def browse_campaigns(self, folder: FolderRef) -> list[dict[str, Any]]: ...
    def get_campaign(self, campaign_id: int) -> dict[str, Any] | None: ...
    def get_tokens(self, folder: FolderRef) -> list[dict[str, Any]]: ...
    def create_campaign(self, *, name: str, folder: FolderRef,
                        description: str | None = None) -> dict[str, Any]: ...
    def clone_campaign(self, template_id: int, *, name: str, folder: FolderRef,
                       description: str | None = None) -> dict[str, Any]: ...
    def update_campaign(self, campaign_id: int, *, name: str | None = None,
                        description: str | None = None) -> dict[str, Any]: ...
    def delete_campaign(self, campaign_id: int) -> Any: ...
    def activate_campaign(self, campaign_id: int) -> Any: ...
    def deactivate_campaign(self, campaign_id: int) -> Any: ...
    def set_token(self, folder: FolderRef, *, name: str, type: str, value: str) -> Any: ...
    def delete_token(self, folder: FolderRef, *, name: str, type: str) -> Any: ...


_SECRET = re.compile(r"(access_token|client_secret|client_id|Bearer)([=:\s]+)[^&\s'\"]+", re.IGNORECASE)


def scrub(text: str) -> str:
    """Defence in depth: no token or secret may reach the journal or the receipt."""
    return _SECRET.sub(r"\1\2***", text)


def _one(record: Any) -> dict[str, Any] | None:
    if isinstance(record, list):
        record = record[0] if record else None
    return dict(record) if isinstance(record, Mapping) and record else None


def _folder_of(record: Mapping[str, Any]) -> FolderRef | None:
    try:
        return FolderRef.parse(record.get("folder"))
    except (ValueError, TypeError, KeyError):
        return None


def _campaigns_in(api: WriteApi, folder: FolderRef) -> list[RemoteCampaign]:
    """Direct children of ``folder`` (a browse may include nested campaigns)."""
    return [RemoteCampaign.from_record(r) for r in api.browse_campaigns(folder) if _folder_of(r) == folder]


def _campaign(api: WriteApi, campaign_id: int) -> RemoteCampaign | None:
    record = _one(api.get_campaign(campaign_id))
    return RemoteCampaign.from_record(record) if record else None


def _tokens(api: WriteApi, folder: FolderRef) -> dict[str, dict[str, str]]:
    tokens: dict[str, dict[str, str]] = {}
    for entry in api.get_tokens(folder):
        items = entry.get("tokens") if isinstance(entry, Mapping) and "tokens" in entry else [entry]
        for token in items or []:
            tokens[str(token["name"])] = {"type": str(token.get("type", "")),
                                          "value": str(token.get("value", ""))}
    return tokens


def _real(folder: FolderRef) -> bool:
    """The planner uses id 0 for a container it could not resolve: read by id instead."""
    return folder.id != 0


def _differs(expected: Any, actual: Any, field_name: str) -> bool:
    if field_name == "description":
        return normalise_description(expected) != normalise_description(actual)
    if field_name == "type" and isinstance(expected, str) and isinstance(actual, str):
        return expected.strip().lower() != actual.strip().lower()
    return bool(expected != actual)
