"""Verification: read back what apply did and compare it with each change's ``verify``.

:func:`check` settles one odd answer during apply; :func:`verify` reads back every applied
change after the run, frugally (one browse per folder, one token read per container).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from marketo_sync.apply.flows import verify_flows
from marketo_sync.apply.programs import container_fields
from marketo_sync.apply.reads import WriteApi, campaign_by_id, campaigns_in, differs, is_resolved, tokens_of
from marketo_sync.apply.receipt import APPLIED, Difference, Outcome, scrub
from marketo_sync.client.protocols import ProgramWriteApi
from marketo_sync.errors import ApiError
from marketo_sync.plan.changes import CampaignChange, Change, ContainerChange, TokenChange, target_text
from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import RemoteCampaign


def check(api: WriteApi, change: Change, campaign_id: int | None) -> list[Difference]:
    """Read one change's target and compare with its ``verify`` (used to settle odd answers)."""
    if isinstance(change, TokenChange):
        current = tokens_of(api, change.token.folder_ref).get(change.token.name)
        return _compare(target_text(change), dict(change.verify), current, (change.key,))
    assert campaign_id is not None
    now = campaign_by_id(api, campaign_id)
    return _compare(target_text(change, campaign_id), dict(change.verify),
                    now.fields() if now is not None else None, (change.key,))


def _compare(target: str, expected: Mapping[str, Any], actual: Mapping[str, Any] | None,
             keys: tuple[str, ...]) -> list[Difference]:
    if expected.get("exists") is False:
        return [] if actual is None else [Difference(target, "exists", False, True, keys)]
    if actual is None:
        return [Difference(target, "exists", True, False, keys)]
    return [Difference(target, name, value, actual.get(name), keys)
            for name, value in expected.items()
            if name != "exists" and differs(value, actual.get(name), name)]


@dataclass
class _Expected:
    target: str
    folder: FolderRef
    verify: dict[str, Any] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)


#: Reads the campaigns of several folders at once (``remote/strategy.py``: folder by folder or
#: one browse of the whole instance, whichever is cheaper).
FolderReader = Callable[[Sequence[FolderRef]], Mapping[FolderRef, Sequence[RemoteCampaign]]]


def verify(api: WriteApi, outcomes: Iterable[Outcome], *,
           read_folders: FolderReader | None = None) -> tuple[int, list[Difference]]:
    """Read back every applied change; returns (items read back, differences).

    Later changes of one campaign override earlier ones (a clone reads back inactive only
    until its activation), so the expectation is merged per campaign id in plan order. Reads:
    the affected folders (``read_folders``, else one browse each), one get-by-id for campaigns
    not found there, one token read per affected container.
    """
    outcomes = list(outcomes)  # read twice: campaigns and tokens, then flows
    campaigns: dict[int, _Expected] = {}
    tokens: dict[tuple[FolderRef, str], _Expected] = {}
    containers: list[Outcome] = []
    for outcome in outcomes:
        if outcome.status != APPLIED:
            continue
        change = outcome.change
        if isinstance(change, TokenChange):
            entry = tokens.setdefault((change.token.folder_ref, change.token.name),
                                      _Expected(target_text(change), change.token.folder_ref))
            entry.verify = dict(change.verify)
            entry.keys.append(change.key)
            continue
        if isinstance(change, ContainerChange):
            containers.append(outcome)
            continue
        assert isinstance(change, CampaignChange)
        campaign_id = outcome.id if outcome.id is not None else change.campaign.id
        if campaign_id is None:
            continue
        entry = campaigns.setdefault(campaign_id, _Expected(target_text(change, campaign_id),
                                                            change.campaign.folder_ref))
        if change.verify.get("exists") is False:
            entry.verify = {"exists": False}
        else:
            entry.verify.update(change.verify)
        entry.keys.append(change.key)

    differences: list[Difference] = []
    browsed: dict[FolderRef, dict[int, RemoteCampaign]] = {}
    if read_folders is not None:
        wanted = sorted({e.folder for e in campaigns.values() if is_resolved(e.folder)})
        try:
            browsed = {ref: {c.id: c for c in found} for ref, found in read_folders(wanted).items()}
        except ApiError:
            browsed = {}  # read folder by folder below, where each failure is reported
    for campaign_id, entry in campaigns.items():
        keys = tuple(entry.keys)
        try:
            if is_resolved(entry.folder) and entry.folder not in browsed:
                browsed[entry.folder] = {c.id: c for c in campaigns_in(api, entry.folder)}
            now = browsed.get(entry.folder, {}).get(campaign_id)
            if now is None:
                now = campaign_by_id(api, campaign_id)
        except ApiError as error:
            differences.append(Difference(entry.target, "read back", "readable",
                                          scrub(f"{error.code}: {error.message}"), keys))
            continue
        differences.extend(_compare(entry.target, entry.verify, now.fields() if now else None, keys))

    read_tokens: dict[FolderRef, dict[str, dict[str, str]]] = {}
    for (folder, name), entry in tokens.items():
        keys = tuple(entry.keys)
        try:
            if folder not in read_tokens:
                read_tokens[folder] = tokens_of(api, folder)
        except ApiError as error:
            differences.append(Difference(entry.target, "read back", "readable",
                                          scrub(f"{error.code}: {error.message}"), keys))
            continue
        differences.extend(_compare(entry.target, entry.verify, read_tokens[folder].get(name), keys))
    for outcome in containers:
        container = outcome.change
        assert isinstance(container, ContainerChange)
        try:
            fields_now = container_fields(cast(ProgramWriteApi, api), container, outcome.id)
        except ApiError as error:
            differences.append(Difference(target_text(container, outcome.id), "read back", "readable",
                                          scrub(f"{error.code}: {error.message}"), (container.key,)))
            continue
        differences.extend(_compare(target_text(container, outcome.id), dict(container.verify), fields_now,
                                    (container.key,)))
    flows, flow_differences = verify_flows(api, outcomes)
    return len(campaigns) + len(tokens) + len(containers) + flows, differences + flow_differences
