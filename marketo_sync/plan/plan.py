"""The Plan: what must change, in apply order, with what was observed and what it costs.

A :class:`Plan` is the single object shared by ``plan`` and ``apply``: apply
executes ``plan.changes`` in order and decides nothing on its own. The plan also carries

* ``observations``: for every affected campaign (and token) what the planner read
  (id, ``updatedAt`` and the compared fields, or ``exists: false``), so that apply can
  re-read and refuse a stale plan (:class:`~marketo_sync.errors.StalePlan`);
* ``environment`` and ``instance`` (the base URL host), so that a plan is never applied to
  another instance;
* ``drift`` (read-only differences) and ``unmanaged`` (undeclared campaigns left alone);
* ``cost``: API calls made to read, calls the apply will make, and their minimum duration
  at the configured rate, because the budget is shared by every integration;
* a ``checksum`` (SHA-256 of the canonical JSON without the checksum) that ``from_json``
  verifies, so a hand-edited saved plan is refused;
* ``links``: the Marketo UI address (``computedUrl`` as last read) of each campaign a change or
  a drift entry is about, by campaign id: for people only, never compared (its host varies
  between reads), and left out of :meth:`Plan.changes_checksum`.

:meth:`Plan.changes_checksum` hashes the changes alone (not the time, the observations or the
links): two plans of the same reviewed decisions have the same one, which is what
``apply --checksum`` compares (octoDNS's ``--checksum``).

The saved plan (``plan --out``) and ``plan --format json`` are the same document,
described by ``schemas/plan.schema.json`` (``format_version`` "1").
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from marketo_sync.errors import PlanError, UnsafePlan
from marketo_sync.plan.changes import (
    ACTIONS,
    CampaignChange,
    Change,
    Drift,
    Unmanaged,
)

FORMAT_VERSION = "1"


@dataclass(frozen=True)
class Observation:
    """What the planner saw of one affected campaign or token, for the stale-plan check.

    ``kind`` is ``"campaign"`` or ``"token"``. For a campaign: ``id`` (None when it did not
    exist), ``folder`` (user path), ``folder_ref``, ``name``, ``exists``, ``updated_at``
    (normalised ISO 8601) and ``fields`` (the compared attributes as read: name,
    description, isActive, type, ...). For a token: ``name`` is the token name and
    ``fields`` its type and value.
    """

    kind: str
    folder: str
    folder_ref: Mapping[str, Any]
    name: str
    exists: bool
    id: int | None = None
    updated_at: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "folder": self.folder,
            "folder_ref": dict(self.folder_ref),
            "name": self.name,
            "exists": self.exists,
            "updated_at": self.updated_at,
            "fields": dict(self.fields),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Observation:
        return cls(
            kind=str(data["kind"]), folder=str(data["folder"]), folder_ref=dict(data["folder_ref"]),
            name=str(data["name"]), exists=bool(data["exists"]),
            id=None if data.get("id") is None else int(data["id"]),
            updated_at=data.get("updated_at"), fields=dict(data.get("fields") or {}),
        )


READ_STRATEGIES = {"per-container": "campaigns: one browse per container",
                   "instance": "campaigns: one paged browse of the whole instance"}


@dataclass(frozen=True)
class ApiCost:
    """API calls of the plan, and how long they take at ``rate_calls`` per ``rate_window`` s.

    ``apply_reads`` counts the reads apply makes around its writes: the stale-plan check
    before and the verification after (one browse page per affected folder each time,
    plus one read per affected token folder and per pinned campaign found elsewhere).
    """

    read_calls: int = 0
    apply_writes: int = 0
    apply_reads: int = 0
    rate_calls: int = 50
    rate_window: float = 20.0
    #: How the campaigns were read ("per-container" or "instance") and how many My Tokens reads
    #: were made: shown in the cost line, not saved (a saved plan's line omits them).
    read_strategy: str = field(default="", compare=False)
    token_reads: int = field(default=0, compare=False)
    #: Reads of the read-back alone, by the cheapest strategy, and ``inline``: the plan was made
    #: by this very apply run, so apply re-reads nothing before writing and the run's minimum
    #: time counts the plan's reads, the writes and the read-back (not saved either).
    read_back_reads: int = field(default=0, compare=False)
    inline: bool = field(default=False, compare=False)
    #: The instance's campaign count, when the plan read it whole (the read-back prices on it).
    instance_campaigns: int | None = field(default=None, compare=False)
    #: Calls per day the instance allows (``limits.daily_quota``): the cost line shows the share.
    daily_quota: int = 50_000

    @property
    def run_calls(self) -> int:
        """Every call of an inline apply run: the plan's reads, the writes, the read-back."""
        return self.read_calls + self.apply_writes + self.read_back_reads

    @property
    def apply_calls(self) -> int:
        return self.apply_writes + self.apply_reads

    @property
    def quota_calls(self) -> int:
        """Every call the apply run makes, as the cost line counts them: an inline run's reads,
        writes and read-back; a saved plan's re-read, writes and verification."""
        return self.run_calls if self.inline else self.apply_calls

    def daily_share(self, used_today: int = 0) -> float:
        """The share of ``daily_quota`` the apply run uses (with ``used_today`` counted in)."""
        return (self.quota_calls + used_today) / self.daily_quota if self.daily_quota > 0 else 0.0

    def quota_refusal(self, max_share: float, used_today: int | None = None) -> str | None:
        """Why apply must not run without ``--force``: its calls exceed ``max_share`` of the day's
        quota less what was used today; None when they do not."""
        used = used_today or 0
        calls = self.quota_calls
        if used_today is not None and self.inline:
            calls -= self.read_calls  # made already, so today's usage counts them
        if calls <= max_share * self.daily_quota - used:
            return None
        already = (f" with {used:,} already used today (stats/usage.json)" if used_today is not None
                   else "")
        share = (calls + used) / self.daily_quota if self.daily_quota > 0 else 0.0
        return (f"apply would use {calls:,} calls{already}, {percent(share)} of the daily "
                f"quota of {self.daily_quota:,} (limits.daily_quota); at most {percent(max_share)} "
                "(safety.max_daily_share) without --force")

    def seconds(self, calls: int) -> float:
        """Minimum wall time for ``calls`` calls under a sliding window (latency excluded)."""
        if calls <= 0 or self.rate_calls <= 0:
            return 0.0
        return math.floor((calls - 1) / self.rate_calls) * self.rate_window

    @property
    def data(self) -> dict[str, Any]:
        return {
            "read_calls": self.read_calls,
            "apply_calls": self.apply_calls,
            "apply_writes": self.apply_writes,
            "apply_reads": self.apply_reads,
            "rate": {"calls": self.rate_calls, "seconds": self.rate_window},
            "apply_min_seconds": self.seconds(self.apply_calls),
            "daily_quota": self.daily_quota,
            "daily_share": round(self.daily_share(), 6),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ApiCost:
        rate = data.get("rate") or {}
        return cls(int(data.get("read_calls", 0)), int(data.get("apply_writes", 0)),
                   int(data.get("apply_reads", 0)), int(rate.get("calls", 50)),
                   float(rate.get("seconds", 20.0)), daily_quota=int(data.get("daily_quota", 50_000)))

    def describe(self) -> str:
        """One line for the text footer and the markdown summary."""
        calls = self.apply_calls
        reads = f"API cost: {self.read_calls} call{'s' if self.read_calls != 1 else ''} to read"
        if self.inline and calls:
            return self._describe_inline(reads)
        if self.read_strategy in READ_STRATEGIES:
            tokens = f"{self.token_reads} My Tokens read{'s' if self.token_reads != 1 else ''}"
            reads += (f" ({READ_STRATEGIES[self.read_strategy]}; {tokens}, one per container that "
                      "declares tokens: Marketo has no bulk token read)")
        if calls == 0:
            return f"{reads}; nothing to apply"
        if calls <= self.rate_calls:
            timing = f"within one {self.rate_window:g} s window"
        else:
            timing = f"at least {self.seconds(calls):g} s"
        return (
            f"{reads}; apply will make about {calls} ({self.apply_writes} writes + {self.apply_reads} "
            f"verification reads), {timing} at {self.rate_calls} calls per {self.rate_window:g} s; "
            f"{self.quota_share_text()}"
        )

    def quota_share_text(self) -> str:
        """``"1.2% of the daily quota of 50,000 calls"``: the cost line's last part."""
        return f"{percent(self.daily_share())} of the daily quota of {self.daily_quota:,} calls"

    def _describe_inline(self, reads: str) -> str:
        total = self.run_calls
        timing = (f"within one {self.rate_window:g} s window" if total <= self.rate_calls
                  else f"at least {self.seconds(total):g} s")
        return (f"{reads}; apply will make {self.apply_writes + self.read_back_reads} more "
                f"({self.apply_writes} writes + {self.read_back_reads} read-back reads; the plan was "
                f"read moments ago, so nothing is re-read first): {total} calls in all, {timing} at "
                f"{self.rate_calls} calls per {self.rate_window:g} s; {self.quota_share_text()}")


def percent(share: float) -> str:
    """A share for people: ``61%``, ``1.2%``, ``0.06%``, ``<0.01%`` (never "0%" for some calls)."""
    value = share * 100
    if value <= 0:
        return "0%"
    if value < 0.01:
        return "<0.01%"
    if value < 1:
        return f"{value:.2g}%"
    if value < 10:
        return f"{value:.1f}".rstrip("0").rstrip(".") + "%"
    return f"{value:.0f}%"


def _sorted(changes: Iterable[Change]) -> tuple[Change, ...]:
    return tuple(sorted(changes, key=lambda c: c.sort_key))


def _canonical(document: Mapping[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def checksum_of(document: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``document`` without its ``checksum`` key."""
    body = {k: v for k, v in document.items() if k != "checksum"}
    return "sha256:" + hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Plan:
    """Sorted changes plus drift, unmanaged campaigns, observations and cost. See module doc."""

    changes: tuple[Change, ...] = ()
    drift: tuple[Drift, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    observations: tuple[Observation, ...] = ()
    cost: ApiCost = field(default_factory=ApiCost)
    environment: str = ""
    instance: str = ""
    created_at: str = ""
    #: Campaigns the files manage (declared + undeclared in exclusive folders): the base of
    #: apply's blast-radius thresholds.
    managed_count: int = 0
    #: Campaign id (as text) -> Marketo UI address; display only (see the module docstring).
    links: Mapping[str, str] = field(default_factory=dict)
    #: Made by this run (``workflows/apply.py``) at ``read_at`` (``time.monotonic()``): its
    #: observations are fresh, so apply does not re-read them before writing unless an approval
    #: took long. Never saved: a plan loaded from a file is not fresh.
    fresh: bool = field(default=False, compare=False)
    read_at: float = field(default=0.0, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", _sorted(self.changes))
        keys = [c.key for c in self.changes]
        dupes = sorted(k for k, n in Counter(keys).items() if n > 1)
        if dupes:
            raise PlanError(f"duplicate change keys in plan: {', '.join(dupes)}")
        if not self.created_at:
            now = datetime.now(UTC).replace(microsecond=0).isoformat()
            object.__setattr__(self, "created_at", now)

    # -- queries -------------------------------------------------------------------------
    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def has_drift(self) -> bool:
        return bool(self.drift)

    @property
    def is_empty(self) -> bool:
        """Nothing to apply and nothing to report (exit 0 with ``--detailed-exitcode``)."""
        return not self.changes and not self.drift

    def counts(self) -> dict[str, int]:
        """Changes per action, every action present (0 when none), in phase order."""
        counter = Counter(c.ACTION for c in self.changes)
        return {action: counter.get(action, 0) for action in ACTIONS}

    def by_key(self) -> dict[str, Change]:
        return {c.key: c for c in self.changes}

    def campaign_changes(self) -> tuple[CampaignChange, ...]:
        return tuple(c for c in self.changes if isinstance(c, CampaignChange))

    def summary_line(self) -> str:
        """``"2 to create, 1 to update, …"``: Terraform-like, every category shown."""
        c = self.counts()
        parts = [
            f"{c['create'] + c['clone']} to create",
            f"{c['update']} to update",
            f"{c['activate']} to activate",
            f"{c['deactivate']} to deactivate",
            f"{c['delete']} to delete",
        ]
        if c["replace"]:
            parts.insert(4, f"{c['replace']} to replace")
        if c["flow"]:
            live = sum(1 for ch in self.changes if ch.ACTION == "flow" and getattr(ch, "live", False))
            parts.insert(2, f"{c['flow']} flow{'s' if c['flow'] != 1 else ''} to edit"
                            + (f" ({live} live)" if live else ""))
        containers = c["create-folder"] + c["create-program"] + c["clone-program"] + c["update-program"]
        if containers:
            parts.insert(0, f"{containers} program/folder change{'s' if containers != 1 else ''}")
        tokens = c["set-token"] + c["delete-token"]
        if tokens:
            parts.append(f"{tokens} token change{'s' if tokens != 1 else ''}")
        if self.drift:
            parts.append(f"{len(self.drift)} drifted")
        return ", ".join(parts) + "."

    def summary(self) -> dict[str, Any]:
        return {
            "changes": len(self.changes),
            "by_action": self.counts(),
            "drift": len(self.drift),
            "unmanaged": len(self.unmanaged),
            "managed_campaigns": self.managed_count,
            "text": self.summary_line(),
            "api": self.cost.data,
        }

    # -- safety (octoDNS ``raise_if_unsafe``) ------------------------------------------------
    def destructive_count(self) -> int:
        """Campaigns this plan deletes, deactivates or replaces, or whose flow it edits while
        they are active ("live": it takes effect at once), each counted once."""
        touched: set[str] = set()
        for change in self.campaign_changes():
            if change.ACTION in ("delete", "deactivate") or (change.ACTION == "flow" and getattr(change, "live", False)):
                touched.add(f"id:{change.campaign.id}")
            elif change.ACTION == "replace":
                source = getattr(change, "source", None)
                touched.add(f"id:{source.id if source is not None else change.key}")
        return len(touched)

    def raise_if_unsafe(self, *, allow_delete: bool = False, force: bool = False,
                        max_share: float = 0.25, min_managed: int = 10) -> None:
        """Refuse a plan that deletes without ``--allow-delete`` or destroys too much.

        The share rule applies when more than ``min_managed`` campaigns are managed: deleting,
        deactivating or replacing more than ``max_share`` of them needs ``--force``. The
        message names the rule and its override.
        """
        deletes = self.counts()["delete"] + self.counts()["delete-token"]
        if deletes and not allow_delete:
            raise UnsafePlan(f"the plan deletes {deletes} item{'s' if deletes != 1 else ''}; "
                             "deletions need --allow-delete")
        managed = self.managed_count
        destructive = self.destructive_count()
        if not force and managed > min_managed and destructive / managed > max_share:
            raise UnsafePlan(
                f"too many destructive changes: {destructive / managed:.2%} of the managed campaigns "
                f"is over {max_share:.2%} ({destructive}/{managed} deleted, deactivated, replaced or given a "
                "live flow edit); "
                "--force required")

    def required_flags(self, *, max_share: float = 0.25, min_managed: int = 10,
                       max_daily_share: float = 0.5) -> list[str]:
        """The apply flags this plan needs: ``--allow-delete``, ``--force`` (too destructive, or
        over ``max_daily_share`` of the day's quota), ``--allow-replace``."""
        flags: list[str] = []
        try:
            self.raise_if_unsafe(allow_delete=False, force=True)
        except UnsafePlan:
            flags.append("--allow-delete")
        try:
            self.raise_if_unsafe(allow_delete=True, force=False, max_share=max_share, min_managed=min_managed)
        except UnsafePlan:
            flags.append("--force")
        if "--force" not in flags and self.cost.quota_refusal(max_daily_share) is not None:
            flags.append("--force")
        if self.counts()["replace"]:
            flags.append("--allow-replace")
        return flags

    def changes_checksum(self) -> str:
        """SHA-256 of the changes alone: equal for two plans that would make the same changes."""
        body = _canonical({"changes": [c.data for c in self.changes]})
        return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()

    def link_of(self, campaign_id: int | None) -> str | None:
        """The UI address of a campaign the plan is about, when the instance gave one."""
        return None if campaign_id is None else self.links.get(str(campaign_id))

    # -- saved-plan format ---------------------------------------------------------------
    def to_document(self) -> dict[str, Any]:
        """The JSON document (stable key order) including its checksum."""
        doc: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "environment": self.environment,
            "instance": self.instance,
            "created_at": self.created_at,
            "summary": self.summary(),
            "changes": [c.data for c in self.changes],
            "drift": [d.data for d in self.drift],
            "unmanaged": [u.data for u in self.unmanaged],
            "observations": [o.data for o in self.observations],
        }
        if self.links:
            doc["links"] = dict(sorted(self.links.items(), key=lambda item: int(item[0])))
        doc["checksum"] = checksum_of(doc)
        return doc

    def to_json(self) -> str:
        return json.dumps(self.to_document(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """Load a saved plan; refuses another format version or a wrong checksum."""
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as error:
            raise PlanError(f"not a saved plan (invalid JSON: {error})") from error
        if not isinstance(doc, dict):
            raise PlanError("not a saved plan (expected a JSON object)")
        version = doc.get("format_version")
        if version != FORMAT_VERSION:
            raise PlanError(f"unsupported plan format_version {version!r} (expected {FORMAT_VERSION!r})")
        if doc.get("checksum") != checksum_of(doc):
            raise PlanError("saved plan checksum does not match its content (edited or truncated)")
        summary = doc.get("summary") or {}
        try:
            return cls(
                changes=tuple(Change.from_data(d) for d in doc.get("changes", [])),
                drift=tuple(Drift.from_data(d) for d in doc.get("drift", [])),
                unmanaged=tuple(Unmanaged.from_data(d) for d in doc.get("unmanaged", [])),
                observations=tuple(Observation.from_data(d) for d in doc.get("observations", [])),
                cost=ApiCost.from_data(summary.get("api") or {}),
                environment=str(doc.get("environment", "")),
                instance=str(doc.get("instance", "")),
                created_at=str(doc.get("created_at", "")),
                managed_count=int(summary.get("managed_campaigns", 0)),
                links={str(k): str(v) for k, v in (doc.get("links") or {}).items()},
            )
        except (KeyError, TypeError, ValueError) as error:
            raise PlanError(f"saved plan is malformed: {error}") from error
