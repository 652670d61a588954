"""An audit's underpayments as a back-pay claim (``peerpay audit --claim``, docs/audit.md).

The back-pay measures (docs/formats.md §6: contract, FLSA, state, the claim and liquidated
damages; :func:`peerpay.core.backpay.compute_backpay`) are per workweek: each workweek stands
alone (29 CFR 778.104). What is owed is the policy's pay of the timesheet; what was paid is the
register's, **by component**, so that the FLSA measure can tell straight-time pay (base,
differentials, standby) from premiums (overtime, and holiday or call-back premiums at 1.5x or
more, which 207(h)(2) credits against overtime).

A register of workweeks gives each week's paid figures directly. A pay period of several whole
workweeks is shared among its weeks component by component in proportion to what each week owes
for it (largest remainder, so the weeks add up to the period's figure to the cent); a component
the period owes nothing of is shared by the hours worked, and with none, it goes to the period's
first week. Pay periods that cut a workweek are not shared out (the claim needs weeks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from .audit import HOURS_COLUMN, apportion, assign, line_column, owed_cents
from .backpay import BackpayResult

#: money columns of a pay line the measures read, by audit component
PAID_COLUMNS = ("base_pay", "holiday_premium", "standby_pay", "callback_premium", "minimum_shift_pay", "overtime_premium")


def paid_weeks(audit_lines: pd.DataFrame, owed_lines: pd.DataFrame, comps: Sequence[str]) -> pd.DataFrame:
    """What the register paid per employee and workweek, in the pay lines' columns (cents), with the
    week's hours worked and on call as the policy counts them (the hours are not in dispute; the pay is).

    ``audit_lines``: :func:`peerpay.core.audit.compare`'s frame (periods of whole workweeks);
    ``owed_lines``: the pay engine's lines. Only the weeks inside the register's periods are given.
    """
    periods = audit_lines[["employee_id", "period_start", "period_end"]].reset_index(drop=True)
    week = owed_lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64")
    at = assign(periods, owed_lines["employee_id"].to_numpy(dtype=object), week)
    inside = at >= 0
    # a period with pay and no owed week (paid for nothing worked) keeps its pay on its first day
    empty = np.setdiff1d(np.arange(len(periods)), at[inside])
    emp = np.r_[owed_lines["employee_id"].to_numpy(dtype=object)[inside], periods["employee_id"].to_numpy(dtype=object)[empty]]
    days = np.r_[week[inside], periods["period_start"].to_numpy(dtype="int64")[empty]]
    group = np.r_[at[inside], empty]

    def owed(col_values: np.ndarray) -> np.ndarray:
        return np.r_[col_values[inside], np.zeros(len(empty), dtype="int64")]

    worked = owed(owed_lines["worked_minutes"].to_numpy(dtype="int64"))
    out: dict[str, np.ndarray] = {"employee_id": emp, "week_start": days.astype("datetime64[D]").astype("datetime64[s]")}
    gross = np.zeros(len(group), dtype="int64")
    for c in comps:
        weight = owed(owed_cents(owed_lines, c))
        period_owed = pd.Series(weight).groupby(group).transform("sum").to_numpy()
        weight = np.where(period_owed > 0, weight, worked)
        share = apportion(audit_lines[f"paid:{c}"].to_numpy(dtype="int64"), group, weight)
        out[line_column(c)] = share
        gross += share
    for c in PAID_COLUMNS:
        out.setdefault(c, np.zeros(len(group), dtype="int64"))
    out["gross_pay"] = gross
    for c, col in HOURS_COLUMN.items():
        if c != "overtime":
            out[col] = owed(owed_lines[col].to_numpy(dtype="int64"))
    frame = pd.DataFrame(out)
    return frame.sort_values(["employee_id", "week_start"], kind="stable").reset_index(drop=True)


def claimed_weeks(result: BackpayResult, paid: pd.DataFrame) -> BackpayResult:
    """The underpaid weeks of the register: a week the register does not cover is not audited and
    claims nothing, and a week with no back wages under any measure is not a claim (an overpaid
    week never offsets another: each workweek stands alone, 29 CFR 778.104). The employees' sums follow."""
    keys = pd.MultiIndex.from_frame(paid[["employee_id", "week_start"]].astype({"employee_id": object, "week_start": "datetime64[s]"}))
    weeks = result.weeks
    here = pd.MultiIndex.from_frame(weeks[["employee_id", "week_start"]].astype({"employee_id": object, "week_start": "datetime64[s]"}))
    weeks = weeks[here.isin(keys) & (weeks["back_wages"].to_numpy() > 0)].reset_index(drop=True)
    sums = [c for c in result.employees.columns if c not in ("employee_id", "weeks")]
    employees = weeks.groupby("employee_id", sort=True).agg(weeks=("week_start", "size"), **{c: (c, "sum") for c in sums}).reset_index()
    return replace(result, weeks=weeks, employees=employees)
