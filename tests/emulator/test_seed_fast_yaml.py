"""A YAML seed built straight from libyaml's events equals ``yaml.load`` with SafeLoader, and
anything the fast builder does not handle is left to ``yaml.load`` (issue 13, goal 5)."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from marketo_sync.emulator import seed as seed_module
from marketo_sync.emulator.seed import SeedError, read_seed_plan

pytestmark = pytest.mark.skipif(seed_module._CParser is None, reason="PyYAML without libyaml")

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

COMMON = [
    "a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: ~, f: }\n",
    "- yes\n- no\n- on\n- off\n- true\n- False\n- y\n- n\n",  # YAML 1.1 booleans (y/n stay text)
    "ints: [0, -3, +7, 010, 0x1F, 0b101, 1_000, '12', 1:30]\n",
    "floats: [1.5, -2e3, .inf, -.Inf, 6.8523015e+5, 1:30.5, 1_0.5]\n",
    "dates: [2026-05-14, 2001-12-14t21:59:43.10-05:00, '2026-05-14', 2026-5-4]\n",
    "text: |\n  two\n  lines\nfolded: >\n  one\n  line\nempty: ''\nspace: ' '\n",
    "twice: 1\ntwice: 2\nother: 3\n",  # a key written twice: the last value, at the first place
    "1: one\n2.5: two\ntrue: three\nnull: four\n2026-05-14: five\n",  # keys of every scalar type
    "- - - deep\n    - [a, {b: [c]}]\n",
    "just a scalar\n",
    "%YAML 1.1\n---\nkey: value\n...\n",
    "{flow: [1, 2, {nested: yes}], 'quoted key': \"with \\t escape\"}\n",
    "unicode: \"caf\\u00e9 \u2014 \U0001f600\"\n",
    "name: Event 00001\ncampaigns:\n- {name: 01 - Registration, description: Event 00001}\n",
]

LEFT_TO_YAML_LOAD = [
    "a: &x [1, 2]\nb: *x\n",  # anchor and alias
    "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",  # merge key
    "<<: {x: 1}\n",  # a merge key without anchors
    "a: !!str 12\n",  # an explicit tag
    "a: !custom x\n",  # an unknown tag: yaml.load refuses it
    "? [a, b]\n: value\n",  # a collection as a key: yaml.load refuses it
    "a: 1\n---\nb: 2\n",  # two documents: yaml.load refuses them
    "",  # no document at all
    "a: [1, 2\n",  # a syntax error
    "a: b: c\n",  # a syntax error
    "= : x\n",  # the value key
    "[" * 250 + "]" * 250 + "\n",  # nesting deeper than the fast builder goes
]


def _same(left: Any, right: Any) -> bool:
    """Equality that also compares types (True == 1) and NaN with NaN."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    return bool(left == right)


@pytest.mark.parametrize("text", COMMON)
def test_a_common_seed_is_built_from_events_as_yaml_load_builds_it(text: str) -> None:
    built = seed_module._build_from_events(text)
    assert built is not seed_module._NOT_COMMON
    assert _same(built, yaml.load(text, Loader=SAFE_LOADER))


def test_nan_and_the_generated_seed_shapes_are_the_same() -> None:
    text = "a: .nan\nb: [.NaN, 1]\n" + yaml.safe_dump({"folders": [{"name": f"F{i}", "isSystem": i % 2 == 0,
                                                                  "id": i, "campaigns": [{"name": f"x{n}"} for n in range(3)]}
                                                                 for i in range(50)]})
    assert _same(seed_module._build_from_events(text), yaml.load(text, Loader=SAFE_LOADER))


@pytest.mark.parametrize("text", LEFT_TO_YAML_LOAD)
def test_anything_else_is_left_to_yaml_load(text: str) -> None:
    assert seed_module._build_from_events(text) is seed_module._NOT_COMMON


def test_a_seed_with_anchors_still_loads_through_yaml_load(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text(textwrap.dedent("""\
        folders:
        - name: Marketing Activities
          folderType: Zone
          folders:
          - name: A
            campaigns:
            - &c {name: One, description: shared}
          - name: B
            campaigns:
            - *c
        """), encoding="utf-8")
    doc, plan = read_seed_plan(path)
    assert [c["name"] for c in plan["campaigns"]] == ["One", "One"]
    assert doc == yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)


def test_a_syntax_error_is_worded_by_yaml_load_as_before(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text("folders: [1, 2\n", encoding="utf-8")
    with pytest.raises(SeedError) as caught:
        read_seed_plan(path)
    try:
        yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        expected = f"{path}: not valid YAML: {exc}"
    assert str(caught.value) == expected


def test_an_invalid_seed_still_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text("folders:\n- name: Marketing Activities\n  folderType: Zone\n  colour: red\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"seed\.yaml, line 2: folders\[0\]\.colour: unknown key"):
        read_seed_plan(path)
