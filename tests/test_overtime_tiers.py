"""Overtime tiers and state presets, worked by hand (docs/pay-rules.md §4, issue 26).

Every case is a tiny timesheet, the state rule it exercises and the arithmetic. Workweek of
2025-02-02: Sunday 02-02 .. Saturday 02-08 (no US holiday in it). Money is exact; the premium is
one exact sum over tiers of (multiplier - 1) x regular rate x hours, rounded once, half-up.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from conftest import lines_by_week, only_line
from peerpay.core.state_overtime import california_bonus_overtime, flat_bonus_overtime, overtime_minutes_by_multiplier
from peerpay.models.policy import loads_policy

CA = '[overtime]\nrules = "CA"\n'
HEADER = "employee_id,start,end,rate\n"


def week(*days: tuple[str, str, str], rate: str = "20", emp: str = "E1") -> str:
    """Rows of one employee: (date, from, to) with the date's day of February 2025."""
    return HEADER + "".join(f"{emp},2025-02-{d} {a},2025-02-{d if b > a else int(d) + 1:02} {b},{rate}\n" for d, a, b in days)


def tiers(line: dict) -> dict:
    return {k: v for k, v in line["overtime_hours_by_tier"].items() if v}


# ---------------------------------------------------------------------------------------------
# California (Lab. Code 510(a))
# ---------------------------------------------------------------------------------------------

def test_california_14_hour_shift_in_a_44_hour_week(files):
    # Mon 06:00-20:00 = 14 h: 8 straight, hours 9-12 at 1.5 (daily_8), hours 13-14 at 2.0 (daily_12).
    # Tue-Thu 8 h, Fri 6 h: 44 h in the week, of which 8 + 24 + 6 = 38 are straight time: the
    # weekly 40 counts only those, so there is no weekly overtime on top.
    #   base = 44 x $20 = $880.00; regular rate = $20
    #   premium = 4 h x 0.5 x $20 + 2 h x 1.0 x $20 = $40 + $40 = $80.00; gross = $960.00
    run = files.pay(week(("03", "06:00", "20:00"), ("04", "08:00", "16:00"), ("05", "08:00", "16:00"),
                         ("06", "08:00", "16:00"), ("07", "08:00", "14:00")), CA)
    line = only_line(run)
    assert (line["hours_worked"], line["overtime_hours"], line["double_time_hours"]) == (44.0, 6.0, 2.0)
    assert tiers(line) == {"daily_8": 4.0, "daily_12": 2.0}
    assert (line["base_pay"], line["overtime_premium"], line["gross_pay"]) == (880.0, 80.0, 960.0)


def test_seventh_consecutive_day_of_10_hours(files):
    # Sun-Fri 6 h each (36 h), Sat 10 h: seven consecutive days worked in one workweek.
    # The seventh day: its first 8 h at 1.5 (seventh_day), beyond 8 at 2.0 (seventh_day_8); its
    # daily_8 claim (2 h at 1.5) is the same 2 h, paid once at the higher 2.0. Straight hours:
    # 36 <= 40, so no weekly overtime.
    #   base = 46 x $20 = $920.00; premium = 8 x 0.5 x $20 + 2 x 1.0 x $20 = $80 + $40 = $120.00
    #   gross = $1,040.00
    days = [(f"{d:02}", "08:00", "14:00") for d in range(2, 8)] + [("08", "08:00", "18:00")]
    line = only_line(files.pay(week(*days), CA))
    assert (line["overtime_hours"], line["double_time_hours"]) == (10.0, 2.0)
    assert tiers(line) == {"seventh_day": 8.0, "seventh_day_8": 2.0}
    assert (line["overtime_premium"], line["gross_pay"]) == (120.0, 1040.0)


def test_seven_days_across_two_workweeks_are_not_a_seventh_day(files):
    # Wed 02-05 .. Tue 02-11: seven consecutive calendar days, but four in one workweek and three
    # in the next: "consecutive" is within the workweek (DLSE Manual section 48), so no premium.
    days = [(f"{d:02}", "08:00", "18:00") for d in range(5, 12)]
    lines = lines_by_week(files.pay(week(*days), CA))
    # each 10-hour day: 2 h daily_8 at 1.5 (7 days: 4 in the first week, 3 in the second)
    assert [tiers(ln) for ln in lines.values()] == [{"daily_8": 8.0}, {"daily_8": 6.0}]


def test_daily_and_weekly_overtime_are_counted_once(files):
    # Mon-Thu 10 h, Fri 8 h, Sat 4 h = 52 h on six days.
    #   daily_8: 2 h on each of Mon-Thu = 8 h at 1.5
    #   straight hours: 8 x 4 + 8 = 40 by Friday's end; Saturday's 4 h are beyond 40: weekly_40
    #   overtime hours = 8 + 4 = 12 (not 8 + 12 = 20: the weekly count leaves out daily overtime)
    #   premium = 12 x 0.5 x $20 = $120.00; gross = 52 x $20 + $120 = $1,160.00
    days = [(f"{d:02}", "08:00", "18:00") for d in range(3, 7)] + [("07", "08:00", "16:00"), ("08", "08:00", "12:00")]
    line = only_line(files.pay(week(*days), CA))
    assert tiers(line) == {"daily_8": 8.0, "weekly_40": 4.0}
    assert (line["overtime_hours"], line["overtime_premium"], line["gross_pay"]) == (12.0, 120.0, 1160.0)


def test_five_12_hour_days_pay_daily_overtime_only(files):
    # Mon-Fri 12 h = 60 h: daily_8 pays 4 h a day = 20 h; straight 5 x 8 = 40, so no weekly hour.
    # The federal count alone would also be 60 - 40 = 20 h: never 20 + 20.
    days = [(f"{d:02}", "07:00", "19:00") for d in range(3, 8)]
    line = only_line(files.pay(week(*days), CA))
    assert tiers(line) == {"daily_8": 20.0}
    assert line["overtime_premium"] == 200.0  # 20 h x 0.5 x $20


def test_double_time_on_a_regular_rate_with_a_night_differential(files):
    # Mon 18:00 - Tue 08:00 = 14 h, all one workday (it starts Monday); $2/h night 23:00-07:00 = 8 h.
    #   base = 14 x $20 = $280.00; night = 8 x $2 = $16.00
    #   regular rate = $296 / 14 = $21.142857...
    #   premium = (4 h x 0.5 + 2 h x 1.0) x $21.142857... = 4 x $21.142857... = $84.571... -> $84.57
    #   gross = $280.00 + $16.00 + $84.57 = $380.57
    policy = CA + '[[differential]]\nname = "night"\nstart = "23:00"\nend = "07:00"\nper_hour = 2\n'
    line = only_line(files.pay(week(("03", "18:00", "08:00")), policy))
    assert tiers(line) == {"daily_8": 4.0, "daily_12": 2.0}
    assert (line["regular_rate"], line["overtime_premium"], line["gross_pay"]) == (21.1429, 84.57, 380.57)


def test_alternative_workweek_4_10(files):
    # Lab. Code 511: a 4/10 schedule pays daily overtime after 10 h (not 8), double time after 12.
    #   Mon 11 h: 1 h at 1.5; Tue 13 h: 2 h at 1.5 (hours 11-12) and 1 h at 2.0; Wed, Thu 10 h.
    #   straight = 10 + 10 + 10 + 10 = 40: no weekly hour. premium = 3 x $10 + 1 x $20 = $50.00
    days = [("03", "07:00", "18:00"), ("04", "07:00", "20:00"), ("05", "07:00", "17:00"), ("06", "07:00", "17:00")]
    line = only_line(files.pay(week(*days), CA + "alternative_workweek_hours = 10\n"))
    assert tiers(line) == {"daily_10": 3.0, "daily_12": 1.0}
    assert line["overtime_premium"] == 50.0


def test_init_state_ca_tiers_pay_exactly_what_the_preset_pays(files):
    from peerpay.cli.init import starter_policy
    from peerpay.models.overtime import preset_toml

    written = starter_policy("CA")  # the preset written out as [[overtime.tier]] blocks
    assert 'state = "CA"' in written and 'citation = "Cal. Lab. Code 510(a)"' in written
    preset = written.replace(preset_toml("CA"), '[overtime]\nrules = "CA"\n')
    assert "[[overtime.tier]]" not in preset
    # Sun 10 h, Mon 14 h, Tue-Sat 10 h: seven days in the workweek.
    #   daily_8: 2 (Sun) + 4 (Mon) + 4 x 2 (Tue-Fri) = 14 h; daily_12: 2 h (Mon)
    #   Saturday, the seventh day: 8 h seventh_day, 2 h seventh_day_8 (its daily_8 hours are those 2 h)
    #   straight: 8 h on each of Sun-Fri = 48 h: 8 h beyond 40 (weekly_40); Saturday has none
    ts = week(("03", "06:00", "20:00"), *[(f"{d:02}", "08:00", "18:00") for d in (2, 4, 5, 6, 7, 8)])
    lines = files.pay(ts, written).report["lines"]
    assert lines == files.pay(ts, preset).report["lines"]
    assert tiers(lines[0]) == {"daily_8": 14.0, "daily_12": 2.0, "seventh_day": 8.0, "seventh_day_8": 2.0, "weekly_40": 8.0}


# ---------------------------------------------------------------------------------------------
# Nevada (NRS 608.018), Colorado (COMPS Rule 4.1.1), Alaska (AS 23.10.060)
# ---------------------------------------------------------------------------------------------

def test_nevada_daily_overtime_only_below_one_and_a_half_times_the_minimum(files):
    # Nevada's minimum on 2025-02-03 is $12.00 (peerpay/data/minimum_wage.csv), so the line is $18.00.
    #   LOW at $17.99, 10 h: 2 h daily overtime: 2 x 0.5 x $17.99 = $17.99; gross $179.90 + $17.99 = $197.89
    #   HIGH at $18.00 (not below $18.00), 10 h: no daily overtime; gross $180.00
    ts = HEADER + "LOW,2025-02-03 06:00,2025-02-03 16:00,17.99\nHIGH,2025-02-03 06:00,2025-02-03 16:00,18.00\n"
    lines = {ln["employee_id"]: ln for ln in files.pay(ts, '[overtime]\nrules = "NV"\n').report["lines"]}
    assert (tiers(lines["LOW"]), lines["LOW"]["gross_pay"]) == ({"daily_8": 2.0}, 197.89)
    assert (tiers(lines["HIGH"]), lines["HIGH"]["gross_pay"]) == ({}, 180.0)


def test_nevada_above_the_line_still_gets_weekly_overtime(files):
    # HIGH at $25: five 10-hour days = 50 h; no daily overtime, so all 50 h are straight and the
    # weekly tier pays 10 h: 10 x 0.5 x $25 = $125.00
    days = [(f"{d:02}", "06:00", "16:00") for d in range(3, 8)]
    line = only_line(files.pay(week(*days, rate="25"), '[overtime]\nrules = "NV"\n'))
    assert tiers(line) == {"weekly_40": 10.0}
    assert line["overtime_premium"] == 125.0


def test_colorado_13_hour_day(files):
    # Mon 07:00-20:00 = 13 h: 1 h beyond 12 in the workday and beyond 12 consecutive hours: the
    # same hour, paid once (daily_12, declared first). premium = 1 x 0.5 x $20 = $10.00; gross $270.00
    line = only_line(files.pay(week(("03", "07:00", "20:00")), '[overtime]\nrules = "CO"\n'))
    assert tiers(line) == {"daily_12": 1.0}
    assert (line["overtime_premium"], line["gross_pay"]) == (10.0, 270.0)


def test_colorado_12_consecutive_hours_across_two_workdays(files):
    # Mon 18:00-24:00 and Tue 00:30-07:30 (a 30-minute meal break): 6 h + 7 h in two workdays
    # (no daily overtime) but 13 consecutive hours, the meal period excluded: 1 h at 1.5 = $10.00
    ts = HEADER + "E1,2025-02-03 18:00,2025-02-04 00:00,20\nE1,2025-02-04 00:30,2025-02-04 07:30,20\n"
    line = only_line(files.pay(ts, '[overtime]\nrules = "CO"\n'))
    assert tiers(line) == {"consecutive_12": 1.0}
    assert line["overtime_premium"] == 10.0


def test_alaska_daily_8(files):
    # AS 23.10.060(b): Mon 10 h -> 2 h at 1.5 = 2 x 0.5 x $20 = $20.00
    line = only_line(files.pay(week(("03", "06:00", "16:00")), '[overtime]\nrules = "AK"\n'))
    assert (tiers(line), line["overtime_premium"]) == ({"daily_8": 2.0}, 20.0)


def test_flsa_preset_pays_what_the_classic_keys_pay(files):
    days = [(f"{d:02}", "07:00", "19:00") for d in range(3, 8)]
    classic = only_line(files.pay(week(*days), "[overtime]\nweekly_hours = 40\n"))
    preset = only_line(files.pay(week(*days), '[overtime]\nrules = "FLSA"\n'))
    assert {k: v for k, v in preset.items() if k not in ("double_time_hours", "overtime_hours_by_tier")} == classic
    assert (preset["overtime_hours_by_tier"], preset["double_time_hours"]) == ({"weekly_40": 20.0}, 0.0)
    assert "overtime_hours_by_tier" not in classic  # a classic policy's lines are as they always were


def test_explicit_tiers_highest_multiplier_wins_and_a_tie_goes_to_the_first(files):
    # two daily tiers at 1.5 beyond 8 ("a", "b") and one at 2.5 beyond 9:
    # a 10-hour day: hours 9-10 claimed by a and b (1.5) and hour 10 by c (2.5): c takes hour 10,
    # a (declared first) takes hour 9, b nothing. premium = 1 x 0.5 x $20 + 1 x 1.5 x $20 = $40.00;
    # double_time_hours counts hours paid at 2x or more: 1
    policy = "[overtime]\n" + "".join(
        f'[[overtime.tier]]\nname = "{n}"\nkind = "daily"\nhours = {h}\nmultiplier = {m}\n'
        for n, h, m in (("a", 8, 1.5), ("b", 8, 1.5), ("c", 9, 2.5)))
    line = only_line(files.pay(week(("03", "06:00", "16:00")), policy))
    assert line["overtime_hours_by_tier"] == {"a": 1.0, "b": 0.0, "c": 1.0}
    assert (line["double_time_hours"], line["overtime_premium"]) == (1.0, 40.0)


def test_detail_names_the_tier_that_paid_each_hour(files):
    run = files.pay(week(("03", "06:00", "20:00")), CA)
    from peerpay.core.report import audit_frame

    audit = audit_frame(run.result, None)
    assert audit.loc[0, "rule"] == "base pay + daily_8 overtime x1.5 + daily_12 overtime x2"
    assert audit.loc[0, "citation"] == "29 CFR 778.109; Cal. Lab. Code 510(a); Cal. Lab. Code 510(a)"
    assert (audit.loc[0, "overtime_tier:daily_8"], audit.loc[0, "overtime_tier:daily_12"]) == (4.0, 2.0)


# ---------------------------------------------------------------------------------------------
# The policy: what is refused, and how
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ('[overtime]\nrules = "TX"\n', "overtime.rules: Input should be 'FLSA', 'CA', 'AK', 'NV' or 'CO'"),
    ('[overtime]\nrules = "CA"\ndaily_hours = 8\n', "daily_hours: with rules or [[overtime.tier]]"),
    ('[overtime]\nrules = "CA"\n[[overtime.tier]]\nname = "x"\nkind = "daily"\nhours = 8\n', "not both"),
    ('[overtime]\nalternative_workweek_hours = 10\n', "it needs rules = \"CA\""),
    ('[overtime]\n[[overtime.tier]]\nname = "x"\nkind = "daily"\nhours = 30\n', "at most 24 for a daily tier"),
    ('[overtime]\n[[overtime.tier]]\nname = "x"\nkind = "daily"\nhour = 8\n', "unknown key (did you mean 'hours'?)"),
    ('[overtime]\n[[overtime.tier]]\nname = "x"\nkind = "daily"\nhours = 8\nbreak_minutes = 30\n', "consecutive tier only"),
    ('[overtime]\n[[overtime.tier]]\nname = "x"\nkind = "daily"\nhours = 8\nrate_below_minimum_wage_times = 1.5\n',
     "go together"),
])
def test_policy_mistakes_are_named(text, message):
    with pytest.raises(ValueError) as err:
        loads_policy(text)
    assert message in str(err.value)


# ---------------------------------------------------------------------------------------------
# For other measures: minutes per multiplier, and California's bonus regular rate
# ---------------------------------------------------------------------------------------------

def test_overtime_minutes_by_multiplier_for_any_rule_set(files):
    run = files.pay(week(("03", "06:00", "20:00"), ("04", "08:00", "16:00"), ("05", "08:00", "16:00"),
                         ("06", "08:00", "16:00"), ("07", "08:00", "14:00")), "")
    shifts, policy = run.shifts, run.policy
    ca = overtime_minutes_by_multiplier(shifts, policy, "CA")
    assert list(zip(ca["multiplier"], ca["minutes"])) == [(Decimal("1.5"), 240), (Decimal("2"), 120)]
    assert str(ca["week_start"].iloc[0])[:10] == "2025-02-02"
    flsa = overtime_minutes_by_multiplier(shifts, policy, "FLSA")
    assert list(zip(flsa["multiplier"], flsa["minutes"])) == [(Decimal("1.5"), 240)]  # 44 - 40 h
    assert overtime_minutes_by_multiplier(shifts, policy).empty  # the policy has no [overtime]


def test_alvarado_flat_bonus_divided_by_non_overtime_hours():
    # Alvarado v. Dart Container (2018): a $15 flat bonus in a week of 50 h, 10 of them overtime at 1.5:
    #   California: $15 / 40 non-overtime h = $0.375/h; x 1.5 x 10 h = $5.625 -> $5.63
    #   federal (29 CFR 778.209): $15 / 50 h = $0.30/h; x 0.5 x 10 h = $1.50
    weeks = pd.DataFrame({"worked_minutes": [50 * 60], "overtime_minutes": [10 * 60]})
    ca = loads_policy(CA)
    assert california_bonus_overtime(1500, weeks, ca.overtime)["bonus_overtime"].tolist() == [563]
    assert flat_bonus_overtime(1500, weeks, ca)["bonus_overtime"].tolist() == [563]
    assert flat_bonus_overtime(1500, weeks, loads_policy("[overtime]\n"))["bonus_overtime"].tolist() == [150]


def test_alvarado_double_time_hours_earn_twice_the_bonus_rate():
    # a $40 bonus; 48 h: 4 h at 1.5 and 4 h at 2.0 (tier minutes from the pay lines), 40 non-OT h:
    #   $40 / 40 = $1/h; 4 x 1.5 x $1 + 4 x 2 x $1 = $6 + $8 = $14.00
    weeks = pd.DataFrame({"worked_minutes": [48 * 60], "overtime_minutes": [8 * 60], "ot:daily_8": [240],
                          "ot:daily_12": [240], "ot:seventh_day": [0], "ot:seventh_day_8": [0], "ot:weekly_40": [0]})
    assert california_bonus_overtime(4000, weeks, loads_policy(CA).overtime)["bonus_overtime"].tolist() == [1400]


@pytest.mark.parametrize("rules", ["CA", "CO"])
def test_costing_reprices_tiers_exactly(tmp_path, rules):
    # costing re-prices by linear coefficients: under tiers its lines are price_segments' to the cent
    import numpy as np

    from conftest import generated_timesheets
    from peerpay.core.engine import price_segments, rate_coefficients, segment_shifts
    from peerpay.jobs.pay import run_pay
    from test_chunked import preset_policy

    generated_timesheets(tmp_path, 2000, spoiled=0, seed=3, parts=1)
    run = run_pay(tmp_path / "ts.csv", preset_policy(tmp_path, rules))
    s = segment_shifts(run.shifts, run.policy)
    kinds, rates = pd.factorize(run.shifts["rate_units"])
    raised = (np.asarray(rates, dtype="int64") * 11) // 10  # every rate 10 % higher
    coef = rate_coefficients(s, kinds)
    pd.testing.assert_frame_equal(coef.price(raised), price_segments(s, raised[kinds], audit=False).lines, check_exact=True)


def test_nevada_costing_recounts_overtime_at_the_new_rates(files):
    # LOW at $17.00 works 10 h: 2 h daily overtime. Costed at $19.00 (above 1.5 x $12.00) the same
    # day has none: the rate decides which minutes are overtime, so the linear form is not used.
    from peerpay.core.engine import price_segments, rate_coefficients, segment_shifts

    run = files.pay(HEADER + "LOW,2025-02-03 06:00,2025-02-03 16:00,17.00\n", '[overtime]\nrules = "NV"\n')
    s = segment_shifts(run.shifts, run.policy)
    assert rate_coefficients(s, pd.factorize(run.shifts["rate_units"])[0]) is None
    assert int(price_segments(s, audit=False).lines["ot:daily_8"].iloc[0]) == 120
    assert int(price_segments(s, [190_000], audit=False).lines["ot:daily_8"].iloc[0]) == 0


def test_policy_warnings_read_the_tiers():
    from peerpay.models.policy import policy_warnings

    text = '[overtime]\n[[overtime.tier]]\nname = "d"\nkind = "daily"\nhours = 8\nmultiplier = 5\n'
    assert policy_warnings(loads_policy(text)) == ["overtime.tier[1] (d).multiplier = 5 pays 5 times the rate "
                                                   "(time and a half is 1.5, double time 2)"]
    assert policy_warnings(loads_policy(CA)) == []


# ---------------------------------------------------------------------------------------------
# The other rules on top of tiers: credentials and their bonus, joint employment, init
# ---------------------------------------------------------------------------------------------

def test_certification_bonus_under_california_is_alvarado(tmp_path):
    # D1 ($20/h, CPRS from Mon 2025-11-03): Mon-Fri 08:00-17:00 = 5 x 9 h = 45 h; California:
    # 1 h a day is daily_8 -> 5 h of overtime at 1.5, 40 non-overtime hours. $100 bonus, one week.
    #   a $1.00/h credential premium for 45 h = $45.00 is in the regular rate: (900 + 45) / 45 = $21.00
    #   overtime premium = 5 h x 0.5 x $21.00 = $52.50
    #   bonus overtime (Alvarado): $100 / 40 h = $2.50/h x 1.5 x 5 h = $18.75 (federal: 100 / 45 x 0.5 x 5 = $5.56)
    import tomllib

    from peerpay.jobs.pay import person_report, run_pay_many
    from peerpay.models.policy import Policy

    (tmp_path / "roster.csv").write_text("employee_id,role,step,credential,certified_on\nD1,peer,1,CPRS,2025-11-03\n")
    rows = "".join(f"D1,2025-11-0{d} 08:00,2025-11-0{d} 17:00,20\n" for d in range(3, 8))
    (tmp_path / "t.csv").write_text(HEADER + rows)
    pol = Policy.model_validate(tomllib.loads(CA + '[[premium]]\nname = "cprs"\ncredential = "CPRS"\nper_hour = 1.00\n'
                                              'bonus = 100\nbonus_weeks = 1\n'))
    run = run_pay_many([tmp_path / "t.csv"], pol, tmp_path / "roster.csv")
    line = run.result.lines.iloc[0]
    assert (line["diff:cprs"], line["ot:daily_8"], line["overtime_premium"]) == (45_00, 300, 52_50)
    assert list(person_report(run)["bonus"]["bonus_overtime"]) == [18_75]


def test_joint_employment_what_if_runs_on_tiers(tmp_path):
    # two employers, 25 h each for one person: combined 50 h; under California tiers the what-if
    # combines the weekly hours (the lowest weekly tier, 40) at 1.5: 10 h of combined overtime
    import tomllib

    from peerpay.jobs.pay import person_report, run_pay_many
    from peerpay.models.policy import Policy

    (tmp_path / "roster.csv").write_text("employee_id,role,step,employer,person_id\nA1,peer,1,Harbor,P1\nB1,peer,1,Bay,P1\n")
    (tmp_path / "a.csv").write_text(HEADER + "".join(f"A1,2025-11-0{d} 08:00,2025-11-0{d} 13:00,20\n" for d in range(3, 8)))
    (tmp_path / "b.csv").write_text(HEADER + "".join(f"B1,2025-11-0{d} 14:00,2025-11-0{d} 19:00,20\n" for d in range(3, 8)))
    pol = Policy.model_validate(tomllib.loads(CA + '[joint_employment]\nemployers = ["Harbor", "Bay"]\n'))
    joint = person_report(run_pay_many([tmp_path / "a.csv", tmp_path / "b.csv"], pol, tmp_path / "roster.csv"))["joint"]
    assert set(joint["combined_overtime_minutes"]) == {600}
    assert joint["joint_overtime_premium"].sum() == 100_00  # 10 h x 0.5 x $20


def test_init_state_command(cli, tmp_path):
    result = cli(["init", str(tmp_path / "co"), "--state", "co"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "co" / "policy.toml").read_text()
    assert 'kind = "consecutive"' in text and "7 CCR 1103-1 Rule 4.1.1(C)" in text
    assert 'timezone = "America/Denver"' in text
    assert cli(["validate", "--policy", str(tmp_path / "co" / "policy.toml")]).exit_code == 0
    assert cli(["init", str(tmp_path / "tx"), "--state", "TX"]).exit_code == 2


@pytest.mark.parametrize("rules", ["CA", "CO", "NV"])
def test_a_week_of_on_call_only_has_no_overtime(files, rules):
    # no worked minute at all: every tier counts nothing (found by hypothesis: an empty seventh-day count)
    run = files.pay("employee_id,start,end,kind,rate\nE1,2025-02-03 08:00,2025-02-03 20:00,on_call,20\n",
                    f'[overtime]\nrules = "{rules}"\n[on_call]\nstandby_per_hour = 3\n')
    line = only_line(run)
    assert (line["hours_worked"], line["overtime_hours"], line["standby_pay"]) == (0.0, 0.0, 36.0)
