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
from typing import TYPE_CHECKING

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient, RateLimits
from marketo_sync.config import Environment, Project
from marketo_sync.emulator.config import EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET
from marketo_sync.workflows.lock import hold

if TYPE_CHECKING:
    from marketo_sync.emulator.server import EmulatorServer


@dataclass(frozen=True, kw_only=True)
class Session:
    """What a workflow needs to talk to one instance."""

    api: MarketoApi
    client: MarketoClient
    #: Stable, secret-free identity of the instance (saved plans are bound to it).
    instance: str
    environment: str
    #: The environment's Marketo workspace (None: not named; see ``config.Environment``).
    workspace: str | None = None
    #: The in-process emulator when the environment embeds one (tests and the demo inspect it).
    emulator: EmulatorServer | None = None
    #: The project's ``.marketo-sync`` directory: what a run remembers for the next (None: nothing).
    state_dir: Path | None = None
    #: Notices for the user (a stale lock taken over); the command prints them.
    notices: tuple[str, ...] = ()
    #: ``limits.daily_quota``: calls per day the instance allows (plans show the share they use).
    daily_quota: int = 50_000

    def calls_made(self) -> int:
        """The client's running total of REST calls (identity calls excluded)."""
        return self.client.stats.calls


def client_limits(project: Project) -> RateLimits:
    """The project's share of the instance's API budget, as the client's limits."""
    limits = project.limits
    return RateLimits(calls=int(limits.rate_limit), window=float(limits.window),
                      concurrency=int(limits.concurrency))


def _resolve(project: Project, path: Path | str) -> Path:
    path = Path(path)
    return path if path.is_absolute() else project.root / path


@contextmanager
def open_session(project: Project, environment: Environment, *,
                 environ: Mapping[str, str] | None = None, exclusive: str = "") -> Iterator[Session]:
    """Yield a :class:`Session` for ``environment``; close everything afterwards.

    ``exclusive`` names a command that writes (``apply``, ``trigger``, ``schedule``): the
    session then holds the project's lock for the instance (:mod:`marketo_sync.workflows.lock`)
    and raises :class:`~marketo_sync.errors.LockHeld` before any call when another process
    holds it. A session on the embedded emulator always holds it: every command may write the
    emulator's state file, which must be loaded and saved by one process at a time.
    """
    environ = os.environ if environ is None else environ
    with ExitStack() as stack:
        embedded = environment.embedded_emulator
        emulator: EmulatorServer | None = None
        notices: list[str] = []
        if embedded is not None:
            from marketo_sync.emulator import EmulatorConfig, EmulatorServer

            holding = stack.enter_context(hold(project.state_dir, f"embedded-emulator-{embedded.state}",
                                               command=exclusive or "command on the embedded emulator"))
            notices.extend([holding.took_over] if holding.took_over else [])
            state = _resolve(project, embedded.state)
            state.parent.mkdir(parents=True, exist_ok=True)
            config = EmulatorConfig(seed_path=_resolve(project, embedded.seed), state_path=state)
            emulator = stack.enter_context(EmulatorServer(config))
            settings = ClientSettings(base_url=emulator.base_url, client_id=emulator.client_id,
                                      client_secret=emulator.client_secret)
            instance = f"embedded-emulator:{embedded.state}"
        else:
            settings = ClientSettings.from_env(environ, prefix=environment.env_prefix)
            instance = settings.instance
            if exclusive:
                holding = stack.enter_context(hold(project.state_dir, instance, command=exclusive))
                notices.extend([holding.took_over] if holding.took_over else [])
        client = stack.enter_context(MarketoClient(settings, limits=client_limits(project)))
        yield Session(api=MarketoApi(client), client=client, instance=instance,
                      environment=environment.name, workspace=environment.workspace, emulator=emulator,
                      state_dir=project.state_dir, notices=tuple(notices),
                      daily_quota=int(project.limits.daily_quota))


@contextmanager
def session_for_url(base_url: str, *, client_id: str = EMULATOR_CLIENT_ID,
                    client_secret: str = EMULATOR_CLIENT_SECRET, limits: RateLimits | None = None,
                    environment: str = "default") -> Iterator[Session]:
    """A session for an instance given by URL (benchmarks and tests of a running emulator)."""
    settings = ClientSettings(base_url=base_url, client_id=client_id, client_secret=client_secret)
    with MarketoClient(settings, limits=limits or RateLimits()) as client:
        yield Session(api=MarketoApi(client), client=client, instance=settings.instance,
                      environment=environment)
