"""Issue 9 item 10, logging: the CLI configures its own ``marketo_sync`` logger, never the root
handlers of a program that embeds it; ``MARKETO_SYNC_LOG=debug`` works like ``-vv``; log lines
carry timestamps."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest

from marketo_sync import cli

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} INFO marketo_sync\.test: hello$")


@pytest.fixture
def clean_loggers() -> Iterator[logging.Logger]:
    """The root logger; its handlers and level (pytest's capture) and ours are restored afterwards."""
    root, ours = logging.getLogger(), logging.getLogger("marketo_sync")
    saved = (root.handlers[:], root.level, ours.handlers[:], ours.level, ours.propagate)
    try:
        yield root
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        ours.handlers[:], ours.level, ours.propagate = saved[2], saved[3], saved[4]


def test_an_embedding_programs_root_handlers_are_kept_and_receive_our_records(clean_loggers):
    theirs = io.StringIO()
    handler = logging.StreamHandler(theirs)
    clean_loggers.handlers[:] = [handler]  # the embedding program's only handler
    clean_loggers.setLevel(logging.WARNING)
    cli.configure_logging(1)
    cli.configure_logging(1)  # twice: still no handler of ours
    assert clean_loggers.handlers == [handler] and clean_loggers.level == logging.WARNING
    assert logging.getLogger("marketo_sync").handlers == []
    logging.getLogger("marketo_sync.test").info("for the embedding program")
    assert "for the embedding program" in theirs.getvalue()


def test_log_lines_carry_timestamps_and_a_second_configuration_replaces_only_ours(clean_loggers):
    clean_loggers.handlers[:] = []  # a program without logging configured (the CLI itself)
    stream = io.StringIO()
    cli.configure_logging(1, stream=stream)
    cli.configure_logging(1, stream=stream)
    assert len(logging.getLogger("marketo_sync").handlers) == 1
    assert clean_loggers.handlers == []  # the root logger is never given a handler
    logging.getLogger("marketo_sync.test").info("hello")
    assert STAMP.match(stream.getvalue().strip()), stream.getvalue()


def test_marketo_sync_log_debug_works_like_vv(clean_loggers, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKETO_SYNC_LOG", "debug")
    cli.main(["validate"])
    assert logging.getLogger("marketo_sync").level == logging.DEBUG
    monkeypatch.delenv("MARKETO_SYNC_LOG")
    cli.main(["validate", "-vv"])
    assert logging.getLogger("marketo_sync").level == logging.DEBUG
    cli.main(["validate"])
    assert logging.getLogger("marketo_sync").level == logging.WARNING
