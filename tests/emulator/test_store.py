"""The emulator's indexes (emulator/store.py) stay equal to a full scan after every kind of write.

Browse, by-name and folder-content reads are answered from the indexes, so a stale index would
silently hide or misplace campaigns; each test writes, then compares the indexes with a scan
(``Store.check``) and the API's answers with what a scan of the records says.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.clock import ManualClock
from marketo_sync.emulator.model import PROGRAM
from marketo_sync.emulator.seed import SeedError, backend_from_seed, example_seed_path, read_seed_file
from marketo_sync.emulator.store import Store, gc_paused, index_attributes

SEED = read_seed_file(example_seed_path())
TEMPLATES = (1101, "Folder")
MARCH = (1102, "Program")
OPERATIONAL = (1104, "Folder")
REMINDER, ONBOARDING = 2001, 2002


@dataclass
class Item:
    id: int
    parent: str
    name: str
    size: int = 0


index_attributes(Item, "parent", "name")


def item_store() -> Store[int, Item]:
    return Store(key=lambda i: i.id, order=lambda i: i.id, indexes=("parent", "name"))


def test_store_indexes_follow_inserts_renames_moves_and_deletes() -> None:
    store = item_store()
    for number, (parent, name) in enumerate([("a", "x"), ("b", "x"), ("a", "y"), ("a", "z")], start=1):
        store[10 - number] = Item(10 - number, parent, name)  # inserted in descending id order
    assert [i.id for i in store.ordered()] == [6, 7, 8, 9]
    assert [i.id for i in store.where("parent", "a")] == [6, 7, 9]
    assert [i.id for i in store.where("name", "x")] == [8, 9]

    store[9].name = "y"  # a rename through the attribute re-indexes
    store[6].parent = "c"  # so does a move
    store[7].size = 3  # an attribute that is not indexed changes nothing
    assert [i.id for i in store.where("name", "y")] == [7, 9]
    assert store.first_where("name", "x").id == 8
    assert [i.id for i in store.where("parent", "a")] == [7, 9]
    assert [i.id for i in store.where("parent", "c")] == [6]
    del store[7]
    assert [i.id for i in store.where("parent", "a")] == [9]
    assert [i.id for i in store.ordered(1, 3)] == [8, 9]
    assert store.where("parent", "nowhere") == [] and store.first_where("name", "nowhere") is None
    store.check()

    removed = Item(1, "a", "gone")
    store[1] = removed
    del store[1]
    removed.name = "renamed after removal"  # no longer stored: no index to update, no error
    store.check()
    assert store.count_where("parent", "a") == 1


def test_store_check_catches_a_stale_index() -> None:
    store = item_store()
    store[1] = Item(1, "a", "x")
    store[1].__dict__["name"] = "bypassed"  # what a write around the descriptor would do
    with pytest.raises(AssertionError, match="'name' index"):
        store.check()


def test_store_refuses_a_record_under_another_key() -> None:
    with pytest.raises(KeyError):
        item_store()[2] = Item(1, "a", "x")


@pytest.fixture
def backend() -> MarketoBackend:
    return backend_from_seed(SEED, clock=ManualClock("2026-02-01T12:00:00Z"))


def assert_indexes_match_a_scan(backend: MarketoBackend) -> None:
    backend._campaigns.check()
    backend._containers.check()
    campaigns = sorted(backend._campaigns.values(), key=lambda c: c.id)
    for node in backend._containers.values():
        scanned = [c.id for c in campaigns if c.parent == node.key]
        browsed = [r["id"] for r in backend.browse_campaigns(folder=node.key, max_return=200)]
        assert browsed == scanned, node.key
        children = sorted((c for c in backend._containers.values() if c.parent == node.key),
                          key=lambda c: (c.kind != "Folder", c.id))
        content = backend.get_folder_content(node.key, max_return=200)
        assert content == [{"id": c.id, "type": c.kind} for c in children] + \
            [{"id": i, "type": "Smart Campaign"} for i in scanned]
    everything = [r["id"] for r in backend.browse_campaigns(max_return=200)]
    assert everything == [c.id for c in campaigns][:200]
    for name in {c.name for c in campaigns}:
        first = min(c.id for c in campaigns if c.name == name)
        assert [r["id"] for r in backend.get_campaign_by_name(name)] == [first]


def test_indexes_follow_every_campaign_write(backend: MarketoBackend) -> None:
    created = backend.create_campaign(name="Indexed New", folder=TEMPLATES)[0]["id"]
    clone = backend.clone_campaign(ONBOARDING, name="Indexed Clone", folder=MARCH)[0]["id"]
    backend.update_campaign(created, name="Indexed Renamed")
    backend.delete_campaign(clone)
    assert backend.get_campaign_by_name("Indexed New") == []
    assert backend.get_campaign_by_name("Indexed Renamed")[0]["id"] == created
    assert backend.get_campaign_by_name("Indexed Clone") == []
    assert_indexes_match_a_scan(backend)


def test_indexes_follow_folder_writes_moves_and_program_clones(backend: MarketoBackend) -> None:
    folder = backend.create_folder(name="Indexed Folder", parent=TEMPLATES)[0]["id"]
    backend.update_folder((folder, "Folder"), name="Indexed Folder Renamed")
    assert backend.get_folders_by_name("Indexed Folder Renamed")[0]["id"] == folder
    assert backend.get_folders_by_name("Indexed Folder") == []
    batch = backend.add_campaign(MARCH, "02 - Send Invitations", filters=[{"name": "Member of List", "list": "X"}],
                                 flow=[{"action": "Send Email", "email": "Invitation"}])
    backend.schedule_campaign(batch, clone_to_program_name="Indexed Program Copy")
    copy = backend.get_program_by_name("Indexed Program Copy")[0]["id"]
    assert [r["name"] for r in backend.browse_campaigns(folder=(copy, PROGRAM))] == \
        [r["name"] for r in backend.browse_campaigns(folder=MARCH)]
    backend._campaigns[REMINDER].parent = (folder, "Folder")  # a move, as a future API layer would do it
    assert [r["id"] for r in backend.browse_campaigns(folder=(folder, "Folder"))] == [REMINDER]
    assert REMINDER not in [r["id"] for r in backend.browse_campaigns(folder=TEMPLATES)]
    backend._campaigns[REMINDER].parent = TEMPLATES
    backend.delete_folder((folder, "Folder"))
    clone = backend.clone_program(MARCH[0], name="Indexed Program Clone", folder=(1102, "Folder"))[0]["id"]
    backend.update_program(clone, name="Indexed Program Renamed")
    assert backend.get_program_by_name("Indexed Program Renamed")[0]["id"] == clone
    assert backend.get_program_by_name("Indexed Program Clone") == []
    assert_indexes_match_a_scan(backend)
    backend.delete_program(clone)
    backend.delete_program(copy)
    assert backend.browse_campaigns(folder=(clone, PROGRAM)) == []
    assert_indexes_match_a_scan(backend)


def test_indexes_after_import_and_reset(backend: MarketoBackend) -> None:
    seeded = backend.export_state()
    backend.create_campaign(name="Gone After Reset", folder=TEMPLATES)
    state = backend.export_state()
    backend.reset()
    assert backend.get_campaign_by_name("Gone After Reset") == []
    assert backend.export_state() == seeded  # reset rebuilds exactly the seeded instance
    backend.import_state(state)
    assert backend.get_campaign_by_name("Gone After Reset") != []
    assert_indexes_match_a_scan(backend)


def test_filtered_browse_of_the_instance_pages_like_a_scan(backend: MarketoBackend) -> None:
    campaigns = sorted(backend._campaigns.values(), key=lambda c: c.id)
    active = [c.id for c in campaigns if backend._derived(c)["isActive"]]
    assert len(active) >= 3
    pages = [backend.browse_campaigns(is_active=True, offset=offset, max_return=2) for offset in range(0, 8, 2)]
    assert [r["id"] for page in pages for r in page] == active


def test_a_json_seed_reads_like_its_yaml_and_errors_still_name_the_line(tmp_path: Path) -> None:
    as_json = tmp_path / "seed.json"
    as_json.write_text(json.dumps(SEED, default=str, indent=1), encoding="utf-8")
    assert backend_from_seed(as_json).export_state()["campaigns"] == \
        backend_from_seed(SEED).export_state()["campaigns"]
    broken = json.loads(as_json.read_text())
    broken["folders"][0]["folders"][0]["campaigns"][0]["colour"] = "blue"
    as_json.write_text(json.dumps(broken, default=str, indent=1), encoding="utf-8")
    with pytest.raises(SeedError, match=r"seed\.json, line \d+: .*colour"):
        read_seed_file(as_json)


def test_gc_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("building failed")
    assert gc.isenabled()
