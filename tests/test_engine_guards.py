"""Overflow guards in the engine: amounts too large for int64 are paid exactly, never wrapped."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from peerpay.core import engine
from peerpay.models.policy import parse_policy


def _shifts(kind: str, minutes: int, rate_units: int) -> pd.DataFrame:
    start = 20_000 * 1440 + 9 * 60  # some day, 09:00 (UTC: no timezone)
    return pd.DataFrame({"employee_id": ["E1"], "kind": [kind], "start_at": np.array([start], dtype="int64"),
                         "end_at": np.array([start + minutes], dtype="int64"),
                         "rate_units": np.array([rate_units], dtype="int64"), "row": [1]})


def test_callback_premium_past_int64_is_exact():
    # A hand-built policy with a call-back multiplier no policy file may hold (validation caps it):
    # model_copy(update=...) skips validation, standing in for any value the int64 product overflows.
    policy = parse_policy({"on_call": {"standby_per_hour": 2, "callback_multiplier": 1.5}})
    huge = policy.on_call.model_copy(update={"callback_multiplier": Decimal(10**9)})
    policy = policy.model_copy(update={"on_call": huge})
    # $50/h (500,000 units) x 1e9 (factor 1e13) x 240 min = 1.2e21 units: past int64 (9.2e18)
    result = engine.compute_pay(_shifts("callback", 240, 500_000), policy)
    line = result.lines.iloc[0]
    # premium = 50 x 1e9 x 4 h - 50 x 4 h (the actual hours at base, paid as base_pay)
    #         = 200,000,000,000 - 200 = $199,999,999,800.00
    assert int(line["callback_premium"]) == 19_999_999_980_000
    assert int(line["base_pay"]) == 20_000  # 4 h x $50
    assert int(line["gross_pay"]) == 19_999_999_980_000 + 20_000


def test_callback_premium_in_int64_unchanged():
    policy = parse_policy({"on_call": {"standby_per_hour": 2, "callback_multiplier": 1.5, "callback_minimum_hours": 3}})
    # 1 h call-back at $20/h with a 3 h minimum at 1.5x: 20 x 1.5 x 3 - 20 x 1 = 90 - 20 = $70.00
    line = engine.compute_pay(_shifts("callback", 60, 200_000), policy).lines.iloc[0]
    assert int(line["callback_premium"]) == 7_000
    assert int(line["gross_pay"]) == 7_000 + 2_000
