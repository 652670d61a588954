"""Figures that add up and say what they are (issue 23): footing by largest remainder, the member's
statement's years, raises and changes, the certification bonus apart from lump sums.
"""

from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from peerpay.core.costing import round_to_total
from peerpay.core.costing.rates import half_up

ADDING = ("cash_cost", "run_rate", "wages_cash", "on_costs_cash", "lump_sums", "certification_bonus",
          "wages_cash_excl_lump_sums")


def test_largest_remainder_by_hand():
    # three roles of exactly half a cent each: each rounds half-up to 1 cent (3 in all), but the total is
    # 1.5 cents -> 2. Largest remainder: floors 0, 0, 0; the 2 cents left go to the first two (equal remainders:
    # the earlier line).
    assert round_to_total([Fraction(1, 2)] * 3) == ([1, 1, 0], 2)
    # $10.004 + $20.004 + $30.004 = $60.012 -> $60.01: 10.00 + 20.00 + 30.01? no: floors 1000, 2000, 3000 (6000),
    # one cent left, all remainders 0.4: the first line takes it
    assert round_to_total([Fraction(10004, 1000) * 100, Fraction(20004, 1000) * 100, Fraction(30004, 1000) * 100]) == \
        ([1001, 2000, 3000], 6001)
    # negative lines (a saving) foot as well: -0.6 - 0.6 = -1.2 -> -1; floors -1, -1; +1 to the first
    assert round_to_total([Fraction(-6, 10), Fraction(-6, 10)]) == ([0, -1], -1)


@given(st.lists(st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**4), min_size=1, max_size=12))
def test_parts_add_up_to_the_total_and_move_less_than_a_cent(parts):
    shown, total = round_to_total(parts)
    assert sum(shown) == total == half_up(sum(parts, Fraction(0)))
    assert all(abs(s - p) < 1 for s, p in zip(shown, parts))


def test_the_roles_foot_to_their_total_on_the_samples(cost_sample):
    report = json.loads(cost_sample("json"))
    cents = lambda v: round(v * 100)
    for p in report["proposals"]:
        for y in {r["year"] for r in p["years"]}:
            rows = [r for r in p["years"] if r["year"] == y]
            total = next(r for r in rows if r["role"] == "TOTAL")
            for k in ADDING:
                assert sum(cents(r[k]) for r in rows if r["role"] != "TOTAL") == cents(total[k]), (p["name"], y, k)
            for r in rows:  # and each line adds across: wages + on-costs = cash
                assert cents(r["wages_cash"]) + cents(r["on_costs_cash"]) == cents(r["cash_cost"])
    base = report["baseline"]["by_role"]
    for k in ("wages", "on_costs", "total", "annual_hours", "fte", "employees"):
        assert sum(cents(r[k]) for r in base[:-1]) == cents(base[-1][k]), k


def test_a_members_statement_prints_years_raises_and_changes_exactly(cli):
    from conftest import COST_SAMPLE_ARGS

    out = cli([*COST_SAMPLE_ARGS, "--employee", "HL004", "--employee", "HL002", "-f", "json"])
    assert out.exit_code == 0, out.stderr
    report = json.loads(out.stdout)
    assert [m["employee_id"] for m in report["members"]] == ["HL004", "HL002"] and report["member"] == report["members"][0]
    m = report["members"][0]
    mgmt = next(p for p in m["proposals"] if p["name"] == "Management proposal")
    # management: 3 % then 2.5 %, 2.5 %: printed as the raise itself, a percent of the rate before it
    assert [y["raise_pct"] for y in mgmt["years"]] == [3.0, 2.5, 2.5]
    assert [y["label"] for y in mgmt["years"]] == ["Year 1", "Year 2", "Year 3"]
    for p in m["proposals"]:
        for y in p["years"]:  # every change is the difference of the two figures printed
            assert round(y["rate"] - m["rate"], 4) == y["rate_change"]
            assert round(y["annual_pay"] - m["annual_pay"], 2) == y["annual_pay_change"]
            assert y["rate_change_pct"] == round(100 * (y["rate"] - m["rate"]) / m["rate"] + 1e-9, 2)
    md = cli([*COST_SAMPLE_ARGS, "--employee", "HL004", "-f", "md"]).stdout
    block = md[md.index("Member's statement: HL004"):]
    block = block[:block.index("\n## ")]
    assert "| Year 1 " in block and "1.00 " not in block.split("\n")[4][:40]  # "Year 1", never "1.00"
    assert "today" in block and "raise this year (% of the rate before it)" in block


def test_the_union_member_raise_shows_its_percent_and_cents(cli):
    from conftest import COST_SAMPLE_ARGS

    report = json.loads(cli([*COST_SAMPLE_ARGS, "--employee", "HL002", "-f", "json"]).stdout)
    union = report["member"]["proposals"][0]
    # union year 1: 5 % and 75 cents for peers, both on 2026-07-01
    assert (union["years"][0]["raise_pct"], union["years"][0]["raise_cents_per_hour"]) == (5.0, 75.0)
