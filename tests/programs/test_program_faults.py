"""Acceptance 4: ten new programs under 20% faults (dropped after commit included) converge
within three applies, with exactly one program each and no campaign twice inside.

The tool runs in process over real HTTP, with a client whose back-off does not sleep and a rate
window wide enough not to pace (the faults decide what happens, not the clock), so the test
stays fast.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from program_seed import add_template_program, webinar_file

from marketo_sync.client import ClientSettings, MarketoApi, MarketoClient, RateLimits
from marketo_sync.desired.load import load_desired
from marketo_sync.emulator.config import FAULT_KINDS
from marketo_sync.workflows.apply import ApplyOptions, apply_plan
from marketo_sync.workflows.plan import build_plan
from marketo_sync.workflows.session import Session

PROGRAMS = [f"2026-{m:02d} Webinar {m}" for m in range(1, 11)]


def run_apply(server, files: Path, state_dir: Path) -> tuple[bool, str]:
    settings = ClientSettings(base_url=server.base_url, client_id=server.client_id,
                              client_secret=server.client_secret)
    with MarketoClient(settings, limits=RateLimits(calls=100, window=1.0, concurrency=5),
                       sleep=lambda seconds: None) as client:
        session = Session(api=MarketoApi(client), client=client, instance=settings.instance, environment="test")
        desired = load_desired([files])
        try:
            plan = build_plan(session, desired)
            receipt = apply_plan(session, plan, ApplyOptions(state_dir=state_dir))
        except Exception as error:  # a plan or preflight refused under faults: the next run retries
            return False, f"{type(error).__name__}: {error}"
        return receipt.ok, receipt.stopped


def test_ten_new_programs_converge_under_faults(make_emulator, tmp_path):
    emulator = make_emulator(rate_limit="100/1")
    add_template_program(emulator)
    files = tmp_path / "campaigns"
    files.mkdir()
    for name in PROGRAMS:
        (files / f"{name}.yaml").write_text(webinar_file(name), encoding="utf-8")
    emulator.set_faults(fault_rate=0.2, fault_seed=10, fault_kinds=list(FAULT_KINDS))
    results = []
    for _ in range(3):
        results.append(run_apply(emulator, files, tmp_path / "state"))
        if results[-1][0]:
            break
    assert results[-1][0], results
    faults = Counter(c["fault"] for c in emulator.calls() if c["fault"])
    assert faults["drop_after_commit"] >= 1, faults

    emulator.set_faults(fault_rate=0)
    backend = emulator.backend
    for name in PROGRAMS:
        programs = [c for c in backend._containers.values() if c.kind == "Program" and c.name == name]
        assert len(programs) == 1, name
        inside = Counter(c.name for c in backend._campaigns.values() if c.parent == programs[0].key)
        assert inside == {"Send Webinar Reminder": 1, "01 - Registration Confirmation": 1,
                          "Post-event Survey": 1}, (name, inside)
        assert next(c for c in backend._campaigns.values()
                    if c.parent == programs[0].key and c.name == "Send Webinar Reminder").is_active
    assert run_apply(emulator, files, tmp_path / "state") == (True, "")  # converged: nothing left to do
