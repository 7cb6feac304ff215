"""A rename of a program needs a pinned id or `previous_names` (issue 10): the program found
under its earlier name (or id) is renamed in place, keeping its id, campaigns and tokens."""

from __future__ import annotations

from program_seed import WEBINARS, programs_named, write, writes

OLD = "2026-03 Customer Engagement Webinar"
NEW = "2026-03 Customer Engagement Webinar (On Demand)"


def renamed_file(*, previous: str | None = OLD, pin: int | None = None, name: str = NEW) -> str:
    lines = [f"folder: {WEBINARS}/{name}", "program:"]
    if previous is not None:
        lines.append(f"  previous_names: ['{previous}']")
    if pin is not None:
        lines.append(f"  id: {pin}")
    lines += ["  description: The March webinar, now on demand",
              "campaigns:",
              "  - name: 01 - Registration Confirmation",
              "    active: true",
              ""]
    return "\n".join(lines)


def test_a_program_renamed_with_previous_names_is_renamed_in_place(emulator, cli_project):
    """Planned as `~ update-program` (not a clone or a create), applied, and the next plan is empty."""
    [program] = programs_named(emulator, OLD)
    campaigns_before = {c.id for c in emulator.backend._campaigns.values() if c.parent == program.key}
    write(cli_project, {"march.yaml": renamed_file()})
    cli_project.connect(emulator)

    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert f"~ update-program {WEBINARS}/{NEW} (id {program.id})" in out
    assert OLD in out and NEW in out  # the rename is shown, old name and new
    assert "clone-program" not in out and "create-program" not in out and "+ create" not in out
    assert "01 - Registration Confirmation" not in out  # found in the renamed program, already active
    assert writes(emulator) == []

    code, out, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert programs_named(emulator, OLD) == []
    [renamed] = programs_named(emulator, NEW)
    assert renamed.id == program.id and renamed.description == "The March webinar, now on demand"
    assert {c.id for c in emulator.backend._campaigns.values() if c.parent == renamed.key} == campaigns_before

    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    assert "No changes." in out


def test_a_program_renamed_by_its_pinned_id_is_renamed_in_place(emulator, cli_project):
    [program] = programs_named(emulator, OLD)
    write(cli_project, {"march.yaml": renamed_file(previous=None, pin=program.id)})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert f"~ update-program {WEBINARS}/{NEW} (id {program.id})" in out and "clone-program" not in out
    assert cli_project.run("apply", "--auto-approve")[0] == 0
    [renamed] = programs_named(emulator, NEW)
    assert renamed.id == program.id
    assert cli_project.run("plan", "--detailed-exitcode")[0] == 0


def test_a_rename_to_a_name_used_elsewhere_is_refused_at_plan_time(emulator, cli_project):
    """Program names are unique in the instance: the new name is looked up before the rename."""
    emulator.backend.add_program((1104, "Folder"), NEW, type="Event", channel="Webinar")  # elsewhere
    write(cli_project, {"march.yaml": renamed_file()})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan")
    assert code == 1, out + err
    assert f"cannot rename program id 1102 {OLD!r} to {NEW!r}: the name is used by program id" in err
    assert "campaigns/march.yaml, line 3" in err and "Traceback" not in err
    assert writes(emulator) == [] and len(programs_named(emulator, OLD)) == 1


def test_a_previous_name_beside_the_new_name_is_refused(emulator, cli_project):
    """Both programs exist in the folder: which one was renamed cannot be told."""
    emulator.backend.add_program((1102, "Folder"), NEW, type="Event", channel="Webinar")
    write(cli_project, {"march.yaml": renamed_file()})
    cli_project.connect(emulator)
    code, out, err = cli_project.run("plan")
    assert code == 1, out + err
    assert f"its previous name {OLD!r} is program id 1102, beside program id" in err
    assert "campaigns/march.yaml, line 3" in err
    assert writes(emulator) == []


def test_previous_names_offline_errors_name_file_line_and_field(cli_project):
    write(cli_project, {
        "own.yaml": renamed_file(previous=NEW),
        "path.yaml": renamed_file(previous=f"{WEBINARS}/{OLD}", name="2026-06 Webinar"),
    })
    code, out, err = cli_project.run("validate")
    assert code == 1, out + err
    assert f"previous name {NEW!r} is the program's own name" in err
    assert "campaigns/own.yaml, line 3" in err and "previous_names" in err
    assert "campaigns/path.yaml, line 3" in err and "without a path" in err
    assert "Traceback" not in err
