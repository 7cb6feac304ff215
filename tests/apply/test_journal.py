"""The journal: one fsynced JSON line per step, readable after a kill, never overwritten."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from apply_builders import clone, create, plan_of
from fake_api import EMPTY_FLOW, MARCH, FakeApi

from marketo_sync.apply.applier import Applier
from marketo_sync.apply.journal import Journal, journals, last_journal, read_journal
from marketo_sync.apply.receipt import Receipt


def test_every_change_is_journalled_as_it_starts_and_ends(tmp_path):
    api = FakeApi()
    changes = [*clone(MARCH, "Broken", EMPTY_FLOW, active=True), create(MARCH, "Plain")]
    plan = plan_of(changes, [])
    with Journal.create(tmp_path, "sandbox") as journal:
        journal.header(plan_checksum="sha256:x", environment="sandbox", instance="fake", changes=3)
        outcomes = Applier(api, plan, journal=journal, workers=2).run()
        journal.footer(Receipt(outcomes).counts())
    contents = read_journal(journal.path)
    assert contents.complete and not contents.truncated
    assert contents.header["plan_checksum"] == "sha256:x"
    statuses = {key: line["status"] for key, line in contents.final.items()}
    assert statuses == {changes[0].key: "applied", changes[1].key: "failed", changes[2].key: "applied"}
    assert [line["status"] for line in contents.lines if line["key"] == changes[0].key] == ["started", "applied"]
    failed = contents.final[changes[1].key]
    assert failed["code"] == "709" and failed["campaign"]["name"] == "Broken" and failed["id"]
    assert contents.footer is not None and contents.footer["counts"]["failed"] == 1


def test_a_cut_last_line_is_ignored(tmp_path):
    with Journal.create(tmp_path, "prod") as journal:
        journal.header(environment="prod")
        journal.change(key="create:A/B", action="create", status="started")
        journal.change(key="create:A/B", action="create", status="applied", id=7)
    with journal.path.open("a", encoding="utf-8") as stream:
        stream.write('{"type": "change", "key": "create:A/C", "sta')  # SIGKILL mid-write
    contents = read_journal(journal.path)
    assert contents.truncated and not contents.complete
    assert contents.final["create:A/B"]["id"] == 7 and contents.counts()["applied"] == 1


def test_two_runs_in_the_same_instant_get_two_files(tmp_path):
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = Journal.create(tmp_path, "a/b", now=now)
    second = Journal.create(tmp_path, "a/b", now=now)
    first.close()
    second.close()
    assert first.path != second.path and first.path.name.startswith("20260102T030405.000000Z-a_b")
    assert journals(tmp_path) == [first.path, second.path]
    assert last_journal(tmp_path, "a/b") == second.path and last_journal(tmp_path, "other") is None


def test_lines_are_plain_json(tmp_path):
    with Journal.create(tmp_path, "x") as journal:
        journal.change(key="k", action="delete", status="skipped", message="depends on y, which failed")
    (line,) = journal.path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["message"] == "depends on y, which failed"
