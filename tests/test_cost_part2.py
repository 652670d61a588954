"""Issue 12, part 2: step rules, turnover/breakage, on-costs with a wage base or per FTE, and
eligibility on the ratification date. Hand-worked, arithmetic in the comments.

Baseline as in test_cost_handworked: one week 2025-11-02 (Sun) to 11-08 (Sat), x 365/7.
  E1 peer_specialist step 1 ($20.00/h), hired 2020-04-01: Mon-Fri 09:00-17:00 = 40 h = $800.
  E2 rn step 1 ($40.00/h), hired 2024-12-15: Sun and Sat 09:00-13:00 = 8 h = $320.
Contract years from 2026-01-01 (2026, 2027 and 2028 have 365, 365 and 366 days).
A step up for E1 is +$1.00/h x 40 h = $40 a week: 40 x 365/7 = $2,085.71 a year.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pytest

from peerpay.core.costing import steps_on, turnover_shares
from peerpay.errors import InputError
from peerpay.models.proposal import OnCost, loads_on_costs, loads_proposal
from tests.test_cost_handworked import FROZEN, HEAD, ROSTER, SCHEDULE, cost, dollars, year

SCHEDULE4 = SCHEDULE + "peer_specialist,3,22.00,2025-01-01\npeer_specialist,4,23.00,2025-01-01\n"


def e1_steps(run, proposal_text, days):
    p = loads_proposal(proposal_text)
    return list(steps_on(p, run.baseline, np.array(["E1"] * len(days), dtype=object),
                         np.array(days, dtype="datetime64[D]")))


# --- step rules -----------------------------------------------------------------------------------


def test_a_step_every_two_years(files):
    # anniversaries 2026-04-01 (1 year served), 2027-04-01 (2 years: step 2), 2028-04-01 (1 year on step 2)
    text = HEAD + "years = 3\n[[step_movement]]\neffective = 2026-01-01\nevery_years = 2\n"
    run = cost(files, text, schedule=SCHEDULE4)
    assert e1_steps(run, text, ["2026-06-01", "2027-03-31", "2027-04-01", "2028-04-01"]) == [1, 1, 2, 2]
    # year 1: nothing; year 2: $40 a week from 2027-04-01 to 12-31 = 275 days
    assert year(run, 1)["cash_cost"] == 0.0
    assert year(run, 2)["cash_cost"] == dollars(40 * 275, 7)  # 1,571.43
    assert year(run, 2)["run_rate"] == dollars(40 * 365, 7)  # 2,085.71


def test_waiting_periods_per_step(files):
    # steps 1 yearly, step 2 waits 2 years: step 2 on 2026-04-01, step 3 on 2028-04-01 (not 2027)
    text = HEAD + "years = 3\n[[step_movement]]\neffective = 2026-01-01\nyears_on_step = {2 = 2}\n"
    run = cost(files, text, schedule=SCHEDULE4)
    days = ["2026-03-31", "2026-04-01", "2027-04-01", "2028-03-31", "2028-04-01"]
    assert e1_steps(run, text, days) == [1, 2, 2, 2, 3]


def test_everyone_moves_on_a_fixed_step_date(files):
    # moves_on fixed_date 07-01: E1 to step 2 on 2026-07-01 whatever the hire date;
    # 1 Jul to 31 Dec = 184 days -> 40 x 184/7 = 1,051.43 (E2's rn has one step: no change)
    text = HEAD + 'years = 1\n[[step_movement]]\neffective = 2026-01-01\nmoves_on = "fixed_date"\nstep_date = "07-01"\n'
    run = cost(files, text)
    assert e1_steps(run, text, ["2026-04-01", "2026-06-30", "2026-07-01"]) == [1, 1, 2]
    assert year(run, 1)["cash_cost"] == dollars(40 * 184, 7)


def test_moves_on_the_first_pay_period_after_the_anniversary(files):
    # biweekly periods from Sun 2026-01-04: ..., 03-29, 04-12. Anniversary Wed 2026-04-01 ->
    # (2026-01-04 - 2026-04-01) = -87 days; -87 mod 14 = 11; 04-01 + 11 = 04-12.
    # 12 Apr to 31 Dec = 19 + 245 = 264 days -> 40 x 264/7 = 1,508.57
    text = (HEAD + 'years = 1\n[[step_movement]]\neffective = 2026-01-01\nmoves_on = "next_pay_period"\n'
            "pay_period_start = 2026-01-04\n")
    run = cost(files, text)
    assert e1_steps(run, text, ["2026-04-11", "2026-04-12"]) == [1, 2]
    assert year(run, 1)["cash_cost"] == dollars(40 * 264, 7)


def test_a_step_hold_is_its_own_item(files):
    # steps alone: step 2 on 2026-04-01: year 1 cash 40 x 275/7 = 1,571.43, run 2,085.71;
    #   year 2 (top step 2 all year): 2,085.71 cash and run.
    # hold for 2026: the 2026-04-01 step is lost, 2027-04-01 moves to step 2:
    #   year 1: 0; year 2: cash 1,571.43, run 2,085.71.
    # the "step hold" item = with hold - without: year 1 -1,571.43 cash, -2,085.71 run;
    #   year 2 cash 1,571.43 - 2,085.71 = -514.28, run 0.
    text = (HEAD + "years = 2\n[[step_movement]]\neffective = 2026-01-01\n"
            "[[step_hold]]\neffective = 2026-01-01\nuntil = 2026-12-31\n")
    run = cost(files, text)
    assert (year(run, 1)["cash_cost"], year(run, 2)["cash_cost"]) == (0.0, dollars(40 * 275, 7))
    # row 0, the status quo, moves E1 on each anniversary too; its own rule ("step movement") is the same
    # rule, so it adds nothing (and says so); the hold is what the freeze saves
    items = {i["item"]: i for i in run.report["proposals"][0]["items"]}
    assert list(items) == ["status quo (current contract rolled forward)", "step movement", "step hold"]
    sq = items["status quo (current contract rolled forward)"]["years"]
    assert (sq[0]["cash_cost"], sq[0]["run_rate"], sq[1]["cash_cost"]) == (dollars(40 * 275, 7), dollars(40 * 365, 7),
                                                                            dollars(40 * 365, 7))
    assert items["step movement"]["term_cash_cost"] == 0.0 and "as the status quo" in items["step movement"]["note"]
    hold = items["step hold"]["years"]
    assert (hold[0]["cash_cost"], hold[0]["run_rate"]) == (-dollars(40 * 275, 7), -dollars(40 * 365, 7))
    assert (hold[1]["cash_cost"], hold[1]["run_rate"]) == (round(dollars(40 * 275, 7) - dollars(40 * 365, 7), 2), 0.0)


def test_step_rules_are_validated():
    with pytest.raises(ValueError, match="step_date"):
        loads_proposal(HEAD + 'years = 1\n[[step_movement]]\neffective = 2026-01-01\nmoves_on = "fixed_date"\n')
    with pytest.raises(ValueError, match="pay_period_start"):
        loads_proposal(HEAD + 'years = 1\n[[step_movement]]\neffective = 2026-01-01\nmoves_on = "next_pay_period"\n')
    with pytest.raises(ValueError, match="until is before effective"):
        loads_proposal(HEAD + "years = 1\n[[step_hold]]\neffective = 2026-06-01\nuntil = 2026-01-01\n")


# --- turnover and breakage ------------------------------------------------------------------------


def test_turnover_shares_are_exact():
    # r = 15 %, q = 0.85. Year 1: cash 0 + 0.15/2 = 0.075, run 0.15.
    # Year 2: cash 1 - 0.85 + 0.15 x 0.85 / 2 = 0.21375, run 1 - 0.7225 = 0.2775.
    assert turnover_shares(15, 1) == (Fraction(75, 1000), Fraction(15, 100))
    assert turnover_shares(15, 2) == (Fraction(21375, 100000), Fraction(2775, 10000))


def test_breakage_is_the_saving_when_leavers_are_replaced_on_step_1(files):
    # E1 on step 2 ($21) replaced on step 1 ($20): -$1 x 40 h x 365/7 = -14,600/7 a year;
    # E2 is on step 1 already (no breakage).
    # year 1: cash 0.075 x -14,600/7 = -1,095/7 = -156.43; run 0.15 x -14,600/7 = -2,190/7 = -312.86
    # year 2: cash 0.21375 x -14,600/7 = -3,120.75/7 = -445.82; run 0.2775 x ... = -4,051.5/7 = -578.79
    roster = ROSTER.replace("E1,peer_specialist,1,", "E1,peer_specialist,2,")
    run = cost(files, HEAD + "years = 2\n[turnover]\npercent = 15\n", roster=roster)
    assert (year(run, 1)["cash_cost"], year(run, 1)["run_rate"]) == (-156.43, -312.86)
    assert (year(run, 2)["cash_cost"], year(run, 2)["run_rate"]) == (-445.82, -578.79)
    prop = run.report["proposals"][0]
    assert prop["breakage"]["years"][1] == {"year": 2, "cash_cost": -445.82, "run_rate": -578.79}
    # E1 on step 2 and E2 on rn's only step are at the top: the status quo moves no one (and says so)
    assert [i["item"] for i in prop["items"]] == ["status quo (current contract rolled forward)", "breakage (turnover)"]
    assert prop["items"][0]["term_cash_cost"] == 0.0 and "top step" in prop["items"][0]["note"]
    assert prop["items"][1]["years"][0]["cash_cost"] == -156.43


def test_breakage_on_top_of_a_raise_is_at_the_raised_rates(files):
    # +10 %: step 2 21 -> 23.10, step 1 20 -> 22.00: replacement saves $1.10 x 40 h x 365/7 = 16,060/7;
    # year 1 run-rate breakage 0.15 x -16,060/7 = -2,409/7 = -344.14; the raise alone: E1 2.10 x 40,
    # E2 4.00 x 8: (84 + 32) x 365/7 = 42,340/7 = 6,048.57; total 6,048.57 - 344.14 = 5,704.43
    roster = ROSTER.replace("E1,peer_specialist,1,", "E1,peer_specialist,2,")
    run = cost(files, HEAD + "years = 1\n[[increase]]\neffective = 2026-01-01\npercent = 10\n[turnover]\npercent = 15\n",
               roster=roster)
    items = {i["item"]: i["years"][0]["run_rate"] for i in run.report["proposals"][0]["items"]}
    assert items == {"status quo (current contract rolled forward)": 0.0, "raises": 6048.57, "breakage (turnover)": -344.14}
    assert year(run, 1)["run_rate"] == 5704.43


# --- eligibility on the ratification date --------------------------------------------------------

ENDED = ROSTER.replace("fte,hire_date", "fte,hire_date,end_date").replace("2020-04-01", "2020-04-01,") \
    .replace("2024-12-15", "2024-12-15,2026-02-15")


def test_leavers_before_ratification_get_no_lump_sum_and_no_retro(files):
    # +10 % from 2026-01-01, retro since 01-01 paid 04-01 (90 days), $500 lump sum on 03-01;
    # ratified 2026-03-01. E2 left 2026-02-15: no lump sum, and no retro for 1 Jan-15 Feb (46 days).
    # E1: +$2 x 40 = $80/week; E2: +$4 x 8 = $32/week.
    # retro to members: E1 80 x 90/7 + E2's position after she left 32 x 44/7 = (7,200 + 1,408)/7 = 1,229.71
    # cash: (80 + 32) x 365/7 - 32 x 46/7 + 500 = (40,880 - 1,472)/7 + 500 = 6,129.71
    text = (FROZEN + "years = 1\nratification_date = 2026-03-01\n[[increase]]\neffective = 2026-01-01\npercent = 10\n"
            "[[lump_sum]]\neffective = 2026-03-01\namount = 500\n[retro]\nsince = 2026-01-01\npaid_on = 2026-04-01\n")
    run = cost(files, text, roster=ENDED)
    prop = run.report["proposals"][0]
    assert prop["retro_pay_to_members"] == dollars(8608, 7)
    assert year(run, 1)["lump_sums"] == 500.0
    assert year(run, 1)["cash_cost"] == dollars(39408, 7) + 500
    # without a ratification date everyone gets the retro, and the lump sum goes to those employed on its
    # pay date (2026-03-01): E1 only, E2 left on 02-15: 40,880/7 + 500 = 6,340.00
    run = cost(files, text.replace("ratification_date = 2026-03-01\n", ""), roster=ENDED)
    assert year(run, 1)["cash_cost"] == 6340.0 and year(run, 1)["lump_sums"] == 500.0
    # a lump sum paid before she left reaches her too: 02-01 -> 2 x 500
    early = cost(files, text.replace("ratification_date = 2026-03-01\n", "").replace("2026-03-01", "2026-02-01"), roster=ENDED)
    assert year(early, 1)["lump_sums"] == 1000.0


def test_an_end_date_that_is_not_a_date_is_an_error_when_it_matters(files):
    bad = ENDED.replace("2026-02-15", "soon")
    text = HEAD + "years = 1\nratification_date = 2026-03-01\n"
    with pytest.raises(InputError, match="end_date column has values that are not dates"):
        cost(files, text, roster=bad)
    cost(files, HEAD + "years = 1\n", roster=bad)  # no ratification date: the column is not used


# --- on-costs -------------------------------------------------------------------------------------


def test_social_security_wage_base_by_year():
    oc = OnCost(name="social security", percent=6.2, wage_base="social_security")
    assert [int(oc.base_for(dt.date(y, 7, 1))) for y in (2025, 2026, 2027)] == [176100, 184500, 184500]
    assert OnCost(name="Medicare", percent=1.45).base_for(dt.date(2026, 1, 1)) is None


def test_the_wage_base_cap_stops_social_security_on_pay_above_it(files):
    # cap $42,000 (a made-up base to reach it with small data). +10 % from 2026-01-01:
    # E1 baseline 800 x 365/7 = 292,000/7 = 41,714.29; + 80 x 365/7 = 29,200/7 -> only
    #   42,000 - 292,000/7 = 2,000/7 of the raise is under the cap.
    # E2 16,685.71 + 11,680/7 stays under it.
    # run-rate = wages 40,880/7 + 6.2 % x (2,000 + 11,680)/7 + 1.45 % x 40,880/7
    #          = (40,880 + 848.16 + 592.76)/7 = 42,320.92/7 = 6,045.85
    # (uncapped 7.65 %: 40,880/7 x 1.0765 = 6,286.74)
    oc = loads_on_costs('[[on_cost]]\nname = "social security"\npercent = 6.2\nwage_base = {2026 = 42000}\n'
                        '[[on_cost]]\nname = "Medicare"\npercent = 1.45\n')
    text = FROZEN + "years = 1\n[[increase]]\neffective = 2026-01-01\npercent = 10\n"
    run = cost(files, text, on_costs=oc)
    assert year(run, 1)["run_rate"] == dollars(Fraction("42320.92"), 7)
    assert year(run, 1)["cash_cost"] == year(run, 1)["run_rate"]
    fica = loads_on_costs('[[on_cost]]\nname = "FICA"\npercent = 7.65\n')
    assert year(cost(files, text, on_costs=fica), 1)["run_rate"] == dollars(Fraction("40880") * Fraction("1.0765"), 7)


def test_health_insurance_per_fte_is_in_the_payroll_not_in_a_raise(files):
    # $6,000 per FTE: FTE 1.0 + 0.2 = 1.2 -> $7,200 of baseline on-costs; a 10 % raise costs
    # wages only: 40,880/7 = 5,840.00, and 5,840 / (58,400 + 7,200) = 8.90 % of payroll
    oc = loads_on_costs('[[on_cost]]\nname = "health"\nper_fte = 6000\n')
    run = cost(files, FROZEN + "years = 1\n[[increase]]\neffective = 2026-01-01\npercent = 10\n", on_costs=oc)
    total = {r["role"]: r for r in run.report["baseline"]["by_role"]}["TOTAL"]
    assert total["on_costs"] == 7200.0
    assert year(run, 1)["run_rate"] == 5840.0
    assert year(run, 1)["run_rate_pct_of_payroll"] == 8.9
    with pytest.raises(ValueError, match="per_fte is a fixed amount"):
        loads_on_costs('[[on_cost]]\nname = "health"\npercent = 1\nper_fte = 6000\n')


def test_pension_on_base_pay_only_charges_nothing_on_a_lump_sum(files):
    # applies_to = ["base_pay"]: the $500 lump sums (x 2 employees) carry no pension: cash 1,000.00;
    # applies_to = ["all"]: 6 % of 1,000 = 60 more
    base = loads_on_costs('[[on_cost]]\nname = "pension"\npercent = 6\napplies_to = ["base_pay"]\n')
    every = loads_on_costs('[[on_cost]]\nname = "pension"\npercent = 6\napplies_to = ["all"]\n')
    text = FROZEN + "years = 1\n[[lump_sum]]\neffective = 2026-03-01\namount = 500\n"
    assert year(cost(files, text, on_costs=base), 1)["cash_cost"] == 1000.0
    assert year(cost(files, text, on_costs=every), 1)["cash_cost"] == 1060.0


# --- the sample --------------------------------------------------------------------------------


def test_the_step_rules_sample_costs_through_the_cli():
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from peerpay.cli import main

    samples = Path(__file__).resolve().parents[1] / "samples"
    args = ["cost", "-t", samples / "timesheet.csv", "-p", samples / "policy.toml", "-r", samples / "roster.csv",
            "-s", samples / "schedule.csv", "--proposal", samples / "proposals" / "union_steps.toml",
            "--on-costs", samples / "proposals" / "oncosts_capped.toml", "--format", "json"]
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    prop = json.loads(result.stdout)["proposals"][0]
    items = [i["item"] for i in prop["items"]]
    assert items == ["status quo (current contract rolled forward)", "step movement", "step hold", "raises", "lump sums",
                     "breakage (turnover)"]
    # the parts add up to the total, breakage included; a first-year freeze cancels the year-1 steps
    totals = [y for y in prop["years"] if y["role"] == "TOTAL"]
    for k, y in enumerate(totals):
        assert round(sum(i["years"][k]["cash_cost"] for i in prop["items"]), 2) == y["cash_cost"]
        assert round(sum(i["years"][k]["run_rate"] for i in prop["items"]), 2) == y["run_rate"]
    by = {i["item"]: i["years"][0]["run_rate"] for i in prop["items"]}
    assert by["step hold"] < 0 and by["breakage (turnover)"] < 0
    # the breakage line is the exact breakage rounded once; the item is rounded(total) - rounded(the rest):
    # they agree to the cent
    for line, item in zip(prop["breakage"]["years"], prop["items"][-1]["years"]):
        assert abs(line["run_rate"] - item["run_rate"]) < 0.015 and abs(line["cash_cost"] - item["cash_cost"]) < 0.015
