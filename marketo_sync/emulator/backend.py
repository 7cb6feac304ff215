"""The emulated Marketo instance: state and business rules, no HTTP.

The signatures below are the contract between this module and the HTTP layer
(``responses.py``); they may gain optional keyword parameters, never lose any.

Conventions
-----------
* Every method returns plain JSON-ready Python data in Marketo's record shapes (see
  Adobe's documentation of each endpoint), e.g. a list of smart campaign records.
* A read that matches nothing returns ``[]``; the response layer then emits Marketo's
  "No assets found for the given search criteria." warning with no ``result`` key.
* Errors are raised as ``MarketoApiError(code, message)`` with Marketo's codes.
* Folder references are ``(id, type)`` with type ``"Folder"`` or ``"Program"`` (already
  parsed and case-normalised by the response layer; a ``{"id", "type"}`` mapping is accepted too).
* Campaign ``type``, ``isRequestable``, ``status`` and ``parentProgramId`` are derived on
  every read from the smart list, flow and tree; they are never stored.
* The backend is used from many server threads: every public method is atomic (one lock).
* ``clock`` is injectable so tests can move time (token expiry, runAt windows).

Layout: this module holds the instance's state (seed, reset, export/import) and identity;
the API methods are inherited, one layer per module: ``model_tree`` (folders, programs, My
Tokens), ``model_campaigns`` (smart campaigns), ``model_flows`` (flow steps and choices),
``model_leaddb`` (lead-database campaigns, request, schedule, leads), ``model_programs`` (program
create, clone, update, delete). The choices made where Marketo's documentation is silent are
listed in ``docs/emulator-seed.md`` ("Behaviour choices").
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from marketo_sync.emulator.clock import parse_iso8601, system_clock
from marketo_sync.emulator.exceptions import HttpFailure
from marketo_sync.emulator.model import (
    FOLDER,
    PROGRAM,
    Campaign,
    Container,
    Lead,
    campaign_store,
    container_store,
)
from marketo_sync.emulator.model_base import DEFAULT_UI_HOSTS, START_IDS, FolderKey, Record, atomic, fail
from marketo_sync.emulator.model_flows import FlowMixin
from marketo_sync.emulator.model_programs import ProgramsMixin
from marketo_sync.emulator.store import gc_paused

__all__ = ["FolderKey", "MarketoBackend", "Record"]

STATE_VERSION = 1


def _digest(token: str) -> str:
    """Access tokens are kept (and exported) only as digests: a state file holds no secret."""
    return hashlib.sha256(token.encode()).hexdigest()


class MarketoBackend(ProgramsMixin, FlowMixin):
    """One Marketo instance (one munchkin id)."""

    def __init__(self, *, clock: Callable[[], float] | None = None,
                 token_ttl: float = 3600.0,
                 credentials: dict[str, str] | None = None,
                 workspace: str = "Default",
                 ui_hosts: tuple[str, ...] = DEFAULT_UI_HOSTS,
                 scope: str = "apis@emulator.example.com") -> None:
        """``credentials`` maps client_id -> client_secret that identity accepts.

        ``None`` accepts any non-empty pair (handy for demos); tests pass real pairs.
        """
        self._lock = threading.RLock()
        self._clock = clock or system_clock
        self.token_ttl = float(token_ttl)
        self._credentials = dict(credentials) if credentials is not None else None
        self._ui_hosts = tuple(ui_hosts) or DEFAULT_UI_HOSTS
        self._scope = scope
        #: The API user's id in ``stats/usage.json`` (the token's scope, as in Marketo).
        self.api_user = scope
        self._default_workspace = workspace
        self._seed_plan: tuple[Mapping[str, Any], float] | None = None  # what reset() rebuilds
        self._access: dict[str, Record] = {}  # token digest -> {clientId, expiresAt}
        self._live_token: dict[str, str] = {}  # client id -> current plain token (memory only)
        self._clear()

    # =====================================================================================
    # state
    # =====================================================================================
    def _clear(self) -> None:
        self.workspace = self._default_workspace
        self._workspaces: dict[str, int] = {self.workspace: 1}
        self._containers = container_store()
        self._campaigns = campaign_store()
        self._leads: dict[int, Lead] = {}
        self._counters: dict[str, int] = dict(START_IDS)
        self._requests: list[Record] = []
        self._schedules: list[Record] = []
        self._reads = 0

    @atomic
    def load_seed(self, seed: dict[str, Any], *, plan: Mapping[str, Any] | None = None) -> None:
        """Replace the instance by the one a seed document describes (see ``seed.py``).

        ``plan``: this very document's ``normalise_seed`` result (``read_seed_plan`` returns
        both), so that a big seed is not validated twice.
        """
        from marketo_sync.emulator.seed import normalise_seed  # seed imports rules, not us

        with gc_paused():
            plan = plan if plan is not None else normalise_seed(seed)
            created = plan.get("createdAt")
            stamp = parse_iso8601(created) if created else self._now()
            previous = self._export()
            try:
                self._clear()
                self._build_from_plan(plan, stamp)
            except Exception:
                self._import(previous)
                raise
        # Building is deterministic (ids come from fresh counters), so reset() rebuilds from the
        # plan instead of keeping an exported copy: exporting 50,000 campaigns took longer than
        # building them.
        self._seed_plan = (plan, stamp)

    @atomic
    def reset(self) -> None:
        """Back to the last loaded seed (or an empty instance). Issued access tokens stay valid."""
        self._clear()
        if self._seed_plan is not None:
            with gc_paused():
                self._build_from_plan(*self._seed_plan)

    @atomic
    def export_state(self) -> dict[str, Any]:
        """Everything, JSON-ready, for ``--state FILE`` and ``GET /_emulator/state``.

        Access tokens appear only as SHA-256 digests with their expiry, never in clear.
        """
        state = self._export()
        state["accessTokens"] = [dict(entry, digest=digest) for digest, entry in sorted(self._access.items())]
        return state

    @atomic
    def import_state(self, state: dict[str, Any]) -> None:
        """Restore what ``export_state`` produced (a token issued before export stays valid)."""
        if not isinstance(state, Mapping) or state.get("version") != STATE_VERSION:
            raise ValueError(f"not an emulator state document (expected version {STATE_VERSION})")
        self._import(state)
        if "accessTokens" in state:
            self._access = {e["digest"]: {"clientId": e["clientId"], "expiresAt": float(e["expiresAt"])}
                            for e in state["accessTokens"]}
            self._live_token = {c: t for c, t in self._live_token.items() if _digest(t) in self._access}

    def _export(self) -> dict[str, Any]:
        return {  # to_json copies (dataclasses.asdict), so the state shares nothing with us
            "version": STATE_VERSION,
            "workspace": self.workspace,
            "workspaces": [{"name": name, "id": wid} for name, wid in self._workspaces.items()],
            "counters": dict(self._counters),
            "containers": [c.to_json() for _, c in sorted(self._containers.items())],
            "campaigns": [c.to_json() for c in self._campaigns.ordered()],
            "leads": [lead.to_json() for _, lead in sorted(self._leads.items())],
            "requests": copy.deepcopy(self._requests),
            "schedules": copy.deepcopy(self._schedules),
            "reads": self._reads,
        }

    def _import(self, state: Mapping[str, Any]) -> None:
        self._clear()
        self.workspace = state.get("workspace", self._default_workspace)
        self._workspaces = {str(w["name"]): int(w["id"]) for w in state.get("workspaces", [])} or {self.workspace: 1}
        self._counters.update({k: int(v) for k, v in state.get("counters", {}).items()})
        for raw in state.get("containers", []):
            container = Container.from_json(raw)
            container.workspace = container.workspace or self.workspace  # states before workspaces
            self._containers[container.key] = container
        for raw in state.get("campaigns", []):
            campaign = Campaign.from_json(raw)
            self._campaigns[campaign.id] = campaign
        for raw in state.get("leads", []):
            lead = Lead.from_json(raw)
            self._leads[lead.id] = lead
        self._requests = copy.deepcopy(list(state.get("requests", [])))
        self._schedules = copy.deepcopy(list(state.get("schedules", [])))
        self._reads = int(state.get("reads", 0))

    @atomic
    def requests(self) -> list[Record]:
        """Every accepted Request Campaign call: ``{campaignId, leads, unknownLeads, tokens, at}``."""
        return copy.deepcopy(self._requests)

    @atomic
    def schedules(self) -> list[Record]:
        """Every accepted Schedule Campaign call: ``{campaignId, runAt, tokens, clonedProgramId, ...}``."""
        return copy.deepcopy(self._schedules)

    # -- building (seeds and test helpers; these skip API-only rules like "created inactive") ----
    def _build_from_plan(self, plan: Mapping[str, Any], stamp: float) -> None:
        """Build the instance a normalised seed describes; reads ``plan`` and never changes it."""
        self.workspace = plan.get("workspace") or self._default_workspace
        self._workspaces = {w["name"]: w["id"] for w in plan.get("workspaces", [])} or {self.workspace: 1}
        for space in ("Folder", "Program", "campaign", "lead"):
            for explicit in plan["explicitIds"].get(space, []):
                self._reserve(space, explicit)
        keys: list[FolderKey] = []
        for node in plan["containers"]:
            parent = keys[node["parentIndex"]] if node["parentIndex"] is not None else None
            keys.append(self._add_container(node, parent, stamp))
        names: dict[FolderKey, set[str]] = {key: set() for key in keys}
        for spec in plan["campaigns"]:
            parent = keys[spec["containerIndex"]]
            self._add_campaign_spec(parent, spec, stamp, sibling_names=names[parent])
        for spec in plan["leads"]:
            self._add_lead(spec, stamp)

    @atomic
    def add_folder(self, parent: FolderKey | None, name: str, *, description: str = "",
                   folder_type: str | None = None, is_system: bool | None = None,
                   workspace: str | None = None) -> FolderKey:
        """Test helper: a folder (a root, in ``workspace`` or the primary one, when ``parent`` is
        None), without API rules."""
        node: dict[str, Any] = {"kind": FOLDER, "name": name, "description": description,
                                "folderType": folder_type, "workspace": workspace}
        if is_system is not None:
            node["isSystem"] = is_system
        return self._add_container(node, self._key(parent) if parent else None, self._now())

    @atomic
    def add_program(self, parent: FolderKey, name: str, *, type: str = "Default",
                    channel: str = "Operational", tokens: list[Record] | None = None,
                    description: str = "", assets: list[Record] | None = None) -> FolderKey:
        """Test helper: a program under ``parent`` (``assets``: local assets such as
        ``{"type": "Report", "name": ...}``, which decide whether it can be cloned)."""
        node = {"kind": PROGRAM, "name": name, "type": type, "channel": channel,
                "tokens": tokens or [], "description": description, "assets": assets or []}
        return self._add_container(node, self._key(parent), self._now())

    @atomic
    def add_campaign(self, folder: FolderKey, name: str, **spec: Any) -> int:
        """Test helper: a campaign from a compact spec (as in seeds: ``triggers``, ``filters``,
        ``flow``, ``active``, ``isSystem``, ``description``...). Returns its id."""
        from marketo_sync.emulator.seed import normalise_campaign

        normalised = normalise_campaign(dict(spec, name=name), where=f"campaign {name!r}")[0]
        return self._add_campaign_spec(self._key(folder), normalised, self._now())

    @atomic
    def add_campaigns(self, folder: FolderKey, count: int, *, name: str = "Generated Campaign {n:04d}",
                      start: int = 1, **spec: Any) -> list[int]:
        """Test helper: ``count`` campaigns named ``name.format(n=...)`` in one folder, cheaply."""
        from marketo_sync.emulator.seed import normalise_campaign

        parent = self._key(folder)
        template = normalise_campaign(dict(spec, name=name), where=f"campaigns {name!r}")[0]
        names = {c.name for c in self._campaigns.where("parent", parent)}
        now = self._now()
        return [self._add_campaign_spec(parent, dict(template, name=name.format(n=n)), now, sibling_names=names)
                for n in range(start, start + count)]

    @atomic
    def add_lead(self, **fields: Any) -> int:
        """Test helper: a lead with the given fields (``email``, ``firstName``...). Returns its id."""
        return self._add_lead(fields, self._now())

    # =====================================================================================
    # identity
    # =====================================================================================
    def _credentials_ok(self, client_id: str, client_secret: str) -> bool:
        if not client_id or not client_secret:
            return False
        if self._credentials is None:
            return True
        expected = self._credentials.get(client_id)
        return expected is not None and hmac.compare_digest(expected.encode(), str(client_secret).encode())

    @atomic
    def issue_token(self, client_id: str, client_secret: str) -> Record:
        """OAuth body ``{access_token, token_type, expires_in, scope}``; the same token while valid.

        Bad credentials raise ``HttpFailure(401, {"error": "invalid_client", ...})``.
        """
        if not self._credentials_ok(client_id, client_secret):
            raise HttpFailure(401, {"error": "invalid_client", "error_description": "Bad client credentials"})
        now = self._now()
        token = self._live_token.get(client_id)
        entry = self._access.get(_digest(token)) if token else None
        if token is None or entry is None or now >= entry["expiresAt"]:
            token = f"{uuid.uuid4()}:ab"
            entry = {"clientId": client_id, "expiresAt": now + self.token_ttl}
            self._access[_digest(token)] = entry
            self._live_token[client_id] = token
        return {"access_token": token, "token_type": "bearer",
                "expires_in": max(0, int(entry["expiresAt"] - now)), "scope": self._scope}

    @atomic
    def check_token(self, token: str | None) -> None:
        """Raise 601 (missing/unknown token) or 602 (expired)."""
        entry = self._access.get(_digest(token)) if token else None
        if entry is None:
            raise fail(601, "Access token invalid")
        if self._now() >= entry["expiresAt"]:
            raise fail(602, "Access token expired")

    @atomic
    def expire_tokens(self) -> None:
        """Fault helper: every issued token is expired from now on."""
        now = self._now()
        for entry in self._access.values():
            entry["expiresAt"] = min(entry["expiresAt"], now)
