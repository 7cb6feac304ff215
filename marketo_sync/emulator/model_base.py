"""Shared ground of the emulator backend's layers: limits, the lock decorator, core state.

``MarketoBackend`` is built in layers, one module each: ``model_tree`` (folders, programs,
My Tokens), ``model_campaigns`` (smart campaigns), ``model_flows`` (flow steps and choices),
``model_leaddb`` (lead-database campaigns, request, schedule, leads), ``model_programs``
(program writes) and ``backend`` (state, identity). Each layer may use the ones below.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from marketo_sync.emulator.exceptions import MarketoApiError
from marketo_sync.emulator.model import Campaign, Container, Lead
from marketo_sync.emulator.store import Store

FolderKey = tuple[int, str]  # (id, "Folder" | "Program")
Record = dict[str, Any]

DEFAULT_UI_HOSTS = ("app-sj01.marketo.com", "app-sj02.marketo.com")
DEFAULT_LEAD_FIELDS = ["id", "email", "firstName", "lastName", "updatedAt", "createdAt"]
NAME_MAX = 255
DESCRIPTION_MAX = 2000
TOKEN_NAME_MAX = 50
MAX_RETURN = 200
LEAD_BATCH_MAX = 300
REQUEST_MAX_LEADS = 100
OVERRIDE_MAX_TOKENS = 100
RUN_AT_MIN_DELAY = 300.0  # schedule: a run never starts sooner than 5 minutes from now (sooner runAt: moved)
CLONES_PER_DAY = 20
START_IDS = {"Folder": 1000, "Program": 1000, "campaign": 1000, "smartList": 5000, "flow": 2000,
             "rule": 1, "step": 1, "choice": 1, "attribute": 1, "lead": 1_000_000}

P = ParamSpec("P")
T = TypeVar("T")


def atomic(method: Callable[P, T]) -> Callable[P, T]:
    """Run the method under the backend's lock: each public call is one atomic step."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with args[0]._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def fail(code: str | int, message: str) -> MarketoApiError:
    """The error to raise: Marketo's code and a message that says what to fix."""
    return MarketoApiError(code, message)


class BackendCore:
    """The stored facts every layer works on (set up by ``MarketoBackend._clear``)."""

    _lock: threading.RLock
    _clock: Callable[[], float]
    _ui_hosts: tuple[str, ...]
    workspace: str  # the primary workspace: where records live unless a seed says otherwise
    _workspaces: dict[str, int]  # workspace name -> id (a folder record's ``accessZoneId``)
    _containers: Store[FolderKey, Container]  # indexed by parent and name (store.py)
    _campaigns: Store[int, Campaign]
    _leads: dict[int, Lead]
    _counters: dict[str, int]
    _requests: list[Record]
    _schedules: list[Record]
    _reads: int

    def _now(self) -> float:
        return float(self._clock())

    def _next(self, space: str) -> int:
        """A fresh id in one id space; ids only grow, so a deleted asset's id is never reused."""
        value = self._counters[space]
        self._counters[space] = value + 1
        return value

    def _reserve(self, space: str, explicit_id: int) -> int:
        """Use an explicit id (seeds) and keep the counter past it, so ids are never reused."""
        self._counters[space] = max(self._counters[space], explicit_id + 1)
        return explicit_id
