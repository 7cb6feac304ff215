"""The fast paths of loading and schema checking give exactly the full paths' answers.

``yaml_loader._build_plain`` builds a common file straight from libyaml's events and leaves
every other file to the full loader; ``schema_fast`` says "valid" only when jsonschema would.
Both are compared here with the path they shortcut, on the same inputs.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from marketo_sync.desired import schema, schema_fast
from marketo_sync.desired import yaml_loader as _yaml

pytestmark = pytest.mark.skipif(_yaml.CContextLoader is None, reason="libyaml is not available")

COMMON = """\
folder: Marketing Activities/Events/Event 1
managed: exclusive
tokens:
  - {name: Title, type: text, value: "Webinar"}
  - name: Price
    type: number
    value: 1.50
campaigns:
  - name: 01 - Registration
    description: 'it''s'
    active: true
    id: {sandbox: 010, production: 0x1F}
    previous_names: [Old, "Older"]
    expect: {type: trigger}
  - name: 02 - Empty
    description:
    flow:
      - step: Wait
        Duration: 1
      - {step: Send Email, Email: ~}
    text: |
      two
      lines
"""

#: Files the fast path must leave to the full loader (it would otherwise differ or crash).
NOT_PLAIN = [
    "a: &x 1\nb: *x\n",             # anchor and alias
    "a: !!str 1\n",                 # a tag
    "a: 1\na: 2\n",                 # a key written twice
    "true: 1\n1: 2\n",              # keys equal as values
    "? [a]\n: b\n",                 # a collection as a key
    "--- a\n--- b\n",               # two documents
    "",                             # no document
    "a: [1, 2\n",                   # a syntax error
    "a: \x07\n",                    # a character YAML refuses
    "[" * 64 + "]" * 64 + "\n",      # nesting at the limit
]

SAME = [COMMON, "x\n", "~\n", "- 1\n- 1.0\n- .inf\n- -.NaN\n- 0o17\n- +5\n- yes\n- 2026-03-15\n- 12:30\n",
        "a:\nb: ''\nc: \"\"\n1: one\n~: none\n", "{a: {b: {c: [d, {e: f}]}}}\n", "a: 1\r\nb: 2\r\n",
        "\ufeffa: 1\n", "[" * 62 + "]" * 62 + "\n", "a: >-\n  folded\n  text\n"]


def _same(fast: Any, full: Any) -> None:
    assert type(fast) is type(full)
    if isinstance(fast, float) and math.isnan(fast):
        assert math.isnan(full)
    elif isinstance(fast, _yaml.ContextDict):
        assert (fast.file, fast.mark, fast.key_marks, fast.value_marks, fast.scalars) == (
            full.file, full.mark, full.key_marks, full.value_marks, full.scalars)
        assert list(fast) == list(full)
        for key in fast:
            _same(fast[key], full[key])
    elif isinstance(fast, _yaml.ContextList):
        assert (fast.file, fast.mark, fast.item_marks, fast.scalars, len(fast)) == (
            full.file, full.mark, full.item_marks, full.scalars, len(full))
        for one, other in zip(fast, full, strict=True):
            _same(one, other)
    else:
        assert fast == full


@pytest.mark.parametrize("text", SAME)
def test_the_fast_build_is_the_full_loaders_document(text):
    fast = _yaml._build_plain(text, "f.yaml")
    assert fast is not _yaml._NOT_PLAIN  # a common file takes the fast path
    full, problems, syntax_error = _yaml._parse(_yaml.CContextLoader, text, "f.yaml")
    assert problems == [] and not syntax_error
    _same(fast, full)


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_files_the_composer_must_check_are_left_to_the_full_loader(text):
    assert _yaml._build_plain(text, "f.yaml") is _yaml._NOT_PLAIN


def test_load_still_reports_what_the_full_loader_reports():
    data, problems = _yaml.load("a: 1\na: 2\n", "f.yaml")
    assert [p.message for p in problems] == ["key 'a' is written twice in one mapping (first at line 1, column 1)"]
    data, problems = _yaml.load("a: &x 1\n", "f.yaml")
    assert data is None and "anchors" in problems[0].message


def test_every_project_schema_checked_here_compiles():
    for name in ("campaigns.schema.json", "project.schema.json"):
        assert schema._valid(name) is not None, name


def _variants(document: dict[str, Any]) -> list[Any]:
    """The document with one value at a time replaced by values of every kind."""
    values: list[Any] = [None, True, 1, 1.0, 0, 1.5, "", "x", "a,b", "my.X", "x" * 256, [], ["a", "a"], {},
                         {"id": 1}, {"id": 1, "type": "Folder"}, {"sandbox": 1}, {"-x": 1}]
    out: list[Any] = [document]

    def walk(node: Any, path: list[Any]) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        for key, child in list(items):
            for value in values:
                variant = copy.deepcopy(document)
                target = variant
                for step in path:
                    target = target[step]
                target[key] = copy.deepcopy(value)
                out.append(variant)
            walk(child, [*path, key])

    walk(document, [])
    return out


def test_the_quick_check_agrees_with_jsonschema():
    document, _ = _yaml.load(COMMON, "f.yaml")
    validator, quick = schema._validator("campaigns.schema.json"), schema._valid("campaigns.schema.json")
    answers = set()
    for variant in _variants(document):
        try:
            answer = quick(variant)
        except schema_fast.Undecided:
            continue
        assert answer == validator.is_valid(variant), variant
        answers.add(answer)
    assert answers == {True, False}


def test_an_invalid_document_is_worded_by_jsonschema():
    document, _ = _yaml.load("campaigns:\n  - name: a,b\n    active: yes\n", "f.yaml")
    messages = [p.message for p in schema.check(document, "campaigns.schema.json")]
    assert any("comma" in m for m in messages) and any("true or false" in m for m in messages)


def test_unsupported_keywords_leave_everything_to_jsonschema():
    assert schema_fast.compile_schema({"type": "string", "format": "email"}) is None
    assert schema_fast.compile_schema({"const": 1}) is None
    with pytest.raises(schema_fast.Undecided):
        schema_fast.compile_schema({"enum": [1, 2]})(1)  # type: ignore[misc]
