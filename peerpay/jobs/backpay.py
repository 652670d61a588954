"""The back-pay and stipend jobs: files in, reports out (the seam between loaders and
:mod:`peerpay.core.backpay` / :mod:`peerpay.core.stipends`).

The paid timesheet goes through :func:`peerpay.jobs.pay.run_pay` (so ``--map`` exports, roster and
schedule work exactly as for ``peerpay pay``); the unpaid-work log through the same
:func:`~peerpay.core.inputs.prepare_timesheet` with the paid run's policy, roster and schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import backpay as core
from ..core import stipends as stipends_core
from ..core.inputs import prepare_timesheet
from ..errors import InputError, Problem
from ..io.exports import MappedTimesheet
from ..io.readers import read_table
from .meta import run_meta
from .pay import PayRun, run_pay
from ..core.money import MINUTES_PER_DAY, rate_units
from ..models.policy import Policy

MINIMUM_WAGE_FILE = "minimum_wage.csv"


def load_minimum_wages() -> pd.DataFrame:
    """The dated minimum-wage table shipped inside the package (peerpay/data/README.md)."""
    text = resources.files("peerpay").joinpath("data", MINIMUM_WAGE_FILE).read_text(encoding="utf-8")
    return core.minimum_wage_table(pd.read_csv(StringIO(text), dtype=str), MINIMUM_WAGE_FILE)


def minimum_wage(policy: Policy, jurisdiction: str | None = None, override: str | float | None = None) -> core.MinimumWage:
    """``--minimum-wage`` wins; else the table for ``--jurisdiction`` or the policy's holiday state."""
    j = core.jurisdiction_of(policy, jurisdiction)
    if override is not None:
        try:
            units = rate_units(override)
        except ValueError:
            raise InputError(f"--minimum-wage: not an amount: {override!r}") from None
        if units <= 0:
            raise InputError("--minimum-wage must be above 0")
        return core.MinimumWage(None, j, units)
    return core.MinimumWage(load_minimum_wages(), j)


@dataclass
class UnpaidLog:
    shifts: pd.DataFrame  # validated, free of overlaps with paid time, with ``activity``
    problems: list[Problem]
    latest_day: date | None


def load_unpaid_log(path: str | Path, paid: PayRun, sheet: str | None = None) -> UnpaidLog:
    """The unpaid-work log validated like a timesheet, then rows overlapping paid time rejected."""
    raw = read_table(path, sheet)
    name = Path(path).name
    shifts, problems, _ = prepare_timesheet(raw, name, paid.policy, paid.roster, paid.schedule, sheet)
    latest = _latest_day(shifts)
    if "activity" in raw.columns and len(shifts):
        activity = raw["activity"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
        shifts["activity"] = activity[shifts["row"].to_numpy() - 1]
    else:
        shifts["activity"] = ""
    kept, overlaps = core.reject_paid_overlaps(paid.shifts, shifts, name, sheet)
    problems = sorted(problems + overlaps, key=lambda p: p.row or 0)
    return UnpaidLog(kept, problems, latest)


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
    liquidated: bool = True,
    jurisdiction: str | None = None,
    minimum_wage_override: str | float | None = None,
    raw_timesheet: pd.DataFrame | MappedTimesheet | None = None,
) -> BackpayRun:
    """Back wages for the unpaid log against the paid timesheet. Raises InputError for unusable files."""
    paid = run_pay(timesheet, policy, roster, schedule, raw_timesheet=raw_timesheet)
    log = load_unpaid_log(unpaid, paid)
    minimum = minimum_wage(paid.policy, jurisdiction, minimum_wage_override)
    latest = max([d for d in (_latest_day(paid.shifts), log.latest_day) if d is not None], default=None)
    result = core.compute_backpay(paid.shifts, log.shifts, paid.policy, minimum, as_of=as_of, lookback_years=lookback_years,
                                  liquidated=liquidated, latest_day=latest)
    problems = list(paid.problems) + log.problems
    report = core.backpay_report(result, problems)
    if not minimum.covered:
        report["notes"].append(f"No minimum-wage rows for {minimum.jurisdiction}: the federal minimum was used.")
    report["meta"] = run_meta()
    names = {}
    if paid.roster is not None and "name" in paid.roster:
        names = dict(zip(paid.roster["employee_id"].astype(str), paid.roster["name"].astype("string").fillna("").astype(str)))
    return BackpayRun(result, problems, report, paid, log, names)


# --------------------------------------------------------------------------- stipends


@dataclass
class StipendRun:
    months: pd.DataFrame
    problems: list[Problem]
    report: dict


def run_stipends(path: str | Path, *, jurisdiction: str | None = None, minimum_wage_override: str | float | None = None,
                 living_wage: str | float | None = None,
                 policy: str | Path | Policy | None = None, sheet: str | None = None) -> StipendRun:
    """Effective hourly pay per person and month of a stipend log."""
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
    months = stipends_core.stipend_months(frame, minimum, living)
    report = stipends_core.stipend_report(months, problems, minimum, living)
    return StipendRun(months, problems, report)


def stipend_workers(path: str | Path, role: str = "stipend_peer") -> tuple[pd.DataFrame, list[Problem]]:
    """``gap --stipends FILE``: one gap *worker* row per stipend person (effective hourly over the log)."""
    frame, problems = stipends_core.prepare_stipends(read_table(path), Path(path).name)
    return stipends_core.stipend_workers(frame, role), problems
