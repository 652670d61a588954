"""Every dated fact on the contract's own dates (issue 23): hand-worked, the arithmetic in the comments.

Baseline as in test_cost_handworked: one week 2025-11-02 (Sun) to 11-08 (Sat), x 365/7.
  E1 peer_specialist step 1 ($20.00/h), hired 2020-04-01: Mon-Fri 09:00-17:00 = 40 h (no overtime).
  E2 rn step 1 ($40.00/h), hired 2024-12-15: Sun and Sat 09:00-13:00 = 8 h.
Contract years from 2026-01-01: 2026 and 2027 have 365 days, 2028 has 366.
The credential premium below is $1.50 an hour: E1 $60 a week (60 x 365/7 = $3,128.57 a year),
E2 $12 a week (12 x 365/7 = $625.71 a year).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np

from peerpay.jobs.cost import run_cost
from peerpay.models.proposal import OnCosts, loads_proposal
from tests.test_cost_handworked import FROZEN, HEAD, POLICY, ROSTER, SCHEDULE, WEEK, dollars

PREMIUM = """[[policy_change]]
effective = 2026-01-01
[[policy_change.differential]]
name = "cprs"
new = true
per_hour = 1.50
credential = "CPRS"
"""


def cost(files, proposal: str, *, creds: str | None = None, roster: str = ROSTER, schedule: str = SCHEDULE,
         policy: str = POLICY):
    paths = [files.write(n, t) for n, t in (("t.csv", WEEK), ("p.toml", policy), ("r.csv", roster), ("s.csv", schedule))]
    cred = files.write("c.csv", creds) if creds is not None else None
    return run_cost(*paths, [loads_proposal(proposal)], OnCosts(), credentials=cred)


def line(run, y: int, role: str = "TOTAL") -> tuple[float, float]:
    row = next(r for r in run.report["proposals"][0]["years"] if r["year"] == y and r["role"] == role)
    return row["cash_cost"], row["run_rate"]


def test_a_credential_that_starts_and_one_that_lapses_inside_the_term(files):
    # E1 certified 2027-03-01 (year 2): nothing in year 1; year 2 from 1 March = 306 of 365 days:
    #   60 x 306/7 = $2,622.86 cash, run-rate $3,128.57; year 3 all year.
    # E2 held CPRS since 2020 until 2027-01-14: year 1 all year ($625.71); year 2 only 1-14 January,
    #   12 x 14/7 = $24.00 cash and no run-rate; year 3 nothing.
    # Before issue 23 both were read on the baseline's dates: E1 never, E2 $625.71 in every year.
    creds = "employee_id,credential,from,to\nE1,CPRS,2027-03-01,\nE2,CPRS,2020-01-01,2027-01-14\n"
    run = cost(files, FROZEN + "years = 3\n" + PREMIUM, creds=creds)
    assert line(run, 1, "peer_specialist") == (0.0, 0.0)
    assert line(run, 1, "rn") == (dollars(12 * 365, 7), dollars(12 * 365, 7))
    assert line(run, 2, "peer_specialist") == (dollars(60 * 306, 7), dollars(60 * 365, 7))
    assert line(run, 2, "rn") == (24.0, 0.0)
    assert line(run, 3, "peer_specialist") == (dollars(60 * 365, 7), dollars(60 * 365, 7))
    assert line(run, 3, "rn") == (0.0, 0.0)
    # the years differ, and each TOTAL is its roles: year 2 (18,360 + 168)/7 = $2,646.86
    assert line(run, 2) == (dollars(60 * 306 + 12 * 14, 7), dollars(60 * 365, 7))


def test_a_credential_earned_inside_the_baseline_weeks_counts_all_year(files):
    # E1 certified Wednesday 2025-11-05, in the baseline week: the baseline paid it on 3 of 5 days, but on
    # every contract day E1 holds it: $60 a week, $3,128.57 a year (not 3/5 of it).
    run = cost(files, FROZEN + "years = 1\n" + PREMIUM, creds="employee_id,credential,from\nE1,CPRS,2025-11-05\n")
    assert line(run, 1) == (dollars(60 * 365, 7), dollars(60 * 365, 7))


def test_the_status_quo_rolls_a_credential_the_policy_already_pays_forward(files):
    # The current policy pays $1.50/h to CPRS holders; E1 certified 2025-11-05: the baseline paid 24 h x 1.50
    # = $36, every contract day pays $60: the status quo alone costs +$24 a week, 24 x 365/7 = $1,251.43.
    # (E1 on step 2, the top: the status quo moves no step.) A proposal that "adds" the same premium changes
    # nothing, and says the policy already pays it.
    policy = POLICY + '[[differential]]\nname = "cprs"\nper_hour = 1.50\ncredential = "CPRS"\n'
    same = PREMIUM.replace("new = true\n", "")
    top = ROSTER.replace("E1,peer_specialist,1,", "E1,peer_specialist,2,")
    run = cost(files, FROZEN + "years = 1\n" + same, creds="employee_id,credential,from\nE1,CPRS,2025-11-05\n", policy=policy,
               roster=top)
    items = run.report["proposals"][0]["items"]
    assert items[0]["years"][0]["run_rate"] == dollars(24 * 365, 7)
    cprs = next(i for i in items if i["item"] == "differential: cprs")
    assert cprs["term_cash_cost"] == 0.0 and cprs["note"] == "the current policy already pays this"
    assert "Credential premiums are paid on the contract days" in " ".join(run.report["proposals"][0]["notes"])


def test_a_premium_no_one_holds_says_so(files):
    run = cost(files, FROZEN + "years = 1\n" + PREMIUM, creds="employee_id,credential,from\nE1,CPRS,2030-01-01\n")
    cprs = next(i for i in run.report["proposals"][0]["items"] if i["item"] == "differential: cprs")
    assert cprs["term_cash_cost"] == 0.0 and cprs["note"] == "no one costed holds CPRS on a day of the term"


def test_an_anniversary_between_the_baseline_and_the_term_start(files):
    # E1 hired 2020-12-01: the 2025-12-01 anniversary falls after the baseline (ends 2025-11-08) and before the
    # term (2026-01-01): under the current contract E1 is on step 2 ($21) from the first day of the term,
    # +$40 a week all year: 40 x 365/7 = $2,085.71, in the status quo and in a frozen proposal alike (the freeze
    # is for the term). Before issue 23 it was ignored: $0.
    roster = ROSTER.replace("2020-04-01", "2020-12-01")
    frozen = cost(files, FROZEN + "years = 1\n", roster=roster)
    assert line(frozen, 1) == (dollars(40 * 365, 7), dollars(40 * 365, 7))
    from peerpay.core.costing import steps_on

    p = loads_proposal(FROZEN + "years = 1\n")
    days = np.array(["2025-11-30", "2025-12-01", "2026-01-01"], dtype="datetime64[D]")
    assert list(steps_on(p, frozen.baseline, np.array(["E1"] * 3, dtype=object), days)) == [1, 2, 2]
    # the value of 1 % is on that payroll: E1 21.00 -> 21.21 (+8.40), E2 40.00 -> 40.40 (+3.20): 11.60 x 365/7
    assert frozen.report["value_of_1_pct"]["run_rate"] == dollars(Fraction(1160, 100) * 365, 7)


def test_a_lump_sum_goes_to_who_is_employed_and_on_its_step_on_the_pay_date(files):
    # $300 to those on step 2 on 2026-06-01. Under the status quo E1 moves to step 2 on 2026-04-01: paid.
    # Frozen, E1 is still on step 1 that day: not paid. (The roster step alone would never pay it.)
    item = "[[lump_sum]]\neffective = 2026-06-01\namount = 300\nsteps = [2]\n"
    moving = cost(files, HEAD + "years = 1\n" + item)
    frozen = cost(files, FROZEN + "years = 1\n" + item)
    lumps = lambda run: next(r for r in run.report["proposals"][0]["years"] if r["role"] == "TOTAL")["lump_sums"]
    assert (lumps(moving), lumps(frozen)) == (300.0, 0.0)
    # E2 leaves on 2026-05-31: a lump sum for everyone on 06-01 reaches E1 only
    ended = ROSTER.replace("fte,hire_date", "fte,hire_date,end_date").replace("2020-04-01", "2020-04-01,") \
        .replace("2024-12-15", "2024-12-15,2026-05-31")
    run = cost(files, FROZEN + "years = 1\n[[lump_sum]]\neffective = 2026-06-01\namount = 300\n", roster=ended)
    assert lumps(run) == 300.0


def test_employed_on_a_day_reads_the_hire_and_end_dates(files):
    # ratification and lump-sum eligibility: hired on or before the day, not left before it
    from peerpay.core.costing.dates import employed_on

    roster = ROSTER.replace("fte,hire_date", "fte,hire_date,end_date").replace("2020-04-01", "2020-04-01,2026-06-30") \
        .replace("2024-12-15", "2024-12-15,")
    run = cost(files, FROZEN + "years = 1\n", roster=roster)
    assert employed_on(run.baseline, "E1", dt.date(2026, 6, 30)) and not employed_on(run.baseline, "E1", dt.date(2026, 7, 1))
    assert not employed_on(run.baseline, "E2", dt.date(2024, 12, 14)) and employed_on(run.baseline, "E2", dt.date(2024, 12, 15))


def test_a_certification_bonus_needs_the_holder_employed_on_its_day(files):
    # E1 certified 2026-03-10 but left on 2026-02-28: no $400 bonus
    roster = ROSTER.replace("fte,hire_date", "fte,hire_date,end_date").replace("2020-04-01", "2020-04-01,2026-02-28") \
        .replace("2024-12-15", "2024-12-15,")
    bonus = '[[certification_bonus]]\neffective = 2026-01-01\ncredential = "CPRS"\namount = 400\n'
    creds = "employee_id,credential,from\nE1,CPRS,2026-03-10\n"
    assert line(cost(files, FROZEN + "years = 1\n" + bonus, creds=creds, roster=roster), 1)[0] == 0.0
    assert line(cost(files, FROZEN + "years = 1\n" + bonus, creds=creds), 1)[0] == 400.0


def test_a_rate_the_current_schedule_sets_after_the_baseline(files):
    # The current schedule raises peer step 1 to $20.50 on 2026-03-01 (a row dated after the baseline).
    # Status quo (frozen steps): +$0.50 x 40 = $20 a week from 1 March, 306 days: 20 x 306/7 = $874.29;
    # run-rate 20 x 365/7 = $1,042.86.
    # With 10 % from 2026-01-01 the raise applies on top of the scheduled rate: $22.00 (+80 a week) for
    # 59 days, then 20.50 x 1.1 = $22.55 (+102 a week) for 306: (4,720 + 31,212)/7 = $5,133.14; run 102 x 365/7.
    schedule = SCHEDULE + "peer_specialist,1,20.50,2026-03-01\n"
    run = cost(files, FROZEN + "years = 1\n", schedule=schedule)
    assert line(run, 1) == (dollars(20 * 306, 7), dollars(20 * 365, 7))
    raised = cost(files, FROZEN + "years = 1\n[[increase]]\neffective = 2026-01-01\npercent = 10\nroles = [\"peer_specialist\"]\n",
                  schedule=schedule)
    assert line(raised, 1) == (dollars(80 * 59 + 102 * 306, 7), dollars(102 * 365, 7))
