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
from typing import cast

import numpy as np
import pandas as pd

from ..core import gap as core
from ..core.money import DAYS_PER_YEAR, HOURS_PER_FTE_YEAR, MINUTES_PER_DAY
from ..errors import InputError, Problem
from ..io.readers import read_table
from ..io.resources import REFERENCES as SHIPPED_REFERENCES, package_file
from .meta import run_meta
from .pay import PayRun, load_roster, load_schedule, run_pay

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
    path = Path(str(path))  # a shipped reference is a package file (importlib.resources, a real file)
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
    groups: dict[str, list[str]] | None = None,
    reference_only: bool = False,
    more_timesheets: list | None = None,
    by_person: bool = False,
    credentials: str | Path | None = None,
    billing: str | Path | None = None,
    fee_schedule: str | Path | None = None,
    billing_state: str | None = None,
) -> GapRun:
    """Build the gap report. Raises InputError for unusable files; bad rows become problems.

    ``more_timesheets`` (other employers' files), ``by_person`` (each person's combined hourly
    earnings) and ``credentials`` (certified vs not certified peers): docs/joint-and-credentials.md.
    """
    as_of = as_of or date.today()
    problems: list[Problem] = []
    run: PayRun | None = None
    unpaid_log: pd.DataFrame | None = None  # the unpaid-work log's rows, when --unpaid is one (out-of-class hours)
    if timesheet is not None and (more_timesheets or by_person or credentials):
        from .pay import run_pay_many

        run = run_pay_many([timesheet, *(more_timesheets or [])], cast(Path, policy), roster, schedule, credentials=credentials)
    elif timesheet is not None:
        run = run_pay(timesheet, cast(Path, policy), roster, schedule)  # the CLI requires --policy with --timesheet
    if run is not None:
        ros, sch, problems = cast(pd.DataFrame, run.roster), run.schedule, list(run.problems)  # the roster is given
    else:
        ros, p = load_roster(roster)
        sch, p2 = load_schedule(schedule)
        problems += p + p2
    unknown = sorted({r for roles in (groups or {}).values() for r in roles} - set(ros["role"]))
    if unknown:
        raise InputError(f"--group names role(s) not in the roster: {', '.join(unknown)} (roles: {', '.join(sorted(set(ros['role'])))})")
    if peer_role not in set(ros["role"]):
        raise InputError(f"peer role '{peer_role}' has no employees in the roster (roles: {', '.join(sorted(set(ros['role'])))})")
    workers, p = core.rates_on(ros, sch, as_of, Path(roster).name)
    problems += p
    excluded = {"no_schedule_rate": len(p)}
    if run is not None:
        earnings = core.employee_earnings(run.result.lines)
        multi = None
        if by_person:
            from ..core.joint import person_earnings
            from .pay import people_of

            earnings, multi = person_earnings(run.result.lines, people_of(run))
            workers = workers.merge(earnings[["employee_id", "person_id"]], on="employee_id", how="left")
            workers["person_id"] = workers["person_id"].fillna(workers["employee_id"])
            workers = workers.drop_duplicates("person_id").drop(columns="person_id")  # one row per person
            earnings = earnings.drop(columns="person_id")
        workers, dropped = core.with_earnings(workers, earnings, replace_rate=basis in ("earnings", "annual"))
        excluded["no_hours_worked"] = dropped
        unpaid_frame = None
        if unpaid is not None:
            unpaid_frame, p, unpaid_log = unpaid_hours(unpaid, run)
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
        day = run.shifts["start_local"].to_numpy() // MINUTES_PER_DAY
        period_days = int(day.max() - day.min() + 1)
    workers = core.with_annual(workers, annual_hours, period_days)
    workers = tenure_from_hire_date(workers, as_of)
    workers, peer_role = core.pool_roles(workers, groups or {}, peer_role)
    opts = core.GapOptions(peer_role, basis, min_group if min_group is not None else (core.DEFAULT_PUBLISH_MIN_GROUP if publish else 1), publish)
    ref = load_reference(reference, basis) if reference else None
    notes = []
    if run is not None:
        notes.append(f"Timesheet period: {period_days} days; gross pay per docs/formats.md §3-4 (base + differentials + standby + premiums); "
                     "earnings and effective rates are over this period.")
    if basis == "annual":
        notes.append("Annual = hourly x " + (f"fte x {HOURS_PER_FTE_YEAR:,} h." if annual_hours == "fte" else f"hours worked x {DAYS_PER_YEAR} / {period_days} days."))
    if groups:
        notes.append("Comparison groups (declared with --group): " + "; ".join(f"{k} = {', '.join(v)}" for k, v in groups.items()) + ".")
    if run is not None and by_person:
        notes.append(f"By person: each person's hourly earnings are combined across every employer in the timesheets "
                     f"(gross / hours); {multi} person(s) work for more than one employer.")
    cert = None
    if run is not None and run.credentials is not None and len(run.credentials):
        from ..core.joint import certification_gap, certification_notes

        prem = [p.per_hour for p in run.policy.premium if p.per_hour is not None]
        cert = certification_gap(workers, run.credentials, peer_role, (as_of - date(1970, 1, 1)).days,
                                 float(prem[0]) if prem else None, opts.min_group)
        if publish:  # the subgroups split the peer group: the disclosure rule's totals-minus-parts test
            from ..core.disclosure import Rule
            from ..core.gap_publish import published_certification

            sizes = workers["role"].value_counts()
            rule = Rule(exact_min=max(opts.min_group, core.DEFAULT_PUBLISH_MIN_GROUP))
            cert = published_certification(cert, rule, bool((sizes >= rule.exact_min).all()))
        notes += certification_notes(cert) if not publish or cert["certified"]["n"] is not None else [
            "Certified vs not certified peers: withheld in the published view (each subgroup needs "
            f"{max(opts.min_group, core.DEFAULT_PUBLISH_MIN_GROUP)} employees)."]
    report = core.gap_report(workers, opts, as_of=as_of, reference=ref, covariates=covariates, excluded=excluded, notes=notes,
                             reference_only=reference_only)
    if groups:
        report["comparison_groups"] = {k: list(v) for k, v in groups.items()}
    if by_person:
        report["people"] = {"multi_employer": multi}
    if cert is not None:
        report["certification"] = cert
    if run is not None:  # out-of-class hours by role (docs/out-of-class.md), through the same disclosure rule
        section = out_of_class_hours(run, unpaid_log, workers, peer_role, opts, by_person, reference_only)
        if section is not None:
            report["out_of_class"] = section
    if billing is not None:  # the billing share beside the pay gap (docs/billing.md), through the same disclosure rule
        if run is None or fee_schedule is None:
            raise InputError("--billing needs --timesheet, --policy and --fee-schedule")
        from ..core.billing_report import billing_section
        from .billing import billing_share

        people, used, p, bnotes = billing_share(run, billing, fee_schedule, billing_state)
        problems += p
        report["billing"] = billing_section(people, used, publish=publish, groups=groups,
                                            min_group=max(opts.min_group, core.DEFAULT_PUBLISH_MIN_GROUP) if publish else 1,
                                            notes=bnotes)
    report["meta"] = run_meta()
    return GapRun(report, workers, problems)


def unpaid_hours(path: str | Path, run: PayRun) -> tuple[pd.DataFrame, list[Problem], pd.DataFrame | None]:
    """``--unpaid``: an hours-per-employee file (``employee_id, unpaid_hours``), or the unpaid-work
    log of ``peerpay backpay`` (start/end rows, validated and checked against the paid shifts), so
    the effective hourly figures and the back pay come from the same records. The third item is
    the log's validated rows (None for an hours file)."""
    raw = read_table(path)
    if "unpaid_hours" in raw.columns or not {"start", "end"} <= set(raw.columns):
        return (*core.prepare_unpaid(raw, Path(path).name), None)
    from .backpay import load_unpaid_log
    from ..core.backpay import unpaid_minutes_by_employee

    log = load_unpaid_log(path, run)
    return unpaid_minutes_by_employee(log.shifts), log.problems, log.shifts


def out_of_class_hours(run: PayRun, unpaid_log: pd.DataFrame | None, workers: pd.DataFrame, peer_role: str, opts: core.GapOptions,
                       by_person: bool = False, reference_only: bool = False) -> dict | None:
    """The ``out_of_class`` section when the timesheet or the unpaid-work log carries ``duty_role``
    (:mod:`peerpay.core.out_of_class_roles`); None when neither does."""
    from ..core.out_of_class import DUTY_ROLE
    from ..core.out_of_class_roles import duty_minutes, out_of_class_section

    logged = unpaid_log is not None and DUTY_ROLE in unpaid_log
    if DUTY_ROLE not in run.shifts and not logged:
        return None
    if by_person:  # people, not employees: an employee's out-of-class rows would be split across employers
        return {"roles": [], "definitions": {}, "notes": ["Out-of-class hours by role are shown by employee only (without --by person)."]}
    return out_of_class_section(workers, duty_minutes(run.shifts, unpaid_log), peer_role, publish=opts.publish,
                                min_group=opts.min_group, priced=run.policy.out_of_class is not None, unpaid_log=logged,
                                peer_only=reference_only)


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
