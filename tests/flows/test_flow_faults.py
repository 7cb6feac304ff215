"""Issue 12, acceptance 5: a flow edit of 3 steps on 20 campaigns converges under 20% faults
within 3 applies, each flow exactly as declared (no step added twice after a lost answer)."""

from __future__ import annotations

import json

import pytest

from marketo_sync import cli
from marketo_sync.emulator.config import FAULT_KINDS

FOLDER = (1104, "Folder")
PATH = "Marketing Activities/Operational"
COUNT = 20
DECLARED = [("Send Email", {"Email": "First"}), ("Wait", {"Wait Duration": "1 day"}),
            ("Send Email", {"Email": "Second"}), ("Interesting Moment", {"Type": "Email", "Description": "Sent"})]


def flows(server) -> dict[str, list[tuple[str, dict[str, str]]]]:
    out = {}
    for row in server.backend.browse_campaigns(folder=FOLDER, max_return=200):
        if not row["name"].startswith("Flow "):
            continue
        record = server.backend.get_campaign(row["id"])[0]
        out[row["name"]] = [(s["activityTypeName"], {a["name"]: a["value"] for c in s["stepChoice"] if c["default"]
                                                     for a in c["attributes"] if a["value"]})
                            for s in record["flow"]["steps"]]
    return out


@pytest.mark.slow
def test_flow_edits_converge_under_faults_without_duplicate_steps(make_emulator, tmp_path, monkeypatch, capsys):
    server = make_emulator(rate_limit="100/1")
    for n in range(COUNT):
        server.backend.add_campaign(FOLDER, f"Flow {n:02d}", triggers=["Person is Created"],
                                    flow=[{"action": "Send Email", "email": "First"}])
    repo = tmp_path / "repo"
    (repo / "campaigns").mkdir(parents=True)
    (repo / "marketo-sync.yaml").write_text(
        "campaigns: campaigns\nlimits: {rate_limit: 100, window: 1, concurrency: 5}\nenvironments:\n  test: {}\n",
        encoding="utf-8")
    steps = "\n".join("      - {" + ", ".join([f"step: {name}"] + [f"{k}: {v}" for k, v in attrs.items()]) + "}"
                      for name, attrs in DECLARED)
    (repo / "campaigns" / "flows.yaml").write_text(
        f"folder: {PATH}\ncampaigns:\n" + "".join(f"  - name: Flow {n:02d}\n    flow:\n{steps}\n" for n in range(COUNT)),
        encoding="utf-8")
    monkeypatch.chdir(repo)
    for name, value in {"MARKETO_BASE_URL": server.base_url, "MARKETO_CLIENT_ID": server.client_id,
                        "MARKETO_CLIENT_SECRET": server.client_secret, "NO_COLOR": "1"}.items():
        monkeypatch.setenv(name, value)
    server.set_faults(fault_rate=0.2, fault_seed=12, fault_kinds=list(FAULT_KINDS))
    receipts = []
    for _ in range(3):
        capsys.readouterr()
        code = cli.main(["apply", "--auto-approve", "--format", "json"])
        out, _ = capsys.readouterr()
        if out.strip():
            receipts.append(json.loads(out))
        if code == 0 and receipts and receipts[-1]["ok"]:
            break
    assert receipts and receipts[-1]["ok"], [r["summary"] for r in receipts]
    assert receipts[0]["summary"]["total"] == COUNT
    faults = [c["fault"] for c in server.calls() if c.get("fault")]
    assert "drop_after_commit" in faults  # answers were lost after the write happened
    server.set_faults(fault_rate=0)
    assert flows(server) == {f"Flow {n:02d}": DECLARED for n in range(COUNT)}
    capsys.readouterr()
    assert cli.main(["plan", "--detailed-exitcode"]) == 0
