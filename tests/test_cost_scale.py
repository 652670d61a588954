"""The costing re-pricing shortcuts give exactly what the pay engine gives (issue 12, at scale).

``peerpay cost`` never copies shifts per state: it segments once per policy shape and re-prices
(:func:`price_segments`), and where a policy allows it, sums linear coefficients per period and
rate kind (:class:`RateCoefficients`). Both must equal :func:`compute_pay` of the re-rated
shifts to the cent, on the benchmark generator's data (every rule: differential groups, weekend
percent, holidays, daily + weekly overtime, on-call with call-backs, DST).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peerpay.core.engine import (
    compute_pay,
    price_segments,
    rate_coefficients,
    segment_shifts,
)
from peerpay.jobs.pay import run_pay
from peerpay.models.policy import parse_policy

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def paid(tmp_path_factory):
    sys.path.insert(0, str(BENCH))
    import bench_cost

    d = tmp_path_factory.mktemp("scale")
    f = bench_cost.write_inputs(3000, d)
    return run_pay(f["ts"], f["pol"], d / "roster.csv", d / "schedule.csv")


def _lines(frame):
    return frame.sort_values(["employee_id", "week_start"]).reset_index(drop=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_re_pricing_equals_paying_the_re_rated_shifts(paid, seed):
    shifts = paid.shifts
    kind, _ = pd.factorize(shifts["employee_id"].astype(str) + "|" + shifts["rate_units"].astype(str))
    rng = np.random.default_rng(seed)
    new = rng.integers(150_000, 600_000, kind.max() + 1)  # $15-$60/h per rate kind
    rerated = shifts.assign(rate_units=new[kind])
    expected = _lines(compute_pay(rerated, paid.policy).lines)
    seg = segment_shifts(shifts, paid.policy)
    by_segments = _lines(price_segments(seg, new[kind], audit=False).lines)
    pd.testing.assert_frame_equal(by_segments, expected)
    coef = rate_coefficients(seg, kind)
    assert coef is not None
    pd.testing.assert_frame_equal(_lines(coef.price(new)), expected)
    # half the employees only: their lines are the same
    keep = np.zeros(kind.max() + 1, dtype=bool)
    keep[kind[shifts["employee_id"].isin(sorted(shifts["employee_id"].unique())[::2]).to_numpy()]] = True
    part = _lines(coef.price(new, keep))
    pd.testing.assert_frame_equal(part, expected[expected["employee_id"].isin(part["employee_id"].unique())]
                                  .reset_index(drop=True))


def test_a_group_mixing_dollars_and_percent_falls_back_to_segments(paid):
    data = paid.policy.model_dump(exclude_none=True)
    data["differential"] = [dict(d, group="all") for d in data["differential"]]
    policy = parse_policy(data)
    seg = segment_shifts(paid.shifts, policy)
    assert rate_coefficients(seg, np.zeros(len(paid.shifts), dtype="int64")) is None
