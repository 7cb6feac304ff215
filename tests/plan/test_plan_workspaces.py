"""An environment's `workspace`: paths resolve in that workspace's "Marketing Activities", and
an unresolved path says which workspaces have it (issue 11, acceptance 4)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from marketo_sync.refs import FolderRef
from marketo_sync.remote.read import pick_workspace
from marketo_sync.remote.state import RemoteFolder

TWO_WORKSPACES = Path(__file__).resolve().parents[1] / "data" / "promotion" / "workspaces-instance.yaml"

PROJECT = """\
    campaigns: campaigns
    environments:
      events: {workspace: Events}
      corporate: {}
      apac: {workspace: APAC}
    """
CAMPAIGNS = """\
    folder: Marketing Activities/Webinars
    campaigns:
      - name: Webinar Follow-up
        description: Thanks for attending
        active: true
      - name: Webinar Reminder
        template: Marketing Activities/Templates/Webinar Reminder Template
    """


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def project(cli_project: Any, make_emulator: Any) -> Any:
    server = make_emulator(seed_path=str(TWO_WORKSPACES))
    cli_project.connect(server)
    cli_project.server = server
    write(cli_project.root, "marketo-sync.yaml", PROJECT)
    write(cli_project.root, "campaigns/webinars.yaml", CAMPAIGNS)
    return cli_project


def plan(project: Any, env: str) -> dict[str, Any]:
    code, out, err = project.run("plan", "--format", "json", "--env", env)
    assert code == 0, err
    return json.loads(out)


def summary(doc: dict[str, Any]) -> list[tuple[str, str, int | None, int]]:
    return [(c["action"], c["campaign"]["name"], c["campaign"]["id"], c["campaign"]["folder_ref"]["id"])
            for c in doc["changes"]]


def test_an_environment_with_workspace_events_plans_and_applies_in_that_workspace(project: Any) -> None:
    doc = plan(project, "events")
    assert sorted(summary(doc)) == [("activate", "Webinar Follow-up", 4051, 3102),
                                    ("clone", "Webinar Reminder", None, 3102),
                                    ("update", "Webinar Follow-up", 4051, 3102)]
    [clone] = [c for c in doc["changes"] if c["action"] == "clone"]
    assert clone["template"]["id"] == 4001  # the Events workspace's template
    code, _, err = project.run("apply", "--env", "events", "--auto-approve")
    assert code == 0, err
    backend = project.server.backend
    assert backend.get_campaign(4051)[0]["description"] == "Thanks for attending"
    assert backend.get_campaign(2051)[0]["description"] == "Default workspace's follow-up"
    assert [c["name"] for c in backend.browse_campaigns(folder=(3102, "Folder"))] == [
        "Webinar Follow-up", "Webinar Reminder"]
    assert [c["name"] for c in backend.browse_campaigns(folder=(1102, "Folder"))] == ["Webinar Follow-up"]
    assert plan(project, "events")["changes"] == []


def test_an_environment_without_workspace_resolves_in_default(project: Any) -> None:
    assert sorted(summary(plan(project, "corporate"))) == [("clone", "Webinar Reminder", None, 1102),
                                                           ("update", "Webinar Follow-up", 2051, 1102)]


def test_a_workspace_without_the_path_says_which_workspaces_have_it(project: Any) -> None:
    code, out, err = project.run("plan", "--env", "apac")
    assert code == 1 and out == ""
    assert ("unknown folder 'Marketing Activities/Webinars' (campaign 'Webinar Follow-up'; it is not in "
            "workspace 'APAC' (the environment's `workspace`) but exists in 'Default', 'Events')") in err


def test_a_path_in_several_workspaces_none_named_and_no_default_is_ambiguous(cli_project: Any,
                                                                          make_emulator: Any) -> None:
    tree = {"name": "Marketing Activities", "folders": [{"name": "Webinars"}]}
    server = make_emulator(seed={"workspace": "EMEA", "folders": [tree],
                                 "workspaces": [{"name": "APAC", "folders": [tree]}]})
    cli_project.connect(server)
    write(cli_project.root, "campaigns/webinars.yaml", "folder: Marketing Activities/Webinars\n"
                                                       "campaigns: [{name: Follow-up}]\n")
    code, out, err = cli_project.run("plan")
    assert code == 1 and out == ""
    assert ("it exists in workspaces 'APAC', 'EMEA': set the environment's `workspace` to the one these "
            "files manage") in err


def folder(workspace: str, folder_id: int) -> RemoteFolder:
    return RemoteFolder(ref=FolderRef(folder_id), path="Marketing Activities/W", api_path="", name="W",
                        workspace=workspace)


@pytest.mark.parametrize(("workspaces", "named", "chosen", "others"), [
    (["Default", "Events"], "Events", 2, ("Default",)),
    (["Default", "Events"], None, 1, ("Events",)),
    (["Events"], None, 1, ()),                    # the only workspace that has it
    (["EMEA", "APAC"], None, None, ("APAC", "EMEA")),
    (["Default", "Events"], "APAC", None, ("Default", "Events")),
    (["", "Events"], "APAC", 1, ("Events",)),     # a record without a workspace matches any
    ([], "Events", None, ()),
])
def test_pick_workspace(workspaces: list[str], named: str | None, chosen: int | None,
                        others: tuple[str, ...]) -> None:
    candidates = [folder(w, i) for i, w in enumerate(workspaces, start=1)]
    picked, rest = pick_workspace(candidates, named)
    assert (picked.ref.id if picked else None, rest) == (chosen, others)


def test_the_project_file_reads_workspace_and_refuses_a_bad_one(tmp_path: Path) -> None:
    from marketo_sync.config import parse_project
    from marketo_sync.errors import ConfigError

    path = tmp_path / "marketo-sync.yaml"
    project = parse_project("environments:\n  events: {workspace: Events}\n  plain: {}\n", path)
    assert (project.environment("events").workspace, project.environment("plain").workspace) == ("Events", None)
    with pytest.raises(ConfigError) as caught:
        parse_project("environments:\n  events: {workspace: 5}\n", path)
    assert "environments.events.workspace" in str(caught.value) and "line 2" in str(caught.value)


def test_trigger_and_schedule_resolve_a_campaign_path_in_the_environments_workspace(make_emulator: Any) -> None:
    from marketo_sync.operations.target import resolve_campaign
    from marketo_sync.workflows.session import session_for_url

    server = make_emulator(seed_path=str(TWO_WORKSPACES))
    path = "Marketing Activities/Webinars/Webinar Follow-up"
    with session_for_url(server.base_url, client_id=server.client_id, client_secret=server.client_secret) as session:
        assert resolve_campaign(session.api, path=path, workspace="Events").id == 4051
        assert resolve_campaign(session.api, path=path).id == 2051
