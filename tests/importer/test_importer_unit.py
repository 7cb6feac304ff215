"""Pure logic of the importer: scalars that read back exactly, variables, slugs, file names."""

from __future__ import annotations

import random

import yaml

from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.desired.load import _Loader
from marketo_sync.refs import FolderRef
from marketo_sync.remote.state import RemoteCampaign, RemoteFolder, RemoteToken
from marketo_sync.workflows.importer import (
    Container,
    escape_variables,
    file_names,
    folder_with_variables,
    render_container,
    slug,
)

ALPHABET = list("ab Z09-_:#,.&*!|>%@'\"{}[]$\\\t\n\r/?~=<") + ["ü", "日", "😀", "\x7f", "\x85", "\u2028", "\ufeff",
                                                               "\x00", "\xa0", "yes", "${", "$${", "}"]


def test_random_strings_read_back_exactly():
    rng = random.Random(20260318)
    for _ in range(3000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        written = _yaml.scalar(text)
        assert "\n" not in written
        assert yaml.safe_load(f"k: {written}\n") == {"k": text}, (text, written)
        document, problems = _yaml.load(f"k: {written}\n", "t.yaml")
        assert not problems and document["k"] == text


def test_misreadable_values_are_quoted_and_plain_text_is_not():
    for text in ("yes", "no", "on", "off", "2026-03", "2026-03-18", "1.50", "12:30", "a: b", "#1", "*x", "x #y"):
        assert _yaml.scalar(text).startswith('"'), text
    assert _yaml.scalar("2026-03 Customer Engagement Webinar") == "2026-03 Customer Engagement Webinar"
    assert _yaml.scalar("Ünïcödé") == "Ünïcödé"


def test_variable_escapes_survive_substitution():
    loader = _Loader({"x": "SUBSTITUTED"}, "test")
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(["$", "{", "}", "x", "${x}", "$${x}", "a"]) for _ in range(rng.randint(0, 8)))
        expanded, unknown = loader._expand(escape_variables(text))
        assert (expanded, unknown) == (text, []), text


def test_folder_with_variables_prefers_the_longest_whole_segment_prefix():
    variables = {"ma": "Marketing Activities", "webinars": "Marketing Activities/Webinars",
                 "web": "Marketing Activities/Web"}
    assert folder_with_variables("Marketing Activities/Webinars/2026-03 X", variables) == "${webinars}/2026-03 X"
    assert folder_with_variables("Marketing Activities/Webinars", variables) == "${webinars}"
    assert folder_with_variables("Marketing Activities/Website", variables) == "${ma}/Website"
    assert folder_with_variables("Other/${y}", {}) == "Other/$${y}"


def test_slugs_and_unique_file_names():
    assert slug("Marketing Activities/Webinars/2026-03 Customer Engagement Webinar") == \
        "webinars-2026-03-customer-engagement-webinar"
    assert slug("Marketing Activities/Événements") == "evenements"

    def container(path: str, ref: int) -> Container:
        return Container(RemoteFolder(FolderRef(ref, "Folder"), path, "/" + path, path.rsplit("/", 1)[-1]), ())

    names = file_names([container("Marketing Activities/A B", 2), container("Marketing Activities/A-B", 1),
                        container("Marketing Activities/日本", 3)])
    assert sorted(names.values()) == ["a-b-2.yaml", "a-b.yaml", "folder-3.yaml"]


def test_rendering_is_sorted_and_leaves_out_what_files_cannot_hold():
    folder = RemoteFolder(FolderRef(7, "Program"), "Marketing Activities/P", "/Marketing Activities/Default/P", "P")
    ref = FolderRef(7, "Program")
    campaigns = (
        RemoteCampaign(3, "b", ref, type="batch"),
        RemoteCampaign(1, "c", ref, type="trigger", is_active=True, qualification_rule_type="once"),
        RemoteCampaign(2, "with, comma", ref, type="trigger"),
        RemoteCampaign(4, "Sys", ref, type="batch", is_system=True),
        RemoteCampaign(5, "A", ref, type="batch"),
        RemoteCampaign(6, "B", ref, type="batch"),
    )
    tokens = (RemoteToken("Z", "text", "1"), RemoteToken("Script", "script block", "#set($x = 1)"))
    text = render_container(Container(folder, campaigns, tokens))
    assert text == render_container(Container(folder, tuple(reversed(campaigns)), tuple(reversed(tokens))))
    assert text.index("name: A\n") < text.index("name: B\n") < text.index("name: c\n")
    assert "with, comma (id 2)" in text and "#   Sys (id 4)" in text
    assert "Script (type script block)" in text and 'value: "1"' in text
    assert "active: true" in text.split("name: c\n")[1].split("- name")[0]
    assert "active" not in text.split("name: B\n")[1].split("- name")[0]
    document = yaml.safe_load(text)
    assert [c["name"] for c in document["campaigns"]] == ["A", "B", "c"]
    assert "b (id 3): its name differs only in case" in text  # validate would refuse both
