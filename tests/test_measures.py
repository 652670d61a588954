"""The FLSA / state measure of a workweek (peerpay/core/measures.py), hand-worked: the 8-and-80
system, the overtime hook, the hours table's arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd

from peerpay.core.measures import FLSA_8_AND_80, FLSA_WEEKLY, OvertimeRules, federal_rules, overtime_by_hour, state_rules, wage_measure
from peerpay.jobs.backpay import run_backpay
from peerpay.models.policy import loads_policy

from conftest import dedent

EIGHTY = """
establishment = "hospital"
[workweek]
start_day = "sunday"
[overtime]
system = "8_and_80"
period_start = 2025-11-02
"""


def _run(tmp_path, policy, paid, unpaid, **kw):
    for name, text in (("policy.toml", policy), ("paid.csv", paid), ("unpaid.csv", unpaid)):
        (tmp_path / name).write_text(dedent(text))
    return run_backpay(tmp_path / "paid.csv", tmp_path / "unpaid.csv", tmp_path / "policy.toml", **kw).report


def _days(first: int, last: int, hours: int = 8, rate: str = "20") -> str:
    return "".join(f"E1,2025-11-{d:02d} 09:00,2025-11-{d:02d} {9 + hours:02d}:00,{rate}\n" for d in range(first, last + 1)
                   if pd.Timestamp(f"2025-11-{d:02d}").day_of_week < 5)


def test_8_and_80_a_long_day_is_statutory_overtime(tmp_path):
    # 14-day period from Sun 2025-11-02: paid Mon-Fri both weeks, 8 h a day = 80 h at $20 = 1,600.00
    # unpaid Mon 11-03 17:00-19:00: that workday 10 h -> 2 h beyond 8 (29 U.S.C. 207(j)); period 82 h:
    # overtime = 2 daily + max(0, 82 - 2 - 80) = 2 h
    # FLSA: straight time 82 x 20 - 1,600 = 40.00; overtime 0.5 x 20 x 2 = 20.00; total 60.00 (= contract)
    r = _run(tmp_path, EIGHTY, "employee_id,start,end,rate\n" + _days(3, 14),
             "employee_id,start,end,rate\nE1,2025-11-03 17:00,2025-11-03 19:00,20\n")
    (w,) = r["weeks"]
    assert (w["week_start"], w["hours_worked"], w["flsa_method"], w["flsa_overtime_hours"]) == ("2025-11-02", 82.0, "overtime", 2.0)
    assert (w["flsa_straight_time_due"], w["flsa_overtime_due"], w["flsa_back_wages"], w["contract_back_wages"]) == (40.0, 20.0, 60.0, 60.0)
    assert r["overtime_rules"]["federal"].startswith("FLSA: over 8 hours")


def test_8_and_80_within_the_limits_is_averaging(tmp_path):
    # paid 60 h in the period (Mon-Fri, 6 h a day) at $20; unpaid 2 h on Sat 11-08 -> 62 h, no day over 8:
    # averaging: 62 x 7.25 = 449.50 <= 1,200.00 paid -> FLSA 0; contract 2 x 20 = 40.00
    r = _run(tmp_path, EIGHTY, "employee_id,start,end,rate\n" + _days(3, 14, hours=6),
             "employee_id,start,end,rate\nE1,2025-11-08 09:00,2025-11-08 11:00,20\n")
    (w,) = r["weeks"]
    assert (w["flsa_method"], w["flsa_required"], w["flsa_back_wages"], w["back_wages"]) == ("averaging", 449.5, 0.0, 40.0)


def test_the_rules_by_policy_and_the_state_hook():
    weekly = loads_policy('[overtime]\nweekly_hours = 40\ndaily_hours = 12\nmultiplier = 2\n')
    assert federal_rules(weekly) == FLSA_WEEKLY  # the contract's daily hours and multiplier are not the statute's
    assert federal_rules(loads_policy(EIGHTY)) == FLSA_8_AND_80
    assert federal_rules(loads_policy("")) == FLSA_WEEKLY  # no [overtime]: the FLSA still applies
    # the hook: every state uses the FLSA's overtime until its own tiers are added (issue 26)
    assert state_rules(weekly, "US-CA") == FLSA_WEEKLY


def _hours(rows) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=["week", "employee", "day", "workday", "minutes", "amount", "stipend"])
    return f.astype({"week": "int64", "employee": "int64", "day": "int64", "workday": "int64", "minutes": "int64", "amount": "int64",
                     "stipend": bool})


AMOUNT_PER_HOUR_AT_20 = 20 * 10_000 * 10_000 * 60  # an hour at $20: rate units x FACTOR_SCALE x 60 minutes


def test_overtime_by_hour_daily_then_period_in_order():
    # one employee, one period: days of 10 h, 8 h, 70 h... : daily 8 -> 2 h; period 80 on the rest
    hours = _hours([(0, 0, 1, 1, 600, 0, False), (0, 0, 2, 2, 480, 0, False), (0, 0, 3, 3, 480, 0, False)]
                   + [(0, 0, d, d, 480, 0, False) for d in range(4, 13)])
    ot, premium = overtime_by_hour(hours, FLSA_8_AND_80)
    # total 10 + 8 x 11 = 98 h; daily 2 h on day 1; the period's other 96 h: 16 h beyond 80, all in the last days
    assert ot[0] == 120 and ot.sum() == 120 + 16 * 60 and list(ot[-2:]) == [480, 480]
    assert (premium == ot * 5_000).all()


def test_a_tier_rule_through_the_same_measure_doubles_the_premium():
    # What the hook returns is all the measure uses: a rule at 2x over 40 (a stand-in for a state's double
    # time) makes the overtime part (2 - 1) x RR x OT instead of 0.5 x RR x OT.
    # 45 h at $20, paid 900.00 straight time: straight time due 0; FLSA overtime 0.5 x 20 x 5 = 50.00;
    # the 2x rule: 1.0 x 20 x 5 = 100.00
    hours = _hours([(0, 0, d, d, 540, 9 * AMOUNT_PER_HOUR_AT_20, False) for d in range(5)])
    weeks = pd.DataFrame({"straight_paid": [900_00], "credits": [0], "standby_paid": [0], "bonus": [0], "stipend_pay": [0],
                          "stipend_minutes": [0]})
    mw = np.full(5, 72_500)
    assert wage_measure(hours, weeks, mw, FLSA_WEEKLY).due_cents.tolist() == [50_00]
    double = OvertimeRules("2x over 40", "test", period_hours=40, multiplier_units=20_000)
    assert wage_measure(hours, weeks, mw, double).due_cents.tolist() == [100_00]
