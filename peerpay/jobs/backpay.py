"""The back-pay and stipend jobs: files in, reports out (the seam between loaders and
:mod:`peerpay.core.backpay` / :mod:`peerpay.core.stipends`).

The paid timesheet goes through :func:`peerpay.jobs.pay.run_pay` (so ``--map`` exports, roster and
schedule work exactly as for ``peerpay pay``); the unpaid-work log through the same
:func:`~peerpay.core.inputs.prepare_timesheet` with the paid run's policy, roster and schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import backpay as core
from ..core import stipends as stipends_core
from ..core import wage_law
from ..core.backpay_report import backpay_report
from ..core.engine import period_start_day
from ..core.inputs import prepare_timesheet
from ..core.money import MINUTES_PER_DAY, cents_half_up, rate_units
from ..errors import InputError, Problem
from ..io.readers import read_table
from ..models.policy import Policy
from .meta import run_meta
from .pay import PayRun, certification_bonus, run_pay

if TYPE_CHECKING:  # the column maps load only for a --map run
    from ..io.exports import MappedTimesheet

from .minimum_wage import LIMITATION_FILE, MINIMUM_WAGE_FILE, load_limitation_periods, load_minimum_wages, minimum_wage  # noqa: F401


@dataclass
class UnpaidLog:
    shifts: pd.DataFrame  # validated, free of overlaps with paid time, with ``activity``
    problems: list[Problem]
    latest_day: date | None


def load_unpaid_log(path: str | Path, paid: PayRun, sheet: str | None = None, stipends: pd.DataFrame | None = None) -> UnpaidLog:
    """The unpaid-work log validated like a timesheet, then rows overlapping paid time rejected.

    A stipend worker's row without a rate (and without a roster + schedule rate) is priced at the
    stipend's own hourly equivalent for that week, else over the whole log (docs/formats.md §6).
    """
    raw = read_table(path, sheet)
    name = Path(path).name
    roster = paid.roster
    if stipends is not None and len(stipends) and "employee_id" in raw.columns:
        raw, roster = _stipend_rates(raw, stipends, paid.policy, roster)
    shifts, problems, _ = prepare_timesheet(raw, name, paid.policy, roster, paid.schedule, sheet)
    latest = _latest_day(shifts)
    if "activity" in raw.columns and len(shifts):
        activity = raw["activity"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
        shifts["activity"] = activity[shifts["row"].to_numpy() - 1]
    else:
        shifts["activity"] = ""
    kept, overlaps = core.reject_paid_overlaps(paid.shifts, shifts, name, sheet)
    problems = sorted(problems + overlaps, key=lambda p: p.row or 0)
    return UnpaidLog(kept, problems, latest)


def _stipend_rates(raw: pd.DataFrame, stipends: pd.DataFrame, policy: Policy, roster: pd.DataFrame | None):
    """Fill the blank ``rate`` of a stipend worker's unpaid rows (not on the roster) with the
    stipend's hourly equivalent: that week's pay / hours, else the whole log's."""
    raw = raw.copy()
    ids = raw["employee_id"].astype("string").fillna("").str.strip()
    rate = raw["rate"].astype("string").fillna("").str.strip() if "rate" in raw.columns else pd.Series("", index=raw.index)
    known = set(roster["employee_id"]) if roster is not None else set()
    people = set(stipends["person"]) - known
    if roster is not None and ids.isin(people).any():  # a stipend worker off the roster is still a worker
        extra = pd.DataFrame({"employee_id": sorted(set(ids[ids.isin(people)])), "role": "", "step": 0})
        roster = pd.concat([roster, extra], ignore_index=True)
    todo = ids.isin(people) & (rate == "")
    if not todo.any():
        return raw, roster
    day = stipends["date"].to_numpy().astype("datetime64[D]").astype("int64")
    s = pd.DataFrame({"person": stipends["person"].to_numpy(dtype=object), "week": period_start_day(day, policy),
                      "cents": stipends["amount_cents"].to_numpy(dtype="int64"), "units": stipends["hour_units"].to_numpy(dtype="int64")})
    by_week = s.groupby(["person", "week"])[["cents", "units"]].sum()
    overall = s.groupby("person")[["cents", "units"]].sum()
    start = pd.to_datetime(raw.loc[todo, "start"].astype(str).str.strip(), errors="coerce")
    row_day = ((start - pd.Timestamp(0)).dt.days).fillna(0).astype("int64").to_numpy()
    weeks = period_start_day(row_day, policy)
    filled = []
    for person, week in zip(ids[todo], weeks):  # the stipend workers' unpaid rows: a handful
        c, u = by_week.loc[(person, week)] if (person, week) in by_week.index else overall.loc[person]
        units = int(cents_half_up(int(c) * 100 * 10_000, int(u)))  # $0.0001/h = cents x 100 x 10,000 / hour units
        filled.append(f"{units / 10_000:.4f}")
    raw["rate"] = rate
    raw.loc[todo, "rate"] = filled
    return raw, roster


def _latest_day(shifts: pd.DataFrame) -> date | None:
    """The latest local date written in a validated timesheet (an end time's date)."""
    if len(shifts) == 0:
        return None
    end_local = shifts["start_local"].to_numpy(dtype="int64") + (shifts["end_at"] - shifts["start_at"]).to_numpy(dtype="int64")
    return np.datetime64(int(end_local.max() // MINUTES_PER_DAY), "D").astype(date)


@dataclass
class BackpayRun:
    result: core.BackpayResult
    problems: list[Problem]
    report: dict
    paid: PayRun
    unpaid: UnpaidLog
    names: dict[str, str] = field(default_factory=dict)


def run_backpay(
    timesheet: str | Path,
    unpaid: str | Path,
    policy: str | Path | Policy,
    roster: str | Path | None = None,
    schedule: str | Path | None = None,
    *,
    as_of: date | None = None,
    lookback_years: int = 2,
    willful: bool = False,
    state_lookback_years: int | None = None,
    liquidated: str | bool = "federal",
    jurisdiction: str | None = None,
    minimum_wage_override: str | float | None = None,
    stipends: str | Path | None = None,
    raw_timesheet: pd.DataFrame | MappedTimesheet | None = None,
) -> BackpayRun:
    """The three measures and the claim for the unpaid log (and stipends) against the paid timesheet.

    Raises InputError for unusable files.
    """
    paid = run_pay(timesheet, policy, roster, schedule, raw_timesheet=raw_timesheet)
    problems = list(paid.problems)
    stipend_frame, latest_stipend = None, None
    if stipends is not None:
        stipend_frame, p = stipends_core.prepare_stipends(read_table(stipends), Path(stipends).name)
        problems += p
        if len(stipend_frame):
            latest_stipend = stipend_frame["date"].to_numpy().astype("datetime64[D]").max().astype(date)
    log = load_unpaid_log(unpaid, paid, stipends=stipend_frame)
    problems += log.problems
    minimum = minimum_wage(paid.policy, jurisdiction, minimum_wage_override)
    federal = wage_law.Limitation(lookback_years, "29 U.S.C. 255(a)")
    state = wage_law.state_limitation(load_limitation_periods(), minimum.jurisdiction, willful, federal, state_lookback_years)
    latest = max([d for d in (_latest_day(paid.shifts), log.latest_day, latest_stipend) if d is not None], default=None)
    bonus = certification_bonus(paid)
    result = core.compute_backpay(paid.shifts, log.shifts, paid.policy, minimum, as_of=as_of, lookback_years=lookback_years,
                                  state_limitation=state, liquidated=liquidated, latest_day=latest, stipends=stipend_frame,
                                  bonus=bonus)
    report = backpay_report(result, problems, paid.policy)
    if not minimum.covered:
        report["notes"].append(f"No minimum-wage rows for {minimum.jurisdiction}: the federal minimum was used.")
    if bonus is not None:
        report["notes"] += bonus.attrs.get("notes", [])
    report["meta"] = run_meta()
    names = {}
    if paid.roster is not None and "name" in paid.roster:
        names = dict(zip(paid.roster["employee_id"].astype(str), paid.roster["name"].astype("string").fillna("").astype(str)))
    return BackpayRun(result, problems, report, paid, log, names)


# --------------------------------------------------------------------------- stipends


@dataclass
class StipendRun:
    weeks: pd.DataFrame
    problems: list[Problem]
    report: dict


def run_stipends(path: str | Path, *, jurisdiction: str | None = None, minimum_wage_override: str | float | None = None,
                 living_wage: str | float | None = None,
                 policy: str | Path | Policy | None = None, sheet: str | None = None) -> StipendRun:
    """Stipends by workweek: effective hourly pay, the minimum of each day, the shortfall (docs/formats.md §7)."""
    from ..io.readers import read_policy

    pol = policy if isinstance(policy, Policy) or policy is None else read_policy(policy)
    pol = pol or Policy()
    minimum = minimum_wage(pol, jurisdiction, minimum_wage_override)
    living = None
    if living_wage is not None:
        try:
            living = rate_units(living_wage)
        except ValueError:
            raise InputError(f"--living-wage: not an amount: {living_wage!r}") from None
    frame, problems = stipends_core.prepare_stipends(read_table(path, sheet), Path(path).name, sheet)
    weeks = stipends_core.stipend_weeks(frame, minimum, pol, living)
    report = stipends_core.stipend_report(weeks, problems, minimum, living)
    if not minimum.covered:
        report["notes"].append(f"No minimum-wage rows for {minimum.jurisdiction}: the federal minimum was used.")
    return StipendRun(weeks, problems, report)


def stipend_workers(path: str | Path, role: str = "stipend_peer") -> tuple[pd.DataFrame, list[Problem]]:
    """``gap --stipends FILE``: one gap *worker* row per stipend person (effective hourly over the log)."""
    frame, problems = stipends_core.prepare_stipends(read_table(path), Path(path).name)
    return stipends_core.stipend_workers(frame, role), problems
