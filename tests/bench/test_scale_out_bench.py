"""The scale-out benchmark's own figures: the right ratios, and a bottleneck named from them.
No server, worker or database is started here."""

from __future__ import annotations

import argparse
import math

import pytest
from rich.console import Console

from benchmarks.scale_out import (
    Capacity,
    IdentifyRun,
    ScoringRun,
    bottleneck_lines,
    capacity,
    identify_figures,
    parse_counts,
    scoring_cores_busy,
    steady_rate,
    table,
)


def _identify(processes: int, web_cpu_s: float, db_cpu_s: float) -> IdentifyRun:
    return IdentifyRun(
        processes=processes,
        answered=1_000,
        errors=0,
        wall_s=5.0,
        p50_ms=3.0,
        p99_ms=9.0,
        web_cpu_s=web_cpu_s,
        db_cpu_s=db_cpu_s,
        loadgen_cpu_s=0.5,
        db_transactions=3_000,
    )


def _scoring(processes: int, worker_ms: float, db_ms: float, redis_ms: float) -> ScoringRun:
    return ScoringRun(
        processes=processes,
        cards=300,
        not_scored=0,
        post_errors=0,
        drain_s=12.0,
        cards_per_s=25.0,
        steady_per_s=30.0,
        worker_ms=worker_ms,
        db_ms=db_ms,
        redis_ms=redis_ms,
        post_web_ms=15.0,
    )


def test_identify_figures_are_per_request_and_per_second() -> None:
    f = identify_figures(_identify(2, web_cpu_s=4.0, db_cpu_s=1.0))
    assert f.per_s == 200.0
    assert f.web_ms == 4.0 and f.db_ms == 1.0 and f.loadgen_ms == 0.5
    assert f.db_transactions == 3.0
    # (4 + 1 + 0.5) s of CPU in 5 s of wall time.
    assert f.cores_busy == pytest.approx(1.1)


def test_no_answers_give_no_figure_rather_than_a_crash() -> None:
    run = IdentifyRun(1, 0, 3, 0.0, math.nan, math.nan, 0.0, 0.0, 0.0)
    f = identify_figures(run)
    assert math.isnan(f.per_s) and math.isnan(f.web_ms) and math.isnan(f.cores_busy)


def test_the_steady_rate_leaves_worker_start_up_out() -> None:
    # 301 scorecards, the first 4 s after launch, the last 14 s after: 300 in 10 s.
    assert steady_rate(301, startup_s=4.0, drain_s=14.0) == 30.0
    assert math.isnan(steady_rate(1, startup_s=4.0, drain_s=4.0))


def test_cores_busy_adds_every_tier_at_the_steady_rate() -> None:
    # (20 + 8 + 2) ms per scorecard at 30 scorecards/s: 0.9 of a core.
    assert scoring_cores_busy(_scoring(1, 20.0, 8.0, 2.0)) == pytest.approx(0.9)


def test_capacity_is_per_core_from_the_median_run() -> None:
    identify = [identify_figures(_identify(p, web, 1.0)) for p, web in ((1, 5.0), (2, 4.0), (4, 9))]
    scoring = [_scoring(1, 20.0, 10.0, 1.0), _scoring(2, 25.0, 8.0, math.nan)]
    cap = capacity(identify, scoring)
    assert cap.web_per_core == 200.0  # median web CPU 5 ms per request
    assert cap.db_per_core_identify == 1000.0
    assert cap.worker_per_core == pytest.approx(1000 / 22.5)
    assert cap.db_per_core_scoring == pytest.approx(1000 / 9)
    assert cap.redis_total == 1000.0  # the run without a Redis figure is left out


def test_the_bottleneck_is_postgresql_then_redis_from_the_measured_ratios() -> None:
    # Web 5 ms and PostgreSQL 1 ms per request; worker 25 ms, PostgreSQL 5 ms and Redis 1 ms
    # per scorecard: a PostgreSQL core per 5 web or worker cores, Redis's thread per 25 workers.
    lines = bottleneck_lines(Capacity(200.0, 1000.0, 40.0, 200.0, 1000.0))
    assert "a PostgreSQL core per 5.0 web cores" in lines[0]
    assert "a PostgreSQL core per 5.0 worker cores" in lines[1]
    assert "the work of 25.0 worker cores" in lines[1]
    assert lines[2].startswith("next bottleneck: PostgreSQL, which needs a core for every 5.0")
    assert "at 25 worker cores (once PostgreSQL has more than 5.0 cores)" in lines[2]


def test_a_half_left_out_is_left_out_of_the_verdict() -> None:
    identify_only = bottleneck_lines(Capacity(200.0, 800.0, *[math.nan] * 3))
    assert len(identify_only) == 2 and "4.0 web or worker cores" in identify_only[1]
    assert "Redis" not in identify_only[1] and "nan" not in " ".join(identify_only)
    assert bottleneck_lines(Capacity(*[math.nan] * 5)) == []


def test_the_table_puts_the_process_counts_side_by_side() -> None:
    identify = [identify_figures(_identify(p, 4.0, 1.0)) for p in (1, 2)]
    scoring = [_scoring(p, 20.0, 8.0, 2.0) for p in (1, 2, 4)]
    console = Console(width=300, record=True)
    console.print(table(identify, scoring, "t"))
    lines = [line for line in console.export_text().splitlines() if line.startswith("│")]
    assert [line.split("│")[1].strip() for line in lines] == ["1", "2", "4"]
    assert "1.00x" in lines[1] and lines[2].count("-") >= 8  # no identify run with 4


def test_process_counts_parse() -> None:
    assert parse_counts("1,2,4") == [1, 2, 4]
    with pytest.raises(argparse.ArgumentTypeError):
        parse_counts("0,2")
    with pytest.raises(argparse.ArgumentTypeError):
        parse_counts("")
