"""The baseline: the representative period, paid at today's rates, tied to the roster and schedule.

The baseline supplies *hours and patterns* (who works when, nights, overtime, on-call). Who
holds what on a contract day -- step, credential, employment -- is read from the dated inputs
on that day (:mod:`.dates`), never from the baseline's own weeks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from ...models.policy import Policy
from ...models.proposal import COMPONENTS
from ..engine import CREDENTIAL_COLUMN, CREDENTIAL_UNTIL, NOT_HELD, PayResult
from ..inputs import rates_in_force
from ..money import DAYS_PER_YEAR, MINUTES_PER_DAY

#: Engine components (whole cents per employee-week, summed per employee).
PAY_COMPONENTS = COMPONENTS[:-1]
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Baseline:
    """The representative period, paid at current rates, per employee."""

    shifts: pd.DataFrame  # engine shifts + role, step (roster), on_schedule
    roster: pd.DataFrame  # employee_id, role, step, hire_date / end_date (datetime64[D] or NaT), fte (float or NaN)
    schedule: dict  # (role, step) -> rate_units in force on the period's last day
    policy: Policy
    first_day: dt.date
    last_day: dt.date
    costs: pd.DataFrame  # index employee_id: PAY_COMPONENTS (period cents), worked_minutes
    #: One row per distinct (employee, role, step, rate, on_schedule) of the shifts, ``rate_kind``
    #: = its position; ``shifts["rate_kind"]`` points here. Rates change per kind, not per shift.
    kinds: pd.DataFrame = field(default=None)
    #: The paid workweeks per employee (employee_id, week_start, worked_minutes, overtime_minutes):
    #: the holders' real weeks a certification bonus's overtime knock-on is costed on.
    weeks: pd.DataFrame = field(default=None)
    #: credential -> frame indexed by employee_id: ``since`` and ``until`` (first and last day held,
    #: days since 1970-01-01; ``until`` = NOT_HELD: no end). Holders only.
    credentials: dict = field(default_factory=dict)
    #: The whole wage schedule (role, step, rate_units, effective_date): rows dated after the
    #: baseline are the current contract's own scheduled changes (part of the status quo).
    schedule_rows: pd.DataFrame = field(default=None)
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def factor(self) -> Fraction:
        """Annualisation factor: 365 / days covered."""
        return Fraction(DAYS_PER_YEAR, self.days)

    def role_of(self) -> pd.Series:
        return self.roster.set_index("employee_id")["role"]


def employee_costs(result: PayResult) -> pd.DataFrame:
    """Pay lines -> one row per employee: whole cents per pay component, and worked minutes."""
    lines = result.lines
    diff_cols = [f"diff:{n}" for n in result.differential_names]
    frame = pd.DataFrame(
        {
            "employee_id": lines["employee_id"].to_numpy(dtype=object),
            "base_pay": lines["base_pay"].to_numpy(dtype="int64"),
            "differentials": lines[diff_cols].sum(axis=1).to_numpy(dtype="int64") if diff_cols else 0,
            **{c: lines[c].to_numpy(dtype="int64") for c in PAY_COMPONENTS[2:]},
            "worked_minutes": lines["worked_minutes"].to_numpy(dtype="int64"),
        }
    )
    return frame.groupby("employee_id", sort=True).sum()


def schedule_as_of(schedule: pd.DataFrame, day: dt.date) -> dict:
    """(role, step) -> rate_units of the schedule row in force on ``day``."""
    pairs = schedule[["role", "step"]].drop_duplicates()
    units = rates_in_force(schedule, pairs["role"], pairs["step"], np.full(len(pairs), np.datetime64(day, "D")))
    return {(str(r), int(st)): int(u) for r, st, u in zip(pairs["role"], pairs["step"], units) if u >= 0}


def future_schedule_dates(baseline: Baseline) -> list[dt.date]:
    """The dates after the baseline on which the current schedule itself changes (its dated rows)."""
    if "future_schedule_dates" not in baseline.cache:
        rows = baseline.schedule_rows
        found: list[dt.date] = []
        if rows is not None and "effective_date" in rows:
            days = pd.to_datetime(rows["effective_date"], errors="coerce").dropna().dt.date
            found = sorted({d for d in days if d > baseline.last_day})
        baseline.cache["future_schedule_dates"] = found
    return baseline.cache["future_schedule_dates"]


def employee_credentials(shifts: pd.DataFrame) -> dict:
    """credential -> (employee_id -> since, until) for the employees who hold it (see :class:`Baseline`)."""
    out = {}
    emp = shifts["employee_id"].to_numpy(dtype=object)
    for col in shifts.columns:
        if not str(col).startswith(CREDENTIAL_COLUMN.format("")):
            continue
        name = str(col)[len(CREDENTIAL_COLUMN.format("")):]
        since = pd.Series(shifts[col].to_numpy(dtype="int64"), index=emp).groupby(level=0).min()
        until_col = CREDENTIAL_UNTIL.format(name)
        until = (pd.Series(shifts[until_col].to_numpy(dtype="int64"), index=emp).groupby(level=0).max()
                 if until_col in shifts else pd.Series(NOT_HELD, index=since.index))
        held = since < NOT_HELD
        if held.any():
            out[name] = pd.DataFrame({"since": since[held], "until": until.reindex(since.index)[held]})
    return out


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01 (the engine's local day numbers)."""
    return (day - _EPOCH).days


def from_day_number(n: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(n))


def make_baseline(shifts: pd.DataFrame, roster: pd.DataFrame, schedule: pd.DataFrame, policy: Policy,
                  result: PayResult, period: tuple[dt.date, dt.date] | None = None) -> Baseline:
    """Tie the paid representative period to the roster and the schedule it was paid from.

    ``period`` (first day, last day) is the span the timesheet stands for. Without it, the span
    from the first to the last shift's start date is taken -- which is wrong for an export with
    no weekend shifts (Monday to Friday would be annualised x 365/5): see :func:`period_warnings`.
    """
    days = (shifts["start_local"].to_numpy(dtype="int64") // MINUTES_PER_DAY).astype("datetime64[D]")
    first, last = days.min().item(), days.max().item()
    if period is not None:
        lo, hi = period
        if hi < lo:
            raise ValueError(f"--period {lo} {hi}: the last day is before the first")
        outside = int(((days < np.datetime64(lo, "D")) | (days > np.datetime64(hi, "D"))).sum())
        if outside:
            raise ValueError(f"{outside} shift(s) start outside --period {lo} to {hi} (the shifts start from {first} "
                             f"to {last}): widen the period or cost a timesheet of that period only")
        first, last = lo, hi
    sched = schedule_as_of(schedule, last)
    ros = pd.DataFrame(
        {
            "employee_id": roster["employee_id"].to_numpy(dtype=object),
            "role": roster["role"].to_numpy(dtype=object),
            "step": roster["step"].to_numpy(dtype="int64"),
            "hire_date": roster["hire_date"].to_numpy(dtype="datetime64[D]") if "hire_date" in roster
            else np.full(len(roster), np.datetime64("NaT"), dtype="datetime64[D]"),
            "fte": roster["fte"].to_numpy(dtype="float64") if "fte" in roster else np.full(len(roster), np.nan),
        }
    )
    ros["end_date"] = roster_end_dates(roster)
    ros["end_date_bad"] = bad_end_dates(roster)
    sh = shifts.copy()
    step_of = dict(zip(ros["employee_id"], ros["step"]))
    sh["step"] = sh["employee_id"].map(step_of).astype("int64")
    codes, uniq = pd.factorize(pd.MultiIndex.from_arrays(
        [sh["employee_id"].astype(object), sh["role"].astype(object), sh["step"], sh["rate_units"].astype("int64")]))
    kinds = pd.DataFrame(list(uniq), columns=["employee_id", "role", "step", "rate_units"])
    listed = np.array([sched.get((r, int(st)), -1) for r, st in zip(kinds["role"], kinds["step"])], dtype="int64")
    kinds["on_schedule"] = listed == kinds["rate_units"].to_numpy(dtype="int64")
    kinds["rate_kind"] = np.arange(len(kinds))
    sh["rate_kind"] = codes
    sh["on_schedule"] = kinds["on_schedule"].to_numpy()[codes]
    weeks = result.lines[["employee_id", "week_start", "worked_minutes", "overtime_minutes"]].copy()
    return Baseline(sh, ros, sched, policy, first, last, employee_costs(result), kinds, weeks,
                    employee_credentials(sh), schedule)


def period_warnings(baseline: Baseline, period_given: bool) -> list[str]:
    """Warnings about the baseline period a bargaining team should see before quoting a figure."""
    out = []
    if baseline.days % 7:
        how = "--period" if period_given else "the first to the last shift date"
        out.append(f"the baseline period ({how}: {baseline.first_day} to {baseline.last_day}, {baseline.days} days) "
                   "is not a whole number of weeks: weekdays and weekends are not represented evenly in the "
                   "x 365/days annualisation; give --period FROM TO covering whole weeks")
    ros = baseline.roster[baseline.roster["employee_id"].isin(baseline.costs.index)]
    lo, hi = np.datetime64(baseline.first_day, "D"), np.datetime64(baseline.last_day, "D")
    hire, end = ros["hire_date"].to_numpy(dtype="datetime64[D]"), ros["end_date"].to_numpy(dtype="datetime64[D]")
    part = int((((hire > lo) & (hire <= hi)) | ((end >= lo) & (end < hi))).sum())
    if part:
        out.append(f"{part} employee(s) costed were hired or left inside the baseline period: their hours stand for "
                   "part of it only, and the costing holds the baseline hours constant")
    return out


def roster_end_dates(roster: pd.DataFrame) -> np.ndarray:
    """The last day employed, from a roster ``end_date`` (or ``termination_date``) column.

    Blank = still employed. A value that is not a date is NaT here and flagged by
    :func:`bad_end_dates` (an error only when a proposal asks who is employed on its
    ratification date).
    """
    col = next((c for c in ("end_date", "termination_date") if c in roster), None)
    if col is None:
        return np.full(len(roster), np.datetime64("NaT"), dtype="datetime64[D]")
    parsed = pd.to_datetime(roster[col].astype("string").str.strip().replace("", pd.NA), errors="coerce",
                            format="ISO8601")
    return parsed.to_numpy(dtype="datetime64[D]")


def bad_end_dates(roster: pd.DataFrame) -> np.ndarray:
    """Per roster row: an end date is given but is not a date (the flag kept on the baseline)."""
    if "end_date_bad" in roster:
        return roster["end_date_bad"].to_numpy(dtype=bool)
    col = next((c for c in ("end_date", "termination_date") if c in roster), None)
    if col is None:
        return np.zeros(len(roster), dtype=bool)
    txt = roster[col].astype("string").str.strip()
    given = (txt.notna() & (txt != "")).to_numpy(dtype=bool)
    return given & np.isnat(roster_end_dates(roster))
