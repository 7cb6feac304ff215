"""Preflight: refuse a plan before any write when it is stale or touches system campaigns.

A plan runs only on the environment and instance it was made for, and only if a fresh read
of every observed campaign and token still matches the plan's observations; otherwise
:class:`StalePlan`. :func:`check_quota` refuses (:class:`UnsafePlan`, override ``--force``) an
apply whose calls exceed ``safety.max_daily_share`` of ``limits.daily_quota``, less what the
instance says was used today. A change whose target now reads as ``isSystem`` is refused with
:class:`UnsafePlan` (the planner never plans one; this is defence in depth).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from marketo_sync.apply.reads import WriteApi, campaign_by_id, campaigns_in, differs, is_resolved, tokens_of
from marketo_sync.errors import ApiError, StalePlan, UnsafePlan, halts_the_run
from marketo_sync.plan.changes import ReplaceCampaign
from marketo_sync.plan.plan import ApiCost, Observation, Plan
from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import RemoteCampaign

log = logging.getLogger(__name__)


def check_target(plan: Plan, *, environment: str, instance: str) -> None:
    """Refuse a saved plan made for another environment or instance."""
    if plan.environment != environment or plan.instance != instance:
        raise StalePlan(
            f"the plan was made for environment {plan.environment!r} on {plan.instance!r}, not for "
            f"{environment!r} on {instance!r}; run plan again for this environment")


@dataclass
class Preflight:
    """What the re-read found: campaigns by id, and every difference from the observations."""

    campaigns: dict[int, RemoteCampaign] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    reads: int = 0


def _compare_campaign(obs: Observation, now: RemoteCampaign | None, moved_from: FolderRef | None,
                      out: list[str]) -> None:
    where = f"{obs.folder}/{obs.name}"
    if now is None:
        out.append(f"{where} (id {obs.id}) no longer exists")
        return
    if moved_from is not None:
        out.append(f"{where} (id {obs.id}) moved to {now.folder}")
    current = now.fields()
    changed = [name for name, value in obs.fields.items()
               if name in current and differs(value, current[name], name)]
    for name in changed:
        out.append(f"{where} (id {obs.id}): {name} was {obs.fields[name]!r}, is now {current[name]!r}")
    if not changed and obs.updated_at and now.updated_at and obs.updated_at != now.updated_at:
        out.append(f"{where} (id {obs.id}) was edited: updatedAt was {obs.updated_at}, is now {now.updated_at}")


def preflight(api: WriteApi, plan: Plan) -> Preflight:
    """Re-read what the plan observed; raise :class:`StalePlan` or :class:`UnsafePlan` before any write.

    One browse per affected folder, one get-by-id per observed campaign not found in its
    folder (pinned elsewhere, or gone), one token read per affected container.
    """
    result = Preflight()
    observations = list(plan.observations)
    by_folder: dict[FolderRef, list[RemoteCampaign]] = {}

    def folder_campaigns(ref: FolderRef) -> list[RemoteCampaign]:
        if ref not in by_folder:
            by_folder[ref] = campaigns_in(api, ref)
            result.reads += 1
        return by_folder[ref]

    def by_id(campaign_id: int) -> RemoteCampaign | None:
        if campaign_id not in result.campaigns:
            result.reads += 1
            found = campaign_by_id(api, campaign_id)
            if found is None:
                return None
            result.campaigns[campaign_id] = found
        return result.campaigns[campaign_id]

    for obs in observations:
        if obs.kind != "campaign":
            continue
        ref = FolderRef.parse(obs.folder_ref)
        here = folder_campaigns(ref) if is_resolved(ref) else []
        for campaign in here:
            result.campaigns.setdefault(campaign.id, campaign)
        if not obs.exists:
            clash = next((c for c in here if c.name == obs.name), None)
            if clash is not None:
                result.differences.append(f"{obs.folder}/{obs.name} did not exist and now does (id {clash.id})")
            continue
        assert obs.id is not None
        in_folder = next((c for c in here if c.id == obs.id), None)
        if in_folder is not None:
            _compare_campaign(obs, in_folder, None, result.differences)
            continue
        now = by_id(obs.id)
        moved = ref if (now is not None and now.folder is not None and is_resolved(ref) and now.folder != ref) \
            else None  # a record without folder (a system campaign) says nothing about a move
        _compare_campaign(obs, now, moved, result.differences)

    token_reads: dict[FolderRef, dict[str, dict[str, str]]] = {}
    for obs in observations:
        if obs.kind != "token":
            continue
        ref = FolderRef.parse(obs.folder_ref)
        if ref not in token_reads:
            token_reads[ref] = tokens_of(api, ref)
            result.reads += 1
        current = token_reads[ref].get(obs.name)
        where = f"{obs.folder} {{{{my.{obs.name}}}}}"
        if obs.exists and current is None:
            result.differences.append(f"{where} no longer exists")
        elif not obs.exists and current is not None:
            result.differences.append(f"{where} did not exist and now does")
        elif current is not None and any(current.get(k) != v for k, v in obs.fields.items()):
            result.differences.append(f"{where} changed: was {dict(obs.fields)}, is now {current}")

    if result.differences:
        listed = "\n".join(f"  - {d}" for d in result.differences)
        raise StalePlan(f"the instance changed since the plan was made (nothing was applied):\n{listed}\n"
                        "Run plan again and review the new plan.")

    _refuse_system(plan, lambda campaign_id: (found.is_system if (found := result.campaigns.get(campaign_id)
                                                                    or by_id(campaign_id)) else False))
    return result


def fresh_preflight(plan: Plan) -> None:
    """The checks of :func:`preflight` for a plan made by this very run, without re-reading:
    its observations were read moments ago (issue 13: apply used to read everything twice)."""
    observed = {obs.id: bool(obs.fields.get("isSystem")) for obs in plan.observations
                if obs.kind == "campaign" and obs.id is not None}
    _refuse_system(plan, lambda campaign_id: observed.get(campaign_id, False))


def _refuse_system(plan: Plan, is_system: Callable[[int], bool]) -> None:
    """:class:`UnsafePlan` when a change touches a system campaign (defence in depth)."""
    system = []
    for change in plan.campaign_changes():
        source = change.source if isinstance(change, ReplaceCampaign) else None
        ids = [change.campaign.id, source.id if source is not None else None]
        for campaign_id in (i for i in ids if i is not None):
            if is_system(campaign_id):
                system.append(f"{change.key} (id {campaign_id})")
    if system:
        raise UnsafePlan("the plan changes system campaigns, which marketo-sync never touches "
                         f"(nothing was applied): {', '.join(system)}")


def today_usage(read_usage: Callable[[], int | None]) -> int | None:
    """Today's calls as the instance counts them (``GET stats/usage.json``, one call), or None
    when it does not offer them (610, HTTP 404) or refuses (603): the guard then counts only
    this run's calls, and says so at ``-v``. A stop class (607, credentials, unreachable) is raised."""
    try:
        used = read_usage()
    except ApiError as error:
        if halts_the_run(error):
            raise
        log.info("today's API usage is not counted in the quota guard: stats/usage.json answered "
                 "%s (%s)", error.code, "not offered" if error.code in ("404", "610") else "refused")
        return None
    if used is None:
        log.info("today's API usage is not counted in the quota guard: stats/usage.json gave no total")
    else:
        log.info("today's API usage (stats/usage.json): %d calls", used)
    return used


def check_quota(cost: ApiCost, *, max_share: float, read_usage: Callable[[], int | None]) -> int | None:
    """Refuse with :class:`UnsafePlan` (nothing written) when the apply's calls exceed
    ``max_share`` of the day's quota less today's usage; returns today's usage (None: unknown).

    Called only without ``--force``; the usage read happens only when the plan has changes."""
    used = today_usage(read_usage)
    refusal = cost.quota_refusal(max_share, used)
    if refusal is not None:
        raise UnsafePlan(f"{refusal}; nothing was changed")
    return used
