"""load_desired: every invalid case gives one precise, placed reason; valid files give the state."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from marketo_sync.desired.load import load_desired
from marketo_sync.desired.model import DesiredState, Location
from marketo_sync.errors import ValidationError
from marketo_sync.refs import FolderRef

DATA = Path(__file__).resolve().parents[1] / "data" / "desired"
INVALID = DATA / "invalid"

#: case -> (field, position, words the message must contain)
CASES = {
    "bad_yaml": ("", "line 4, column 12", "invalid YAML: mapping values are not allowed here"),
    "unknown_key": ("campaigns[0].activ", "line 4, column 5", "unknown key 'activ' (did you mean 'active'?"),
    "wrong_type": ("campaigns[0].active", "line 4, column 13", "must be true or false, not 'yes please'"),
    "long_name": ("campaigns[0].name", "line 3, column 11", "is 256 characters long; at most 255"),
    "comma": ("campaigns[0].name", "line 3, column 11", "cannot contain a comma"),
    "unknown_variable": ("folder", "line 1, column 9", "unknown variable ${nowhere}: the environment defines webinars"),
    "long_description": ("campaigns[0].description", "line 4, column 18", "is 2001 characters long; at most 2000"),
    "token_with_braces": ("tokens[0].name", "line 3, column 12", "bare token name"),
    "token_type": ("tokens[0].type", "line 3, column 32", "must be one of: date, number, rich text"),
    "managed_without_folder": ("managed", "line 1, column 10", "applies to the file's `folder`"),
    "no_folder": ("campaigns[0]", "line 2, column 5", "has no folder"),
    "duplicate_key": ("campaigns[0].description", "line 5, column 5", "written twice in one mapping (first at line 4"),
    "folder_ref_without_type": ("folder", "line 1, column 9", "missing required key 'type'"),
    "name_not_text": ("campaigns[0].name", "line 3, column 11", "must be text, not 2026 (put it in quotes"),
    "bad_expect": ("campaigns[0].expect.qualificationRuleType", "line 4, column 52", "not 'twice'"),
    "template_not_a_path": ("campaigns[0].template", "line 4, column 15", "Folder/…/Campaign Name"),
}


def reasons_of(paths, **kw) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_desired(paths, **kw)
    return caught.value.reasons


def test_every_invalid_fixture_has_a_case():
    assert {p.stem for p in INVALID.glob("*.yaml")} == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_file_gives_one_placed_reason(case):
    field, position, words = CASES[case]
    [reason] = reasons_of([INVALID / f"{case}.yaml"], root=INVALID, variables={"webinars": "W"})
    assert reason.endswith(f"({case}.yaml, {position})"), reason
    assert reason.startswith(f"{field}: " if field else "invalid YAML"), reason
    assert words in reason, reason


def test_duplicate_across_two_files_names_both(tmp_path):
    reasons = reasons_of(["campaigns"], root=DATA / "duplicate")
    assert reasons == [
        "campaigns[1].name: campaign 'score - web visit' in 'Marketing Activities/Operational' is declared "
        "twice: here and at campaigns/a.yaml, line 3, column 5 (campaigns/b.yaml, line 4, column 11)"]


def test_all_errors_of_all_files_at_once():
    reasons = reasons_of(["campaigns"], root=DATA / "multi")
    located = [r.rsplit(" (", 1)[1] for r in reasons]
    assert located == [
        "campaigns/one.yaml, line 5, column 12)",   # token declared twice (case-insensitive)
        "campaigns/one.yaml, line 7, column 11)",   # comma in name
        "campaigns/one.yaml, line 8, column 13)",   # wrong type
        "campaigns/one.yaml, line 11, column 5)",   # unknown key
        "campaigns/one.yaml, line 11, column 5)",   # missing name
        "campaigns/three.yaml, line 2, column 1)",  # bad YAML
        "campaigns/two.yaml, line 2, column 10)",   # managed twice with different modes
        "campaigns/two.yaml, line 5, column 9)",    # id pinned twice
        "campaigns/two.yaml, line 6, column 11)",   # unknown variable
    ]
    assert "managed: exclusive` at campaigns/one.yaml, line 2, column 10" in reasons[6]
    assert "pinned twice: here and at campaigns/one.yaml, line 9, column 5" in reasons[7]
    assert "missing required key 'name'" in reasons[4] and "unknown key 'nmae'" in reasons[3]


def test_valid_files_give_the_desired_state():
    variables = {"webinars": "Marketing Activities/Webinars", "year": "2026", "price": "1.50"}
    state = load_desired(["campaigns"], root=DATA / "valid", variables=variables)
    march = "Marketing Activities/Webinars/2026-03 Customer Engagement Webinar"
    assert isinstance(state, DesiredState)
    assert state.files == ("campaigns/empty.yaml", "campaigns/operational.yaml", "campaigns/webinars/march.yaml")
    assert [(f.folder, f.mode) for f in state.folders] == [(march, "exclusive")]
    assert state.folders[0].location == Location("campaigns/webinars/march.yaml", 3, 10)
    assert [(t.folder, t.name, t.type, t.value) for t in state.tokens] == [
        (march, "WebinarTitle", "text", "Scaling Customer Engagement in 2026"),
        (march, "WebinarDate", "date", "2026-03-18"),     # a date stays as written
        (march, "Price", "number", "1.50"),               # digits as written
    ]
    routing, costs, reminder, confirmation = state.campaigns
    assert routing.folder == FolderRef(1104, "Folder") and routing.template == 2002
    assert routing.active is False and routing.allow_replace and routing.description is None
    assert costs.name == "Costs ${price}"                  # $${ is a literal ${
    assert costs.folder == "Marketing Activities/Operational" and costs.description == ""
    assert reminder.folder == march and reminder.active is True
    assert reminder.template == "Marketing Activities/Templates/Webinar Reminder Template"
    assert reminder.expect == {"type": "trigger", "isRequestable": True, "qualificationRuleType": "once"}
    assert reminder.location == Location("campaigns/webinars/march.yaml", 9, 5)
    assert str(reminder.location) == "campaigns/webinars/march.yaml, line 9, column 5"
    assert confirmation.id == 2011 and confirmation.protect and confirmation.template is None


def test_variables_differ_per_environment():
    variables = {"webinars": "Marketing Activities/Events/Webinars", "year": "2027", "price": "2"}
    state = load_desired([DATA / "valid" / "campaigns"], root=DATA / "valid", variables=variables)
    assert state.tokens[0].folder == "Marketing Activities/Events/Webinars/2027-03 Customer Engagement Webinar"


def test_no_files_says_where_it_looked(tmp_path):
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaigns" / "notes.txt").write_text("not a campaign file")
    [reason] = reasons_of(["campaigns"], root=tmp_path)
    assert reason == "no campaign files found: looked for *.yaml and *.yml in campaigns"
    [reason] = reasons_of(["missing"], root=tmp_path)
    assert reason.startswith("campaign path 'missing' does not exist")


def test_globs_files_and_hidden_directories(tmp_path):
    source = DATA / "valid" / "campaigns"
    shutil.copytree(source, tmp_path / "campaigns")
    hidden = tmp_path / "campaigns" / ".trash"
    hidden.mkdir()
    (hidden / "old.yaml").write_text("campaigns: [{name: Old}]\n")  # no folder: would be an error
    variables = {"webinars": "W", "year": "2026", "price": "1"}
    assert len(load_desired(["campaigns"], root=tmp_path, variables=variables).campaigns) == 4
    state = load_desired(["campaigns/*/*.yaml", "campaigns/operational.yaml"], root=tmp_path,
                         variables=variables)
    assert state.files == ("campaigns/webinars/march.yaml", "campaigns/operational.yaml")
    outside = load_desired([source / "operational.yaml"], root=tmp_path / "elsewhere")
    assert outside.files == (str(source / "operational.yaml"),)


def test_a_broken_campaign_does_not_hide_the_others(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "folder: F/G\ncampaigns:\n  - {name: A, active: 3}\n  - {name: B, protect: 4}\n  - {name: C}\n")
    reasons = reasons_of(["a.yaml"], root=tmp_path)
    assert [r.split(":")[0] for r in reasons] == ["campaigns[0].active", "campaigns[1].protect"]


def test_reasons_never_echo_whole_mappings(tmp_path):
    (tmp_path / "a.yaml").write_text("folder: [secret-looking, list]\ncampaigns: {name: x, hidden: value}\n")
    reasons = reasons_of(["a.yaml"], root=tmp_path)
    assert reasons == [
        "folder: must be a folder path (text such as \"Marketing Activities/Webinars\") or "
        "{id: <number>, type: Folder|Program} (a.yaml, line 1, column 9)",
        "campaigns: must be a list or empty, not a mapping (a.yaml, line 2, column 12)"]
