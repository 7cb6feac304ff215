"""The read strategy (remote/strategy.py): per container or the whole instance, same RemoteState.

Both strategies read the same emulated instance over HTTP; the containers' campaigns, the
campaigns by id and the plans must be the same, whichever strategy ran, with and without
concurrency, and when the instance read runs out of budget and falls back.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest

from marketo_sync.client import RateLimits
from marketo_sync.desired.model import DesiredCampaign, DesiredState, Location, ManagedFolder
from marketo_sync.emulator import EmulatorServer
from marketo_sync.plan.planner import diff
from marketo_sync.remote import memory, strategy
from marketo_sync.remote.read import read_remote
from marketo_sync.remote.state import RemoteState
from marketo_sync.workflows.plan import build_plan
from marketo_sync.workflows.session import session_for_url

PROGRAMS = 60
NAMES = ("01 - Registration", "02 - Reminder", "03 - Follow-up")
HERE = Location("campaigns/events.yaml", 1, 1)


def program_path(n: int) -> str:
    return f"Marketing Activities/Events/Batch {n // 20}/Event {n:03d}"


def seed(undeclared: int = 30) -> dict[str, Any]:
    batches: list[dict[str, Any]] = []
    for n in range(PROGRAMS):
        if n % 20 == 0:
            batches.append({"name": f"Batch {n // 20}", "programs": []})
        batches[-1]["programs"].append({"name": f"Event {n:03d}", "type": "Event", "campaigns": [
            {"name": name, "description": f"Event {n:03d}"} for name in NAMES]})
    batches[0]["programs"][0]["campaigns"].append({"name": "Left Over", "description": "undeclared"})
    # system campaigns carry no folder: the instance read must still file them where they are
    batches[0]["programs"][1]["campaigns"].append({"name": "System Inside", "isSystem": True})
    elsewhere = {"name": "Operational", "campaigns": [{"name": "Op {n:04d}", "count": undeclared},
                                                      {"name": "System Elsewhere", "isSystem": True}]}
    return {"folders": [{"name": "Marketing Activities", "folders": [
        {"name": "Events", "folders": batches}, elsewhere]}]}


def desired() -> DesiredState:
    campaigns = []
    for n in range(PROGRAMS):
        for name in NAMES:
            # one description differs, one campaign is missing: the plan is not empty
            description = "changed" if (n, name) == (3, NAMES[1]) else f"Event {n:03d}"
            campaigns.append(DesiredCampaign(name=name, folder=program_path(n), location=HERE,
                                             description=description))
    campaigns.append(DesiredCampaign(name="04 - New", folder=program_path(7), location=HERE))
    folders = (ManagedFolder(program_path(0), "exclusive", HERE),)
    return DesiredState(campaigns=tuple(campaigns), folders=folders)


@pytest.fixture(scope="module")
def server():
    with EmulatorServer(seed=seed(), rate_limit=(10**6, 20.0), daily_quota=10**6) as running:
        yield running


def read(server: EmulatorServer, *, concurrency: int = 1, remembered: int | None = None) -> RemoteState:
    with session_for_url(server.base_url, limits=RateLimits(calls=100, window=0.01, concurrency=5)) as session:
        return read_remote(session.api, desired(), call_count=session.calls_made, concurrency=concurrency,
                           remembered_campaigns=remembered)


def assert_same_reading(per_container: RemoteState, other: RemoteState) -> None:
    assert per_container.campaigns, "the per-container read found nothing"
    for ref, campaigns in per_container.campaigns.items():
        assert other.campaigns[ref] == campaigns, ref
    for cid, campaign in per_container.by_id.items():
        assert other.by_id[cid] == campaign
    assert other.folders == per_container.folders
    assert same_plan(diff(desired(), other), diff(desired(), per_container))


def same_plan(one: Any, other: Any) -> bool:
    """Equal changes, drift, unmanaged campaigns and observations (the read cost differs)."""
    return all(getattr(one, part) == getattr(other, part) for part in ("changes", "drift", "unmanaged", "observations"))


def test_both_strategies_read_the_same_campaigns_and_plan_the_same(server: EmulatorServer) -> None:
    per_container = read(server, remembered=10**6)  # a huge remembered instance: per container
    assert per_container.campaign_read.strategy == strategy.PER_CONTAINER
    instance = read(server)  # estimated from the tree: 61 containers, ~4 campaigns each
    assert instance.campaign_read.strategy == strategy.INSTANCE
    assert instance.campaign_read.instance_campaigns == PROGRAMS * len(NAMES) + 1 + 30 + 2
    assert_same_reading(per_container, instance)
    inside = per_container.folder(program_path(1))
    assert inside is not None and "System Inside" in [c.name for c in instance.in_folder(inside.ref)]
    assert instance.read_calls < per_container.read_calls / 5
    plan = diff(desired(), instance)
    assert {c.ACTION for c in plan.changes} == {"create", "update", "delete"}


def test_concurrent_reads_give_the_same_state(server: EmulatorServer) -> None:
    sequential = read(server, remembered=10**6)
    assert_same_reading(sequential, read(server, remembered=10**6, concurrency=5))
    assert_same_reading(sequential, read(server, concurrency=5))


def test_an_instance_bigger_than_estimated_falls_back_within_budget() -> None:
    with EmulatorServer(seed=seed(undeclared=30_000), rate_limit=(10**6, 20.0), daily_quota=10**6) as big:
        fallen = read(big)
        outcome = fallen.campaign_read
        assert outcome.fell_back and outcome.strategy == strategy.PER_CONTAINER
        choice = strategy.choose(PROGRAMS, declared_campaigns=PROGRAMS * len(NAMES) + 1,
                                 tree_containers=PROGRAMS + 4, remembered_campaigns=None)
        assert outcome.at_least == choice.budget * strategy.PAGE
        per_container = read(big, remembered=10**6)
        assert_same_reading(per_container, fallen)
        assert fallen.read_calls - per_container.read_calls == choice.budget  # the budget, no more
        assert fallen.read_calls < 2 * per_container.read_calls


def test_choice_follows_the_cost_model() -> None:
    events = strategy.choose(2000, declared_campaigns=10_000, tree_containers=2021, remembered_campaigns=None)
    assert (events.strategy, events.instance_calls, events.per_container_calls) == (strategy.INSTANCE, 51, 2000)
    folders = strategy.choose(10, declared_campaigns=1000, tree_containers=11, remembered_campaigns=None)
    assert folders.strategy == strategy.PER_CONTAINER  # 6 pages would save 4 calls: not worth a guess
    assert strategy.choose(2000, declared_campaigns=10_000, tree_containers=2021,
                           remembered_campaigns=900_000).strategy == strategy.PER_CONTAINER
    remembered = strategy.choose(2000, declared_campaigns=10_000, tree_containers=2021, remembered_campaigns=10_021)
    assert remembered.remembered and remembered.budget == 1999
    assert strategy.pages_for(199) == 1 and strategy.pages_for(200) == 2  # a full page costs one more call


def test_pages_are_read_concurrently_and_stop_at_the_first_short_page() -> None:
    rows = [{"id": n} for n in range(1030)]
    asked: list[int] = []
    in_flight = peak = 0
    lock = threading.Lock()
    release = threading.Barrier(3, timeout=5)

    def fetch(offset: int) -> list[dict[str, Any]]:
        nonlocal in_flight, peak
        with lock:
            asked.append(offset)
            in_flight += 1
            peak = max(peak, in_flight)
        if offset < 600:
            release.wait()  # the first pages answer only when three are in flight at once
        with lock:
            in_flight -= 1
        return rows[offset:offset + strategy.PAGE]

    pages = strategy._pages_until_short(fetch, budget=50, concurrency=3)
    assert pages is not None and [row for page in pages for row in page] == rows
    assert peak == 3
    assert len(asked) <= 6 + 2  # the 6 pages needed, and at most concurrency - 1 in vain
    def plain(offset: int) -> list[dict[str, Any]]:
        return rows[offset:offset + strategy.PAGE]

    assert strategy._pages_until_short(plain, budget=4, concurrency=1) is None  # over budget
    assert strategy._pages_until_short(plain, budget=4, concurrency=3) is None
    assert len(strategy._pages_until_short(plain, budget=6, concurrency=1) or []) == 6


def test_the_count_is_remembered_per_instance_and_prices_the_next_run(server: EmulatorServer, tmp_path) -> None:
    with session_for_url(server.base_url, limits=RateLimits(calls=100, window=0.01)) as session:
        session = dataclasses.replace(session, state_dir=tmp_path)
        first = build_plan(session, desired())
        assert memory.recall(tmp_path, session.instance) == PROGRAMS * len(NAMES) + 33
        second = build_plan(session, desired())
    assert same_plan(first, second) and first.changes
    assert "one paged browse of the whole instance" in second.cost.describe()
    assert "one per container that declares tokens" in second.cost.describe()
    memory.remember(tmp_path, "other", campaigns=None, at_least=4000)
    assert memory.recall(tmp_path, "other") == 4000
    assert memory.recall(tmp_path, "unknown") is None
    (tmp_path / memory.FILE).write_text("{not json", encoding="utf-8")
    assert memory.recall(tmp_path, session.instance) is None  # a damaged file is no memory


# -- apply at the limit (goal 3): no re-read of a fresh plan, read-back by the cheaper strategy --

def changed() -> DesiredState:
    base = desired()
    campaigns = tuple(dataclasses.replace(c, description=f"{c.description} (changed)")
                      if c.folder in (program_path(10), program_path(11)) else c for c in base.campaigns)
    return dataclasses.replace(base, campaigns=campaigns)


def test_an_inline_plan_is_applied_without_re_reading_and_read_back_cheaply(tmp_path) -> None:
    from marketo_sync.workflows.apply import ApplyOptions, apply_plan, get_plan

    with EmulatorServer(seed=seed(), rate_limit=(10**6, 20.0), daily_quota=10**6) as fresh, \
            session_for_url(fresh.base_url, limits=RateLimits(calls=100, window=0.01)) as session:
        plan = get_plan(session, desired=changed(), planfile=None)
        assert plan.fresh and plan.cost.inline
        read_calls = len(fresh.calls())
        updates = [c for c in plan.changes if c.ACTION == "update"]
        assert len(updates) == 2 * len(NAMES) + 1
        receipt = apply_plan(session, plan, ApplyOptions(state_dir=tmp_path, allow_delete=True))
        after = fresh.calls()[read_calls:]
        assert receipt.verified and not receipt.differences
        # the quota guard's one read of today's usage, then a write: no re-read
        assert after[0]["path"] == "/rest/v1/stats/usage.json"
        assert after[1]["method"] == "POST"
        reads_after = [c for c in after[1:] if c["method"] == "GET"]
        assert len(reads_after) == plan.cost.read_back_reads  # as the plan's cost line said
        assert len(fresh.calls()) - 2 == plan.cost.run_calls  # every call but identity and usage, as printed


def test_a_plan_approved_late_is_re_read_and_refused_when_stale(tmp_path, monkeypatch) -> None:
    from marketo_sync.errors import StalePlan
    from marketo_sync.workflows import apply as workflow

    with EmulatorServer(seed=seed(), rate_limit=(10**6, 20.0), daily_quota=10**6) as fresh, \
            session_for_url(fresh.base_url, limits=RateLimits(calls=100, window=0.01)) as session:
        plan = workflow.get_plan(session, desired=changed(), planfile=None)
        target = next(c for c in plan.changes if c.ACTION == "update")

        def approve_after_a_coffee() -> None:  # someone edits the campaign meanwhile
            fresh.backend.update_campaign(target.campaign.id, description="edited in the UI")
            now = plan.read_at + workflow.FRESH_SECONDS + 1
            monkeypatch.setattr(workflow.time, "monotonic", lambda: now)

        with pytest.raises(StalePlan):
            workflow.apply_plan(session, plan, workflow.ApplyOptions(state_dir=tmp_path, allow_delete=True),
                                approve=approve_after_a_coffee)


def test_read_back_by_instance_equals_folder_by_folder(server: EmulatorServer) -> None:
    state = read(server, remembered=10**6)
    refs = sorted(state.campaigns)
    with session_for_url(server.base_url, limits=RateLimits(calls=100, window=0.01)) as session:
        by_folder = strategy.read_folders(session.api, refs, remembered_campaigns=None)
        whole = strategy.read_folders(session.api, refs, remembered_campaigns=PROGRAMS * len(NAMES) + 33,
                                      concurrency=5)
    assert whole == by_folder
    assert by_folder[refs[0]] and set(whole) == set(refs)
