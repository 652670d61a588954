"""Out-of-class work worked by hand (docs/out-of-class.md): the duty role's rate for those minutes,
the overtime on the weighted regular rate (29 CFR 778.115), the minimum time before it is owed,
and the rows rejected for an unknown duty role or a duty role without a rate on the day.

Week of 2025-02-02 is Sunday 02-02 .. Saturday 02-08. P1 is a peer specialist on step 2 ($19.00).
"""

from __future__ import annotations

import pytest

from conftest import only_line

SCHEDULE = """
role,step,hourly_rate,effective_date
peer_specialist,1,18.00,2025-01-01
peer_specialist,2,19.00,2025-01-01
peer_specialist,3,20.00,2025-01-01
case_manager,1,22.00,2025-01-01
case_manager,2,23.00,2025-01-01
case_manager,3,24.00,2025-01-01
peer_supervisor,1,19.50,2025-01-01
program_manager,1,30.00,2025-03-01
"""
ROSTER = """
employee_id,role,step
P1,peer_specialist,2
P3,peer_specialist,3
"""
WEEKLY_40 = """
[overtime]
weekly_hours = 40
multiplier = 1.5
"""


def week(duty: dict[str, str], hours: int = 9, emp: str = "P1") -> str:
    """Monday..Friday 08:00 + ``hours``; ``duty``: weekday date -> duty role ("" none)."""
    rows = ["employee_id,start,end,duty_role"]
    for d in range(3, 8):
        day = f"2025-02-0{d}"
        rows.append(f"{emp},{day} 08:00,{day} {8 + hours:02d}:00,{duty.get(day, '')}")
    return "\n".join(rows) + "\n"


def pay(files, timesheet: str, policy: str):
    return files.pay(timesheet, policy, ROSTER, SCHEDULE)


def test_same_step_overtime_week(files):
    # 45 h; Wednesday's 9 h are case management at case_manager step 2 = $23.00 (own rate $19.00).
    #   base_pay          45 x 19.00                = 855.00
    #   out_of_class_pay   9 x (23.00 - 19.00)      =  36.00
    #   regular rate      (855 + 36) / 45           =  19.80   (778.115: the weighted average)
    #   overtime premium  0.5 x 19.80 x 5           =  49.50
    #   gross             855.00 + 36.00 + 49.50    = 940.50
    run = pay(files, week({"2025-02-05": "case_manager"}), WEEKLY_40 + '[out_of_class]\nmethod = "same_step"\n')
    assert run.problems == []
    line = only_line(run)
    assert line["base_pay"] == 855.0
    assert line["out_of_class_hours"] == 9.0
    assert line["out_of_class_pay"] == 36.0
    assert line["regular_rate"] == 19.8
    assert line["overtime_premium"] == 49.5
    assert line["gross_pay"] == 940.5
    # the components re-add to gross pay
    parts = ["base_pay", "holiday_premium", "standby_pay", "callback_premium", "out_of_class_pay", "overtime_premium"]
    assert sum(line[k] for k in parts) + sum(line["differential_pay"].values()) == line["gross_pay"]


def test_first_higher_step_overtime_week(files):
    # The promotion rule: the first case_manager step above $19.00 is step 1, $22.00.
    #   out_of_class_pay 9 x 3.00 = 27.00; regular rate (855 + 27) / 45 = 19.60
    #   overtime premium 0.5 x 19.60 x 5 = 49.00; gross 855 + 27 + 49 = 931.00
    run = pay(files, week({"2025-02-05": "case_manager"}), WEEKLY_40 + '[out_of_class]\nmethod = "first_higher_step"\n')
    line = only_line(run)
    assert (line["out_of_class_pay"], line["overtime_premium"], line["gross_pay"]) == (27.0, 49.0, 931.0)


def test_first_higher_step_with_a_minimum_increase(files):
    # min_increase_percent = 20: the step must pay at least 19.00 x 1.2 = 22.80 -> step 2, $23.00.
    #   out_of_class_pay 8 x 4.00 = 32.00 (without the minimum increase: step 1, 8 x 3.00 = 24.00)
    run = pay(files, week({"2025-02-05": "case_manager"}, hours=8),
              '[out_of_class]\nmethod = "first_higher_step"\nmin_increase_percent = 20\n')
    assert only_line(run)["out_of_class_pay"] == 32.0


@pytest.mark.parametrize("when, expected", [
    # P3 earns $20.00; peer_supervisor's only step is $19.50: no step is higher.
    ("top_step", 0.0),  # the top step, $19.50, is below the own rate: never less than own -> no extra
    ("increase", 8.0),  # own + 5 % = $21.00: 8 h x 1.00
    ("own_rate", 0.0),
])
def test_when_no_step_is_higher(files, when, expected):
    policy = f'[out_of_class]\nmethod = "first_higher_step"\nmin_increase_percent = 5\nwhen_none_higher = "{when}"\n'
    run = pay(files, week({"2025-02-05": "peer_supervisor"}, hours=8, emp="P3"), policy)
    assert only_line(run)["out_of_class_pay"] == expected


def test_same_step_never_pays_less_than_the_own_rate(files):
    # P3 (step 3, $20.00) does peer_supervisor work; peer_supervisor has no step 3 -> rejected;
    # P1 (step 2) in a lower-paid class keeps $19.00 (no step 2 for peer_supervisor either: rejected too).
    run = pay(files, week({"2025-02-05": "peer_supervisor"}, hours=8), '[out_of_class]\nmethod = "same_step"\n')
    assert [(p.row, p.column, p.reason) for p in run.problems] == [
        (3, "duty_role", "no schedule rate for duty role 'peer_supervisor' step 2 on 2025-02-05")]


def test_minimum_hours_per_day(files):
    # Owed only from 2 hours a day: Wednesday 1 h of case management (a separate row) is not paid
    # out of class; Thursday's 3 h are: 3 x 4.00 = 12.00.
    ts = """
    employee_id,start,end,duty_role
    P1,2025-02-05 08:00,2025-02-05 09:00,case_manager
    P1,2025-02-05 09:00,2025-02-05 16:00,
    P1,2025-02-06 08:00,2025-02-06 11:00,case_manager
    P1,2025-02-06 11:00,2025-02-06 16:00,
    """
    run = pay(files, ts, "[out_of_class]\nminimum_hours = 2\n")
    line = only_line(run)
    assert (line["out_of_class_hours"], line["out_of_class_pay"]) == (3.0, 12.0)
    assert any(n.startswith("2 row(s) carry a duty_role: 1 paid out of class, 1 short") for n in run.shifts.attrs["notes"])


def test_minimum_hours_per_day_adds_the_day_rows(files):
    # per = "day": two 1-hour rows on Wednesday make 2 hours: both owed (2 x 4.00 = 8.00);
    # per = "shift": neither row reaches 2 hours: nothing.
    ts = """
    employee_id,start,end,duty_role
    P1,2025-02-05 08:00,2025-02-05 09:00,case_manager
    P1,2025-02-05 13:00,2025-02-05 14:00,case_manager
    """
    assert only_line(pay(files, ts, "[out_of_class]\nminimum_hours = 2\n"))["out_of_class_pay"] == 8.0
    assert only_line(pay(files, ts, '[out_of_class]\nminimum_hours = 2\nper = "shift"\n'))["out_of_class_pay"] == 0.0


def test_minimum_consecutive_days(files):
    # minimum_days = 3: Mon, Tue, Wed in a row qualify from the first hour (3 x 8 h x 4.00 = 96.00);
    # with Wednesday worked in the own class, Mon-Tue and Thu-Fri are runs of 2: nothing.
    policy = "[out_of_class]\nminimum_days = 3\n"
    three = week({"2025-02-03": "case_manager", "2025-02-04": "case_manager", "2025-02-05": "case_manager"}, hours=8)
    assert only_line(pay(files, three, policy))["out_of_class_pay"] == 96.0
    broken = week({"2025-02-03": "case_manager", "2025-02-04": "case_manager", "2025-02-06": "case_manager",
                   "2025-02-07": "case_manager"}, hours=8)
    assert only_line(pay(files, broken, policy))["out_of_class_pay"] == 0.0


def test_percent_differential_follows_the_duty_rate(files):
    # A 10 % weekend differential on Saturday 8 h of case management (step 2, $23.00):
    #   base 8 x 19 = 152.00; out of class 8 x 4 = 32.00; weekend 10 % x 23.00 x 8 = 18.40
    ts = "employee_id,start,end,duty_role\nP1,2025-02-08 08:00,2025-02-08 16:00,case_manager\n"
    policy = '[out_of_class]\n[[differential]]\nname = "weekend"\ndays = ["sat"]\npercent = 10\n'
    line = only_line(pay(files, ts, policy))
    assert (line["base_pay"], line["out_of_class_pay"], line["differential_pay"]["weekend"], line["gross_pay"]) == \
        (152.0, 32.0, 18.4, 202.4)


def test_rejections_name_the_duty_role_column(files):
    ts = """
    employee_id,start,end,duty_role
    P1,2025-02-03 08:00,2025-02-03 16:00,janitor
    P1,2025-02-04 08:00,2025-02-04 16:00,program_manager
    P1,2025-02-05 08:00,2025-02-05 16:00,case_manager
    """
    run = pay(files, ts, '[out_of_class]\nmethod = "first_higher_step"\n')
    assert [(p.row, p.column, p.reason) for p in run.problems] == [
        (1, "duty_role", "duty_role 'janitor' is not a role of the wage schedule"),
        (2, "duty_role", "duty role 'program_manager' has no schedule rate on 2025-02-04"),
    ]
    line = only_line(run)
    assert (line["hours_worked"], line["out_of_class_pay"]) == (8.0, 24.0)  # row 3 paid: 8 x (22 - 19)


def test_without_the_policy_section_the_own_rate_is_paid_and_said(files):
    run = pay(files, week({"2025-02-05": "case_manager"}, hours=8), "")
    line = only_line(run)
    assert "out_of_class_pay" not in line and line["gross_pay"] == 40 * 19.0
    assert any("no [out_of_class]" in n for n in run.shifts.attrs["notes"])


def test_a_duty_role_equal_to_the_own_role_is_no_out_of_class_work(files):
    run = pay(files, week({"2025-02-05": "peer_specialist"}, hours=8), "[out_of_class]\n")
    line = only_line(run)
    assert (line["out_of_class_hours"], line["out_of_class_pay"], line["gross_pay"]) == (0.0, 0.0, 760.0)


# --------------------------------------------------------------------------- back pay (docs/formats.md §6)


def backpay(files, paid: str, unpaid: str, policy: str):
    from peerpay.jobs.backpay import run_backpay

    paths = {n: files.write(f"{n}.csv", t) for n, t in (("paid", paid), ("unpaid", unpaid), ("roster", ROSTER),
                                                           ("schedule", SCHEDULE))}
    pol = files.write("policy.toml", policy)
    return run_backpay(paths["paid"], paths["unpaid"], pol, paths["roster"], paths["schedule"], as_of=None)


def test_backpay_out_of_class_in_an_overtime_week(files):
    # Paid: 45 h at the own $19.00, Wednesday's 9 h were case management (same_step: $23.00).
    #   paid gross  855.00 + 0.5 x 19.00 x 5 = 47.50 -> 902.50
    #   owed gross  940.50 (test_same_step_overtime_week)
    #   contract    940.50 - 902.50 = 38.00  (36.00 difference + 2.00 of overtime on it)
    #   FLSA        an overtime week: straight time 36 x 19 + 9 x 23 = 891.00 - 855.00 paid = 36.00 (778.315);
    #               regular rate 891 / 45 = 19.80; overtime 0.5 x 19.80 x 5 = 49.50 - 47.50 paid = 2.00 -> 38.00
    run = backpay(files, week({"2025-02-05": "case_manager"}), "employee_id,start,end\n",
                  WEEKLY_40 + '[out_of_class]\nmethod = "same_step"\n')
    assert run.problems == []
    (w,) = run.report["weeks"]
    assert (w["paid_gross"], w["owed_gross"], w["contract_back_wages"], w["flsa_back_wages"], w["back_wages"]) == \
        (902.5, 940.5, 38.0, 38.0, 38.0)


def test_backpay_out_of_class_in_a_week_without_overtime(files):
    # 40 h, Wednesday's 8 h out of class: contract 8 x 4.00 = 32.00; FLSA: averaging, 40 x 7.25 = 290.00
    # <= 760.00 paid -> 0 (the FLSA does not enforce the contract's rate in a week without overtime).
    run = backpay(files, week({"2025-02-05": "case_manager"}, hours=8), "employee_id,start,end\n",
                  WEEKLY_40 + '[out_of_class]\nmethod = "same_step"\n')
    (w,) = run.report["weeks"]
    assert (w["contract_back_wages"], w["flsa_back_wages"], w["state_back_wages"], w["back_wages"]) == (32.0, 0.0, 0.0, 32.0)


def test_backpay_unpaid_out_of_class_hours_count_toward_the_day_minimum(files):
    # Paid: Wednesday 08:00-09:00 case management (1 h: short of the 2-hour minimum on its own).
    # Unpaid: Wednesday 17:00-18:00 case management, not paid at all. Together 2 h: both owed.
    #   paid gross 40 x 19 = 760.00 (the paid row at the own rate)
    #   owed: 41 h, 2 of them at 23.00: base 41 x 19 = 779.00 + out of class 2 x 4 = 8.00 = 787.00;
    #   regular rate 787 / 41; overtime 0.5 x 787/41 x 1 = 9.597... -> 9.60; owed gross 796.60
    #   contract 796.60 - 760.00 = 36.60
    paid = """
    employee_id,start,end,duty_role
    P1,2025-02-03 08:00,2025-02-03 16:00,
    P1,2025-02-04 08:00,2025-02-04 16:00,
    P1,2025-02-05 08:00,2025-02-05 09:00,case_manager
    P1,2025-02-05 09:00,2025-02-05 16:00,
    P1,2025-02-06 08:00,2025-02-06 16:00,
    P1,2025-02-07 08:00,2025-02-07 16:00,
    """
    unpaid = "employee_id,start,end,duty_role\nP1,2025-02-05 17:00,2025-02-05 18:00,case_manager\n"
    run = backpay(files, paid, unpaid, WEEKLY_40 + "[out_of_class]\nminimum_hours = 2\n")
    (w,) = run.report["weeks"]
    assert (w["paid_gross"], w["owed_gross"], w["contract_back_wages"]) == (760.0, 796.6, 36.6)
