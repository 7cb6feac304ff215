"""The plan workflow: read what the files refer to, diff, return the :class:`Plan`.

Shared by ``plan``, ``apply`` (which plans when given no plan file), ``drift`` and ``demo``:
one read of the instance (:mod:`marketo_sync.remote.read`) and one pure diff
(:mod:`marketo_sync.plan.planner`).
"""

from __future__ import annotations

from collections.abc import Sequence

from marketo_sync.desired.model import DesiredState
from marketo_sync.plan.plan import Plan
from marketo_sync.plan.planner import PlanOptions, diff
from marketo_sync.remote import memory
from marketo_sync.remote.read import read_remote
from marketo_sync.workflows.session import Session


def build_plan(session: Session, desired: DesiredState, *, allow_replace: bool = False,
               targets: Sequence[str] = (), narrowed: bool = False) -> Plan:
    """Read what ``desired`` refers to through ``session.api`` and diff: the whole plan step.

    ``targets`` (``--target``) keeps only what they name; ``narrowed`` (``--campaigns`` left
    files out) plans no deletion of undeclared campaigns or tokens. Reads run up to the client's
    concurrency at once; the instance's campaign count seen by the last run
    (``session.state_dir``) prices the read strategy, and this run's is kept for the next.
    """
    limits = session.client.limits
    remembered = memory.recall(session.state_dir, session.instance) if session.state_dir else None
    remote = read_remote(session.api, desired, call_count=session.calls_made, workspace=session.workspace,
                         concurrency=limits.concurrency, remembered_campaigns=remembered)
    outcome = remote.campaign_read
    if session.state_dir is not None and outcome is not None:
        memory.remember(session.state_dir, session.instance, campaigns=outcome.instance_campaigns,
                        at_least=outcome.at_least)
    options = PlanOptions(allow_replace=allow_replace, environment=session.environment,
                          instance=session.instance, rate_calls=limits.calls, rate_window=limits.window,
                          daily_quota=session.daily_quota, targets=tuple(targets), narrowed=narrowed)
    return diff(desired, remote, options)
