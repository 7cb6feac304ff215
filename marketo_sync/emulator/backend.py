"""The emulated Marketo instance: state and business rules, no HTTP.

The signatures below are the contract between this module and the HTTP layer
(``responses.py``); they may gain optional keyword parameters, never lose any.

Conventions
-----------
* Every method returns plain JSON-ready Python data in Marketo's record shapes (see
  ``shared/docs/marketo-api.md`` §5.2, §8, §9), e.g. a list of smart campaign records.
* A read that matches nothing returns ``[]``; the response layer then emits Marketo's
  "No assets found for the given search criteria." warning with no ``result`` key.
* Errors are raised as ``MarketoApiError(code, message)`` with Marketo's codes.
* Folder references are ``(id, type)`` with type ``"Folder"`` or ``"Program"`` (already
  parsed and case-normalised by the response layer; a ``{"id", "type"}`` mapping is accepted too).
* Campaign ``type``, ``isRequestable``, ``status`` and ``parentProgramId`` are derived on
  every read from the smart list, flow and tree; they are never stored.
* The backend is used from many server threads: every public method is atomic (one lock).
* ``clock`` is injectable so tests can move time (token expiry, runAt windows).

The choices made where Marketo's documentation is silent are listed in
``docs/emulator-seed.md`` ("Behaviour choices").
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import hmac
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar

from marketo_sync.emulator import rules
from marketo_sync.emulator.clock import (
    add_years,
    asset_time,
    central_day,
    lead_time,
    parse_iso8601,
    system_clock,
)
from marketo_sync.emulator.exceptions import HttpFailure, MarketoApiError
from marketo_sync.emulator.model import (
    CAMPAIGN_FOLDER_TYPES,
    FOLDER,
    MARKETING_ACTIVITIES,
    PROGRAM,
    TOKEN_TYPES,
    Campaign,
    Container,
    Lead,
)

FolderKey = tuple[int, str]  # (id, "Folder" | "Program")
Record = dict[str, Any]

STATE_VERSION = 1
DEFAULT_UI_HOSTS = ("app-sj01.marketo.com", "app-sj02.marketo.com")
DEFAULT_LEAD_FIELDS = ["id", "email", "firstName", "lastName", "updatedAt", "createdAt"]
NAME_MAX = 255
DESCRIPTION_MAX = 2000
TOKEN_NAME_MAX = 50
MAX_RETURN = 200
LEAD_BATCH_MAX = 300
REQUEST_MAX_LEADS = 100
OVERRIDE_MAX_TOKENS = 100
RUN_AT_MIN_DELAY = 300.0  # schedule: a run never starts sooner than 5 minutes from now
RUN_AT_GRACE = 60.0  # a runAt computed as "now + 5 min" by a client stays acceptable in transit
CLONES_PER_DAY = 20
_START_IDS = {"Folder": 1000, "Program": 1000, "campaign": 1000, "smartList": 5000, "flow": 2000,
              "rule": 1, "step": 1, "choice": 1, "attribute": 1, "lead": 1_000_000}

P = ParamSpec("P")
T = TypeVar("T")


def _atomic(method: Callable[P, T]) -> Callable[P, T]:
    """Run the method under the backend's lock: each public call is one atomic step."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with args[0]._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def _digest(token: str) -> str:
    """Access tokens are kept (and exported) only as digests: a state file holds no secret."""
    return hashlib.sha256(token.encode()).hexdigest()


def _err(code: str | int, message: str) -> MarketoApiError:
    return MarketoApiError(code, message)


class MarketoBackend:
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
        self._default_workspace = workspace
        self._seed_snapshot: dict[str, Any] | None = None
        self._access: dict[str, Record] = {}  # token digest -> {clientId, expiresAt}
        self._live_token: dict[str, str] = {}  # client id -> current plain token (memory only)
        self._clear()

    # =====================================================================================
    # state
    # =====================================================================================
    def _clear(self) -> None:
        self.workspace = self._default_workspace
        self._containers: dict[FolderKey, Container] = {}
        self._campaigns: dict[int, Campaign] = {}
        self._leads: dict[int, Lead] = {}
        self._counters: dict[str, int] = dict(_START_IDS)
        self._requests: list[Record] = []
        self._schedules: list[Record] = []
        self._reads = 0

    def _now(self) -> float:
        return float(self._clock())

    def _next(self, space: str) -> int:
        value = self._counters[space]
        self._counters[space] = value + 1
        return value

    def _reserve(self, space: str, explicit_id: int) -> int:
        """Use an explicit id (seeds) and keep the counter past it, so ids are never reused."""
        self._counters[space] = max(self._counters[space], explicit_id + 1)
        return explicit_id

    @_atomic
    def load_seed(self, seed: dict[str, Any]) -> None:
        """Replace the instance by the one a seed document describes (see ``seed.py``)."""
        from marketo_sync.emulator.seed import normalise_seed  # seed imports rules, not us

        plan = normalise_seed(seed)
        previous = self._export()
        try:
            self._clear()
            self._build_from_plan(plan)
        except Exception:
            self._import(previous)
            raise
        self._seed_snapshot = self._export()

    @_atomic
    def reset(self) -> None:
        """Back to the last loaded seed (or an empty instance). Issued access tokens stay valid."""
        if self._seed_snapshot is None:
            self._clear()
        else:
            self._import(self._seed_snapshot)

    @_atomic
    def export_state(self) -> dict[str, Any]:
        """Everything, JSON-ready, for ``--state FILE`` and ``GET /_emulator/state``.

        Access tokens appear only as SHA-256 digests with their expiry, never in clear.
        """
        state = self._export()
        state["accessTokens"] = [dict(entry, digest=digest) for digest, entry in sorted(self._access.items())]
        return state

    @_atomic
    def import_state(self, state: dict[str, Any]) -> None:
        """Restore what ``export_state`` produced (a token issued before export stays valid)."""
        if not isinstance(state, Mapping) or state.get("version") != STATE_VERSION:
            raise ValueError(f"not an emulator state document (expected version {STATE_VERSION})")
        self._import(state)
        if "accessTokens" in state:
            self._access = {e["digest"]: {"clientId": e["clientId"], "expiresAt": float(e["expiresAt"])}
                            for e in state["accessTokens"]}
            self._live_token = {c: t for c, t in self._live_token.items() if _digest(t) in self._access}
        if state.get("seed") is not None:
            self._seed_snapshot = copy.deepcopy(state["seed"])

    def _export(self) -> dict[str, Any]:
        return copy.deepcopy({
            "version": STATE_VERSION,
            "workspace": self.workspace,
            "counters": dict(self._counters),
            "containers": [c.to_json() for _, c in sorted(self._containers.items())],
            "campaigns": [c.to_json() for _, c in sorted(self._campaigns.items())],
            "leads": [lead.to_json() for _, lead in sorted(self._leads.items())],
            "requests": self._requests,
            "schedules": self._schedules,
            "reads": self._reads,
        })

    def _import(self, state: Mapping[str, Any]) -> None:
        state = copy.deepcopy(dict(state))
        self._clear()
        self.workspace = state.get("workspace", self._default_workspace)
        self._counters.update({k: int(v) for k, v in state.get("counters", {}).items()})
        for raw in state.get("containers", []):
            container = Container.from_json(raw)
            self._containers[container.key] = container
        for raw in state.get("campaigns", []):
            campaign = Campaign.from_json(raw)
            self._campaigns[campaign.id] = campaign
        for raw in state.get("leads", []):
            lead = Lead.from_json(raw)
            self._leads[lead.id] = lead
        self._requests = list(state.get("requests", []))
        self._schedules = list(state.get("schedules", []))
        self._reads = int(state.get("reads", 0))

    @_atomic
    def requests(self) -> list[Record]:
        """Every accepted Request Campaign call: ``{campaignId, leads, unknownLeads, tokens, at}``."""
        return copy.deepcopy(self._requests)

    @_atomic
    def schedules(self) -> list[Record]:
        """Every accepted Schedule Campaign call: ``{campaignId, runAt, tokens, clonedProgramId, ...}``."""
        return copy.deepcopy(self._schedules)

    # -- building (seeds and test helpers; these skip API-only rules like "created inactive") ----
    def _build_from_plan(self, plan: Mapping[str, Any]) -> None:
        self.workspace = plan.get("workspace") or self._default_workspace
        created = plan.get("createdAt")
        stamp = parse_iso8601(created) if created else self._now()
        for space in ("Folder", "Program", "campaign", "lead"):
            for explicit in plan["explicitIds"].get(space, []):
                self._reserve(space, explicit)
        keys: list[FolderKey] = []
        for node in plan["containers"]:
            parent = keys[node["parentIndex"]] if node["parentIndex"] is not None else None
            keys.append(self._add_container(node, parent, stamp))
        for spec in plan["campaigns"]:
            self._add_campaign_spec(keys[spec["containerIndex"]], spec, stamp)
        for spec in plan["leads"]:
            self._add_lead(spec, stamp)

    def _add_container(self, node: Mapping[str, Any], parent: FolderKey | None, stamp: float) -> FolderKey:
        kind = node["kind"]
        cid = self._reserve(kind, node["id"]) if node.get("id") is not None else self._next(kind)
        if (cid, kind) in self._containers:
            raise ValueError(f"{kind} id {cid} is used twice")
        if kind == PROGRAM:
            folder_type = "Program"
        elif node.get("folderType"):
            folder_type = node["folderType"]
        elif parent is None:
            folder_type = "Zone"
        else:
            parent_type = self._containers[parent].folder_type
            folder_type = "Marketing Folder" if parent_type in CAMPAIGN_FOLDER_TYPES else parent_type
        self._containers[(cid, kind)] = Container(
            id=cid, kind=kind, name=node["name"], parent=parent, folder_type=folder_type,
            created_at=stamp, updated_at=stamp, description=node.get("description") or "",
            is_system=bool(node.get("isSystem", parent is None)), is_archive=bool(node.get("isArchive", False)),
            tokens=[dict(t) for t in node.get("tokens", [])],
            program_type=node.get("type", "") if kind == PROGRAM else "",
            channel=node.get("channel", "") if kind == PROGRAM else "",
            status=node.get("status", "") if kind == PROGRAM else "",
            tags=[dict(t) for t in node.get("tags", [])], costs=node.get("costs"))
        return (cid, kind)

    def _add_campaign_spec(self, parent: FolderKey, spec: Mapping[str, Any], stamp: float) -> int:
        name = spec["name"]
        if any(c.name == name for c in self._children_campaigns(parent)):
            raise ValueError(f"campaign name {name!r} is used twice in {self._user_path(parent)!r}")
        cid = self._reserve("campaign", spec["id"]) if spec.get("id") is not None else self._next("campaign")
        if cid in self._campaigns:
            raise ValueError(f"campaign id {cid} is used twice")
        where = f"campaign {name!r}"
        triggers = [rules.expand_rule(r, trigger=True, next_id=self._next, where=f"{where}.triggers[{i}]")
                    for i, r in enumerate(spec.get("triggers", []))]
        filters = [rules.expand_rule(r, trigger=False, next_id=self._next, where=f"{where}.filters[{i}]")
                   for i, r in enumerate(spec.get("filters", []))]
        flow = [rules.expand_step(s, next_id=self._next, where=f"{where}.flow[{i}]")
                for i, s in enumerate(spec.get("flow", []))]
        campaign = Campaign(
            id=cid, name=name, parent=parent, created_at=stamp, updated_at=stamp,
            smart_list_id=self._next("smartList"), flow_id=self._next("flow"),
            description=spec.get("description") or "", is_system=bool(spec.get("isSystem", False)),
            qualification_rule_type=spec.get("qualificationRuleType", "once"),
            qualification_rule_interval=spec.get("qualificationRuleInterval"),
            qualification_rule_unit=spec.get("qualificationRuleUnit"),
            is_communication_limit_enabled=bool(spec.get("isCommunicationLimitEnabled", True)),
            max_members=spec.get("maxMembers"),
            recurrence=dict({"weekdayOnly": False}, **(spec.get("recurrence") or {})),
            filter_match_type=spec.get("filterMatchType", "all"),
            filter_custom_rule_logic=spec.get("filterCustomRuleLogic"),
            triggers=triggers, filters=filters, flow=flow, scheduled=bool(spec.get("scheduled", False)))
        if spec.get("active"):
            problem = self._activation_problem(campaign)
            if problem:
                raise ValueError(f"campaign {name!r} cannot be active: {problem}")
            campaign.is_active = True
        self._campaigns[cid] = campaign
        return cid

    def _add_lead(self, spec: Mapping[str, Any], stamp: float) -> int:
        lid = self._reserve("lead", int(spec["id"])) if spec.get("id") is not None else self._next("lead")
        fields = {k: v for k, v in spec.items() if k not in ("id", "createdAt", "updatedAt")}
        self._leads[lid] = Lead(id=lid, created_at=stamp, updated_at=stamp, fields=fields)
        return lid

    @_atomic
    def add_folder(self, parent: FolderKey | None, name: str, *, description: str = "",
                   folder_type: str | None = None, is_system: bool | None = None) -> FolderKey:
        """Test helper: a folder (a root when ``parent`` is None), without API rules."""
        node = {"kind": FOLDER, "name": name, "description": description, "folderType": folder_type}
        if is_system is not None:
            node["isSystem"] = is_system
        return self._add_container(node, self._key(parent) if parent else None, self._now())

    @_atomic
    def add_program(self, parent: FolderKey, name: str, *, type: str = "Default",
                    channel: str = "Operational", tokens: list[Record] | None = None,
                    description: str = "") -> FolderKey:
        """Test helper: a program under ``parent``."""
        node = {"kind": PROGRAM, "name": name, "type": type, "channel": channel,
                "tokens": tokens or [], "description": description}
        return self._add_container(node, self._key(parent), self._now())

    @_atomic
    def add_campaign(self, folder: FolderKey, name: str, **spec: Any) -> int:
        """Test helper: a campaign from a compact spec (as in seeds: ``triggers``, ``filters``,
        ``flow``, ``active``, ``isSystem``, ``description``...). Returns its id."""
        from marketo_sync.emulator.seed import normalise_campaign

        normalised = normalise_campaign(dict(spec, name=name), where=f"campaign {name!r}")[0]
        return self._add_campaign_spec(self._key(folder), normalised, self._now())

    @_atomic
    def add_campaigns(self, folder: FolderKey, count: int, *, name: str = "Generated Campaign {n:04d}",
                      start: int = 1, **spec: Any) -> list[int]:
        """Test helper: ``count`` campaigns named ``name.format(n=...)`` in one folder, cheaply."""
        return [self.add_campaign(folder, name.format(n=n), **spec) for n in range(start, start + count)]

    @_atomic
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

    @_atomic
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

    @_atomic
    def check_token(self, token: str | None) -> None:
        """Raise 601 (missing/unknown token) or 602 (expired)."""
        entry = self._access.get(_digest(token)) if token else None
        if entry is None:
            raise _err(601, "Access token invalid")
        if self._now() >= entry["expiresAt"]:
            raise _err(602, "Access token expired")

    @_atomic
    def expire_tokens(self) -> None:
        """Fault helper: every issued token is expired from now on."""
        now = self._now()
        for entry in self._access.values():
            entry["expiresAt"] = min(entry["expiresAt"], now)

    # =====================================================================================
    # tree helpers
    # =====================================================================================
    @staticmethod
    def _key(folder: FolderKey | Mapping[str, Any]) -> FolderKey:
        if isinstance(folder, Mapping):
            folder = (folder.get("id"), folder.get("type", FOLDER))
        fid, ftype = folder
        kind = str(ftype).strip().capitalize()
        if kind not in (FOLDER, PROGRAM):
            raise _err(1003, f"Invalid folder type {ftype!r}: expected 'Folder' or 'Program'")
        try:
            return (int(fid), kind)
        except (TypeError, ValueError):
            raise _err(1003, f"Invalid folder id {fid!r}") from None

    def _get(self, folder: FolderKey | Mapping[str, Any] | None) -> Container | None:
        return None if folder is None else self._containers.get(self._key(folder))

    def _ancestors(self, key: FolderKey | None) -> list[Container]:
        """The container and its ancestors, nearest first."""
        chain = []
        while key is not None:
            node = self._containers[key]
            chain.append(node)
            key = node.parent
        return chain

    def _root(self, key: FolderKey) -> Container:
        return self._ancestors(key)[-1]

    def _api_path(self, key: FolderKey) -> str:
        names = [n.name for n in reversed(self._ancestors(key))]
        if len(names) == 1:
            return f"/{names[0]}"
        return "/" + "/".join([names[0], self.workspace, *names[1:]])

    def _user_path(self, key: FolderKey) -> str:
        return "/".join(n.name for n in reversed(self._ancestors(key)))

    def _parent_program(self, key: FolderKey) -> Container | None:
        return next((n for n in self._ancestors(key) if n.kind == PROGRAM), None)

    def _children(self, key: FolderKey) -> list[Container]:
        return sorted((c for c in self._containers.values() if c.parent == key),
                      key=lambda c: (c.kind != FOLDER, c.id))

    def _children_campaigns(self, key: FolderKey) -> list[Campaign]:
        return sorted((c for c in self._campaigns.values() if c.parent == key), key=lambda c: c.id)

    def _descendants(self, key: FolderKey, max_depth: int) -> list[tuple[Container, int]]:
        """Pre-order walk below ``key`` down to ``max_depth`` levels (the root itself excluded)."""
        found: list[tuple[Container, int]] = []
        if max_depth <= 0:
            return found
        for child in self._children(key):
            found.append((child, 1))
            found.extend((node, depth + 1) for node, depth in self._descendants(child.key, max_depth - 1))
        return found

    def _can_hold_campaigns(self, node: Container) -> bool:
        return self._root(node.key).name == MARKETING_ACTIVITIES and node.folder_type in CAMPAIGN_FOLDER_TYPES

    def _url(self, node: Container) -> str:
        prefix = "PG" if node.kind == PROGRAM else "MF"
        return f"https://{self._ui_hosts[0]}/#{prefix}{node.id}A1"

    def _volatile_host(self) -> str:
        """Marketo's ``computedUrl`` host changes between reads of the same asset: so does ours."""
        self._reads += 1
        return self._ui_hosts[self._reads % len(self._ui_hosts)]

    @staticmethod
    def _paging(offset: int, max_return: int, *, limit: int = MAX_RETURN, name: str = "maxReturn") -> None:
        if not isinstance(max_return, int) or not 1 <= max_return <= limit:
            raise _err(1003, f"Invalid {name} {max_return!r}: must be between 1 and {limit}")
        if not isinstance(offset, int) or offset < 0:
            raise _err(1003, f"Invalid offset {offset!r}: must be 0 or more")

    # -- validation shared by writes -------------------------------------------------------------
    @staticmethod
    def _check_name(name: Any, *, what: str = "name", max_len: int = NAME_MAX) -> str:
        if not isinstance(name, str) or not name.strip():
            raise _err(701, f"{what} cannot be blank")
        if len(name) > max_len:
            raise _err(709, f"{what} is {len(name)} characters long; the maximum is {max_len}")
        return name

    @staticmethod
    def _check_description(description: Any) -> str | None:
        if description is None:
            return None
        if len(str(description)) > DESCRIPTION_MAX:
            raise _err(709, f"description is {len(str(description))} characters long; "
                            f"the maximum is {DESCRIPTION_MAX}")
        return str(description)

    def _campaign_parent(self, folder: FolderKey | Mapping[str, Any] | None) -> Container:
        if folder is None:
            raise _err(701, "folder cannot be blank")
        node = self._get(folder)
        if node is None:
            fid, kind = self._key(folder)
            raise _err(710, f"Parent folder not found: {kind} {fid}")
        if not self._can_hold_campaigns(node):
            raise _err(711, f"Incompatible folder type: {node.kind} {node.id} ({node.folder_type!r} in "
                            f"{self._root(node.key).name}) cannot hold smart campaigns")
        return node

    def _check_unique_campaign_name(self, parent: FolderKey, name: str, exclude: int | None = None) -> None:
        for other in self._children_campaigns(parent):
            if other.name == name and other.id != exclude:
                raise _err(709, f"A smart campaign named {name!r} already exists in "
                                f"{self._user_path(parent)!r} (id {other.id})")

    def _campaign_for_write(self, campaign_id: int, action: str) -> Campaign:
        campaign = self._campaigns.get(int(campaign_id))
        if campaign is None:
            raise _err(702, f"Smart campaign {campaign_id} not found")
        if campaign.is_system:
            raise _err(709, f"Cannot {action} smart campaign {campaign_id}: it is a system campaign")
        return campaign

    # =====================================================================================
    # smart campaigns (asset API)
    # =====================================================================================
    def _derived(self, c: Campaign) -> Record:
        ctype = rules.campaign_type(c.triggers, c.filters)
        active = c.is_active and ctype == "trigger"
        if ctype == "trigger":
            status = "Active" if active else "Inactive"
        elif ctype == "batch" and c.recurrence.get("intervalType"):
            status = "Recurring Run"
        elif ctype == "batch" and c.scheduled:
            status = "Single Run"
        else:
            status = "Never Run"
        return {"type": ctype, "isActive": active, "status": status,
                "isRequestable": active and rules.has_api_request_trigger(c.triggers)}

    def _campaign_record(self, c: Campaign, include_flow: bool, host: str) -> Record:
        derived = self._derived(c)
        record: Record = {
            "id": c.id, "name": c.name, "description": c.description,
            "createdAt": asset_time(c.created_at), "updatedAt": asset_time(c.updated_at),
            "folder": {"id": c.parent[0], "type": c.parent[1]},
            "status": derived["status"], "type": derived["type"], "isSystem": c.is_system,
            "isActive": derived["isActive"], "isRequestable": derived["isRequestable"],
            "isCommunicationLimitEnabled": c.is_communication_limit_enabled,
            "recurrence": copy.deepcopy(c.recurrence),
            "qualificationRuleType": c.qualification_rule_type,
        }
        if c.qualification_rule_type == "interval":
            record["qualificationRuleInterval"] = c.qualification_rule_interval
            record["qualificationRuleUnit"] = c.qualification_rule_unit
        if c.max_members is not None:
            record["maxMembers"] = c.max_members
        record.update({"workspace": self.workspace, "smartListId": c.smart_list_id, "flowId": c.flow_id})
        program = self._parent_program(c.parent)
        if program is not None:
            record["parentProgramId"] = program.id
        record["computedUrl"] = f"https://{host}/#SC{c.id}A1"
        if include_flow:
            record["flow"] = {"steps": copy.deepcopy(c.flow)}
        return record

    def _records(self, campaigns: Iterable[Campaign], include_flow: bool = True) -> list[Record]:
        host = self._volatile_host()
        return [self._campaign_record(c, include_flow, host) for c in campaigns]

    @_atomic
    def get_campaign(self, campaign_id: int, include_flow: bool = True) -> list[Record]:
        campaign = self._campaigns.get(int(campaign_id))
        return self._records([campaign], include_flow) if campaign else []

    @_atomic
    def get_campaign_by_name(self, name: str, include_flow: bool = True) -> list[Record]:
        """Exact name, first match by id. Names with a comma never match (marketo-api.md §5.2)."""
        if not name or "," in name:
            return []
        matches = [c for _, c in sorted(self._campaigns.items()) if c.name == name]
        return self._records(matches[:1], include_flow)

    @_atomic
    def browse_campaigns(self, *, folder: FolderKey | None = None, offset: int = 0,
                         max_return: int = 20, is_active: bool | None = None,
                         earliest_updated_at: str | None = None,
                         latest_updated_at: str | None = None,
                         include_flow: bool = False) -> list[Record]:
        """Campaigns ordered by id; ``folder`` keeps only its direct children; ``is_active=True``
        keeps only active ones (false means no filter, as the spec's "Default false")."""
        self._paging(offset, max_return)
        earliest = self._parse_filter_date(earliest_updated_at, "earliestUpdatedAt")
        latest = self._parse_filter_date(latest_updated_at, "latestUpdatedAt")
        if earliest is not None and latest is not None and earliest > latest:
            raise _err(1003, "earliestUpdatedAt must be before latestUpdatedAt")
        key = self._key(folder) if folder is not None else None
        selected = []
        for _, c in sorted(self._campaigns.items()):
            if key is not None and c.parent != key:
                continue
            if is_active and not self._derived(c)["isActive"]:
                continue
            if earliest is not None and int(c.updated_at) < earliest:
                continue
            if latest is not None and int(c.updated_at) > latest:
                continue
            selected.append(c)
        page = selected[offset:offset + max_return]
        return self._records(page, include_flow) if page else []

    @staticmethod
    def _parse_filter_date(value: str | None, what: str) -> float | None:
        if value is None or value == "":
            return None
        try:
            return parse_iso8601(value)
        except ValueError:
            raise _err(704, f"Invalid date format for {what}: {value!r}") from None

    @_atomic
    def create_campaign(self, *, name: str, folder: FolderKey,
                        description: str | None = None) -> list[Record]:
        """An empty campaign (type default, cannot be activated); a smart list and flow of its own."""
        self._check_name(name)
        parent = self._campaign_parent(folder)
        description = self._check_description(description)
        self._check_unique_campaign_name(parent.key, name)
        now = self._now()
        campaign = Campaign(id=self._next("campaign"), name=name, parent=parent.key, created_at=now,
                            updated_at=now, smart_list_id=self._next("smartList"), flow_id=self._next("flow"),
                            description=description or "")
        self._campaigns[campaign.id] = campaign
        return self._records([campaign])

    @_atomic
    def update_campaign(self, campaign_id: int, *, name: str | None = None,
                        description: str | None = None) -> list[Record]:
        campaign = self._campaign_for_write(campaign_id, "update")
        if name is not None:
            self._check_name(name)
            self._check_unique_campaign_name(campaign.parent, name, exclude=campaign.id)
        description = self._check_description(description)
        if name is not None:
            campaign.name = name
        if description is not None:
            campaign.description = description
        campaign.updated_at = self._now()
        return self._records([campaign])

    @_atomic
    def clone_campaign(self, campaign_id: int, *, name: str, folder: FolderKey,
                       description: str | None = None) -> list[Record]:
        """A copy of the smart list, flow and settings, created INACTIVE and never scheduled."""
        source = self._campaign_for_write(campaign_id, "clone")
        self._check_name(name)
        parent = self._campaign_parent(folder)
        description = self._check_description(description)
        self._check_unique_campaign_name(parent.key, name)
        clone = self._copy_campaign(source, parent.key, name, description or "")
        return self._records([clone])

    def _copy_campaign(self, source: Campaign, parent: FolderKey, name: str, description: str) -> Campaign:
        now = self._now()
        clone = Campaign(
            id=self._next("campaign"), name=name, parent=parent, created_at=now, updated_at=now,
            smart_list_id=self._next("smartList"), flow_id=self._next("flow"), description=description,
            qualification_rule_type=source.qualification_rule_type,
            qualification_rule_interval=source.qualification_rule_interval,
            qualification_rule_unit=source.qualification_rule_unit,
            is_communication_limit_enabled=source.is_communication_limit_enabled,
            max_members=source.max_members, filter_match_type=source.filter_match_type,
            filter_custom_rule_logic=source.filter_custom_rule_logic,
            triggers=rules.copy_with_new_ids(source.triggers, self._next),
            filters=rules.copy_with_new_ids(source.filters, self._next),
            flow=rules.copy_with_new_ids(source.flow, self._next))
        self._campaigns[clone.id] = clone
        return clone

    @_atomic
    def delete_campaign(self, campaign_id: int) -> list[Record]:
        campaign = self._campaign_for_write(campaign_id, "delete")
        if self._derived(campaign)["isActive"]:
            raise _err(709, f"Cannot delete smart campaign {campaign.id}: it is active; deactivate it first")
        del self._campaigns[campaign.id]
        return [{"id": campaign.id}]

    def _activation_problem(self, c: Campaign) -> str | None:
        ctype = rules.campaign_type(c.triggers, c.filters)
        if ctype == "batch":
            return "it is a batch campaign (filters only, no trigger); batch campaigns are scheduled, not activated"
        if not c.triggers:
            return "its smart list has no trigger"
        if not c.flow:
            return "its flow has no step"
        errors = rules.rule_errors(c.triggers + c.filters)
        if errors:
            return "its smart list has errors: " + "; ".join(errors)
        return None

    @_atomic
    def activate_campaign(self, campaign_id: int) -> list[Record]:
        campaign = self._campaign_for_write(campaign_id, "activate")
        if campaign.is_active:
            raise _err(709, f"Cannot activate smart campaign {campaign.id}: it is already active")
        problem = self._activation_problem(campaign)
        if problem:
            raise _err(709, f"Cannot activate smart campaign {campaign.id}: {problem}")
        campaign.is_active = True
        campaign.updated_at = self._now()
        return [{"id": campaign.id}]

    @_atomic
    def deactivate_campaign(self, campaign_id: int) -> list[Record]:
        campaign = self._campaign_for_write(campaign_id, "deactivate")
        if not self._derived(campaign)["isActive"]:
            raise _err(709, f"Cannot deactivate smart campaign {campaign.id}: it is not active")
        campaign.is_active = False
        campaign.updated_at = self._now()
        return [{"id": campaign.id}]

    def _smart_list_record(self, c: Campaign, include_rules: bool) -> Record:
        record: Record = {
            "id": c.smart_list_id, "name": c.name, "description": "",
            "createdAt": asset_time(c.created_at), "updatedAt": asset_time(c.updated_at),
            "url": f"https://{self._ui_hosts[0]}/#SL{c.smart_list_id}A1",
            "folder": {"id": c.parent[0], "type": c.parent[1]}, "workspace": self.workspace,
        }
        if include_rules:
            rules_record: Record = {"filterMatchType": c.filter_match_type,
                                    "triggers": copy.deepcopy(c.triggers), "filters": copy.deepcopy(c.filters)}
            if c.filter_match_type == "custom" and c.filter_custom_rule_logic:
                rules_record["filterCustomRuleLogic"] = c.filter_custom_rule_logic
            record["rules"] = rules_record
        return record

    @_atomic
    def get_campaign_smart_list(self, campaign_id: int, include_rules: bool = False) -> list[Record]:
        c = self._campaigns.get(int(campaign_id))
        return [self._smart_list_record(c, include_rules)] if c else []

    @_atomic
    def get_smart_list(self, smart_list_id: int, include_rules: bool = False) -> list[Record]:
        """``GET /rest/asset/v1/smartList/{id}.json``: a campaign's smart list by its ``smartListId``."""
        c = next((c for c in self._campaigns.values() if c.smart_list_id == int(smart_list_id)), None)
        return [self._smart_list_record(c, include_rules)] if c else []

    # =====================================================================================
    # folders and programs
    # =====================================================================================
    def _folder_record(self, node: Container) -> Record:
        parent = {"id": node.parent[0], "type": node.parent[1]} if node.parent else None
        return {
            "id": node.id, "name": node.name, "description": node.description,
            "createdAt": asset_time(node.created_at), "updatedAt": asset_time(node.updated_at),
            "url": self._url(node), "folderId": {"id": node.id, "type": node.kind},
            "folderType": node.folder_type, "parent": parent, "path": self._api_path(node.key),
            "isArchive": node.is_archive, "isSystem": node.is_system, "accessZoneId": 1,
            "workspace": self.workspace,
        }

    def _workspace_matches(self, workspace: str | None) -> bool:
        return workspace is None or workspace == "" or workspace == self.workspace

    @_atomic
    def get_folder(self, folder: FolderKey) -> list[Record]:
        node = self._get(folder)
        return [self._folder_record(node)] if node else []

    @_atomic
    def get_folders_by_name(self, name: str, *, type: str | None = None,
                            root: FolderKey | None = None,
                            workspace: str | None = None) -> list[Record]:
        """Every folder (and program) with exactly this name, optionally of one type and below ``root``."""
        if not self._workspace_matches(workspace):
            return []
        kind = self._key((0, type))[1] if type else None
        if root is not None:
            root_node = self._get(root)
            if root_node is None:
                return []
            candidates = [node for node, _ in self._descendants(root_node.key, 10_000)]
        else:
            candidates = sorted(self._containers.values(), key=lambda c: (c.kind != FOLDER, c.id))
        return [self._folder_record(n) for n in candidates
                if n.name == name and (kind is None or n.kind == kind)]

    @_atomic
    def browse_folders(self, *, root: FolderKey | None = None, max_depth: int = 2,
                       offset: int = 0, max_return: int = 20,
                       workspace: str | None = None) -> list[Record]:
        """The root and its descendants down to ``max_depth`` levels (0 = the root only), pre-order.

        Without ``root``, every top-level area (Marketing Activities, Design Studio) is a root.
        """
        self._paging(offset, max_return)
        if not isinstance(max_depth, int) or max_depth < 0:
            raise _err(1003, f"Invalid maxDepth {max_depth!r}: must be 0 or more")
        if not self._workspace_matches(workspace):
            return []
        if root is not None:
            node = self._get(root)
            roots = [node] if node else []
        else:
            roots = sorted((c for c in self._containers.values() if c.parent is None), key=lambda c: c.id)
        flat: list[Container] = []
        for top in roots:
            flat.append(top)
            flat.extend(n for n, _ in self._descendants(top.key, max_depth))
        return [self._folder_record(n) for n in flat[offset:offset + max_return]]

    @_atomic
    def get_folder_content(self, folder: FolderKey, *, offset: int = 0,
                           max_return: int = 20) -> list[Record]:
        """Direct children: folders, then programs, then smart campaigns, each ordered by id."""
        self._paging(offset, max_return)
        node = self._get(folder)
        if node is None:
            return []
        items = [{"id": c.id, "type": c.kind} for c in self._children(node.key)]
        items += [{"id": c.id, "type": "Smart Campaign"} for c in self._children_campaigns(node.key)]
        return items[offset:offset + max_return]

    @_atomic
    def create_folder(self, *, name: str, parent: FolderKey,
                      description: str | None = None) -> list[Record]:
        self._check_name(name)
        if parent is None:
            raise _err(701, "parent cannot be blank")
        parent_node = self._get(parent)
        if parent_node is None:
            fid, kind = self._key(parent)
            raise _err(710, f"Parent folder not found: {kind} {fid}")
        description = self._check_description(description)
        for sibling in self._children(parent_node.key):
            if sibling.name == name:
                raise _err(709, f"A folder named {name!r} already exists in {self._user_path(parent_node.key)!r}")
        key = self._add_container({"kind": FOLDER, "name": name, "description": description or "",
                                   "isSystem": False}, parent_node.key, self._now())
        return [self._folder_record(self._containers[key])]

    def _folder_for_write(self, folder: FolderKey, action: str) -> Container:
        node = self._get(folder)
        if node is None:
            fid, kind = self._key(folder)
            raise _err(702, f"Folder not found: {kind} {fid}")
        if node.kind == PROGRAM:
            raise _err(709, f"Cannot {action} program {node.id} through the folder API; use the programs API")
        if node.is_system:
            raise _err(709, f"Cannot {action} folder {node.id}: it is a system folder")
        return node

    @_atomic
    def update_folder(self, folder: FolderKey, *, name: str | None = None, description: str | None = None,
                      is_archive: bool | None = None) -> list[Record]:
        """``POST /folder/{id}.json``: rename, describe, archive. Programs and system folders: 709."""
        node = self._folder_for_write(folder, "update")
        if name is not None:
            self._check_name(name)
            if any(s.name == name and s.key != node.key for s in self._children(node.parent)):
                raise _err(709, f"A folder named {name!r} already exists in {self._user_path(node.parent)!r}")
        description = self._check_description(description)
        if name is not None:
            node.name = name
        if description is not None:
            node.description = description
        if is_archive is not None:
            node.is_archive = bool(is_archive)
        node.updated_at = self._now()
        return [self._folder_record(node)]

    @_atomic
    def delete_folder(self, folder: FolderKey) -> list[Record]:
        """``POST /folder/{id}/delete.json``: only empty, non-system folders (else 709)."""
        node = self._folder_for_write(folder, "delete")
        if self._children(node.key) or self._children_campaigns(node.key):
            raise _err(709, f"Cannot delete folder {node.id}: it is not empty")
        del self._containers[node.key]
        return [{"id": node.id}]

    def _program_record(self, node: Container) -> Record:
        parent = self._containers[node.parent] if node.parent else None
        folder = ({"type": parent.kind, "value": parent.id, "folderName": parent.name} if parent else None)
        return {
            "id": node.id, "name": node.name, "description": node.description,
            "createdAt": asset_time(node.created_at), "updatedAt": asset_time(node.updated_at),
            "url": self._url(node), "type": node.program_type, "channel": node.channel,
            "folder": folder, "status": node.status, "workspace": self.workspace,
            "tags": copy.deepcopy(node.tags), "costs": copy.deepcopy(node.costs),
        }

    def _programs(self) -> list[Container]:
        return sorted((c for c in self._containers.values() if c.kind == PROGRAM), key=lambda c: c.id)

    @_atomic
    def get_program(self, program_id: int) -> list[Record]:
        node = self._containers.get((int(program_id), PROGRAM))
        return [self._program_record(node)] if node else []

    @_atomic
    def get_program_by_name(self, name: str) -> list[Record]:
        return [self._program_record(p) for p in self._programs() if p.name == name][:1]

    @_atomic
    def browse_programs(self, *, offset: int = 0, max_return: int = 20,
                        filter_type: str | None = None,
                        filter_values: list[str] | None = None) -> list[Record]:
        """Programs by id; ``filter_type`` id/programId, folderId (direct parent folder), workspace."""
        self._paging(offset, max_return)
        programs = self._programs()
        if filter_type:
            values = [str(v).strip() for v in (filter_values or [])]
            if not values:
                raise _err(701, "filterValues cannot be blank")
            ftype = filter_type.strip().lower()
            if ftype in ("id", "programid"):
                programs = [p for p in programs if str(p.id) in values]
            elif ftype == "folderid":
                programs = [p for p in programs if p.parent and str(p.parent[0]) in values]
            elif ftype == "workspace":
                programs = programs if self.workspace in values else []
            else:
                raise _err(1003, f"Invalid filterType {filter_type!r}: expected id, programId, folderId "
                                 "or workspace")
        return [self._program_record(p) for p in programs[offset:offset + max_return]]

    # =====================================================================================
    # My Tokens
    # =====================================================================================
    def _token_folder(self, folder: FolderKey, *, code: int) -> Container:
        node = self._get(folder)
        if node is None:
            fid, kind = self._key(folder)
            raise _err(code, f"Folder not found: {kind} {fid}")
        return node

    def _tokens_record(self, node: Container) -> list[Record]:
        url = self._url(node)
        tokens = [dict(t, computedUrl=url) for t in node.tokens]
        return [{"folder": {"type": node.kind, "value": node.id}, "tokens": tokens}]

    @_atomic
    def get_tokens(self, folder: FolderKey) -> list[Record]:
        """The folder's own tokens (not inherited ones). Unknown folder -> 702."""
        return self._tokens_record(self._token_folder(folder, code=702))

    @_atomic
    def upsert_token(self, folder: FolderKey, *, name: str, type: str, value: str) -> list[Record]:
        """Create or replace the token called ``name``; returns the folder's whole token list."""
        node = self._token_folder(folder, code=710)
        self._check_name(name, max_len=TOKEN_NAME_MAX)
        if not isinstance(type, str) or not type.strip():
            raise _err(701, "type cannot be blank")
        token_type = type.strip().lower()
        if token_type not in TOKEN_TYPES:
            raise _err(709, f"Token type {type!r} cannot be created through the API; allowed: "
                            + ", ".join(TOKEN_TYPES))
        if value is None or (isinstance(value, str) and value == ""):
            raise _err(701, "value cannot be blank")
        value = self._check_token_value(token_type, str(value))
        now = self._now()
        for token in node.tokens:
            if token["name"] == name:
                token.update(type=token_type, value=value)
                break
        else:
            node.tokens.append({"name": name, "type": token_type, "value": value})
        node.updated_at = now
        return self._tokens_record(node)

    @staticmethod
    def _check_token_value(token_type: str, value: str) -> str:
        try:
            if token_type == "date":
                parse_iso8601(value)
                if len(value) != 10:
                    raise ValueError
            elif token_type == "number":
                float(value)
            elif token_type == "score":
                number = int(value)
                if not -(2**31) <= number < 2**31:
                    raise ValueError
        except ValueError:
            expected = {"date": "a date yyyy-MM-dd", "number": "a number",
                        "score": "a signed 32-bit integer"}[token_type]
            raise _err(709, f"Invalid value {value!r} for a {token_type} token: expected {expected}") from None
        return value

    @_atomic
    def delete_token(self, folder: FolderKey, *, name: str, type: str) -> list[Record]:
        node = self._token_folder(folder, code=710)
        if not name:
            raise _err(701, "name cannot be blank")
        if not type:
            raise _err(701, "type cannot be blank")
        for index, token in enumerate(node.tokens):
            if token["name"] == name and token["type"] == type.strip().lower():
                del node.tokens[index]
                node.updated_at = self._now()
                return [{"id": node.id}]
        raise _err(702, f"Token {name!r} of type {type!r} not found in {node.kind} {node.id}")

    # =====================================================================================
    # lead database: campaigns
    # =====================================================================================
    def _lead_campaign_record(self, c: Campaign) -> Record:
        derived = self._derived(c)
        record: Record = {"id": c.id, "name": c.name, "description": c.description,
                          "type": "trigger" if derived["type"] == "trigger" else "batch"}
        program = self._parent_program(c.parent)
        if program is not None:
            record["programId"] = program.id
            record["programName"] = program.name
        record.update({"workspaceName": self.workspace, "createdAt": lead_time(c.created_at),
                       "updatedAt": lead_time(c.updated_at), "active": derived["isActive"]})
        return record

    @staticmethod
    def _page_token(offset: int) -> str:
        return base64.b32encode(f"campaigns:{offset}".encode()).decode().rstrip("=")

    @staticmethod
    def _page_offset(token: str) -> int:
        try:
            padded = token + "=" * (-len(token) % 8)
            kind, offset = base64.b32decode(padded.encode()).decode().split(":")
            if kind != "campaigns" or int(offset) < 0:
                raise ValueError
            return int(offset)
        except (ValueError, UnicodeDecodeError):
            raise _err(1001, f"Invalid value for nextPageToken: {token!r}") from None

    @_atomic
    def list_campaigns(self, *, ids: list[int] | None = None, names: list[str] | None = None,
                       program_names: list[str] | None = None,
                       workspace_names: list[str] | None = None, batch_size: int = 300,
                       next_page_token: str | None = None,
                       is_triggerable: bool | None = None) -> tuple[list[Record], str | None]:
        """Lead-DB campaign records by id; returns the page and the next page's token (or None)."""
        if not isinstance(batch_size, int) or not 1 <= batch_size <= LEAD_BATCH_MAX:
            raise _err(1003, f"Invalid batchSize {batch_size!r}: must be between 1 and {LEAD_BATCH_MAX}")
        offset = self._page_offset(next_page_token) if next_page_token else 0
        wanted_ids = {int(i) for i in ids} if ids else None
        selected = []
        for _, c in sorted(self._campaigns.items()):
            if wanted_ids is not None and c.id not in wanted_ids:
                continue
            if names and c.name not in names:
                continue
            if program_names:
                program = self._parent_program(c.parent)
                if program is None or program.name not in program_names:
                    continue
            if workspace_names and self.workspace not in workspace_names:
                continue
            if is_triggerable and not self._derived(c)["isRequestable"]:
                continue
            selected.append(c)
        page = selected[offset:offset + batch_size]
        more = offset + batch_size < len(selected)
        return [self._lead_campaign_record(c) for c in page], (self._page_token(offset + batch_size) if more else None)

    @_atomic
    def get_lead_campaign(self, campaign_id: int) -> list[Record]:
        campaign = self._campaigns.get(int(campaign_id))
        if campaign is None:
            raise _err(1013, f"Campaign {campaign_id} not found")
        return [self._lead_campaign_record(campaign)]

    @staticmethod
    def _check_overrides(tokens: list[dict[str, str]] | None) -> list[Record]:
        tokens = list(tokens or [])
        if len(tokens) > OVERRIDE_MAX_TOKENS:
            raise _err(1003, f"Too many tokens: {len(tokens)}; the maximum is {OVERRIDE_MAX_TOKENS}")
        checked = []
        for index, token in enumerate(tokens):
            name = token.get("name") if isinstance(token, Mapping) else None
            if not isinstance(name, str) or not (name.startswith("{{my.") and name.endswith("}}")
                                                 and len(name) > len("{{my.}}")):
                raise _err(1003, f"Invalid token name {name!r} at tokens[{index}]: "
                                 "names must look like {{my.Name}}")
            value = token.get("value")
            checked.append({"name": name, "value": "" if value is None else str(value)})
        return checked

    @_atomic
    def request_campaign(self, campaign_id: int, *, leads: list[int],
                         tokens: list[dict[str, str]] | None = None) -> list[Record]:
        """Run leads through a requestable trigger campaign; the call is recorded in ``requests()``.

        Unknown lead ids are skipped silently and the call succeeds (the docs do not define an
        error; see docs/emulator-seed.md). Tokens on a campaign whose program sits inside
        another program fail with 611, the caveat reported in marketo-api.md §7.
        """
        campaign = self._campaigns.get(int(campaign_id))
        if campaign is None:
            raise _err(1013, f"Campaign {campaign_id} not found")
        derived = self._derived(campaign)
        if derived["type"] != "trigger":
            raise _err(1003, f"Campaign {campaign.id} is a {derived['type']} campaign: only trigger campaigns "
                             "with a 'Campaign is Requested' (Web Service API) trigger can be requested")
        if not rules.has_api_request_trigger(campaign.triggers):
            raise _err(1003, f"Campaign {campaign.id} has no 'Campaign is Requested' trigger with source "
                             "'Web Service API'")
        if not derived["isActive"]:
            raise _err(1003, f"Campaign {campaign.id} is not active")
        lead_ids = self._lead_ids(leads)
        overrides = self._check_overrides(tokens)
        if overrides:
            program = self._parent_program(campaign.parent)
            if program is not None and program.parent and self._parent_program(program.parent):
                raise _err(611, "System error")
        known = [lid for lid in lead_ids if lid in self._leads]
        self._requests.append({
            "campaignId": campaign.id, "leads": known,
            "unknownLeads": [lid for lid in lead_ids if lid not in self._leads],
            "tokens": overrides, "at": lead_time(self._now()), "atEpoch": self._now()})
        return [{"id": campaign.id}]

    @staticmethod
    def _lead_ids(leads: list[Any]) -> list[int]:
        if not leads:
            raise _err(1002, "Missing value for required parameter 'leads'")
        if len(leads) > REQUEST_MAX_LEADS:
            raise _err(1003, f"Too many leads: {len(leads)}; the maximum is {REQUEST_MAX_LEADS}")
        ids = []
        for lead in leads:
            raw = lead.get("id") if isinstance(lead, Mapping) else lead
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                raise _err(1003, f"Invalid lead id {raw!r}") from None
        return ids

    @_atomic
    def schedule_campaign(self, campaign_id: int, *, run_at: str | None = None,
                          tokens: list[dict[str, str]] | None = None,
                          clone_to_program_name: str | None = None) -> list[Record]:
        """Schedule a batch campaign (recorded in ``schedules()``).

        ``runAt`` must be between now + 5 minutes (a minute of grace for transit) and now + 2
        years, else 1042. With ``clone_to_program_name`` the parent program is cloned beside
        itself and the copy's campaign is scheduled; its id is returned. 20 clones per
        US-Central day, then 1020.
        """
        campaign = self._campaigns.get(int(campaign_id))
        if campaign is None:
            raise _err(1013, f"Campaign {campaign_id} not found")
        ctype = self._derived(campaign)["type"]
        if ctype != "batch":
            raise _err(1003, f"Campaign {campaign.id} is a {ctype} campaign: only batch campaigns can be "
                             "scheduled" + ("; trigger campaigns are activated or requested"
                                            if ctype == "trigger" else ""))
        now = self._now()
        if run_at is None or run_at == "":
            run_at_ts = now + RUN_AT_MIN_DELAY
        else:
            try:
                run_at_ts = parse_iso8601(run_at)
            except ValueError:
                raise _err(704, f"Invalid date format for runAt: {run_at!r}") from None
            if run_at_ts < now + RUN_AT_MIN_DELAY - RUN_AT_GRACE:
                raise _err(1042, f"Invalid runAt {run_at!r}: it must be at least 5 minutes in the future "
                                 f"(now is {lead_time(now)})")
            if run_at_ts > add_years(now, 2):
                raise _err(1042, f"Invalid runAt {run_at!r}: it cannot be more than 2 years in the future")
            run_at_ts = max(run_at_ts, now + RUN_AT_MIN_DELAY)
        overrides = self._check_overrides(tokens)
        scheduled = campaign
        cloned_program_id = None
        if clone_to_program_name:
            scheduled, cloned_program_id = self._clone_program_for_schedule(campaign, clone_to_program_name, now)
        scheduled.scheduled = True
        self._schedules.append({
            "campaignId": scheduled.id, "sourceCampaignId": campaign.id, "runAt": lead_time(run_at_ts),
            "runAtEpoch": run_at_ts, "tokens": overrides, "cloneToProgramName": clone_to_program_name,
            "clonedProgramId": cloned_program_id, "at": lead_time(now), "atEpoch": now,
            "day": central_day(now)})
        return [{"id": scheduled.id}]

    def _clone_program_for_schedule(self, campaign: Campaign, new_name: str, now: float) -> tuple[Campaign, int]:
        program = self._parent_program(campaign.parent)
        if program is None:
            raise _err(1003, f"Campaign {campaign.id} is not inside a program: cloneToProgramName needs one")
        today = central_day(now)
        if sum(1 for s in self._schedules if s.get("clonedProgramId") and s.get("day") == today) >= CLONES_PER_DAY:
            raise _err(1020, f"Too many clones to program: the limit of {CLONES_PER_DAY} per day is reached")
        self._check_name(new_name, what="cloneToProgramName")
        if any(p.name == new_name for p in self._programs()):
            raise _err(1017, f"A program named {new_name!r} already exists")
        mapping = self._clone_tree(program, program.parent, new_name, now)
        return self._campaigns[mapping[campaign.id]], mapping["__root__"]

    def _clone_tree(self, node: Container, parent: FolderKey | None, name: str, now: float) -> dict[Any, int]:
        """Copy a container with its sub-containers and campaigns (copies are inactive)."""
        new_id = self._next(node.kind)
        copy_node = Container.from_json(dict(node.to_json(), id=new_id, name=name, created_at=now,
                                             updated_at=now))
        copy_node.parent = parent
        self._containers[copy_node.key] = copy_node
        mapping: dict[Any, int] = {"__root__": new_id}
        for child in self._children(node.key):
            child_map = self._clone_tree(child, copy_node.key, child.name, now)
            mapping.update({k: v for k, v in child_map.items() if k != "__root__"})
        for campaign in self._children_campaigns(node.key):
            clone = self._copy_campaign(campaign, copy_node.key, campaign.name, campaign.description)
            clone.is_system = campaign.is_system
            mapping[campaign.id] = clone.id
        return mapping

    # =====================================================================================
    # leads
    # =====================================================================================
    def _lead_value(self, lead: Lead, field: str) -> Any:
        if field == "id":
            return lead.id
        if field == "createdAt":
            return lead_time(lead.created_at)
        if field == "updatedAt":
            return lead_time(lead.updated_at)
        return lead.fields.get(field)

    def _known_fields(self) -> set[str]:
        known = {"id", "email", "firstName", "lastName", "createdAt", "updatedAt"}
        for lead in self._leads.values():
            known.update(lead.fields)
        return known

    @_atomic
    def get_leads(self, *, filter_type: str, filter_values: list[str],
                  fields: list[str] | None = None) -> list[Record]:
        """Leads whose ``filter_type`` field matches one of the values (email case-insensitively)."""
        if not filter_type:
            raise _err(1002, "Missing value for required parameter 'filterType'")
        values = [str(v).strip() for v in filter_values or [] if str(v).strip()]
        if not values:
            raise _err(1002, "Missing value for required parameter 'filterValues'")
        if len(values) > LEAD_BATCH_MAX:
            raise _err(1003, f"Too many filterValues: {len(values)}; the maximum is {LEAD_BATCH_MAX}")
        known = self._known_fields()
        if filter_type not in known:
            raise _err(1003, f"Invalid filterType {filter_type!r}")
        wanted = list(fields) if fields else list(DEFAULT_LEAD_FIELDS)
        unknown = [f for f in wanted if f not in known]
        if unknown:
            raise _err(1006, f"Field {unknown[0]!r} not found")
        if "id" not in wanted:
            wanted.insert(0, "id")
        folded = {v.lower() for v in values} if filter_type == "email" else set(values)
        found = []
        for _, lead in sorted(self._leads.items()):
            value = self._lead_value(lead, filter_type)
            if value is None:
                continue
            probe = str(value).lower() if filter_type == "email" else str(value)
            if probe in folded:
                found.append({f: self._lead_value(lead, f) for f in wanted})
        return found

    @_atomic
    def sync_leads(self, *, leads: list[Record], action: str = "createOrUpdate",
                   lookup_field: str = "email") -> list[Record]:
        """Create or update leads, one result per input (``created``/``updated``/``skipped``)."""
        if action not in ("createOrUpdate", "createOnly", "updateOnly"):
            raise _err(1003, f"Invalid action {action!r}: expected createOrUpdate, createOnly or updateOnly")
        if not leads:
            raise _err(1002, "Missing value for required parameter 'input'")
        if len(leads) > LEAD_BATCH_MAX:
            raise _err(1003, f"Too many leads: {len(leads)}; the maximum is {LEAD_BATCH_MAX}")
        now = self._now()
        results: list[Record] = []
        for raw in leads:
            data = dict(raw)
            key = data.get(lookup_field)
            if key is None or key == "":
                results.append({"status": "skipped", "reasons": [
                    {"code": "1003", "message": f"Value for lookup field '{lookup_field}' is required"}]})
                continue
            existing = self._find_lead(lookup_field, key)
            if existing is None:
                if action == "updateOnly":
                    results.append({"status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]})
                    continue
                lead_fields = {k: v for k, v in data.items() if k not in ("id", "createdAt", "updatedAt")}
                lid = self._add_lead(lead_fields, now)
                results.append({"id": lid, "status": "created"})
            else:
                if action == "createOnly":
                    results.append({"status": "skipped", "reasons": [
                        {"code": "1005", "message": "Lead already exists"}]})
                    continue
                existing.fields.update({k: v for k, v in data.items() if k not in ("id", "createdAt", "updatedAt")})
                existing.updated_at = now
                results.append({"id": existing.id, "status": "updated"})
        return results

    def _find_lead(self, lookup_field: str, value: Any) -> Lead | None:
        for _, lead in sorted(self._leads.items()):
            current = self._lead_value(lead, lookup_field)
            if current is None:
                continue
            if lookup_field == "email":
                if str(current).lower() == str(value).lower():
                    return lead
            elif str(current) == str(value):
                return lead
        return None
