"""Promotion from sandbox to production, against two emulators whose ids all differ (issue 11,
acceptance 1-3): the repository's example project, unedited, and the same files applied to
both instances, then compared."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from marketo_sync.emulator.seed import example_seed_path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SEED = ROOT / "tests" / "data" / "promotion" / "production-instance.yaml"

#: The example project's `webinars` variable in each environment (marketo-sync.yaml).
WEBINARS = {"sandbox": "Marketing Activities/Webinars", "production": "Marketing Activities/Events/Webinars"}

#: Added to the example's files for acceptance 2: a per-environment id, a rename by
#: previous_names and an existing campaign activated without a pin.
EXTRA_FILES = {
    "campaigns/templates.yaml": """\
        folder: ${templates}
        campaigns:
          - name: Onboarding Step Template (2 days)
            id: {sandbox: 2002, production: 7002}
            description: One onboarding email, then two days before the next step may be requested
          - name: Form Fill Follow-up Template
            active: true
        """,
    "campaigns/newsletter-rename.yaml": """\
        folder: ${newsletters}
        campaigns:
          - name: Monthly Newsletter - 2025-11
            previous_names: [Monthly Newsletter - November]
        """,
}


def actions(plan: dict[str, Any], env: str) -> list[tuple[str, str, str]]:
    """(action, target path with the environment's webinars folder written as in sandbox, name):
    what a plan does, without ids (they differ between instances)."""
    found = []
    for change in plan["changes"]:
        target = change.get("campaign") or change.get("token") or change.get("container")
        folder = target["folder"].replace(WEBINARS[env], WEBINARS["sandbox"], 1)
        found.append((change["action"], folder, target["name"]))
    return sorted(found)


def test_the_example_project_plans_and_applies_unedited_against_production(promotion: Any) -> None:
    """Acceptance 1: every id differs and Webinars is below Events; the files are not touched."""
    before = {p.name: p.read_bytes() for p in (promotion.root / "campaigns").glob("*.yaml")}
    plan = promotion.plan("production")
    assert plan["changes"], "the example project has changes to make"
    ids = {c["campaign"]["id"] for c in plan["changes"] if c.get("campaign") and c["campaign"]["id"]}
    assert ids and all(i > 7000 for i in ids)  # production's campaigns, never a sandbox id
    promotion.apply("production")
    assert promotion.plan("production")["changes"] == []
    reminder = [c for c in promotion.servers["production"].backend.browse_campaigns(folder=(6102, "Program"))
                if c["name"] == "Send Webinar Reminder"]
    assert [c["isActive"] for c in reminder] == [True]
    assert {p.name: p.read_bytes() for p in (promotion.root / "campaigns").glob("*.yaml")} == before


def test_the_same_files_converge_sandbox_then_production(promotion: Any) -> None:
    """Acceptance 2."""
    promotion.add_files(EXTRA_FILES)
    sandbox_plan = promotion.plan("sandbox")
    promotion.apply("sandbox")
    production_plan = promotion.plan("production")
    assert actions(production_plan, "production") == actions(sandbox_plan, "sandbox")
    promotion.apply("production")
    assert promotion.plan("sandbox")["changes"] == [] and promotion.plan("production")["changes"] == []

    for env, shift in (("sandbox", 0), ("production", 5000)):
        # the per-environment id renamed the right campaign in each instance
        assert promotion.campaign(env, 2002 + shift)["name"] == "Onboarding Step Template (2 days)"
        # previous_names renamed in place: each instance keeps its id
        assert promotion.campaign(env, 2021 + shift)["name"] == "Monthly Newsletter - 2025-11"
        # an existing campaign declared active: true without a pin is activated
        assert promotion.campaign(env, 2003 + shift)["isActive"] is True
        names = [c["name"] for c in promotion.servers[env].backend.browse_campaigns(max_return=200)]
        assert "Monthly Newsletter - November" not in names and names.count("Monthly Newsletter - 2025-11") == 1


def test_compare_is_same_when_converged_and_names_a_ui_edit(promotion: Any) -> None:
    """Acceptance 3."""
    promotion.apply("sandbox")
    promotion.apply("production")
    code, out, err = promotion.run("compare", "--env", "sandbox", "--env", "production")
    assert code == 0, out + err
    assert "same" in out.splitlines()[0]

    promotion.servers["production"].backend.update_campaign(7031, description="Edited in the Marketo UI")
    code, out, err = promotion.run("compare", "--env", "sandbox", "--env", "production")
    assert code == 2, err
    assert "~ Marketing Activities/Operational/Data Hygiene - Fix Country Values" in out
    assert "sandbox id 2031, production id 7031" in out
    assert 'description: sandbox "Normalises' in out and 'production "Edited in the Marketo UI"' in out

    code, out, _ = promotion.run("compare", "--env", "sandbox", "--env", "production", "--format", "json")
    assert code == 2
    doc = json.loads(out)
    assert doc["same"] is False and doc["environments"] == ["sandbox", "production"]
    for env in ("sandbox", "production"):  # frugal: each instance read exactly as plan reads it
        assert doc["read_calls"][env] == promotion.plan(env)["summary"]["api"]["read_calls"] > 0
    differing = [c for c in doc["campaigns"] if not c["same"]]
    assert [(c["name"], c["ids"], [d["field"] for d in c["differences"]]) for c in differing] == [
        ("Data Hygiene - Fix Country Values", {"sandbox": 2031, "production": 7031}, ["description"])]
    assert differing[0]["differences"][0]["values"]["production"] == "Edited in the Marketo UI"
    webinar = next(c for c in doc["campaigns"] if c["name"] == "01 - Registration Confirmation")
    assert webinar["same"] and webinar["ids"] == {"sandbox": 2011, "production": 7011}
    assert webinar["paths"]["production"].startswith("Marketing Activities/Events/Webinars/")


def test_compare_before_promotion_shows_production_behind(promotion: Any) -> None:
    promotion.apply("sandbox")
    code, out, _ = promotion.run("compare", "--env", "sandbox", "--env", "production", "--format", "json")
    assert code == 2
    doc = json.loads(out)
    only_sandbox = [c["name"] for c in doc["campaigns"]
                    if [d["field"] for d in c["differences"]] == ["exists"]]
    # the January newsletter, the March reminder, and the reminder of the April program (cloned
    # from the template program in sandbox only)
    assert sorted(only_sandbox) == ["Monthly Newsletter - January", "Send Webinar Reminder", "Send Webinar Reminder"]
    token = next(t for t in doc["tokens"] if t["name"] == "WebinarTitle")
    assert token["differences"] == [{"field": "value", "values": {
        "sandbox": "Scaling Customer Engagement in 2026", "production": "Scaling Customer Engagement in 2025"}}]
    code, out, _ = promotion.run("compare", "--env", "sandbox", "--env", "production",
                                 "--target", "marketing activities/operational")
    assert code == 2 and "Webinar" not in out and "Score - Web Visit" in out
    code, out, _ = promotion.run("compare", "--env", "sandbox", "--env", "production",
                                 "--target", "Marketing Activities/Events/Webinars")  # production's path
    assert code == 2 and "Send Webinar Reminder" in out and "Newsletter" not in out


def test_compare_refuses_a_target_that_names_nothing_before_any_call(promotion: Any) -> None:
    code, out, err = promotion.run("compare", "--env", "sandbox", "--env", "production",
                                   "--target", "Marketing Activities/Nowhere")
    assert code == 1 and out == ""
    assert "--target 'Marketing Activities/Nowhere' names no declared campaign" in err
    assert all(list(server.calls()) == [] for server in promotion.servers.values())


@pytest.mark.parametrize("envs", [["sandbox"], ["sandbox", "sandbox"], ["sandbox", "staging"]])
def test_compare_refuses_anything_but_two_known_environments_before_any_call(promotion: Any,
                                                                            envs: list[str]) -> None:
    argv = [arg for env in envs for arg in ("--env", env)]
    code, out, err = promotion.run("compare", *argv)
    assert code == 1 and out == ""
    assert "Error:" in err and "Traceback" not in err
    assert all(list(server.calls()) == [] for server in promotion.servers.values())


def test_compare_lists_undeclared_campaigns_of_exclusive_folders(promotion: Any) -> None:
    promotion.add_files({"campaigns/operational-exclusive.yaml": "folder: ${operational}\nmanaged: exclusive\n"
                                                                 "campaigns: []\n"})
    for env, folder in (("sandbox", 1104), ("production", 6104)):
        promotion.servers[env].backend.add_campaign((folder, "Folder"), "Hand-made", description=env,
                                                    triggers=["Visits Web Page"], flow=["Change Score"])
    promotion.servers["production"].backend.add_campaign((6104, "Folder"), "Only Here", filters=["Country"])
    code, out, _ = promotion.run("compare", "--env", "sandbox", "--env", "production", "--format", "json",
                                 "--target", "Marketing Activities/Operational")
    assert code == 2
    undeclared = {c["name"]: c for c in json.loads(out)["campaigns"] if "undeclared" in c["location"]}
    assert sorted(undeclared) == ["Hand-made", "Only Here"]
    assert [d["field"] for d in undeclared["Hand-made"]["differences"]] == ["description"]
    assert undeclared["Only Here"]["differences"] == [{"field": "exists", "values": {"sandbox": False,
                                                                                     "production": True}}]


def test_compare_shows_a_flow_edited_in_production_when_rules_are_expected(promotion: Any) -> None:
    webinar = promotion.root / "campaigns" / "webinar-2026-03.yaml"
    text = webinar.read_text(encoding="utf-8")
    old = "expect: {type: trigger, isRequestable: true, qualificationRuleType: once}"
    assert old in text
    webinar.write_text(text.replace(old, "expect: {type: trigger, isRequestable: true, rules: template}"),
                       encoding="utf-8")
    promotion.apply("sandbox")
    promotion.apply("production")
    code, out, err = promotion.run("compare", "--env", "sandbox", "--env", "production")
    assert code == 0, out + err
    backend = promotion.servers["production"].backend
    [clone] = [c for c in backend.browse_campaigns(folder=(6102, "Program")) if c["name"] == "Send Webinar Reminder"]
    backend.add_flow_step(clone["id"], activity_type_id=22, index=1)  # a Change Score step, added in the UI
    code, out, _ = promotion.run("compare", "--env", "sandbox", "--env", "production")
    assert code == 2
    assert "Send Webinar Reminder" in out and "rules: triggers, filters or flow steps differ (1)" in out
    assert "flow step 2 extra: 'Change Score' (not in sandbox)" in out


def test_a_verbose_compare_leaks_no_secret(cli_project: Any, make_emulator: Any, monkeypatch: Any,
                                           caplog: Any) -> None:
    import logging

    secrets = {"sandbox": "sandbox-s3cret-never-printed-1b2c", "production": "prod-s3cret-never-printed-9f8e"}
    shutil.copy(ROOT / "marketo-sync.yaml", cli_project.root / "marketo-sync.yaml")
    shutil.copytree(ROOT / "campaigns", cli_project.root / "campaigns")
    for env, secret in secrets.items():
        seed = example_seed_path() if env == "sandbox" else PRODUCTION_SEED
        server = make_emulator(seed_path=str(seed), client_id=f"{env}-client", client_secret=secret)
        prefix = f"MARKETO_{env.upper()}_"
        monkeypatch.setenv(prefix + "BASE_URL", server.base_url)
        monkeypatch.setenv(prefix + "CLIENT_ID", f"{env}-client")
        monkeypatch.setenv(prefix + "CLIENT_SECRET", secret)
    caplog.set_level(logging.DEBUG)
    for fmt in ("text", "markdown", "json"):
        code, out, err = cli_project.run("-vv", "compare", "--env", "sandbox", "--env", "production", "--format", fmt)
        assert code == 0, err
        logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
        assert "smartCampaigns.json" in logged + err  # the verbose run did log its calls
        for secret in secrets.values():
            assert secret not in out + err + logged
