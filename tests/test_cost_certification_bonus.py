"""Costing a certification bonus (issue 14): hand-worked, the arithmetic in the comments.

Baseline: two workweeks, 2025-11-02 (Sun) to 11-15 (Sat), 14 days.
  E1 peer_specialist step 1 ($20.00/h): week 1 Mon-Fri 09:00-18:00 = 45 h (5 h weekly overtime),
     week 2 Mon-Fri 09:00-17:00 = 40 h (no overtime).
  E2 rn step 1 ($40.00/h): week 1 Sun and Sat 09:00-13:00 = 8 h (one paid week only).
Contract years run from 2026-01-01. No on-costs, so cash cost = wages.
The bonus covers ``weeks`` workweeks: the holder's own baseline weeks in order, repeated
(E1: 45 h, 40 h, 45 h, 40 h for four weeks; E2: 8 h four times).
"""

from __future__ import annotations

import pytest

from peerpay.errors import InputError
from peerpay.jobs.cost import run_cost
from peerpay.models.proposal import loads_proposal
from tests.test_cost_handworked import NO_ON_COSTS, POLICY, ROSTER, SCHEDULE

TWO_WEEKS = "employee_id,start,end\nE2,2025-11-02 09:00,2025-11-02 13:00\n" + "".join(
    f"E1,2025-11-{d:02d} 09:00,2025-11-{d:02d} 18:00\n" for d in range(3, 8)) + "E2,2025-11-08 09:00,2025-11-08 13:00\n" + "".join(
    f"E1,2025-11-{d:02d} 09:00,2025-11-{d:02d} 17:00\n" for d in range(10, 15))

HEAD = 'name = "P"\nterm_start = 2026-01-01\nyears = 2\nsteps = "freeze"\n'  # the bonus alone: no status-quo steps


def bonus(extra: str = "") -> str:
    return HEAD + ('[[certification_bonus]]\neffective = 2026-01-01\ncredential = "CPRS"\namount = 400\nweeks = 4\n' + extra)


def cost(files, proposal: str, creds: str):
    paths = [files.write(n, t) for n, t in (("timesheet.csv", TWO_WEEKS), ("policy.toml", POLICY),
                                             ("roster.csv", ROSTER), ("schedule.csv", SCHEDULE), ("credentials.csv", creds))]
    return run_cost(*paths[:4], [loads_proposal(proposal)], NO_ON_COSTS, credentials=paths[4])


def total(run, y: int) -> dict:
    return next(r for r in run.report["proposals"][0]["years"] if r["year"] == y and r["role"] == "TOTAL")


CREDS = "employee_id,credential,from\nE1,CPRS,2026-03-10\nE2,CPRS,2024-01-01\n"


def test_a_holder_certified_in_the_term_is_paid_in_that_year_with_the_overtime_it_creates(files):
    run = cost(files, bonus(), CREDS)
    # E1 certified 2026-03-10 (year 1): $400 per_week = $100 in each of 45, 40, 45, 40 h.
    # 778.209(a): 100 / 45 h x 0.5 x 5 h = $5.5556 -> $5.56 in each 45-h week, $0 in the 40-h ones
    # = $11.12. E2 was certified before the offer and existing holders are not paid.
    assert total(run, 1)["cash_cost"] == 411.12
    assert total(run, 1)["run_rate"] == 0  # a one-off: nothing in the run-rate
    assert total(run, 2)["cash_cost"] == 0
    items = run.report["proposals"][0]["items"]
    assert [i["item"] for i in items] == ["status quo (current contract rolled forward)", "step freeze", "certification bonus"]
    assert items[2]["years"][0]["cash_cost"] == 411.12 and items[2]["years"][0]["overtime_knock_on"] == 11.12
    # the bonus is its own line, never inside lump sums (nor the overtime it creates)
    assert (total(run, 1)["certification_bonus"], total(run, 1)["lump_sums"]) == (400.0, 0.0)
    assert total(run, 1)["wages_cash_excl_lump_sums"] == 11.12  # the overtime it creates is wages


def test_existing_holders_are_paid_on_the_effective_date(files):
    run = cost(files, bonus("existing_holders = true\n"), CREDS)
    # + E2 on 2026-01-01: $400; $100 over 8 h each week, no overtime -> $0 knock-on. 411.12 + 400
    assert total(run, 1)["cash_cost"] == 811.12
    by_role = {r["role"]: r["cash_cost"] for r in run.report["proposals"][0]["years"] if r["year"] == 1}
    assert by_role["peer_specialist"] == 411.12 and by_role["rn"] == 400


def test_per_hour_allocation(files):
    run = cost(files, bonus('allocation = "per_hour"\n'), CREDS)
    # 40,000 cents over 2700, 2400, 2700, 2400 minutes (sum 10,200): floors 10,588 / 9,411 (x2) =
    # 39,998; remainders .235 and .765 -> the two cents go to the 40-h weeks: 10,588, 9,412, ...
    # overtime: 10,588 x 0.5 x 300 / 2,700 = 588.2 -> 588 cents in each 45-h week = $11.76
    assert total(run, 1)["cash_cost"] == 411.76


def test_the_contract_year_of_certification_and_after_the_term(files):
    run = cost(files, bonus(), "employee_id,credential,from\nE1,CPRS,2027-02-01\nE2,CPRS,2028-06-01\n")
    # E1 certified in year 2 (2027): paid then; E2 after the term (ends 2027-12-31): never
    assert total(run, 1)["cash_cost"] == 0 and total(run, 2)["cash_cost"] == 411.12


def test_items_add_up_to_the_total_beside_a_raise(files):
    run = cost(files, bonus() + "[[increase]]\neffective = 2026-01-01\npercent = 3\n", CREDS)
    p = run.report["proposals"][0]
    assert [i["item"] for i in p["items"]][1:] == ["step freeze", "raises", "certification bonus"]
    assert round(sum(i["term_cash_cost"] for i in p["items"]), 2) == p["term_cash_cost"]
    assert p["items"][-1]["term_cash_cost"] == 411.12  # the bonus is not rate-dependent


def test_a_credential_no_one_holds_is_an_error_not_zero(files):
    with pytest.raises(InputError, match="no employee holds credential 'CPSS'"):
        cost(files, bonus().replace('"CPRS"', '"CPSS"'), CREDS)
