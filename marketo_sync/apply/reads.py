"""The reads preflight, the applier and verification share, and how they compare fields.

Preflight, the idempotency checks and the read-back must read a campaign, a folder's
campaigns and a container's tokens the same way, and compare fields the same way, or they
would disagree about what "the same" means.
"""

from __future__ import annotations

from typing import Any

from marketo_sync.client.protocols import WriteApi
from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import RemoteCampaign, normalise_description

__all__ = ["WriteApi", "campaign_by_id", "campaigns_in", "differs", "is_resolved", "tokens_of"]


def campaigns_in(api: WriteApi, folder: FolderRef) -> list[RemoteCampaign]:
    """Direct children of ``folder`` (a browse may include nested campaigns; a record without
    ``folder``, as Adobe shows system campaigns, is the browsed folder's)."""
    children = (RemoteCampaign.from_browse(r, folder) for r in api.browse_campaigns(folder))
    return [c for c in children if c is not None]


def campaign_by_id(api: WriteApi, campaign_id: int) -> RemoteCampaign | None:
    record = api.get_campaign(campaign_id)
    return RemoteCampaign.from_record(record) if record else None


def tokens_of(api: WriteApi, folder: FolderRef) -> dict[str, dict[str, str]]:
    """A container's My Tokens by name: ``{"type": …, "value": …}``."""
    return {token.name: {"type": token.type, "value": token.value} for token in api.tokens_of(folder)}


def is_resolved(folder: FolderRef) -> bool:
    """The planner uses id 0 for a container it could not resolve: read by id instead."""
    return folder.id != 0


def differs(expected: Any, actual: Any, field_name: str) -> bool:
    """Whether a read-back value differs from the wanted one, as Marketo compares them."""
    if field_name == "description":
        return normalise_description(expected) != normalise_description(actual)
    if field_name == "type" and isinstance(expected, str) and isinstance(actual, str):
        return expected.strip().lower() != actual.strip().lower()
    return bool(expected != actual)
