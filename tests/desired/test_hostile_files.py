"""Issue 15 acceptance, hostile inputs at the CLI: ``python -m marketo_sync validate`` as a
subprocess for each hostile campaign file exits 1 within 20 s, names the file on stderr and
prints no traceback; a zero-width space in a name is a warning naming U+200B, exit 0.

No server: validate never connects.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

BOUND_SECONDS = 20
HEAD = "folder: Marketing Activities/Webinars\ncampaigns:\n"


def _billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, levels):
        previous, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\ncampaigns: *i\n"


def _fifty_megabytes() -> str:
    line = "  - {name: Campaign %07d, description: " + "x" * 60 + "}\n"
    count = 50 * 1024 * 1024 // len(line % 0) + 1
    return HEAD + "".join(line % n for n in range(count))


HOSTILE = {
    "blank": HEAD + '  - name: "   "\n',
    "padded": HEAD + '  - name: " Webinar Reminder "\n',
    "control": HEAD + '  - name: "Webinar\\0Reminder"\n',
    "newline": HEAD + '  - name: "Webinar\\nNo changes."\n',
    "billion-laughs": _billion_laughs(),
    "nesting": "campaigns: " + "[" * 5000 + "]" * 5000 + "\n",
}


def _validate(root: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETO_")}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "marketo_sync", "validate"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=BOUND_SECONDS * 3)
    return done, time.monotonic() - started


def _project(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "repo"
    (root / "campaigns").mkdir(parents=True)
    (root / "campaigns" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_is_refused_quickly_naming_the_file(tmp_path, case):
    done, seconds = _validate(_project(tmp_path, case, HOSTILE[case]))
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert seconds < BOUND_SECONDS, seconds
    assert f"campaigns/{case}.yaml" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_fifty_megabyte_file_is_refused_quickly_naming_the_file(tmp_path):
    root = _project(tmp_path, "huge", _fifty_megabytes())
    assert (root / "campaigns" / "huge.yaml").stat().st_size >= 50 * 1024 * 1024
    done, seconds = _validate(root)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert seconds < BOUND_SECONDS, seconds
    assert "campaigns/huge.yaml" in done.stderr and "MB cap" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_newline_in_a_name_is_placed_and_shown_escaped(tmp_path):
    done, _ = _validate(_project(tmp_path, "newline", HOSTILE["newline"]))
    assert "campaigns[0].name" in done.stderr and "line 3, column 11" in done.stderr
    assert "U+000A LINE FEED" in done.stderr
    assert not any(line.startswith("No changes") for line in done.stderr.splitlines() + done.stdout.splitlines())


def test_zero_width_space_is_a_warning_naming_u200b(tmp_path):
    done, seconds = _validate(_project(tmp_path, "zwsp", HEAD + '  - name: "Webinar\u200bReminder"\n'))
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert seconds < BOUND_SECONDS
    assert "U+200B ZERO WIDTH SPACE" in done.stderr and "campaigns/zwsp.yaml, line 3" in done.stderr
    assert "Traceback" not in done.stderr
