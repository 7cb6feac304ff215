"""The compare views: what differs is named, ids are shown and never a difference, user text
stays inert (terminal escapes, markdown mentions and tags)."""

from __future__ import annotations

import json

from marketo_sync.plan.compare import Compared, Comparison, Difference
from marketo_sync.render.compare import render_compare_json, render_compare_markdown, render_compare_text


def comparison() -> Comparison:
    hostile = "Ping @octocat </details><img src=x> \x1b[31mred\x1b[0m | pipe"
    return Comparison(
        left="sandbox", right="production", left_instance="sb.example", right_instance="prod.example",
        campaigns=(
            Compared(kind="campaign", name="Same", left_path="MA/Ops", right_path="MA/Ops",
                     location="campaigns/a.yaml, line 3, column 5", left_id=1, right_id=9),
            Compared(kind="campaign", name=hostile, left_path="MA/Webinars", right_path="MA/Events/Webinars",
                     location="campaigns/b.yaml, line 4, column 5", left_id=2, right_id=None,
                     differences=(Difference("exists", True, False),)),
            Compared(kind="campaign", name="Reminder", left_path="MA/Ops", right_path="MA/Ops",
                     location="campaigns/a.yaml, line 9, column 5", left_id=3, right_id=7,
                     differences=(Difference("isActive", True, False),
                                  Difference("rules", "sha256:a", "sha256:b",
                                             ("flow step 2 extra: 'Wait' (not in sandbox)",)))),
        ),
        tokens=(Compared(kind="token", name="Title", left_path="MA/Webinars/P", right_path="MA/Events/Webinars/P",
                         location="campaigns/b.yaml, line 2, column 5",
                         differences=(Difference("value", "2026", hostile),)),),
        read_calls=(5, 6))


def test_text_names_each_difference_with_both_ids_and_escapes_control_characters() -> None:
    text = render_compare_text(comparison())
    assert text.splitlines()[0] == "compare sandbox (sb.example) with production (prod.example): differ"
    assert "3 of 3 campaigns" not in text and "2 of 3 campaigns and 1 of 1 token differ" in text
    assert "  ~ MA/Ops/Reminder  (sandbox id 3, production id 7)" in text
    assert "      isActive: sandbox true, production false" in text
    assert "        - flow step 2 extra: 'Wait' (not in sandbox)" in text
    assert "in production: MA/Events/Webinars; sandbox id 2, production: missing" in text
    assert "      only in sandbox" in text
    assert "\x1b" not in text and "\\u001b[31mred" in text
    assert "Same" not in text  # the same campaign is only counted


def test_json_keys_values_by_environment_and_never_lists_ids_as_differences() -> None:
    doc = json.loads(render_compare_json(comparison()))
    assert doc["same"] is False and doc["read_calls"] == {"sandbox": 5, "production": 6}
    same = doc["campaigns"][0]
    assert same["same"] is True and same["differences"] == [] and same["ids"] == {"sandbox": 1, "production": 9}
    reminder = doc["campaigns"][2]
    assert [d["field"] for d in reminder["differences"]] == ["isActive", "rules"]
    assert reminder["differences"][1]["details"] == ["flow step 2 extra: 'Wait' (not in sandbox)"]
    assert "ids" not in doc["tokens"][0]


def test_markdown_keeps_user_text_in_code_spans() -> None:
    markdown = render_compare_markdown(comparison())
    rows = [line for line in markdown.splitlines() if line.startswith("| `")]
    assert len(rows) == 4
    for row in rows:
        assert row.count(" | ") == 3  # a pipe in a name cannot add a column
    for fragment in ("@octocat", "</details>", "<img"):
        for line in markdown.splitlines():
            if fragment in line:
                before = line[: line.index(fragment)]
                assert before.count("`") % 2 == 1, line  # inside a code span: literal
    assert "**missing**" in markdown
    assert "\x1b" not in markdown
