"""The pay job: read files, validate, pay, report. Files in, a report dict out; no rendering.

This is the seam between the loaders (:mod:`peerpay.io`) and the pure core
(:mod:`peerpay.core`); the CLI and other commands (gap, cost) call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from ..core.engine import PayResult, compute_pay
from ..core.inputs import prepare_roster, prepare_schedule, prepare_timesheet
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
    _report: dict | None = field(default=None, repr=False)

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
    audit: bool = True,
) -> PayRun:
    """Pay a timesheet. Raises :class:`~peerpay.errors.InputError` for unusable files.

    ``audit=False``: the pay lines without the per-segment audit trail (``--detail``, pay stubs),
    so a large timesheet may be paid on two cores (:mod:`peerpay.engines.halves`).

    ``raw_timesheet``: an already-read table to pay instead of reading ``timesheet``; a
    :class:`~peerpay.io.exports.MappedTimesheet` (``--map``) also brings its own rejections,
    reconciliation and, for summary exports, the rules it cannot compute.
    """
    pol = policy if isinstance(policy, Policy) else read_policy(policy)
    ros, sch, problems = load_rate_tables(roster, schedule)
    mapped = None
    if raw_timesheet is not None and not isinstance(raw_timesheet, pd.DataFrame):  # a --map export
        mapped = cast("MappedTimesheet", raw_timesheet)
    if mapped is not None:
        pol = mapped.adjust_policy(pol)
        raw, sheet = mapped.frame, mapped.sheet
    else:
        raw = read_table(timesheet, sheet) if raw_timesheet is None else raw_timesheet
    # a run that only pays its shifts (no audit trail, no credentials, no map) keeps ids as categories
    only_paid = not audit and mapped is None and not _has_credentials(pol, ros, credentials)
    shifts, p, rejected_hours = prepare_timesheet(raw, Path(timesheet).name, pol, ros, sch, sheet, ids_as_categories=only_paid)
    if mapped is not None:
        recon = mapped.reconcile(shifts, p, rejected_hours)
        p = mapped.restore(p)
        shifts = mapped.with_source_rows(shifts)
    else:
        recon = reconciliation(len(raw), len(shifts), rejected_rows(p), paid_minutes(shifts),
                               int(rejected_hours["minutes"].sum()), len(p) - len(rejected_hours))
    problems += p
    pol, shifts, creds = _with_credentials(pol, shifts, ros, read_table(credentials) if credentials is not None else None)
    knobs.pause_at("read")  # every input read: a fault test may change one now (docs/faults.md)
    if audit:
        result = compute_pay(shifts, pol)
    else:
        from ..engines.halves import pay_lines

        result = pay_lines(shifts, pol)
    run = PayRun(pol, shifts, result, problems, recon, ros, sch, mapped)
    run.credentials = creds
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
    for ts in timesheets:
        raw = read_table(ts)
        name = Path(ts).name
        shifts, p, rejected_hours = prepare_timesheet(raw, name, pol, _roster_for(raw, ros, (employers or {}).get(name)), sch)
        shifts = shifts.assign(file=name, employer=_employer_of(raw, shifts, ros, (employers or {}).get(name)).to_numpy())
        if "person_id" in raw.columns:  # a second employer's file may name the person (any of their ids)
            shifts["person_id"] = raw["person_id"].fillna("").astype(str).str.strip().to_numpy()[shifts["row"].to_numpy() - 1]
        recons.append(reconciliation(len(raw), len(shifts), rejected_rows(p), paid_minutes(shifts),
                                     int(rejected_hours["minutes"].sum()), len(p) - len(rejected_hours)))
        notes += shifts.attrs.get("notes", [])
        problems += p
        frames.append(shifts)
    shifts = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    shifts.attrs["notes"] = notes
    cred_file = read_table(credentials) if credentials is not None else None
    pol, shifts, creds = _with_credentials(pol, shifts, ros, cred_file)
    recon = _sum_recons(recons)
    result = compute_pay(shifts, pol)
    run = PayRun(pol, shifts, result, problems, recon, ros, sch)
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
    older certification's bonus was settled with its own weeks' pay)."""
    from ..core.joint import bonus_overtime

    prem = [p for p in run.policy.premium if p.bonus is not None]
    creds = getattr(run, "credentials", None)
    if not prem or creds is None or creds.empty:
        return None
    from ..core.engine import period_start_day
    from ..core.money import DAYS_PER_WEEK

    lines = run.result.lines
    wk = lines.assign(day=lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64"))
    paid_ids = set(lines["employee_id"])
    rows = []
    for p in prem:  # per premium and holder: a handful of rows, not the hot path
        cents = int((p.bonus or 0) * 100)
        held = creds[(creds["credential"] == p.credential) & creds["employee_id"].isin(paid_ids)]
        lo, hi = int(wk["day"].min()), int(wk["day"].max())
        for emp, first in held.groupby("employee_id")["from_day"].min().items():
            start = int(period_start_day(np.array([first]), run.policy)[0])
            if not lo <= start <= hi:  # certified outside the weeks this run pays: that bonus is not ours to spread
                continue
            days = start + DAYS_PER_WEEK * np.arange(p.bonus_weeks)
            mine = wk[wk["employee_id"] == emp].set_index("day")
            weeks = pd.DataFrame({"day": days,
                                  "worked_minutes": mine["worked_minutes"].reindex(days).fillna(0).astype("int64").to_numpy(),
                                  "overtime_minutes": mine["overtime_minutes"].reindex(days).fillna(0).astype("int64").to_numpy()})
            b = bonus_overtime(cents, weeks, run.policy, p.bonus_allocation)
            b.insert(0, "premium", p.name)
            b.insert(0, "employee_id", emp)
            rows.append(b)
    if not rows:
        return None
    out = pd.concat(rows, ignore_index=True)
    out["week_start"] = out.pop("day").to_numpy().astype("datetime64[D]")
    return out[["employee_id", "premium", "week_start", "worked_minutes", "overtime_minutes", "bonus_share", "bonus_overtime"]]


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
    # the days worked (a run paid without its audit trail keeps their first and last), else the weeks
    dates = np.asarray(result.days, dtype="int64") if result.days is not None else week
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
