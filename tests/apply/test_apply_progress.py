"""Issue 9 item 10: progress of long applies, driven by a fake clock (no sleeping, no thread).

The model (:mod:`marketo_sync.apply.progress`), its lines (:mod:`marketo_sync.render.progress`)
and the printer the command uses (``commands/options.ProgressPrinter``, ``tick=None``), plus the
client limiter's "holding a call back" signal and a real apply's plain lines against the emulator.
"""

from __future__ import annotations

import io

import pytest

from marketo_sync.apply.progress import FINISHED, STARTED, Cadence, ProgressEvent, ProgressModel, eta_seconds
from marketo_sync.client.limits import Limiter, RateLimits
from marketo_sync.commands.options import ProgressPrinter
from marketo_sync.render.progress import duration, inert, plain_line, terminal_line


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def started(n: int, total: int, target: str = "Marketing Activities/Ops/Campaign") -> ProgressEvent:
    return ProgressEvent(STARTED, n, total, "create", target)


def finished(n: int, total: int) -> ProgressEvent:
    return ProgressEvent(FINISHED, n, total, "create", "x")


def test_eta_is_the_pace_of_the_done_changes_times_those_left():
    assert eta_seconds(0, 60, 5.0) is None
    assert eta_seconds(15, 60, 30.0) == pytest.approx(90.0)  # 2 s each, 45 left
    assert eta_seconds(60, 60, 120.0) == 0.0
    clock = Clock()
    model = ProgressModel(60, clock=clock)
    model.record(started(1, 60))
    clock.now += 30
    for n in range(1, 16):
        model.record(finished(n, 60))
    state = model.state()
    assert (state.done, state.total, state.elapsed, state.eta) == (15, 60, 30.0, pytest.approx(90.0))
    assert duration(90) == "1 min 30 s" and duration(9.4) == "9 s" and duration(3725) == "1 h 02 min"


def test_the_terminal_line_updates_in_place_with_done_total_elapsed_and_time_left():
    clock = Clock()
    out = io.StringIO()
    printer = ProgressPrinter(60, out, terminal=True, clock=clock, width=120, tick=None)
    with printer:
        printer(started(1, 60))
        clock.now += 30
        for n in range(1, 16):
            printer(finished(n, 60))
        printer(started(16, 60, "Marketing Activities/Ops/Sixteen"))
    text = out.getvalue()
    frames = text.split("\r")[1:]
    assert text.startswith("\r") and text.endswith("\x1b[K\n")  # one line, ended once at the end
    assert text.count("\n") == 1
    assert all(frame.endswith("\x1b[K") or frame.endswith("\x1b[K\n") for frame in frames)
    assert frames[-1] == ("apply: 15 of 60 done · 30 s elapsed · about 1 min 30 s left · "
                          "create Marketing Activities/Ops/Sixteen\x1b[K\n")


def test_the_terminal_line_is_cut_to_the_width():
    state = ProgressModel(5, clock=Clock())
    state.record(started(1, 5, "F/" + "x" * 300))
    line = terminal_line(state.state(), 60)
    assert line.startswith("\r") and line.endswith("\x1b[K")
    assert len(line[1:-3]) == 59 and line[1:-3].endswith("…")


def test_plain_lines_come_every_n_changes_done():
    clock = Clock()
    out = io.StringIO()
    printer = ProgressPrinter(300, out, terminal=False, clock=clock, tick=None)  # every 30 (10%)
    assert printer.cadence.every == 30
    with printer:
        for n in range(1, 301):
            printer(started(n, 300))
            clock.now += 0.01  # fast: the 10 s heartbeat never fires
            printer(finished(n, 300))
    lines = out.getvalue().splitlines()
    assert len(lines) == 11  # the first start, then at 30, 60, ..., 300 done
    assert lines[0].startswith("change 1 of 300: create Marketing Activities/Ops/Campaign (0 of 300 done")
    assert lines[1].startswith("change 30 of 300: create") and "(30 of 300 done" in lines[1]
    assert "(300 of 300 done, 3 s elapsed)" in lines[-1] and "left" not in lines[-1]
    assert "\r" not in out.getvalue()
    assert Cadence(10_000).every == 50  # at most every 50


def test_plain_lines_come_every_10_seconds_when_changes_are_slow():
    clock = Clock()
    out = io.StringIO()
    printer = ProgressPrinter(1000, out, terminal=False, clock=clock, tick=None)  # every 50
    printer(started(1, 1000))
    for n in range(1, 8):  # 7 changes, 4 s each: fewer than 50, but 28 s
        clock.now += 4
        printer(finished(n, 1000))
        printer(started(n + 1, 1000))
    clock.now += 3
    printer.refresh()  # the ticker's call at 31 s: 7 s after the last line, none is due yet
    lines = out.getvalue().splitlines()
    assert [line.split("(")[1].split(",")[1].strip(" )") for line in lines] == [
        "0 s elapsed", "12 s elapsed", "24 s elapsed"]
    clock.now += 7
    printer.refresh()  # 38 s, nothing new: the 10 s heartbeat
    assert len(out.getvalue().splitlines()) == 4
    assert out.getvalue().splitlines()[-1].endswith("(7 of 1000 done, 38 s elapsed, about 1 h 29 min left)")  # 38 s / 7 x 993 = 89 min 51 s


def test_waiting_on_the_rate_limit_is_shown_while_the_limiter_holds_a_call_back():
    clock = Clock()
    seen: list[str] = []
    out = io.StringIO()
    printer: ProgressPrinter

    def sleep(seconds: float) -> None:  # the limiter's wait: draw the line as the ticker would
        assert limiter.waiting
        printer.refresh()
        seen.append(out.getvalue().rsplit("\r", 1)[-1])
        clock.now += seconds

    limiter = Limiter(RateLimits(calls=1, window=20.0), clock=clock, sleep=sleep)
    printer = ProgressPrinter(2, out, terminal=True, clock=clock, width=200,
                              waiting=lambda: limiter.waiting, tick=None)
    printer(started(1, 2))
    assert limiter.acquire() == 0.0 and not limiter.waiting
    printer(finished(1, 2))
    printer(started(2, 2))
    assert "waiting" not in out.getvalue().rsplit("\r", 1)[-1]
    assert limiter.acquire() == pytest.approx(20.0)  # the window is full: held back 20 s
    assert len(seen) == 1 and "· waiting on the rate limit ·" in seen[0]
    assert not limiter.waiting
    printer.refresh()
    assert "waiting" not in out.getvalue().rsplit("\r", 1)[-1]
    state = printer.model.state()
    assert "waiting on the rate limit" not in plain_line(state)


def test_names_in_progress_lines_are_inert():
    hostile = "Ops/Bad\nNo changes.\r\x1b[2J\x00\u0085end\u2028"
    assert inert(hostile) == "Ops/Bad\\nNo changes.\\r\\x1b[2J\\x00\\x85end\\u2028"
    for terminal in (False, True):
        out = io.StringIO()
        with ProgressPrinter(1, out, terminal=terminal, clock=Clock(), width=500, tick=None) as printer:
            printer(started(1, 1, hostile))
        text = out.getvalue()
        assert text.count("\n") == 1 and text.endswith("\n")
        assert "\x1b[2J" not in text and "\x00" not in text and "\x85" not in text
        assert "Ops/Bad\\nNo changes.\\r\\x1b[2J" in text
        assert text.count("\r") == (1 if terminal else 0)


def test_nothing_is_printed_before_the_first_change():
    clock = Clock()
    out = io.StringIO()
    printer = ProgressPrinter(3, out, terminal=True, clock=clock, tick=None)
    clock.now += 60  # waiting for "yes"
    printer.refresh()
    with printer:
        pass
    assert out.getvalue() == ""
    printer(started(1, 3))
    assert "0 s elapsed" in out.getvalue()  # the wait for approval is not elapsed time


def test_a_real_apply_prints_plain_lines_and_q_silences_them(emulator, cli_project):
    (cli_project.root / "campaigns").mkdir()
    (cli_project.root / "campaigns" / "ops.yaml").write_text(
        "folder: Marketing Activities/Operational\nmanaged: additive\ncampaigns:\n"
        + "".join(f"  - name: Progress {n:02d}\n" for n in range(12)), encoding="utf-8")
    cli_project.connect(emulator)
    code, out, err = cli_project.run("apply", "--auto-approve")
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("change ")]
    assert lines[0].startswith("change 1 of 12: create Marketing Activities/Operational/Progress ")
    assert "(12 of 12 done, " in lines[-1]
    assert 3 <= len(lines) <= 13  # every 2 done (10% of 12, rounded up), or fewer when they overlap
    (cli_project.root / "campaigns" / "ops.yaml").write_text(
        "folder: Marketing Activities/Operational\nmanaged: additive\ncampaigns:\n  - name: Quiet One\n",
        encoding="utf-8")
    code, out, err = cli_project.run("apply", "--auto-approve", "-q")
    assert code == 0, err
    assert "change 1 of 1" not in err and "done," not in err
