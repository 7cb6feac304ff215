"""Identity that travels between instances: `id` per environment, `previous_names`, and
`active: true` on an existing campaign without a pin (loader offline, planner over HTTP)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from marketo_sync.desired.load import load_desired
from marketo_sync.errors import ValidationError

DATA = Path(__file__).resolve().parents[1] / "data" / "plan" / "promotion"


def write(root: Path, text: str, name: str = "campaigns/a.yaml") -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def reasons(root: Path, **kwargs: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_desired([root / "campaigns"], root=root, **kwargs)
    return list(caught.value.reasons)


# -- the loader (offline) ------------------------------------------------------------------------

def test_an_id_mapping_pins_only_in_the_environments_it_names(tmp_path: Path) -> None:
    write(tmp_path, """\
        folder: Marketing Activities/Webinars
        campaigns:
          - name: 01 - Registration Confirmation
            id: {sandbox: 2011, production: 7011}
          - {name: Plain, id: 2012}
        """)
    environments = ("sandbox", "production", "emulator")

    def load(env: str) -> dict[str, Any]:
        desired = load_desired([tmp_path / "campaigns"], root=tmp_path, environment=env, environments=environments)
        return {c.name: (c.id, dict(c.ids)) for c in desired.campaigns}

    mapping = {"sandbox": 2011, "production": 7011}
    assert load("sandbox") == {"01 - Registration Confirmation": (2011, mapping), "Plain": (2012, {})}
    assert load("production")["01 - Registration Confirmation"] == (7011, mapping)
    assert load("emulator")["01 - Registration Confirmation"] == (None, mapping)  # matched by path and name


def test_an_id_mapping_naming_an_unknown_environment_is_refused_at_its_key(tmp_path: Path) -> None:
    write(tmp_path, """\
        folder: F
        campaigns:
          - name: A
            id: {sandbox: 2011, prodution: 7011}
        """)
    [reason] = reasons(tmp_path, environment="sandbox", environments=("sandbox", "production"))
    assert reason.startswith("campaigns[0].id.prodution: `id` names environment 'prodution', which the "
                             "project does not define (defined: production, sandbox)")
    assert reason.endswith("(campaigns/a.yaml, line 4, column 25)")


@pytest.mark.parametrize("value", ["{sandbox: 0}", "{sandbox: x}", "{}", "[1, 2]"])
def test_a_bad_id_is_refused(tmp_path: Path, value: str) -> None:
    write(tmp_path, f"folder: F\ncampaigns:\n  - {{name: A, id: {value}}}\n")
    [reason] = reasons(tmp_path, environment="sandbox")
    assert "campaigns[0].id" in reason and "line 3" in reason


def test_previous_names_cannot_name_the_campaign_itself_or_another_declaration(tmp_path: Path) -> None:
    write(tmp_path, """\
        folder: F
        campaigns:
          - {name: Old, description: still declared}
          - {name: New, previous_names: [Older, Old]}
          - {name: Self, previous_names: [Self]}
          - {name: Older}
        """)
    found = reasons(tmp_path)
    assert len(found) == 3, found
    assert "line 4" in found[0] and "campaigns[1].previous_names[1]" in found[0]
    assert "previous name 'Old' of 'New' is declared as a campaign at campaigns/a.yaml, line 3" in found[0]
    assert "campaigns[2].previous_names[0]: previous name 'Self' is the campaign's own name" in found[1]
    assert "campaigns[3].name: campaign 'Older' is declared here and is a previous name of another" in found[2]


def test_active_true_without_template_or_id_loads_offline(tmp_path: Path) -> None:
    write(tmp_path, "folder: Marketing Activities/Operational\ncampaigns:\n  - {name: Legacy Lead Routing, active: true}\n")
    [campaign] = load_desired([tmp_path / "campaigns"], root=tmp_path).campaigns
    assert (campaign.active, campaign.template, campaign.id) == (True, None, None)


# -- the planner, against the emulator -----------------------------------------------------------

def plan_json(cli_project: Any, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    code, out, err = cli_project.run("plan", "--format", "json", *args)
    return code, (json.loads(out) if code == 0 else None), err


def actions(plan: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    return [(c["action"], c["campaign"]["name"], c["campaign"]["id"]) for c in plan["changes"]]


def test_previous_names_rename_in_place_keeping_the_id(cli_project: Any, emulator: Any) -> None:
    cli_project.connect(emulator)
    write(cli_project.root, """\
        folder: Marketing Activities/Operational
        campaigns:
          - name: Score - Web Visit (paused)
            previous_names: [Score - Web Visits, Score - Web Visit]
        """)
    code, plan, err = plan_json(cli_project)
    assert code == 0, err
    assert actions(plan) == [("update", "Score - Web Visit (paused)", 2032)]
    assert plan["changes"][0]["before"] == {"name": "Score - Web Visit"}
    code, _, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, err
    [record] = emulator.backend.get_campaign(2032)
    assert record["name"] == "Score - Web Visit (paused)"
    code, plan, err = plan_json(cli_project)
    assert code == 0 and plan["changes"] == [], err


def test_a_previous_name_beside_the_new_name_is_a_plan_error(cli_project: Any, emulator: Any) -> None:
    cli_project.connect(emulator)
    emulator.backend.add_campaign((1104, "Folder"), "Score - Web Visit v2", triggers=["Visits Web Page"],
                                  flow=["Change Score"])
    write(cli_project.root, """\
        folder: Marketing Activities/Operational
        campaigns:
          - {name: Score - Web Visit v2, previous_names: [Score - Web Visit], description: new}
        """)
    code, out, err = cli_project.run("plan")
    assert code == 1 and out == ""
    assert ("its previous name 'Score - Web Visit' is campaign id 2032, beside campaign id" in err
            and "in 'Marketing Activities/Operational'" in err and "campaigns/a.yaml, line 3" in err)


def test_active_true_on_an_existing_campaign_without_a_pin_activates_it(cli_project: Any, emulator: Any) -> None:
    cli_project.connect(emulator)
    write(cli_project.root, "folder: Marketing Activities/Operational\ncampaigns:\n"
                            "  - {name: Legacy Lead Routing, active: true}\n")
    code, plan, err = plan_json(cli_project)
    assert code == 0, err
    assert actions(plan) == [("activate", "Legacy Lead Routing", 2033)]
    code, _, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, err
    assert emulator.backend.get_campaign(2033)[0]["isActive"] is True


def test_a_missing_campaign_with_active_true_and_no_template_is_a_plan_error(cli_project: Any,
                                                                              emulator: Any) -> None:
    cli_project.connect(emulator)
    source = DATA / "active_missing_without_template" / "campaigns" / "campaigns.yaml"
    write(cli_project.root, source.read_text(encoding="utf-8"))
    code, out, err = cli_project.run("plan")
    assert code == 1 and out == ""
    assert "campaign 'Brand New Trigger' must be created and activated but has no template" in err
    assert "campaigns/a.yaml, line 3" in err
    assert [c for c in emulator.calls() if c["method"] == "POST" and c["kind"] == "api"] == []


def test_each_environment_uses_its_own_entry_of_the_id_mapping(cli_project: Any, emulator: Any) -> None:
    cli_project.connect(emulator)
    write(cli_project.root, """\
        campaigns: campaigns
        environments:
          sandbox: {variables: {ops: Marketing Activities/Operational}}
          production: {variables: {ops: Marketing Activities/Operational}}
          qa: {variables: {ops: Marketing Activities/Operational}}
        """, name="marketo-sync.yaml")
    write(cli_project.root, """\
        folder: ${ops}
        campaigns:
          - {name: Web Visit Score, id: {sandbox: 2032, production: 9999}}
        """)
    code, plan, err = plan_json(cli_project, "--env", "sandbox")
    assert code == 0, err
    assert actions(plan) == [("update", "Web Visit Score", 2032)]  # a rename: the pin wins
    code, out, err = cli_project.run("plan", "--env", "production")
    assert code == 1
    assert "pinned id 9999 (its `production` entry) does not exist in the instance" in err
    code, plan, err = plan_json(cli_project, "--env", "qa")  # no entry: by path and name
    assert code == 0, err
    assert [a for a, _, _ in actions(plan)] == ["create"]
