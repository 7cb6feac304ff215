"""Names and descriptions (issue 15 item 6): offline errors placed at file, line, column and field;
warnings naming the code point for invisible characters and mixed-script look-alikes. Pure units."""

from __future__ import annotations

import json

import pytest

from marketo_sync.desired.load import load_desired
from marketo_sync.desired.names import name_errors, name_warnings
from marketo_sync.errors import ValidationError

HEAD = "folder: Marketing Activities/Webinars\ncampaigns:\n"


def _errors(tmp_path, text):
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_desired([tmp_path], root=tmp_path)
    return caught.value.reasons


@pytest.mark.parametrize(("name", "words"), [
    ('"   "', "is blank"),
    ('" Reminder"', "starts with whitespace"),
    ('"Reminder "', "ends with whitespace"),
    ('"Re\\tminder"', "U+0009 CHARACTER TABULATION"),
    ('"Reminder\\nNo changes."', "U+000A LINE FEED"),
    ('"Re\\0minder"', "U+0000 NULL"),
    ('"Re\\x7fminder"', "U+007F DELETE"),
    ('"Re\\x85minder"', "U+0085"),
    ('"Re\\u2028minder"', "U+2028 LINE SEPARATOR"),
])
def test_bad_campaign_names_are_placed_errors(tmp_path, name, words):
    reasons = _errors(tmp_path, HEAD + "  - name: Fine\n  - name: " + name + "\n")
    assert len(reasons) == 1, reasons
    assert reasons[0].startswith("campaigns[1].name: ") and words in reasons[0]
    assert reasons[0].endswith("(c.yaml, line 4, column 11)")


def test_token_previous_folder_and_description_are_checked(tmp_path):
    reasons = _errors(tmp_path, (
        'folder: "Marketing Activities/Web\\ninars"\n'                     # line 1
        "program: {template: Marketing Activities/T, description: \"a\\0b\"}\n"  # line 2
        "tokens:\n  - {name: \" Title\", type: text, value: x}\n"            # line 4
        "campaigns:\n"
        "  - name: Ok\n"
        "    previous_names: [\"Old\\tName\"]\n"                               # line 7
        "    description: \"two\\nlines\\tand a tab are kept\"\n"
        "  - name: Ok2\n    folder: \"Marketing Activities/ \"\n"              # blank segment: ignored
        "  - name: Ok3\n    description: \"bell\\a\"\n"))                      # line 12
    by_field = {r.split(":", 1)[0]: r for r in reasons}
    assert set(by_field) == {"folder", "program.description", "tokens[0].name", "campaigns[0].previous_names[0]",
                             "campaigns[2].description"}, reasons
    assert "U+000A LINE FEED" in by_field["folder"] and "line 1, column 9" in by_field["folder"]
    assert "U+0000 NULL" in by_field["program.description"] and "line 2," in by_field["program.description"]
    assert "starts with whitespace" in by_field["tokens[0].name"] and "line 4," in by_field["tokens[0].name"]
    assert "line 7," in by_field["campaigns[0].previous_names[0]"]
    assert "U+0007" in by_field["campaigns[2].description"] and "line 12," in by_field["campaigns[2].description"]


def test_padded_folder_segment_with_no_break_space_is_an_error(tmp_path):
    reasons = _errors(tmp_path, "folder: \"Marketing Activities/\u00a0Webinars\"\ncampaigns:\n  - name: A\n")
    assert len(reasons) == 1 and reasons[0].startswith("folder: ") and "starts with whitespace" in reasons[0]


def test_zero_width_space_is_a_warning_naming_the_code_point(tmp_path):
    (tmp_path / "c.yaml").write_text(HEAD + "  - name: \"Re\u200bminder\"\n", encoding="utf-8")
    state = load_desired([tmp_path], root=tmp_path)
    assert len(state.warnings) == 1
    assert state.warnings[0].startswith("campaigns[0].name: ")
    assert "U+200B ZERO WIDTH SPACE" in state.warnings[0] and state.warnings[0].endswith("(c.yaml, line 3, column 11)")


def test_cyrillic_letter_in_a_latin_word_is_a_warning_naming_it_and_its_script():
    warnings = name_warnings("W\u0435binar")
    assert len(warnings) == 1
    assert "U+0435 CYRILLIC SMALL LETTER IE (Cyrillic) among Latin letters" in warnings[0]


@pytest.mark.parametrize("name", ["Webinar Reminder", "Webinar Москва", "東京ウェビナー", "Café Crème",
                                  "Webinar 東京", "Ελληνικά"])
def test_ordinary_names_have_no_warning_and_no_error(name):
    assert name_warnings(name) == [] and name_errors(name) == []


@pytest.mark.parametrize("ch", ["\u00a0", "\u3164", "\u2060", "\ufeff", "\u202e"])
def test_other_invisibles_are_named(ch):
    [warning] = name_warnings(f"Web{ch}inar")
    assert f"U+{ord(ch):04X} " in warning


def test_validate_json_lists_the_warning(tmp_path, cli_project):
    (cli_project.root / "campaigns").mkdir(exist_ok=True)
    (cli_project.root / "campaigns" / "c.yaml").write_text(HEAD + "  - name: \"Re\u200bminder\"\n", encoding="utf-8")
    code, out, err = cli_project.run("validate", "--format", "json")
    assert code == 0, err
    [warning] = json.loads(out)["warnings"]
    assert warning["field"] == "campaigns[0].name" and warning["line"] == 3 and "U+200B" in warning["message"]
    code, out, err = cli_project.run("validate")
    assert code == 0 and "U+200B ZERO WIDTH SPACE" in err and "campaigns/c.yaml, line 3" in err
