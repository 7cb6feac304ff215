"""How to read the campaigns of the declared containers: one browse each, or the whole instance.

A plan of 2,000 programs used to browse 2,000 containers (≈ 800 s at 50 calls / 20 s), while one
unfiltered browse of the instance, paged by 200 and grouped locally by each record's ``folder``,
reads the same campaigns in ``ceil((N + 1) / 200)`` calls. Which is cheaper depends on the
instance, so the reader chooses per run from what it knows:

* **per container**: at least one page per container (``C`` calls);
* **whole instance**: ``ceil((N + 1) / 200)`` pages, ``N`` the instance's campaign count. ``N`` is
  the count remembered from the last run (``.marketo-sync/instance-counts.json``) or, without
  one, an estimate from the folder tree: the declared campaigns per declared container times
  the containers the tree browse saw.

The whole instance is read only when it saves at least half of the calls and at least
``MIN_SAVING`` of them (for a few containers the estimate's error outweighs the saving). It is
read with a budget: when the instance turns out bigger than planned, the reader stops before
it has spent what the per-container reads cost and falls back to them, so a wrong estimate
costs less than twice the per-container reads; the count seen is remembered.

Adobe documents ``folder`` as "the parent folder to browse under" and says nothing of
sub-folders (the emulator returns direct children), so a browse of the containers' common
ancestor is not relied on: only the unfiltered browse, whose records all carry their folder.
Up to ``concurrency`` reads are in flight (pages of the instance, or container browses).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import RemoteCampaign

PAGE = 200
MIN_SAVING = 10
PER_CONTAINER = "per-container"
INSTANCE = "instance"

Row = dict[str, Any]


class BrowseApi(Protocol):
    def browse_campaigns(self, folder: FolderRef | None = None) -> list[Row]: ...


class PagedBrowseApi(BrowseApi, Protocol):
    def browse_campaigns_page(self, folder: FolderRef | None, *, offset: int, max_return: int) -> list[Row]: ...


def pages_for(campaigns: int) -> int:
    """Calls to browse ``campaigns`` records: a full last page costs one more, empty call."""
    return max(1, math.ceil((campaigns + 1) / PAGE))


@dataclass(frozen=True)
class Choice:
    """The strategy chosen, with the costs it was chosen on."""

    strategy: str
    per_container_calls: int
    instance_calls: int
    instance_campaigns: int  # remembered or estimated
    remembered: bool

    @property
    def budget(self) -> int:
        """Pages the instance read may take before falling back (it must stay a saving)."""
        if self.remembered:
            return max(self.instance_calls, self.per_container_calls - 1)
        return max(1, min(self.per_container_calls - 1, 2 * self.instance_calls + 1))


def choose(containers: int, *, declared_campaigns: int, tree_containers: int,
           remembered_campaigns: int | None) -> Choice:
    """Per container or whole instance, by the cheaper estimate (see the module's rules)."""
    per_container = containers
    if remembered_campaigns is not None:
        campaigns, remembered = remembered_campaigns, True
    else:
        per = declared_campaigns / containers if containers else 0.0
        campaigns, remembered = max(declared_campaigns, math.ceil(per * max(tree_containers, containers))), False
    instance = pages_for(campaigns)
    saves = per_container - instance >= MIN_SAVING and 2 * instance <= per_container
    return Choice(INSTANCE if saves else PER_CONTAINER, per_container, instance, campaigns, remembered)


@dataclass
class Outcome:
    """What the read did: the strategy used, and the instance's campaign count when it was seen."""

    strategy: str
    instance_campaigns: int | None = None  # exact, after a complete instance read
    at_least: int = 0  # a lower bound, after an instance read that fell back
    fell_back: bool = False


#: ``program_of(ref)`` when the container's program is not known (an ancestor was not read).
UNKNOWN_PROGRAM = -1


def read_campaigns(api: BrowseApi, refs: Sequence[FolderRef], choice: Choice, *,
                   add: Callable[[FolderRef, list[Row]], None], concurrency: int = 1,
                   program_of: Callable[[FolderRef], int | None] = lambda ref: UNKNOWN_PROGRAM) -> Outcome:
    """Read the campaigns of ``refs`` by ``choice``; ``add(ref, records)`` stores each container's.

    A record without ``folder`` (system campaigns, as in Adobe's example) cannot be grouped: the
    containers it may be in (``program_of(ref)`` is its ``parentProgramId``, or unknown) are
    browsed one by one as well, where a folder-less record is filed under the browsed container.
    """
    if choice.strategy == INSTANCE:
        rows = _instance(api, choice, concurrency)
        if rows is not None:
            grouped: dict[FolderRef, list[Row]] = {ref: [] for ref in refs}
            homeless: set[int | None] = set()
            for row in rows:
                ref = FolderRef.parse_or_none(row.get("folder"))
                if ref is None:
                    homeless.add(row.get("parentProgramId"))
                else:
                    grouped.setdefault(ref, []).append(row)
            for ref, records in grouped.items():
                add(ref, records)
            maybe = [ref for ref in refs if homeless and (program_of(ref) in homeless
                                                          or program_of(ref) == UNKNOWN_PROGRAM)]
            _per_container(api, maybe, add, concurrency)
            return Outcome(INSTANCE, instance_campaigns=len(rows))
        at_least = choice.budget * PAGE
        _per_container(api, refs, add, concurrency)
        return Outcome(PER_CONTAINER, at_least=at_least, fell_back=True)
    _per_container(api, refs, add, concurrency)
    return Outcome(PER_CONTAINER)


def _per_container(api: BrowseApi, refs: Sequence[FolderRef], add: Callable[[FolderRef, list[Row]], None],
                   concurrency: int) -> None:
    for ref, records in zip(refs, _map(api.browse_campaigns, refs, concurrency), strict=True):
        add(ref, records)


def _instance(api: BrowseApi, choice: Choice, concurrency: int) -> list[Row] | None:
    """Every campaign of the instance, or None when the budget ran out first."""
    paged = getattr(api, "browse_campaigns_page", None)
    if paged is None:  # an API without single-page reads: all pages, no budget
        return api.browse_campaigns(None)
    pages = _pages_until_short(lambda offset: paged(None, offset=offset, max_return=PAGE),
                               budget=choice.budget, concurrency=concurrency,
                               expected=choice.instance_calls if choice.remembered else None)
    return None if pages is None else [row for page in pages for row in page]


def _pages_until_short(fetch: Callable[[int], list[Row]], *, budget: int, concurrency: int,
                       expected: int | None = None) -> list[list[Row]] | None:
    """Pages at offsets 0, 200, ... up to the first short one, ``concurrency`` in flight.

    A new page is asked for as soon as one answers (the budget is kept busy, no waves), so
    at most ``concurrency - 1`` pages past the end are asked for in vain; none when the count
    is known (``expected`` pages: more are asked for only once those all came back full).
    None when ``budget`` pages were asked for and the end was not reached.
    """
    if concurrency <= 1:
        pages = []
        for number in range(budget):
            pages.append(fetch(number * PAGE))
            if len(pages[-1]) < PAGE:
                return pages
        return None
    answered: dict[int, list[Row]] = {}
    end: int | None = None  # number of the first short page
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="read-page") as pool:
        in_flight: dict[Future[list[Row]], int] = {}
        asked = 0
        while True:
            while (len(in_flight) < concurrency and asked < budget and (end is None or asked <= end)
                   and (expected is None or asked < expected or len(answered) >= expected)):
                in_flight[pool.submit(fetch, asked * PAGE)] = asked
                asked += 1
            if not in_flight:
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                number = in_flight.pop(future)
                answered[number] = future.result()
                if len(answered[number]) < PAGE and (end is None or number < end):
                    end = number
    if end is None:
        return None
    return [answered[number] for number in range(end + 1)]


def _map(call: Callable[[Any], list[Row]], items: Iterable[Any], concurrency: int) -> list[list[Row]]:
    """``call`` on each item, up to ``concurrency`` at once, results in order."""
    items = list(items)
    if concurrency <= 1 or len(items) <= 1:
        return [call(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(items)), thread_name_prefix="read") as pool:
        return list(pool.map(call, items))


def read_folders(api: BrowseApi, refs: Sequence[FolderRef], *, remembered_campaigns: int | None,
                 concurrency: int = 1) -> dict[FolderRef, list[RemoteCampaign]]:
    """The direct children of ``refs`` (apply's read-back), by the cheaper strategy; the whole
    instance only when its campaign count is known (remembered), never on a guess."""
    if remembered_campaigns is None:
        choice = Choice(PER_CONTAINER, len(refs), 0, 0, remembered=False)
    else:
        choice = choose(len(refs), declared_campaigns=0, tree_containers=0,
                        remembered_campaigns=remembered_campaigns)
    found: dict[FolderRef, list[RemoteCampaign]] = {}

    def add(ref: FolderRef, records: list[Row]) -> None:
        children = (RemoteCampaign.from_browse(record, ref) for record in records)
        found[ref] = [c for c in children if c is not None]

    read_campaigns(api, refs, choice, add=add, concurrency=concurrency)
    return {ref: found.get(ref, []) for ref in refs}


class CallCounter:
    """Counts API method invocations (thread-safe) when the client keeps no statistics."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.calls = 0
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.api, name)
        if not callable(target):
            return target

        def counted(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.calls += 1
            return target(*args, **kwargs)

        return counted
