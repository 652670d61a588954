"""The roll-up: on-costs on the pay components they apply to, exact amounts by role, the wage base.

Each on-cost is a percent of the pay components in its ``applies_to`` (the roll-up matrix), or
a fixed amount per FTE. A certification bonus is rolled up as a lump sum (it is one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

import pandas as pd

from ...models.proposal import COMPONENTS, OnCosts
from .baseline import PAY_COMPONENTS, Baseline

#: Money kept apart from ``lump_sum`` in the figures, rolled up as one (docs/costing.md).
CERTIFICATION_BONUS = "certification_bonus"


def on_cost_rates(on_costs: OnCosts) -> dict[str, Fraction]:
    """Component -> total on-cost percent that applies to it (the roll-up matrix, summed)."""
    rates = {c: Fraction(0) for c in COMPONENTS}
    for oc in on_costs.on_cost:
        for c in oc.components():
            rates[c] += Fraction(oc.percent)
    rates[CERTIFICATION_BONUS] = rates["lump_sum"]
    return rates


def roll_up_matrix(on_costs: OnCosts) -> pd.DataFrame:
    """One row per on-cost, one column per pay component: the percent it charges (0 = not)."""
    rows = []
    for oc in on_costs.on_cost:
        applies = set(oc.components())
        rows.append({"on_cost": oc.name, **{c: float(oc.percent) if c in applies else 0.0 for c in COMPONENTS}})
    return pd.DataFrame(rows, columns=["on_cost", *COMPONENTS])


@dataclass
class Money:
    """Exact amounts in cents (Fractions) per role, for wages (by component) and on-costs."""

    wages: dict  # role -> {component: Fraction cents}
    #: role -> on-cost cents added to the percent roll-up (negative: a wage-base cap reached)
    on_cost_adjust: dict = field(default_factory=dict)

    def total(self, rates: dict[str, Fraction], role: str | None = None) -> tuple[Fraction, Fraction]:
        """(wages, on-costs) of one role, or of all."""
        roles = [role] if role else list(self.wages)
        w = sum((sum(self.wages[r].values(), Fraction(0)) for r in roles if r in self.wages), Fraction(0))
        oc = sum((v * rates[c] / 100 for r in roles if r in self.wages for c, v in self.wages[r].items()), Fraction(0))
        oc += sum((self.on_cost_adjust.get(r, Fraction(0)) for r in roles), Fraction(0))
        return w, oc

    def component(self, name: str, role: str | None = None) -> Fraction:
        """One pay component's wages, of one role or all."""
        return sum((v.get(name, Fraction(0)) for r, v in self.wages.items() if role in (None, r)), Fraction(0))


def by_role(frame: pd.DataFrame, roles: pd.Series, columns, scale: Fraction) -> dict:
    """Sum integer columns by role, then scale exactly: {role: {column: Fraction}}."""
    g = frame[list(columns)].groupby(roles.to_numpy(dtype=object)).sum()
    return {r: {c: Fraction(int(g.at[r, c])) * scale for c in columns} for r in g.index}


def money_diff(a: Money, b: Money, share: Fraction) -> Money:
    """share x (a - b), by role and component (and on-cost adjustment)."""
    roles = set(a.wages) | set(b.wages)
    comps = [*COMPONENTS, CERTIFICATION_BONUS]
    wages = {r: {c: share * (a.wages.get(r, {}).get(c, 0) - b.wages.get(r, {}).get(c, 0)) for c in comps}
             for r in roles}
    adj = {r: share * (a.on_cost_adjust.get(r, 0) - b.on_cost_adjust.get(r, 0))
           for r in set(a.on_cost_adjust) | set(b.on_cost_adjust)}
    return Money(wages, adj)


def money_add(a: Money, b: Money) -> Money:
    roles = set(a.wages) | set(b.wages)
    wages = {r: {c: Fraction(a.wages.get(r, {}).get(c, 0)) + b.wages.get(r, {}).get(c, 0)
                 for c in set(a.wages.get(r, {})) | set(b.wages.get(r, {}))} for r in roles}
    adj = {r: Fraction(a.on_cost_adjust.get(r, 0)) + b.on_cost_adjust.get(r, 0)
           for r in set(a.on_cost_adjust) | set(b.on_cost_adjust)}
    return Money(wages, adj)


# --- the social security wage base ---------------------------------------------------------------


def _capped(on_costs: OnCosts):
    return [oc for oc in on_costs.on_cost if oc.wage_base is not None and oc.percent]


def _base_by_employee(baseline: Baseline, comps) -> dict:
    """Annualised baseline pay (cents) per employee over the given components."""
    cols = [c for c in comps if c in PAY_COMPONENTS]
    sums = baseline.costs[cols].sum(axis=1) if cols else pd.Series(0, index=baseline.costs.index)
    return {e: Fraction(int(v)) * baseline.factor for e, v in sums.items()}


def baseline_wage_base_adjustment(on_costs: OnCosts, baseline: Baseline, roles: pd.Series) -> dict:
    """Role -> on-cost cents not charged on the baseline because pay above the wage base is exempt."""
    out: dict = {}
    for oc in _capped(on_costs):
        cap = Fraction(oc.base_for(baseline.last_day)) * 100
        for e, b in _base_by_employee(baseline, oc.components()).items():
            if b > cap:
                r = roles[e]
                out[r] = out.get(r, Fraction(0)) + Fraction(oc.percent) / 100 * (cap - b)
    return out


def wage_base_adjustment(on_costs: OnCosts, baseline: Baseline, frame: pd.DataFrame, days_in, ydays: int,
                         start: dt.date, one_offs: dict, kind: str) -> dict:
    """Role -> correction to the percent roll-up of a year's added pay for on-costs with a wage base.

    Per employee with baseline pay B and added pay D (cash: prorated, with the year's one-off
    payments ``one_offs``, cents per employee; run-rate: the full year's), the on-cost on D is
    p x (min(B + D, cap) - min(B, cap)), not p x D.
    """
    cols = list(PAY_COMPONENTS)
    scale = baseline.factor / ydays if kind == "cash" else baseline.factor
    vals = frame[cols].mul(days_in, axis=0) if days_in is not None else frame[cols]
    per_emp = vals.groupby(frame["employee_id"].to_numpy(dtype=object)).sum()
    role_of = baseline.role_of()
    out: dict = {}
    for oc in _capped(on_costs):
        cap = Fraction(oc.base_for(start)) * 100
        comps = oc.components()
        base = _base_by_employee(baseline, comps)
        pc = [c for c in comps if c in PAY_COMPONENTS]
        for e, row in per_emp.iterrows():
            d = Fraction(int(row[pc].sum())) * scale + (one_offs.get(e, 0) if "lump_sum" in comps and kind == "cash" else 0)
            b = base[e]
            fix = Fraction(oc.percent) / 100 * (min(b + d, cap) - min(b, cap) - d)
            if fix:
                out[role_of[e]] = out.get(role_of[e], Fraction(0)) + fix
    return out
