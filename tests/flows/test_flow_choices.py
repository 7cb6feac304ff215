"""Choices through `flow:` against the emulator: added, reordered and removed, each read back;
saved plans carry flow edits; logic reads stay one per template or campaign."""

from __future__ import annotations

from typing import Any

from marketo_sync.plan.flows import edit

DEDUPE = 2031
HEAD = """folder: Marketing Activities/Operational
campaigns:
  - name: Data Hygiene - Fix Country Values
    flow:
      - step: Change Data Value
        choices:
"""
UK = "          - if: {name: Country, operator: is, values: [UK, Great Britain]}\n" \
     "            Attribute: Country\n            New Value: United Kingdom\n"
DE = "          - if: {name: Country, operator: is, values: [DE]}\n" \
     "            Attribute: Country\n            New Value: Germany\n"
DEFAULT = "          - {Attribute: Country, New Value: United States}\n"


def write(project: Any, body: str) -> None:
    folder = project.root / "campaigns"
    folder.mkdir(exist_ok=True)
    (folder / "ops.yaml").write_text(body, encoding="utf-8")


def choices(server: Any) -> list[tuple[list[str], str]]:
    step = server.backend.get_campaign(DEDUPE)[0]["flow"]["steps"][0]
    return [((c.get("rule") or {}).get("values", []), next(a["value"] for a in c["attributes"] if a["name"] == "New Value"))
            for c in step["stepChoice"]]


def converge(project: Any, body: str, *words: str) -> None:
    write(project, body)
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    for word in words:
        assert word in out, out
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err


def test_choices_are_added_reordered_and_removed(emulator, cli_project):
    cli_project.connect(emulator)
    write(cli_project, HEAD + UK + DEFAULT)
    assert cli_project.run("plan", "--detailed-exitcode")[0] == 0  # the seed's flow as declared
    converge(cli_project, HEAD + UK + DE + DEFAULT, "add choice 2", "choice 2: if Country is DE")
    assert choices(emulator) == [(["UK", "Great Britain"], "United Kingdom"), (["DE"], "Germany"),
                                 ([], "United States")]
    converge(cli_project, HEAD + DE + UK + DEFAULT, "move choice 2 to 1")
    assert [values for values, _ in choices(emulator)] == [["DE"], ["UK", "Great Britain"], []]
    converge(cli_project, HEAD + DE + DEFAULT.replace("United States", "USA"), "remove choice 2",
             "default choice: Attribute: Country; New Value: USA")
    assert choices(emulator) == [(["DE"], "Germany"), ([], "USA")]


def test_a_saved_plan_with_a_flow_edit_applies(emulator, cli_project):
    cli_project.connect(emulator)
    write(cli_project, HEAD + UK + DE + DEFAULT)
    code, out, err = cli_project.run("plan", "--out", "plan.json")
    assert code == 0, out + err
    code, out, err = cli_project.run("apply", "plan.json", "--auto-approve")
    assert code == 0, out + err
    assert len(choices(emulator)) == 3


def test_logic_is_read_once_per_template(emulator, cli_project):
    cli_project.connect(emulator)
    write(cli_project, "folder: Marketing Activities/Operational\ncampaigns:\n"
          + "".join(f"  - {{name: Clone {n}, template: Marketing Activities/Templates/Webinar Reminder Template}}\n"
                    for n in range(3)))
    before = len(emulator.calls())
    code, out, err = cli_project.run("plan")
    assert code == 0, out + err
    paths = [c["path"] for c in emulator.calls()[before:]]
    assert paths.count("/rest/asset/v1/smartCampaign/2001/smartList.json") == 1
    assert paths.count("/rest/asset/v1/smartCampaign/2001.json") == 1
    assert not any("flowSteps" in p for p in paths)  # no file declares a flow: no catalogue read


def test_the_edit_keeps_every_intermediate_flow_non_empty():
    """Replacing every step: all adds come before the removals (an active campaign's flow never empties)."""
    current = [{"id": 1, "step": "Send Email", "choices": [{"id": 11, "if": None, "attributes": {"Email": "A"}}]}]
    wanted = [{"step": "Wait", "choices": [{"if": None, "attributes": {"Wait Duration": "1 day"}}]},
              {"step": "Change Score", "choices": [{"if": None, "attributes": {"Change": "+5"}}]}]
    ops = edit(current, wanted)
    kinds = [op["op"] for op in ops]
    assert kinds == ["add-step", "add-step", "update-choice", "update-choice", "remove-step"]
    assert [(op["index"], op["step"]) for op in ops if op["op"] != "update-choice"] == \
        [(0, "Wait"), (1, "Change Score"), (2, "Send Email")]
    assert edit(wanted, wanted) == []
