"""`peerpay backpay` and `peerpay stipends`, hand-worked (docs/formats.md §6, docs/backpay.md).

Each case is a tiny inline timesheet + unpaid log with the arithmetic in a comment.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from peerpay.jobs.backpay import load_minimum_wages, run_backpay, run_stipends
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
    kw.setdefault("minimum_wage_override", "7.25")
    return run_backpay(*_files(tmp_path, policy, paid, unpaid), **kw).report


def test_week_crossing_40_hours_with_night_differential(tmp_path):
    # paid: 5 x 8 h at $20 = 40 h, gross 800.00, no overtime
    # unpaid: Fri 23:00 - Sat 01:00, 2 h, all inside the night window ($2.00/h)
    # owed: base 42 x 20 = 840.00; night 2 x 2 = 4.00; regular rate = 844 / 42 = 20.095238
    #       overtime premium = 0.5 x 20.095238 x 2 = 20.095 -> 20.10; gross 864.10
    # back wages = 864.10 - 800.00 = 64.10
    # FLSA floor: Hp 40, U 2 -> OT 2, ST 0; RR = max(7.25, 800/40) = 20; 1.5 x 20 x 2 = 60.00
    r = _backpay(tmp_path, NIGHT_POLICY, WEEK_40, """
        employee_id,start,end,rate,activity
        E1,2025-11-07 23:00,2025-11-08 01:00,20.00,crisis call after hours
    """)
    assert r["weeks"] == [{
        "employee_id": "E1", "week_start": "2025-11-02", "unpaid_hours": 2.0, "paid_gross": 800.0, "owed_gross": 864.1,
        "back_wages": 64.1, "unpaid_on_call_hours": 0.0, "minimum_wage": 7.25, "flsa_straight_hours": 0.0,
        "flsa_overtime_hours": 2.0, "flsa_regular_rate": 20.0, "flsa_minimum_back_wages": 60.0,
        "activities": ["crisis call after hours"],
    }]
    assert r["employees"][0] | {} == {"employee_id": "E1", "unpaid_hours": 2.0, "back_wages": 64.1, "liquidated_damages": 64.1,
                                      "total_owed": 128.2, "weeks": 1, "unpaid_on_call_hours": 0.0, "flsa_minimum_back_wages": 60.0}
    assert r["totals"] == {"unpaid_hours": 2.0, "back_wages": 64.1, "liquidated_damages": 64.1, "total_owed": 128.2,
                           "flsa_minimum_back_wages": 60.0}
    assert r["as_of"] == "2025-11-08" and r["lookback_years"] == 2 and r["rejected"] == []


def test_flsa_floor_straight_time_and_new_overtime(tmp_path):
    # paid: 38 h at $20 (Mon-Thu 8 h, Fri 6 h) = 760.00; unpaid 5 h on Sat
    # FLSA: H = 43 -> OT 3, ST 2; RR = (760 + 7.25 x 2) / (38 + 2) = 774.50 / 40 = 19.3625
    #       floor = 7.25 x 2 + 1.5 x 19.3625 x 3 = 14.50 + 87.13 (87.13125) = 101.63
    # contract: base 43 x 20 = 860; RR 20; OT premium 0.5 x 20 x 3 = 30; gross 890 -> back 130.00
    paid = WEEK_40.replace("2025-11-07 09:00,2025-11-07 17:00", "2025-11-07 09:00,2025-11-07 15:00")
    r = _backpay(tmp_path, NIGHT_POLICY, paid, """
        employee_id,start,end,rate
        E1,2025-11-08 09:00,2025-11-08 14:00,20
    """)
    (w,) = r["weeks"]
    assert (w["paid_gross"], w["owed_gross"], w["back_wages"]) == (760.0, 890.0, 130.0)
    assert (w["flsa_straight_hours"], w["flsa_overtime_hours"], w["flsa_regular_rate"]) == (2.0, 3.0, 19.3625)
    assert w["flsa_minimum_back_wages"] == 101.63


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
    # 2023-01-01 (ends 01-07) counts only with 3 years.
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


def test_work_on_standby_is_allowed_and_paid(tmp_path):
    # paid: Mon 09:00-17:00 work (8 h x 20 = 160.00) + on call 17:00 - Tue 08:00 (15 h x 3.00 = 45.00)
    # unpaid: a crisis call 21:00-22:30 during the paid on-call period: allowed (standby does not pay work)
    # owed: +1.5 h x 20 = 30.00 (9.5 h: no overtime; standby unchanged) -> back wages 30.00
    # FLSA: 1.5 h straight time x 7.25 = 10.875 -> 10.88
    r = _backpay(tmp_path, STANDBY_POLICY, """
        employee_id,start,end,kind,rate
        E1,2025-11-03 09:00,2025-11-03 17:00,work,20
        E1,2025-11-03 17:00,2025-11-04 08:00,on_call,20
    """, """
        employee_id,start,end,kind,rate,activity
        E1,2025-11-03 21:00,2025-11-03 22:30,work,20,crisis line call
    """)
    (w,) = r["weeks"]
    assert (w["paid_gross"], w["owed_gross"], w["back_wages"]) == (205.0, 235.0, 30.0)
    assert w["flsa_minimum_back_wages"] == 10.88 and r["rejected"] == []


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
    assert [(e["employee_id"], e["back_wages"]) for e in r["employees"]] == [("E1", 20.0), ("E2", 20.0)]


def test_minimum_wage_table_federal_and_maryland():
    table = load_minimum_wages()
    days = [date(2009, 7, 23), date(2009, 7, 24), date(2023, 6, 1), date(2024, 1, 1), date(2025, 11, 30)]
    federal = MinimumWage(table, "US").on(days).tolist()
    md = MinimumWage(table, "US-MD").on(days).tolist()
    assert federal == [0, 72_500, 72_500, 72_500, 72_500]
    assert md == [0, 72_500, 132_500, 150_000, 150_000]  # the higher of federal and state (29 U.S.C. 218(a))
    assert not MinimumWage(table, "US-ZZ").covered and MinimumWage(table, "US-ZZ").on(days[-1:]).tolist() == [72_500]


def test_stipend_month_under_the_minimum(tmp_path):
    # Maryland $15.00 from 2024-01-01.
    # 2025-10: 150.00 / 12 h = 12.50/h -> below; shortfall 15 x 12 - 150 = 30.00
    # 2025-11: 100 + 50 = 150.00 / (6.5 + 3.5) h = 15.00/h -> exactly the minimum: not below
    (tmp_path / "s.csv").write_text(dedent("""
        person,date,amount,hours,activity
        V1,2025-10-15,150.00,12,advisory board
        V1,2025-11-03,100.00,6.5,group
        V1,2025-11-20,$50.00,3.5,group
    """))
    r = run_stipends(tmp_path / "s.csv", jurisdiction="US-MD", living_wage="20").report
    oct_, nov = r["months"]
    assert (oct_["month"], oct_["effective_hourly"], oct_["below_minimum"], oct_["shortfall_to_minimum"]) == ("2025-10", 12.5, True, 30.0)
    assert (nov["amount"], nov["hours"], nov["effective_hourly"], nov["below_minimum"]) == (150.0, 10.0, 15.0, False)
    # living wage 20.00: Nov 20 x 10 - 150 = 50.00 short
    assert nov["below_living_wage"] and nov["shortfall_to_living_wage"] == 50.0
    assert r["totals"]["months_below_minimum"] == 1


def test_stipend_effective_hourly_rounds_half_up(tmp_path):
    # 100.00 / 8 h = 12.50 exactly; 100.01 / 8 = 12.50125 -> 12.50; 0.05 / 0.4 h... use 1.00 / 8 = 0.125 -> 0.13
    (tmp_path / "s.csv").write_text("employee_id,date,amount,hours\nV1,2025-11-01,1.00,8\n")
    r = run_stipends(tmp_path / "s.csv", minimum_wage_override="7.25").report
    assert r["months"][0]["effective_hourly"] == 0.13


def test_cli_json_matches_the_job(tmp_path):
    paid, unpaid, policy = _files(tmp_path, NIGHT_POLICY, WEEK_40, """
        employee_id,start,end,rate
        E1,2025-11-07 23:00,2025-11-08 01:00,20
    """)
    res = CliRunner().invoke(main, ["backpay", "-t", str(paid), "-u", str(unpaid), "-p", str(policy), "--minimum-wage", "7.25",
                                    "--as-of", "2025-12-01", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["as_of"] == "2025-12-01" and data["totals"]["back_wages"] == 64.1
