"""`peerpay pay` and `peerpay demo`."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click
import pandas as pd

from ..core.report import audit_frame, detail_view, employee_summary, lines_frame, lines_table
from ..io.readers import read_policy
from ..io.document import Document, Heading, Table, Text, render, render_chunks
from ..io.writers import to_csv
from ..jobs.pay import Scope, report_scope, run_pay
from .options import (PeerpayCommand, employee_option, force_option, format_option, mapped_timesheet, output_option, pay_inputs,
                      period_options, rejects_option, statements_option, with_names_option)
from .common import (EXIT_USAGE, run_record, output_format, EXIT_INPUT, EXIT_OK, EXIT_REJECTED, check_format_target, check_outputs, emit, fail, finish,
                     handles_input_errors, hash_in_background, no_run_record, report_problems, warn_policy, write_file, MAX_PRINTED_PROBLEMS)

MONEY = ["base_pay", "holiday_premium", "standby_pay", "callback_premium", "minimum_shift_pay", "out_of_class_pay", "overtime_premium",
         "gross_pay", "differentials", "straight_time_pay", "minimum_wage_pay", "shortfall"]
HOURS = ["hours_worked", "on_call_hours", "overtime_hours", "out_of_class_hours", "hours", "callback_hours", "daily_ot_hours", "weekly_ot_hours"]
#: rates are shown to the ten-thousandth and never totalled (a sum of rates means nothing)
RATES = ["regular_rate", "base_rate", "minimum_wage"]


def roster_names(run) -> pd.DataFrame:
    """``--with-names``: employee_id, name, role from the roster (a private report only: never a published one)."""
    ros = run.roster
    if ros is None or "name" not in ros.columns:
        fail("--with-names needs --roster with a name column", EXIT_USAGE)
    return ros[["employee_id", "name", "role"]].astype(str).drop_duplicates("employee_id")


def with_names(frame: pd.DataFrame, names: pd.DataFrame | None) -> pd.DataFrame:
    """The frame with the roster's ``name`` and ``role`` right after ``employee_id`` (unchanged without names)."""
    if names is None or "employee_id" not in frame.columns:
        return frame
    extra = [c for c in ("name", "role") if c not in frame.columns]
    merged = frame.merge(names[["employee_id", *extra]], on="employee_id", how="left", sort=False)
    at = list(frame.columns).index("employee_id") + 1
    order = [*frame.columns[:at], *extra, *frame.columns[at:]]
    return merged[order]


def pay_document(run, detail: bool, record: dict | None = None, names: pd.DataFrame | None = None) -> Document:
    """The pay report as a document (every part built only when a format asks for it).

    ``names`` (``--with-names``): the roster's name and role beside each employee id, in every format.
    """
    minimum_shift = run.policy.minimum_shift is not None
    kinds = {c: "money" for c in MONEY} | {c: "hours" for c in HOURS} | {c: "rate" for c in RATES} | {"weeks": "count", "minutes": "count"}

    def csv():
        # the lines straight from the engine's frame, vectorised (the same table as ``lines``);
        # the JSON-shaped report is never built
        # the pay lines always; with --detail the segments are a second file (render_detail_csv), never a swap
        return with_names(lines_table(run.result, minimum_shift), names)

    def sheets():
        report = run.report
        lines = lines_frame(report)
        if lines.empty:  # every row rejected: still a header row (lines_table knows the columns)
            lines = lines_table(run.result, minimum_shift)
        out = [Table(with_names(lines, names), "pay lines", kinds, totals=True),
               Table(with_names(employee_summary(report), names), "by employee", kinds, totals=True),
               Table(pd.DataFrame(report["rejected"], columns=["file", "row", "column", "reason"]), "rejected", kinds)]
        if report.get("minimum_wage", {}).get("below_minimum"):
            out.append(Table(minimum_wage_frame(report), "below minimum wage", kinds))
        if detail:
            out.append(Table(detail_view(audit_frame(run.result, run.policy.timezone), text_times=False), "audit trail", kinds,
                             totals=True))
        return out

    def blocks():
        report = run.report
        summary = employee_summary(report)
        if len(summary):
            totals = summary.drop(columns=["employee_id"]).sum(numeric_only=True)
            summary = pd.concat([summary, pd.DataFrame([{"employee_id": "TOTAL", **totals.to_dict()}])], ignore_index=True)
            summary["weeks"] = summary["weeks"].astype(int)
        out: list = [Heading("Gross pay by employee"), Table(with_names(summary, names), kinds=kinds, blanks=names is not None)]
        r = report.get("reconciliation") or {}
        if r.get("rows_read") and not r.get("rows_paid"):
            out.append(Text(f"Nothing was paid: every row was rejected ({r['rows_rejected']} of {r['rows_read']}); see below.\n"))
        if detail:
            trail = detail_view(audit_frame(run.result, run.policy.timezone))
            places = [",.4f" if kinds.get(str(c)) == "rate" else ",.2f" for c in trail.columns]  # hours to 2 places, rates to 4
            out += [Text("\n"), Heading("Audit trail: each segment and the rules that paid it"),
                    Table(trail, kinds=kinds, options={"floatfmt": places})]
        if report.get("minimum_wage", {}).get("below_minimum"):
            out += [Text("\n"), Heading(f"Workweeks paid below the minimum wage ({report['minimum_wage']['basis']}; 29 CFR 776.4)"),
                    Table(minimum_wage_frame(report), kinds=kinds)]
        if report["rejected"]:
            unit = (report.get("reconciliation") or {}).get("counted_in", "rows")  # shifts: one per Hours N group or punch pair
            out += [Text("\n"), Heading(f"Rejected {unit} ({len(report['rejected'])})"), Table(pd.DataFrame(report["rejected"]))]
        out.append(Text("\n" + _recon_line(report) + "\n"))
        out += [Text(f"Note: {n}\n") for n in report.get("notes", [])]
        return out

    def payload():
        report = run.json_report()
        if names is not None:  # added per-line keys name and role (docs/formats.md §4 keys unchanged)
            who = names.set_index("employee_id").to_dict("index")
            report = {**report, "lines": [_named(line, who.get(str(line["employee_id"]), {})) for line in report["lines"]]}
        if not detail:
            return report
        trail = detail_view(audit_frame(run.result, run.policy.timezone))
        return {**report, "detail": json_records(trail)}  # an added key: the §4 keys are unchanged

    return Document("peerpay pay: gross pay by employee", blocks=blocks, csv=csv, payload=payload,
                    sheets=sheets, notes=lambda: _notes(run.report), run_record=record,
                    policy=lambda: run.policy.model_dump(mode="json", exclude_none=True))


def minimum_wage_frame(report: dict) -> pd.DataFrame:
    """The report's workweeks below the minimum wage as a table (one row per employee and workweek)."""
    return pd.DataFrame(report.get("minimum_wage", {}).get("below_minimum"),
                        columns=["employee_id", "week_start", "hours_worked", "straight_time_pay", "minimum_wage", "minimum_wage_pay", "shortfall"])


def warn_minimum_wage(check: dict) -> None:
    """Counts only on stderr (never ids): the report lists the weeks."""
    if check["below_minimum"]:
        click.echo(f"warning: {len(check['below_minimum'])} workweek(s) paid below the minimum wage ({check['basis']}); "
                   "the report lists them (JSON: minimum_wage.below_minimum)", err=True)


def period_notes(scope) -> list[str]:
    """The workweeks the run's period cuts (:class:`peerpay.jobs.pay.Scope`): counts and dates only, never ids."""
    if not scope.partial:
        return []
    return [f"{len(scope.partial)} workweek(s) cut by the period {scope.first} to {scope.last} (starting "
            f"{', '.join(sorted(scope.partial))}): hours worked on their days outside the period are not in this run, so their "
            "overtime may be understated; a workweek's overtime is settled with the period in which it ends (29 CFR 778.106)"]


def pay_stubs(run, record: dict | None, names: pd.DataFrame | None = None, scope=None) -> dict[str, str]:
    """file name -> one employee's pay statement page, for every employee in the report.

    ``names`` (``--with-names``): the roster's names on the statements; ``scope``: the run's
    :class:`~peerpay.jobs.pay.Scope` (the pay period the statements name, and the weeks it cuts).
    """
    from ..core.explain import line_items
    from ..core.report import iso_dates
    from ..io.paystubs import pay_stub_html, stub_filename

    items = line_items(run.result)
    items = items.assign(week_start=iso_dates(items["week_start"].to_numpy()) if len(items) else items["week_start"])
    exact = run.result.lines.assign(week_start=iso_dates(run.result.lines["week_start"].to_numpy()))
    # per employee: tens of weeks and line items, not millions of rows
    items_of = {str(e): g.to_dict("records") for e, g in items.groupby("employee_id", sort=False)}
    exact_of = {str(e): g.to_dict("records") for e, g in exact.groupby("employee_id", sort=False)}
    lines_of: dict[str, list] = {}
    for line in run.report["lines"]:
        lines_of.setdefault(str(line["employee_id"]), []).append(line)
    who = dict(zip(names["employee_id"], names["name"])) if names is not None else {}
    period = (scope.first, scope.last, scope.source) if scope is not None and (scope.first or scope.last) else None
    partial = scope.partial if scope is not None else frozenset()
    return {stub_filename(e): pay_stub_html(e, lines, items_of.get(e, []), exact_of[e], run.policy, record, who.get(e), period, partial)
            for e, lines in lines_of.items()}


def check_stubs(folder: str, pages: dict[str, str], force: bool) -> None:
    """Before anything is written: an existing statement is replaced only with --force."""
    d = Path(folder)
    taken = [n for n in pages if (d / n).exists() and (d / n).stat().st_size > 0]
    if taken and not force:
        fail(f"--statements {d}: {len(taken)} statement file(s) exist; use --force to overwrite them", EXIT_USAGE)


def write_stubs(folder: str, pages: dict[str, str], force: bool) -> None:
    """Each page atomically (after check_stubs)."""
    d = Path(folder)
    for name, page in pages.items():  # a message names the folder: a statement's file name carries an employee id
        write_file(d / name, page, label=f"a pay statement in {d}")


def json_records(frame: pd.DataFrame) -> list[dict]:
    """A table as JSON-ready records (missing values as null, dates as ISO text)."""
    import json

    return json.loads(frame.to_json(orient="records", date_format="iso"))


def render_detail_csv(run) -> str:
    """--format csv --detail: the audit trail (one row per segment), written as a second file."""
    return to_csv(detail_view(audit_frame(run.result, run.policy.timezone)))


def detail_csv_path(output: str) -> str:
    """``pay.csv`` -> ``pay.detail.csv``: the segments' file beside the lines' file."""
    p = Path(output)
    return str(p.with_name(f"{p.stem}.detail{p.suffix or '.csv'}"))


def _named(line: dict, who: dict) -> dict:
    out: dict = {}
    for k, v in line.items():
        out[k] = v
        if k == "employee_id":
            out["name"], out["role"] = who.get("name"), line.get("role", who.get("role"))
    return out


def render_pay(run, fmt: str, detail: bool, record: dict | None = None, names: pd.DataFrame | None = None) -> str | bytes:
    return render(pay_document(run, detail, record, names), fmt)


def _weeks_paid(run):
    """The workweeks of the pay lines, as day numbers (the lines' ``week_start``, every engine alike)."""
    lines = run.result.lines
    return lines["week_start"].to_numpy().astype("datetime64[D]").astype("int64") if len(lines) else None


def holidays_used(run) -> str | None:
    """The holiday dates the policy's calendar gives inside the workweeks paid (the ``holidays`` package version too)."""
    weeks = _weeks_paid(run)
    if run.policy.holiday is None or weeks is None:
        return None
    import numpy as np

    from ..core.calendar import holiday_days

    # from the pay lines' workweeks, which every engine reports alike (a partitioned run keeps no segments)
    first, last = int(weeks.min()), int(weeks.max()) + 6
    days = holiday_days(run.policy, first, last)
    shown = [str(np.datetime64(int(d), "D")) for d in np.asarray(days) if first <= d <= last]
    from ..jobs.meta import run_meta

    found = run_meta()["holidays_version"]  # looked up once per process (the run record and JSON meta too)
    package = f" (holidays {found})" if found else ""  # metadata missing: the dates are still right
    return (", ".join(shown) or "none in the period") + package


def pay_period(run, scope=None) -> str | None:
    """The period the report covers (``--from``/``--to`` or the policy's pay periods) and its
    workweeks (first and last week start), for the run record."""
    import numpy as np

    weeks = _weeks_paid(run)
    if weeks is None:
        return None
    span = f"workweeks starting {np.datetime64(int(weeks.min()), 'D')} to {np.datetime64(int(weeks.max()), 'D')}"
    described = scope.describe() if scope is not None else ""
    return f"{described}; {span}" if described else span



def report_warnings(warnings) -> None:
    """Rows paid that deserve a look (an id a spreadsheet mangled, a time card whose hours disagree), as file:row:column."""
    for w in warnings[:MAX_PRINTED_PROBLEMS]:
        click.echo(f"warning: {w.render()}", err=True)
    if len(warnings) > MAX_PRINTED_PROBLEMS:
        click.echo(f"warning: … and {len(warnings) - MAX_PRINTED_PROBLEMS} more (see the JSON report's warnings)", err=True)


def _recon_line(report: dict) -> str:
    r = report.get("reconciliation")
    if not r:
        return ""
    dropped = f" + {r['rows_dropped']} dropped by the map (not hours worked)" if r.get("rows_dropped") else ""
    unit, source = "rows", ""
    if r.get("counted_in", "rows") != "rows":  # a punch pair or an Hours N group is one shift, as the rejected list counts
        unit, source = r["counted_in"], f" (from {r['source_rows_read']} export rows)"
    pieces = f" (as {r['pieces_paid']} pieces of at most 24 h)" if r.get("pieces_paid") else ""
    out_rows = out_hours = ""
    if "rows_out_of_scope" in r:  # a filtered report: what it leaves out is counted, and the filter named
        out_rows = f" + {r['rows_out_of_scope']} out of scope ({r['scope']})"
        out_hours = f" + out of scope {r['hours_out_of_scope']:,.2f}"
    return (
        f"Reconciliation: {r['rows_read']} {unit} read{source} = {r['rows_paid']} paid{pieces} + {r['rows_rejected']} rejected{dropped}{out_rows}; "
        f"hours in {r['hours_in']:,.2f} = paid {r['hours_paid']:,.2f} + rejected {r['hours_rejected']:,.2f}{out_hours}"
    )


def _notes(report: dict) -> list[str]:
    return [
        "peerpay pay: notes",
        "Money: every component is computed exactly and rounded once, half-up, per employee and workweek; gross = sum of rounded components.",
        "Regular rate (29 CFR 778.109, 778.207(b), 778.223) = (base + differentials + standby) / hours worked; holiday and call-back premiums are excluded (778.203, 778.221).",
        _recon_line(report),
        *report.get("notes", []),
    ]


@click.command("pay", cls=PeerpayCommand)
@pay_inputs(many=True)
@click.option("--by", "by", type=click.Choice(["employee", "person"]), default="employee", show_default=True,
              help="person: per person and workweek across employers (roster person_id, employer; "
                   "docs/joint-and-credentials.md). Prints person ids: not for publication.")
@click.option("--credentials", type=click.Path(dir_okay=False),
              help="Credentials file: employee_id or person_id, credential, from, to (for [[premium]]).")
@period_options("First day of the pay period: keep the workweeks that overlap --from..--to; a workweek partly outside "
                "it is flagged (its overtime may be understated). Default: the policy's [pay_period] around the data.",
                "Last day of the pay period (inclusive).")
@employee_option
@format_option()
@output_option
@click.option("--detail", is_flag=True, help="Add the audit trail: every segment, its dollars per component and the rules "
              "that paid it (a separate table; JSON: a 'detail' key; CSV: a second file NAME.detail.csv beside --output).")
@rejects_option
@statements_option("Also write a printable pay statement per employee into DIR (paystub-<id>.html: each line as hours x "
                   "rate = amount, the regular-rate arithmetic of overtime weeks, the rules applied).")
@with_names_option
@force_option("Overwrite existing output files (and statements).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this machine (a large timesheet on two cores; with --partitions N: in N employee buckets, "
                   "one process per core, for input larger than memory); "
                   "dask: many files or a glob, CSV or Parquet, on a dask cluster (docs/scale.md).")
@click.option("--scheduler", metavar="ADDRESS", help="dask scheduler address (default: a local cluster, one worker per core).")
@click.option("--partitions", type=click.IntRange(1, 100_000), help="Employee partitions (buckets) to pay separately.")
@click.option("--output-dir", type=click.Path(file_okay=False), help="--engine dask: write pay lines partitioned here "
              "(lines-NNNNN.parquet, or .csv with --format csv), plus rejected.csv and summary.json.")
@click.option("--export", metavar="VENDOR|MAP", help="Write the pay lines as a payroll system's earnings import instead of the "
              "report: adp, paychex, ukg, or an earnings map with an [export] section; control totals go to NAME.control.csv "
              "beside --output (docs/audit.md).")
@handles_input_errors
def pay(timesheet, policy, roster, schedule, sheet, map_file, by, credentials, date_from, date_to, employees, fmt, output, detail,
        rejects, statements, with_names, force, engine, scheduler, partitions, output_dir, export):
    """Compute gross pay per employee and workweek (docs/formats.md §4)."""
    from ..jobs.pay import expand_timesheets

    scaled = engine != "local" or partitions or scheduler or output_dir
    # the scaled engines read a glob themselves (docs/scale.md): one --timesheet value, as given
    timesheets = expand_timesheets(timesheet) if not scaled or len(timesheet) > 1 else list(timesheet)
    if export is not None:  # pay --export: the earnings import instead of the report (cli/export.py)
        from .export import export_pay, load_export

        unsupported = [o for o, on in (("--engine dask/--partitions/--output-dir", scaled), ("several timesheets", len(timesheets) > 1),
                                       ("--by person", by == "person"), ("--credentials", credentials), ("--detail", detail),
                                       ("--statements", statements), ("--with-names", with_names)) if on]
        spec = load_export(export, fmt, output, force, [*timesheets, policy, roster, schedule, map_file], unsupported)
    fmt = output_format(fmt, output)
    check_format_target(fmt, output)
    detail_csv = None
    if detail and fmt == "csv":
        if output in (None, "-"):
            fail("--format csv --detail writes two tables, the pay lines and the segments: give --output pay.csv "
                 "(the segments go to pay.detail.csv), or use --format json/xlsx/md/html", EXIT_USAGE)
        detail_csv = detail_csv_path(output)
    check_outputs({"--output": output, "--rejects": rejects, "--detail (segments)": detail_csv},
                  [*timesheets, policy, roster, schedule, map_file, credentials], force,
                  folders={"--output-dir": output_dir, "--statements": statements})
    if with_names and roster is None:
        fail("--with-names needs --roster (names come from its name column)", EXIT_USAGE)
    if date_from and date_to and date_from > date_to:
        fail("--from is after --to", EXIT_USAGE)
    if (date_from or date_to or employees) and (scaled or len(timesheets) > 1 or by == "person" or credentials):
        fail("--from, --to and --employee work with one timesheet on the local engine (without --by person, --credentials, "
             "--partitions or --output-dir)", EXIT_USAGE)
    if with_names and (scaled or len(timesheets) > 1 or by == "person" or credentials):
        fail("--with-names works with one timesheet on the local engine (without --by person, --credentials, "
             "--partitions or --output-dir)", EXIT_USAGE)
    single = not (len(timesheets) > 1 or by == "person" or credentials)
    if single and (fmt != "csv" or statements):  # a run record is built: its hashes begin while pandas loads
        hash_in_background([timesheets[0], policy, roster, schedule, map_file])
    elif single or fmt == "csv":  # no run record: nothing to hash (the inputs are still read as one version each)
        no_run_record()
    # (several timesheets, --by person, --credentials: a run record unless CSV, each file hashed as it is read)
    pol = read_policy(policy)
    warn_policy(pol)
    if len(timesheets) > 1 or by == "person" or credentials:
        _many(timesheets, by, credentials, pol, roster, schedule, sheet, map_file, fmt, output, detail, rejects, force,
              scaled, policy_file=policy)
    timesheet = timesheets[0]
    if engine != "local" or partitions or scheduler or output_dir:
        from .scale import scaled_run

        run = scaled_run(timesheet, pol, roster, schedule, engine=engine, scheduler=scheduler, partitions=partitions,
                         output_dir=output_dir, fmt=fmt.lower(), sheet=sheet, map_file=map_file, detail=detail,
                         output=output, force=force)
        mapped = None
    else:
        mapped = mapped_timesheet(timesheet, map_file, sheet, pol.timezone)
        # the audit trail only where it is shown: without it a large run is paid on two cores
        run = run_pay(timesheet, pol, roster, schedule, sheet=sheet, raw_timesheet=mapped, audit=bool(detail or statements))
    if not run.reconciliation["balanced"]:
        fail(f"internal reconciliation failed: {run.reconciliation}", EXIT_INPUT)
    scope = Scope()
    if not scaled:
        run, scope = report_scope(run, date_from.date() if date_from else None, date_to.date() if date_to else None, employees)
        run.notes.extend(period_notes(scope))
    recon = run.reconciliation
    if not recon["balanced"]:
        fail(f"internal reconciliation failed: {recon}", EXIT_INPUT)
    if export is not None:
        export_pay(run, spec, output, force, rejects, period_notes(scope))
    options = {"from": date_from.date().isoformat() if date_from else None, "to": date_to.date().isoformat() if date_to else None,
               "employee": list(employees), "sheet": sheet, "detail": detail or None}
    record = run_record("peerpay pay", {"timesheet": timesheet, "policy": policy, "roster": roster, "schedule": schedule, "map": map_file},
                        options, period=pay_period(run, scope), holidays=holidays_used(run)) \
        if fmt != "csv" or statements else None  # CSV has no room for a record: a large CSV run never builds the report dicts
    names = roster_names(run) if with_names else None
    data = render_chunks(pay_document(run, detail, record, names), fmt.lower())
    stubs = pay_stubs(run, record, names, scope) if statements else {}
    if stubs:
        check_stubs(statements, stubs, force)
    segments = render_detail_csv(run) if detail_csv else None
    rejected = to_csv(pd.DataFrame([p.as_json() for p in run.problems], columns=["file", "row", "column", "reason"])) if rejects else None
    report_problems(run.problems)
    report_warnings(run.warnings)
    for note in run.shifts.attrs.get("notes", ()):  # input notes (counts only, never ids): docs/input-rules.md
        click.echo(f"note: {note}", err=True)
    if engine == "local" and not (partitions or scheduler or output_dir):
        warn_minimum_wage(run.minimum_wage)  # computed once: the report holds the same entry
    # every output is rendered before the first one is written: a failure leaves no file behind
    if rejects:
        write_file(rejects, cast(str, rejected))
    if output_dir is None or output is not None:
        emit(data, output, force)
    if detail_csv:
        emit(cast(str, segments), detail_csv, force)  # rendered whenever detail_csv is set
    if stubs:
        write_stubs(statements, stubs, force)
    click.echo(_recon_line({"reconciliation": recon}), err=True)
    for note in period_notes(scope):
        click.echo(f"note: {note}", err=True)
    if recon.get("rows_read") and not recon.get("rows_paid"):
        click.echo(f"peerpay: every row was rejected ({recon['rows_rejected']} of {recon['rows_read']}): nothing was paid. "
                   "The reasons are listed above (and with --rejects FILE).", err=True)
    for note in mapped.notes() if mapped is not None else ():
        click.echo(f"map: {note}", err=True)
    code = EXIT_REJECTED if run.problems else EXIT_OK
    if engine != "local" or scheduler or output_dir:  # a dask cluster or a staged output folder ends the ordinary way
        raise SystemExit(code)
    finish(code)  # --partitions too: its workers and spill folder are gone by now


def _many(timesheets, by, credentials, pol, roster, schedule, sheet, map_file, fmt, output, detail, rejects, force, scaled,
          policy_file=None):
    """Several timesheets, a credentials file or ``--by person``: one local run over every file."""
    from ..jobs.pay import run_pay_many

    if scaled or map_file or sheet:
        fail("several timesheets, --credentials and --by person work with the local engine, without --map or --sheet", 2)
    run = run_pay_many(timesheets, pol, roster, schedule, credentials=credentials)
    recon = run.reconciliation
    if not recon["balanced"]:
        fail(f"internal reconciliation failed: {recon}", EXIT_INPUT)
    # the run record lists every timesheet (a glob's files each with its SHA-256, as read)
    record = run_record("peerpay pay", {**{f"timesheet {i}": t for i, t in enumerate(timesheets, 1)}, "policy": policy_file,
                                        "roster": roster, "schedule": schedule, "credentials": credentials},
                        {"by": by}) if fmt != "csv" else None
    data = render(person_document(run, record=record), fmt.lower()) if by == "person" else render_pay(run, fmt.lower(), detail, record)
    rejected = to_csv(pd.DataFrame([p.as_json() for p in run.problems], columns=["file", "row", "column", "reason"])) if rejects else None
    report_problems(run.problems)
    report_warnings(run.warnings)
    for note in run.shifts.attrs.get("notes", ()):
        click.echo(f"note: {note}", err=True)
    warn_minimum_wage(run.minimum_wage)
    if rejects:
        write_file(rejects, cast(str, rejected))  # rendered above whenever --rejects is given
    emit(data, output, force)
    click.echo(_recon_line({"reconciliation": recon}), err=True)
    finish(EXIT_REJECTED if run.problems else EXIT_OK)


def person_document(run, only_shared: bool = False, record: dict | None = None) -> Document:
    """``pay --by person``: hours and gross per person and workweek, by employer and combined;
    the joint-employment what-if and the certification bonus's overtime when the policy has them.
    ``only_shared`` (the demo): only the people who work for more than one employer."""
    from ..core.joint import BONUS_RULE, COMBINED, JOINT_NOTE, JOINT_RULE, bonus_view, joint_view, person_view
    from ..jobs.pay import person_report

    rep = person_report(run)
    if only_shared:
        p = rep["people"]
        n = p[p["employer"] != COMBINED].groupby("person_id")["employer"].nunique()
        rep["people"] = p[p["person_id"].isin(n[n > 1].index)].reset_index(drop=True)
    kinds = {c: "money" for c in ("gross_pay", "combined_premium", "employer_share", "paid_alone", "credited", "additional",
                                  "bonus_share", "bonus_overtime")}
    kinds |= {c: "hours" for c in ("hours", "overtime_hours", "combined_hours", "combined_overtime_hours")}
    people = person_view(rep["people"])
    flagged = int(rep["people"].loc[rep["people"]["employer"] == "(combined)", "combined_only_over_40"].sum())
    tables = [Table(people, "by person", kinds)]
    if rep["joint"] is not None:
        tables.append(Table(joint_view(rep["joint"]), "joint employment (what-if)", kinds))
    if rep["bonus"] is not None:
        tables.append(Table(bonus_view(rep["bonus"]), "certification bonus", kinds))
    notes = [
        "peerpay pay --by person: notes",
        "person_id links one person's employee ids at different employers (the roster's person_id column, else a timesheet's; default: the employee id). This view "
        "prints person ids: it is for payroll and audit use, not for publication.",
        f"{flagged} person-week(s) pass 40 hours combined while no single employer's hours do (flag combined_only_over_40).",
    ]
    if rep["joint"] is not None:
        notes += [JOINT_NOTE, JOINT_RULE]
    if rep["bonus"] is not None:
        notes += [BONUS_RULE, *rep["bonus"].attrs.get("notes", [])]
    notes.append(_recon_line(run.report))

    def blocks():
        out: list = []
        for t in tables:
            out += [Heading(t.title[0].upper() + t.title[1:]), Table(t.frame, kinds=kinds), Text("\n")]
        out.append(Text("\n".join(notes[1:]) + "\n"))
        return out

    def payload():
        return {"people": people.astype({"week_start": str}).to_dict("records"),
                "joint_employment": (joint_view(rep["joint"]).astype({"week_start": str}).to_dict("records")
                                     if rep["joint"] is not None else None),
                "certification_bonus": (bonus_view(rep["bonus"]).astype({"week_start": str}).to_dict("records")
                                        if rep["bonus"] is not None else None),
                "rejected": run.report["rejected"], "reconciliation": run.reconciliation, "notes": notes[1:]}

    return Document("peerpay pay --by person", blocks=blocks, csv=lambda: people, payload=payload, run_record=record,
                    sheets=tables, notes=notes)
