"""Acceptance tests of issue 9 (the pull-request and CI path) against the emulator.

The CLI runs in process (``cli.main``) in a project directory whose ``MARKETO_*`` variables
point at the fixture's emulator; calls are counted at the emulator.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from marketo_sync import cli
from marketo_sync.plan.plan import Plan
from marketo_sync.render.plan import GITHUB_COMMENT_LIMIT, fit, render_markdown

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "plan"))

OPERATIONAL = "Marketing Activities/Operational"
#: Every way a description could act on a pull-request page if it were not inert.
HOSTILE = "Ping @octocat </details><img src=x onerror=alert(1)> <!-- hidden [click](https://evil.example) | #1 `tick`"


def write(project, name: str, text: str) -> None:
    path = project.root / "campaigns" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def exclusive_operational(project, *, hostile: bool = False) -> None:
    """Operational, exclusive: Score deactivated, Legacy described anew, Data Hygiene undeclared."""
    description = json.dumps(HOSTILE) if hostile else "Routes leads by CRM rules"
    write(project, "operational.yaml", f"""folder: {OPERATIONAL}
managed: exclusive
campaigns:
  - name: Score - Web Visit
    active: false
  - name: Legacy Lead Routing
    description: {description}
""")


def outside_code(markdown: str) -> str:
    """The markdown with every code span (any fence length) removed."""
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", markdown)


# -- 1. exit codes and global flags ------------------------------------------------------------


def test_a_usage_error_exits_1_never_2(capsys):
    assert cli.main(["plan", "--no-such-flag"]) == 1
    assert "--no-such-flag" in capsys.readouterr().err
    assert cli.main(["no-such-command"]) == 1
    assert cli.main(["--help"]) == 0


def test_verbosity_flags_before_or_after_the_subcommand(emulator, cli_project):
    exclusive_operational(cli_project)
    cli_project.connect(emulator)
    for argv in (["plan", "-v"], ["-v", "plan"], ["plan", "-vv"], ["plan", "-q"], ["-v", "plan", "-v"]):
        code, out, err = cli_project.run(*argv)
        assert code == 0, (argv, err)
        assert "to deactivate" in out
    parser = cli.build_parser()
    assert cli.verbosity(parser.parse_args(["-v", "plan", "-v"]), {}) == 2
    assert cli.verbosity(parser.parse_args(["plan", "-q"]), {}) == -1
    assert cli.verbosity(parser.parse_args(["plan"]), {"MARKETO_SYNC_LOG": "debug"}) == 2
    assert cli.verbosity(parser.parse_args(["plan"]), {}) == 0


# -- 4. markdown that cannot be injected ---------------------------------------------------------


def test_user_text_is_inert_in_the_markdown_plan(emulator, cli_project):
    exclusive_operational(cli_project, hostile=True)
    cli_project.connect(emulator)
    code, markdown, err = cli_project.run("plan", "--format", "markdown")
    assert code == 0, err
    assert "@octocat" in markdown  # shown …
    rest = outside_code(markdown)
    for active in ("@octocat", "<img", "<!--", "](https://evil", "#1", "onerror"):
        assert active not in rest, active  # … but only inside code spans
    assert rest.count("<details>") == rest.count("</details>") > 0
    assert all(line == "</details>" for line in rest.splitlines() if "</details>" in line)
    rows = [line for line in markdown.splitlines() if line.startswith("| ~ | update |")]
    assert len(rows) == 1 and len(re.findall(r"(?<!\\)\|", rows[0])) == 5, rows  # no extra cell


def test_markdown_states_the_flags_apply_needs_the_checksum_and_ui_links(emulator, cli_project):
    exclusive_operational(cli_project)
    cli_project.connect(emulator)
    code, markdown, _ = cli_project.run("plan", "--format", "markdown", "--out", "plan.json")
    assert code == 0
    assert "**Apply will need** `--allow-delete`" in markdown  # Data Hygiene is deleted
    plan = Plan.from_json((cli_project.root / "plan.json").read_text(encoding="utf-8"))
    assert f"`{plan.changes_checksum()}`" in markdown
    for change in plan.campaign_changes():  # every change to an existing campaign is linked
        assert re.search(rf"\(id {change.campaign.id}\) · \[open in Marketo\]\(https://[^)]+/#SC"
                         rf"{change.campaign.id}A1\)", markdown), change.key


def test_a_3000_change_plan_fits_a_comment_with_balanced_folds():
    from test_render import big_plan

    markdown = render_markdown(big_plan(3000))
    assert len(markdown) <= GITHUB_COMMENT_LIMIT
    assert markdown.count("<details>") == markdown.count("</details>") > 0
    shown = sum(1 for line in markdown.splitlines() if line.startswith("| ") and "Webinars/Program" in line)
    assert f"**{3000 - shown} more changes not shown**" in markdown
    assert "job summary" in markdown and "marketo-sync show plan.json" in markdown


def test_the_last_resort_cut_keeps_whole_lines_and_closes_folds():
    text = "### t\n\n<details><summary>s</summary>\n\n" + "\n".join(f"| row {i} | `x` |" for i in range(500)) \
        + "\n\n</details>\n"
    cut = fit(text, 2_000)
    assert len(cut) <= 2_000
    assert cut.count("<details>") == cut.count("</details>") == 1
    assert all(re.fullmatch(r"\| row \d+ \| `x` \|", line) for line in cut.splitlines() if line.startswith("|"))
    assert "Output cut at the comment size limit" in cut


# -- 2. show --------------------------------------------------------------------------------------


def test_show_renders_a_saved_plan_offline(emulator, cli_project, monkeypatch):
    exclusive_operational(cli_project)
    cli_project.connect(emulator)
    assert cli_project.run("plan", "--out", "plan.json")[0] == 0
    for name in ("MARKETO_BASE_URL", "MARKETO_CLIENT_ID", "MARKETO_CLIENT_SECRET"):
        monkeypatch.delenv(name)
    calls = len(emulator.calls())
    code, out, _ = cli_project.run("show", "plan.json")
    assert code == 0
    assert re.match(r"Saved plan plan\.json: environment \S+ on 127\.0\.0\.1:\d+, made at \S+ \(\d+ min ago\); "
                    r"checksum verified\.", out), out
    assert "■ deactivate" in out and "- delete" in out
    code, out, err = cli_project.run("show", "plan.json", "--format", "json")
    assert code == 0 and out == (cli_project.root / "plan.json").read_text(encoding="utf-8")
    assert "checksum verified" in err
    code, out, _ = cli_project.run("show", "plan.json", "--format", "markdown")
    assert code == 0 and out.startswith("### marketo-sync plan")
    assert len(emulator.calls()) == calls  # no call at all

    edited = (cli_project.root / "plan.json").read_text(encoding="utf-8").replace("Score - Web Visit", "Other")
    (cli_project.root / "plan.json").write_text(edited, encoding="utf-8")
    code, _, err = cli_project.run("show", "plan.json")
    assert code == 1 and "checksum does not match" in err


# -- 3. --target and --campaigns narrowing ----------------------------------------------------------


def test_target_of_one_campaign_plans_exactly_its_change(emulator, cli_project):
    exclusive_operational(cli_project)
    cli_project.connect(emulator)
    code, out, _ = cli_project.run("plan", "--format", "json")
    assert {c["action"] for c in json.loads(out)["changes"]} == {"deactivate", "update", "delete"}

    code, out, err = cli_project.run("plan", "--format", "json", "--target", f"{OPERATIONAL}/Score - Web Visit")
    assert code == 0, err
    document = json.loads(out)
    assert [(c["action"], c["campaign"]["name"]) for c in document["changes"]] == [
        ("deactivate", "Score - Web Visit")]
    assert document["unmanaged"] == []
    assert [o["name"] for o in document["observations"]] == ["Score - Web Visit"]

    code, out, _ = cli_project.run("plan", "--format", "json", "--target", OPERATIONAL)  # a container
    assert {c["action"] for c in json.loads(out)["changes"]} == {"deactivate", "update", "delete"}

    code, _, err = cli_project.run("plan", "--target", f"{OPERATIONAL}/No Such Campaign")
    assert code == 1 and "names no declared campaign" in err


def test_target_on_apply_changes_only_the_target(emulator, cli_project, api):
    exclusive_operational(cli_project)
    cli_project.connect(emulator)
    code, out, err = cli_project.run("apply", "--auto-approve", "--target", f"{OPERATIONAL}/Score - Web Visit")
    assert code == 0, err + out
    assert api.get("/rest/asset/v1/smartCampaign/2032.json")["result"][0]["isActive"] is False
    assert api.get("/rest/asset/v1/smartCampaign/2031.json")["result"]  # not deleted
    assert api.get("/rest/asset/v1/smartCampaign/2033.json")["result"][0]["description"].startswith("Old owner")


def test_campaigns_narrowing_never_deletes_what_a_left_out_file_declares(emulator, cli_project):
    write(cli_project, "score.yaml", f"folder: {OPERATIONAL}\nmanaged: exclusive\ncampaigns:\n"
                                     "  - name: Score - Web Visit\n    active: false\n")
    write(cli_project, "routing.yaml", f"folder: {OPERATIONAL}\ncampaigns:\n  - name: Legacy Lead Routing\n")
    cli_project.connect(emulator)
    code, out, _ = cli_project.run("plan", "--format", "json")
    assert [c["campaign"]["name"] for c in json.loads(out)["changes"] if c["action"] == "delete"] == [
        "Data Hygiene - Fix Country Values"]

    code, out, err = cli_project.run("plan", "--format", "json", "--campaigns", "campaigns/score.yaml")
    assert code == 0, err
    document = json.loads(out)
    assert [c["action"] for c in document["changes"]] == ["deactivate"]
    assert sorted((u["campaign"]["name"], u["reason"]) for u in document["unmanaged"]) == [
        ("Data Hygiene - Fix Country Values", "narrowed"), ("Legacy Lead Routing", "narrowed")]
    code, text, _ = cli_project.run("plan", "--campaigns", "campaigns/score.yaml")
    assert "Legacy Lead Routing (id 2033), inactive; not checked: narrowed run" in text


# -- apply exactly what was reviewed ------------------------------------------------------------------


def test_apply_checksum_refuses_a_plan_other_than_the_reviewed_one(emulator, cli_project, api):
    exclusive_operational(cli_project)
    cli_project.connect(emulator)
    cli_project.run("plan", "--out", "reviewed.json")
    reviewed = Plan.from_json((cli_project.root / "reviewed.json").read_text(encoding="utf-8")).changes_checksum()

    assert api.post("/rest/asset/v1/smartCampaign/2033.json", data={"description": "Edited in the UI"})["success"]
    writes = len(emulator.calls())
    code, _, err = cli_project.run("apply", "--auto-approve", "--allow-delete", "--checksum", reviewed)
    assert code == 1 and f"not the reviewed {reviewed}" in err
    assert [c for c in emulator.calls()[writes:] if c["method"] == "POST" and "/identity" not in c["path"]] == []

    assert api.post("/rest/asset/v1/smartCampaign/2033.json",
                    data={"description": "Old owner assignment by region; replaced by CRM assignment rules"})["success"]
    code, out, err = cli_project.run("apply", "--auto-approve", "--allow-delete", "--checksum", reviewed)
    assert code == 0, err + out


@pytest.mark.parametrize("flag", ["--target", "--campaigns"])
def test_a_saved_plan_is_not_narrowed_again(cli_project, flag):
    code, _, err = cli_project.run("apply", "plan.json", flag, "x")
    assert code == 1 and "a saved plan is applied whole" in err


# -- 6. validate --format json | github ---------------------------------------------------------------


def test_validate_json_and_github_give_file_line_column_and_field(cli_project):
    write(cli_project, "ops.yaml", f"folder: {OPERATIONAL}\ncampaigns:\n  - name: Score, Web Visit\n"
                                   "  - name: Other\n    activ: true\n")
    code, out, _ = cli_project.run("validate", "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["format_version"] == "1" and document["valid"] is False and document["warnings"] == []
    errors = sorted(document["errors"], key=lambda e: e["line"])
    assert [(e["file"], e["line"], e["column"], e["field"]) for e in errors] == [
        ("campaigns/ops.yaml", 3, 11, "campaigns[0].name"), ("campaigns/ops.yaml", 5, 5, "campaigns[1].activ")]
    assert errors[1]["message"].startswith("unknown key 'activ' (did you mean 'active'?")

    code, out, _ = cli_project.run("validate", "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("::error file=campaigns/ops.yaml,line=3,col=11,title=marketo-sync validate%3A "
                               "campaigns[0].name::'Score, Web Visit': a campaign name cannot contain a comma")
    assert any(line.startswith("::error file=campaigns/ops.yaml,line=5,col=5,") for line in lines)
    assert lines[-1] == "::error title=marketo-sync validate::2 error(s) in campaign files"


def test_validate_github_escapes_what_could_end_a_workflow_command():
    from marketo_sync.render.validation import Checked, render_github

    out = render_github([Checked("prod", reasons=["name: bad\n::warning::x 100% (a,b.yaml, line 1, column 2)"])])
    first = out.splitlines()[0]
    assert first == "::error file=a%2Cb.yaml,line=1,col=2,title=marketo-sync validate%3A name::bad%0A::warning::x 100%25"
    assert len(out.splitlines()) == 2


def test_validate_json_of_valid_files(cli_project):
    exclusive_operational(cli_project)
    code, out, _ = cli_project.run("validate", "--format", "json")
    assert code == 0
    assert json.loads(out)["checked"] == [{"environment": "default", "campaigns": 2, "files": 1, "valid": True}]
    code, out, _ = cli_project.run("validate", "--format", "github")
    assert code == 0 and out == "::notice title=marketo-sync validate::2 campaign(s) in 1 file(s): valid\n"


# -- 9. packaging: demo anywhere, a $schema= that resolves ------------------------------------------


def test_demo_runs_in_an_empty_directory_from_the_packaged_example(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "running the example project shipped with marketo-sync" in out
    assert "Demo finished: the instance matches the campaign files." in out
    assert list(tmp_path.iterdir()) == []  # the copy lived in a temporary directory


def test_every_packaged_example_file_is_package_data():
    """What `demo` copies must be in the wheel: pyproject's package-data globs cover it all."""
    import tomllib

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["marketo_sync"]
    package = ROOT / "marketo_sync"
    covered = {p for g in globs for p in package.glob(g)}
    import os

    shipped = {Path(top) / name for top, _, names in os.walk(package / "data" / "example", followlinks=True)
               for name in names}
    assert shipped and shipped <= covered
    assert {p.relative_to(package / "data" / "example").as_posix() for p in shipped} >= {
        "marketo-sync.yaml", "examples/instance.yaml", "campaigns/operational.yaml", "campaigns/webinar-2026-04.yaml"}


def test_import_without_a_schemas_directory_writes_the_schema_beside_the_files(emulator, cli_project):
    cli_project.connect(emulator)
    code, _, err = cli_project.run("import", OPERATIONAL, "--out", "adopted")
    assert code == 0, err
    written = cli_project.root / "adopted" / "operational.yaml"
    first = written.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=campaigns.schema.json"
    schema = written.parent / "campaigns.schema.json"  # resolves where the file is written
    assert json.loads(schema.read_text(encoding="utf-8"))["$schema"].startswith("https://json-schema.org/")
    assert cli_project.run("validate", "--campaigns", "adopted")[0] == 0  # the .json is not a campaign file
