"""Issue 3 acceptance 6: a verbose run never shows the client secret or an access token.

Every log record of every logger (root at DEBUG, so urllib3's request lines too), stdout
and stderr, the text of every exception and the reprs of the client's objects are
collected, then searched for the secret and for every access token the run used.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator

import pytest
import requests

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient, RetryPolicy
from marketo_sync.emulator import EmulatorServer
from marketo_sync.errors import MarketoSyncError
from marketo_sync.refs import FolderRef

SECRET = "very-secret-client-secret-4711"
QUICK = RetryPolicy(attempts=8, deadline=30.0, initial=0.01, max_wait=0.05, jitter=0.01)


class Everything(logging.Handler):
    """Keeps every record, formatted with its traceback (if any)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def everything() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_verbose_run_leaks_neither_secret_nor_token(make_emulator: Callable[..., EmulatorServer],
                                                     everything: Everything,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    server = make_emulator(client_secret=SECRET, token_ttl=1.0, fault_rate=0.2, fault_seed=3)
    tokens: set[str] = set()
    session = requests.Session()
    session.hooks["response"].append(
        lambda answer, *a, **k: tokens.add(answer.request.headers.get("Authorization", "")[7:]))
    texts: list[str] = []
    settings = ClientSettings(base_url=server.base_url, client_id=server.client_id, client_secret=SECRET)
    with session, MarketoClient(settings, session=session, retry=QUICK) as client:
        api = MarketoApi(client)
        texts += [repr(settings), str(settings), repr(client), repr(client._auth), repr(client.stats)]
        api.browse_campaigns()
        for _ in range(20):
            api.get_campaign(2001)
        server.set_faults(expire_tokens=True)
        api.get_tokens(FolderRef(1101))
        server.set_faults(fault_rate=0.0, script=[
            {"method": "POST", "path": "/rest/asset/v1/smartCampaigns.json", "fault": "drop_after_commit"}])
        for attempt in (lambda: api.create_campaign(name="Lost", folder=FolderRef(1101)),
                        lambda: api.create_campaign(name="Bad", folder=FolderRef(999999)),
                        lambda: api.request_campaign(2001, leads=[1], tokens={"T": "v"})):
            try:
                attempt()
            except MarketoSyncError as exc:
                texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        logging.getLogger("marketo_sync").info("summary: %s", client.stats.summary())
        texts.append(client.stats.summary())
    bad = ClientSettings(base_url=server.base_url, client_id=server.client_id, client_secret=SECRET + "-wrong")
    with MarketoClient(bad, retry=QUICK) as wrong:
        try:
            MarketoApi(wrong).get_campaign(1)
        except MarketoSyncError as exc:
            texts += [str(exc), "".join(traceback.format_exception(exc))]
    out, err = capfd.readouterr()
    tokens.discard("")
    assert len(tokens) >= 2, "the run must have used more than one access token"
    assert any("client_secret=" in line for line in everything.lines), "urllib3's request lines were captured"
    assert len(everything.lines) > 20
    haystack = "\n".join([*everything.lines, *texts, out, err, str(server.calls())])
    for needle in (SECRET, *tokens):
        assert needle not in haystack


def test_swapped_client_id_and_secret_never_appear_in_errors_or_reprs(emulator: EmulatorServer) -> None:
    """With the two variables swapped, the "client id" the tool holds is the secret: never echo it."""
    swapped = ClientSettings(base_url=emulator.base_url, client_id=emulator.client_secret,
                             client_secret=emulator.client_id)
    with MarketoClient(swapped, retry=QUICK) as client, pytest.raises(MarketoSyncError) as caught:
        MarketoApi(client).get_campaign(2001)
    texts = [str(caught.value), repr(caught.value), "".join(traceback.format_exception(caught.value)),
             str(swapped), repr(client)]
    assert "MARKETO_CLIENT_ID / MARKETO_CLIENT_SECRET" in str(caught.value)
    for text in texts:
        assert emulator.client_secret not in text and emulator.client_id not in text


def test_cli_plan_with_swapped_variables_shows_the_secret_nowhere(make_emulator: Callable[..., EmulatorServer],
                                                                  cli_project, everything: Everything,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15: ``plan -vv`` run with MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET swapped (an easy CI
    mistake): the secret is in neither stdout, stderr, the log, nor the emulator's call log."""
    server = make_emulator(client_secret=SECRET)
    (cli_project.root / "campaigns").mkdir()
    (cli_project.root / "campaigns" / "ops.yaml").write_text(
        "folder: Marketing Activities/Operational\ncampaigns:\n  - name: Swapped Credentials Check\n",
        encoding="utf-8")
    cli_project.connect(server)
    monkeypatch.setenv("MARKETO_CLIENT_ID", SECRET)
    monkeypatch.setenv("MARKETO_CLIENT_SECRET", server.client_id)

    code, out, err = cli_project.run("plan", "-vv")
    assert code == 1
    assert "MARKETO_CLIENT_ID" in err and "Traceback" not in err
    calls = server.calls()
    assert any(call["kind"] == "identity" for call in calls), "the swapped credentials reached the emulator"
    logged = requests.get(f"{server.base_url}/_emulator/calls", timeout=10).text  # the side door's view too
    for text in (out, err, "\n".join(everything.lines), str(calls), logged):
        assert SECRET not in text
