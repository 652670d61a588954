"""A member's statement (``--employee ID``): "what does this mean for me?", year by year.

For one employee and each proposal: the step and hourly rate on the last day of each contract
year (raises, anniversaries and floors all show in the one rate), that year's across-the-board
raise, the annual pay at that rate (their own baseline hours re-paid, differentials and
overtime included), the pay received in the year (changes prorated from their dates, lump sums)
and the retro pay. Every change printed is the difference of the two figures printed beside it,
and every percent says what it is a percent of.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from ...models.proposal import COMPONENTS, OnCosts, Proposal
from ..money import RATE_SCALE
from .baseline import PAY_COMPONENTS, Baseline
from .cost import cost_proposal
from .dates import steps_on
from .figures import dollars, pct
from .rates import proposed_rate, raises_in


def member_statement(proposals: list[Proposal], baseline: Baseline, employee_id: str) -> dict:
    """One employee's rate and annual pay, year by year, under each proposal."""
    if employee_id not in baseline.costs.index:  # no did-you-mean: it would print another employee's id
        raise ValueError(f"--employee: no employee {employee_id!r} with shifts in the timesheet")
    one = replace(baseline, costs=baseline.costs.loc[[employee_id]])
    kinds = baseline.kinds[baseline.kinds["employee_id"] == employee_id]
    main = kinds.sort_values("on_schedule", ascending=False, kind="stable").iloc[0]
    role, roster_step = str(main["role"]), int(main["step"])
    base_annual = sum((Fraction(int(one.costs.iloc[0][c])) for c in PAY_COMPONENTS), Fraction(0)) * baseline.factor
    base_rate = int(main["rate_units"])
    today_pay = Fraction(dollars(base_annual)).limit_denominator(100)
    out: dict = {"employee_id": employee_id, "role": role, "step": roster_step, "rate": base_rate / RATE_SCALE,
                 "annual_pay": dollars(base_annual), "proposals": []}
    no_on_costs = {c: Fraction(0) for c in [*COMPONENTS, "certification_bonus"]}
    for p in proposals:
        costed = cost_proposal(p, one, OnCosts())
        rows = []
        for yr in costed["years"]:
            day = yr["to"]
            step_now = int(steps_on(p, baseline, np.array([employee_id], dtype=object),
                                    np.array([day], dtype="datetime64[D]"))[0])
            units, step = proposed_rate(p, baseline, role, roster_step, step_now, base_rate, bool(main["on_schedule"]), day)
            run = sum(yr["run_rate"].total(no_on_costs), Fraction(0))
            cash = sum(yr["cash"].total(no_on_costs), Fraction(0))
            annual = Fraction(dollars(base_annual + run)).limit_denominator(100)
            raise_pct, raise_cents = raises_in(p, role, step, yr["from"], day)
            rows.append({
                "year": yr["year"], "label": f"Year {yr['year']}", "from": yr["from"].isoformat(), "to": day.isoformat(),
                "step": step, "rate": units / RATE_SCALE,
                "raise_pct": pct(raise_pct, 1), "raise_cents_per_hour": float(raise_cents),
                "rate_change": (units - base_rate) / RATE_SCALE,
                "rate_change_pct": pct(Fraction(units - base_rate), Fraction(base_rate)),
                "annual_pay": float(annual), "annual_pay_change": float(annual - today_pay),
                "annual_pay_change_pct": pct(annual - today_pay, today_pay),
                "cash_in_year": dollars(base_annual + cash),
            })
        out["proposals"].append({"name": p.name, "years": rows,
                                 "retro_pay": dollars(costed["retro_wages"]) if p.retro else None})
    return out
