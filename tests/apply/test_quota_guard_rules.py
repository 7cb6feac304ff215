"""Issue 15 item 3, the quota guard's pure rules (no server): where the limit lies, how today's
usage and an inline run's own reads are counted, and which answers of ``stats/usage.json`` let
the apply go on without today's usage (610, HTTP 404, 603 denied) and which stop it (607,
credentials). The CLI path against the emulator is in ``test_apply_quota.py``."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from marketo_sync.apply.preflight import check_quota, today_usage
from marketo_sync.errors import ApiError, AuthError, QuotaExhausted, TransportError, UnsafePlan
from marketo_sync.plan.plan import ApiCost


def saved(calls: int, *, quota: int = 1000) -> ApiCost:
    """A saved plan's cost: ``calls`` in all (writes plus 20 re-read/verification reads)."""
    return ApiCost(read_calls=7, apply_writes=calls - 20, apply_reads=20, daily_quota=quota)


def usage(value: int | None) -> Callable[[], int | None]:
    return lambda: value


def failing(error: ApiError) -> Callable[[], int | None]:
    def read() -> int | None:
        raise error
    return read


def test_the_limit_is_the_share_of_the_quota_less_todays_usage():
    assert check_quota(saved(500), max_share=0.5, read_usage=usage(None)) is None  # at the limit: allowed
    with pytest.raises(UnsafePlan) as refused:
        check_quota(saved(501), max_share=0.5, read_usage=usage(None))
    assert str(refused.value) == ("apply would use 501 calls, 50% of the daily quota of 1,000 "
                                  "(limits.daily_quota); at most 50% (safety.max_daily_share) without "
                                  "--force; nothing was changed")
    assert check_quota(saved(490), max_share=0.5, read_usage=usage(10)) == 10
    with pytest.raises(UnsafePlan, match=r"491 calls with 10 already used today \(stats/usage.json\), 50%"):
        check_quota(saved(491), max_share=0.5, read_usage=usage(10))
    with pytest.raises(UnsafePlan, match=r"61% of the daily quota of 1,000"):
        check_quota(saved(612), max_share=0.5, read_usage=usage(0))


def test_an_inline_runs_reads_are_in_todays_usage_already():
    # a plan made by this run: 100 reads made, 300 writes and 5 read-back reads to come
    cost = ApiCost(read_calls=100, apply_writes=300, read_back_reads=5, inline=True, daily_quota=1000)
    assert cost.quota_calls == 405
    with pytest.raises(UnsafePlan, match="405 calls"):  # usage unknown: the run's own calls, all of them
        check_quota(cost, max_share=0.4, read_usage=usage(None))
    # usage known (it holds the 100 reads made): only the 305 calls to come are added to it
    assert check_quota(cost, max_share=0.4, read_usage=usage(95)) == 95  # 305 + 95 = 400, the limit
    with pytest.raises(UnsafePlan, match="305 calls with 96 already used today"):
        check_quota(cost, max_share=0.4, read_usage=usage(96))


@pytest.mark.parametrize("error, said", [
    (ApiError("610", "Requested resource not found"), "answered 610 (not offered)"),
    (TransportError("404", "HTTP 404"), "answered 404 (not offered)"),
    (ApiError("603", "Access denied"), "answered 603 (refused)"),
    (TransportError("403", "HTTP 403"), "answered 403 (refused)"),
])
def test_a_missing_or_denied_usage_endpoint_is_skipped_and_said_at_v(error, said, caplog):
    with caplog.at_level(logging.INFO, logger="marketo_sync"):
        assert today_usage(failing(error)) is None
        assert check_quota(saved(500), max_share=0.5, read_usage=failing(error)) is None
    assert f"today's API usage is not counted in the quota guard: stats/usage.json {said}" in caplog.text
    assert all(record.levelno == logging.INFO for record in caplog.records)  # shown at -v, not by default


@pytest.mark.parametrize("error", [QuotaExhausted("607", "Daily quota reached"),
                                   AuthError("601", "Access token invalid")])
def test_a_spent_quota_or_refused_credentials_stop_the_apply(error):
    with pytest.raises(type(error)):
        check_quota(saved(10), max_share=0.5, read_usage=failing(error))


def test_the_flags_apply_will_need_name_force_for_a_plan_over_the_daily_share() -> None:
    from marketo_sync.plan.plan import ApiCost, Plan

    plan = Plan(changes=[], cost=ApiCost(0, 300, 2, daily_quota=400))
    assert plan.required_flags(max_daily_share=0.5) == ["--force"]  # 302 calls > 200
    assert plan.required_flags(max_daily_share=0.8) == []  # 302 calls <= 320
