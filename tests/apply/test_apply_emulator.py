"""Acceptance tests of `marketo-sync apply` against the emulator (real HTTP on 127.0.0.1).

The CLI runs in process (``cli.main``) in a copy of a test repository, with the connection
taken from MARKETO_* variables pointing at the fixture's emulator. Writes are counted at the
emulator (``server.calls()``), and the resulting state is read through marketorestpython.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from marketorestpython.client import MarketoClient

from marketo_sync import cli
from marketo_sync.apply.journal import journals, read_journal
from marketo_sync.emulator.config import EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET
from marketo_sync.plan.changes import CampaignRef, DeleteCampaign
from marketo_sync.plan.plan import Observation, Plan
from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import RemoteCampaign

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "apply"
MARCH = FolderRef(1102, "Program")
OPERATIONAL = FolderRef(1104, "Folder")
SYSTEM = FolderRef(1105, "Folder")


def writes(calls: list[dict]) -> list[dict]:
    """Asset writes (every asset write is a POST under /rest/asset)."""
    return [c for c in calls if c["method"] == "POST" and c["path"].startswith("/rest/asset")]


class Repo:
    """A working copy of a test repository and the CLI run inside it."""

    def __init__(self, path: Path, monkeypatch, capsys, server) -> None:
        self.path = path
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        monkeypatch.chdir(path)
        monkeypatch.setenv("MARKETO_CLIENT_ID", EMULATOR_CLIENT_ID)
        monkeypatch.setenv("MARKETO_CLIENT_SECRET", EMULATOR_CLIENT_SECRET)
        monkeypatch.setenv("NO_COLOR", "1")
        self.point_at(server)

    def point_at(self, server) -> None:
        self.server = server
        self.monkeypatch.setenv("MARKETO_BASE_URL", server.base_url)

    def run(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = cli.main(list(args))
        out, err = self.capsys.readouterr()
        return code, out, err

    def apply_json(self, *args: str) -> tuple[int, dict, str]:
        code, out, err = self.run("apply", "--auto-approve", "--format", "json", *args)
        return code, (json.loads(out) if out.strip() else {}), err


@pytest.fixture
def repo(tmp_path, monkeypatch, capsys):
    def make(server, source: str | Path = "example") -> Repo:
        origin = source if isinstance(source, Path) else DATA / source
        work = tmp_path / origin.name
        shutil.copytree(origin, work)
        return Repo(work, monkeypatch, capsys, server)

    return make


def marketo(server) -> MarketoClient:
    client = MarketoClient("123-ABC-456", EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET)
    client.host = server.base_url
    return client


def campaigns_in(mc: MarketoClient, folder: FolderRef) -> dict[str, dict]:
    rows = [r for page in mc.execute(method="get_smart_campaigns", folderId=folder.id, folderType=folder.type)
            for r in (page if isinstance(page, list) else [page])]
    return {r["name"]: r for r in rows if r["folder"]["id"] == folder.id and r["folder"]["type"] == folder.type}


def rules(mc: MarketoClient, campaign_id: int) -> tuple[list[str], list[str]]:
    (smart_list,) = mc.execute(method="get_smart_list_by_smart_campaign_id", id=campaign_id, includeRules=True)
    return ([t["name"] for t in smart_list.get("rules", {}).get("triggers", [])],
            [f["name"] for f in smart_list.get("rules", {}).get("filters", [])])


def flow(mc: MarketoClient, campaign_id: int) -> list[tuple[str, list[str]]]:
    """Flow steps as (activity, attribute values): ids differ between a template and its clone."""
    (campaign,) = mc.execute(method="get_smart_campaign_by_id", id=campaign_id)
    return [(step["activityTypeName"], [str(a["value"]) for choice in step.get("stepChoice", [])
                                        for a in choice.get("attributes", [])])
            for step in campaign["flow"]["steps"]]


# -- acceptance 1: apply, then nothing left to do; the state reads back through a third-party client --


def test_apply_converges_and_reads_back_through_marketorestpython(make_emulator, repo):
    server = make_emulator(legacy_query_token=True)  # marketorestpython sends the token in the query
    work = repo(server)
    code, receipt, err = work.apply_json()
    assert code == 0, err
    assert receipt["ok"] is True and receipt["format_version"] == "1"
    assert receipt["summary"] == {"total": 8, "applied": 8, "failed": 0, "skipped": 0, "unknown": 0}
    assert receipt["verification"] == {"checked": 6, "differences": []}
    assert "change 1 of 8" not in err  # --format json: quiet

    code, out, _ = work.run("plan", "--detailed-exitcode")
    assert code == 0, out
    assert "No changes." in out

    mc = marketo(server)
    march = campaigns_in(mc, MARCH)
    templates = campaigns_in(mc, FolderRef(1101, "Folder"))
    reminder = march["02 - Webinar Reminder"]
    assert reminder["isActive"] is True and reminder["isRequestable"] is True
    assert reminder["description"] == "Reminder email, requested by the registration platform"
    assert rules(mc, reminder["id"]) == rules(mc, templates["Webinar Reminder Template"]["id"])
    thanks = march["03 - Thank You"]
    assert thanks["isActive"] is True and thanks["isRequestable"] is False
    assert rules(mc, thanks["id"]) == rules(mc, templates["Form Fill Follow-up Template"]["id"])
    assert flow(mc, thanks["id"]) == flow(mc, templates["Form Fill Follow-up Template"]["id"])
    assert flow(mc, reminder["id"]) == flow(mc, templates["Webinar Reminder Template"]["id"]) != []
    assert march["01 - Registration Confirmation"]["description"].startswith("Confirms the March")
    operational = campaigns_in(mc, OPERATIONAL)
    assert operational["Score - Web Visit"]["isActive"] is False
    assert operational["Lead Data Review"]["isActive"] is False
    (tokens,) = mc.execute(method="get_tokens", id=MARCH.id, folderType=MARCH.type)
    title = {t["name"]: t["value"] for t in tokens["tokens"]}["WebinarTitle"]
    assert title == "Scaling Customer Engagement in 2026"

    # the journal holds every change, started then applied, and a footer
    (path,) = journals(work.path / ".marketo-sync")
    contents = read_journal(path)
    assert contents.complete and contents.counts()["applied"] == 8
    assert contents.header["plan_checksum"] == receipt["plan_checksum"]
    assert EMULATOR_CLIENT_SECRET not in path.read_text(encoding="utf-8")


def test_text_receipt_and_progress(emulator, repo):
    work = repo(emulator)
    code, out, err = work.run("apply", "--auto-approve")
    assert code == 0, err
    assert "+ clone" in out and "Apply: 8 applied, 0 failed, 0 skipped, 0 unknown (of 8)." in out
    assert "change 1 of 8: set-token" in err and "change 8 of 8: activate" in err
    code, out, err = work.run("apply", "--auto-approve")
    assert code == 0 and "No changes to apply." in err


def test_no_terminal_and_no_auto_approve_refuses(emulator, repo):
    work = repo(emulator)  # pytest's stdin is not a terminal
    code, out, err = work.run("apply")
    assert code == 1 and "--auto-approve" in err
    assert writes(emulator.calls()) == []


# -- acceptance 2: a stale saved plan is refused with no write; a fresh plan applies ---------------


def test_stale_saved_plan_is_refused_then_a_fresh_plan_applies(make_emulator, repo, tmp_path):
    server = make_emulator(legacy_query_token=True)
    work = repo(server)
    saved = tmp_path / "plan.json"
    code, _, err = work.run("plan", "--out", str(saved))
    assert code == 0, err
    marketo(server).execute(method="update_smart_campaign", id=2011, name="01 - Registration Confirmation",
                            description="Edited in the Marketo UI")
    seen = len(server.calls())
    code, out, err = work.run("apply", str(saved))
    assert code == 1
    assert "instance changed since the plan was made" in err and "Edited in the Marketo UI" in err
    assert "Run plan again" in err
    assert writes(server.calls()[seen:]) == []
    assert not list((work.path / ".marketo-sync").glob("journal/*"))  # nothing started, nothing journalled
    code, refusal, err = work.apply_json(str(saved))  # CI reads the refusal from stdout too
    assert code == 1 and refusal["ok"] is False and refusal["changes"] == []
    assert refusal["refused"]["error"] == "StalePlan" and "Edited in the Marketo UI" in refusal["refused"]["message"]
    assert writes(server.calls()[seen:]) == []

    code, _, err = work.run("plan", "--out", str(saved))
    assert code == 0, err
    code, receipt, err = work.apply_json(str(saved))
    assert code == 0, err
    assert receipt["summary"]["applied"] == 8
    assert receipt["plan_checksum"] == json.loads(saved.read_text(encoding="utf-8"))["checksum"]
    code, _, _ = work.run("plan", "--detailed-exitcode")
    assert code == 0


def test_saved_plan_for_another_instance_is_refused(make_emulator, repo, tmp_path):
    first, second = make_emulator(), make_emulator()
    saved = tmp_path / "plan.json"
    work = repo(first)
    assert work.run("plan", "--out", str(saved))[0] == 0
    work.point_at(second)  # same files, same environment name, another instance
    code, _, err = work.run("apply", str(saved))
    assert code == 1 and "the plan was made for environment" in err
    assert writes(second.calls()) == []


def test_edited_saved_plan_is_refused(emulator, repo, tmp_path):
    work = repo(emulator)
    saved = tmp_path / "plan.json"
    assert work.run("plan", "--out", str(saved))[0] == 0
    saved.write_text(saved.read_text(encoding="utf-8").replace("2026", "2027"), encoding="utf-8")
    code, _, err = work.run("apply", str(saved))
    assert code == 1 and "checksum" in err
    assert writes(emulator.calls()) == []


def test_saved_plan_applies_without_the_campaign_files(emulator, repo, tmp_path):
    """A saved plan carries every change: files edited (even broken) since do not matter."""
    work = repo(emulator)
    saved = tmp_path / "plan.json"
    assert work.run("plan", "--out", str(saved))[0] == 0
    for path in (work.path / "campaigns").glob("*.yaml"):
        path.write_text("campaigns: [this is: not valid\n", encoding="utf-8")
    code, receipt, err = work.apply_json(str(saved))
    assert code == 0, err
    assert receipt["summary"]["applied"] == len(Plan.from_json(saved.read_text(encoding="utf-8")).changes)


# -- acceptance 5: unsafe plans are refused before any write -----------------------------------


def test_delete_needs_allow_delete(emulator, repo):
    work = repo(emulator, "exclusive")
    code, out, err = work.run("apply", "--auto-approve")
    assert code == 1 and "--allow-delete" in err
    assert "- delete" in out  # the plan was shown before the refusal
    assert writes(emulator.calls()) == []
    code, receipt, err = work.apply_json("--allow-delete")
    assert code == 0, err
    assert receipt["summary"]["applied"] == 1
    assert emulator.backend.browse_campaigns(folder=(1104, "Folder"), max_return=200)[0]["name"] != \
        "Data Hygiene - Fix Country Values"


def test_protected_and_system_campaigns_are_refused(emulator, repo):
    work = repo(emulator, "protected")
    code, out, err = work.run("apply", "--auto-approve", "--allow-delete", "--force")
    assert code == 1
    assert "protected" in err and "system campaign" in err
    assert writes(emulator.calls()) == []


def test_saved_plan_touching_a_system_campaign_is_refused(emulator, repo, tmp_path):
    """Defence in depth: a plan the planner would never make (a delete of an isSystem campaign)."""
    work = repo(emulator)
    assert work.run("plan", "--out", str(tmp_path / "real.json"))[0] == 0
    real = Plan.from_json((tmp_path / "real.json").read_text(encoding="utf-8"))
    target = CampaignRef("Marketing Activities/System", "Process Bounced Emails", SYSTEM, 2041)
    now = RemoteCampaign.from_record(emulator.backend.get_campaign(2041)[0])
    forged = Plan(changes=(DeleteCampaign(key="delete:Marketing Activities/System/Process Bounced Emails",
                                          campaign=target, verify={"exists": False}),),
                  observations=(Observation("campaign", target.folder, SYSTEM.as_dict(), target.name, True,
                                            2041, now.updated_at, now.fields()),),
                  environment=real.environment, instance=real.instance)
    (tmp_path / "forged.json").write_text(forged.to_json(), encoding="utf-8")
    code, _, err = work.run("apply", str(tmp_path / "forged.json"), "--allow-delete")
    assert code == 1 and "system campaigns" in err
    assert writes(emulator.calls()) == []


def test_destructive_share_needs_force(make_emulator, repo):
    server = make_emulator()
    server.backend.add_campaigns((1104, "Folder"), 12, name="Generated Campaign {n:04d}")
    work = repo(server, "threshold")
    code, out, err = work.run("apply", "--auto-approve", "--allow-delete")
    assert code == 1 and "--force" in err and "too many destructive changes" in err
    assert writes(server.calls()) == []
    code, receipt, err = work.apply_json("--allow-delete", "--force")
    assert code == 0, err
    assert receipt["summary"]["applied"] == receipt["summary"]["total"] >= 4


# -- acceptance 6: a refused activation is reported with its code; the rest applies -------------


def test_refused_activation_is_reported_and_the_rest_applies(emulator, repo):
    work = repo(emulator, "empty_flow")
    code, receipt, err = work.apply_json()
    assert code == 1
    by_key = {c["key"]: c for c in receipt["changes"]}
    failed = [c for c in receipt["changes"] if c["status"] == "failed"]
    assert [(c["action"], c["campaign"]["name"], c["code"]) for c in failed] == [
        ("activate", "04 - Not Ready Yet", "709")]
    assert "flow" in failed[0]["message"]
    assert receipt["summary"]["applied"] == receipt["summary"]["total"] - 1
    clone = by_key["clone:Marketing Activities/Webinars/2026-03 Customer Engagement Webinar/04 - Not Ready Yet"]
    assert clone["status"] == "applied" and clone["id"]
    code, out, err = work.run("apply", "--auto-approve")
    assert code == 1
    assert "failed   activate" in out and "Marketo error 709" in out
