"""The loader's YAML 1.2 scalars, its refusals of hostile files, and its two parsers.

Pure units (no server) except the token-plan test, which plans against the emulator.
"""

from __future__ import annotations

import json
import time

import pytest

from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.desired.load import load_desired
from marketo_sync.errors import ValidationError

PARSERS = ["python"] + (["c"] if _yaml.CContextLoader is not None else [])


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("word", ["yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off",
                                  "OFF", "y", "Y", "n", "N"])
def test_yaml_1_1_booleans_are_text(word, parser):
    data, problems = _yaml.load(f"v: {word}\nl: [{word}]\n", "f.yaml", parser=parser)
    assert problems == [] and data == {"v": word, "l": [word]}


@pytest.mark.parametrize("parser", PARSERS)
def test_yaml_1_2_core_scalars(parser):
    data, problems = _yaml.load("t: true\nf: False\nu: TRUE\nd: 010\nh: 0x1F\no: 0o17\ns: 12:30\n"
                                "x: 1.50\ne: 1e3\nz: ~\nm:\nday: 2026-03-01\ni: -.inf\n", "f.yaml", parser=parser)
    assert problems == []
    assert data == {"t": True, "f": False, "u": True, "d": 10, "h": 31, "o": 15, "s": "12:30", "x": 1.5,
                    "e": 1000.0, "z": None, "m": None, "day": "2026-03-01", "i": float("-inf")}
    assert _yaml.scalar_of(data, ["d"]) == _yaml.Scalar("010", quoted=False)  # kept for text fields


def test_token_values_keep_leading_zeros_times_and_words(tmp_path):
    (tmp_path / "c.yaml").write_text(
        "folder: Marketing Activities/P\ntokens:\n"
        "  - {name: A, type: text, value: 010}\n  - {name: B, type: text, value: 12:30}\n"
        "  - {name: C, type: text, value: NO}\n  - {name: D, type: text, value: yes}\n"
        "  - {name: E, type: text, value: true}\n")
    state = load_desired([tmp_path], root=tmp_path)
    assert {t.name: t.value for t in state.tokens} == {"A": "010", "B": "12:30", "C": "NO", "D": "yes",
                                                       "E": "true"}


def test_token_values_no_and_yes_are_planned_as_text(emulator, cli_project):
    (cli_project.root / "campaigns").mkdir()
    (cli_project.root / "campaigns" / "webinar.yaml").write_text(
        "folder: Marketing Activities/Webinars/2026-03 Customer Engagement Webinar\nmanaged: additive\n"
        "tokens:\n  - {name: WebinarTitle, type: text, value: NO}\n  - {name: Answer, type: text, value: yes}\n")
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan", "--format", "json")
    assert code in (0, 2), err
    after = {c["token"]["name"]: c["after"] for c in json.loads(out)["changes"] if c["action"] == "set-token"}
    assert after == {"WebinarTitle": {"type": "text", "value": "NO"}, "Answer": {"type": "text", "value": "yes"}}


# -- refusals ---------------------------------------------------------------------------

@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize(("text", "message", "mark"), [
    ("a: &x [1]\n", "YAML anchors (&name) are not accepted", (1, 4)),
    ("a: [1]\nb: *x\n", "YAML aliases (*name) are not accepted", (2, 4)),
])
def test_anchors_and_aliases_are_refused_with_a_position(text, message, mark, parser):
    data, [problem] = _yaml.load(text, "f.yaml", parser=parser)
    assert data is None and problem.message.startswith(message)
    assert (problem.mark.line, problem.mark.column) == mark


def _billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, levels):
        previous = chr(ord("a") + index - 1)
        lines.append(f"{chr(ord('a') + index)}: &{chr(ord('a') + index)} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("parser", PARSERS)
def test_billion_laughs_is_refused_at_once(parser):
    started = time.perf_counter()
    data, [problem] = _yaml.load(_billion_laughs(), "f.yaml", parser=parser)
    assert data is None and "anchors" in problem.message and problem.mark == _yaml.Mark(1, 4)
    assert time.perf_counter() - started < 5  # generous: refusing takes microseconds


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "".join(f"{' ' * i}k{i}:\n" for i in range(1500))])
def test_deep_nesting_is_refused(text, parser):
    data, [problem] = _yaml.load(text, "f.yaml", parser=parser)
    assert data is None and problem.message == f"nested deeper than {_yaml.MAX_DEPTH} levels"
    assert problem.mark.line >= 1


def test_nesting_at_the_cap_is_read():
    depth = _yaml.MAX_DEPTH
    data, problems = _yaml.load("[" * depth + "]" * depth, "f.yaml")
    assert problems == [] and isinstance(data, list)


def test_large_files_are_refused_before_they_are_read(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 2000 + "\n")
    with pytest.raises(_yaml.FileRefused, match="over the 0.0 MB cap"):
        _yaml.read_text(big, max_bytes=1000)
    assert _yaml.read_text(big, max_bytes=3000).startswith("a: ")
    with pytest.raises(ValidationError) as caught:
        load_desired([big], root=tmp_path, max_file_bytes=1000)
    assert caught.value.reasons == ["cannot read the file: it is 0.0 MB, over the 0.0 MB cap "
                                    "(limits.max_file_mb in the project file raises it) (big.yaml)"]


# -- the C parser gives the pure-Python parser's documents and positions --------------------

def _everything(node, path=()):
    """Every value with the marks the loader keeps for it, flattened for comparison."""
    out = [(path, type(node).__name__, getattr(node, "mark", None))]
    if isinstance(node, dict):
        out.append((path, "marks", dict(node.key_marks), dict(node.value_marks), dict(node.scalars)))
        for key, value in node.items():
            out.extend(_everything(value, (*path, key)))
    elif isinstance(node, list):
        out.append((path, "marks", list(node.item_marks), dict(node.scalars)))
        for index, value in enumerate(node):
            out.extend(_everything(value, (*path, index)))
    else:
        out.append((path, node))
    return out


SAMPLES = [
    "folder: Marketing Activities/Operational\nmanaged: additive\ncampaigns:\n"
    "  - name: Café – Résumé 🎉 ünïcödé\n    description: >\n      folded text\n      more\n"
    "    active: true\n    expect: {isRequestable: false}\n  - {name: 'q: x', id: 12}\n",
    "# comment\n\ntokens:\n  - name: \"\\tTab\\u00e9\"\n    value: |\n      literal\n      block\n"
    "  -   name: x   # trailing\n      type: text\n      value: 0012\n",
    "a: 1\na: 2\nb: [x, {c: d}]\n",
    "",
    "just a scalar\n",
]


@pytest.mark.skipif(_yaml.CContextLoader is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("text", SAMPLES)
def test_both_parsers_give_identical_documents_and_positions(text):
    python = _yaml.load(text, "f.yaml", parser="python")
    c = _yaml.load(text, "f.yaml", parser="c")
    assert python[1] == c[1]
    assert _everything(python[0]) == _everything(c[0])


@pytest.mark.skipif(_yaml.CContextLoader is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("text", ["a: b\n  c: d\n", "a: [1, 2\n", "a: \x01\n", "a: 1\n---\nb: 2\n"])
def test_syntax_errors_are_worded_by_pyyaml_whichever_parser_ran(text):
    assert _yaml.load(text, "f.yaml", parser="c") == _yaml.load(text, "f.yaml", parser="python")


def test_the_default_parser_is_libyaml_when_available():
    assert (_yaml.CContextLoader is not None) == _yaml.yaml.__with_libyaml__
