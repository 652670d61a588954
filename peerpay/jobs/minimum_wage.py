"""The minimum wage of the days worked, in a pay run (``pay`` and ``validate`` warn) and for the
back-pay and stipend jobs: the shipped tables read, and the workweeks paid below the minimum.

Light on imports: ``peerpay pay`` runs this check on every report.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from io import StringIO
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core import wage_law
from ..core.engine import period_start_day
from ..core.money import MINUTES_PER_DAY, cents_to_dollars, rate_units
from ..errors import InputError, Problem
from ..models.policy import Policy

if TYPE_CHECKING:
    from .pay import PayRun

MINIMUM_WAGE_FILE = "minimum_wage.csv"
LIMITATION_FILE = "limitation_periods.csv"


def _data_table(name: str) -> pd.DataFrame:
    text = resources.files("peerpay").joinpath("data", name).read_text(encoding="utf-8")
    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)


def load_minimum_wages() -> pd.DataFrame:
    """The dated minimum-wage table shipped inside the package (peerpay/data/README.md)."""
    return _minimum_wages().copy()


@lru_cache(maxsize=1)
def _minimum_wages() -> pd.DataFrame:
    """Read once per process (every pay report checks the minimum wage)."""
    return wage_law.minimum_wage_table(_data_table(MINIMUM_WAGE_FILE), MINIMUM_WAGE_FILE)


def load_limitation_periods() -> pd.DataFrame:
    """The states' limitation periods for wage claims shipped inside the package (peerpay/data/README.md)."""
    return wage_law.limitation_table(_data_table(LIMITATION_FILE), LIMITATION_FILE)


def minimum_wage(policy: Policy, jurisdiction: str | None = None, override: str | float | None = None) -> wage_law.MinimumWage:
    """The table for ``--jurisdiction`` (else the state the policy names); ``--minimum-wage`` is the
    state measure's own rate (a county or city rate), the federal minimum staying the table's."""
    j = wage_law.jurisdiction_of(policy, jurisdiction)
    table = _minimum_wages()  # never changed by its users
    if override is not None:
        try:
            units = rate_units(override)
        except ValueError:
            raise InputError(f"--minimum-wage: not an amount: {override!r}") from None
        if units <= 0:
            raise InputError("--minimum-wage must be above 0")
        return wage_law.MinimumWage(table, j, units)
    return wage_law.MinimumWage(table, j)


def pay_minimum_wage(run: PayRun) -> dict:
    """``pay``'s check: workweeks whose straight-time pay is below the minimum wage of the days
    worked x the hours (29 CFR 776.4), as the report's ``minimum_wage`` entry: the jurisdiction,
    the basis, and one warning per such employee and week."""
    from ..core.measures import minimum_wage_weeks
    from ..core.report import hours

    minimum = minimum_wage(run.policy)
    lines = run.result.lines
    ot = run.policy.overtime
    period = ot.period_days if ot is not None else 7
    short = minimum_wage_weeks(lines, minimum, period, run.result.differential_names, _day_minutes(run, minimum, period))
    warnings = [{
        "employee_id": str(e), "week_start": str(np.datetime64(w, "D")), "hours_worked": hours(int(m)),
        "straight_time_pay": cents_to_dollars(s), "minimum_wage": wage_law.weighted_minimum(a, m),
        "minimum_wage_pay": cents_to_dollars(r), "shortfall": cents_to_dollars(f),
    } for e, w, m, s, r, f, a in zip(short["employee_id"], short["week_start"], short["worked_minutes"], short["straight_cents"],
                                      short["required_cents"], short["shortfall_cents"], short["minimum_amount"])]
    return {"jurisdiction": minimum.jurisdiction, "basis": minimum.describe(), "below_minimum": warnings}


def _day_minutes(run: PayRun, minimum: wage_law.MinimumWage, period: int) -> pd.DataFrame | None:
    """Minutes worked per employee, week and day, for the weeks that straddle a minimum-wage change
    and may be short of its higher rate (from the audit trail, else by paying again, with one, only
    the shifts that touch those employees' weeks: a few hundred rows of a year's million)."""
    from ..core.engine import compute_pay
    from ..core.measures import straddles_and_may_be_short

    lines = run.result.lines
    if lines.empty:
        return None
    changing = straddles_and_may_be_short(lines, minimum, period, run.result.differential_names)
    if not changing.any():
        return None
    result = run.result
    if result.segments is None or result.segments.empty or result.employee_ids is None:
        if run.shifts is None or not len(run.shifts) or "employee_id" not in run.shifts:
            return None
        result = compute_pay(_shifts_touching(run, lines, changing).reset_index(drop=True), run.policy)
    seg = result.segments
    worked = seg["kind"].astype(object).to_numpy() != "on_call"
    f = pd.DataFrame({"employee_id": np.asarray(result.employee_ids, dtype=object)[seg["employee"].to_numpy()][worked],
                      "week_start": seg["period_start"].to_numpy(dtype="int64")[worked].astype("datetime64[D]"),
                      "day": seg["date"].to_numpy(dtype="int64")[worked], "minutes": seg["minutes"].to_numpy(dtype="int64")[worked]})
    return f.groupby(["employee_id", "week_start", "day"], as_index=False)["minutes"].sum()


def _shifts_touching(run: PayRun, lines: pd.DataFrame, changing: np.ndarray) -> pd.DataFrame:
    """The shifts of the changing lines' employees that touch those lines' weeks: a shift (at most
    24 h) lies in the week of its start day or of the day after."""
    shifts = run.shifts
    weeks = np.unique(lines["week_start"].to_numpy().astype("datetime64[D]")[changing].astype("int64"))
    day = shifts["start_local"].to_numpy(dtype="int64") // MINUTES_PER_DAY
    w0, w1 = period_start_day(day, run.policy), period_start_day(day + 1, run.policy)
    near = np.flatnonzero(np.isin(w0, weeks) | np.isin(w1, weeks))  # cheap: a few distinct week starts
    wanted = pd.MultiIndex.from_arrays([lines["employee_id"].to_numpy(dtype=object)[changing],
                                        lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64")[changing]])
    emp = shifts["employee_id"].astype(object).to_numpy()[near]
    mine = (pd.MultiIndex.from_arrays([emp, w0[near]]).isin(wanted) | pd.MultiIndex.from_arrays([emp, w1[near]]).isin(wanted))
    return shifts.iloc[near[mine]]


def per_hour(x: float) -> str:
    """$/h with 2 decimals, or 4 where it has them (an hours-weighted minimum)."""
    return f"${x:,.2f}/h" if round(x * 100) == x * 100 else f"${x:,.4f}/h"


def minimum_wage_problems(shifts: pd.DataFrame, policy: Policy, source: str, sheet: str | None = None) -> list[Problem]:
    """``validate``'s warnings: one per employee and workweek paid below the minimum wage, at the
    row of that employee's first shift in the week (file:row:column; no ids in the message)."""
    from ..core.engine import compute_pay
    from .pay import PayRun

    if shifts is None or not len(shifts):
        return []
    run = PayRun(policy, shifts, compute_pay(shifts, policy), [], {})
    check = pay_minimum_wage(run)
    if not check["below_minimum"]:
        return []
    day = shifts["start_local"].to_numpy(dtype="int64") // MINUTES_PER_DAY
    week = period_start_day(day, policy).astype("datetime64[D]")
    first_row = pd.DataFrame({"employee_id": shifts["employee_id"].astype(object).to_numpy(), "week_start": week,
                              "row": shifts["row"].to_numpy(dtype="int64")}).groupby(["employee_id", "week_start"])["row"].min()
    out = []
    for w in check["below_minimum"]:
        row = first_row.get((w["employee_id"], np.datetime64(w["week_start"], "D")))
        out.append(Problem(source, int(row) if row is not None else None, "rate",
                           f"workweek of {w['week_start']}: straight-time pay ${w['straight_time_pay']:,.2f} for "
                           f"{w['hours_worked']:,.2f} h is below the minimum wage ({per_hour(w['minimum_wage'])} on the days "
                           f"worked = ${w['minimum_wage_pay']:,.2f}) by ${w['shortfall']:,.2f} (29 CFR 776.4; {check['basis']})",
                           sheet))
    return out
