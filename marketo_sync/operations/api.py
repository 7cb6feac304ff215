"""The Marketo calls the operations make, as a protocol (``MarketoApi`` implements it).

Kept apart so that every step can be type-checked against the same small surface.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from marketo_sync.refs import FolderRef

Record = Mapping[str, Any]


class OperationsApi(Protocol):
    """The calls the operations make (implemented by ``marketo_sync.client.MarketoApi``)."""

    def get_campaign(self, campaign_id: int) -> dict[str, Any] | None: ...
    def browse_campaigns(self, folder: FolderRef | None = None) -> list[dict[str, Any]]: ...
    def folders_by_name(self, name: str) -> list[dict[str, Any]]: ...
    def browse_folders(self, root: FolderRef, max_depth: int) -> list[dict[str, Any]]: ...
    def get_folder(self, ref: FolderRef) -> dict[str, Any] | None: ...
    def get_tokens(self, folder: FolderRef) -> list[dict[str, Any]]: ...
    def get_leads(self, filter_type: str, values: Sequence[str], *,
                  fields: Sequence[str] | None = None) -> list[dict[str, Any]]: ...
    def request_campaign(self, campaign_id: int, *, leads: Sequence[int],
                         tokens: Mapping[str, str] | None = None) -> Any: ...
    def schedule_campaign(self, campaign_id: int, *, run_at: str | None = None,
                          tokens: Mapping[str, str] | None = None,
                          clone_to_program_name: str | None = None) -> Any: ...
