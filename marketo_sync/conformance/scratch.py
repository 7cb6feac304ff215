"""Everything the kit creates, and its removal in reverse order, whatever happened before.

Assets are registered the moment the kit knows them; a create whose answer was lost (or a
Ctrl-C in the middle of one) is found again by sweeping the scratch folder for names that carry
the run's random suffix (anything else there belongs to someone else and is left alone). Removal retries each asset a few times and checks by reading whether a
delete whose answer was lost took effect; what stays is reported with its UI link.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marketo_sync.client import MarketoApi
from marketo_sync.conformance.report import Leftover
from marketo_sync.errors import ApiError, BusinessRuleError, MarketoSyncError
from marketo_sync.refs import FolderRef

FOLDER = "folder"
CAMPAIGN = "campaign"
PROGRAM = "program"
TOKEN = "token"
ATTEMPTS = 3


@dataclass
class Asset:
    """One created asset. ``parent`` is the container of a token."""

    kind: str
    id: int
    name: str
    link: str | None = None
    parent: FolderRef | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r}"


def link_of(record: Any) -> str | None:
    """The UI link Marketo puts in a record (``computedUrl`` or ``url``), if any."""
    if not isinstance(record, dict):
        return None
    value = record.get("computedUrl") or record.get("url")
    return value if isinstance(value, str) and value.startswith("https://") else None


@dataclass
class Scratch:
    """The kit's assets, oldest first."""

    api: MarketoApi
    assets: list[Asset] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    left: list[Leftover] = field(default_factory=list)

    def add(self, kind: str, record: Any, *, name: str = "", parent: FolderRef | None = None) -> Asset | None:
        """Register a created asset from its record (``{"id": ...}`` at least); the same id once."""
        if not isinstance(record, dict) or not isinstance(record.get("id"), int):
            return None
        existing = self.find(kind, record["id"], name if kind == TOKEN else None)
        if existing is not None:
            return existing
        asset = Asset(kind, int(record["id"]), str(record.get("name") or name), link_of(record), parent)
        self.assets.append(asset)
        return asset

    def find(self, kind: str, asset_id: int, name: str | None = None) -> Asset | None:
        return next((a for a in self.assets if a.kind == kind and a.id == asset_id
                     and (name is None or a.name == name)), None)

    def forget(self, asset: Asset | None) -> None:
        if asset is not None and asset in self.assets:
            self.assets.remove(asset)

    @property
    def folder(self) -> Asset | None:
        return next((a for a in self.assets if a.kind == FOLDER), None)

    # -- finding what a lost answer created ---------------------------------------------------
    def recover_folder(self, name: str, parent: FolderRef) -> Asset | None:
        """After a lost create answer: the folder of that name under ``parent``, if it exists."""
        for record in self.api.folders_by_name(name, type="Folder"):
            try:
                record_parent = FolderRef.parse(record.get("parent"))
            except (ValueError, TypeError, KeyError):
                continue
            if record.get("name") == name and record_parent == parent:
                return self.add(FOLDER, record)
        return None

    def sweep(self, suffix: str) -> None:
        """Register what the scratch folder holds that the kit lost track of (a lost answer, a
        Ctrl-C mid-call): only campaigns and programs whose name carries this run's ``suffix``,
        so that something another person put there is never touched."""
        folder = self.folder
        if folder is None:
            return
        ref = FolderRef(folder.id, "Folder")
        readers = {"smart campaign": (CAMPAIGN, self.api.get_campaign), "program": (PROGRAM, self.api.get_program)}
        offset = 0
        while True:
            items = self.api.folder_content(ref, offset=offset, max_return=200)
            for item in items:
                kind, read = readers.get(str(item.get("type", "")).lower(), (None, None))
                if kind is None or read is None or not isinstance(item.get("id"), int) or self.find(kind, item["id"]):
                    continue
                record = read(item["id"])
                if isinstance(record, dict) and suffix in str(record.get("name", "")):
                    self.add(kind, record)
            if len(items) < 200:
                return
            offset += 200

    # -- removal ----------------------------------------------------------------------------------
    def remove_all(self, *, keep: bool, suffix: str) -> None:
        """Remove every asset in reverse order of creation into ``removed`` and ``left``. With
        ``keep`` the folder and its content stay, but an active campaign is always deactivated."""
        try:
            self.sweep(suffix)
        except MarketoSyncError:
            pass  # the registry alone is then the list: removal below still runs
        for asset in list(reversed(self.assets)):  # newest first: contents before their container
            if keep:
                if asset.kind == CAMPAIGN:
                    self._retry(functools.partial(self._deactivate_if_active, asset))
                self.left.append(Leftover(asset.kind, asset.name, asset.id, asset.link, "kept"))
                continue
            problem = self._retry(functools.partial(self._remove, asset))
            if problem is None:
                self.assets.remove(asset)
                self.removed.append(asset.label)
            else:
                self.left.append(Leftover(asset.kind, asset.name, asset.id, asset.link, problem))

    def is_left(self, asset: Asset) -> bool:
        return any(x.kind == asset.kind and x.id == asset.id and x.name == asset.name for x in self.left)

    @staticmethod
    def _retry(action: Callable[[], None]) -> str | None:
        """Run ``action`` up to ATTEMPTS times; None when it succeeded, else the last problem."""
        problem = "not attempted"
        for _ in range(ATTEMPTS):
            try:
                action()
                return None
            except BusinessRuleError as refused:
                problem = f"Marketo refused: {refused.message}"
            except ApiError as failed:
                problem = f"Marketo error {failed.code}"
        return problem

    def _exists(self, asset: Asset) -> dict[str, Any] | None:
        if asset.kind == CAMPAIGN:
            return self.api.get_campaign(asset.id)
        if asset.kind == PROGRAM:
            return self.api.get_program(asset.id)
        if asset.kind == FOLDER:
            return self.api.get_folder(FolderRef(asset.id, "Folder"))
        assert asset.parent is not None
        rows = self.api.get_tokens(asset.parent)
        tokens = [t for row in rows for t in row.get("tokens", []) if isinstance(t, dict)]
        return next((t for t in tokens if t.get("name") == asset.name), None)

    def _deactivate_if_active(self, asset: Asset) -> None:
        """Deactivate unless the record says plainly it is inactive (a missing field is no proof)."""
        record = self.api.get_campaign(asset.id)
        if record is None or record.get("isActive") is False:
            return
        try:
            self.api.deactivate_campaign(asset.id)
        except BusinessRuleError:
            pass  # "not active": what we wanted

    def _remove(self, asset: Asset) -> None:
        """Delete one asset; a lost answer is settled by reading whether it is gone."""
        record = self._exists(asset)
        if record is None:
            return
        if asset.kind == CAMPAIGN:
            self._deactivate_if_active(asset)
        try:
            if asset.kind == CAMPAIGN:
                self.api.delete_campaign(asset.id)
            elif asset.kind == PROGRAM:
                self.api.delete_program(asset.id)
            elif asset.kind == FOLDER:
                self.api.delete_folder(FolderRef(asset.id, "Folder"))
            else:
                assert asset.parent is not None
                self.api.delete_token(asset.parent, name=asset.name, type=str(record.get("type") or "text"))
        except ApiError:
            if self._exists(asset) is not None:
                raise

