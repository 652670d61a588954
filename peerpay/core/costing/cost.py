"""What one proposal costs, year by year: cash, run-rate, lump sums, certification bonuses and retro.

For each employee the contract year is split at the days their state may change
(:func:`.dates.breakpoints`); each piece costs (state - baseline) x its days / the days in the
year, exactly (integer cents x days over one denominator). Lump sums and certification bonuses
are cash in the year they are paid, never in the run-rate. Retro pay is what the proposal adds
*over the status quo* between ``retro.since`` and ``retro.paid_on``: the status quo's own steps
are paid on time and are never back pay.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from ...models.proposal import OnCosts, Proposal
from ..money import HOURS_PER_FTE_YEAR
from .baseline import PAY_COMPONENTS, Baseline, from_day_number
from .checks import check_proposal
from .dates import breakpoints, contract_years, employed_on, status_quo, steps_on
from .rates import policy_on
from .rollup import (CERTIFICATION_BONUS, Money, baseline_wage_base_adjustment, by_role, on_cost_rates,
                     wage_base_adjustment)


def cost_proposal(proposal: Proposal, baseline: Baseline, on_costs: OnCosts, with_retro: bool = True) -> dict:
    """Year by year: cash cost, run-rate and lift over the baseline, per role and in total (exact).

    ``with_retro=False`` skips the retro lines (the item-by-item costing's partial proposals need
    them only when a ratification date takes leavers' retro out of the cash).
    """
    from .turnover import ReplacementView, cost_with_turnover

    check_proposal(proposal, baseline)
    replaced = isinstance(proposal, ReplacementView)
    if proposal.turnover is not None and not replaced:
        return cost_with_turnover(proposal, baseline, on_costs, with_retro)
    rates = on_cost_rates(on_costs)
    role_of = baseline.role_of()
    points = breakpoints(proposal, baseline)
    merged = _deltas(proposal, baseline, points)
    over_sq = None
    retro_window = proposal.retro if with_retro else None
    if retro_window is not None and not replaced:
        sq = _deltas(status_quo(proposal.term_start, proposal.years), baseline, points)
        over_sq = merged[list(PAY_COMPONENTS)] - sq[list(PAY_COMPONENTS)]
    result_years = []
    retro = retro_wages = Fraction(0)
    for y, (start, end) in enumerate(contract_years(proposal), 1):
        ydays = (end - start).days + 1
        sel = (merged["year"] == y).to_numpy()
        m = merged[sel]
        days_in = np.array([(u - d).days for d, u in zip(m["day"], m["until"])], dtype="int64")
        cash = by_role(m[list(PAY_COMPONENTS)].mul(days_in, axis=0), m["role"], PAY_COMPONENTS, baseline.factor / ydays)
        last = m.groupby("employee_id").tail(1)
        run = by_role(last, last["role"], PAY_COMPONENTS, baseline.factor)
        one_offs: dict = {}
        for e, amount in lump_sums_by_employee(proposal, baseline, start, end).items():
            comps = cash.setdefault(role_of[e], _zero())
            comps["lump_sum"] = comps.get("lump_sum", Fraction(0)) + amount
            one_offs[e] = one_offs.get(e, Fraction(0)) + amount
        for e, (amount, extra_ot) in certification_bonuses(proposal, baseline, start, end).items():
            comps = cash.setdefault(role_of[e], _zero())
            comps[CERTIFICATION_BONUS] = comps.get(CERTIFICATION_BONUS, Fraction(0)) + amount
            comps["overtime_premium"] = comps.get("overtime_premium", Fraction(0)) + extra_ot
            one_offs[e] = one_offs.get(e, Fraction(0)) + amount
        if over_sq is not None and retro_window is not None:
            lo, hi = max(start, retro_window.since), min(end + dt.timedelta(days=1), retro_window.paid_on)
            if lo < hi:
                inc = over_sq[sel]
                overlap = np.array([max((min(u, hi) - max(d, lo)).days, 0) for d, u in zip(m["day"], m["until"])])
                rp = by_role(inc.mul(overlap, axis=0), m["role"], PAY_COMPONENTS, baseline.factor / ydays)
                lost = forfeited_retro(proposal, baseline, m, inc, lo, hi, ydays)
                for r, comps in lost.items():  # not employed on the ratification date: no retro
                    for c, v in comps.items():
                        rp[r][c] -= v
                        cash[r][c] -= v
                rw, roc = Money(rp).total(rates)
                retro_wages += rw
                retro += rw + roc
        cash_m, run_m = Money(cash), Money(run)
        if any(oc.wage_base is not None for oc in on_costs.on_cost):
            cash_m.on_cost_adjust = wage_base_adjustment(on_costs, baseline, m, days_in, ydays, start, one_offs, "cash")
            run_m.on_cost_adjust = wage_base_adjustment(on_costs, baseline, last, None, ydays, start, {}, "run")
        result_years.append({"year": y, "from": start, "to": end, "cash": cash_m, "run_rate": run_m})
    return {"proposal": proposal, "years": result_years, "retro": retro, "retro_wages": retro_wages, "rates": rates}


def _zero() -> dict:
    return {c: Fraction(0) for c in PAY_COMPONENTS}


def _deltas(proposal: Proposal, baseline: Baseline, points: pd.DataFrame) -> pd.DataFrame:
    """Per (employee, year, day) point: the state's period cost minus the baseline's, per component,
    the day the state ends (``until``, exclusive) and the employee's roster role."""
    from .states import state_costs

    states = state_costs(proposal, baseline, points)
    merged = points.merge(states, on=["employee_id", "day"], how="left")
    cols = list(PAY_COMPONENTS)
    base = baseline.costs.loc[merged["employee_id"], cols].to_numpy(dtype="int64")
    merged[cols] = merged[cols].to_numpy(dtype="int64") - base
    years = contract_years(proposal)
    nxt = merged.groupby(["employee_id", "year"])["day"].shift(-1)
    ends = np.array([years[y - 1][1] + dt.timedelta(days=1) for y in merged["year"]], dtype=object)
    merged["until"] = np.where(nxt.isna(), ends, nxt.to_numpy(dtype=object))
    merged["role"] = merged["employee_id"].map(baseline.role_of())
    return merged


def eligible_on(proposal: Proposal, baseline: Baseline, employee_id, day: dt.date) -> bool:
    """Paid a one-off on ``day``: employed on that day and, with a ratification date, on that one too."""
    if not employed_on(baseline, employee_id, day):
        return False
    return proposal.ratification_date is None or employed_on(baseline, employee_id, proposal.ratification_date)


def lump_sums_by_employee(proposal: Proposal, baseline: Baseline, start: dt.date, end: dt.date) -> dict:
    """Lump sums paid in [start, end], in cents per employee.

    Eligibility is read on the pay date: employed that day (hire date on or before it, no end
    date before it), on a role and a step (the step held *that day*) the lump sum names, and
    employed on the ratification date when the proposal has one.
    """
    ros = baseline.roster.set_index("employee_id")
    emps = baseline.costs.index.to_numpy(dtype=object)
    out: dict = {}
    for ls in proposal.lump_sum:
        if not start <= ls.effective <= end:
            continue
        step = steps_on(proposal, baseline, emps, np.full(len(emps), np.datetime64(ls.effective, "D")))
        for e, s in zip(emps, step):
            if not ls.applies(ros.at[e, "role"], int(s)) or not eligible_on(proposal, baseline, e, ls.effective):
                continue
            share = Fraction(str(ros.at[e, "fte"])) if ls.prorate_fte and pd.notna(ros.at[e, "fte"]) else Fraction(1)
            out[e] = out.get(e, Fraction(0)) + Fraction(ls.amount) * 100 * share
    return out


def certification_bonuses(proposal: Proposal, baseline: Baseline, start: dt.date, end: dt.date) -> dict:
    """Certification bonuses paid in [start, end]: per employee, (bonus cents, extra overtime cents).

    A holder (credentials file or roster) certified on day d is paid on d when ``effective`` <= d
    <= the term's end, or on ``effective`` when d is earlier and ``existing_holders = true``, if
    employed on that day and on a role and step (held that day) the bonus names. The bonus covers
    ``weeks`` workweeks: the holder's own paid weeks of the baseline period in order (repeated when
    the bonus covers more weeks than the period has). Its overtime knock-on is
    :func:`peerpay.core.joint.bonus_overtime` on those weeks (29 CFR 778.209): the same code
    ``pay`` uses, under the policy in force on the day it is paid.
    """
    from ..joint import bonus_overtime

    out: dict = {}
    if not proposal.certification_bonus:
        return out
    ros = baseline.roster.set_index("employee_id")
    weeks = baseline.weeks.sort_values(["employee_id", "week_start"], kind="stable")
    by_emp = {e: g for e, g in weeks.groupby("employee_id", sort=False)}
    for cb in proposal.certification_bonus:
        eff = proposal.effective_date(cb.effective)
        table = baseline.credentials.get(cb.credential)
        if table is None:
            continue
        for e, day in table["since"].items():
            if e not in baseline.costs.index:
                continue
            certified = from_day_number(int(day))
            paid = certified if certified >= eff else (eff if cb.existing_holders else None)
            if paid is None or paid > proposal.term_end or not start <= paid <= end:
                continue
            step = int(steps_on(proposal, baseline, np.array([e], dtype=object), np.array([paid], dtype="datetime64[D]"))[0])
            if not cb.applies(ros.at[e, "role"], step) or not employed_on(baseline, e, paid):
                continue
            own = by_emp[e]
            pick = np.arange(cb.weeks) % len(own)
            covered = own.iloc[pick][["worked_minutes", "overtime_minutes"]]
            cents = int(Decimal(cb.amount) * 100)
            extra = bonus_overtime(cents, covered, policy_on(proposal, baseline.policy, paid), cb.allocation)
            amount, ot = out.get(e, (Fraction(0), Fraction(0)))
            out[e] = (amount + cents, ot + int(extra["bonus_overtime"].sum()))
    return out


def forfeited_retro(proposal: Proposal, baseline: Baseline, m: pd.DataFrame, increment: pd.DataFrame,
                    lo: dt.date, hi: dt.date, ydays: int) -> dict:
    """Retro pay (cents per role and component) of leavers not employed on the ratification date:
    the part of [lo, hi) up to their last day. After it, whoever works the hours gets the retro."""
    if proposal.ratification_date is None:
        return {}
    gone = {e for e in m["employee_id"].unique() if not employed_on(baseline, e, proposal.ratification_date)}
    if not gone:
        return {}
    ends = baseline.roster.set_index("employee_id")["end_date"]
    keep = m["employee_id"].isin(gone).to_numpy()
    rows, inc = m[keep], increment[keep]
    stop = [min(hi, pd.Timestamp(ends[e]).date() + dt.timedelta(days=1)) if pd.notna(ends[e]) else lo
            for e in rows["employee_id"]]
    overlap = np.array([max((min(u, s) - max(d, lo)).days, 0) for d, u, s in zip(rows["day"], rows["until"], stop)])
    return by_role(inc.mul(overlap, axis=0), rows["role"], PAY_COMPONENTS, baseline.factor / ydays)


def baseline_summary(baseline: Baseline, on_costs: OnCosts) -> dict:
    """Per role: employees, annual hours, FTE, annual wages and on-costs (exact)."""
    rates = on_cost_rates(on_costs)
    base = baseline.costs
    roles = base.index.to_series().map(baseline.role_of())
    wages = Money(by_role(base, roles, PAY_COMPONENTS, baseline.factor))
    minutes = base["worked_minutes"].groupby(roles.to_numpy(dtype=object)).sum()
    fte_roster = base.index.to_series().map(baseline.roster.set_index("employee_id")["fte"]).to_numpy(dtype="float64")
    hours_emp = [Fraction(int(m)) * baseline.factor / 60 for m in base["worked_minutes"]]
    fte_emp = [Fraction(str(f)) if np.isfinite(f) else h / HOURS_PER_FTE_YEAR for f, h in zip(fte_roster, hours_emp)]
    out = {}
    capped = baseline_wage_base_adjustment(on_costs, baseline, roles)
    per_fte = sum((Fraction(oc.per_fte) * 100 for oc in on_costs.on_cost if oc.per_fte is not None), Fraction(0))
    for r in sorted(wages.wages):
        w, oc = wages.total(rates, r)
        mask = (roles == r).to_numpy()
        fte = sum((f for f, k in zip(fte_emp, mask) if k), Fraction(0))
        out[r] = {
            "employees": int(mask.sum()),
            "hours": Fraction(int(minutes[r])) * baseline.factor / 60,
            "fte": fte,
            "wages": w,
            "on_costs": oc + capped.get(r, Fraction(0)) + per_fte * fte,
        }
    return out
