"""The pay job: read files, validate, pay, report. Files in, a report dict out; no rendering.

This is the seam between the loaders (:mod:`peerpay.io`) and the pure core
(:mod:`peerpay.core`); the CLI and other commands (gap, cost) call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .core.engine import PayResult, compute_pay
from .core.inputs import prepare_roster, prepare_schedule, prepare_timesheet
from .core.report import pay_report, reconciliation
from .errors import Problem
from .io.readers import read_policy, read_table
from .policy import Policy


@dataclass
class PayRun:
    policy: Policy
    shifts: pd.DataFrame
    result: PayResult
    problems: list[Problem]
    report: dict
    roster: pd.DataFrame | None = None
    schedule: pd.DataFrame | None = None


def load_roster(path, sheet=None):
    return prepare_roster(read_table(path, sheet), Path(path).name, sheet)


def load_schedule(path, sheet=None):
    return prepare_schedule(read_table(path, sheet), Path(path).name, sheet)


def run_pay(
    timesheet: str | Path,
    policy: str | Path | Policy,
    roster: str | Path | None = None,
    schedule: str | Path | None = None,
    sheet: str | None = None,
) -> PayRun:
    """Pay a timesheet. Raises :class:`~peerpay.errors.InputError` for unusable files."""
    pol = policy if isinstance(policy, Policy) else read_policy(policy)
    problems: list[Problem] = []
    ros = sch = None
    if roster is not None:
        ros, p = load_roster(roster)
        problems += p
    if schedule is not None:
        sch, p = load_schedule(schedule)
        problems += p
    raw = read_table(timesheet, sheet)
    shifts, p, rejected_hours = prepare_timesheet(raw, Path(timesheet).name, pol, ros, sch, sheet)
    problems += p
    result = compute_pay(shifts, pol)
    ts_rejected = [q for q in p]
    recon = reconciliation(
        len(raw), shifts, ts_rejected, int(rejected_hours["minutes"].sum()), len(ts_rejected) - len(rejected_hours)
    )
    report = pay_report(result, problems, recon, include_minimum_shift=pol.minimum_shift is not None)
    return PayRun(pol, shifts, result, problems, report, ros, sch)
