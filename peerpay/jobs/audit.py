"""The audit job: what the policy owes (the pay job itself) against what a payroll register paid.

Files in, an :class:`AuditRun` out; no rendering. What is owed is never computed twice: the
timesheet goes through :func:`peerpay.jobs.pay.run_pay`, exactly as ``peerpay pay`` pays it
(column maps, roster, schedule, credentials); the register through
:func:`peerpay.io.register.read_register`; :mod:`peerpay.core.audit` compares them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core import audit as core
from ..errors import InputError, Problem
from ..io import early
from ..io.earnings_map import EarningsMap, check_against_policy, read_earnings_map
from ..io.readers import read_policy
from ..io.register import Register, read_register
from ..models.policy import Policy
from .pay import PayRun, run_pay

if TYPE_CHECKING:
    from ..io.exports import MappedTimesheet


@dataclass
class AuditRun:
    pay: PayRun
    register: Register
    earnings_map: EarningsMap
    periods: core.Periods
    components: list[str]
    owed: core.Owed
    lines: pd.DataFrame  # core.compare: one row per employee and period
    findings: pd.DataFrame
    employees: pd.DataFrame
    totals: dict
    tolerance_cents: int
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)


def run_audit(
    timesheet: str | Path,
    policy: str | Path | Policy,
    register: str | Path,
    register_map: str | Path | EarningsMap,
    roster: str | Path | None = None,
    schedule: str | Path | None = None,
    *,
    sheet: str | None = None,
    mapped: MappedTimesheet | None = None,
    register_sheet: str | None = None,
    period: tuple[int, int] | None = None,
    tolerance_cents: int = 1,
    map_name: str | None = None,
) -> AuditRun:
    """Audit ``register`` against the pay of ``timesheet`` under ``policy``. Raises
    :class:`~peerpay.errors.InputError` for unusable files (a map naming a differential the
    policy lacks among them). ``period``: first and last day of a register without dates."""
    pol = policy if isinstance(policy, Policy) else read_policy(policy)
    emap = register_map if isinstance(register_map, EarningsMap) else read_earnings_map(register_map)
    wrong = check_against_policy(emap, [d.name for d in pol.with_premiums().differential])
    if wrong:
        name = map_name or (Path(register_map).name if not isinstance(register_map, EarningsMap) else "earnings map")
        raise InputError.at(name, "its [codes] do not fit the policy", wrong)
    read = _register_reader(register, emap, pol, register_sheet, period, timesheet)
    try:
        # periods that cut workweeks need the days worked: the pay job keeps its segments then
        # (decided once the timesheet is read and checked, while the register was read beside it)
        run = run_pay(timesheet, pol, roster, schedule, sheet=sheet, raw_timesheet=mapped,
                      audit=lambda: not core.aligned(read().lines, pol))
    except InputError:
        read()  # both files unusable: the register's error is reported, as when it was read first
        raise
    reg = read()
    if not reg.map_name:  # a map without a name is known by its file
        reg.map_name = map_name or (Path(register_map).name if not isinstance(register_map, EarningsMap) else "")
    result = run.result
    has_minimum_shift = run.policy.minimum_shift is not None or bool((reg.lines["component"] == "minimum_shift").any())
    # a differential the register pays is compared even where the run could not compute it (never dropped)
    paid_diffs = [str(c).split(":", 1)[1] for c in core.distinct(reg.lines["component"]) if str(c).startswith("differential:")]
    comps = core.components([*result.differential_names, *(d for d in paid_diffs if d not in result.differential_names)],
                            has_minimum_shift)
    periods = core.audit_periods(reg.lines, pd.unique(result.lines["employee_id"].to_numpy(dtype=object)), run.policy)
    if periods.aligned or not len(result.lines):
        owed = core.owed_aligned(result.lines, periods, comps, run.policy)
    else:
        owed = core.owed_by_day(result, core.day_parts(result, _shift_premiums(run), comps, run.policy), periods, comps, run.policy)
    paid_cents, paid_minutes = core.paid_by_period(reg.lines, periods, comps, owed)
    lines = core.compare(periods, comps, owed, paid_cents, paid_minutes, tolerance_cents)
    audit = AuditRun(run, reg, emap, periods, comps, owed, lines, core.findings(lines, comps, tolerance_cents),
                     core.by_employee(lines, tolerance_cents), core.totals(lines, tolerance_cents), tolerance_cents,
                     list(run.problems) + reg.problems)
    audit.notes = _notes(audit)
    return audit


#: A register at least this large is read on a thread while the timesheet is read and checked.
EARLY_REGISTER_BYTES = 4 << 20


def _register_reader(register, emap: EarningsMap, pol: Policy, register_sheet, period, timesheet) -> Callable[[], Register]:
    """The register, read once: a large one on a thread begun now (:mod:`peerpay.io.early`, handed
    over only if it succeeded and the file is unchanged; otherwise read here, so an error is
    reported the ordinary way)."""
    def now() -> Register:
        return read_register(register, emap, pol, register_sheet, period)

    key = ("register", str(register))
    size = early.file_identity(str(register))
    started = size is not None and size[2] >= EARLY_REGISTER_BYTES and str(register) != str(timesheet) and \
        early.begin(key, str(register), now) is not None
    got: list = []  # the register, or the error reading it (raised again on every call)

    def read() -> Register:
        if not got:
            try:
                got.append((early.take(key) if started else None) or now())
            except InputError as exc:
                got.append(exc)
        if isinstance(got[0], InputError):
            raise got[0]
        return got[0]
    return read


def _shift_premiums(run: PayRun) -> dict[str, np.ndarray]:
    """Call-back premium and minimum-shift pay per shift (engine units), as the engine priced them."""
    from ..core.engine import _shift_premiums as premiums, kind_codes

    shifts = run.shifts.reset_index(drop=True)
    return premiums(shifts, run.policy, shifts["rate_units"].to_numpy(dtype="int64"), kind_codes(shifts["kind"]))


def _notes(a: AuditRun) -> list[str]:
    """What the reader must know to trust the figures (counts and dates only, never ids)."""
    out = []
    reg = a.register
    kind = {"workweek": "workweeks", "pay period": "pay periods", "given": "the one pay period given"}[reg.periods]
    out.append(f"Compared per employee and {'workweek' if reg.periods == 'workweek' else 'pay period'}: the register gives {kind}.")
    if not a.periods.aligned:
        out.append("Some pay periods cut a workweek: each component of a cut week is shared out by the days worked in "
                   "each period; its overtime goes to the period in which the workweek ends (29 CFR 778.106).")
    if not a.periods.shared:
        out.append("The register's pay periods overlap (more than one pay frequency): each employee is audited over "
                   "their own periods only.")
    if a.owed.outside_lines:
        first, last = a.owed.outside_days or (0, 0)
        out.append(f"Not audited: {a.owed.outside_lines} employee-week(s) owe pay on days outside every pay period of the "
                   f"register ({np.datetime64(first, 'D')} to {np.datetime64(last, 'D')}; ${a.owed.outside_cents / 100:,.2f}).")
    if reg.ignored:
        parts = ", ".join(f"{c} {d['lines']} line(s) ${d['cents'] / 100:,.2f}" for c, d in reg.ignored.items())
        out.append(f"Left out, as the map's [codes] ignore says: {parts}.")
    if reg.problems:
        out.append(f"{len(reg.problems)} register line(s) rejected (${reg.rejected_cents / 100:,.2f} readable): their "
                   "amounts are in no line, so a period's paid figure may be short by them.")
    full = a.earnings_map.codes.full_rate
    if full:
        out.append(f"Full-rate codes ({', '.join(full)}): each line's straight time (its hours at the period's average "
                   "base rate) is counted as base pay, the rest as the premium.")
    mapped = a.pay.mapped
    if mapped is not None and mapped.not_computed:
        out.append(f"The timesheet is a summary export: {'; '.join(mapped.not_computed)}. What payroll paid for those shows "
                   "as paid with nothing owed against it.")
    missing = [c for c in a.components if c.startswith("differential:") and c.split(":", 1)[1] not in a.earnings_map.codes.differential]
    if missing:
        out.append(f"No earning code in the map for {', '.join(missing)}: payroll is taken to have paid none of it.")
    owed_hours = [c for c in core.HOURS_COLUMN if not (a.register.lines["has_hours"] & (a.register.lines["component"] == c)).any()]
    if owed_hours and len(a.register.lines):
        out.append(f"The register gives no hours for {', '.join(owed_hours)}: its paid hours show as 0.")
    return out


def parse_period(date_from, date_to) -> tuple[int, int] | None:
    """``--from``/``--to`` dates -> (first, last) day numbers, or None."""
    if date_from is None and date_to is None:
        return None
    if date_from is None or date_to is None:
        raise InputError("give both --from and --to (the register's one pay period)")
    first, last = (int(np.datetime64(d, "D").astype("int64")) for d in (date_from, date_to))
    if last < first:
        raise InputError("--to is before --from")
    return first, last


def audit_report(a: AuditRun) -> dict:
    """The JSON report of an audit (docs/formats.md, "peerpay audit"), with the run's ``meta``."""
    from ..core.audit_report import audit_payload
    from ..core.report import hours
    from .meta import run_meta

    reg = a.register
    recon = reg.reconciliation()
    register = {"file": reg.source, "map": reg.map_name, "periods": reg.periods,
                **{k: recon[k] for k in ("rows_read", "lines_read", "lines_used", "lines_ignored", "lines_rejected")},
                "ignored": {c: {"lines": d["lines"], "hours": hours(d["minutes"]), "amount": d["cents"] / 100}
                            for c, d in reg.ignored.items()}}
    first, last = a.owed.outside_days or (None, None)
    not_audited = {"employee_weeks": a.owed.outside_lines, "owed": a.owed.outside_cents / 100,
                   "from": str(np.datetime64(first, "D")) if first is not None else None,
                   "to": str(np.datetime64(last, "D")) if last is not None else None}
    report = audit_payload(lines=a.lines, comps=a.components, findings=a.findings, employees=a.employees, totals=a.totals,
                           tolerance_cents=a.tolerance_cents, register=register, rejected=[p.as_json() for p in a.problems],
                           not_audited=not_audited, notes=a.notes,
                           reconciliation={"timesheet": a.pay.reconciliation, "register": recon})
    report["meta"] = run_meta()
    return report


def audit_claim(a: AuditRun, *, as_of=None, lookback_years: int | None = None, willful: bool = False,
                state_lookback_years: int | None = None, liquidated: str = "federal", jurisdiction: str | None = None,
                minimum_wage_override: str | float | None = None) -> dict:
    """The audit's weeks priced as back wages: docs/formats.md §6's three measures, the claim and
    liquidated damages, with what was paid taken from the register by component
    (:mod:`peerpay.core.audit_claim`). Raises InputError when the register's pay periods cut
    workweeks (the measures are per workweek).

    The keywords are ``peerpay backpay``'s, with the same meaning (cli/options.py ``claim_options``):
    ``as_of`` (default: the latest date in the timesheet or the register), ``lookback_years``
    (default 2, 3 when ``willful``), ``state_lookback_years``, ``liquidated`` ("federal", "all",
    "none"), ``jurisdiction`` and ``minimum_wage_override`` (the state measure's minimum)."""
    from ..core import backpay as backpay_core
    from ..core import wage_law
    from ..core.audit_claim import claimed_weeks, paid_weeks
    from ..core.backpay_report import backpay_report
    from ..core.money import MINUTES_PER_DAY
    from .minimum_wage import load_limitation_periods, minimum_wage
    from .pay import certification_bonus

    if not a.periods.aligned:
        raise InputError("--claim prices workweeks, and this register's pay periods cut workweeks: audit a register of "
                         "workweeks or of pay periods made of whole workweeks")
    run = a.pay
    paid = paid_weeks(a.lines, run.result.lines, a.components)
    minimum = minimum_wage(run.policy, jurisdiction, minimum_wage_override)
    years = lookback_years or (3 if willful else 2)
    federal = wage_law.Limitation(years, "29 U.S.C. 255(a)")
    state = wage_law.state_limitation(load_limitation_periods(), minimum.jurisdiction, willful, federal, state_lookback_years)
    shifts = run.shifts
    days = [int(a.register.lines["period_end"].max())] if len(a.register.lines) else []  # the register is an input too
    if len(shifts):
        end_local = shifts["start_local"].to_numpy(dtype="int64") + (shifts["end_at"] - shifts["start_at"]).to_numpy(dtype="int64")
        days.append(int(end_local.max() // MINUTES_PER_DAY))
    latest = np.datetime64(max(days), "D").astype(object) if days else None
    result = backpay_core.compute_backpay(shifts, shifts.iloc[:0], run.policy, minimum, as_of=as_of, lookback_years=years,
                                          state_limitation=state, liquidated=liquidated, latest_day=latest,
                                          bonus=certification_bonus(run), paid_pay=paid)
    result = claimed_weeks(result, paid)
    report = backpay_report(result, [], run.policy)
    del report["rejected"]  # the audit's own list holds every rejected row
    report["notes"].insert(0, "What was paid is the register's, by component: base, differentials and standby are straight-time "
                              "pay; overtime, and holiday and call-back premiums at 1.5x or more, are premiums (29 U.S.C. 207(h)(2)).")
    if a.register.periods != "workweek":
        report["notes"].insert(1, "A pay period's paid figures are shared among its workweeks component by component, in "
                                  "proportion to what each week owes for it (by hours worked where it owes nothing of it).")
    if not minimum.covered:
        report["notes"].append(f"No minimum-wage rows for {minimum.jurisdiction}: the federal minimum was used.")
    return report
