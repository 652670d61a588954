"""`peerpay audit` on tiny registers, every figure worked by hand (docs/audit.md).

One employee, E1, base rate $20.00, the week of Sunday 2025-03-02:

    Mon-Thu 08:00-17:00     4 x 9 h = 36 h
    Fri 23:00 - Sat 07:00   8 h, all inside the night window (23:00-07:00, $2.00/h)
    hours worked 44, overtime 44 - 40 = 4 h

    base pay          44 h x $20.00                        = $880.00
    night             8 h x $2.00                          =  $16.00
    regular rate      (880.00 + 16.00) / 44 h              = $20.363636.../h
    overtime premium  4 h x 0.5 x 20.363636...             =  $40.7272... -> $40.73
    gross                                                  = $936.73
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import dedent
from peerpay.errors import InputError
from peerpay.jobs.audit import audit_report, run_audit

POLICY = """
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

TIMESHEET = """
employee_id,start,end,rate
E1,2025-03-03 08:00,2025-03-03 17:00,20.00
E1,2025-03-04 08:00,2025-03-04 17:00,20.00
E1,2025-03-05 08:00,2025-03-05 17:00,20.00
E1,2025-03-06 08:00,2025-03-06 17:00,20.00
E1,2025-03-07 23:00,2025-03-08 07:00,20.00
"""

#: a weekly register: any date of the workweek (here the week's Saturday) names the week
MAP = """
name = "weekly register"
[columns]
employee_id = "Emp"
[period]
week = "Week Ending"
date_format = "%m/%d/%Y"
[[earnings]]
code_column = "Earn Code"
hours = "Hours"
amount = "Amount"
[codes]
base = ["REG"]
overtime = ["OT"]
ignore = ["PTO"]
full_rate = ["overtime"]
[codes.differential]
night = ["NGT"]
"""

# Paid right: REG holds the 40 straight-time-only hours; OT the 4 overtime hours at the whole
# rate: straight time 4 x $20.00 = $80.00 plus the premium $40.73 = $120.73.
RIGHT = """
Emp,Week Ending,Earn Code,Hours,Amount
E1,03/08/2025,REG,40.00,800.00
E1,03/08/2025,OT,4.00,120.73
E1,03/08/2025,NGT,8.00,16.00
E1,03/08/2025,PTO,8.00,160.00
"""


def audit(files, register: str, register_map: str = MAP, **kw):
    ts = files.write("timesheet.csv", TIMESHEET)
    pol = files.write("policy.toml", POLICY)
    reg = files.write("register.csv", register)
    emap = files.write("register.toml", register_map)
    return run_audit(ts, pol, reg, emap, **kw)


def only(frame):
    assert len(frame) == 1, frame
    return frame.iloc[0]


def test_a_register_that_pays_what_the_policy_owes_shows_no_difference(files):
    a = audit(files, RIGHT)
    line = only(a.lines)
    assert line["owed:gross"] == line["paid:gross"] == 93673
    # the full-rate OT line is split: straight time = 4 h x (880.00 / 44 h) = $80.00 to base, $40.73 premium
    assert (line["paid:base"], line["paid:overtime"], line["paid:differential:night"]) == (88000, 4073, 1600)
    assert line["paid_minutes:base"] == 44 * 60 and line["paid_minutes:overtime"] == 4 * 60
    assert line["status"] == "ok" and line["flagged"] == ""
    assert a.findings.empty and a.problems == []
    assert a.register.ignored == {"PTO": {"lines": 1, "minutes": 480, "cents": 16000}}


def test_a_missing_night_differential_an_overtime_hour_at_straight_time_and_an_unknown_code(files):
    # Three mistakes in one week's register:
    #  * no NGT line: the night differential, $16.00, is not paid;
    #  * one overtime hour paid as a regular hour: REG 41 h = $820.00, and OT 3 h at the whole
    #    rate 3 x (20.00 + 0.5 x 20.363636) = 3 x 30.181818 = $90.545454 -> $90.55;
    #  * a BONUS line the map does not know: rejected at its cell, its $50.00 counted nowhere.
    register = """
    Emp,Week Ending,Earn Code,Hours,Amount
    E1,03/08/2025,REG,41.00,820.00
    E1,03/08/2025,OT,3.00,90.55
    E1,03/08/2025,BONUS,,50.00
    """
    a = audit(files, register)
    # base: 820.00 + the OT line's straight time 3 h x $20.00 = $880.00, as owed
    # overtime premium paid: 90.55 - 60.00 = $30.55; owed $40.73: short $10.18, one hour's
    #   premium (0.5 x 20.363636 = $10.18)
    # night: owed $16.00, paid $0.00
    found = {(f["component"], f["owed"], f["paid"], f["difference"], f["status"]) for _, f in a.findings.iterrows()}
    assert found == {("differential:night", 1600, 0, -1600, "underpaid"), ("overtime", 4073, 3055, -1018, "underpaid")}
    line = only(a.lines)
    assert line["difference:base"] == 0
    assert line["difference:gross"] == -1600 - 1018 == -2618
    assert line["status"] == "underpaid" and line["flagged"] == "differential:night; overtime"
    assert (line["owed_minutes:overtime"], line["paid_minutes:overtime"]) == (240, 180)  # 4 h owed, 3 h paid
    assert [p.render() for p in a.problems] == [
        "register.csv:3:Earn Code: earning code 'BONUS' is not in the map's [codes] (list it under a pay component, "
        "or under ignore if it is not pay for hours)"]
    assert a.totals["underpaid"] == 2618 and a.totals["lines_underpaid"] == 1
    report = audit_report(a)
    assert report["rejected"][0]["row"] == 3 and report["rejected"][0]["column"] == "Earn Code"
    assert report["register"]["lines_rejected"] == 1
    assert report["reconciliation"]["register"]["amount_rejected"] == 50.0


def test_the_tolerance_hides_a_cent_and_no_more(files):
    # night paid $15.99: one cent short
    register = RIGHT.replace("NGT,8.00,16.00", "NGT,8.00,15.99")
    assert audit(files, register, tolerance_cents=1).findings.empty  # within a cent: not flagged
    found = audit(files, register, tolerance_cents=0).findings
    assert list(found["difference"]) == [-1]


def test_an_employee_payroll_left_out_is_unpaid_and_one_it_invented_is_overpaid(files):
    register = RIGHT.replace("E1,", "E2,")  # the register pays E2, who worked nothing, and not E1
    a = audit(files, register)
    by = a.lines.set_index("employee_id")
    assert by.loc["E1", "paid:gross"] == 0 and by.loc["E1", "status"] == "underpaid"
    assert by.loc["E2", "owed:gross"] == 0 and by.loc["E2", "difference:gross"] == 93673 and by.loc["E2", "status"] == "overpaid"
    assert a.totals["underpaid"] == a.totals["overpaid"] == 93673


def test_owed_pay_outside_the_register_is_not_audited_and_is_counted(files):
    # the register is for the week before: nothing of E1's week falls in it
    a = audit(files, RIGHT.replace("03/08/2025", "03/01/2025"))
    assert a.owed.outside_lines == 1 and a.owed.outside_cents == 93673
    assert any("Not audited: 1 employee-week(s)" in n and "$936.73" in n for n in a.notes)
    line = only(a.lines)  # what the register paid for a week with nothing owed
    assert line["owed:gross"] == 0 and line["status"] == "overpaid"


SEMI_MONTHLY = """
name = "semi-monthly register"
[columns]
employee_id = "Emp"
[period]
begin = "From"
end = "To"
[[earnings]]
code_column = "Code"
hours = "Hours"
amount = "Amount"
[codes]
base = ["REG"]
overtime = ["OTP"]
"""


def test_a_pay_period_that_cuts_a_workweek_shares_it_by_the_days_worked(files):
    # The week Sun 2025-04-13 .. Sat 04-19 straddles the semi-monthly periods 04-01..04-15 and
    # 04-16..04-30. E1 works Mon-Fri 08:00-17:00 at $19.995 (9 h a day, 45 h, 5 h overtime):
    #   base     45 h x 19.995 = 899.775 -> $899.78 for the week
    #            Mon+Tue 18 h: 899.78 x 18/45 = 359.912; Wed-Fri 27 h: 899.78 x 27/45 = 539.868
    #            in whole cents by largest remainder: 359.91 and 539.87 (they add up to 899.78)
    #   overtime 5 h x 0.5 x 19.995 = 49.9875 -> $49.99, all in the period in which the week ends
    #            (Sat 04-19: the second period; 29 CFR 778.106)
    timesheet = "employee_id,start,end,rate\n" + "".join(
        f"E1,2025-04-{d} 08:00,2025-04-{d} 17:00,19.995\n" for d in (14, 15, 16, 17, 18))
    register = """
    Emp,From,To,Code,Hours,Amount
    E1,2025-04-01,2025-04-15,REG,18.00,359.91
    E1,2025-04-16,2025-04-30,REG,27.00,539.87
    E1,2025-04-16,2025-04-30,OTP,5.00,49.99
    """
    ts = files.write("timesheet.csv", timesheet)
    pol = files.write("policy.toml", POLICY)
    a = run_audit(ts, pol, files.write("register.csv", register), files.write("register.toml", SEMI_MONTHLY))
    assert not a.periods.aligned
    first, second = a.lines.iloc[0], a.lines.iloc[1]
    assert (first["owed:base"], first["owed:overtime"], first["owed_minutes:base"]) == (35991, 0, 18 * 60)
    assert (second["owed:base"], second["owed:overtime"], second["owed_minutes:base"], second["owed_minutes:overtime"]) == (
        53987, 4999, 27 * 60, 5 * 60)
    assert a.findings.empty
    assert any("29 CFR 778.106" in n for n in a.notes)


def test_overlapping_pay_periods_of_one_employee_are_rejected(files):
    register = """
    Emp,From,To,Code,Hours,Amount
    E1,2025-03-01,2025-03-15,REG,44.00,880.00
    E1,2025-03-08,2025-03-21,REG,1.00,20.00
    """
    ts = files.write("timesheet.csv", TIMESHEET)
    pol = files.write("policy.toml", POLICY)
    a = run_audit(ts, pol, files.write("register.csv", register), files.write("register.toml", SEMI_MONTHLY))
    assert [p.render() for p in a.problems] == [
        "register.csv:2:From: pay period 2025-03-08 to 2025-03-21 overlaps another pay period of this employee "
        "(a day can be paid in one period only)"]


def test_a_differential_the_policy_does_not_have_is_an_error_naming_it(files):
    with pytest.raises(InputError) as exc:
        audit(files, RIGHT, MAP.replace("night = [\"NGT\"]", "nigth = [\"NGT\"]"))
    assert "codes.differential.nigth: the policy has no differential 'nigth' (did you mean 'night'?)" in str(exc.value)


def test_an_undated_register_takes_the_period_given(files):
    undated = dedent(MAP).replace('[period]\nweek = "Week Ending"\ndate_format = "%m/%d/%Y"\n', "")
    register = "\n".join(line.replace("03/08/2025,", "") for line in dedent(RIGHT).splitlines()).replace("Week Ending,", "")
    with pytest.raises(InputError, match="--from FIRST_DAY --to LAST_DAY"):
        audit(files, register, undated)
    def day(text):
        return int(np.datetime64(text, "D").astype("int64"))

    a = audit(files, register, undated, period=(day("2025-03-02"), day("2025-03-08")))
    assert a.findings.empty and a.register.periods == "given"


def test_an_empty_register_compares_nothing_and_says_so(files):
    from peerpay.core.audit_report import headline

    a = audit(files, "Emp,Week Ending,Earn Code,Hours,Amount\n")
    assert a.lines.empty and a.owed.outside_lines == 1 and a.owed.outside_cents == 93673
    assert headline(a.totals, a.tolerance_cents).startswith("Nothing was compared")


CUT_POLICY = POLICY + """
[on_call]
standby_per_hour = 3.00
callback_multiplier = 1.5
callback_minimum_hours = 2
"""

CUT_MAP = SEMI_MONTHLY.replace('overtime = ["OTP"]', 'standby = ["SB"]\ncallback = ["CBP"]\n[codes.differential]\nnight = ["N"]')


def test_a_cut_week_shares_minutes_by_their_day_and_a_call_back_by_the_day_it_starts(files):
    # The semi-monthly boundary falls between Tue 2025-04-15 and Wed 04-16 (week Sun 04-13..Sat 04-19), $20.00/h:
    #   Tue 22:00 - Wed 06:00 work, 8 h: Tue's 2 h (1 h of night, 23:00-24:00) in the first period,
    #                                   Wed's 6 h (all night) in the second
    #   Wed 18:00-22:00 on call, 4 h x $3.00 = $12.00 standby; a call-back 19:00-19:30 inside it:
    #                                   0.5 h base = $10.00, premium 1.5 x 20 x 2 h (minimum) - 10.00 = $50.00
    # first period:  base 2 h x 20 = 40.00, night 1 h x 2 = 2.00
    # second period: base (6 + 0.5) h x 20 = 130.00, night 6 x 2 = 12.00, standby 12.00, call-back premium 50.00
    timesheet = """
    employee_id,start,end,kind,rate
    E1,2025-04-15 22:00,2025-04-16 06:00,work,20.00
    E1,2025-04-16 18:00,2025-04-16 22:00,on_call,20.00
    E1,2025-04-16 19:00,2025-04-16 19:30,callback,20.00
    """
    register = """
    Emp,From,To,Code,Hours,Amount
    E1,2025-04-01,2025-04-15,REG,2.00,40.00
    E1,2025-04-01,2025-04-15,N,1.00,2.00
    E1,2025-04-16,2025-04-30,REG,6.50,130.00
    E1,2025-04-16,2025-04-30,N,6.00,12.00
    E1,2025-04-16,2025-04-30,SB,4.00,12.00
    E1,2025-04-16,2025-04-30,CBP,,50.00
    """
    a = run_audit(files.write("timesheet.csv", timesheet), files.write("policy.toml", CUT_POLICY),
                  files.write("register.csv", register), files.write("register.toml", CUT_MAP))
    first, second = a.lines.iloc[0], a.lines.iloc[1]
    assert (first["owed:base"], first["owed:differential:night"], first["owed_minutes:base"]) == (4000, 200, 120)
    assert (second["owed:base"], second["owed:differential:night"], second["owed:standby"], second["owed:callback"]) == (
        13000, 1200, 1200, 5000)
    assert (second["owed_minutes:base"], second["owed_minutes:standby"]) == (390, 240)
    assert a.findings.empty and a.problems == []


def test_claim_prices_the_underpaid_week_by_the_three_measures(files):
    """``--claim`` on the register with the missing night differential and the overtime hour paid
    at straight time (above). The week, 44 h worked, as the FLSA measure reads it:

        straight time required  every hour at its own rate, differentials in (29 CFR 778.315):
                                880.00 + 16.00 = 896.00
        straight time paid      base 820.00 + the OT line's straight time 60.00 + night 0.00 = 880.00
        straight time due       896.00 - 880.00 = 16.00
        regular rate            896.00 / 44 h = 20.363636
        overtime required       0.5 x 20.363636 x 4 h = 40.727272
        overtime due            40.727272 - the premium paid 30.55 = 10.177272
        FLSA back wages         16.00 + 10.177272 = 26.177272 -> $26.18 (rounded once)
    The contract measure is the audit's own shortfall, owed 936.73 - paid 910.55 = $26.18; the
    state measure is the FLSA's (no state minimum or overtime adds to it here). Liquidated damages
    equal the federal measure (29 U.S.C. 216(b)): total $52.36.
    """
    from peerpay.jobs.audit import audit_claim

    register = """
    Emp,Week Ending,Earn Code,Hours,Amount
    E1,03/08/2025,REG,41.00,820.00
    E1,03/08/2025,OT,3.00,90.55
    """
    claim = audit_claim(audit(files, register))
    (week,) = claim["weeks"]
    assert (week["paid_gross"], week["owed_gross"]) == (910.55, 936.73)
    assert (week["contract_back_wages"], week["flsa_back_wages"], week["state_back_wages"]) == (26.18, 26.18, 26.18)
    assert (week["flsa_straight_time_due"], week["flsa_overtime_required"]) == (16.0, 40.73)
    assert week["premium_credits"] == 30.55 and week["straight_time_paid"] == 880.0
    assert claim["totals"]["back_wages"] == 26.18 and claim["totals"]["liquidated_damages"] == 26.18
    assert claim["totals"]["total_owed"] == 52.36


def test_claim_lists_no_week_paid_in_full(files):
    from peerpay.jobs.audit import audit_claim

    claim = audit_claim(audit(files, RIGHT))
    assert claim["weeks"] == [] and claim["totals"]["back_wages"] == 0.0


def test_claim_needs_workweeks(files):
    from peerpay.jobs.audit import audit_claim

    timesheet = "employee_id,start,end,rate\nE1,2025-04-15 08:00,2025-04-15 16:00,20.00\nE1,2025-04-16 08:00,2025-04-16 16:00,20.00\n"
    register = "Emp,From,To,Code,Hours,Amount\nE1,2025-04-01,2025-04-15,REG,8.00,160.00\nE1,2025-04-16,2025-04-30,REG,8.00,160.00\n"
    a = run_audit(files.write("timesheet.csv", timesheet), files.write("policy.toml", POLICY),
                  files.write("register.csv", register), files.write("register.toml", SEMI_MONTHLY))
    with pytest.raises(InputError, match="--claim prices workweeks"):
        audit_claim(a)
