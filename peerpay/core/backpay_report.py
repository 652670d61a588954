"""The back-pay report: docs/formats.md §6's JSON object, plus the week's arithmetic (additive keys).

One dict serves every format (table, CSV, JSON, Markdown, XLSX, HTML) and the per-employee
statements, so that every figure is the same wherever it is shown. Money is rounded in
:mod:`peerpay.core.backpay` / :mod:`peerpay.core.measures` (each measure once, per week); here
whole cents become dollars and minutes hours, nothing is recomputed.
"""

from __future__ import annotations

import numpy as np

from ..errors import Problem
from .backpay import CITATIONS, BackpayResult
from .measures import federal_rules
from .money import cents_to_dollars, ratio_half_up
from .report import hours, regular_rate
from .wage_law import FEDERAL_LABEL, weighted_minimum

#: The measures, in the order every format shows them.
MEASURES = ("contract_back_wages", "flsa_back_wages", "state_back_wages", "back_wages")
#: Per-employee and total money, in order.
EMPLOYEE_MONEY = (*MEASURES, "liquidated_damages", "total_owed")
#: A week's arithmetic (additive keys, after the pinned ones): hours, pay, each measure's parts.
ARITHMETIC_MONEY = ("base_pay_owed", "differential_pay_owed", "standby_pay_owed", "straight_time_paid", "stipend_pay",
                    "premium_credits", "flsa_required", "flsa_straight_time_due", "flsa_overtime_required", "flsa_overtime_due",
                    "state_required", "state_straight_time_due", "state_overtime_required", "state_overtime_due")
RATES = ("federal_minimum_wage", "state_minimum_wage", "flsa_regular_rate", "state_regular_rate")


def _rate(num, den) -> float:
    """The regular rate (:func:`peerpay.core.report.regular_rate`), 0 for a week without hours."""
    return regular_rate(int(num), int(den)) if int(den) else 0.0


def week_record(w: dict) -> dict:
    """One row of ``result.weeks`` (as a dict) -> the report's week."""
    c = cents_to_dollars
    out = {
        "employee_id": str(w["employee_id"]), "week_start": str(np.datetime64(w["week_start"], "D")),
        "unpaid_hours": hours(int(w["unpaid_minutes"])),
        "paid_gross": c(w["paid_gross"]), "owed_gross": c(w["owed_gross"]),
        **{k: c(w[k]) for k in MEASURES},
        "liquidated_damages": c(w["liquidated_damages"]), "total_owed": c(w["total_owed"]),
        "paid_hours": hours(int(w["paid_minutes"])), "stipend_hours": hours(int(w["stipend_minutes"])),
        "hours_worked": hours(int(w["hours_minutes"])), "unpaid_on_call_hours": hours(int(w["unpaid_on_call_minutes"])),
        "base_rates": [ratio_half_up(int(r), 10_000, 4) for r in w["base_rates"]],
        "base_pay_owed": c(w["base_pay_owed"]), "differential_pay_owed": c(w["differential_pay_owed"]),
        "standby_pay_owed": c(w["standby_pay_owed"]), "stipend_pay": c(w["stipend_pay"]),
        "straight_time_paid": c(w["straight_paid"]), "overtime_premium_paid": c(w["overtime_premium_paid"]),
        "premium_credits": c(w["credits"]),
        **_measure_keys("flsa", "federal_minimum_wage", w),
        **_measure_keys("state", "state_minimum_wage", w),
        "activities": list(w["activities"]),
    }
    out["minimum_wage"] = out["state_minimum_wage"]  # the key's meaning before the federal one was kept apart
    return out


def _measure_keys(prefix: str, minimum_key: str, w: dict) -> dict:
    c = cents_to_dollars
    return {
        f"{prefix}_method": str(w[f"{prefix}_method"]),
        minimum_key: weighted_minimum(w[f"{prefix}_minimum_amount"], w["hours_minutes"]),
        f"{prefix}_overtime_hours": hours(int(w[f"{prefix}_overtime_minutes"])),
        f"{prefix}_regular_rate": _rate(w[f"{prefix}_rate_num"], w[f"{prefix}_rate_den"]),
        f"{prefix}_required": c(w[f"{prefix}_required"]),
        f"{prefix}_straight_time_due": c(w[f"{prefix}_straight_due"]),
        f"{prefix}_overtime_required": c(w[f"{prefix}_overtime_required"]),
        f"{prefix}_overtime_due": c(w[f"{prefix}_overtime_due"]),
    }


def backpay_report(result: BackpayResult, rejected: list[Problem], policy=None) -> dict:
    """docs/formats.md §6's object (as_of, lookback_years, weeks, employees, rejected, totals) plus
    additive keys: each week's arithmetic, the state's limitation period, the minimum wages used
    and their labels, the overtime rules, notes."""
    weeks = [week_record(w) for w in result.weeks.to_dict("records")]  # the listed weeks: tens to thousands
    e = result.employees
    employees = []
    for r in e.to_dict("records"):
        employees.append({
            "employee_id": str(r["employee_id"]), "unpaid_hours": hours(int(r["unpaid_minutes"])),
            **{k: cents_to_dollars(r[k]) for k in EMPLOYEE_MONEY},
            "weeks": int(r["weeks"]), "unpaid_on_call_hours": hours(int(r["unpaid_on_call_minutes"])),
            "stipend_hours": hours(int(r["stipend_minutes"])),
        })
    total = {k: int(e[k].sum()) if len(e) else 0 for k in EMPLOYEE_MONEY}
    totals = {"unpaid_hours": hours(int(e["unpaid_minutes"].sum()) if len(e) else 0),
              **{k: cents_to_dollars(v) for k, v in total.items()}}
    rules = federal_rules(policy) if policy is not None else None
    return {
        "as_of": result.as_of.isoformat(),
        "lookback_years": int(result.lookback_years),
        "weeks": weeks,
        "employees": employees,
        "rejected": [p.as_json() for p in rejected],
        "totals": totals,
        "lookback_from": result.cutoff.isoformat(),
        "state_lookback_years": int(result.state_limitation.years),
        "state_lookback_from": result.state_cutoff.isoformat(),
        "state_lookback_source": result.state_limitation.source,
        "liquidated": result.liquidated != "none",  # as before: whether liquidated damages are claimed
        "liquidated_damages_basis": result.liquidated,
        "minimum_wage": {"jurisdiction": result.minimum.jurisdiction, "federal": FEDERAL_LABEL, "state": result.minimum.describe(),
                         "basis": result.minimum.describe()},
        "overtime_rules": {"federal": rules.name if rules else "", "state": rules.name if rules else "",
                           "citation": rules.citation if rules else ""},
        "notes": [f"{k}: {v}" for k, v in CITATIONS.items()]
        + ["Each measure is computed exactly and rounded once per week; the parts shown (straight time, overtime) are rounded "
           "on their own and may differ from the measure by a cent.",
           "Figures computed by peerpay; not legal advice."],
    }
