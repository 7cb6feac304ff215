"""The "production" seed of the promotion tests is the example instance with every id shifted
and Webinars moved below "Events": nothing else may differ (issue 11, acceptance 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from example_counts import campaigns as seeded_campaigns

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.seed import backend_from_seed, example_seed_path

PRODUCTION = Path(__file__).resolve().parents[1] / "data" / "promotion" / "production-instance.yaml"
SHIFT = 5000
MOVED = ("Marketing Activities/Webinars", "Marketing Activities/Events/Webinars")


def user_path(backend: MarketoBackend, folder: dict[str, Any]) -> str:
    """The API path without its workspace segment, as campaign files write it."""
    segments = backend.get_folder((folder["id"], folder["type"]))[0]["path"].strip("/").split("/")
    return "/".join(segments[:1] + segments[2:])


def moved(path: str) -> str:
    old, new = MOVED
    return new + path[len(old):] if path == old or path.startswith(old + "/") else path


def campaigns(backend: MarketoBackend) -> dict[tuple[str, str], dict[str, Any]]:
    """(user path, name) -> what may not differ between the instances, plus the id."""
    found = {}
    parents = {c["id"]: c["parent"] for c in backend.export_state()["campaigns"]}  # system ones carry no folder
    for record in backend.browse_campaigns(max_return=200, include_flow=True):
        rules = backend.get_campaign_smart_list(record["id"], include_rules=True)[0]["rules"]
        parent = {"id": parents[record["id"]][0], "type": parents[record["id"]][1]}
        found[(user_path(backend, parent), record["name"])] = {
            "id": record["id"], "description": record["description"], "type": record["type"],
            "isActive": record["isActive"], "status": record["status"], "isSystem": record["isSystem"],
            "qualificationRuleType": record["qualificationRuleType"],
            "triggers": [(r["name"], [c.get("values") for c in r["conditions"]]) for r in rules["triggers"]],
            "filters": [(r["name"], [c.get("values") for c in r["conditions"]]) for r in rules["filters"]],
            "flow": [(s["activityTypeName"], [[(a["name"], a["value"]) for a in choice["attributes"]]
                                              for choice in s["stepChoice"]]) for s in record["flow"]["steps"]],
        }
    return found


def containers(backend: MarketoBackend) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for record in backend.browse_folders(max_depth=10, max_return=200):
        kind = record["folderId"]["type"]
        tokens = backend.get_tokens((record["id"], kind))[0]["tokens"]
        found[(user_path(backend, {"id": record["id"], "type": kind}), kind)] = {
            "id": record["id"], "description": record["description"], "folderType": record["folderType"],
            "tokens": [(t["name"], t["type"], t["value"]) for t in tokens]}
    return found


def test_production_seed_is_the_example_with_ids_shifted_and_webinars_moved() -> None:
    sandbox, production = backend_from_seed(example_seed_path()), backend_from_seed(PRODUCTION)

    sandbox_campaigns, production_campaigns = campaigns(sandbox), campaigns(production)
    assert len(sandbox_campaigns) == len(seeded_campaigns())
    expected = {(moved(path), name): dict(facts, id=facts["id"] + SHIFT)
                for (path, name), facts in sandbox_campaigns.items()}
    assert production_campaigns == expected

    sandbox_tree, production_tree = containers(sandbox), containers(production)
    expected_tree = {(moved(path), kind): dict(facts, id=facts["id"] + SHIFT)
                     for (path, kind), facts in sandbox_tree.items()}
    events = production_tree.pop(("Marketing Activities/Events", "Folder"))
    assert events["id"] not in {facts["id"] for facts in sandbox_tree.values()}
    assert production_tree == expected_tree

    sandbox_leads = {lead["fields"]["email"]: lead["id"] for lead in sandbox.export_state()["leads"]}
    production_leads = {lead["fields"]["email"]: lead["id"] for lead in production.export_state()["leads"]}
    assert production_leads == {email: lead_id + SHIFT for email, lead_id in sandbox_leads.items()}


def test_no_sandbox_campaign_id_exists_in_production() -> None:
    """A pin copied from sandbox must miss in production, never hit another campaign."""
    sandbox, production = backend_from_seed(example_seed_path()), backend_from_seed(PRODUCTION)
    sandbox_ids = {c["id"] for c in sandbox.browse_campaigns(max_return=200)}
    assert all(production.get_campaign(campaign_id) == [] for campaign_id in sandbox_ids)
