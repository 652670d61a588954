"""`peerpay validate`: check every input and the policy, print every problem at once.

Nothing is paid and nothing is written. Each problem is ``file:row:column: reason`` (row and
column left out when the problem is about the whole file); ``--format json`` gives the same as
one JSON object for scripts. Exit code 0 = clean (warnings allowed), 3 = rows would be
rejected, 1 = a file or the policy/map cannot be used at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd

from ..core.inputs import prepare_timesheet
from ..errors import InputError, Problem, file_name
from ..io.readers import read_policy, read_table
from ..jobs.pay import load_roster, load_schedule
from ..models.policy import Policy, policy_warnings
from .common import EXIT_INPUT, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, fail


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
    """Rows identical to an earlier row: almost always an export run twice (warning)."""
    if len(raw) < 2:
        return []
    h = pd.util.hash_pandas_object(raw.astype("string").fillna(""), index=False).to_numpy()
    s = pd.Series(h)
    first = pd.Series(range(len(s))).groupby(s.to_numpy()).transform("first").to_numpy()
    dup = [i for i in (s.duplicated(keep="first").to_numpy().nonzero()[0])]
    rows = rows if rows is not None else range(1, len(raw) + 1)
    rows = list(rows)
    return [Problem(source, int(rows[i]), None, f"same as row {rows[first[i]]} (a duplicate: it is paid only once, the copy is rejected as an overlap)", sheet)
            for i in dup]


def _without_rate_noise(problems, roster, schedule, warnings, source):
    """Without --roster/--schedule, "no rate" on every row is noise: say it once, as a warning."""
    if roster is not None and schedule is not None:
        return problems
    noise = [p for p in problems if p.reason.startswith("no rate: the row has no rate and no roster")]
    if noise:
        warnings.append(Problem(source, None, None, f"{len(noise)} row(s) without a rate were not checked against a wage "
                                "schedule: give --roster and --schedule to check them"))
    noise_ids = {id(p) for p in noise}
    return [p for p in problems if id(p) not in noise_ids]


def _notes(frame: pd.DataFrame, source: str, sheet=None) -> list[Problem]:
    """What the readers and validators normalised or want a look at (counts, never ids) as warnings."""
    return [Problem(source, None, None, n, sheet) for n in frame.attrs.get("notes", ())]


def check_inputs(timesheet=None, policy=None, roster=None, schedule=None, sheet=None, map_file=None):
    """Returns (errors, warnings, fatal): lists of Problem, and whether a file was unusable."""
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
                shifts, p, _ = prepare_timesheet(mapped.frame, Path(timesheet).name, paid_by, ros, sch, sheet)
                warnings += _notes(shifts, Path(timesheet).name, sheet)
                errors += _without_rate_noise(mapped.restore(p), ros, sch, warnings, Path(timesheet).name)
                warnings += duplicate_rows(mapped.frame, Path(timesheet).name, mapped.rows, sheet)
                warnings += [Problem(Path(timesheet).name, None, None, n, sheet) for n in mapped.notes()]
            else:
                raw = read_table(timesheet, sheet)
                shifts, p, _ = prepare_timesheet(raw, Path(timesheet).name, pol, ros, sch, sheet)
                warnings += _notes(shifts, Path(timesheet).name, sheet)
                errors += _without_rate_noise(p, ros, sch, warnings, Path(timesheet).name)
                warnings += duplicate_rows(raw, Path(timesheet).name, sheet=sheet)
            if policy and not fatal:  # weeks paid below the minimum wage of the days worked (29 CFR 776.4)
                from ..jobs.minimum_wage import minimum_wage_problems

                warnings += minimum_wage_problems(shifts, paid_by, Path(timesheet).name, sheet)
        except InputError as exc:
            errors += _file_problems(exc)
            fatal = True
    return errors, warnings, fatal


@click.command("validate")
@click.option("--timesheet", "-t", type=click.Path(dir_okay=False), help="Timesheet or payroll export (CSV/XLSX).")
@click.option("--policy", "-p", type=click.Path(dir_okay=False), help="Pay policy TOML.")
@click.option("--roster", "-r", type=click.Path(dir_okay=False))
@click.option("--schedule", "-s", type=click.Path(dir_okay=False))
@click.option("--sheet", help="XLSX sheet of the timesheet (default: the first).")
@click.option("--map", "map_file", type=click.Path(dir_okay=False), help="Column map for a payroll export (TOML).")
@click.option("--format", "-f", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
def command(timesheet, policy, roster, schedule, sheet, map_file, fmt):
    """Check inputs and policy without paying: every problem at once, as file:row:column."""
    if not any((timesheet, policy, roster, schedule, map_file)):
        fail("nothing to check: give --timesheet, --policy, --roster, --schedule and/or --map", EXIT_USAGE)
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
            errors, warnings, fatal = check_inputs(timesheet, policy, roster, schedule, sheet, map_file)
        except MemoryError:
            fail("out of memory: split the input", EXIT_INPUT)
    code = EXIT_INPUT if fatal else EXIT_REJECTED if errors else EXIT_OK
    if fmt == "json":
        click.echo(json.dumps({
            "ok": code == EXIT_OK,
            "errors": [p.as_json() for p in errors],
            "warnings": [p.as_json() for p in warnings],
            "counts": {"errors": len(errors), "warnings": len(warnings)},
        }, indent=2, ensure_ascii=False))
    else:
        for p in errors:
            click.echo(f"error: {p.render()}")
        for p in warnings:
            click.echo(f"warning: {p.render()}")
        click.echo(f"{len(errors)} error(s), {len(warnings)} warning(s)" + ("" if errors else ": inputs are usable"), err=True)
    raise SystemExit(code)
