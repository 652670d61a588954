"""The pay job: read files, validate, pay, report. Files in, a report dict out; no rendering.

This is the seam between the loaders (:mod:`peerpay.io`) and the pure core
(:mod:`peerpay.core`); the CLI and other commands (gap, cost) call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..core.engine import PayResult, compute_pay
from ..core.inputs import prepare_roster, prepare_schedule, prepare_timesheet
from ..core.report import pay_report, reconciliation
from ..errors import Problem
from ..io.exports import MappedTimesheet
from ..io.readers import read_policy, read_table
from ..models.policy import Policy


@dataclass
class PayRun:
    policy: Policy
    shifts: pd.DataFrame
    result: PayResult
    problems: list[Problem]
    reconciliation: dict
    roster: pd.DataFrame | None = None
    schedule: pd.DataFrame | None = None
    mapped: "MappedTimesheet | None" = None
    _report: dict | None = field(default=None, repr=False)

    @property
    def report(self) -> dict:
        """The docs/formats.md §4 report, built on first use (a CSV run never needs the dicts)."""
        if self._report is None:
            self._report = pay_report(
                self.result, self.problems, self.reconciliation,
                include_minimum_shift=self.policy.minimum_shift is not None,
            )
            if self.mapped is not None:
                self.mapped.annotate(self._report)
        return self._report


def load_roster(path, sheet=None):
    return prepare_roster(read_table(path, sheet), Path(path).name, sheet)


def load_schedule(path, sheet=None):
    return prepare_schedule(read_table(path, sheet), Path(path).name, sheet)


def load_rate_tables(roster, schedule) -> tuple[pd.DataFrame | None, pd.DataFrame | None, list[Problem]]:
    """The optional roster and wage schedule, with their rejected rows."""
    problems: list[Problem] = []
    ros = sch = None
    if roster is not None:
        ros, p = load_roster(roster)
        problems += p
    if schedule is not None:
        sch, p = load_schedule(schedule)
        problems += p
    return ros, sch, problems


def run_pay(
    timesheet: str | Path,
    policy: str | Path | Policy,
    roster: str | Path | None = None,
    schedule: str | Path | None = None,
    sheet: str | None = None,
    raw_timesheet: "pd.DataFrame | MappedTimesheet | None" = None,
) -> PayRun:
    """Pay a timesheet. Raises :class:`~peerpay.errors.InputError` for unusable files.

    ``raw_timesheet``: an already-read table to pay instead of reading ``timesheet``; a
    :class:`~peerpay.io.exports.MappedTimesheet` (``--map``) also brings its own rejections,
    reconciliation and, for summary exports, the rules it cannot compute.
    """
    pol = policy if isinstance(policy, Policy) else read_policy(policy)
    ros, sch, problems = load_rate_tables(roster, schedule)
    mapped = raw_timesheet if isinstance(raw_timesheet, MappedTimesheet) else None
    if mapped is not None:
        pol = mapped.adjust_policy(pol)
        raw, sheet = mapped.frame, mapped.sheet
    else:
        raw = read_table(timesheet, sheet) if raw_timesheet is None else raw_timesheet
    shifts, p, rejected_hours = prepare_timesheet(raw, Path(timesheet).name, pol, ros, sch, sheet)
    if mapped is not None:
        recon = mapped.reconcile(shifts, p, rejected_hours)
        p = mapped.restore(p)
        shifts = mapped.with_source_rows(shifts)
    else:
        recon = reconciliation(len(raw), shifts, p, int(rejected_hours["minutes"].sum()), len(p) - len(rejected_hours))
    problems += p
    result = compute_pay(shifts, pol)
    return PayRun(pol, shifts, result, problems, recon, ros, sch, mapped)


def only_employees(run: PayRun, employee_ids) -> PayRun:
    """The same run, its lines and audit trail kept for ``employee_ids`` only (``--employee``).

    Why after paying, not before: every input row is still paid or rejected (the reconciliation
    stays whole) and a week's overtime is the same as in the full run. Rejected rows are kept:
    they are input problems the clerk must see. Unknown ids raise ``InputError`` naming none of
    the known ids (ids are not printed).
    """
    import dataclasses

    import numpy as np

    from ..errors import InputError

    wanted = [str(e) for e in employee_ids]
    result = run.result
    known = set(result.lines["employee_id"].astype(str))
    missing = [e for e in wanted if e not in known]
    if missing:
        raise InputError(f"--employee: {len(missing)} of the ids given ha{'s' if len(missing) == 1 else 've'} no paid lines in this run "
                         f"(check the id, or the timesheet)")
    lines = result.lines[result.lines["employee_id"].astype(str).isin(wanted)]
    segments = result.segments
    if result.employee_ids is not None and "employee" in segments:
        ids = np.asarray(result.employee_ids).astype(str)
        segments = segments[np.isin(ids[segments["employee"].to_numpy()], wanted)]
    filtered = dataclasses.replace(result, lines=lines.reset_index(drop=True), segments=segments)
    return dataclasses.replace(run, result=filtered, _report=None)


def select_period(run: PayRun, date_from=None, date_to=None) -> tuple[PayRun, set[str]]:
    """``--from/--to``: keep the workweeks that overlap the period; return the run and the partial weeks.

    A workweek is *partial* when some of its seven days lie outside the period (or, without
    ``--from``/``--to``, outside the first to last date worked in the data): its overtime may be
    understated, because hours worked in the missing days are not in this run. Such weeks are
    paid on what is there and flagged, never passed off as complete. Week starts as ISO text.
    """
    import dataclasses

    import numpy as np

    result = run.result
    if result.lines.empty:
        return run, set()
    week = result.lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64")
    dates = result.segments["date"].to_numpy(dtype="int64") if len(result.segments) else week
    lo = int(dates.min()) if date_from is None else int(np.datetime64(date_from, "D").astype("int64"))
    hi = int(dates.max()) if date_to is None else int(np.datetime64(date_to, "D").astype("int64"))
    keep = (week + 6 >= lo) & (week <= hi)
    partial = keep & ((week < lo) | (week + 6 > hi))
    flagged = {str(np.datetime64(int(w), "D")) for w in week[partial]}
    if date_from is None and date_to is None:
        return run, flagged
    kept_weeks = np.unique(week[keep])
    segments = result.segments
    if "period_start" in segments:
        segments = segments[np.isin(segments["period_start"].to_numpy(dtype="int64"), kept_weeks)]
    filtered = dataclasses.replace(result, lines=result.lines[keep].reset_index(drop=True), segments=segments)
    return dataclasses.replace(run, result=filtered, _report=None), flagged
