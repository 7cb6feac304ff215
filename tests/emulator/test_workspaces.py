"""Workspaces: one "Marketing Activities" root per workspace, paths and records that name it,
and the API's workspace filters (backend and over HTTP)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.seed import SeedError, backend_from_seed, example_seed_path, read_seed_file

TWO_WORKSPACES = Path(__file__).resolve().parents[1] / "data" / "promotion" / "workspaces-instance.yaml"


@pytest.fixture
def backend() -> MarketoBackend:
    return backend_from_seed(TWO_WORKSPACES)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "seed.yaml"
    path.write_text(textwrap.dedent(text))
    return path


# -- the tree ------------------------------------------------------------------------------------

def test_by_name_returns_one_marketing_activities_root_per_workspace(backend: MarketoBackend) -> None:
    roots = backend.get_folders_by_name("Marketing Activities")
    assert [(r["id"], r["workspace"], r["accessZoneId"], r["path"], r["parent"]) for r in roots] == [
        (14, "Default", 1, "/Marketing Activities", None),
        (16, "Events", 2, "/Marketing Activities", None)]
    assert {r["folderType"] for r in roots} == {"Zone"}


def test_paths_carry_the_workspace_as_second_segment(backend: MarketoBackend) -> None:
    webinars = backend.get_folders_by_name("Webinars")
    assert [(r["id"], r["path"], r["workspace"]) for r in webinars] == [
        (1102, "/Marketing Activities/Default/Webinars", "Default"),
        (3102, "/Marketing Activities/Events/Webinars", "Events")]
    program = backend.get_folder((3103, "Program"))[0]
    assert program["path"] == "/Marketing Activities/Events/Webinars/2026-06 Partner Summit Webinar"
    assert backend.get_folder((3106, "Folder"))[0]["path"] == "/Design Studio/Events/Emails"


def test_workspace_filter_of_by_name_and_browse(backend: MarketoBackend) -> None:
    assert [r["id"] for r in backend.get_folders_by_name("Webinars", workspace="Events")] == [3102]
    assert [r["id"] for r in backend.get_folders_by_name("Webinars", workspace="Default")] == [1102]
    assert backend.get_folders_by_name("Webinars", workspace="Nowhere") == []
    events = backend.browse_folders(workspace="Events", max_depth=3, max_return=200)
    assert {r["workspace"] for r in events} == {"Events"}
    assert [r["id"] for r in events] == [16, 3101, 3102, 3103, 17, 3106]
    everything = backend.browse_folders(max_depth=0)
    assert [(r["id"], r["workspace"]) for r in everything] == [
        (14, "Default"), (15, "Default"), (16, "Events"), (17, "Events")]


def test_children_campaigns_and_programs_are_in_their_roots_workspace(backend: MarketoBackend) -> None:
    created = backend.create_folder(name="2026 Field Events", parent=(16, "Folder"))[0]
    assert (created["workspace"], created["path"]) == ("Events", "/Marketing Activities/Events/2026 Field Events")
    clone = backend.clone_campaign(4051, name="Webinar Follow-up Copy", folder=(created["id"], "Folder"))[0]
    assert clone["workspace"] == "Events"
    assert backend.get_campaign(2051)[0]["workspace"] == "Default"
    assert backend.get_campaign_smart_list(4051)[0]["workspace"] == "Events"
    assert backend.get_program(3103)[0]["workspace"] == "Events"
    assert [p["id"] for p in backend.browse_programs(filter_type="workspace", filter_values=["Events"])] == [3103]
    assert backend.browse_programs(filter_type="workspace", filter_values=["Default"]) == []


def test_lead_database_campaigns_filter_on_workspace_name(backend: MarketoBackend) -> None:
    page, _ = backend.list_campaigns(workspace_names=["Events"])
    assert [(c["id"], c["workspaceName"]) for c in page] == [(4001, "Events"), (4051, "Events")]
    page, _ = backend.list_campaigns(names=["Webinar Follow-up"])
    assert [(c["id"], c["workspaceName"]) for c in page] == [(2051, "Default"), (4051, "Events")]


def test_export_and_import_keep_workspaces(backend: MarketoBackend) -> None:
    state = json.loads(json.dumps(backend.export_state()))
    assert state["workspaces"] == [{"name": "Default", "id": 1}, {"name": "Events", "id": 2}]
    other = MarketoBackend()
    other.import_state(state)
    assert [(r["id"], r["workspace"], r["accessZoneId"]) for r in other.get_folders_by_name("Webinars")] == [
        (1102, "Default", 1), (3102, "Events", 2)]


def test_a_state_written_before_workspaces_reads_as_the_primary_workspace() -> None:
    state = backend_from_seed(example_seed_path()).export_state()
    del state["workspaces"]
    for container in state["containers"]:
        del container["workspace"]
    other = MarketoBackend()
    other.import_state(state)
    record = other.get_folder((1102, "Folder"))[0]
    assert (record["workspace"], record["accessZoneId"], record["path"]) == (
        "Default", 1, "/Marketing Activities/Default/Webinars")


def test_a_seed_without_workspaces_is_one_default_workspace() -> None:
    backend = backend_from_seed(example_seed_path())
    assert {(r["workspace"], r["accessZoneId"]) for r in backend.browse_folders(max_depth=5, max_return=200)} == {
        ("Default", 1)}
    assert [r["id"] for r in backend.get_folders_by_name("Marketing Activities")] == [14]


def test_add_folder_helper_makes_a_root_in_another_workspace() -> None:
    backend = MarketoBackend()
    backend.add_folder(None, "Marketing Activities", folder_type="Zone")
    key = backend.add_folder(None, "Marketing Activities", folder_type="Zone", workspace="EMEA")
    record = backend.get_folder(key)[0]
    assert (record["workspace"], record["accessZoneId"]) == ("EMEA", 2)
    with pytest.raises(ValueError, match="already has a root"):
        backend.add_folder(None, "Marketing Activities", workspace="EMEA")


# -- seed format ---------------------------------------------------------------------------------

def test_seed_primary_workspace_with_top_level_folders_and_more_workspaces(tmp_path: Path) -> None:
    backend = backend_from_seed(write(tmp_path, """\
        workspace: Corporate
        folders:
          - {name: Marketing Activities, folders: [{name: Webinars}]}
        workspaces:
          - {name: Events, id: 7, folders: [{name: Marketing Activities, folders: [{name: Webinars}]}]}
          - {name: APAC, folders: [{name: Marketing Activities}]}
        """))
    roots = backend.get_folders_by_name("Marketing Activities")
    assert [(r["workspace"], r["accessZoneId"]) for r in roots] == [("Corporate", 1), ("Events", 7), ("APAC", 2)]
    assert [r["path"] for r in backend.get_folders_by_name("Webinars")] == [
        "/Marketing Activities/Corporate/Webinars", "/Marketing Activities/Events/Webinars"]


@pytest.mark.parametrize(("text", "message"), [
    ("""\
     workspaces:
       - {name: Events}
       - {name: Events}
     """, "line 3: workspaces[1].name: workspace 'Events' is already declared by workspaces[0]"),
    ("""\
     folders: [{name: Marketing Activities}]
     workspaces:
       - {name: Default, folders: [{name: Marketing Activities}]}
     """, "workspaces[0].name: workspace 'Default' is the primary workspace"),
    ("""\
     workspaces:
       - name: Events
         folders: [{name: Marketing Activities}, {name: Marketing Activities}]
     """, "workspaces[0].folders[1].name: 'Marketing Activities' is declared twice in workspace 'Events'"),
    ("""\
     workspaces:
       - {name: Events, zone: 3}
     """, "workspaces[0].zone: unknown key; allowed keys: folders, id, name"),
    ("""\
     workspaces:
       - {name: A, id: 2}
       - {name: B, id: 2}
     """, "seed.workspaces: two workspaces have the same id"),
    ("""\
     workspaces:
       - name: Events
         folders:
           - {name: Marketing Activities, folders: [{name: X, campaigns: [{name: C, active: true}]}]}
     """, "workspaces[0].folders[0].folders[0].campaigns[0].active: only a campaign with a trigger"),
])
def test_bad_workspace_seeds_name_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SeedError) as caught:
        read_seed_file(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_folder_ids_are_global_across_workspaces(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        folders: [{name: Marketing Activities, id: 14}]
        workspaces:
          - {name: Events, folders: [{name: Marketing Activities, id: 14}]}
        """)
    with pytest.raises(SeedError, match="Folder id 14 is used twice"):
        read_seed_file(path)


# -- over HTTP -----------------------------------------------------------------------------------

def test_http_by_name_and_browse_honour_workspace(make_emulator, api_for) -> None:
    api = api_for(make_emulator(seed_path=str(TWO_WORKSPACES)))
    body = api.get("/rest/asset/v1/folder/byName.json", name="Marketing Activities")
    assert [(r["id"], r["workspace"]) for r in body["result"]] == [(14, "Default"), (16, "Events")]
    body = api.get("/rest/asset/v1/folder/byName.json", name="Webinars", workSpace="Events")
    assert [(r["id"], r["path"]) for r in body["result"]] == [(3102, "/Marketing Activities/Events/Webinars")]
    body = api.get("/rest/asset/v1/folders.json", root=json.dumps({"id": 16, "type": "Folder"}),
                   maxDepth=1, workSpace="Events")
    assert [r["id"] for r in body["result"]] == [16, 3101, 3102]
    body = api.get("/rest/asset/v1/smartCampaigns.json", folder=json.dumps({"id": 3102, "type": "Folder"}))
    assert [(r["id"], r["workspace"]) for r in body["result"]] == [(4051, "Events")]
    body = api.get("/rest/v1/campaigns.json", workspaceName="Events")
    assert [r["id"] for r in body["result"]] == [4001, 4051]
