"""Open a connection to the instance an environment names.

An environment either points at a real Marketo instance (credentials from environment
variables with the environment's prefix, never from files) or asks for the embedded
emulator, which is then started in-process on a free loopback port with its state kept
in a file, so that ``apply`` followed by ``plan`` converges across commands.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient, RateLimits
from marketo_sync.constants import EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET


@dataclass
class Session:
    """What a command needs to talk to one instance."""

    api: MarketoApi
    client: MarketoClient
    instance: str       # stable, secret-free identity (saved plans are bound to it)
    environment: str
    emulator: Any = None  # the EmulatorServer when embedded (tests and the demo inspect it)


def client_limits(project: Any) -> RateLimits:
    """The project's client limits, or the client's defaults (50 calls / 20 s, 5 concurrent)."""
    limits = getattr(project, "limits", None)
    if limits is None:
        return RateLimits()
    calls = getattr(limits, "rate_limit", None) or getattr(limits, "calls", None)
    window = getattr(limits, "window", None) or getattr(limits, "rate_window", None)
    concurrency = getattr(limits, "concurrency", None)
    defaults = RateLimits()
    return RateLimits(calls=int(calls or defaults.calls), window=float(window or defaults.window),
                      concurrency=int(concurrency or defaults.concurrency))


def _resolve(project: Any, path: Path | str) -> Path:
    path = Path(path)
    return path if path.is_absolute() else Path(getattr(project, "root", ".")) / path


@contextmanager
def open_session(project: Any, environment: Any, *,
                 environ: Mapping[str, str] | None = None) -> Iterator[Session]:
    """Yield a :class:`Session` for ``environment``; close everything afterwards."""
    environ = os.environ if environ is None else environ
    with ExitStack() as stack:
        embedded = getattr(environment, "embedded_emulator", None)
        emulator = None
        if embedded is not None:
            from marketo_sync.emulator import EmulatorConfig, EmulatorServer

            state = _resolve(project, embedded.state)
            state.parent.mkdir(parents=True, exist_ok=True)
            config = EmulatorConfig(seed_path=_resolve(project, embedded.seed), state_path=state)
            emulator = stack.enter_context(EmulatorServer(config))
            settings = ClientSettings(base_url=emulator.base_url, client_id=emulator.client_id,
                                      client_secret=emulator.client_secret)
            instance = f"embedded-emulator:{embedded.state}"
        else:
            prefix = getattr(environment, "env_prefix", None) or "MARKETO_"
            settings = ClientSettings.from_env(environ, prefix=prefix)
            instance = settings.instance
        client = stack.enter_context(MarketoClient(settings, limits=client_limits(project)))
        yield Session(api=MarketoApi(client), client=client, instance=instance,
                      environment=str(getattr(environment, "name", "default")),
                      emulator=emulator)


@contextmanager
def session_for_url(base_url: str, *, client_id: str = EMULATOR_CLIENT_ID,
                    client_secret: str = EMULATOR_CLIENT_SECRET, limits: RateLimits | None = None,
                    environment: str = "default") -> Iterator[Session]:
    """A session for an instance given by URL (benchmarks and tests of a running emulator)."""
    settings = ClientSettings(base_url=base_url, client_id=client_id, client_secret=client_secret)
    with MarketoClient(settings, limits=limits or RateLimits()) as client:
        yield Session(api=MarketoApi(client), client=client, instance=settings.instance,
                      environment=environment)
