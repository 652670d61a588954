"""The gap job: files in, the gap report dict out (the seam between loaders and core/gap.py).

``base_rate``: roster + schedule, each employee's schedule rate on ``as_of``.
``earnings``: the timesheet is paid with :func:`peerpay.jobs.pay.run_pay` and each employee's
effective hourly rate is gross pay / hours worked over the timesheet's period.
``annual``: the hourly rate (base, or effective when a timesheet is given) x annual hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import gap as core
from ..errors import InputError, Problem
from ..io.readers import read_table
from ..io.resources import REFERENCES as SHIPPED_REFERENCES, package_file
from .pay import load_roster, load_schedule, run_pay

#: ``--reference NAME`` -> (label, file shipped in peerpay/data): works after a plain ``pip install``
REFERENCES = {name: (label, package_file(rel)) for name, (label, rel) in SHIPPED_REFERENCES.items()}


@dataclass
class GapRun:
    report: dict
    workers: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def load_reference(name_or_path: str, basis: str) -> dict:
    """``bls-2025`` or a CSV with ``role, hourly_median`` (optional hourly_mean/p25/p75, annual_*)."""
    label, path = REFERENCES.get(name_or_path, (None, Path(name_or_path)))
    if label is None and not Path(name_or_path).exists() and Path(name_or_path).suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"--reference {name_or_path}: no such reference; the shipped references are "
                         f"{', '.join(sorted(REFERENCES))}, or give a CSV file (role, hourly_median, …)")
    frame = read_table(path)
    missing = {"role", "hourly_median"} - set(frame.columns)
    if missing:
        raise InputError(f"{path.name}: reference wages need columns role, hourly_median (missing {', '.join(sorted(missing))})")
    frame["source_label"] = label or path.stem
    return core.reference_groups(frame, basis)


def tenure_from_hire_date(roster: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Roster without ``tenure_years`` but with ``hire_date``: years of service on ``as_of``."""
    if "tenure_years" in roster or "hire_date" not in roster:
        return roster
    out = roster.copy()
    days = (np.datetime64(as_of, "D") - out["hire_date"].to_numpy().astype("datetime64[D]")).astype("float64")
    out["tenure_years"] = days / 365.25
    return out


def run_gap(
    roster: str | Path,
    schedule: str | Path,
    peer_role: str,
    *,
    basis: str = "base_rate",
    as_of: date | None = None,
    timesheet: str | Path | None = None,
    policy: str | Path | None = None,
    unpaid: str | Path | None = None,
    annual_hours: str = "fte",
    reference: str | None = None,
    publish: bool = False,
    min_group: int | None = None,
    covariates: list[str] | None = None,
    stipends: str | Path | None = None,
) -> GapRun:
    """Build the gap report. Raises InputError for unusable files; bad rows become problems."""
    as_of = as_of or date.today()
    problems: list[Problem] = []
    if timesheet is not None:
        run = run_pay(timesheet, policy, roster, schedule)
        ros, sch, problems = run.roster, run.schedule, list(run.problems)
    else:
        ros, p = load_roster(roster)
        sch, p2 = load_schedule(schedule)
        problems += p + p2
        run = None
    if peer_role not in set(ros["role"]):
        raise InputError(f"peer role '{peer_role}' has no employees in the roster (roles: {', '.join(sorted(set(ros['role'])))})")
    workers, p = core.rates_on(ros, sch, as_of, Path(roster).name)
    problems += p
    excluded = {"no_schedule_rate": len(p)}
    if run is not None:
        workers, dropped = core.with_earnings(workers, core.employee_earnings(run.result.lines), replace_rate=basis in ("earnings", "annual"))
        excluded["no_hours_worked"] = dropped
        unpaid_frame = None
        if unpaid is not None:
            unpaid_frame, p = unpaid_hours(unpaid, run)
            problems += p
        elif "unpaid_hours" in workers:
            unpaid_frame, p = core.prepare_unpaid(workers[["employee_id", "unpaid_hours"]], Path(roster).name)
            problems += p
        if unpaid_frame is not None:
            unknown = sorted(set(unpaid_frame["employee_id"]) - set(ros["employee_id"]))
            problems += [Problem(Path(unpaid or roster).name, None, "employee_id", f"{len(unknown)} employee(s) not in the roster")] if unknown else []
            workers = core.with_unpaid(workers, unpaid_frame)
    if stipends is not None:
        workers, p = with_stipend_workers(workers, stipends, basis)
        problems += p
    if peer_role not in set(workers["role"]):
        raise InputError(f"no employee in the peer role '{peer_role}' has a rate on the {basis} basis")
    period_days = None
    if run is not None and len(run.shifts):
        day = run.shifts["start_local"].to_numpy() // 1440
        period_days = int(day.max() - day.min() + 1)
    workers = core.with_annual(workers, annual_hours, period_days)
    workers = tenure_from_hire_date(workers, as_of)
    opts = core.GapOptions(peer_role, basis, min_group if min_group is not None else (core.DEFAULT_PUBLISH_MIN_GROUP if publish else 1), publish)
    ref = load_reference(reference, basis) if reference else None
    notes = []
    if run is not None:
        notes.append(f"Timesheet period: {period_days} days; gross pay per docs/formats.md §3-4 (base + differentials + standby + premiums); "
                     "earnings and effective rates are over this period.")
    if basis == "annual":
        notes.append("Annual = hourly x " + ("fte x 2,080 h." if annual_hours == "fte" else f"hours worked x 364 / {period_days} days."))
    report = core.gap_report(workers, opts, as_of=as_of, reference=ref, covariates=covariates, excluded=excluded, notes=notes)
    return GapRun(report, workers, problems)


def unpaid_hours(path: str | Path, run) -> tuple[pd.DataFrame, list[Problem]]:
    """``--unpaid``: an hours-per-employee file (``employee_id, unpaid_hours``), or the unpaid-work
    log of ``peerpay backpay`` (start/end rows, validated and checked against the paid shifts), so
    the effective hourly figures and the back pay come from the same records."""
    raw = read_table(path)
    if "unpaid_hours" in raw.columns or not {"start", "end"} <= set(raw.columns):
        return core.prepare_unpaid(raw, Path(path).name)
    from .backpay import load_unpaid_log
    from ..core.backpay import unpaid_minutes_by_employee

    log = load_unpaid_log(path, run)
    return unpaid_minutes_by_employee(log.shifts), log.problems


def with_stipend_workers(workers: pd.DataFrame, path: str | Path, basis: str) -> tuple[pd.DataFrame, list[Problem]]:
    """``--stipends``: stipend peers as one more group (role ``stipend_peer``), each at the effective
    hourly pay of their stipend log (amount / hours), beside wage peers (earnings basis only)."""
    if basis != "earnings":
        raise InputError("--stipends needs --basis earnings (a stipend has no schedule rate)")
    from .backpay import stipend_workers

    extra, problems = stipend_workers(path)
    if "unpaid_minutes" in workers:
        extra = extra.assign(unpaid_minutes=0, effective_units=extra["hourly_units"])
    return pd.concat([workers, extra], ignore_index=True), problems
