"""Records by key with ordered secondary indexes, kept current on every change.

Browse and by-name calls used to scan and sort every campaign (11 browses per second at a
50,000-campaign seed); a :class:`Store` answers them from buckets that stay sorted instead.

A record's indexed attributes (``parent``, ``name``) are :class:`IndexedAttribute` descriptors:
assigning one (``campaign.name = new``, ``node.parent = key``) moves the record between buckets,
so whichever layer writes, the indexes cannot go stale. Reads are plain instance-dict reads.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
from collections.abc import Callable, Hashable, Iterator, MutableMapping
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

_STORE = "_store"  # instance-dict slot of the store holding a record (not a dataclass field)


class IndexedAttribute:
    """A data descriptor for an indexed attribute: writes re-index the record, reads bypass it.

    It defines ``__set__`` only, so Python reads the value straight from the instance dict.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __init__(self, name: str = "") -> None:
        self.name = name

    def __set__(self, record: Any, value: Any) -> None:
        store = record.__dict__.get(_STORE)
        if store is None:
            record.__dict__[self.name] = value
            return
        store._unlink(record)
        record.__dict__[self.name] = value
        store._link(record)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Build many records without the cyclic garbage collector.

    Building 50,000 campaigns allocates millions of objects that all stay alive, which made the
    collector rescan the growing heap again and again: half of a big seed's start time. Nothing
    built here is garbage, so pausing it only skips useless work; it is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def index_attributes(cls: type, *names: str) -> None:
    """Make ``names`` of the (dataclass) ``cls`` indexed; call after the class is created."""
    for name in names:
        setattr(cls, name, IndexedAttribute(name))


class Store(MutableMapping[K, R], Generic[K, R]):
    """A mapping key -> record, plus every record in ``order`` and by each indexed attribute.

    ``key`` and ``order`` must read attributes that never change once stored (ids, kinds).
    Lists returned are fresh; the records in them are the stored ones.
    """

    def __init__(self, *, key: Callable[[R], K], order: Callable[[R], Any], indexes: tuple[str, ...]) -> None:
        self._key = key
        self._order = order
        self._records: dict[K, R] = {}
        self._all: list[tuple[Any, K]] = []
        self._buckets: dict[str, dict[Any, list[tuple[Any, K]]]] = {name: {} for name in indexes}

    # -- mapping ------------------------------------------------------------------------------
    def __getitem__(self, key: K) -> R:
        return self._records[key]

    def __setitem__(self, key: K, record: R) -> None:
        if key != self._key(record):
            raise KeyError(f"record stored under {key!r} but its key is {self._key(record)!r}")
        if key in self._records:
            del self[key]
        self._records[key] = record
        record.__dict__[_STORE] = self
        self._link(record)
        entry = (self._order(record), key)
        if not self._all or self._all[-1] < entry:
            self._all.append(entry)  # ids grow: the usual case appends
        else:
            bisect.insort(self._all, entry)

    def __delitem__(self, key: K) -> None:
        record = self._records.pop(key)
        self._unlink(record)
        record.__dict__.pop(_STORE, None)
        entry = (self._order(record), key)
        del self._all[bisect.bisect_left(self._all, entry)]

    def __iter__(self) -> Iterator[K]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, key: object) -> bool:
        return key in self._records

    def clear(self) -> None:
        for record in self._records.values():
            record.__dict__.pop(_STORE, None)
        self._records.clear()
        self._all.clear()
        for buckets in self._buckets.values():
            buckets.clear()

    # -- ordered reads ------------------------------------------------------------------------------
    def ordered(self, start: int = 0, stop: int | None = None) -> list[R]:
        """Records in ``order``, optionally only positions ``start:stop``."""
        return [self._records[k] for _, k in self._all[start:stop]]

    def where(self, attr: str, value: Any) -> list[R]:
        """Records whose ``attr`` equals ``value``, in ``order``."""
        return [self._records[k] for _, k in self._buckets[attr].get(value, ())]

    def count_where(self, attr: str, value: Any) -> int:
        return len(self._buckets[attr].get(value, ()))

    def first_where(self, attr: str, value: Any) -> R | None:
        bucket = self._buckets[attr].get(value)
        return self._records[bucket[0][1]] if bucket else None

    def check(self) -> None:
        """Raise AssertionError when an index disagrees with a full scan (tests use it)."""
        expected_all = sorted((self._order(r), k) for k, r in self._records.items())
        assert self._all == expected_all, "the ordered index disagrees with the records"
        for attr, buckets in self._buckets.items():
            scanned: dict[Any, list[tuple[Any, K]]] = {}
            for key, record in self._records.items():
                scanned.setdefault(getattr(record, attr), []).append((self._order(record), key))
            assert {v: sorted(e) for v, e in scanned.items()} == {v: e for v, e in buckets.items() if e}, \
                f"the {attr!r} index disagrees with the records"

    # -- index upkeep (also called by IndexedAttribute) ------------------------------------------
    def _link(self, record: R) -> None:
        entry = (self._order(record), self._key(record))
        for attr, buckets in self._buckets.items():
            bisect.insort(buckets.setdefault(getattr(record, attr), []), entry)

    def _unlink(self, record: R) -> None:
        entry = (self._order(record), self._key(record))
        for attr, buckets in self._buckets.items():
            value = getattr(record, attr)
            bucket = buckets[value]
            del bucket[bisect.bisect_left(bucket, entry)]
            if not bucket:
                del buckets[value]
