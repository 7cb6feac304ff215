"""Identity tokens, state export/import/reset and thread safety of the emulator backend."""

from __future__ import annotations

import json
import re
import threading

import pytest

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.clock import ManualClock
from marketo_sync.emulator.exceptions import HttpFailure, MarketoApiError
from marketo_sync.emulator.seed import SeedError, backend_from_seed, example_seed_path, read_seed_file

SEED = read_seed_file(example_seed_path())  # parsed once; every test builds its own backend
CREDENTIALS = {"sync-client": "s3cret-value-1", "ops-client": "s3cret-value-2"}
TEMPLATES = (1101, "Folder")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock("2026-02-01T12:00:00Z")


@pytest.fixture
def backend(clock: ManualClock) -> MarketoBackend:
    return backend_from_seed(SEED, clock=clock, credentials=CREDENTIALS)


def api_error(code: str):
    return pytest.raises(MarketoApiError, match=rf"^{code}: ")


def stable(records: list[dict]) -> list[dict]:
    """Records without computedUrl, whose host is volatile on purpose."""
    return [{k: v for k, v in r.items() if k != "computedUrl"} for r in records]


# -- identity ------------------------------------------------------------------------------------

def test_identity_returns_the_same_token_while_valid(backend: MarketoBackend, clock: ManualClock) -> None:
    first = backend.issue_token("sync-client", "s3cret-value-1")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:ab", first["access_token"])
    assert (first["token_type"], first["expires_in"]) == ("bearer", 3600)
    assert first["scope"]
    clock.advance(1000.4)
    again = backend.issue_token("sync-client", "s3cret-value-1")
    assert again["access_token"] == first["access_token"] and again["expires_in"] == 2599
    backend.check_token(first["access_token"])


def test_tokens_expire_after_ttl_and_identity_then_mints_a_new_one(backend: MarketoBackend,
                                                                   clock: ManualClock) -> None:
    old = backend.issue_token("sync-client", "s3cret-value-1")["access_token"]
    clock.advance(3599)
    backend.check_token(old)
    clock.advance(1)
    with api_error("602"):
        backend.check_token(old)
    fresh = backend.issue_token("sync-client", "s3cret-value-1")
    assert fresh["access_token"] != old and fresh["expires_in"] == 3600
    backend.check_token(fresh["access_token"])
    with api_error("602"):
        backend.check_token(old)


def test_each_client_id_has_its_own_token(backend: MarketoBackend, clock: ManualClock) -> None:
    sync_token = backend.issue_token("sync-client", "s3cret-value-1")["access_token"]
    clock.advance(600)
    ops = backend.issue_token("ops-client", "s3cret-value-2")
    assert ops["access_token"] != sync_token and ops["expires_in"] == 3600
    clock.advance(3000)  # sync token expired, ops token still valid
    with api_error("602"):
        backend.check_token(sync_token)
    backend.check_token(ops["access_token"])


@pytest.mark.parametrize(("client_id", "secret"), [
    ("sync-client", "wrong"), ("nobody", "s3cret-value-1"), ("sync-client", ""), ("", "")])
def test_bad_credentials_are_http_401(backend: MarketoBackend, client_id: str, secret: str) -> None:
    with pytest.raises(HttpFailure) as failure:
        backend.issue_token(client_id, secret)
    assert failure.value.status == 401
    assert failure.value.body == {"error": "invalid_client", "error_description": "Bad client credentials"}
    assert secret not in str(failure.value) or not secret


@pytest.mark.parametrize("token", [None, "", "0000:ab", "not-a-token"])
def test_missing_or_unknown_tokens_are_601(backend: MarketoBackend, token: str | None) -> None:
    with api_error("601"):
        backend.check_token(token)


def test_expire_tokens_forces_602_then_a_new_token(backend: MarketoBackend) -> None:
    token = backend.issue_token("sync-client", "s3cret-value-1")["access_token"]
    backend.expire_tokens()
    with api_error("602"):
        backend.check_token(token)
    fresh = backend.issue_token("sync-client", "s3cret-value-1")["access_token"]
    assert fresh != token
    backend.check_token(fresh)


def test_custom_token_ttl(clock: ManualClock) -> None:
    backend = MarketoBackend(clock=clock, token_ttl=30, credentials={"c": "s"})
    body = backend.issue_token("c", "s")
    assert body["expires_in"] == 30
    clock.advance(30)
    with api_error("602"):
        backend.check_token(body["access_token"])


def test_without_configured_credentials_any_non_empty_pair_is_accepted(clock: ManualClock) -> None:
    backend = MarketoBackend(clock=clock)
    assert backend.issue_token("anyone", "anything")["access_token"]
    with pytest.raises(HttpFailure):
        backend.issue_token("anyone", "")


# -- state -----------------------------------------------------------------------------------------

def mutate(backend: MarketoBackend) -> dict[str, int]:
    clone = backend.clone_campaign(2001, name="Send Webinar Reminder", folder=(1102, "Program"))[0]
    backend.activate_campaign(clone["id"])
    backend.delete_campaign(2033)
    folder = backend.create_folder(name="2026 Events", parent=(14, "Folder"))[0]
    backend.upsert_token((1103, "Program"), name="WebinarDate", type="date", value="2026-05-14")
    backend.request_campaign(2001, leads=[1002200, 99], tokens=[{"name": "{{my.WebinarTitle}}", "value": "T"}])
    backend.schedule_campaign(2022, run_at="2026-02-02T09:00:00Z")
    lead = backend.sync_leads(leads=[{"email": "new@example.com"}])[0]
    return {"clone": clone["id"], "folder": folder["id"], "lead": lead["id"]}


def snapshot(backend: MarketoBackend) -> dict:
    return {
        "campaigns": stable(backend.browse_campaigns(max_return=200, include_flow=True)),
        "folders": backend.browse_folders(max_depth=9, max_return=200),
        "tokens": backend.get_tokens((1103, "Program")),
        "requests": backend.requests(), "schedules": backend.schedules(),
        "leads": backend.get_leads(filter_type="email", filter_values=["new@example.com", "lead0@example.com"]),
    }


def test_export_import_round_trips_everything(backend: MarketoBackend, clock: ManualClock) -> None:
    token = backend.issue_token("sync-client", "s3cret-value-1")["access_token"]
    ids = mutate(backend)
    state = json.loads(json.dumps(backend.export_state()))  # JSON-ready
    restored = MarketoBackend(clock=clock, credentials=CREDENTIALS)
    restored.import_state(state)
    assert snapshot(restored) == snapshot(backend)
    assert restored.export_state() == backend.export_state()
    restored.check_token(token)  # a token issued before the export stays valid
    # Id counters survive: the next ids are the same in both, and never reuse deleted ones.
    next_original = backend.create_campaign(name="Next", folder=TEMPLATES)[0]["id"]
    next_restored = restored.create_campaign(name="Next", folder=TEMPLATES)[0]["id"]
    assert next_original == next_restored > ids["clone"]
    assert restored.create_folder(name="More", parent=(14, "Folder"))[0]["id"] > ids["folder"]
    assert restored.sync_leads(leads=[{"email": "later@example.com"}])[0]["id"] > ids["lead"]


def test_exported_state_holds_no_secret(backend: MarketoBackend) -> None:
    token = backend.issue_token("sync-client", "s3cret-value-1")["access_token"]
    text = json.dumps(backend.export_state())
    assert token not in text and token.split(":")[0] not in text
    assert "s3cret-value-1" not in text and "s3cret-value-2" not in text


def test_import_rejects_foreign_documents(backend: MarketoBackend) -> None:
    with pytest.raises(ValueError, match="version"):
        backend.import_state({"campaigns": []})


def test_reset_returns_to_the_seed_and_keeps_tokens(backend: MarketoBackend) -> None:
    seeded = snapshot(backend)
    token = backend.issue_token("sync-client", "s3cret-value-1")["access_token"]
    mutate(backend)
    assert snapshot(backend) != seeded
    backend.reset()
    assert snapshot(backend) == seeded
    backend.check_token(token)


def test_reset_of_an_unseeded_backend_empties_it(clock: ManualClock) -> None:
    backend = MarketoBackend(clock=clock)
    backend.add_campaign(backend.add_folder(backend.add_folder(None, "Marketing Activities"), "F"), "C")
    backend.reset()
    assert backend.browse_campaigns() == [] and backend.browse_folders() == []


def test_a_failing_seed_leaves_the_instance_unchanged(backend: MarketoBackend) -> None:
    before = snapshot(backend)
    with pytest.raises(SeedError):
        backend.load_seed({"folders": [{"name": "Marketing Activities", "campaigns": [{"name": "X", "active": 1}]}]})
    assert snapshot(backend) == before


# -- threads ---------------------------------------------------------------------------------------

def test_concurrent_writes_are_atomic(backend: MarketoBackend) -> None:
    created: list[int] = []
    duplicates: list[str] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(40):
            created.append(backend.create_campaign(name=f"T{n}-{i}", folder=TEMPLATES)[0]["id"])
            try:
                backend.create_campaign(name="Contested", folder=TEMPLATES)
            except MarketoApiError as exc:
                duplicates.append(exc.code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 320 and len(set(created)) == 320
    assert duplicates == ["709"] * (8 * 40 - 1)  # exactly one "Contested" was created
    assert len(backend.browse_campaigns(folder=TEMPLATES, max_return=200, offset=200)) == 126


def test_backends_built_from_one_seed_document_share_nothing(clock: ManualClock) -> None:
    first = backend_from_seed(SEED, clock=clock)
    second = backend_from_seed(SEED, clock=clock)
    before = snapshot(second)
    mutate(first)
    first.update_campaign(2002, description="changed in the first backend only")
    first.upsert_token((1102, "Program"), name="WebinarTitle", type="text", value="Changed")
    assert snapshot(second) == before
    assert backend_from_seed(SEED, clock=clock).get_tokens((1102, "Program")) == second.get_tokens((1102, "Program"))
