"""Shared fixtures: real emulators on 127.0.0.1, seeded from the example instance.

The example seed is parsed once per session (YAML parsing dominates start-up); every server
gets its own deep copy, so no test can leak state into another.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from marketo_sync.emulator import EmulatorServer
from marketo_sync.emulator.seed import example_seed_path, read_seed_file


@pytest.fixture(scope="session")
def example_seed() -> dict[str, Any]:
    """The parsed ``examples/instance.yaml`` (shared: tests must not mutate it)."""
    return read_seed_file(example_seed_path())


@pytest.fixture
def make_emulator(example_seed: dict[str, Any]) -> Iterator[Callable[..., EmulatorServer]]:
    """``make_emulator(**overrides)`` -> a started server (the example seed unless ``seed=``)."""
    started: list[EmulatorServer] = []

    def make(**overrides: Any) -> EmulatorServer:
        if "seed" not in overrides and "seed_path" not in overrides:
            overrides["seed"] = copy.deepcopy(example_seed)
        server = EmulatorServer(**overrides).start()
        started.append(server)
        return server

    yield make
    for server in reversed(started):
        server.stop()


@pytest.fixture
def emulator(make_emulator: Callable[..., EmulatorServer]) -> EmulatorServer:
    """A started emulator holding the example instance, stopped after the test."""
    return make_emulator()


class EmulatorApi:
    """A tiny raw-HTTP client for emulator tests: one requests session, the token in the header."""

    def __init__(self, server: EmulatorServer) -> None:
        import requests

        self.server = server
        self.session = requests.Session()
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            answer = self.session.get(f"{self.server.base_url}/identity/oauth/token", timeout=10, params={
                "grant_type": "client_credentials", "client_id": self.server.client_id,
                "client_secret": self.server.client_secret})
            answer.raise_for_status()
            self._token = answer.json()["access_token"]
        return self._token

    def raw(self, method: str, path: str, *, auth: bool = True, headers: dict[str, str] | None = None,
            **kwargs: Any) -> Any:
        headers = dict(headers or {})
        if auth:
            headers.setdefault("Authorization", f"Bearer {self.token()}")
        return self.session.request(method, f"{self.server.base_url}{path}", headers=headers, timeout=10,
                                    **kwargs)

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self.raw("GET", path, params=params).json()

    def post(self, path: str, data: Any = None, **kwargs: Any) -> dict[str, Any]:
        return self.raw("POST", path, data=data, **kwargs).json()

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def api_for() -> Iterator[Callable[[EmulatorServer], EmulatorApi]]:
    """``api_for(server)`` -> an :class:`EmulatorApi` (sessions closed after the test)."""
    made: list[EmulatorApi] = []

    def make(server: EmulatorServer) -> EmulatorApi:
        made.append(EmulatorApi(server))
        return made[-1]

    yield make
    for api in made:
        api.close()


@pytest.fixture
def api(emulator: EmulatorServer, api_for: Callable[[EmulatorServer], EmulatorApi]) -> EmulatorApi:
    """Raw HTTP access to the ``emulator`` fixture."""
    return api_for(emulator)


class CliProject:
    """A project directory, connected through ``MARKETO_*`` variables to one emulator.

    ``run(*argv)`` runs the CLI in process and returns ``(exit code, stdout, stderr)``;
    ``files()`` the campaign files written there (import tests).
    """

    def __init__(self, root: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.root = root
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        monkeypatch.chdir(root)

    def connect(self, server: EmulatorServer) -> None:
        self._monkeypatch.setenv("MARKETO_BASE_URL", server.base_url)
        self._monkeypatch.setenv("MARKETO_CLIENT_ID", server.client_id)
        self._monkeypatch.setenv("MARKETO_CLIENT_SECRET", server.client_secret)

    def run(self, *argv: str) -> tuple[int, str, str]:
        from marketo_sync import cli

        self._capsys.readouterr()
        code = cli.main(list(argv))
        out, err = self._capsys.readouterr()
        return code, out, err

    def files(self, directory: str = "campaigns") -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted((self.root / directory).glob("*.yaml"))}


@pytest.fixture
def cli_project(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> CliProject:
    """An empty project directory (no project file) in which the CLI runs; see :class:`CliProject`."""
    root = tmp_path / "repo"
    root.mkdir()
    return CliProject(root, monkeypatch, capsys)
