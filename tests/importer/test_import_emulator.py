"""Acceptance tests of `marketo-sync import` against the emulator (real HTTP on 127.0.0.1).

The CLI runs in process (``cli.main``) in a temporary project directory, with the connection
taken from MARKETO_* variables pointing at the fixture's emulator; calls are counted at the
emulator (``server.calls()``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from example_counts import campaigns as seeded_campaigns
from example_counts import program_ids as seeded_program_ids

from marketo_sync.desired.load import load_desired

EXAMPLE_FOLDERS = ["Marketing Activities/Templates", "Marketing Activities/Webinars",
                   "Marketing Activities/Newsletters", "Marketing Activities/Operational",
                   "Marketing Activities/System"]
HOSTILE_NAMES = ["yes", "No", "on", "2026-03", "2026-03-18", "1.50", "a: b", "#1", "*star", "&anchor",
                 "!tag", "|pipe", ">fold", "%pct", "@at", "x #y", "Ünïcödé — 日本語 ✓", "quote \"q\" 'q'",
                 "price ${amount}", "null", "~", "- dash"]
# (padded names and control characters are refused by validate since issue 15: tests/desired/test_names.py)


@pytest.fixture
def project(cli_project):
    """A project directory (no project file) connected to ``server``; ``run(*argv)`` runs the CLI."""
    return cli_project


def test_plan_after_import_shows_no_changes(emulator, project):
    """Acceptance (1): import the example's folders, then validate exits 0 and plan shows nothing."""
    project.connect(emulator)
    code, out, err = project.run("import", *EXAMPLE_FOLDERS, "--recursive")
    assert code == 0, err
    assert sorted(project.files()) == [
        "newsletters.yaml", "operational.yaml", "system.yaml", "templates-webinar-program-template.yaml",
        "templates.yaml", "webinars-2026-03-customer-engagement-webinar.yaml", "webinars-2026-05-product-roadmap-webinar.yaml",
        "webinars.yaml"]
    webinar = (project.root / "campaigns" / "webinars-2026-03-customer-engagement-webinar.yaml").read_text()
    assert webinar.startswith("# yaml-language-server: $schema=")
    assert "folder: Marketing Activities/Webinars/2026-03 Customer Engagement Webinar\n" in webinar
    assert "  - name: WebinarTitle\n    type: text\n    value: Scaling Customer Engagement in 2025\n" in webinar
    assert "    id: {default: 2011}\n" in webinar and "    active: true\n" in webinar  # this environment only
    assert "expect: {type: trigger, isRequestable: false, qualificationRuleType: once" in webinar
    system = (project.root / "campaigns" / "system.yaml").read_text()
    assert "campaigns: []" in system and "Process Bounced Emails (id 2041)" in system  # left out, said so
    newsletters = (project.root / "campaigns" / "newsletters.yaml").read_text()
    assert "active:" not in newsletters  # batch campaigns: no activation

    assert project.run("validate")[0] == 0
    code, out, _ = project.run("plan", "--detailed-exitcode")
    assert code == 0, out
    assert "No changes" in out


def test_import_twice_is_byte_identical(emulator, project):
    """Acceptance (2): the second import (with --force) writes the same bytes."""
    project.connect(emulator)
    assert project.run("import", *EXAMPLE_FOLDERS, "--recursive")[0] == 0
    first = project.files()
    assert project.run("import", *EXAMPLE_FOLDERS, "--recursive", "--force")[0] == 0
    assert project.files() == first


def test_hostile_names_round_trip(emulator, project):
    """Acceptance (3): names YAML would misread come back exactly, and the plan is empty."""
    for n, name in enumerate(HOSTILE_NAMES):
        emulator.backend.add_campaign((1104, "Folder"), name, description=f"{name} / $${{x}} #{n}: yes",
                                      triggers=[{"name": "Campaign is Requested", "source": "Web Service API"}],
                                      flow=[{"action": "Send Email", "email": "Hello"}], active=n % 2 == 0)
    project.connect(emulator)
    assert project.run("import", "Marketing Activities/Operational")[0] == 0
    desired = load_desired([project.root / "campaigns"], root=project.root)
    by_name = {c.name: c for c in desired.campaigns}
    for n, name in enumerate(HOSTILE_NAMES):
        assert name in by_name, name
        assert by_name[name].description == f"{name} / $${{x}} #{n}: yes"
    code, out, _ = project.run("plan", "--detailed-exitcode")
    assert code == 0, out


def test_refuses_to_overwrite_without_force(emulator, project):
    """Acceptance (4): an existing file stops the import before anything is written."""
    project.connect(emulator)
    campaigns = project.root / "campaigns"
    campaigns.mkdir()
    (campaigns / "operational.yaml").write_text("# mine\n", encoding="utf-8")
    code, _, err = project.run("import", "Marketing Activities/Operational", "Marketing Activities/Newsletters")
    assert code == 1
    assert "operational.yaml" in err and "--force" in err
    assert project.files() == {"operational.yaml": b"# mine\n"}  # newsletters.yaml not written either
    assert project.run("import", "Marketing Activities/Operational", "--force")[0] == 0
    assert b"Data Hygiene" in project.files()["operational.yaml"]


def test_unknown_folder_is_an_error(emulator, project):
    project.connect(emulator)
    code, _, err = project.run("import", "Marketing Activities/Nope", "Design Studio/Emails")
    assert code == 1
    assert "'Marketing Activities/Nope' does not exist" in err and "'Design Studio/Emails'" in err
    assert not (project.root / "campaigns").exists()


def test_call_count_bound(emulator, project):
    """Acceptance (5): N campaigns in F containers (P programs) cost at most ceil(N/200) + F + 2P + a few
    calls (a program's My Tokens and its record; the seed's third program, the webinar template,
    made the earlier bound of F + P + 4 one call short)."""
    spread = {1101: 450, 1103: 30, 1104: 199}
    for folder, count in spread.items():
        emulator.backend.add_campaigns((folder, "Folder"), count, name="Bulk {n:04d}")
    project.connect(emulator)
    before = len(emulator.calls())
    paths = ["Marketing Activities/Templates", "Marketing Activities/Newsletters",
             "Marketing Activities/Operational", "Marketing Activities/Webinars"]
    code, _, err = project.run("import", *paths, "--recursive", "--out", "imported")
    assert code == 0, err
    api_calls = [c for c in emulator.calls()[before:] if c["kind"] == "api"]
    desired = load_desired([project.root / "imported"], root=project.root)
    n_campaigns = len(desired.campaigns)
    containers = len(project.files("imported"))  # 4 folders + the example's programs
    programs = len(seeded_program_ids())  # one record read each, for the `program:` block's description (issue 10)
    # the example's, less the two system campaigns
    assert n_campaigns == sum(spread.values()) + len(seeded_campaigns()) - 2
    assert containers == 4 + programs
    # per program, its My Tokens and its record; 3 calls to resolve and walk the tree
    bound = math.ceil(n_campaigns / 200) + containers + 2 * programs + 3
    # 1 by-name + 1 folder browse to resolve, 1 deep browse for --recursive, 10 campaign pages
    # (455 -> 3, 32 -> 1, 202 -> 2, the empty Webinars folder 1, 1 per program: the two webinars
    # and the webinar program template), 3 token reads, 3 program records (their description is
    # the `program:` block).
    assert len(api_calls) == 3 + 7 + 3 * programs, [c["path"] for c in api_calls]
    assert len(api_calls) <= bound
    assert f"({len(api_calls)} API calls)" in err


def test_out_directory_and_variables(emulator, project):
    """``--out`` and the environment's variables: a variable whose value is a prefix is used."""
    (project.root / "marketo-sync.yaml").write_text(
        "environments:\n"
        "  sandbox:\n    variables: {webinars: Marketing Activities/Webinars, ops: Marketing Activities/Operational}\n"
        "  production:\n    env_prefix: PROD_\n    variables: {webinars: Marketing Activities/Events/Webinars}\n"
        "default_environment: sandbox\n", encoding="utf-8")
    (project.root / "schemas").mkdir()
    (project.root / "schemas" / "campaigns.schema.json").write_text("{}", encoding="utf-8")
    project.connect(emulator)
    code, _, err = project.run("import", "Marketing Activities/Webinars", "Marketing Activities/Operational",
                               "--recursive", "--out", "adopted/x", "--managed", "exclusive")
    assert code == 0, err
    text = (project.root / "adopted" / "x" / "webinars-2026-05-product-roadmap-webinar.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/campaigns.schema.json\n")
    assert ("folder: ${webinars}/2026-05 Product Roadmap Webinar\nprogram:\n"
            "  description: May 2026 webinar presenting the product roadmap\nmanaged: exclusive\n") in text
    # `ops` exists only in sandbox: using it would break production, so the path is written out.
    operational = (project.root / "adopted" / "x" / "operational.yaml").read_text()
    assert "folder: Marketing Activities/Operational\n" in operational
    assert project.run("validate", "--all-environments", "--campaigns", "adopted/x")[0] == 0
    code, out, _ = project.run("plan", "--detailed-exitcode", "--campaigns", "adopted/x")
    assert code == 0, out


def test_no_secret_in_files_or_output(emulator, project):
    project.connect(emulator)
    code, out, err = project.run("-vv", "import", *EXAMPLE_FOLDERS, "--recursive")
    assert code == 0
    everything = out + err + "".join(b.decode() for b in project.files().values())
    assert emulator.client_secret not in everything


def test_files_are_written_with_unix_newlines(emulator, project):
    project.connect(emulator)
    assert project.run("import", "Marketing Activities/Templates")[0] == 0
    data = Path(project.root / "campaigns" / "templates.yaml").read_bytes()
    assert b"\r" not in data and data.endswith(b"\n")
