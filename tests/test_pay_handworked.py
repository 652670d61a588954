"""Pay cases worked by hand: each test is a tiny timesheet, the rule it exercises, and the arithmetic.

Money in the comments is exact; the engine rounds each component once, half-up, per employee and
workweek (docs/formats.md §3). Week of 2025-02-02 is Sunday 02-02 .. Saturday 02-08 (no US holiday in it).
"""

from __future__ import annotations

import pytest

from conftest import lines_by_week, only_line

WEEKLY_40 = """
[overtime]
weekly_hours = 40
multiplier = 1.5
"""


def money_keys(line: dict) -> dict:
    """The line without hours/ids, for compact comparisons."""
    return {k: v for k, v in line.items() if k not in ("employee_id", "week_start")}


# ---------------------------------------------------------------------------------------------
# 1. DOL Fact Sheet #54 (health care industry and calculating overtime pay, rev. July 2009)
# ---------------------------------------------------------------------------------------------

def test_fs54_single_shift_differential(files):
    # FS54 "Single Shift Differential": a personal care assistant paid $8/h works three 8-hour day
    # shifts and three 8-hour evening shifts with a $1/h evening differential; 40-hour workweek.
    #   straight time: 48 h x $8 = $384 + 24 h x $1 = $24  -> $408
    #   regular rate = $408 / 48 = $8.50; half-time = $4.25; 8 OT hours x $4.25 = $34.00
    #   total = $408 + $34 = $442.00  (FS54: 40 x $8.50 + 8 x $12.75 = $340 + $102)
    run = files.pay(
        """
        employee_id,start,end,rate
        PCA,2025-02-03 07:00,2025-02-03 15:00,8
        PCA,2025-02-04 07:00,2025-02-04 15:00,8
        PCA,2025-02-05 07:00,2025-02-05 15:00,8
        PCA,2025-02-06 15:00,2025-02-06 23:00,8
        PCA,2025-02-07 15:00,2025-02-07 23:00,8
        PCA,2025-02-08 15:00,2025-02-08 23:00,8
        """,
        WEEKLY_40 + """
        [[differential]]
        name = "evening"
        start = "15:00"
        end = "23:00"
        per_hour = 1.00
        """,
    )
    assert run.problems == []
    assert only_line(run) == {
        "employee_id": "PCA", "week_start": "2025-02-02",
        "hours_worked": 48.0, "on_call_hours": 0.0, "overtime_hours": 8.0,
        "base_pay": 384.0, "differential_pay": {"evening": 24.0},
        "holiday_premium": 0.0, "standby_pay": 0.0, "callback_premium": 0.0,
        "overtime_premium": 34.0, "regular_rate": 8.5, "gross_pay": 442.0,
    }


def test_fs54_two_different_shift_differentials(files):
    # FS54 "Two Different Shift Differentials": RNs at a skilled nursing facility, basic rate $22/h,
    # $1/h evening differential; some days are 16-hour doubles (Wed and Fri of week 1, Wed of
    # week 2), so the employer paid "overtime" on those days at 1.5 x $22. Under the 40-hour
    # workweek the FLSA owes time-and-a-half of the *regular rate*, which includes both
    # differentials. The exact shift pattern below is our reconstruction (night differential
    # $2/h); it reproduces the fact sheet's two weekly totals.
    #   week 1 rows: Mon 15-23, Tue 15-23, Wed 07-23 (a double: 8 day + 8 evening),
    #                Fri 15:00 - Sat 07:00 (a double: 8 evening + 8 night)
    #           48 h; base 48 x $22 = $1,056; evening 32 h x $1 = $32; night 8 h x $2 = $16
    #           regular rate = ($1,056 + $48) / 48 = $1,104 / 48 = $23.00
    #           OT premium = 0.5 x $23.00 x 8 = $92.00; total = $1,104 + $92 = $1,196.00
    #   week 2 rows: Mon 07-15, Tue 07-15, Wed 15:00 - Thu 07:00 (double), Thu 15-23
    #           40 h; base $880; evening 16 h x $1 = $16; night 8 h x $2 = $16
    #           40 h: no weekly overtime; total = $880 + $32 = $912.00
    run = files.pay(
        """
        employee_id,start,end,rate
        RN,2025-02-03 15:00,2025-02-03 23:00,22
        RN,2025-02-04 15:00,2025-02-04 23:00,22
        RN,2025-02-05 07:00,2025-02-05 23:00,22
        RN,2025-02-07 15:00,2025-02-08 07:00,22
        RN,2025-02-10 07:00,2025-02-10 15:00,22
        RN,2025-02-11 07:00,2025-02-11 15:00,22
        RN,2025-02-12 15:00,2025-02-13 07:00,22
        RN,2025-02-13 15:00,2025-02-13 23:00,22
        """,
        WEEKLY_40 + """
        [[differential]]
        name = "evening"
        start = "15:00"
        end = "23:00"
        per_hour = 1.00
        group = "shift"

        [[differential]]
        name = "night"
        start = "23:00"
        end = "07:00"
        per_hour = 2.00
        group = "shift"
        """,
    )
    weeks = lines_by_week(run)
    w1, w2 = weeks[("RN", "2025-02-02")], weeks[("RN", "2025-02-09")]
    assert (w1["hours_worked"], w1["overtime_hours"]) == (48.0, 8.0)
    assert w1["differential_pay"] == {"evening": 32.0, "night": 16.0}
    assert (w1["base_pay"], w1["regular_rate"], w1["overtime_premium"], w1["gross_pay"]) == (1056.0, 23.0, 92.0, 1196.0)
    assert (w2["hours_worked"], w2["overtime_hours"]) == (40.0, 0.0)
    assert w2["differential_pay"] == {"evening": 16.0, "night": 16.0}
    assert (w2["base_pay"], w2["overtime_premium"], w2["gross_pay"]) == (880.0, 0.0, 912.0)


def test_fs54_two_jobs_weighted_average(files):
    # FS54 "Employees Working Two Jobs" (29 CFR 778.115): 40 h at $11 and 16 h at $8 in one week.
    #   straight time: 40 x $11 + 16 x $8 = $440 + $128 = $568; 56 h worked
    #   regular rate = $568 / 56 = $10.142857...; OT premium = 0.5 x $568/56 x 16 = $81.142857 -> $81.14
    #   total = $568 + $81.14 = $649.14
    run = files.pay(
        """
        employee_id,start,end,rate
        AIDE,2025-02-02 08:00,2025-02-02 16:00,11
        AIDE,2025-02-03 08:00,2025-02-03 16:00,11
        AIDE,2025-02-04 08:00,2025-02-04 16:00,11
        AIDE,2025-02-05 08:00,2025-02-05 16:00,11
        AIDE,2025-02-06 08:00,2025-02-06 16:00,11
        AIDE,2025-02-07 08:00,2025-02-07 16:00,8
        AIDE,2025-02-08 08:00,2025-02-08 16:00,8
        """,
        WEEKLY_40,
    )
    line = only_line(run)
    assert (line["hours_worked"], line["overtime_hours"], line["base_pay"]) == (56.0, 16.0, 568.0)
    assert line["regular_rate"] == 10.1429
    assert (line["overtime_premium"], line["gross_pay"]) == (81.14, 649.14)


# ---------------------------------------------------------------------------------------------
# 2-3. On call (29 CFR 778.223, 785.17) and call-back (778.221)
# ---------------------------------------------------------------------------------------------

ON_CALL = WEEKLY_40 + """
[on_call]
standby_per_hour = 3.00
callback_multiplier = 1.5
callback_minimum_hours = 2
"""

FIVE_DAYS_40H = """
OC,2025-02-03 08:00,2025-02-03 16:00,work,20
OC,2025-02-04 08:00,2025-02-04 16:00,work,20
OC,2025-02-05 08:00,2025-02-05 16:00,work,20
OC,2025-02-06 08:00,2025-02-06 16:00,work,20
OC,2025-02-07 08:00,2025-02-07 16:00,work,20
"""


def test_standby_pay_is_in_the_regular_rate(files):
    # 29 CFR 778.223: pay for on-call time that is not hours worked is still part of the regular
    # rate. 40 h work + 5 h more on Saturday at $20; on call Saturday 14:00-Sunday 02:00 = 12 h x $3.
    #   base 45 x $20 = $900; standby 12 x $3 = $36 (on-call hours are not hours worked)
    #   regular rate = ($900 + $36) / 45 = $20.80
    #   OT premium = 0.5 x $20.80 x 5 = $52.00; gross = $900 + $36 + $52 = $988.00
    run = files.pay(
        "employee_id,start,end,kind,rate\n" + FIVE_DAYS_40H.strip() + """
        OC,2025-02-08 08:00,2025-02-08 13:00,work,20
        OC,2025-02-08 14:00,2025-02-09 02:00,on_call,20
        """.replace("        ", ""),
        ON_CALL,
    )
    weeks = lines_by_week(run)
    w1 = weeks[("OC", "2025-02-02")]
    # 10 of the 12 on-call hours fall on Saturday (week 1), 2 on Sunday (week 2)
    assert (w1["hours_worked"], w1["on_call_hours"], w1["overtime_hours"]) == (45.0, 10.0, 5.0)
    # week 1 standby 10 x $3 = $30; RR = ($900 + $30) / 45 = $20.6667; premium 0.5 x 930/45 x 5 = $51.67
    assert (w1["standby_pay"], w1["regular_rate"], w1["overtime_premium"]) == (30.0, 20.6667, 51.67)
    assert w1["gross_pay"] == 900.0 + 30.0 + 51.67
    w2 = weeks[("OC", "2025-02-09")]
    assert (w2["hours_worked"], w2["on_call_hours"], w2["standby_pay"], w2["gross_pay"]) == (0.0, 2.0, 6.0, 6.0)


def test_standby_pay_regular_rate_within_one_week(files):
    # Same as above with the on-call period inside the week (Sat 14:00-23:00 = 9 h... use 12 h
    # Friday 18:00 - Saturday 06:00 so all of it is in week 1):
    #   base: 40 h Mon-Fri + Sat 08:00-13:00 5 h = 45 h x $20 = $900; standby 12 h x $3 = $36
    #   regular rate = $936 / 45 = $20.80; OT premium = 0.5 x $20.80 x 5 = $52.00
    #   gross = $900 + $36 + $52 = $988.00
    run = files.pay(
        "employee_id,start,end,kind,rate\n" + FIVE_DAYS_40H.strip() + """
        OC,2025-02-07 18:00,2025-02-08 06:00,on_call,20
        OC,2025-02-08 08:00,2025-02-08 13:00,work,20
        """.replace("        ", ""),
        ON_CALL,
    )
    line = only_line(run)
    assert (line["hours_worked"], line["on_call_hours"], line["overtime_hours"]) == (45.0, 12.0, 5.0)
    assert (line["base_pay"], line["standby_pay"]) == (900.0, 36.0)
    assert line["regular_rate"] == 20.8  # ($900 + $36) / 45, not $20
    assert (line["overtime_premium"], line["gross_pay"]) == (52.0, 988.0)


def test_callback_under_its_minimum_and_excluded_from_regular_rate(files):
    # A 45-minute call-back during an on-call night, minimum 2 h at 1.5x; the employee also
    # works 40 h that week, so the call-back's 0.75 h are overtime.
    #   callback premium = 1.5 x $20 x 2 h - $20 x 0.75 h = $60 - $15 = $45.00 (778.221: excluded)
    #   base = 40.75 h x $20 = $815; standby Mon 17:00 - Tue 07:00 = 14 h x $3 = $42
    #   regular rate = ($815 + $42) / 40.75 = $857 / 40.75 = $21.030675 -> shown 21.0307
    #   OT premium = 0.5 x 857/40.75 x 0.75 = $7.886503 -> $7.89
    #     (were the $45 wrongly in the regular rate: 0.5 x 902/40.75 x 0.75 = $8.30)
    #   gross = $815 + $42 + $45 + $7.89 = $909.89
    run = files.pay(
        "employee_id,start,end,kind,rate\n" + FIVE_DAYS_40H.strip() + """
        OC,2025-02-03 17:00,2025-02-04 07:00,on_call,20
        OC,2025-02-03 22:00,2025-02-03 22:45,callback,20
        """.replace("        ", ""),
        ON_CALL,
    )
    line = only_line(run)
    assert (line["hours_worked"], line["on_call_hours"], line["overtime_hours"]) == (40.75, 14.0, 0.75)
    assert (line["base_pay"], line["standby_pay"], line["callback_premium"]) == (815.0, 42.0, 45.0)
    assert line["regular_rate"] == 21.0307
    assert (line["overtime_premium"], line["gross_pay"]) == (7.89, 909.89)


def test_callback_over_its_minimum_and_booked_to_the_week_it_starts(files):
    # A 3-hour call-back Saturday 23:00 - Sunday 02:00 (minimum 2 h): premium on actual hours,
    #   1.5 x $20 x 3 - $20 x 3 = $30, all of it in the week the call-back starts (docs/formats.md §4);
    #   its hours are split at the week boundary: 1 h in week 1, 2 h in week 2.
    run = files.pay(
        """
        employee_id,start,end,kind,rate
        OC,2025-02-08 23:00,2025-02-09 02:00,callback,20
        """,
        ON_CALL,
    )
    weeks = lines_by_week(run)
    w1, w2 = weeks[("OC", "2025-02-02")], weeks[("OC", "2025-02-09")]
    assert (w1["hours_worked"], w1["base_pay"], w1["callback_premium"], w1["gross_pay"]) == (1.0, 20.0, 30.0, 50.0)
    assert (w2["hours_worked"], w2["base_pay"], w2["callback_premium"], w2["gross_pay"]) == (2.0, 40.0, 0.0, 40.0)


# ---------------------------------------------------------------------------------------------
# 4-5. Workweek boundary; daily and weekly overtime without double counting
# ---------------------------------------------------------------------------------------------

def test_shift_across_the_workweek_boundary(files):
    # Saturday 20:00 -> Sunday 04:00 with workweeks starting Sunday: 4 h in each week, one line each.
    run = files.pay(
        """
        employee_id,start,end,rate
        W,2025-02-08 20:00,2025-02-09 04:00,20
        """,
        '[workweek]\nstart_day = "sunday"\n' + WEEKLY_40,
    )
    weeks = lines_by_week(run)
    assert sorted(weeks) == [("W", "2025-02-02"), ("W", "2025-02-09")]
    for line in weeks.values():
        assert (line["hours_worked"], line["base_pay"], line["gross_pay"]) == (4.0, 80.0, 80.0)


def test_workweek_start_day_moves_the_boundary(files):
    # Same shift with workweeks starting Monday: all 8 h fall in the week of Monday 2025-02-03.
    run = files.pay(
        """
        employee_id,start,end,rate
        W,2025-02-08 20:00,2025-02-09 04:00,20
        """,
        '[workweek]\nstart_day = "monday"\n' + WEEKLY_40,
    )
    line = only_line(run)
    assert (line["week_start"], line["hours_worked"]) == ("2025-02-03", 8.0)


DAILY_8_WEEKLY_40 = """
[overtime]
weekly_hours = 40
daily_hours = 8
multiplier = 1.5
"""


def test_daily_overtime_five_ten_hour_days(files):
    # 5 x 10 h, daily 8, weekly 40: daily OT = 5 x 2 = 10 h; straight-time hours = 40, so no weekly
    # OT on top (not double counted). OT premium = 0.5 x $20 x 10 = $100; gross = $1,000 + $100.
    rows = "\n".join(f"D,2025-02-0{d} 06:00,2025-02-0{d} 16:00,20" for d in range(3, 8))
    run = files.pay("employee_id,start,end,rate\n" + rows + "\n", DAILY_8_WEEKLY_40)
    line = only_line(run)
    assert (line["hours_worked"], line["overtime_hours"]) == (50.0, 10.0)
    assert (line["base_pay"], line["overtime_premium"], line["gross_pay"]) == (1000.0, 100.0, 1100.0)


def test_daily_and_weekly_overtime_add_without_double_counting(files):
    # 5 x 10 h + Saturday 6 h = 56 h: daily OT 10 h; straight-time hours 46 -> weekly OT 6 h.
    #   overtime = 10 + 6 = 16 h (not 10 + 16); premium = 0.5 x $20 x 16 = $160; gross $1,280
    rows = [f"D,2025-02-0{d} 06:00,2025-02-0{d} 16:00,20" for d in range(3, 8)]
    rows.append("D,2025-02-08 06:00,2025-02-08 12:00,20")
    run = files.pay("employee_id,start,end,rate\n" + "\n".join(rows) + "\n", DAILY_8_WEEKLY_40)
    line = only_line(run)
    assert (line["hours_worked"], line["overtime_hours"]) == (56.0, 16.0)
    assert (line["overtime_premium"], line["gross_pay"]) == (160.0, 1280.0)


def test_daily_overtime_of_a_workday_belongs_to_the_week_it_falls_in(files):
    # Workday Saturday: 18:00 -> Sunday 06:00 = 12 h, daily 8: its last 4 h (Sun 02:00-06:00) are
    # daily OT and fall in week 2. Week 1: 6 h, no OT. Week 2: 6 h of which 4 daily OT:
    #   premium = 0.5 x $20 x 4 = $40.
    run = files.pay(
        """
        employee_id,start,end,rate
        D,2025-02-08 18:00,2025-02-09 06:00,20
        """,
        DAILY_8_WEEKLY_40,
    )
    weeks = lines_by_week(run)
    w1, w2 = weeks[("D", "2025-02-02")], weeks[("D", "2025-02-09")]
    assert (w1["hours_worked"], w1["overtime_hours"], w1["overtime_premium"]) == (6.0, 0.0, 0.0)
    assert (w2["hours_worked"], w2["overtime_hours"], w2["overtime_premium"]) == (6.0, 4.0, 40.0)


def test_workday_is_every_shift_that_starts_that_day(files):
    # Two shifts starting Monday (06:00-11:00 and 14:00-19:00) are one workday of 10 h: the
    # *last* 2 h (17:00-19:00) are daily OT. A shift starting 23:00 the same day (23:00-01:00)
    # adds 2 more daily OT hours, half of which fall on Tuesday's date but stay Monday's workday.
    run = files.pay(
        """
        employee_id,start,end,rate
        D,2025-02-03 06:00,2025-02-03 11:00,20
        D,2025-02-03 14:00,2025-02-03 19:00,20
        D,2025-02-03 23:00,2025-02-04 01:00,20
        D,2025-02-04 08:00,2025-02-04 12:00,20
        """,
        DAILY_8_WEEKLY_40,
    )
    line = only_line(run)
    # 12 h Monday workday -> 4 daily OT; Tuesday workday 4 h -> none. premium 0.5 x 20 x 4 = $40
    assert (line["hours_worked"], line["overtime_hours"], line["overtime_premium"]) == (16.0, 4.0, 40.0)
    audit = run.result.segments
    ot_rows = sorted(set(audit.loc[audit["daily_ot"] > 0, "row"]))
    assert ot_rows == [2, 3]


# ---------------------------------------------------------------------------------------------
# 6. Holidays (29 CFR 778.203, 778.219)
# ---------------------------------------------------------------------------------------------

def test_holiday_premium_us_calendar_and_extra_date(files):
    # Week of Sun 2025-06-29: Mon-Fri 8 h (Fri 07-04 is Independence Day) + Sat 4 h = 44 h at $20.
    #   holiday premium = (1.5 - 1) x $20 x 8 = $80, excluded from the regular rate
    #   regular rate = $880 / 44 = $20.00 (not ($880 + $80)/44); OT premium = 0.5 x $20 x 4 = $40
    #   gross = $880 + $80 + $40 = $1,000
    # Monday 2025-07-07 is an extra policy date: 8 h -> premium $80, gross $240.
    rows = ["H,2025-06-30 08:00,2025-06-30 16:00,20"]
    rows += [f"H,2025-07-0{d} 08:00,2025-07-0{d} 16:00,20" for d in range(1, 5)]
    rows += ["H,2025-07-05 08:00,2025-07-05 12:00,20", "H,2025-07-07 08:00,2025-07-07 16:00,20"]
    run = files.pay(
        "employee_id,start,end,rate\n" + "\n".join(rows) + "\n",
        WEEKLY_40 + """
        [holiday]
        country = "US"
        dates = ["2025-07-07"]
        multiplier = 1.5
        """,
    )
    weeks = lines_by_week(run)
    w1 = weeks[("H", "2025-06-29")]
    assert (w1["hours_worked"], w1["holiday_premium"], w1["regular_rate"]) == (44.0, 80.0, 20.0)
    assert (w1["overtime_premium"], w1["gross_pay"]) == (40.0, 1000.0)
    w2 = weeks[("H", "2025-07-06")]
    assert (w2["holiday_premium"], w2["gross_pay"]) == (80.0, 240.0)


@pytest.mark.parametrize("observed, premium", [(True, 80.0), (False, 0.0)])
def test_holiday_observed_day(files, observed, premium):
    # 2026-07-04 is a Saturday; the holidays package gives Friday 2026-07-03 as "observed".
    run = files.pay(
        """
        employee_id,start,end,rate
        H,2026-07-03 08:00,2026-07-03 16:00,20
        """,
        f'[holiday]\ncountry = "US"\nobserved = {str(observed).lower()}\n',
    )
    assert only_line(run)["holiday_premium"] == premium


def test_holiday_premium_by_the_minute_across_midnight(files):
    # 2025-07-03 20:00 -> 07-04 04:00 at $20: only the 4 h on 07-04 earn (2 - 1) x $20 = $80.
    run = files.pay(
        """
        employee_id,start,end,rate
        H,2025-07-03 20:00,2025-07-04 04:00,20
        """,
        '[holiday]\ncountry = "US"\nmultiplier = 2\n',
    )
    assert only_line(run)["holiday_premium"] == 80.0


# ---------------------------------------------------------------------------------------------
# 7. Daylight saving time
# ---------------------------------------------------------------------------------------------

NEW_YORK = 'timezone = "America/New_York"\n'


def test_dst_spring_forward_night_is_seven_real_hours(files):
    # Sat 2025-03-08 22:00 -> Sun 03-09 06:00 EST->EDT: 2 h on Saturday (week of 03-02) and
    # 00:00-06:00 on Sunday minus the skipped hour = 5 h (week of 03-09): 7 real hours.
    run = files.pay(
        """
        employee_id,start,end,rate
        N,2025-03-08 22:00,2025-03-09 06:00,20
        """,
        NEW_YORK,
    )
    weeks = lines_by_week(run)
    assert weeks[("N", "2025-03-02")]["hours_worked"] == 2.0
    assert weeks[("N", "2025-03-09")]["hours_worked"] == 5.0
    assert run.report["totals"] == {"hours_worked": 7.0, "gross_pay": 140.0}


def test_dst_fall_back_night_is_nine_real_hours(files):
    # Sat 2025-11-01 22:00 -> Sun 11-02 06:00 EDT->EST: 2 h + 7 h (01:00-02:00 happens twice) = 9 h.
    run = files.pay(
        """
        employee_id,start,end,rate
        N,2025-11-01 22:00,2025-11-02 06:00,20
        """,
        NEW_YORK,
    )
    weeks = lines_by_week(run)
    assert weeks[("N", "2025-10-26")]["hours_worked"] == 2.0
    assert weeks[("N", "2025-11-02")]["hours_worked"] == 7.0
    assert run.report["totals"] == {"hours_worked": 9.0, "gross_pay": 180.0}


def test_dst_nonexistent_start_is_rejected(files):
    run = files.pay(
        """
        employee_id,start,end,rate
        N,2025-03-09 02:30,2025-03-09 06:00,20
        N,2025-03-10 08:00,2025-03-10 16:00,20
        """,
        NEW_YORK,
    )
    assert [(p.row, p.column) for p in run.problems] == [(1, "start")]
    assert run.report["totals"]["hours_worked"] == 8.0  # the other row is still paid


def test_dst_ambiguous_time_is_its_first_occurrence(files):
    # 2025-11-02 01:30 happens twice; taken as the first (EDT): 01:30 EDT -> 03:00 EST = 2.5 real h.
    run = files.pay(
        """
        employee_id,start,end,rate
        N,2025-11-02 01:30,2025-11-02 03:00,20
        """,
        NEW_YORK,
    )
    assert only_line(run)["hours_worked"] == 2.5


@pytest.mark.parametrize("start, end", [("2025-03-08 22:00", "2025-03-09 06:00"),
                                        ("2025-11-01 22:00", "2025-11-02 06:00")])
def test_without_timezone_wall_clock_hours_count(files, start, end):
    run = files.pay(f"employee_id,start,end,rate\nN,{start},{end},20\n", "")
    assert run.report["totals"]["hours_worked"] == 8.0


def test_dst_night_differential_window_follows_real_time(files):
    # Night differential 23:00-07:00 $2/h on the fall-back night: the window itself is 9 real h,
    # so a shift 22:00 -> 08:00 (11 real h) earns 9 h x $2 = $18.
    run = files.pay(
        """
        employee_id,start,end,rate
        N,2025-11-01 22:00,2025-11-02 08:00,20
        """,
        NEW_YORK + """
        [[differential]]
        name = "night"
        start = "23:00"
        end = "07:00"
        per_hour = 2
        """,
    )
    assert run.report["totals"]["hours_worked"] == 11.0
    diff = sum(ln["differential_pay"]["night"] for ln in run.report["lines"])
    assert diff == 18.0


# ---------------------------------------------------------------------------------------------
# 8. Percent differentials and groups
# ---------------------------------------------------------------------------------------------

def test_percent_differential_group_max_and_stacking_groups(files):
    # Saturday 2025-02-08 20:00 -> Sunday 02:00 at $20/h.
    #   evening 15:00-23:00 10% = $2.00/h, night 22:00-06:00 $3.00/h, both in group "shift":
    #     20:00-22:00 evening only: 2 h x $2 = $4; 22:00-23:00 both -> only the higher (night $3);
    #     23:00-02:00 night: so night = 4 h x $3 = $12 (week 1: 22-24 = $6, week 2: 00-02 = $6)
    #   weekend (own group) 5% = $1/h on every hour (Sat and Sun): stacks: 6 h x $1 = $6
    #   week 1: base 4 x 20 = 80, evening 4, night 6, weekend 4 -> gross $94; RR = 94/4 = 23.50
    #   week 2: base 2 x 20 = 40, night 6, weekend 2 -> gross $48; RR = 48/2 = 24.00
    run = files.pay(
        """
        employee_id,start,end,rate
        P,2025-02-08 20:00,2025-02-09 02:00,20
        """,
        """
        [[differential]]
        name = "evening"
        start = "15:00"
        end = "23:00"
        percent = 10
        group = "shift"

        [[differential]]
        name = "night"
        start = "22:00"
        end = "06:00"
        per_hour = 3
        group = "shift"

        [[differential]]
        name = "weekend"
        days = ["sat", "sun"]
        percent = 5
        """,
    )
    weeks = lines_by_week(run)
    w1, w2 = weeks[("P", "2025-02-02")], weeks[("P", "2025-02-09")]
    assert w1["differential_pay"] == {"evening": 4.0, "night": 6.0, "weekend": 4.0}
    assert (w1["gross_pay"], w1["regular_rate"]) == (94.0, 23.5)
    assert w2["differential_pay"] == {"evening": 0.0, "night": 6.0, "weekend": 2.0}
    assert (w2["gross_pay"], w2["regular_rate"]) == (48.0, 24.0)


def test_percent_differential_follows_each_rows_base_rate(files):
    # 10% night differential on two rates: 8 h at $20 -> $16; 8 h at $30 -> $24. Total $40.
    run = files.pay(
        """
        employee_id,start,end,rate
        P,2025-02-03 23:00,2025-02-04 07:00,20
        P,2025-02-04 23:00,2025-02-05 07:00,30
        """,
        '[[differential]]\nname = "night"\nstart = "23:00"\nend = "07:00"\npercent = 10\n',
    )
    assert only_line(run)["differential_pay"] == {"night": 40.0}


def test_differential_days_are_the_days_a_window_starts(files):
    # Night 23:00-07:00 on days = ["fri"]: Friday 23:00 -> Saturday 07:00 is paid (8 h x $2 = $16);
    # Thursday 23:00 -> Friday 07:00 is not (its window starts Thursday).
    run = files.pay(
        """
        employee_id,start,end,rate
        P,2025-02-06 23:00,2025-02-07 07:00,20
        P,2025-02-07 23:00,2025-02-08 07:00,20
        """,
        '[[differential]]\nname = "night"\nstart = "23:00"\nend = "07:00"\ndays = ["fri"]\nper_hour = 2\n',
    )
    assert only_line(run)["differential_pay"] == {"night": 16.0}


# ---------------------------------------------------------------------------------------------
# 9. basis = "base_rate"
# ---------------------------------------------------------------------------------------------

def test_overtime_on_base_rate_with_two_rates(files):
    # FS54's two-jobs week paid on the base rate (a contract choice; the FLSA minimum is the
    # regular rate): the OT hours are the week's last 16 h, worked at $8:
    #   premium = 0.5 x $8 x 16 = $64 (vs $81.14 on the regular rate); gross = $568 + $64 = $632
    rows = [f"B,2025-02-0{d} 08:00,2025-02-0{d} 16:00,11" for d in range(2, 7)]
    rows += [f"B,2025-02-0{d} 08:00,2025-02-0{d} 16:00,8" for d in (7, 8)]
    run = files.pay("employee_id,start,end,rate\n" + "\n".join(rows) + "\n",
                    '[overtime]\nweekly_hours = 40\nbasis = "base_rate"\n')
    line = only_line(run)
    assert (line["overtime_hours"], line["overtime_premium"], line["gross_pay"]) == (16.0, 64.0, 632.0)


def test_overtime_on_base_rate_ignores_differentials(files):
    # 44 h at $20 with a $2 evening differential on the last 4 h: base-rate basis
    #   premium = 0.5 x $20 x 4 = $40 (the regular-rate basis would be 0.5 x (880 + 8)/44 x 4 = $40.36)
    rows = [f"B,2025-02-0{d} 07:00,2025-02-0{d} 15:00,20" for d in range(3, 8)]
    rows.append("B,2025-02-08 15:00,2025-02-08 19:00,20")
    policy = '[[differential]]\nname = "evening"\nstart = "15:00"\nend = "23:00"\nper_hour = 2\n'
    base = files.pay("employee_id,start,end,rate\n" + "\n".join(rows) + "\n",
                     '[overtime]\nbasis = "base_rate"\n' + policy)
    regular = files.pay("employee_id,start,end,rate\n" + "\n".join(rows) + "\n", "[overtime]\n" + policy)
    assert only_line(base)["overtime_premium"] == 40.0
    assert only_line(regular)["overtime_premium"] == 40.36


# ---------------------------------------------------------------------------------------------
# 10. 8-and-80 (FLSA 7(j), 29 CFR 778.601)
# ---------------------------------------------------------------------------------------------

EIGHT_AND_EIGHTY = """
[overtime]
system = "8_and_80"
period_start = 2025-02-02
"""


def test_eight_and_eighty_needs_a_hospital(files):
    from peerpay.errors import InputError

    with pytest.raises(InputError, match="establishment"):
        files.pay("employee_id,start,end,rate\nE,2025-02-03 08:00,2025-02-03 16:00,20\n", EIGHT_AND_EIGHTY)


def test_eight_and_eighty_worked_period(files):
    # 14-day period Sun 2025-02-02 .. Sat 02-15, $20/h, evening differential $2/h 15:00-23:00.
    #   ten weekdays 07:00-15:00 = 8 h, except Wed 02-05 07:00-19:00 = 12 h (4 h evening);
    #   Saturday 02-08 07:00-13:00 = 6 h. Hours = 9 x 8 + 12 + 6 = 90.
    #   daily OT (> 8 in a workday): 4 h (Wed). Period straight-time hours 86 -> 6 h beyond 80.
    #   overtime = 4 + 6 = 10 h. Regular rate over the whole period = ($1,800 + $8) / 90 = $20.0889
    #   premium = 0.5 x 1808/90 x 10 = $100.444 -> $100.44; gross = 1800 + 8 + 100.44 = $1,908.44
    # (Under a weekly system week 1 would be 50 h with 10 h OT, week 2 40 h with none.)
    import datetime as dt

    rows = []
    for i in range(14):
        day = dt.date(2025, 2, 2) + dt.timedelta(days=i)
        if day.weekday() < 5:
            end = "19:00" if day == dt.date(2025, 2, 5) else "15:00"
            rows.append(f"E,{day} 07:00,{day} {end},20")
    rows.append("E,2025-02-08 07:00,2025-02-08 13:00,20")
    run = files.pay(
        "employee_id,start,end,rate\n" + "\n".join(rows) + "\n",
        'establishment = "hospital"\n' + EIGHT_AND_EIGHTY
        + '[[differential]]\nname = "evening"\nstart = "15:00"\nend = "23:00"\nper_hour = 2\n',
    )
    line = only_line(run)
    assert line["week_start"] == "2025-02-02"  # the period's first date
    assert (line["hours_worked"], line["overtime_hours"]) == (90.0, 10.0)
    assert (line["base_pay"], line["differential_pay"]) == (1800.0, {"evening": 8.0})
    assert line["regular_rate"] == 20.0889
    assert (line["overtime_premium"], line["gross_pay"]) == (100.44, 1908.44)


def test_eight_and_eighty_periods_follow_period_start(files):
    # period_start 2025-02-02: 02-16 begins the next period; 02-15 is still in the first.
    run = files.pay(
        """
        employee_id,start,end,rate
        E,2025-02-15 08:00,2025-02-15 16:00,20
        E,2025-02-16 08:00,2025-02-16 16:00,20
        """,
        'establishment = "residential_care"\n' + EIGHT_AND_EIGHTY,
    )
    assert sorted(lines_by_week(run)) == [("E", "2025-02-02"), ("E", "2025-02-16")]


# ---------------------------------------------------------------------------------------------
# 11. Differential eligibility and minimum shift
# ---------------------------------------------------------------------------------------------

ELIGIBILITY_SHIFTS = """
employee_id,start,end,rate
A,2025-02-03 12:00,2025-02-03 20:00,20
B,2025-02-03 16:00,2025-02-03 22:00,20
C,2025-02-03 14:00,2025-02-03 17:00,20
"""


@pytest.mark.parametrize(
    "rule, expected",
    [
        # A 12-20: 5 of 8 h in 15-23; B 16-22: 6 of 6; C 14-17: 2 of 3. Evening $2/h.
        ('eligibility = "minutes"', {"A": 10.0, "B": 12.0, "C": 4.0}),  # by the minute: 5, 6, 2 h
        ('eligibility = "majority"', {"A": 16.0, "B": 12.0, "C": 6.0}),  # whole shift if > half inside
        ('eligibility = "start"', {"A": 0.0, "B": 12.0, "C": 0.0}),  # whole shift if it starts inside
        ('eligibility = "min_hours_in_window"\nmin_hours = 3', {"A": 16.0, "B": 12.0, "C": 0.0}),
    ],
)
def test_differential_eligibility(files, rule, expected):
    run = files.pay(
        ELIGIBILITY_SHIFTS,
        f'[[differential]]\nname = "evening"\nstart = "15:00"\nend = "23:00"\nper_hour = 2\n{rule}\n',
    )
    got = {ln["employee_id"]: ln["differential_pay"]["evening"] for ln in run.report["lines"]}
    assert got == expected


def test_minimum_shift_pay_is_reported_and_excluded_from_regular_rate(files):
    # A 2 h shift with a 4 h minimum: 2 h not worked x $20 = $40 reporting pay (29 CFR 778.220).
    # 40 h besides, so 2 OT hours: RR = $840 / 42 = $20 (the $40 is not in it); premium $20.
    rows = [f"M,2025-02-0{d} 08:00,2025-02-0{d} 16:00,20" for d in range(3, 8)]
    rows.append("M,2025-02-08 08:00,2025-02-08 10:00,20")
    run = files.pay("employee_id,start,end,rate\n" + "\n".join(rows) + "\n",
                    WEEKLY_40 + "[minimum_shift]\nhours = 4\n")
    line = only_line(run)
    assert (line["hours_worked"], line["minimum_shift_pay"], line["regular_rate"]) == (42.0, 40.0, 20.0)
    assert (line["overtime_premium"], line["gross_pay"]) == (20.0, 840.0 + 40.0 + 20.0)
    assert list(line)[-4:] == ["minimum_shift_pay", "overtime_premium", "regular_rate", "gross_pay"]


def test_minimum_shift_key_absent_without_the_rule(files):
    run = files.pay("employee_id,start,end,rate\nM,2025-02-03 08:00,2025-02-03 10:00,20\n", "")
    assert "minimum_shift_pay" not in only_line(run)


# ---------------------------------------------------------------------------------------------
# 12. Roster + wage schedule
# ---------------------------------------------------------------------------------------------

ROSTER = """
employee_id,name,role,step
R1,Alex Example,peer_specialist,1
R2,Blair Example,case_manager,2
R3,Casey Example,peer_specialist,1
R4,Drew Example,peer_specialist,1
"""

SCHEDULE = """
role,step,hourly_rate,annual_salary,effective_date
peer_specialist,1,20.00,,2025-01-01
peer_specialist,1,21.00,,2025-02-12
case_manager,2,,45000,
rn,1,40.00,,
"""


def test_rates_from_roster_and_schedule(files):
    run = files.pay(
        """
        employee_id,start,end,role,rate
        R1,2025-02-10 08:00,2025-02-10 16:00,,
        R1,2025-02-12 08:00,2025-02-12 16:00,,
        R2,2025-02-10 08:00,2025-02-10 16:00,,
        R3,2025-02-10 08:00,2025-02-10 16:00,,25.50
        R4,2025-02-10 08:00,2025-02-10 16:00,rn,
        """,
        "",
        roster=ROSTER,
        schedule=SCHEDULE,
    )
    assert run.problems == []
    got = {ln["employee_id"]: ln["base_pay"] for ln in run.report["lines"]}
    assert got == {
        # raise effective Wed 02-12: Mon 8 x $20 + Wed 8 x $21 = $160 + $168
        "R1": 328.0,
        # $45,000 / 2080 = $21.634615 -> $21.6346/h (4 places); 8 h = $173.0768 -> $173.08
        "R2": 173.08,
        # the timesheet's rate overrides the schedule: 8 x $25.50
        "R3": 204.0,
        # the timesheet's role (rn) overrides the roster's: 8 x $40
        "R4": 320.0,
    }
    assert {ln["employee_id"]: ln["regular_rate"] for ln in run.report["lines"]}["R1"] == 20.5


def test_schedule_rate_before_any_effective_date_is_a_rejection(files):
    run = files.pay(
        "employee_id,start,end\nR1,2024-12-31 08:00,2024-12-31 16:00\n",
        "",
        roster=ROSTER,
        schedule=SCHEDULE,
    )
    assert [(p.row, p.column) for p in run.problems] == [(1, "employee_id")]
    assert "no schedule rate for role 'peer_specialist' step 1 on 2024-12-31" in run.problems[0].reason


def test_unknown_employee_with_a_roster_is_rejected(files):
    run = files.pay(
        "employee_id,start,end,rate\nNOPE,2025-02-10 08:00,2025-02-10 16:00,20\nR1,2025-02-10 08:00,2025-02-10 16:00,\n",
        "",
        roster=ROSTER,
        schedule=SCHEDULE,
    )
    assert [(p.row, p.column) for p in run.problems] == [(1, "employee_id")]
    assert only_line(run)["employee_id"] == "R1"
