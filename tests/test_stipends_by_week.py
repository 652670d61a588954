"""Stipends by workweek (docs/formats.md §7, docs/backpay.md "Stipends"), hand-worked.

The minimum-wage test is per workweek (29 CFR 776.4), each day's hours at the minimum in force
that day; a month is only the sum of the weeks that start in it.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from peerpay.cli import main
from peerpay.jobs.backpay import run_backpay, run_stipends

from conftest import dedent

MD_POLICY = '[workweek]\nstart_day = "sunday"\n[overtime]\nweekly_hours = 40\n[holiday]\ncountry = "US"\nsubdivision = "MD"\n'


def _log(tmp_path, text: str):
    path = tmp_path / "stipends.csv"
    path.write_text(dedent(text))
    return path


def test_a_12_50_week_in_a_15_dollar_state_is_short_although_its_month_averages_above(tmp_path):
    # Maryland $15.00. Weeks start on Sunday.
    # week 2025-11-02: $50 for 4 h -> 12.50/h; required 4 x 15 = 60.00; shortfall 10.00
    # week 2025-11-16: $50 for 3 h -> 16.67/h; required 45.00; not short
    # week 2025-11-23: $250 for 16 h -> 15.625 -> 15.63/h; required 240.00; not short
    # month 2025-11 (the sum of its weeks): 23 h, $350.00 (15.22/h on average), shortfall 10.00
    r = run_stipends(_log(tmp_path, """
        person,date,amount,hours,activity
        V03,2025-11-03,50.00,4.0,speaker
        V03,2025-11-17,50.00,3.0,speaker
        V03,2025-11-24,250.00,16.0,training
    """), jurisdiction="US-MD").report
    assert [{k: w[k] for k in ("employee_id", "week_start", "hours", "stipend_pay", "effective_hourly", "minimum_wage", "shortfall")}
            for w in r["weeks"]] == [
        {"employee_id": "V03", "week_start": "2025-11-02", "hours": 4.0, "stipend_pay": 50.0, "effective_hourly": 12.5,
         "minimum_wage": 15.0, "shortfall": 10.0},
        {"employee_id": "V03", "week_start": "2025-11-16", "hours": 3.0, "stipend_pay": 50.0, "effective_hourly": 16.67,
         "minimum_wage": 15.0, "shortfall": 0.0},
        {"employee_id": "V03", "week_start": "2025-11-23", "hours": 16.0, "stipend_pay": 250.0, "effective_hourly": 15.63,
         "minimum_wage": 15.0, "shortfall": 0.0},
    ]
    assert [{k: m[k] for k in ("employee_id", "month", "hours", "stipend_pay", "shortfall")} for m in r["months"]] == [
        {"employee_id": "V03", "month": "2025-11", "hours": 23.0, "stipend_pay": 350.0, "shortfall": 10.0}]
    assert {k: r["totals"][k] for k in ("hours", "stipend_pay", "shortfall")} == {"hours": 23.0, "stipend_pay": 350.0, "shortfall": 10.0}
    assert [w["below_minimum"] for w in r["weeks"]] == [True, False, False] and r["totals"]["weeks_below_minimum"] == 1


def test_a_week_straddling_a_change_and_two_months(tmp_path):
    # Florida: $13.00 until 2025-09-29, $14.00 from 2025-09-30. Week Sun 2025-09-28 .. Sat 10-04.
    # $135 for 5 h on Mon 09-29 + $135 for 5 h on Thu 10-02 = $270 for 10 h (13.50/h)
    # required 5 x 13.00 + 5 x 14.00 = 135.00 -> not short... the second day alone is; the week is the test
    # required 135.00 + ... : 65 + 70 = 135.00 <= 270.00 -> shortfall 0
    # a second week: $120 for 10 h on Mon 10-06 -> required 140.00 -> shortfall 20.00
    # weighted minimum of the first week: (5 x 13 + 5 x 14) / 10 = 13.50 (it changed inside the week)
    # months by the week's first day: 2025-09 holds the 09-28 week (its 10-02 day too); 2025-10 the 10-05 week
    r = run_stipends(_log(tmp_path, """
        employee_id,date,amount,hours
        F1,2025-09-29,135.00,5
        F1,2025-10-02,135.00,5
        F1,2025-10-06,120.00,10
    """), jurisdiction="US-FL").report
    w1, w2 = r["weeks"]
    assert (w1["week_start"], w1["minimum_wage"], w1["minimum_wage_pay"], w1["shortfall"]) == ("2025-09-28", 13.5, 135.0, 0.0)
    assert (w2["week_start"], w2["minimum_wage"], w2["minimum_wage_pay"], w2["shortfall"]) == ("2025-10-05", 14.0, 140.0, 20.0)
    assert [(m["month"], m["hours"], m["stipend_pay"], m["shortfall"]) for m in r["months"]] == [
        ("2025-09", 10.0, 270.0, 0.0), ("2025-10", 10.0, 120.0, 20.0)]


def test_hours_weighted_minimum_to_four_places(tmp_path):
    # Florida: 1 h on Mon 2025-09-29 at 13.00 and 2 h on Tue 09-30 at 14.00: (13 + 28) / 3 = 13.666667 -> 13.6667
    # $40 paid; required 41.00; shortfall 1.00
    r = run_stipends(_log(tmp_path, """
        employee_id,date,amount,hours
        F1,2025-09-29,20.00,1
        F1,2025-09-30,20.00,2
    """), jurisdiction="US-FL").report
    (w,) = r["weeks"]
    assert (w["minimum_wage"], w["minimum_wage_pay"], w["shortfall"], w["payments"]) == (13.6667, 41.0, 1.0, 2)


def test_the_policy_workweek_and_a_living_wage_line(tmp_path):
    # workweek from Wednesday: 2025-11-04 (Tue) and 2025-11-05 (Wed) fall in different weeks
    # Tue: $50 / 5 h = 10.00 < 15: short 25.00; Wed: $80 / 5 h = 16.00: not short; total short 25.00
    # living wage $20.00: Tue 20 x 5 - 50 = 50.00; Wed 20 x 5 - 80 = 20.00
    (tmp_path / "p.toml").write_text(MD_POLICY.replace('"sunday"', '"wednesday"'))
    r = run_stipends(_log(tmp_path, """
        person,date,amount,hours
        V1,2025-11-04,50,5
        V1,2025-11-05,80,5
    """), policy=tmp_path / "p.toml", living_wage="20").report
    assert [(w["week_start"], w["shortfall"], w["shortfall_to_living_wage"]) for w in r["weeks"]] == [
        ("2025-10-29", 25.0, 50.0), ("2025-11-05", 0.0, 20.0)]
    assert r["totals"]["shortfall"] == 25.0 and r["totals"]["shortfall_to_living_wage"] == 70.0


def test_effective_hourly_rounds_half_up(tmp_path):
    # 1.00 / 8 h = 0.125 -> 0.13 (half-up, not to even)
    r = run_stipends(_log(tmp_path, "employee_id,date,amount,hours\nV1,2025-11-01,1.00,8\n"), minimum_wage_override="7.25").report
    assert r["weeks"][0]["effective_hourly"] == 0.13


def test_backpay_takes_the_stipend_log_as_paid_compensation(tmp_path):
    # Maryland ($15.00; federal $7.25). V03: $50 for 4 h on Mon 2025-11-03 (12.50/h), not on the timesheet.
    # no unpaid rows: contract 0 (the stipend is in paid and owed gross alike); FLSA averaging 4 x 7.25 = 29.00
    # <= 50 -> 0; state 4 x 15 - 50 = 10.00 -> the claim; liquidated (federal) 0; the week is listed
    # With 2 unpaid hours (no rate: the stipend's own 12.50/h for that week) on Wed 11-05:
    # contract 2 x 12.50 = 25.00; FLSA 6 x 7.25 = 43.50 <= 50 -> 0; state 6 x 15 - 50 = 40.00; claim 40.00
    for name, text in (("policy.toml", MD_POLICY), ("paid.csv", "employee_id,start,end,rate\nE1,2025-11-03 09:00,2025-11-03 17:00,20\n"),
                       ("none.csv", "employee_id,start,end\n"),
                       ("unpaid.csv", "employee_id,start,end,activity\nV03,2025-11-05 10:00,2025-11-05 12:00,preparation\n"),
                       ("stipends.csv", "person,date,amount,hours\nV03,2025-11-03,50.00,4\n")):
        (tmp_path / name).write_text(text)
    r = run_backpay(tmp_path / "paid.csv", tmp_path / "none.csv", tmp_path / "policy.toml", stipends=tmp_path / "stipends.csv").report
    (w,) = r["weeks"]
    assert (w["employee_id"], w["week_start"], w["paid_gross"], w["owed_gross"], w["stipend_hours"]) == ("V03", "2025-11-02", 50.0, 50.0, 4.0)
    assert tuple(w[k] for k in ("contract_back_wages", "flsa_back_wages", "state_back_wages", "back_wages", "liquidated_damages")) == (
        0.0, 0.0, 10.0, 10.0, 0.0)
    r = run_backpay(tmp_path / "paid.csv", tmp_path / "unpaid.csv", tmp_path / "policy.toml", stipends=tmp_path / "stipends.csv").report
    (w,) = r["weeks"]
    assert (w["paid_gross"], w["owed_gross"], w["unpaid_hours"], w["hours_worked"]) == (50.0, 75.0, 2.0, 6.0)
    assert tuple(w[k] for k in ("contract_back_wages", "flsa_back_wages", "state_back_wages", "back_wages")) == (25.0, 0.0, 40.0, 40.0)
    assert r["as_of"] == "2025-11-05" and r["rejected"] == []


def test_stipend_hours_in_an_overtime_week_are_priced_at_the_stipend_rate(tmp_path):
    # Federal only. E1: paid 40 h at $20 (Mon-Fri) = 800.00, plus a $100 stipend for 5 h on Sat (20.00/h) -> H = 45
    # contract: the policy does not price stipends: 800 + 100 both sides -> 0.00
    # FLSA: straight time 40 x 20 + 5 x max(20.00, 7.25) = 900 - (800 + 100) = 0.00
    #       regular rate 900 / 45 = 20.00; overtime 0.5 x 20 x 5 = 50.00 - 0 paid = 50.00 -> claim 50.00
    for name, text in (("policy.toml", '[overtime]\nweekly_hours = 40\n'),
                       ("paid.csv", "employee_id,start,end,rate\n" + "".join(
                           f"E1,2025-11-0{d} 09:00,2025-11-0{d} 17:00,20\n" for d in range(3, 8))),
                       ("none.csv", "employee_id,start,end\n"),
                       ("stipends.csv", "employee_id,date,amount,hours\nE1,2025-11-08,100.00,5\n")):
        (tmp_path / name).write_text(text)
    r = run_backpay(tmp_path / "paid.csv", tmp_path / "none.csv", tmp_path / "policy.toml", stipends=tmp_path / "stipends.csv").report
    (w,) = r["weeks"]
    assert (w["paid_gross"], w["flsa_required"], w["straight_time_paid"], w["flsa_regular_rate"]) == (900.0, 900.0, 900.0, 20.0)
    assert (w["contract_back_wages"], w["flsa_straight_time_due"], w["flsa_overtime_due"], w["back_wages"]) == (0.0, 0.0, 50.0, 50.0)


def test_stipends_cli_json_shape(tmp_path):
    path = _log(tmp_path, "person,date,amount,hours\nV03,2025-11-03,50.00,4.0\n")
    res = CliRunner().invoke(main, ["stipends", "--stipends", str(path), "--jurisdiction", "US-MD", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert list(data)[:3] == ["weeks", "months", "totals"]
    assert data["weeks"][0] == data["weeks"][0] | {"employee_id": "V03", "week_start": "2025-11-02", "hours": 4.0, "stipend_pay": 50.0,
                                                   "effective_hourly": 12.5, "minimum_wage": 15.0, "shortfall": 10.0}
    assert data["months"][0] == data["months"][0] | {"employee_id": "V03", "month": "2025-11", "hours": 4.0, "stipend_pay": 50.0,
                                                     "shortfall": 10.0}
    assert data["totals"] == data["totals"] | {"hours": 4.0, "stipend_pay": 50.0, "shortfall": 10.0}


def test_a_stipend_worker_off_the_roster_is_priced_not_rejected(tmp_path):
    # With a roster (HL001 only), V03's unpaid rows are not "not in the roster": one at its own rate
    # ($16.00 x 1 h = 16.00), one without a rate at the week's stipend rate (12.50 x 2 h = 25.00): contract 41.00
    for name, text in (("policy.toml", MD_POLICY), ("roster.csv", "employee_id,role,step\nHL001,peer,1\n"),
                       ("schedule.csv", "role,step,hourly_rate\npeer,1,20.00\n"),
                       ("paid.csv", "employee_id,start,end\nHL001,2025-11-03 09:00,2025-11-03 17:00\n"),
                       ("unpaid.csv", "employee_id,start,end,rate\nV03,2025-11-04 10:00,2025-11-04 11:00,16\n"
                                      "V03,2025-11-05 10:00,2025-11-05 12:00,\n"),
                       ("stipends.csv", "person,date,amount,hours\nV03,2025-11-03,50.00,4\n")):
        (tmp_path / name).write_text(text)
    r = run_backpay(tmp_path / "paid.csv", tmp_path / "unpaid.csv", tmp_path / "policy.toml", tmp_path / "roster.csv",
                    tmp_path / "schedule.csv", stipends=tmp_path / "stipends.csv").report
    assert r["rejected"] == []
    (w,) = r["weeks"]
    assert (w["employee_id"], w["unpaid_hours"], w["contract_back_wages"]) == ("V03", 3.0, 41.0)
