"""The call log lists calls in the order the limits decided them, not the order they finished."""

from __future__ import annotations

import threading

from marketo_sync.emulator.admin import CallLog


def _add(log: CallLog, path: str) -> None:
    log.add(method="GET", path=path, query={}, kind="api", status=200, code=None, fault=None,
            started=0.0, duration_ms=1.0)


def test_a_call_decided_first_is_listed_first_even_when_it_finishes_last():
    log = CallLog()
    decided, finish_first = threading.Event(), threading.Event()

    def slow() -> None:  # decided first, answered last
        log.arrive()
        decided.set()
        finish_first.wait(5)
        _add(log, "/first-decided")

    thread = threading.Thread(target=slow)
    thread.start()
    assert decided.wait(5)
    log.arrive()
    _add(log, "/second-decided")
    finish_first.set()
    thread.join(5)
    _add(log, "/never-decided")  # refused before the limits: its place is when it is entered
    assert [c["path"] for c in log.list()] == ["/first-decided", "/second-decided", "/never-decided"]
    assert [c["seq"] for c in log.list()] == [1, 2, 3]
