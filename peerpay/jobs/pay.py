"""The pay job: read files, validate, pay, report. Files in, a report dict out; no rendering.

This is the seam between the loaders (:mod:`peerpay.io`) and the pure core
(:mod:`peerpay.core`); the CLI and other commands (gap, cost) call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from ..core.engine import PayResult, compute_pay
from ..core.inputs import prepare_roster, prepare_schedule, prepare_timesheet, rows_read
from .meta import run_meta
from ..core.report import paid_minutes, pay_report, reconciliation, rejected_rows
from ..errors import Problem
from ..io import knobs
from ..io.readers import read_policy, read_table
from ..models.policy import Policy

if TYPE_CHECKING:  # the column maps load only for a --map run
    from ..io.exports import MappedTimesheet


@dataclass
class PayRun:
    policy: Policy
    shifts: pd.DataFrame
    result: PayResult
    problems: list[Problem]
    reconciliation: dict
    roster: pd.DataFrame | None = None
    schedule: pd.DataFrame | None = None
    mapped: MappedTimesheet | None = None
    credentials: pd.DataFrame | None = None  # (employee, credential, from, until) behind [[premium]]
    notes: list[str] = field(default_factory=list)  # the report's added "notes" key (counts and dates, never ids)
    warnings: list[Problem] = field(default_factory=list)  # rows paid that deserve a look (file:row:column)
    _report: dict | None = field(default=None, repr=False)
    _minimum_wage: dict | None = field(default=None, repr=False)

    @property
    def minimum_wage(self) -> dict:
        """The report's ``minimum_wage`` entry (workweeks paid below the minimum wage of the days
        worked), computed once: the report, the JSON and the warning on stderr share it."""
        if self._minimum_wage is None:
            from .minimum_wage import pay_minimum_wage  # docs/backpay.md

            self._minimum_wage = pay_minimum_wage(self)
        return self._minimum_wage

    @property
    def report(self) -> dict:
        """The docs/formats.md §4 report, built on first use (a CSV run never needs the dicts)."""
        if self._report is None:
            self._report = self._build_report(lines_as_table=False)
        return self._report

    def json_report(self) -> dict:
        """The report to write as JSON: :attr:`report` once it exists (its dicts may have been
        edited: ``partial_week``, a combined engine's totals), else the same report with the lines
        kept as a table (:class:`~peerpay.core.report.LineTable`), never 200,000 dicts."""
        return self._report if self._report is not None else self._build_report(lines_as_table=True)

    def _build_report(self, lines_as_table: bool) -> dict:
        report = pay_report(self.result, self.problems, self.reconciliation,
                            include_minimum_shift=self.policy.minimum_shift is not None, lines_as_table=lines_as_table)
        if self.mapped is not None:
            self.mapped.annotate(report)
        report["minimum_wage"] = self.minimum_wage
        if self.notes:
            report["notes"] = list(self.notes)
        if self.warnings:  # an added key, only when there is something to say (docs/input-rules.md)
            report["warnings"] = [p.as_json() for p in self.warnings]
        report["meta"] = run_meta()
        return report


def load_roster(path: str | Path, sheet: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    return prepare_roster(read_table(path, sheet), Path(path).name, sheet)


def load_schedule(path: str | Path, sheet: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    return prepare_schedule(read_table(path, sheet), Path(path).name, sheet)


def load_rate_tables(roster: str | Path | None, schedule: str | Path | None) -> tuple[pd.DataFrame | None, pd.DataFrame | None, list[Problem]]:
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
    raw_timesheet: pd.DataFrame | MappedTimesheet | None = None,
    credentials: str | Path | None = None,
    audit: bool | Callable[[], bool] = True,
) -> PayRun:
    """Pay a timesheet. Raises :class:`~peerpay.errors.InputError` for unusable files.

    ``audit=False``: the pay lines without the per-segment audit trail (``--detail``, pay stubs),
    so a large timesheet may be paid on two cores (:mod:`peerpay.engines.halves`). A callable
    decides once the timesheet is read and checked (``peerpay audit`` reads its register meanwhile).

    ``raw_timesheet``: an already-read table to pay instead of reading ``timesheet``; a
    :class:`~peerpay.io.exports.MappedTimesheet` (``--map``) also brings its own rejections,
    reconciliation and, for summary exports, the rules it cannot compute.
    """
    pol = policy if isinstance(policy, Policy) else read_policy(policy)
    ros, sch, problems = load_rate_tables(roster, schedule)
    mapped = None
    if raw_timesheet is not None and not isinstance(raw_timesheet, pd.DataFrame):  # a --map export
        mapped = cast("MappedTimesheet", raw_timesheet)
    if mapped is not None:  # the map's own path, shared with validate (MappedTimesheet.prepare)
        pol = mapped.adjust_policy(pol)
        shifts, p, recon = mapped.prepare(pol, ros, sch)
        warnings = list(mapped.warnings)  # about the export's own rows
    else:
        raw = read_table(timesheet, sheet) if raw_timesheet is None else raw_timesheet
        # a run that only pays its shifts (no audit trail, no credentials) keeps ids as categories
        only_paid = (callable(audit) or not audit) and not _has_credentials(pol, ros, credentials)
        shifts, p, rejected_hours = prepare_timesheet(raw, Path(timesheet).name, pol, ros, sch, sheet, ids_as_categories=only_paid)
        warnings = list(shifts.attrs.get("warnings", ()))
        recon = reconciliation(rows_read(raw, shifts), len(shifts), rejected_rows(p), paid_minutes(shifts),
                               int(rejected_hours["minutes"].sum()), len(p) - len(rejected_hours))
    problems += p
    pol, shifts, creds = _with_credentials(pol, shifts, ros, read_table(credentials) if credentials is not None else None)
    if callable(audit):
        audit = audit()
        if audit and isinstance(shifts["employee_id"].dtype, pd.CategoricalDtype):  # kept as categories for a run that only pays
            shifts["employee_id"] = pd.Series(np.asarray(shifts["employee_id"], dtype=object), dtype=object, index=shifts.index)
    knobs.pause_at("read")  # every input read: a fault test may change one now (docs/faults.md)
    if audit:
        result = compute_pay(shifts, pol)
    else:
        from ..engines.halves import pay_lines

        result = pay_lines(shifts, pol)
    run = PayRun(pol, shifts, result, problems, recon, ros, sch, mapped)
    run.credentials = creds
    run.warnings = warnings
    return run


def _has_credentials(pol: Policy, ros, cred_file=None) -> bool:
    """Credential premiums to pay, or credentials to read (a file, the roster's columns)."""
    roster_has = ros is not None and any(str(c).startswith("credential") for c in ros.columns)
    return bool(pol.premium or any(d.credential for d in pol.differential) or cred_file is not None or roster_has)


def _with_credentials(pol: Policy, shifts: pd.DataFrame, ros, cred_file=None):
    """The policy with its credential premiums as differentials, and the holders' dates on the shifts."""
    if not _has_credentials(pol, ros, cred_file):
        return pol, shifts, None
    from ..core.joint import attach_credentials, roster_credentials

    pol = pol.with_premiums()
    creds, notes = roster_credentials(ros, cred_file)
    attrs = dict(shifts.attrs)
    # every credential held gets its columns: a proposal's differential may name one the policy does not
    shifts = attach_credentials(shifts, creds, [*(d.credential for d in pol.differential if d.credential), *creds["credential"]])
    shifts.attrs.update(attrs)
    shifts.attrs["notes"] = list(attrs.get("notes", [])) + notes
    return pol, shifts, creds


# --- several timesheets, people across employers, credentials (issue 14) ------------------------


def expand_timesheets(patterns) -> list[str]:
    """``--timesheet`` values -> files: each value is a path or a glob (sorted); order kept, no repeats."""
    import glob

    out: list[str] = []
    for p in patterns:
        hits = sorted(glob.glob(str(p))) if any(ch in str(p) for ch in "*?[") else [str(p)]
        for h in hits or [str(p)]:
            if h not in out:
                out.append(h)
    return out


def _employer_of(raw: pd.DataFrame, shifts: pd.DataFrame, roster: pd.DataFrame | None, constant: str | None) -> pd.Series:
    """Each paid shift's employer: the timesheet's ``employer`` column, else the file's constant,
    else the roster's ``employer``, else ""."""
    n = len(shifts)
    emp = pd.Series(np.full(n, "", dtype=object))
    if roster is not None and "employer" in roster:
        m = roster.set_index("employee_id")["employer"].astype(str)
        emp = shifts["employee_id"].map(m).fillna("").astype(object).reset_index(drop=True)
    if constant:
        emp = pd.Series(np.full(n, constant, dtype=object))
    if "employer" in raw.columns:
        col = raw["employer"].fillna("").astype(str).str.strip().to_numpy()[shifts["row"].to_numpy() - 1]
        emp = pd.Series(np.where(col != "", col, emp.to_numpy()), dtype=object)
    return emp


def _roster_for(raw: pd.DataFrame, roster: pd.DataFrame | None, constant: str | None) -> pd.DataFrame | None:
    """The roster describes the employers it lists: a timesheet of another employer (its ``employer``
    column or constant names only employers the roster does not have) brings its own rates, and
    its employee ids are not looked up in the roster."""
    if roster is None or "employer" not in roster:
        return roster
    named = {constant} if constant else set()
    if "employer" in raw.columns:
        named |= set(raw["employer"].fillna("").astype(str).str.strip()) - {""}
    known = set(roster["employer"].astype(str))
    return None if named and not (named & known) else roster


def run_pay_many(
    timesheets,
    policy: str | Path | Policy,
    roster: str | Path | None = None,
    schedule: str | Path | None = None,
    credentials: str | Path | None = None,
    employers: dict | None = None,
) -> PayRun:
    """Pay several timesheets as one run: every employee's shifts from every file together.

    Each file is validated on its own (its rejections keep their own ``file:row:column``); each
    paid shift carries its ``file`` and ``employer`` (the file's ``employer`` column, else
    ``employers[file]``, else the roster's). Credential premiums (``[[premium]]``) are paid from
    the roster's ``credential``/``certified_on`` columns and the optional credentials file.
    Employee ids are unique across employers (the roster's key); a person at two employers has
    two employee ids linked by the roster's ``person_id``.
    """
    pol = policy if isinstance(policy, Policy) else read_policy(policy)
    ros, sch, problems = load_rate_tables(roster, schedule)
    frames, recons, notes = [], [], []
    warnings: list[Problem] = []
    for ts in timesheets:
        raw = read_table(ts)
        name = Path(ts).name
        shifts, p, rejected_hours = prepare_timesheet(raw, name, pol, _roster_for(raw, ros, (employers or {}).get(name)), sch)
        shifts = shifts.assign(file=name, employer=_employer_of(raw, shifts, ros, (employers or {}).get(name)).to_numpy())
        if "person_id" in raw.columns:  # a second employer's file may name the person (any of their ids)
            shifts["person_id"] = raw["person_id"].fillna("").astype(str).str.strip().to_numpy()[shifts["row"].to_numpy() - 1]
        recons.append(reconciliation(rows_read(raw, shifts), len(shifts), rejected_rows(p), paid_minutes(shifts),
                                     int(rejected_hours["minutes"].sum()), len(p) - len(rejected_hours)))
        notes += shifts.attrs.get("notes", [])
        warnings += shifts.attrs.get("warnings", [])
        problems += p
        frames.append(shifts)
    shifts = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    shifts.attrs["notes"] = notes
    cred_file = read_table(credentials) if credentials is not None else None
    pol, shifts, creds = _with_credentials(pol, shifts, ros, cred_file)
    recon = _sum_recons(recons)
    result = compute_pay(shifts, pol)
    run = PayRun(pol, shifts, result, problems, recon, ros, sch, warnings=warnings)
    run.credentials = creds
    return run


def _sum_recons(recons: list[dict]) -> dict:
    if not recons:
        return reconciliation(0, 0, 0, 0, 0, 0)
    out = dict(recons[0])
    for r in recons[1:]:
        for k, v in r.items():
            if k == "balanced":
                out[k] = out[k] and v
            else:
                out[k] = round(out[k] + v, 2) if isinstance(v, float) else out[k] + v
    return out


def people_of(run: PayRun) -> pd.DataFrame:
    """employee_id -> person_id (the roster's, else the employee id) and employer (the shifts')."""
    s = run.shifts
    emp = (s[["employee_id", "employer"]].drop_duplicates("employee_id") if "employer" in s
           else pd.DataFrame({"employee_id": s["employee_id"].unique(), "employer": ""}))
    pid = pd.Series(np.full(len(emp), "", dtype=object), index=emp.index)
    if "person_id" in s:  # the timesheet's person_id column
        ts = s[s["person_id"] != ""].drop_duplicates("employee_id").set_index("employee_id")["person_id"]
        pid = emp["employee_id"].map(ts).fillna("").astype(object)
    ros = run.roster
    if ros is not None and "person_id" in ros:  # the roster's wins
        rp = ros.set_index("employee_id")["person_id"].astype(str).replace("nan", "").str.strip()
        from_roster = emp["employee_id"].map(rp).fillna("")
        pid = pid.where(from_roster == "", from_roster)
    emp["person_id"] = pid.where(pid != "", emp["employee_id"]).astype(str)
    return emp.reset_index(drop=True)


def lines_with_daily_overtime(run: PayRun) -> pd.DataFrame:
    """The pay lines plus ``daily_overtime_minutes`` (from the audit trail's segments)."""
    lines = run.result.lines.copy()
    seg = run.result.segments
    if seg is None or seg.empty or "daily_ot" not in seg or run.result.employee_ids is None:
        lines["daily_overtime_minutes"] = 0
        return lines
    d = pd.DataFrame({"employee_id": np.asarray(run.result.employee_ids)[np.asarray(seg["employee"])],
                      "week_start": np.asarray(seg["period_start"]).astype("int64").astype("datetime64[D]"),
                      "daily_overtime_minutes": np.asarray(seg["daily_ot"], dtype="int64")})
    d = d.groupby(["employee_id", "week_start"], as_index=False).agg(daily_overtime_minutes=("daily_overtime_minutes", "sum"))
    lines["week_start"] = lines["week_start"].astype("datetime64[s]")
    d["week_start"] = d["week_start"].astype("datetime64[s]")
    out = lines.merge(d, on=["employee_id", "week_start"], how="left")
    out["daily_overtime_minutes"] = out["daily_overtime_minutes"].fillna(0).astype("int64")
    return out


def person_report(run: PayRun) -> dict:
    """``pay --by person``: the person-week table, the joint-employment what-if and bonus overtime."""
    from ..core.joint import joint_overtime, person_weeks

    people = people_of(run)
    ot = run.policy.overtime
    lines = lines_with_daily_overtime(run)
    out: dict[str, pd.DataFrame | None] = {"people": person_weeks(lines, people, ot.period_threshold if ot is not None else None)}
    je = run.policy.joint_employment
    out["joint"] = joint_overtime(lines, people, run.policy, je.employers) if je is not None else None
    out["bonus"] = certification_bonus(run)
    return out


def certification_bonus(run: PayRun) -> pd.DataFrame | None:
    """Each ``[[premium]]`` bonus, apportioned over its weeks, and the overtime it adds (29 CFR 778.209).

    Only certifications whose workweek lies within the weeks this run pays earn a bonus here (an
    older certification's bonus was settled with its own weeks' pay). A bonus period that runs
    past the last week of the data is prorated: the weeks in the data carry their share only
    (``bonus_weeks_split``), and ``attrs["notes"]`` says which premium, how many holders and weeks.
    Overtime is the regulation's (statutory hours at half the bonus's hourly rate, less premiums
    already paid above the statutory ones) unless the premium says ``applies_to = "contract"``;
    under a California policy it is Alvarado's (:func:`peerpay.core.state_overtime.flat_bonus_overtime`).
    """
    from ..core.state_overtime import flat_bonus_overtime

    prem = [p for p in run.policy.premium if p.bonus is not None]
    creds = getattr(run, "credentials", None)
    if not prem or creds is None or creds.empty:
        return None
    from ..core.engine import period_start_day
    from ..core.money import DAYS_PER_WEEK, factor_units

    lines = run.result.lines
    wk = lines.assign(day=lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64"))
    credits = wk["overtime_premium"].to_numpy(dtype="int64")
    if run.policy.holiday is not None and factor_units(run.policy.holiday.multiplier) >= 15_000:
        credits = credits + wk["holiday_premium"].to_numpy(dtype="int64")  # 207(e)(6): creditable
    wk = wk.assign(credits=credits)
    paid_ids = set(lines["employee_id"])
    rows, notes = [], []
    lo, hi = int(wk["day"].min()), int(wk["day"].max())
    for p in prem:  # per premium and holder: a handful of rows, not the hot path
        cents = int((p.bonus or 0) * 100)
        held = creds[(creds["credential"] == p.credential) & creds["employee_id"].isin(paid_ids)]
        cut = 0
        for emp, first in held.groupby("employee_id")["from_day"].min().items():
            start = int(period_start_day(np.array([first]), run.policy)[0])
            if not lo <= start <= hi:  # certified outside the weeks this run pays: that bonus is not ours to spread
                continue
            days = start + DAYS_PER_WEEK * np.arange(p.bonus_weeks)
            days = days[days <= hi]  # the weeks of the period the data holds
            cut += int(len(days) < p.bonus_weeks)
            mine = wk[wk["employee_id"] == emp].set_index("day")
            weeks = pd.DataFrame({"day": days, **{c: mine[c].reindex(days).fillna(0).astype("int64").to_numpy()
                                                  for c in ("worked_minutes", "overtime_minutes", "credits")},
                                  "regular_rate_num": mine["regular_rate_num"].reindex(days).fillna(0).astype(object).to_numpy()})
            for c in (c for c in mine.columns if str(c).startswith("ot:")):  # minutes per overtime tier (a tiered policy)
                weeks[c] = mine[c].reindex(days).fillna(0).astype("int64").to_numpy()
            b = flat_bonus_overtime(cents, weeks, run.policy, p.bonus_allocation, p.applies_to, total_weeks=p.bonus_weeks)
            b.insert(0, "premium", p.name)
            b.insert(0, "employee_id", emp)
            rows.append(b)
        if cut:
            notes.append(f"Bonus '{p.name}': {cut} holder(s) whose {p.bonus_weeks}-week bonus period runs past the last week of the "
                         "data: prorated (the weeks in the data carry their share only, and the overtime of the later weeks is not "
                         "computed here).")
    if not rows:
        return None
    out = pd.concat(rows, ignore_index=True)
    out["week_start"] = out.pop("day").to_numpy().astype("datetime64[D]")
    out = out[["employee_id", "premium", "week_start", "worked_minutes", "overtime_minutes", "bonus_share", "bonus_overtime"]]
    out.attrs["notes"] = notes
    return out


def pay_periods_of(run: PayRun) -> tuple[date, date]:
    """The policy's pay periods (``[pay_period]``, which must be set) from the one holding the first
    shift's start date to the one holding the last's. A shift belongs to the date it starts on, as
    in payroll systems: a night shift from the last evening of a period is that period's."""
    from ..core.money import MINUTES_PER_DAY

    pp = run.policy.pay_period
    if pp is None or len(run.shifts) == 0:
        raise ValueError("pay_periods_of: no [pay_period] in the policy, or no shifts")
    days = run.shifts["start_local"].to_numpy(dtype="int64") // MINUTES_PER_DAY
    epoch = date(1970, 1, 1).toordinal()
    first, last = date.fromordinal(epoch + int(days.min())), date.fromordinal(epoch + int(days.max()))
    return pp.covering(first, last, run.policy.workweek.start_index)


@dataclass(frozen=True)
class Scope:
    """What a pay report covers, and why: the period and the employees it reports on.

    ``first``/``last``: the period's first and last day (``--from``/``--to``, else the policy's
    ``[pay_period]`` periods around the data, else None: the data's own span, nothing cut).
    ``partial``: the workweeks (ISO start dates) that the period cuts: some of their days lie
    outside it, so hours worked on those days are not in this run and the week's overtime may be
    understated. ``filtered``: the report shows a subset (``--from``/``--to`` or ``--employee``), and
    its reconciliation counts the rows out of scope apart.
    """

    first: date | None = None
    last: date | None = None
    source: str = ""  # "--from/--to", "pay period (biweekly from 2026-01-11)", or ""
    partial: frozenset[str] = frozenset()
    employees: tuple[str, ...] = ()
    filtered: bool = False

    def describe(self) -> str:
        """``2026-01-11 to 2026-01-24 (pay period: biweekly from 2026-01-11)`` for the run record ('' when unknown)."""
        if self.first is None and self.last is None:
            return ""
        span = f"{self.first or 'the first day worked'} to {self.last or 'the last day worked'}"
        return f"{span} ({self.source})" if self.source else span

    def label(self) -> str:
        """The filter in words for the reconciliation (counts, never ids)."""
        parts = []
        if self.source == "--from/--to":
            parts.append(" ".join(p for p in (f"--from {self.first}" if self.first else "", f"--to {self.last}" if self.last else "") if p))
        if self.employees:
            parts.append(f"--employee ({len(self.employees)} id{'s' if len(self.employees) != 1 else ''})")
        return ", ".join(parts)


def report_scope(run: PayRun, date_from: date | None = None, date_to: date | None = None, employees=()) -> tuple[PayRun, Scope]:
    """The run as reported: the workweeks of the period and the employees asked for, and its :class:`Scope`.

    The period is ``--from``/``--to`` when given (the workweeks that overlap it are kept), else
    the policy's pay periods from the one holding the first day worked to the one holding the
    last (nothing is cut away, but a workweek those periods cut is flagged), else nothing is
    flagged: without a declared period, where the data stops says nothing about the period.

    Why filter after paying, not before: every input row is still paid or rejected, and a kept
    week's overtime is the same as in the whole run. The reconciliation then counts the rows (and
    hours) in scope as paid and the rest apart, as out of scope (``rows_out_of_scope``,
    ``hours_out_of_scope``, ``scope``): rows read = paid + rejected + out of scope. Rejected rows
    are all kept (input problems the clerk must see, whatever their week or employee). Unknown
    ids raise ``InputError`` naming none of the known ids (ids are not printed).
    """
    import dataclasses

    from ..core.report import scoped_reconciliation
    from ..errors import InputError

    result = run.result
    lines = result.lines
    wanted = [str(e) for e in employees]
    if wanted:
        known = set(lines["employee_id"].astype(str))
        missing = [e for e in wanted if e not in known]
        if missing:
            raise InputError(f"--employee: {len(missing)} of the ids given ha{'s' if len(missing) == 1 else 've'} no paid lines in "
                             "this run (check the id, or the timesheet)")
    if lines.empty:
        return run, Scope(employees=tuple(wanted))
    week = lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64")
    ot = run.policy.overtime
    length = ot.period_days if ot is not None else 7
    number = lambda d: (d - date(1970, 1, 1)).days
    first, last, source = date_from, date_to, "--from/--to" if date_from or date_to else ""
    pp = run.policy.pay_period
    if pp is not None and (first is None or last is None):
        lo_pp, hi_pp = pay_periods_of(run)
        first, last = first or lo_pp, last or hi_pp
        source = source or f"pay period: {pp.describe()}"
    lo = number(first) if first is not None else -(1 << 40)
    hi = number(last) if last is not None else 1 << 40
    keep = (week + length - 1 >= lo) & (week <= hi)
    partial = frozenset(str(np.datetime64(int(w), "D")) for w in week[keep & ((week < lo) | (week + length - 1 > hi))])
    filtered = bool(date_from or date_to or wanted)
    scope = Scope(first, last, source, partial, tuple(wanted), filtered)
    if partial or date_from or date_to:  # an added key of each pay line (docs/formats.md §4 keys unchanged)
        flagged = np.isin(week, np.array(sorted(partial), dtype="datetime64[D]").astype("int64"))
        lines = lines.assign(partial_week=flagged)
        result = dataclasses.replace(result, lines=lines)
        run = dataclasses.replace(run, result=result, _report=None, _minimum_wage=None)
    if not filtered:
        return run, scope
    if wanted:
        keep &= lines["employee_id"].astype(str).isin(wanted).to_numpy()
    if not keep.any():  # nothing in scope: every paid row is out of it
        recon = scoped_reconciliation(run.reconciliation, 0, 0, paid_minutes(run.shifts), scope.label())
        empty = dataclasses.replace(result, lines=lines[keep].reset_index(drop=True), segments=result.segments.iloc[0:0])
        return dataclasses.replace(run, result=empty, reconciliation=recon, _report=None, _minimum_wage=None), scope
    # the minutes in scope: those in a kept workweek, [local midnight of the week holding lo, that after the week holding
    # hi), of the employees asked for; per shift from its own start and end (no audit trail needed: two cores stay on)
    shifts = run.shifts
    start, end = shifts["start_at"].to_numpy(dtype="int64"), shifts["end_at"].to_numpy(dtype="int64")
    if date_from or date_to:
        from ..core.calendar import local_to_instants
        from ..core.money import MINUTES_PER_DAY

        phase = int(week[0])
        first_week = lambda day: day - (day - phase) % length
        edges = np.array([first_week(max(lo, int(week.min()))), first_week(min(hi, int(week.max()))) + length], dtype="int64")
        a, b = local_to_instants(edges * MINUTES_PER_DAY, run.policy.timezone, strict=False)
        inside = np.clip(np.minimum(end, b) - np.maximum(start, a), 0, None)
    else:
        inside = end - start
    if wanted:
        inside = np.where(shifts["employee_id"].astype(str).isin(wanted).to_numpy(), inside, 0)
    shifts_in, minutes_in = np.flatnonzero(inside > 0), int(inside.sum())
    segments = result.segments
    if "period_start" in segments and len(segments):  # the audit trail, where it was kept, shows the same minutes
        in_scope = np.isin(segments["period_start"].to_numpy(dtype="int64"), np.unique(week[keep]))
        if wanted and result.employee_ids is not None:
            in_scope &= np.isin(np.asarray(result.employee_ids).astype(str)[segments["employee"].to_numpy()], wanted)
        segments = segments[in_scope]
    recon = scoped_reconciliation(run.reconciliation, len(shifts_in), minutes_in, paid_minutes(run.shifts), scope.label())
    kept = dataclasses.replace(result, lines=lines[keep].reset_index(drop=True), segments=segments)
    return dataclasses.replace(run, result=kept, reconciliation=recon, _report=None, _minimum_wage=None), scope
