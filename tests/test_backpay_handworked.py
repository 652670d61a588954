"""`peerpay backpay`, hand-worked (docs/formats.md §6, docs/backpay.md): the three measures and the claim.

Each case is a tiny inline timesheet + unpaid log with the arithmetic in a comment. Measures:
contract = gross(paid + unpaid) - gross(paid); FLSA = federal minimum of each day, workweek
averaging in a week of 40 h or less (29 CFR 776.4), else straight time at each hour's rate or the
minimum + 0.5 x regular rate x overtime hours less creditable premiums (778.315, 207(h));
state = the same with the state's minimum; claim = the largest.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from peerpay.jobs.backpay import load_minimum_wages, run_backpay
from peerpay.cli import main
from peerpay.core.backpay import MinimumWage, years_before

from conftest import dedent

NIGHT_POLICY = """
[workweek]
start_day = "sunday"
[overtime]
weekly_hours = 40
multiplier = 1.5
[[differential]]
name = "night"
start = "23:00"
end = "07:00"
per_hour = 2.00
"""

STANDBY_POLICY = """
[workweek]
start_day = "sunday"
[overtime]
weekly_hours = 40
[on_call]
standby_per_hour = 3.00
callback_multiplier = 1.5
callback_minimum_hours = 2
"""

WEEK_40 = """
employee_id,start,end,kind,rate
E1,2025-11-03 09:00,2025-11-03 17:00,work,20.00
E1,2025-11-04 09:00,2025-11-04 17:00,work,20.00
E1,2025-11-05 09:00,2025-11-05 17:00,work,20.00
E1,2025-11-06 09:00,2025-11-06 17:00,work,20.00
E1,2025-11-07 09:00,2025-11-07 17:00,work,20.00
"""


def _files(tmp_path, policy, paid, unpaid):
    (tmp_path / "policy.toml").write_text(dedent(policy))
    (tmp_path / "paid.csv").write_text(dedent(paid))
    (tmp_path / "unpaid.csv").write_text(dedent(unpaid))
    return tmp_path / "paid.csv", tmp_path / "unpaid.csv", tmp_path / "policy.toml"


def _backpay(tmp_path, policy, paid, unpaid, **kw):
    return run_backpay(*_files(tmp_path, policy, paid, unpaid), **kw).report


def _measures(week: dict) -> tuple:
    return tuple(week[k] for k in ("contract_back_wages", "flsa_back_wages", "state_back_wages", "back_wages", "liquidated_damages"))


PLAIN_POLICY = """
[workweek]
start_day = "sunday"
[overtime]
weekly_hours = 40
"""


def test_week_crossing_40_hours_with_night_differential(tmp_path):
    # paid: 5 x 8 h at $20 = 40 h, gross 800.00, no overtime
    # unpaid: Fri 23:00 - Sat 01:00, 2 h, all inside the night window ($2.00/h)
    # contract: base 42 x 20 = 840.00; night 2 x 2 = 4.00; regular rate = 844 / 42 = 20.095238
    #           overtime premium = 0.5 x 20.095238 x 2 = 20.095 -> 20.10; gross 864.10 -> 864.10 - 800.00 = 64.10
    # FLSA (H = 42 > 40: an overtime week): straight time = 40 x 20 + 2 x (20 + 2) = 844 - paid 800 = 44.00
    #           (the hour's rate includes its differential); overtime 0.5 x 844 / 42 x 2 = 20.0952 - 0 paid
    #           total 64.0952 -> 64.10; state (federal only) the same; claim 64.10; liquidated = FLSA
    r = _backpay(tmp_path, NIGHT_POLICY, WEEK_40, """
        employee_id,start,end,rate,activity
        E1,2025-11-07 23:00,2025-11-08 01:00,20.00,crisis call after hours
    """)
    (w,) = r["weeks"]
    assert {k: w[k] for k in ("employee_id", "week_start", "unpaid_hours", "paid_gross", "owed_gross")} == {
        "employee_id": "E1", "week_start": "2025-11-02", "unpaid_hours": 2.0, "paid_gross": 800.0, "owed_gross": 864.1}
    assert _measures(w) == (64.1, 64.1, 64.1, 64.1, 64.1) and w["total_owed"] == 128.2
    assert (w["flsa_method"], w["flsa_required"], w["flsa_straight_time_due"]) == ("overtime", 844.0, 44.0)
    assert (w["flsa_regular_rate"], w["flsa_overtime_hours"], w["flsa_overtime_required"], w["flsa_overtime_due"]) == (20.0952, 2.0, 20.1, 20.1)
    assert w["activities"] == ["crisis call after hours"] and w["hours_worked"] == 42.0 and w["paid_hours"] == 40.0
    assert r["employees"] == [{"employee_id": "E1", "unpaid_hours": 2.0, "contract_back_wages": 64.1, "flsa_back_wages": 64.1,
                               "state_back_wages": 64.1, "back_wages": 64.1, "liquidated_damages": 64.1, "total_owed": 128.2,
                               "weeks": 1, "unpaid_on_call_hours": 0.0, "stipend_hours": 0.0}]
    assert r["totals"] == {"unpaid_hours": 2.0, "contract_back_wages": 64.1, "flsa_back_wages": 64.1, "state_back_wages": 64.1,
                           "back_wages": 64.1, "liquidated_damages": 64.1, "total_owed": 128.2}
    assert r["as_of"] == "2025-11-08" and r["lookback_years"] == 2 and r["rejected"] == []


def test_the_20_dollar_worker_whose_unpaid_hours_push_the_week_over_40(tmp_path):
    # paid: 40 h x $20 = 800.00; unpaid: Sat 09:00-14:00, 5 h -> H = 45
    # FLSA: straight time 45 x 20 - 800 = 100.00; overtime 0.5 x 20 x 5 = 50.00; total 150.00 = 1.5 x 20 x 5
    # contract: base 900 + overtime 0.5 x 20 x 5 = 950 - 800 = 150.00 (the same: one rate, no differential)
    r = _backpay(tmp_path, PLAIN_POLICY, WEEK_40, """
        employee_id,start,end,rate
        E1,2025-11-08 09:00,2025-11-08 14:00,20
    """)
    (w,) = r["weeks"]
    assert _measures(w) == (150.0, 150.0, 150.0, 150.0, 150.0)
    assert (w["flsa_required"], w["straight_time_paid"], w["flsa_straight_time_due"]) == (900.0, 800.0, 100.0)
    assert (w["flsa_regular_rate"], w["flsa_overtime_hours"], w["flsa_overtime_due"]) == (20.0, 5.0, 50.0)


def test_unpaid_straight_time_and_new_overtime(tmp_path):
    # paid: 38 h at $20 (Mon-Thu 8 h, Fri 6 h) = 760.00; unpaid 5 h on Sat -> H = 43, 3 h overtime
    # FLSA: straight time 43 x 20 - 760 = 100.00; overtime 0.5 x 20 x 3 = 30.00; total 130.00
    #       (the old "floor" priced the 2 unpaid straight hours at the minimum wage: $101.63, below the claim)
    # contract: base 43 x 20 = 860; overtime 0.5 x 20 x 3 = 30; gross 890 - 760 = 130.00
    paid = WEEK_40.replace("2025-11-07 09:00,2025-11-07 17:00", "2025-11-07 09:00,2025-11-07 15:00")
    r = _backpay(tmp_path, NIGHT_POLICY, paid, """
        employee_id,start,end,rate
        E1,2025-11-08 09:00,2025-11-08 14:00,20
    """)
    (w,) = r["weeks"]
    assert (w["paid_gross"], w["owed_gross"]) == (760.0, 890.0)
    assert _measures(w) == (130.0, 130.0, 130.0, 130.0, 130.0)
    assert (w["flsa_straight_time_due"], w["flsa_overtime_due"], w["flsa_overtime_hours"]) == (100.0, 30.0, 3.0)


def test_workweek_averaging_no_federal_claim_for_gap_time(tmp_path):
    # paid: 30 h at $20 = 600.00; unpaid 5 h -> H = 35 (no overtime): workweek averaging (29 CFR 776.4)
    # FLSA: required 35 x 7.25 = 253.75 <= 600.00 paid -> 0.00 (pure gap time: Lundy, 2d Cir. 2013)
    # contract: 5 x 20 = 100.00 -> the claim; liquidated damages follow the federal measure: 0.00
    r = _backpay(tmp_path, PLAIN_POLICY, """
        employee_id,start,end,rate
        E1,2025-11-03 09:00,2025-11-03 15:00,20
        E1,2025-11-04 09:00,2025-11-04 15:00,20
        E1,2025-11-05 09:00,2025-11-05 15:00,20
        E1,2025-11-06 09:00,2025-11-06 15:00,20
        E1,2025-11-07 09:00,2025-11-07 15:00,20
    """, """
        employee_id,start,end,rate
        E1,2025-11-08 09:00,2025-11-08 14:00,20
    """)
    (w,) = r["weeks"]
    assert (w["flsa_method"], w["flsa_required"], w["straight_time_paid"]) == ("averaging", 253.75, 600.0)
    assert _measures(w) == (100.0, 0.0, 0.0, 100.0, 0.0) and w["total_owed"] == 100.0


def test_three_measures_differ_a_low_rate_in_a_15_dollar_state(tmp_path):
    # Maryland ($15.00 from 2024-01-01, federal $7.25). paid: 30 h at $8.00 = 240.00; unpaid 10 h at $8.00 -> H = 40
    # contract: 10 x 8 = 80.00
    # FLSA (averaging): 40 x 7.25 = 290.00 - 240.00 = 50.00
    # state (averaging): 40 x 15.00 = 600.00 - 240.00 = 360.00 -> the claim
    # liquidated (federal amount, 216(b)) 50.00; total 410.00
    policy = PLAIN_POLICY + '[holiday]\ncountry = "US"\nsubdivision = "MD"\n'
    r = _backpay(tmp_path, policy, """
        employee_id,start,end,rate
        E1,2025-11-03 09:00,2025-11-03 15:00,8
        E1,2025-11-04 09:00,2025-11-04 15:00,8
        E1,2025-11-05 09:00,2025-11-05 15:00,8
        E1,2025-11-06 09:00,2025-11-06 15:00,8
        E1,2025-11-07 09:00,2025-11-07 15:00,8
    """, """
        employee_id,start,end,rate
        E1,2025-11-08 08:00,2025-11-08 18:00,8
    """)
    (w,) = r["weeks"]
    assert _measures(w) == (80.0, 50.0, 360.0, 360.0, 50.0) and w["total_owed"] == 410.0
    assert (w["federal_minimum_wage"], w["state_minimum_wage"], w["flsa_required"], w["state_required"]) == (7.25, 15.0, 290.0, 600.0)
    assert r["minimum_wage"]["jurisdiction"] == "US-MD"
    # --liquidated all (state laws that double all unpaid wages): 360.00; --no-liquidated: 0
    assert _backpay(tmp_path, policy, *_same(tmp_path), liquidated="all")["weeks"][0]["liquidated_damages"] == 360.0
    assert _backpay(tmp_path, policy, *_same(tmp_path), liquidated="none")["totals"]["total_owed"] == 360.0


def _same(tmp_path):
    return (tmp_path / "paid.csv").read_text(), (tmp_path / "unpaid.csv").read_text()


def test_a_week_straddling_a_minimum_wage_change_is_valued_day_by_day(tmp_path):
    # Florida: $13.00 from 2024-09-30, $14.00 from 2025-09-30 (Fla. Const. art. X s. 24). Week Sun 2025-09-28.
    # paid at $13.50: Mon 09-29, Tue 09-30, Wed 10-01, 8 h each = 24 h = 324.00
    # unpaid: Thu 10-02 09:00-13:00, 4 h at $13.50 -> H = 28 (averaging)
    # state: Mon 8 x 13.00 + (Tue 8 + Wed 8 + Thu 4) x 14.00 = 104 + 280 = 384.00 - 324.00 = 60.00
    #        its hours-weighted minimum 384 / 28 = 13.714286 -> 13.7143
    # federal: 28 x 7.25 = 203.00 < 324.00 -> 0.00; contract: 4 x 13.50 = 54.00; claim 60.00
    # (the minimum of the week's last day, $14.00, would claim 28 x 14 - 324 = 68.00)
    policy = PLAIN_POLICY + '[holiday]\ncountry = "US"\nsubdivision = "FL"\n'
    r = _backpay(tmp_path, policy, """
        employee_id,start,end,rate
        E1,2025-09-29 09:00,2025-09-29 17:00,13.50
        E1,2025-09-30 09:00,2025-09-30 17:00,13.50
        E1,2025-10-01 09:00,2025-10-01 17:00,13.50
    """, """
        employee_id,start,end,rate
        E1,2025-10-02 09:00,2025-10-02 13:00,13.50
    """)
    (w,) = r["weeks"]
    assert w["week_start"] == "2025-09-28"
    assert _measures(w) == (54.0, 0.0, 60.0, 60.0, 0.0)
    assert (w["state_required"], w["state_minimum_wage"], w["federal_minimum_wage"]) == (384.0, 13.7143, 7.25)


def test_a_rate_below_the_minimum_in_an_overtime_week_is_listed_without_unpaid_hours(tmp_path):
    # paid: 45 h at $6.00 (below the federal $7.25); the policy pays 0.5 x 6 x 5 = 15.00 overtime: gross 285.00
    # no unpaid hours, yet the FLSA measure is due (the week is listed: a measure above 0):
    # straight time: 45 x max(6.00, 7.25) = 326.25 - 270.00 = 56.25
    # regular rate = 326.25 / 45 = 7.25 (never below the minimum, 778.107)
    # overtime: 0.5 x 7.25 x 5 = 18.125 - 15.00 paid = 3.125; total 59.375 -> 59.38
    paid = "employee_id,start,end,rate\n" + "".join(f"E1,2025-11-0{d} 08:00,2025-11-0{d} 17:00,6\n" for d in range(3, 8))
    r = _backpay(tmp_path, PLAIN_POLICY, paid, "employee_id,start,end,rate\n")
    (w,) = r["weeks"]
    assert (w["paid_gross"], w["unpaid_hours"], w["flsa_required"]) == (285.0, 0.0, 326.25)
    assert (w["flsa_regular_rate"], w["flsa_overtime_required"], w["flsa_overtime_due"]) == (7.25, 18.13, 3.13)
    assert _measures(w) == (0.0, 59.38, 59.38, 59.38, 59.38)


def test_a_holiday_premium_at_time_and_a_half_is_credited_against_overtime(tmp_path):
    # paid: Mon 2025-11-03 (a holiday date, 1.5x) + Tue-Fri, 8 h each at $20 = 40 h: base 800, holiday premium
    #       0.5 x 20 x 8 = 80.00 (excluded from the regular rate, 207(e)(6); creditable, 207(h)(2))
    # unpaid: Sat 2 h -> H = 42
    # FLSA: straight time 42 x 20 - 800 = 40.00; overtime 0.5 x 20 x 2 = 20.00 - 80.00 credited -> 0; total 40.00
    # contract: base + 40, overtime premium 20 -> 60.00 (the claim)
    policy = PLAIN_POLICY + '[holiday]\ndates = ["2025-11-03"]\nmultiplier = 1.5\n'
    r = _backpay(tmp_path, policy, WEEK_40, """
        employee_id,start,end,rate
        E1,2025-11-08 09:00,2025-11-08 11:00,20
    """)
    (w,) = r["weeks"]
    assert (w["premium_credits"], w["flsa_overtime_required"], w["flsa_overtime_due"]) == (80.0, 20.0, 0.0)
    assert _measures(w) == (60.0, 40.0, 40.0, 60.0, 40.0)


def test_contract_daily_overtime_paid_is_credited_and_adds_no_statutory_hours(tmp_path):
    # policy: daily overtime after 8 h at 1.5x. paid: Mon 10 h + Tue-Fri 7.5 h = 40 h at $20: base 800,
    #   daily overtime 2 h x 0.5 x 20 = 20.00 paid
    # unpaid: Sat 2 h -> H = 42: statutory overtime 2 h (over 40), whatever the contract's daily hours
    # FLSA: straight time 42 x 20 - 800 = 40.00; overtime 0.5 x 20 x 2 = 20.00 - 20.00 paid = 0; total 40.00
    # contract: overtime hours 2 daily + 0 weekly (40 non-daily hours) -> premium unchanged; + 2 x 20 = 40.00
    policy = PLAIN_POLICY + "daily_hours = 8\n"
    r = _backpay(tmp_path, policy, """
        employee_id,start,end,rate
        E1,2025-11-03 08:00,2025-11-03 18:00,20
        E1,2025-11-04 09:00,2025-11-04 16:30,20
        E1,2025-11-05 09:00,2025-11-05 16:30,20
        E1,2025-11-06 09:00,2025-11-06 16:30,20
        E1,2025-11-07 09:00,2025-11-07 16:30,20
    """, """
        employee_id,start,end,rate
        E1,2025-11-08 09:00,2025-11-08 11:00,20
    """)
    (w,) = r["weeks"]
    assert (w["overtime_premium_paid"], w["premium_credits"], w["flsa_overtime_hours"]) == (20.0, 20.0, 2.0)
    assert _measures(w) == (40.0, 40.0, 40.0, 40.0, 40.0)


@pytest.mark.parametrize("start_day, counted", [("sunday", ["2026-02-22"]), ("saturday", ["2026-02-28"])])
def test_lookback_edge_from_29_february(tmp_path, start_day, counted):
    # as_of defaults to the latest date in either file: the paid row on 2028-02-29.
    # 2028-02-29 minus 2 years = 2026-02-28 (no 29 Feb in 2026): a week counts when its last day
    # is on or after 2026-02-28.
    # sunday weeks: 02-15..02-21 (out), 02-22..02-28 (last day == cutoff: in)
    # saturday weeks: 02-21..02-27 (out by one day), 02-28..03-06 (in)
    # each counted week: 1 h x $20 = 20.00
    policy = NIGHT_POLICY.replace('"sunday"', f'"{start_day}"')
    r = _backpay(tmp_path, policy, """
        employee_id,start,end,rate
        E1,2028-02-29 09:00,2028-02-29 10:00,20
    """, """
        employee_id,start,end,rate
        E1,2026-02-20 09:00,2026-02-20 11:00,20
        E1,2026-02-27 09:00,2026-02-27 10:00,20
        E1,2026-02-28 09:00,2026-02-28 10:00,20
    """)
    assert r["as_of"] == "2028-02-29" and r["lookback_from"] == "2026-02-28"
    assert [w["week_start"] for w in r["weeks"]] == counted
    expected = {"sunday": 40.0, "saturday": 20.0}[start_day]  # sunday: 02-27 and 02-28 share the week
    assert r["totals"]["back_wages"] == expected


def test_years_before_29_february():
    assert years_before(date(2028, 2, 29), 2) == date(2026, 2, 28)
    assert years_before(date(2028, 2, 29), 4) == date(2024, 2, 29)
    assert years_before(date(2025, 12, 1), 3) == date(2022, 12, 1)


def test_willful_three_years_and_no_liquidated(tmp_path):
    # as_of 2025-12-01: 2 years -> 2023-12-01; 3 years -> 2022-12-01. The unpaid hour in the week of
    # 2023-01-01 (ends 01-07) counts only with 3 years (federal only: the state period is the federal one).
    args = (NIGHT_POLICY, """
        employee_id,start,end,rate
        E1,2025-12-01 09:00,2025-12-01 10:00,20
    """, """
        employee_id,start,end,rate
        E1,2023-01-03 09:00,2023-01-03 10:00,20
    """)
    assert _backpay(tmp_path, *args)["weeks"] == []
    r = _backpay(tmp_path, *args, lookback_years=3, liquidated=False)
    assert [w["week_start"] for w in r["weeks"]] == ["2023-01-01"]
    assert r["employees"][0]["liquidated_damages"] == 0.0 and r["totals"]["total_owed"] == 20.0


def test_the_state_period_is_longer_than_the_federal_one(tmp_path):
    # Maryland: 3 years (Cts. & Jud. Proc. 5-101); federal 2. as_of 2025-12-01: federal weeks end on or after
    # 2023-12-01, state and contract on or after 2022-12-01.
    # A $20 unpaid hour in the week of 2023-01-01 (H = 1): inside the state period only:
    #   contract 20.00 (counts), FLSA 0 (outside its period), state: averaging 1 x 13.25 (MD in 2023) <= 0 paid?
    #   paid 0 that week -> state 13.25; claim 20.00; liquidated (federal) 0.00
    # New York (--jurisdiction US-NY): 6 years; --state-lookback-years 1 cuts it out.
    policy = NIGHT_POLICY + '[holiday]\ncountry = "US"\nsubdivision = "MD"\n'
    args = (policy, """
        employee_id,start,end,rate
        E1,2025-12-01 09:00,2025-12-01 10:00,20
    """, """
        employee_id,start,end,rate
        E1,2023-01-03 09:00,2023-01-03 10:00,20
    """)
    r = _backpay(tmp_path, *args)
    assert (r["state_lookback_years"], r["state_lookback_from"], r["lookback_from"]) == (3, "2022-12-01", "2023-12-01")
    (w,) = r["weeks"]
    assert w["week_start"] == "2023-01-01" and _measures(w) == (20.0, 0.0, 13.25, 20.0, 0.0)
    assert _backpay(tmp_path, *args, jurisdiction="US-NY")["state_lookback_years"] == 6
    assert _backpay(tmp_path, *args, state_lookback_years=1)["weeks"] == []


def test_work_on_standby_is_allowed_and_paid(tmp_path):
    # paid: Mon 09:00-17:00 work (8 h x 20 = 160.00) + on call 17:00 - Tue 08:00 (15 h x 3.00 = 45.00)
    # unpaid: a crisis call 21:00-22:30 during the paid on-call period: allowed (standby does not pay work)
    # contract: +1.5 h x 20 = 30.00 (9.5 h: no overtime; standby unchanged)
    # FLSA (averaging): 9.5 x 7.25 = 68.875 required <= 205.00 paid (base + standby) -> 0.00
    r = _backpay(tmp_path, STANDBY_POLICY, """
        employee_id,start,end,kind,rate
        E1,2025-11-03 09:00,2025-11-03 17:00,work,20
        E1,2025-11-03 17:00,2025-11-04 08:00,on_call,20
    """, """
        employee_id,start,end,kind,rate,activity
        E1,2025-11-03 21:00,2025-11-03 22:30,work,20,crisis line call
    """)
    (w,) = r["weeks"]
    assert (w["paid_gross"], w["owed_gross"], w["contract_back_wages"]) == (205.0, 235.0, 30.0)
    assert (w["straight_time_paid"], w["flsa_required"], w["flsa_back_wages"]) == (205.0, 68.88, 0.0) and r["rejected"] == []


def test_overlaps_with_paid_time_are_rejected(tmp_path):
    # row 1: overlaps paid work 09:00-17:00            -> rejected, column start
    # row 2: unpaid on_call overlapping paid on_call   -> rejected (that standby was paid)
    # row 3: work inside the paid on-call period       -> kept (1 h x 20 = 20.00)
    # row 4: overlaps row 3 of the same log            -> rejected as in a timesheet
    # row 5: another employee at the same time         -> kept (1 h x 20 = 20.00)
    r = _backpay(tmp_path, STANDBY_POLICY, """
        employee_id,start,end,kind,rate
        E1,2025-11-03 09:00,2025-11-03 17:00,work,20
        E1,2025-11-03 17:00,2025-11-04 08:00,on_call,20
    """, """
        employee_id,start,end,kind,rate
        E1,2025-11-03 16:30,2025-11-03 17:30,work,20
        E1,2025-11-03 20:00,2025-11-03 21:00,on_call,20
        E1,2025-11-03 22:00,2025-11-03 23:00,work,20
        E1,2025-11-03 22:30,2025-11-03 23:30,work,20
        E2,2025-11-03 16:30,2025-11-03 17:30,work,20
    """)
    assert r["rejected"] == [
        {"file": "unpaid.csv", "row": 1, "column": "start", "reason": "overlaps a paid shift"},
        {"file": "unpaid.csv", "row": 2, "column": "start", "reason": "overlaps a paid shift"},
        {"file": "unpaid.csv", "row": 4, "column": "start", "reason": "overlaps row 3 of the same employee"},
    ]
    # E2 was paid nothing that week: 1 h x 7.25 = 7.25 under the FLSA, 20.00 by the contract
    assert [(e["employee_id"], e["back_wages"], e["flsa_back_wages"]) for e in r["employees"]] == [("E1", 20.0, 0.0), ("E2", 20.0, 7.25)]


def test_minimum_wage_table_federal_and_maryland():
    table = load_minimum_wages()
    days = [date(2009, 7, 23), date(2009, 7, 24), date(2023, 6, 1), date(2024, 1, 1), date(2025, 11, 30)]
    federal = MinimumWage(table, "US").on(days).tolist()
    md = MinimumWage(table, "US-MD").on(days).tolist()
    assert federal == [0, 72_500, 72_500, 72_500, 72_500]
    assert md == [0, 72_500, 132_500, 150_000, 150_000]  # the higher of federal and state (29 U.S.C. 218(a))
    assert MinimumWage(table, "US-MD").federal_on(days).tolist() == federal  # the federal figure stays federal
    assert not MinimumWage(table, "US-ZZ").covered and MinimumWage(table, "US-ZZ").on(days[-1:]).tolist() == [72_500]


def test_a_minimum_wage_override_is_the_state_measure_s_not_the_federal(tmp_path):
    # --minimum-wage 17.00 (a county rate): paid 10 h at $16 = 160.00, no unpaid hours, H = 10 (averaging)
    # state: 10 x 17.00 - 160.00 = 10.00; federal: 10 x 7.25 = 72.50 <= 160 -> 0; claim 10.00
    r = _backpay(tmp_path, PLAIN_POLICY, """
        employee_id,start,end,rate
        E1,2025-11-03 08:00,2025-11-03 18:00,16
    """, "employee_id,start,end,rate\n", minimum_wage_override="17")
    (w,) = r["weeks"]
    assert _measures(w) == (0.0, 0.0, 10.0, 10.0, 0.0) and w["federal_minimum_wage"] == 7.25 and w["state_minimum_wage"] == 17.0


def test_cli_json_matches_the_job(tmp_path):
    paid, unpaid, policy = _files(tmp_path, NIGHT_POLICY, WEEK_40, """
        employee_id,start,end,rate
        E1,2025-11-07 23:00,2025-11-08 01:00,20
    """)
    res = CliRunner().invoke(main, ["backpay", "-t", str(paid), "-u", str(unpaid), "-p", str(policy),
                                    "--as-of", "2025-12-01", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["as_of"] == "2025-12-01" and data["totals"]["back_wages"] == 64.1


def test_unpaid_standby_is_a_contract_claim_not_a_statutory_one(tmp_path):
    # paid: Mon-Fri 08:00-17:00 = 45 h at $20: base 900, overtime 0.5 x 20 x 5 = 50.00 -> 950.00
    # unpaid: on call Sat 08:00-18:00, 10 h (free to use the time: not hours worked, 29 CFR 785.17)
    # contract: standby 10 x 3.00 = 30.00; regular rate (900 + 30) / 45 = 20.6667; overtime 0.5 x 930 / 45 x 5
    #           = 51.67 (+1.67) -> 981.67 - 950.00 = 31.67
    # FLSA: no hour worked was unpaid; straight time 45 x 20 + 0 standby paid - 900 = 0; overtime 0.5 x 20 x 5
    #       = 50.00 - 50.00 paid = 0 -> 0.00 (the statutes do not require standby pay)
    paid = "employee_id,start,end,kind,rate\n" + "".join(f"E1,2025-11-0{d} 08:00,2025-11-0{d} 17:00,work,20\n" for d in range(3, 8))
    r = _backpay(tmp_path, STANDBY_POLICY, paid, """
        employee_id,start,end,kind,rate
        E1,2025-11-08 08:00,2025-11-08 18:00,on_call,20
    """)
    (w,) = r["weeks"]
    assert (w["unpaid_on_call_hours"], w["unpaid_hours"], w["standby_pay_owed"]) == (10.0, 0.0, 30.0)
    assert _measures(w) == (31.67, 0.0, 0.0, 31.67, 0.0)
