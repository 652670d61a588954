"""The status quo is the base (issue 23): hand-worked, the arithmetic in the comments.

Baseline as in test_cost_handworked: one week 2025-11-02 (Sun) to 11-08 (Sat), x 365/7.
  E1 peer_specialist step 1 ($20.00/h; step 2 is $21.00, the top), hired 2020-04-01: 40 h a week.
  E2 rn step 1 ($40.00/h, the only rn step), hired 2024-12-15: 8 h a week.
Term from 2026-01-01 (365 days). The status quo moves E1 to step 2 on 2026-04-01:
  +$40 a week for 275 days: cash 40 x 275/7 = $1,571.43; run-rate 40 x 365/7 = $2,085.71.
"""

from __future__ import annotations

import pytest

from tests.test_cost_handworked import HEAD, cost, dollars, year

SQ = "status quo (current contract rolled forward)"
MANAGEMENT = HEAD + "years = 1\n[[increase]]\neffective = 2026-01-01\npercent = 3\n"


def items(run, k=0):
    return {i["item"]: (i["years"][0]["cash_cost"], i["years"][0]["run_rate"]) for i in run.report["proposals"][k]["items"]}


def test_a_proposal_with_no_step_clause_is_costed_on_top_of_the_status_quos_steps(files):
    # 3 % for all, no word about steps: E1 20.60 (+24 a week) for 90 days, then step 2: 21 x 1.03 = 21.63
    # (+65.20) for 275 days; E2 41.20 (+9.60) all year.
    #   cash (24 x 90 + 65.20 x 275 + 9.60 x 365)/7 = (2,160 + 17,930 + 3,504)/7 = 23,594/7 = $3,370.57
    #   run-rate (65.20 + 9.60) x 365/7 = 27,302/7 = $3,900.29
    # Over the status quo: $3,370.57 - $1,571.43 = $1,799.14 cash, $3,900.29 - $2,085.71 = $1,814.58 run-rate.
    # (Costed as a freeze, as before issue 23, it was (24 + 9.60) x 365/7 = $1,752.00: below the status quo.)
    run = cost(files, MANAGEMENT)
    assert (year(run, 1)["cash_cost"], year(run, 1)["run_rate"]) == (dollars(23594, 7), dollars(27302, 7))
    assert items(run) == {SQ: (dollars(40 * 275, 7), dollars(40 * 365, 7)), "raises": (1799.14, 1814.58)}
    p = run.report["proposals"][0]
    assert p["over_status_quo"]["years"] == [{"year": 1, "cash_cost": 1799.14, "run_rate": 1814.58}]
    assert p["status_quo"]["years"] == [{"year": 1, "cash_cost": dollars(40 * 275, 7), "run_rate": dollars(40 * 365, 7)}]
    assert p["notes"] == ["Steps continue as in the status quo: one step on each hire-date anniversary, to the top step."]


def test_a_freeze_takes_the_status_quos_steps_back_and_says_so(files):
    # steps = "freeze": the freeze row takes back exactly the status quo's $1,571.43 / $2,085.71, then the raise
    # is costed on the frozen scale: (24 + 9.60) x 365/7 = $1,752.00 cash and run-rate.
    run = cost(files, MANAGEMENT.replace("years = 1\n", 'years = 1\nsteps = "freeze"\n'))
    assert items(run) == {SQ: (1571.43, 2085.71), "step freeze": (-1571.43, -2085.71), "raises": (1752.0, 1752.0)}
    p = run.report["proposals"][0]
    assert p["over_status_quo"]["years"] == [{"year": 1, "cash_cost": round(1752.0 - 1571.43, 2),
                                              "run_rate": round(1752.0 - 2085.71, 2)}]
    assert p["notes"][0].startswith('Steps frozen (steps = "freeze")')


def test_its_own_step_rules_replace_the_status_quos_and_say_so(files):
    # Everyone moves on 1 July instead of the anniversary: E1 moves 91 days later (1 April -> 1 July),
    # -$40 x 91/7 = -$520.00 of cash, the same run-rate.
    run = cost(files, HEAD + 'years = 1\n[[step_movement]]\neffective = 2026-01-01\nmoves_on = "fixed_date"\nstep_date = "07-01"\n')
    assert items(run) == {SQ: (1571.43, 2085.71), "step movement": (-520.0, 0.0)}
    assert "replace the status quo's one step on each hire-date anniversary" in run.report["proposals"][0]["notes"][0]


def test_a_freeze_and_step_rules_together_are_refused():
    from peerpay.models.proposal import loads_proposal

    with pytest.raises(ValueError, match='steps = "freeze" and \\[\\[step_movement\\]\\] both given'):
        loads_proposal(HEAD + 'years = 1\nsteps = "freeze"\n[[step_movement]]\neffective = 2026-01-01\n')
    with pytest.raises(ValueError, match="steps"):
        loads_proposal(HEAD + 'years = 1\nsteps = "frozen"\n')


def test_retro_pay_is_what_the_proposal_adds_over_the_status_quo(files):
    # 10 % for all from 2026-01-01, retro since 01-01 paid on 07-01 (181 days). E1's anniversary (04-01) is
    # inside the window: the status quo paid that step on time, so only the increment is back pay.
    #   E1 Jan-Mar: 22.00 vs 20.00: +80 a week, 90 days; Apr-Jun: 23.10 vs the status quo's 21.00: +84, 91 days
    #   E2: 44.00 vs 40.00: +32 a week, 181 days
    #   retro (80 x 90 + 84 x 91 + 32 x 181)/7 = (7,200 + 7,644 + 5,792)/7 = 20,636/7 = $2,948.00
    # (Retro on the whole cost, steps included, would be (7,200 + 124 x 91 + 5,792)/7 = $3,468.00.)
    run = cost(files, HEAD + "years = 1\n[[increase]]\neffective = 2026-01-01\npercent = 10\n"
                      "[retro]\nsince = 2026-01-01\npaid_on = 2026-07-01\n")
    assert run.report["proposals"][0]["retro_pay_to_members"] == dollars(20636, 7) == 2948.0


def test_each_proposal_over_the_status_quo_is_its_total_minus_the_status_quo(cost_sample):
    import json

    report = json.loads(cost_sample("json"))
    sq = report["status_quo"]
    for p in report["proposals"]:
        totals = [y for y in p["years"] if y["role"] == "TOTAL"]
        for t, s, o in zip(totals, sq["years"], p["over_status_quo"]["years"]):
            assert round(t["cash_cost"] - s["cash_cost"], 2) == o["cash_cost"]
            assert round(t["run_rate"] - s["run_rate"], 2) == o["run_rate"]
        # the item rows after the status quo's add up to the increment
        assert round(sum(i["term_cash_cost"] for i in p["items"][1:]), 2) == p["over_status_quo"]["term_cash_cost"]
        assert p["items"][0]["term_cash_cost"] == sq["term_cash_cost"]
