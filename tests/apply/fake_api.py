"""A MarketoApi stand-in over the emulator's pure-Python backend, for decision-logic tests.

Real Marketo rules (duplicate names, activation preconditions) without HTTP; faults are
scripted per method so that each idempotency path is exercised deterministically.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from marketo_sync.client.api import Token, tokens_from_rows
from marketo_sync.emulator.exceptions import MarketoApiError
from marketo_sync.emulator.seed import backend_from_seed, example_seed_path, read_seed_file
from marketo_sync.errors import NotFound, OutcomeUnknown, QuotaExhausted, TransportError, api_error
from marketo_sync.refs import FolderRef

SEED = read_seed_file(example_seed_path())

TEMPLATES = FolderRef(1101, "Folder")
WEBINARS = FolderRef(1102, "Folder")
MARCH = FolderRef(1102, "Program")
MAY = FolderRef(1103, "Program")
NEWSLETTERS = FolderRef(1103, "Folder")
OPERATIONAL = FolderRef(1104, "Folder")
SYSTEM = FolderRef(1105, "Folder")
REMINDER, ONBOARDING, FORM_FILL, EMPTY_FLOW = 2001, 2002, 2003, 2004
MARCH_CONFIRMATION, MAY_CONFIRMATION = 2011, 2012
SCORE_WEB_VISIT, LEGACY_ROUTING, BOUNCED = 2032, 2033, 2041


def _key(folder: FolderRef) -> tuple[int, str]:
    return (folder.id, folder.type)


class FakeApi:
    """``faults[method]`` is a list of fault kinds consumed by successive calls of ``method``:
    ``drop`` (nothing happens, OutcomeUnknown), ``drop_after_commit`` (it happens, OutcomeUnknown),
    ``refused`` (TransportError, nothing happens), ``repeat`` (it happens, then the client's
    retry gets Marketo's answer to a second attempt), ``quota`` (607), ``ok``."""

    def __init__(self, **overrides: Any) -> None:
        self.backend = backend_from_seed(SEED)
        self.faults: dict[str, list[str]] = {}
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def _run(self, method: str, call: Callable[[], Any]) -> Any:
        with self._lock:
            self.calls.append(method)
            queue = self.faults.get(method) or []
            fault = queue.pop(0) if queue else "ok"
        if fault == "quota":
            raise QuotaExhausted("607", "Daily quota reached")
        if fault == "drop":
            raise OutcomeUnknown("", "connection dropped after sending; outcome unknown")
        if fault == "refused":
            raise TransportError("", "connection refused")
        try:
            result = call()
            if fault == "repeat":
                result = call()
        except MarketoApiError as error:
            raise api_error(error.code, error.message) from None
        if fault == "drop_after_commit":
            raise OutcomeUnknown("", "connection dropped after sending; outcome unknown")
        return result

    def writes(self) -> list[str]:
        return [c for c in self.calls if c not in ("browse_campaigns", "get_campaign", "get_tokens")]

    # reads
    def browse_campaigns(self, folder: FolderRef) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            page = self._run("browse_campaigns", lambda: self.backend.browse_campaigns(
                folder=_key(folder), offset=len(out), max_return=200))
            out.extend(page)
            if len(page) < 200:
                return out

    def get_campaign(self, campaign_id: int) -> dict[str, Any] | None:
        try:
            found = self._run("get_campaign", lambda: self.backend.get_campaign(campaign_id))
        except NotFound:
            return None
        return found[0] if found else None

    def get_tokens(self, folder: FolderRef) -> list[dict[str, Any]]:
        return self._run("get_tokens", lambda: self.backend.get_tokens(_key(folder)))

    def tokens_of(self, folder: FolderRef) -> list[Token]:
        return tokens_from_rows(self.get_tokens(folder))

    # writes
    def create_campaign(self, *, name: str, folder: FolderRef, description: str | None = None) -> dict:
        return self._run("create_campaign", lambda: self.backend.create_campaign(
            name=name, folder=_key(folder), description=description))[0]

    def clone_campaign(self, template_id: int, *, name: str, folder: FolderRef,
                       description: str | None = None) -> dict:
        return self._run("clone_campaign", lambda: self.backend.clone_campaign(
            template_id, name=name, folder=_key(folder), description=description))[0]

    def update_campaign(self, campaign_id: int, *, name: str | None = None,
                        description: str | None = None) -> dict:
        return self._run("update_campaign", lambda: self.backend.update_campaign(
            campaign_id, name=name, description=description))[0]

    def delete_campaign(self, campaign_id: int) -> Any:
        return self._run("delete_campaign", lambda: self.backend.delete_campaign(campaign_id))

    def activate_campaign(self, campaign_id: int) -> Any:
        return self._run("activate_campaign", lambda: self.backend.activate_campaign(campaign_id))

    def deactivate_campaign(self, campaign_id: int) -> Any:
        return self._run("deactivate_campaign", lambda: self.backend.deactivate_campaign(campaign_id))

    def set_token(self, folder: FolderRef, *, name: str, type: str, value: str) -> Any:
        return self._run("set_token", lambda: self.backend.upsert_token(
            _key(folder), name=name, type=type, value=value))

    def delete_token(self, folder: FolderRef, *, name: str, type: str) -> Any:
        return self._run("delete_token", lambda: self.backend.delete_token(_key(folder), name=name, type=type))

    # test helpers
    def campaigns_named(self, folder: FolderRef, name: str) -> list[dict[str, Any]]:
        return [c for c in self.backend.browse_campaigns(folder=_key(folder), max_return=200)
                if c["name"] == name]
