"""`peerpay validate`: check every input and the policy, print every problem at once.

Nothing is paid and nothing is written. Each problem is ``file:row:column: reason`` (row and
column left out when the problem is about the whole file); ``--format json`` gives the same as
one JSON object for scripts. Exit code 0 = clean (warnings allowed), 3 = rows would be
rejected, 1 = a file or the policy/map cannot be used at all.

validate predicts ``pay``: it reads the files as ``pay`` does and runs the same row checks
(:func:`peerpay.core.inputs.prepare_timesheet`, including whether each row's base rate can be
resolved: a ``rate`` column, or the roster's role and step in the wage schedule), so it says
"usable" only when ``pay`` with the same files would pay every row, and its errors are the rows
``pay`` would reject (tests/test_validate_predicts_pay.py runs both on a corpus of files).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np
import pandas as pd

from ..core.inputs import prepare_timesheet, rows_read
from ..core.report import paid_minutes, reconciliation, rejected_rows
from ..errors import InputError, Problem, file_name
from ..io.readers import read_policy, read_table
from ..jobs.pay import load_roster, load_schedule
from ..models.policy import Policy, policy_warnings
from .common import EXIT_INPUT, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, fail, problem_hints
from .options import PeerpayCommand, format_option, map_option, policy_option, roster_option, schedule_option, sheet_option, timesheet_option


def _file_problems(exc: InputError) -> list[Problem]:
    """The whole-file problems an InputError carries (the loaders fill them: errors are data).

    An error raised without them (a rule outside the loaders) becomes one problem: its message,
    on the file it names.
    """
    if exc.problems:
        return list(exc.problems)
    where, _, reason = str(exc).partition(": ")
    return [Problem(file_name(where), None, None, reason or str(exc))]


def duplicate_rows(raw: pd.DataFrame, source: str, rows=None, sheet=None) -> list[Problem]:
    """Rows identical to an earlier row: almost always an export run twice (warning). Blank rows are no rows."""
    from ..core.tables import blank_rows, duplicate_of

    if len(raw) < 2:
        return []
    blank = blank_rows(raw, np.flatnonzero((raw.iloc[:, 0].astype(str).str.strip().isin(["", "nan"])).to_numpy(dtype=bool)))
    first = duplicate_of(raw, np.flatnonzero(~blank))
    rows = np.asarray(rows if rows is not None else np.arange(1, len(raw) + 1))
    return [Problem(source, int(rows[i]), None, f"same as row {rows[first[i]]} (a duplicate: it is paid only once, the copy is rejected as an overlap)", sheet)
            for i in np.flatnonzero(first >= 0)]


def _notes(frame: pd.DataFrame, source: str, sheet=None) -> list[Problem]:
    """What the readers and validators normalised or want a look at (counts, never ids) as warnings."""
    return [Problem(source, None, None, n, sheet) for n in frame.attrs.get("notes", ())]


def check_inputs(timesheet=None, policy=None, roster=None, schedule=None, sheet=None, map_file=None, rows: dict | None = None):
    """Returns (errors, warnings, fatal): lists of Problem, and whether a file was unusable.

    ``rows``, when given, receives the timesheet's reconciliation as ``pay`` would strike it
    (rows read, paid, rejected): what the summary line says.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    fatal = False
    pol = Policy()
    if policy:
        try:
            pol = read_policy(policy)
            warnings += [Problem(Path(policy).name, None, None, w) for w in policy_warnings(pol)]  # legal but unusual
        except InputError as exc:
            errors += _file_problems(exc)
            fatal = True
    ros = sch = None
    for path, loader, slot in ((roster, load_roster, "roster"), (schedule, load_schedule, "schedule")):
        if not path:
            continue
        try:
            frame, probs = loader(path)
            errors += probs
            warnings += _notes(frame, Path(path).name)
            if slot == "roster":
                ros = frame
            else:
                sch = frame
        except InputError as exc:
            errors += _file_problems(exc)
            fatal = True
    if timesheet:
        paid_by = pol
        try:
            if map_file:
                from ..io.exports import apply_map_to_file

                mapped = apply_map_to_file(timesheet, map_file, sheet, pol.timezone)
                paid_by = mapped.adjust_policy(pol)
                shifts, p, recon = mapped.prepare(paid_by, ros, sch)  # as pay does
                warnings += _notes(shifts, Path(timesheet).name, sheet)
                if rows is not None:
                    rows.update(recon)
                errors += p
                warnings += mapped.warnings
                warnings += [Problem(Path(timesheet).name, None, None, n, sheet) for n in mapped.notes()]
            else:
                raw = read_table(timesheet, sheet)
                shifts, p, rejected_hours = prepare_timesheet(raw, Path(timesheet).name, pol, ros, sch, sheet)
                warnings += _notes(shifts, Path(timesheet).name, sheet)
                if rows is not None:
                    rows.update(reconciliation(rows_read(raw, shifts), len(shifts), rejected_rows(p), paid_minutes(shifts),
                                               int(rejected_hours["minutes"].sum()), len(p) - len(rejected_hours)))
                errors += p
                warnings += shifts.attrs.get("warnings", [])
                warnings += duplicate_rows(raw, Path(timesheet).name, sheet=sheet)
            if policy and not fatal:  # weeks paid below the minimum wage of the days worked (29 CFR 776.4)
                from ..jobs.minimum_wage import minimum_wage_problems

                warnings += minimum_wage_problems(shifts, paid_by, Path(timesheet).name, sheet)
        except InputError as exc:
            errors += _file_problems(exc)
            fatal = True
    return errors, warnings, fatal


@click.command("validate", cls=PeerpayCommand)
@timesheet_option(required=False, help="Timesheet or payroll export (CSV/XLSX).")
@policy_option(required=False)
@roster_option()
@schedule_option()
@sheet_option
@map_option
@format_option(["table", "json"], default="table", old={"human": "table"})
def command(timesheet, policy, roster, schedule, sheet, map_file, fmt):
    """Check inputs and policy without paying: every problem at once, as file:row:column."""
    if not any((timesheet, policy, roster, schedule, map_file)):
        fail("nothing to check: give --timesheet, --policy, --roster, --schedule and/or --map", EXIT_USAGE)
    rows: dict = {}
    if map_file and not timesheet:
        warnings: list[Problem]
        try:
            from ..io.exports import read_map

            read_map(map_file)
            errors, warnings, fatal = [], [], False
        except InputError as exc:
            errors, warnings, fatal = _file_problems(exc), [], True
        e2, w2, f2 = check_inputs(None, policy, roster, schedule, sheet, None)
        errors, warnings, fatal = errors + e2, warnings + w2, fatal or f2
    else:
        try:
            errors, warnings, fatal = check_inputs(timesheet, policy, roster, schedule, sheet, map_file, rows)
        except MemoryError:
            fail("out of memory: split the input", EXIT_INPUT)
    code = EXIT_INPUT if fatal else EXIT_REJECTED if errors else EXIT_OK
    if fmt == "json":
        out = {"ok": code == EXIT_OK, "errors": [p.as_json() for p in errors], "warnings": [p.as_json() for p in warnings],
               "counts": {"errors": len(errors), "warnings": len(warnings)}}
        if rows and not fatal:  # an added key: what pay would do with the timesheet
            out["rows"] = {"read": rows["rows_read"], "would_pay": rows["rows_paid"], "would_reject": rows["rows_rejected"],
                           **({"dropped_by_map": rows["rows_dropped"]} if "rows_dropped" in rows else {})}
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for p in errors:
            click.echo(f"error: {p.render()}")
        for p in warnings:
            click.echo(f"warning: {p.render()}")
        for hint in problem_hints(errors):
            click.echo(f"hint: {hint}", err=True)
        click.echo(summary(errors, warnings, fatal, rows), err=True)
    raise SystemExit(code)


def summary(errors: list[Problem], warnings: list[Problem], fatal: bool, rows: dict) -> str:
    """The last line: the counts, and what ``pay`` would do ("usable" only when it would pay every row)."""
    counts = f"{len(errors)} error(s), {len(warnings)} warning(s)"
    if fatal:
        return f"{counts}: a file cannot be used; pay would stop with nothing paid"
    if rows.get("rows_rejected"):
        return f"{counts}: pay would reject {rows['rows_rejected']} of {rows['rows_read']} rows (the errors above) and pay the rest"
    if errors:
        return f"{counts}: pay would reject the rows named above"
    paid = f": pay would pay all {rows['rows_paid']} rows" if rows else ""
    return f"{counts}: inputs are usable{paid}"
