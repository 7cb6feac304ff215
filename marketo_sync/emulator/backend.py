"""The emulated Marketo instance: state and business rules, no HTTP.

INTERFACE STUB: the signatures below are the contract between this module and the HTTP
layer (``responses.py``). Implementations replace the bodies; signatures stay.

Conventions
-----------
* Every method returns plain JSON-ready Python data in Marketo's record shapes (see
  ``shared/docs/marketo-api.md`` §5.2, §8, §9), e.g. a list of smart campaign records.
* A read that matches nothing returns ``[]``; the response layer then emits Marketo's
  "No assets found for the given search criteria." warning with no ``result`` key.
* Errors are raised as ``MarketoApiError(code, message)`` with Marketo's codes.
* Folder references are ``(id, type)`` with type ``"Folder"`` or ``"Program"`` (already
  parsed and case-normalised by the response layer).
* Campaign ``type``, ``isRequestable``, ``status`` and ``parentProgramId`` are derived on
  every read from the smart list, flow and tree; they are never stored.
* The backend is used from many server threads: every public method is atomic (one lock).
* ``clock`` is injectable so tests can move time (token expiry, runAt windows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FolderKey = tuple[int, str]  # (id, "Folder" | "Program")
Record = dict[str, Any]


class MarketoBackend:
    """One Marketo instance (one munchkin id)."""

    def __init__(self, *, clock: Callable[[], float] | None = None,
                 token_ttl: float = 3600.0,
                 credentials: dict[str, str] | None = None) -> None:
        """``credentials`` maps client_id -> client_secret that identity accepts."""
        raise NotImplementedError

    # -- state -----------------------------------------------------------------
    def load_seed(self, seed: dict[str, Any]) -> None:
        """Replace the instance by the one a seed document describes (see ``seed.py``)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Back to the last loaded seed (or an empty instance)."""
        raise NotImplementedError

    def export_state(self) -> dict[str, Any]:
        """Everything, JSON-ready, for ``--state FILE`` and ``GET /_emulator/state``."""
        raise NotImplementedError

    def import_state(self, state: dict[str, Any]) -> None:
        """Restore what ``export_state`` produced."""
        raise NotImplementedError

    # -- identity ----------------------------------------------------------------
    def issue_token(self, client_id: str, client_secret: str) -> Record:
        """OAuth body ``{access_token, token_type, expires_in, scope}``; the same token while valid.

        Bad credentials raise ``HttpFailure(401, {"error": "invalid_client", ...})``.
        """
        raise NotImplementedError

    def check_token(self, token: str | None) -> None:
        """Raise 601 (missing/unknown token) or 602 (expired)."""
        raise NotImplementedError

    def expire_tokens(self) -> None:
        """Fault helper: every issued token is expired from now on."""
        raise NotImplementedError

    # -- smart campaigns (asset API) ---------------------------------------------------
    def get_campaign(self, campaign_id: int, include_flow: bool = True) -> list[Record]: ...
    def get_campaign_by_name(self, name: str, include_flow: bool = True) -> list[Record]: ...
    def browse_campaigns(self, *, folder: FolderKey | None = None, offset: int = 0,
                         max_return: int = 20, is_active: bool | None = None,
                         earliest_updated_at: str | None = None,
                         latest_updated_at: str | None = None) -> list[Record]: ...
    def create_campaign(self, *, name: str, folder: FolderKey,
                        description: str | None = None) -> list[Record]: ...
    def update_campaign(self, campaign_id: int, *, name: str | None = None,
                        description: str | None = None) -> list[Record]: ...
    def clone_campaign(self, campaign_id: int, *, name: str, folder: FolderKey,
                       description: str | None = None) -> list[Record]: ...
    def delete_campaign(self, campaign_id: int) -> list[Record]: ...
    def activate_campaign(self, campaign_id: int) -> list[Record]: ...
    def deactivate_campaign(self, campaign_id: int) -> list[Record]: ...
    def get_campaign_smart_list(self, campaign_id: int, include_rules: bool = False) -> list[Record]: ...

    # -- folders and programs ------------------------------------------------------
    def get_folder(self, folder: FolderKey) -> list[Record]: ...
    def get_folders_by_name(self, name: str, *, type: str | None = None,
                            root: FolderKey | None = None,
                            workspace: str | None = None) -> list[Record]: ...
    def browse_folders(self, *, root: FolderKey | None = None, max_depth: int = 2,
                       offset: int = 0, max_return: int = 20,
                       workspace: str | None = None) -> list[Record]: ...
    def get_folder_content(self, folder: FolderKey, *, offset: int = 0,
                           max_return: int = 20) -> list[Record]: ...
    def create_folder(self, *, name: str, parent: FolderKey,
                      description: str | None = None) -> list[Record]: ...
    def get_program(self, program_id: int) -> list[Record]: ...
    def get_program_by_name(self, name: str) -> list[Record]: ...
    def browse_programs(self, *, offset: int = 0, max_return: int = 20,
                        filter_type: str | None = None,
                        filter_values: list[str] | None = None) -> list[Record]: ...

    # -- My Tokens ---------------------------------------------------------------------
    def get_tokens(self, folder: FolderKey) -> list[Record]: ...
    def upsert_token(self, folder: FolderKey, *, name: str, type: str, value: str) -> list[Record]: ...
    def delete_token(self, folder: FolderKey, *, name: str, type: str) -> list[Record]: ...

    # -- lead database: campaigns ----------------------------------------------------
    def list_campaigns(self, *, ids: list[int] | None = None, names: list[str] | None = None,
                       program_names: list[str] | None = None,
                       workspace_names: list[str] | None = None, batch_size: int = 300,
                       next_page_token: str | None = None,
                       is_triggerable: bool | None = None) -> tuple[list[Record], str | None]: ...
    def get_lead_campaign(self, campaign_id: int) -> list[Record]: ...
    def request_campaign(self, campaign_id: int, *, leads: list[int],
                         tokens: list[dict[str, str]] | None = None) -> list[Record]: ...
    def schedule_campaign(self, campaign_id: int, *, run_at: str | None = None,
                          tokens: list[dict[str, str]] | None = None,
                          clone_to_program_name: str | None = None) -> list[Record]: ...

    # -- leads -----------------------------------------------------------------------------
    def get_leads(self, *, filter_type: str, filter_values: list[str],
                  fields: list[str] | None = None) -> list[Record]: ...
    def sync_leads(self, *, leads: list[Record], action: str = "createOrUpdate",
                   lookup_field: str = "email") -> list[Record]: ...
