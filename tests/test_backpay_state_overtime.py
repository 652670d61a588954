"""Back pay's state measure under a state's overtime law (CONTRACT §6; issue 26 item 5).

Where the policy's overtime names a state, ``state_back_wages`` counts overtime by that state's
statutory tiers (daily overtime, double time, the seventh day), at the state's minimum wage by
day; the FLSA measure keeps 40 hours a week. Hand-worked weeks, arithmetic in the comments.
"""

from __future__ import annotations

from test_backpay_handworked import _backpay, _measures

# A California policy whose contract pays weekly overtime only (explicit tiers), while the
# state's law (Lab. Code 510) adds daily overtime and double time.
CA_CONTRACT_WEEKLY = """
[workweek]
start_day = "sunday"
[overtime]
state = "CA"
[[overtime.tier]]
name = "weekly_40"
kind = "weekly"
hours = 40
multiplier = 1.5
"""

FOUR_DAYS_32 = """
employee_id,start,end,kind,rate
E1,2025-11-03 09:00,2025-11-03 17:00,work,20.00
E1,2025-11-04 09:00,2025-11-04 17:00,work,20.00
E1,2025-11-05 09:00,2025-11-05 17:00,work,20.00
E1,2025-11-06 09:00,2025-11-06 17:00,work,20.00
"""


def test_california_daily_overtime_on_unpaid_hours_is_the_state_measure(tmp_path):
    # 32 h paid at $20 (Mon-Thu 8 h). Monday's 5 unpaid hours (17:00-22:00) make a 13-hour day:
    # H = 37 h, so no federal overtime; the FLSA measure is workweek averaging:
    #   37 x $7.25 = $268.25 required, $640.00 paid -> $0.00.
    # California (Lab. Code 510(a)): Monday's hours beyond 8 are overtime, beyond 12 double time:
    #   4 h at 1.5 and 1 h at 2.0. Straight time due: 37 x max($20, $16.50) = $740 - $640 = $100.
    #   Regular rate $740 / 37 = $20; overtime due 0.5 x 20 x 4 + 1.0 x 20 x 1 = $40 + $20 = $60.
    #   State measure: $160.00.
    # The contract (weekly overtime only): 5 more straight hours, 37 h: 5 x $20 = $100.00.
    # Claim = the largest: $160.00; liquidated damages = the federal amount: $0.00.
    unpaid = "employee_id,start,end,kind,rate\nE1,2025-11-03 17:00,2025-11-03 22:00,work,20.00\n"
    rep = _backpay(tmp_path, CA_CONTRACT_WEEKLY, FOUR_DAYS_32, unpaid)
    (week,) = rep["weeks"]
    assert _measures(week) == (100.0, 0.0, 160.0, 160.0, 0.0)
    assert week["state_overtime_hours"] == 5.0 and week["flsa_overtime_hours"] == 0.0
    assert (week["state_minimum_wage"], week["federal_minimum_wage"]) == (16.5, 7.25)


def test_the_preset_pays_the_state_measure_in_full(tmp_path):
    # The same week under rules = "CA" (the contract IS the statute): the contract measure prices
    # the 13-hour Monday as the pay engine does: 5 h x $20 + 4 h x 0.5 x $20 + 1 h x 1.0 x $20
    # = 100 + 40 + 20 = $160.00, equal to the state measure.
    policy = '[workweek]\nstart_day = "sunday"\n[overtime]\nrules = "CA"\n'
    unpaid = "employee_id,start,end,kind,rate\nE1,2025-11-03 17:00,2025-11-03 22:00,work,20.00\n"
    (week,) = _backpay(tmp_path, policy, FOUR_DAYS_32, unpaid)["weeks"]
    assert _measures(week) == (160.0, 0.0, 160.0, 160.0, 0.0)


def test_a_policy_that_names_no_state_keeps_the_flsa_overtime_in_the_state_measure(tmp_path):
    # No state named: the state measure is the FLSA's formula with the state's minimum wage;
    # without a jurisdiction that is the federal one, so state = FLSA = $0.00 for this 37-hour week;
    # the contract (weekly overtime) owes the 5 straight hours: $100.00.
    policy = '[workweek]\nstart_day = "sunday"\n[overtime]\nweekly_hours = 40\n'
    unpaid = "employee_id,start,end,kind,rate\nE1,2025-11-03 17:00,2025-11-03 22:00,work,20.00\n"
    (week,) = _backpay(tmp_path, policy, FOUR_DAYS_32, unpaid)["weeks"]
    assert _measures(week) == (100.0, 0.0, 0.0, 100.0, 0.0)
