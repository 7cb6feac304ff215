"""`flow:` is checked offline (`validate`): the shape, with file, line and field."""

from __future__ import annotations


def test_flow_shape_errors_name_file_line_and_field(cli_project):
    folder = cli_project.root / "campaigns"
    folder.mkdir()
    (folder / "bad.yaml").write_text(
        "folder: Marketing Activities/Operational\ncampaigns:\n  - name: A\n    flow:\n"
        "      - {Email: X}\n"                                    # no step
        "      - step: Change Data Value\n        choices:\n"
        "          - {Attribute: Country}\n"                      # the default is not last
        "          - if: {name: Country, values: [UK]}\n            Attribute: Country\n"
        "      - {step: Send Email, Email: {nested: 1}}\n", encoding="utf-8")
    code, out, err = cli_project.run("validate")
    assert code == 1 and "Traceback" not in err
    assert "campaigns[0].flow[0]" in err and "bad.yaml, line 5" in err
    assert "campaigns[0].flow[2].Email" in err and "bad.yaml, line 11" in err
    (folder / "bad.yaml").write_text(
        "folder: Marketing Activities/Operational\ncampaigns:\n  - name: A\n    flow:\n"
        "      - step: Change Data Value\n        choices:\n"
        "          - {Attribute: Country}\n"
        "          - if: {name: Country, values: [UK]}\n            Attribute: Country\n", encoding="utf-8")
    code, out, err = cli_project.run("validate")
    assert code == 1
    assert "only the last choice may be the default one" in err and "bad.yaml, line 7" in err
    assert "the last choice is the default one" in err and "bad.yaml, line 8" in err
