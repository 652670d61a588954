"""Hand-worked costings: every expected figure is worked out in the comment beside it.

The baseline for most cases: one representative week, 2025-11-02 (Sun) to 11-08 (Sat), 7 days,
so annual = period x 365/7.
  E1 peer_specialist step 1 ($20.00/h on the schedule): Mon-Fri 09:00-17:00 = 40 h = $800.
  E2 rn step 1 ($40.00/h): Sun and Sat 09:00-13:00 = 8 h = $320.
Contract years run from 2026-01-01 (365 days in 2026, 365 in 2027).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from peerpay.jobs.cost import run_cost
from peerpay.core.costing import proposed_rate, steps_on
from peerpay.models.proposal import OnCosts, loads_on_costs, loads_proposal

NO_ON_COSTS = OnCosts()

ROSTER = """\
employee_id,role,step,fte,hire_date
E1,peer_specialist,1,1.0,2020-04-01
E2,rn,1,0.2,2024-12-15
"""
SCHEDULE = """\
role,step,hourly_rate,effective_date
peer_specialist,1,20.00,2025-01-01
peer_specialist,2,21.00,2025-01-01
rn,1,40.00,2025-01-01
"""
WEEK = """\
employee_id,start,end
E2,2025-11-02 09:00,2025-11-02 13:00
E1,2025-11-03 09:00,2025-11-03 17:00
E1,2025-11-04 09:00,2025-11-04 17:00
E1,2025-11-05 09:00,2025-11-05 17:00
E1,2025-11-06 09:00,2025-11-06 17:00
E1,2025-11-07 09:00,2025-11-07 17:00
E2,2025-11-08 09:00,2025-11-08 13:00
"""
POLICY = """\
[overtime]
weekly_hours = 40
"""


def dollars(num, den=1) -> float:
    """Exact dollars -> cents half-up, as the report shows them."""
    f = Fraction(num) / Fraction(den) * 100
    return float(Fraction((2 * f.numerator + f.denominator) // (2 * f.denominator), 100))


def cost(files, proposal_text, *, timesheet=WEEK, policy=POLICY, roster=ROSTER, schedule=SCHEDULE,
         on_costs=NO_ON_COSTS, period=None):
    ts = files.write("timesheet.csv", timesheet)
    pol = files.write("policy.toml", policy)
    ros = files.write("roster.csv", roster)
    sch = files.write("schedule.csv", schedule)
    proposals = proposal_text if isinstance(proposal_text, list) else [proposal_text]
    return run_cost(ts, pol, ros, sch, [loads_proposal(p) for p in proposals], on_costs, period=period)


def year(run, n, role="TOTAL", proposal=0):
    rows = [y for y in run.report["proposals"][proposal]["years"] if y["year"] == n and y["role"] == role]
    assert len(rows) == 1
    return rows[0]


HEAD = 'name = "P"\nterm_start = 2026-01-01\n'
#: A proposal that freezes steps: the item under test is costed alone. Without it the status quo's
#: step moves E1 (hired 2020-04-01) from step 1 to step 2 on each 1 April (test_cost_status_quo.py).
FROZEN = HEAD + 'steps = "freeze"\n'


def test_baseline_is_annualised_from_the_days_the_timesheet_covers(files):
    run = cost(files, HEAD + "years = 1\n")
    b = run.report["baseline"]
    assert b["period"] == {"from": "2025-11-02", "to": "2025-11-08", "days": 7}
    total = {r["role"]: r for r in b["by_role"]}["TOTAL"]
    assert total["wages"] == dollars(1120 * 365, 7)  # (800 + 320) x 365/7 = 58,400.00
    assert total["annual_hours"] == dollars(48 * 365, 7)  # 48 h x 365/7 = 2,502.857 -> 2,502.86
    # nothing proposed: the status quo still moves E1 from step 1 ($20) to step 2 ($21) on 2026-04-01,
    # +$40 a week for 275 of 365 days: 40 x 275/7 = $1,571.43
    assert year(run, 1)["cash_cost"] == dollars(40 * 275, 7)
    assert year(cost(files, FROZEN + "years = 1\n"), 1)["cash_cost"] == 0.0  # frozen: nothing costs


def test_raises_compound_on_the_unrounded_rate_and_round_once_a_year(files):
    # $18.07 x 1.065 = 19.24455 (-> $19.24 in year 1); x 1.0655 = 20.50556... -> $20.51 in year 2.
    # Rounding year 1 first would give 19.24 x 1.0655 = 20.50022 -> $20.50: wrong by a cent.
    schedule = SCHEDULE.replace("peer_specialist,1,20.00", "peer_specialist,1,18.07")
    run = cost(files, FROZEN + """years = 2
[[increase]]
effective = 2026-01-01
percent = 6.5
roles = ["peer_specialist"]
[[increase]]
effective = 2027-01-01
percent = 6.55
roles = ["peer_specialist"]
""", schedule=schedule)
    # year 1: 40 h x (19.24 - 18.07) = $46.80 a week; year 2: 40 x (20.51 - 18.07) = $97.60
    assert year(run, 1)["run_rate"] == dollars(Fraction("46.80") * 365, 7)  # 2,440.29
    assert year(run, 2)["run_rate"] == dollars(Fraction("97.60") * 365, 7)  # 5,089.14
    assert year(run, 2, "rn")["run_rate"] == 0.0  # the raise is for peers only
    # end-of-term across-the-board lift: 1.065 x 1.0655 = 1.1347575 -> 13.48 %, not 13.05 %
    assert year(run, 2, "peer_specialist")["atb_increase_pct"] == 13.48
    assert year(run, 2, "rn")["atb_increase_pct"] == 0.0


def test_proposed_rate_worked_example(files):
    run = cost(files, HEAD + "years = 1\n")
    p = loads_proposal(HEAD + """years = 2
[[increase]]
effective = 2026-01-01
percent = 6.5
[[increase]]
effective = 2027-01-01
percent = 6.55
[[floor]]
effective = 2027-01-01
hourly = 23.00
roles = ["rn"]
""")
    import datetime as dt

    # $20.00 x 1.065 x 1.0655 = 22.69515 -> $22.70 (half-up, once)
    assert proposed_rate(p, run.baseline, "peer_specialist", 1, 1, 200000, True, dt.date(2027, 1, 1))[0] == 227000
    # the rn floor does not touch a peer; $20.00 before any raise is still $20.00
    assert proposed_rate(p, run.baseline, "peer_specialist", 1, 1, 200000, True, dt.date(2025, 12, 31))[0] == 200000


def test_mid_year_effective_date_is_prorated_by_days(files):
    # 10 % from 2026-07-01: E1 $20.00 -> $22.00, +$80 a week, run-rate 80 x 365/7 = $4,171.43.
    # Cash in 2026: 184 of 365 days (Jul 1 - Dec 31) -> 80 x 365/7 x 184/365 = 80 x 184/7 = $2,102.86.
    run = cost(files, FROZEN + """years = 1
[[increase]]
effective = 2026-07-01
percent = 10
roles = ["peer_specialist"]
""")
    y = year(run, 1)
    assert y["run_rate"] == dollars(80 * 365, 7)
    assert y["cash_cost"] == dollars(80 * 184, 7)
    assert y["cash_pct_of_payroll"] == pytest.approx(round(100 * (80 * 184 / 7) / (1120 * 365 / 7), 2))


def test_a_floor_lifts_only_the_employees_below_it(files):
    # Floor $30.00: E1 $20 -> $30 (+$400 a week), E2 at $40 stays. 400 x 365/7 = $20,857.14.
    run = cost(files, FROZEN + """years = 1
[[floor]]
effective = 2026-01-01
hourly = 30.00
""")
    assert year(run, 1, "peer_specialist")["run_rate"] == dollars(400 * 365, 7)
    assert year(run, 1, "rn")["run_rate"] == 0.0
    assert year(run, 1)["cash_cost"] == dollars(400 * 365, 7)
    gap = {g["role"]: g for g in run.report["proposals"][0]["gap"]}["rn"]
    # gap (40 - 20)/40 = 50 % before, (40 - 30)/40 = 25 % after: 25 points closed,
    # $20,857.14 / 25 = $834.29 a year per point.
    assert (gap["gap_before_pct"], gap["gap_after_pct"], gap["points_closed"]) == (50.0, 25.0, 25.0)
    assert gap["run_rate_per_point"] == dollars(400 * 365, 7 * 25)


NIGHT_POLICY = """\
[overtime]
weekly_hours = 40
multiplier = 1.5
[[differential]]
name = "night"
start = "23:00"
end = "07:00"
per_hour = 2.00
"""
NIGHT_WEEK = WEEK.replace(
    "E1,2025-11-03 09:00", "E1,2025-11-02 23:00,2025-11-03 07:00\nE1,2025-11-03 09:00"
)


def test_a_differential_change_is_costed_from_the_night_hours_and_the_overtime_it_raises(files):
    # E1 works 48 h: 8 night hours (Sun 23:00 - Mon 07:00) + 40 day hours; 8 h are overtime.
    # Baseline: base 960 + night 8 x 2 = 16; regular rate 976/48; OT premium 0.5 x 976/48 x 8 = 81.33
    # Night $3.00: night 24; regular rate 984/48 = 20.50; OT premium 0.5 x 20.50 x 8 = 82.00
    # A week: +8.00 night + 0.67 overtime premium = +8.67 -> 8.67 x 365/7 = $452.07
    run = cost(files, FROZEN + """years = 1
[[policy_change]]
effective = 2026-01-01
[[policy_change.differential]]
name = "night"
per_hour = 3.00
""", timesheet=NIGHT_WEEK, policy=NIGHT_POLICY)
    assert year(run, 1)["run_rate"] == dollars(Fraction("8.67") * 365, 7)
    assert year(run, 1, "rn")["run_rate"] == 0.0  # E2 works no nights


def test_a_lump_sum_is_cash_in_its_year_only_and_never_compounds(files):
    # $500 to each peer on 2026-03-01 with a 2 % raise: year 1 cash = 500 + 40 x 0.40 x 365/7,
    # run-rate has no lump sum; year 2 has no lump sum and the same rate.
    run = cost(files, FROZEN + """years = 2
[[lump_sum]]
effective = 2026-03-01
amount = 500
roles = ["peer_specialist"]
[[increase]]
effective = 2026-01-01
percent = 2
roles = ["peer_specialist"]
""")
    raise_ = Fraction(16 * 365, 7)  # +$16 a week = $834.29 a year
    assert year(run, 1)["lump_sums"] == 500.0
    assert year(run, 1)["cash_cost"] == dollars(raise_ + 500)
    assert year(run, 1)["run_rate"] == dollars(raise_)
    assert year(run, 2)["cash_cost"] == dollars(raise_)
    assert year(run, 2)["lump_sums"] == 0.0


def test_roll_up_applies_each_on_cost_to_its_components_only(files):
    # +$1.00/h for E1 (+$40 a week = 40 x 365/7 = $2,085.71 base pay a year) and a $1,000 lump sum.
    # FICA 7.65 % of both; pension 10 % of base only:
    #   0.0765 x (2085.714 + 1000) + 0.10 x 2085.714 = 236.057 + 208.571 = 444.63
    on_costs = loads_on_costs("""
[[on_cost]]
name = "FICA"
percent = 7.65
[[on_cost]]
name = "pension"
percent = 10
applies_to = ["base_pay"]
""")
    run = cost(files, FROZEN + """years = 1
[[increase]]
effective = 2026-01-01
cents_per_hour = 100
roles = ["peer_specialist"]
[[lump_sum]]
effective = 2026-06-01
amount = 1000
roles = ["peer_specialist"]
""", on_costs=on_costs)
    base = Fraction(40 * 365, 7)
    expected_on_costs = Fraction("0.0765") * (base + 1000) + Fraction("0.10") * base
    y = year(run, 1)
    assert y["on_costs_cash"] == dollars(expected_on_costs)
    assert y["cash_cost"] == dollars(base + 1000 + expected_on_costs)
    assert y["run_rate"] == dollars(base * Fraction("1.1765"))  # no lump sum in the run-rate


def test_step_movement_on_the_anniversary_is_prorated_from_that_day(files):
    # E1 (hired 2020-04-01) moves from step 1 ($20) to step 2 ($21) on 2026-04-01:
    # +$40 a week for 275 of 365 days -> 40 x 275/7 = $1,571.43; run-rate 40 x 365/7.
    run = cost(files, HEAD + """years = 1
[[step_movement]]
effective = 2026-01-01
roles = ["peer_specialist"]
""")
    assert year(run, 1)["cash_cost"] == dollars(40 * 275, 7)
    assert year(run, 1)["run_rate"] == dollars(40 * 365, 7)


def test_step_movement_stops_at_the_top_step_and_a_new_step_extends_it(files):
    run = cost(files, HEAD + "years = 1\n")
    import datetime as dt
    import numpy as np

    p = loads_proposal(HEAD + """years = 3
[[step_movement]]
effective = 2026-01-01
[[schedule]]
effective = 2027-01-01
role = "peer_specialist"
step = 3
hourly_rate = 22.00
""")
    days = np.array(["2026-06-01", "2027-06-01", "2028-06-01"], dtype="datetime64[D]")
    assert list(steps_on(p, run.baseline, np.array(["E1"] * 3, dtype=object), days)) == [2, 3, 4]
    # step 4 does not exist: capped at the top step on the schedule that day
    assert proposed_rate(p, run.baseline, "peer_specialist", 1, 2, 200000, True, dt.date(2026, 6, 1))[:2] == (210000, 2)
    assert proposed_rate(p, run.baseline, "peer_specialist", 1, 4, 200000, True, dt.date(2028, 6, 1))[:2] == (220000, 3)


def test_retro_pay_is_the_cost_from_since_to_paid_on(files):
    # 10 % from 2026-01-01, ratified and paid back on 2026-04-01: 90 days of +$80 a week
    # -> 80 x 90/7 = $1,028.57 of the year's cash is retro pay. An item dated before `since`
    # starts on `since`.
    run = cost(files, FROZEN + """years = 1
[[increase]]
effective = 2025-10-01
percent = 10
roles = ["peer_specialist"]
[retro]
since = 2026-01-01
paid_on = 2026-04-01
""")
    assert run.report["proposals"][0]["retro_pay"] == dollars(80 * 90, 7)
    assert year(run, 1)["cash_cost"] == dollars(80 * 365, 7)


def test_per_fte_and_cents_per_hour(files):
    # +$1.00/h for everyone: E1 +40, E2 +8 a week -> 48 x 365/7 = $2,502.86 a year.
    # Hours: 48 x 365/7 a year -> 100 cents an hour. FTE (roster) 1.0 + 0.2 = 1.2 -> $2,085.71 per FTE.
    run = cost(files, FROZEN + """years = 1
[[increase]]
effective = 2026-01-01
cents_per_hour = 100
""")
    y = year(run, 1)
    assert y["cents_per_hour"] == 100.0
    assert y["per_fte"] == dollars(48 * 365, Fraction(7) * Fraction("1.2"))
