"""The position-keeping loader and the schema layer, as pure units."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from marketo_sync.desired import schema
from marketo_sync.desired import yaml_loader as _yaml

ROOT = Path(__file__).resolve().parents[2]


def test_positions_of_keys_values_and_items():
    data, problems = _yaml.load("folder: a\ncampaigns:\n  - name: x\n    active: yes\n  - {name: z}\n", "f.yaml")
    assert problems == []
    assert isinstance(data, _yaml.ContextDict) and isinstance(data["campaigns"], _yaml.ContextList)
    assert _yaml.mark_of(data, ["campaigns", 0, "active"]) == _yaml.Mark(4, 13)
    assert _yaml.mark_of(data, ["campaigns", 0, "active"], key=True) == _yaml.Mark(4, 5)
    assert _yaml.mark_of(data, ["campaigns", 1]) == _yaml.Mark(5, 5)
    assert _yaml.mark_of(data, ["campaigns", 7, "name"]) == _yaml.Mark(3, 3)  # nearest known: the list
    assert _yaml.field_name(["campaigns", 0, "active"]) == "campaigns[0].active"


def test_dates_stay_text_and_scalars_remember_how_they_were_written():
    data, _ = _yaml.load("d: 2026-03-18\nn: 1.50\nq: '1.50'\n", "f.yaml")
    assert data == {"d": "2026-03-18", "n": 1.5, "q": "1.50"}
    assert _yaml.scalar_of(data, ["n"]) == _yaml.Scalar("1.50", quoted=False)
    assert _yaml.scalar_of(data, ["q"]).quoted


@pytest.mark.parametrize(("text", "message", "mark"), [
    ("a: b\n  c: d\n", "invalid YAML: mapping values are not allowed here", (2, 4)),
    ("a: 1\n---\nb: 2\n", "invalid YAML: expected a single document in the stream, but found another "
                          "document", (2, 1)),
    ("a: [1, 2\n", "invalid YAML: while parsing a flow sequence, expected ',' or ']', but got "
                   "'<stream end>'", (2, 1)),
])
def test_syntax_errors_are_problems_with_a_position(text, message, mark):
    data, [problem] = _yaml.load(text, "f.yaml")
    assert data is None and problem.message == message and (problem.mark.line, problem.mark.column) == mark


def test_duplicate_keys_are_reported_with_their_field():
    data, [problem] = _yaml.load("campaigns:\n  - {name: a, name: b}\n", "f.yaml")
    assert problem.key == "campaigns[0].name" and problem.mark == _yaml.Mark(2, 15)
    assert data["campaigns"][0]["name"] == "a"


@pytest.mark.parametrize("name", ["campaigns.schema.json", "project.schema.json"])
def test_schemas_are_valid_2020_12_documents(name):
    document = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.validators.validator_for(document).check_schema(document)
    assert schema.load_schema(name) == document
    assert schema.schema_path(name) == ROOT / "schemas" / name


def test_schema_problems_are_sorted_and_placed():
    data, _ = _yaml.load("campaigns:\n  - name: ''\n    protect: 1\n  - {name: a, expect: {type: x}}\n", "f")
    problems = schema.check(data, "campaigns.schema.json")
    assert [(p.key, p.mark.line, p.mark.column) for p in problems] == [
        ("campaigns[0].name", 2, 11), ("campaigns[0].protect", 3, 14), ("campaigns[1].expect.type", 4, 30)]
    assert problems[0].message == "must not be empty"
    assert schema.format_problem("f.yaml", problems[1]) == (
        "campaigns[0].protect: must be true or false, not 1 (f.yaml, line 3, column 14)")


def test_describe_value_truncates_and_hides_containers():
    assert schema.describe_value("x" * 100).endswith("...'") and len(schema.describe_value("x" * 100)) == 61
    assert schema.describe_value({"client_secret": "s"}) == "a mapping"
    assert schema.describe_value(None) == "an empty value"
