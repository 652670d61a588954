"""`peerpay pay` and `peerpay demo`."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click
import pandas as pd

from ..core.report import audit_frame, employee_summary, lines_frame, lines_table
from ..io.readers import read_policy
from ..io.document import Document, Heading, Table, Text, render, render_chunks
from ..io.writers import to_csv
from ..jobs.pay import run_pay
from .common import (EXIT_USAGE, run_record, FORMAT_HELP, output_format, EXIT_INPUT, EXIT_OK, EXIT_REJECTED, FORMATS, check_format_target, check_outputs, emit, fail, finish,
                     handles_input_errors, hash_in_background, no_run_record, report_problems, warn_policy, write_file)

MONEY = ["base_pay", "holiday_premium", "standby_pay", "callback_premium", "minimum_shift_pay", "overtime_premium",
         "gross_pay", "differentials", "regular_rate"]
HOURS = ["hours_worked", "on_call_hours", "overtime_hours", "hours", "callback_hours"]


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
    kinds = {c: "money" for c in MONEY} | {c: "hours" for c in HOURS} | {"weeks": "count"}

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
        if detail:
            out.append(Table(audit_frame(run.result, run.policy.timezone), "audit trail", kinds, totals=True))
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
            out += [Text("\n"), Heading("Audit trail: each segment and the rules that paid it"),
                    Table(audit_frame(run.result, run.policy.timezone), kinds=kinds, options={"floatfmt": ",.4g"})]
        if report["rejected"]:
            unit = "shifts" if (report.get("map") or {}).get("layout") == "wide" else "rows"  # one per Hours N group
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
        trail = audit_frame(run.result, run.policy.timezone)
        return {**report, "detail": json_records(trail)}  # an added key: the §4 keys are unchanged

    return Document("peerpay pay: gross pay by employee", blocks=blocks, csv=csv, payload=payload,
                    sheets=sheets, notes=lambda: _notes(run.report), run_record=record,
                    policy=lambda: run.policy.model_dump(mode="json", exclude_none=True))


def period_notes(partial: set[str]) -> list[str]:
    """Counts and week dates only (never ids)."""
    if not partial:
        return []
    return [f"{len(partial)} workweek(s) not wholly inside the pay period and the data (starting {', '.join(sorted(partial))}): "
            "each is paid on all the hours the data holds for it; where the data stops inside the week, its overtime may be understated"]


def pay_stubs(run, record: dict | None) -> dict[str, str]:
    """file name -> one employee's pay statement page, for every employee in the report."""
    from ..io.paystubs import pay_stub_html, stub_filename

    by_employee: dict[str, list] = {}
    for line in run.report["lines"]:  # report lines: one per employee and week, tens to thousands
        by_employee.setdefault(str(line["employee_id"]), []).append(line)
    multiplier = run.policy.overtime.multiplier if run.policy.overtime is not None else 1.5
    return {stub_filename(e): pay_stub_html(e, lines, multiplier, record) for e, lines in by_employee.items()}


def check_stubs(folder: str, pages: dict[str, str], force: bool) -> None:
    """Before anything is written: an existing statement is replaced only with --force."""
    d = Path(folder)
    taken = [n for n in pages if (d / n).exists() and (d / n).stat().st_size > 0]
    if taken and not force:
        fail(f"--stubs {d}: {len(taken)} statement file(s) exist; use --force to overwrite them", EXIT_USAGE)


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
    return to_csv(audit_frame(run.result, run.policy.timezone))


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


def pay_period(run) -> str | None:
    """The workweeks the report covers (first and last week start), for the run record."""
    import numpy as np

    weeks = _weeks_paid(run)
    if weeks is None:
        return None
    return f"workweeks starting {np.datetime64(int(weeks.min()), 'D')} to {np.datetime64(int(weeks.max()), 'D')}"



def _recon_line(report: dict) -> str:
    r = report.get("reconciliation")
    if not r:
        return ""
    dropped = f" + {r['rows_dropped']} dropped by the map (not hours worked)" if r.get("rows_dropped") else ""
    unit, source = "rows", ""
    if (report.get("map") or {}).get("layout") == "wide":  # counted in shifts, as the rejected list is
        unit, source = "shifts", f" (from {report['map']['source_rows_read']} export rows)"
    return (
        f"Reconciliation: {r['rows_read']} {unit} read{source} = {r['rows_paid']} paid + {r['rows_rejected']} rejected{dropped}; "
        f"hours in {r['hours_in']:,.2f} = paid {r['hours_paid']:,.2f} + rejected {r['hours_rejected']:,.2f}"
    )


def _notes(report: dict) -> list[str]:
    return [
        "peerpay pay: notes",
        "Money: every component is computed exactly and rounded once, half-up, per employee and workweek; gross = sum of rounded components.",
        "Regular rate (29 CFR 778.109, 778.207(b), 778.223) = (base + differentials + standby) / hours worked; holiday and call-back premiums are excluded (778.203, 778.221).",
        _recon_line(report),
        *report.get("notes", []),
    ]


def _timesheet_options(fn, many: bool = False):
    for opt in reversed(
        [
            click.option("--timesheet", "-t", required=True, type=click.Path(dir_okay=False), multiple=many,
                         help="Shifts: CSV or XLSX, one row per shift."
                              + (" Repeat it (or give a glob) for several employers' timesheets." if many else "")),
            click.option("--policy", "-p", required=True, type=click.Path(dir_okay=False), help="Pay policy TOML."),
            click.option("--roster", "-r", type=click.Path(dir_okay=False), help="Roster: employee_id, role, step."),
            click.option("--schedule", "-s", type=click.Path(dir_okay=False), help="Wage schedule: role, step, hourly_rate|annual_salary."),
            click.option("--sheet", help="XLSX sheet name of the timesheet (default: the first)."),
            click.option("--map", "map_file", type=click.Path(dir_okay=False), help="Column map for a payroll export (TOML)."),
        ]
    ):
        fn = opt(fn)
    return fn


@click.command()
@lambda fn: _timesheet_options(fn, many=True)
@click.option("--by", "by", type=click.Choice(["employee", "person"]), default="employee", show_default=True,
              help="person: per person and workweek across employers (roster person_id, employer; "
                   "docs/joint-and-credentials.md). Prints person ids: not for publication.")
@click.option("--credentials", type=click.Path(dir_okay=False),
              help="Credentials file: employee_id or person_id, credential, from, to (for [[premium]]).")
@click.option("--format", "-f", "fmt", type=FORMATS, help=FORMAT_HELP)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--detail", is_flag=True, help="Add the audit trail: every segment, its dollars per component and the rules "
              "that paid it (a separate table; JSON: a 'detail' key; CSV: a second file NAME.detail.csv beside --output).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Pay period start: keep the workweeks that overlap "
              "--from..--to; a workweek partly outside it is flagged (its overtime may be understated).")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Pay period end (inclusive).")
@click.option("--employee", "employees", multiple=True, metavar="ID",
              help="Only this employee's lines and audit trail (repeatable); every row is still paid or rejected.")
@click.option("--rejects", type=click.Path(dir_okay=False), help="Also write the rejected rows to this CSV.")
@click.option("--stubs", "stubs_dir", type=click.Path(file_okay=False), help="Also write a printable pay statement per employee "
              "(paystub-<id>.html: hours, each component, the regular-rate arithmetic of overtime weeks, the rules applied) into this folder.")
@click.option("--with-names", is_flag=True, help="Add the roster's name and role beside each employee id (needs --roster; "
              "a private report: never publish it). Off by default.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this machine (a large timesheet on two cores; with --partitions N: in N employee buckets, "
                   "one process per core, for input larger than memory); "
                   "dask: many files or a glob, CSV or Parquet, on a dask cluster (docs/scale.md).")
@click.option("--scheduler", metavar="ADDRESS", help="dask scheduler address (default: a local cluster, one worker per core).")
@click.option("--partitions", type=click.IntRange(1, 100_000), help="Employee partitions (buckets) to pay separately.")
@click.option("--output-dir", type=click.Path(file_okay=False), help="--engine dask: write pay lines partitioned here "
              "(lines-NNNNN.parquet, or .csv with --format csv), plus rejected.csv and summary.json.")
@handles_input_errors
def pay(timesheet, by, credentials, policy, roster, schedule, sheet, map_file, fmt, output, detail, date_from, date_to, employees,
        rejects, stubs_dir, with_names, force, engine, scheduler, partitions, output_dir):
    """Compute gross pay per employee and workweek (docs/formats.md §4)."""
    from ..jobs.pay import expand_timesheets

    scaled = engine != "local" or partitions or scheduler or output_dir
    # the scaled engines read a glob themselves (docs/scale.md): one --timesheet value, as given
    timesheets = expand_timesheets(timesheet) if not scaled or len(timesheet) > 1 else list(timesheet)
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
                  folders={"--output-dir": output_dir, "--stubs": stubs_dir})
    if with_names and roster is None:
        fail("--with-names needs --roster (names come from its name column)", EXIT_USAGE)
    if with_names and (scaled or len(timesheets) > 1 or by == "person" or credentials):
        fail("--with-names works with one timesheet on the local engine (without --by person, --credentials, "
             "--partitions or --output-dir)", EXIT_USAGE)
    single = not (len(timesheets) > 1 or by == "person" or credentials)
    if single and (fmt != "csv" or stubs_dir):  # a run record is built: its hashes begin while pandas loads
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
        mapped = _mapped(timesheet, map_file, sheet, pol.timezone)
        # the audit trail only where it is shown: without it a large run is paid on two cores
        run = run_pay(timesheet, pol, roster, schedule, sheet=sheet, raw_timesheet=mapped, audit=bool(detail or stubs_dir))
    recon = run.reconciliation
    if not recon["balanced"]:
        fail(f"internal reconciliation failed: {recon}", EXIT_INPUT)
    partial: set[str] = set()
    if date_from and date_to and date_from > date_to:
        fail("--from is after --to", EXIT_USAGE)
    if engine == "local" and not (partitions or scheduler or output_dir):
        from ..jobs.pay import select_period

        run, partial = select_period(run, date_from.date() if date_from else None, date_to.date() if date_to else None)
        if date_from or date_to:
            for line in run.report["lines"]:  # an added per-line key (docs/formats.md §4 keys unchanged)
                line["partial_week"] = str(line["week_start"]) in partial
            run.report.setdefault("notes", []).extend(period_notes(partial))
    elif date_from or date_to:
        fail("--from/--to work with the local engine (without --partitions/--output-dir)", EXIT_USAGE)
    if employees:
        from ..jobs.pay import only_employees

        if engine != "local" or partitions or scheduler or output_dir:
            fail("--employee works with the local engine (without --partitions/--output-dir)", EXIT_USAGE)
        run = only_employees(run, employees)
    record = run_record("peerpay pay", {"timesheet": timesheet, "policy": policy, "roster": roster, "schedule": schedule, "map": map_file},
                        {"sheet": sheet, "detail": detail or None}, period=pay_period(run), holidays=holidays_used(run)) \
        if fmt != "csv" or stubs_dir else None  # CSV has no room for a record: a large CSV run never builds the report dicts
    data = render_chunks(pay_document(run, detail, record, roster_names(run) if with_names else None), fmt.lower())
    stubs = pay_stubs(run, record) if stubs_dir else {}
    if stubs:
        check_stubs(stubs_dir, stubs, force)
    segments = render_detail_csv(run) if detail_csv else None
    rejected = to_csv(pd.DataFrame([p.as_json() for p in run.problems], columns=["file", "row", "column", "reason"])) if rejects else None
    report_problems(run.problems)
    for note in run.shifts.attrs.get("notes", ()):  # input notes (counts only, never ids): docs/input-rules.md
        click.echo(f"note: {note}", err=True)
    # every output is rendered before the first one is written: a failure leaves no file behind
    if rejects:
        write_file(rejects, cast(str, rejected))
    if output_dir is None or output is not None:
        emit(data, output, force)
    if detail_csv:
        emit(cast(str, segments), detail_csv, force)  # rendered whenever detail_csv is set
    if stubs:
        write_stubs(stubs_dir, stubs, force)
    click.echo(_recon_line({"reconciliation": recon}), err=True)
    for note in period_notes(partial):
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
    for note in run.shifts.attrs.get("notes", ()):
        click.echo(f"note: {note}", err=True)
    if rejects:
        write_file(rejects, cast(str, rejected))  # rendered above whenever --rejects is given
    emit(data, output, force)
    click.echo(_recon_line({"reconciliation": recon}), err=True)
    finish(EXIT_REJECTED if run.problems else EXIT_OK)


def person_document(run, only_shared: bool = False, record: dict | None = None) -> Document:
    """``pay --by person``: hours and gross per person and workweek, by employer and combined;
    the joint-employment what-if and the certification bonus's overtime when the policy has them.
    ``only_shared`` (the demo): only the people who work for more than one employer."""
    from ..core.joint import COMBINED, JOINT_NOTE, bonus_view, joint_view, person_view
    from ..jobs.pay import person_report

    rep = person_report(run)
    if only_shared:
        p = rep["people"]
        n = p[p["employer"] != COMBINED].groupby("person_id")["employer"].nunique()
        rep["people"] = p[p["person_id"].isin(n[n > 1].index)].reset_index(drop=True)
    kinds = {c: "money" for c in ("gross_pay", "combined_premium", "employer_share", "paid_alone", "additional",
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
        notes += [JOINT_NOTE, "Combined premium = (multiplier - 1) x combined straight-time pay / combined hours x combined "
                  "overtime hours (29 CFR 778.115), rounded once half-up; each employer's share is in proportion to its "
                  "straight-time pay, by largest remainder, so the shares add up to the cent."]
    if rep["bonus"] is not None:
        notes.append("Certification bonus: a nondiscretionary bonus apportioned over the workweeks it covers; extra overtime = "
                     "bonus for the week / hours worked x (multiplier - 1) x overtime hours (29 CFR 778.209).")
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


def _mapped(timesheet, map_file, sheet, timezone):
    """The export read through its column map (None without --map)."""
    if map_file is None:
        return None
    from ..io.exports import apply_map_to_file

    return apply_map_to_file(timesheet, map_file, sheet, timezone)


def find_samples(explicit: str | None) -> Path:
    """--samples DIR, else ./samples (a checkout), else the copy shipped in the package (any folder)."""
    from ..io.resources import SAMPLES_DIR, package_dir

    shipped = package_dir(SAMPLES_DIR)
    candidates = [Path(explicit)] if explicit else [Path("samples")] + ([shipped] if shipped else [])
    for c in candidates:
        if (c / "timesheet.csv").exists():
            return c
    if explicit:
        fail(f"--samples {explicit}: no timesheet.csv there (leave --samples out to use the samples shipped with peerpay)", EXIT_INPUT)
    fail("the samples shipped with peerpay are missing from this installation (reinstall it, or pass --samples DIR)", EXIT_INPUT)


def next_steps(d: Path) -> str:
    """What to try after the demo: the three commands on the same samples, ready to paste."""
    from shlex import quote

    s = {name: quote(str(d / name)) for name in ("timesheet.csv", "policy.toml", "roster.csv", "schedule.csv")}
    union = quote(str(d / "proposals" / "union.toml"))
    return (
        "\nTry next (the same samples; add --format xlsx --output FILE.xlsx for a workbook):\n"
        f"  peerpay pay --timesheet {s['timesheet.csv']} --policy {s['policy.toml']} --roster {s['roster.csv']} --schedule {s['schedule.csv']}\n"
        f"  peerpay gap --roster {s['roster.csv']} --schedule {s['schedule.csv']} --peer-role peer_specialist --reference bls-2025\n"
        f"  peerpay cost --timesheet {s['timesheet.csv']} --policy {s['policy.toml']} --roster {s['roster.csv']} --schedule {s['schedule.csv']} "
        f"--proposal {union}\n"
        "Your own files: `peerpay init` writes a starter policy.toml and map.toml.\n"
    )


@click.command()
@click.option("--samples", type=click.Path(file_okay=False), help="Folder with the sample files (default: ./samples, else the samples shipped with peerpay).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "md"]), default="table", show_default=True)
@handles_input_errors
def demo(samples, fmt):
    """Run the whole job on the bundled samples and print the reports."""
    d = find_samples(samples)
    run = run_pay(d / "timesheet.csv", d / "policy.toml", d / "roster.csv", d / "schedule.csv")
    click.echo(f"peerpay demo: {d}\n")
    click.echo(render_pay(run, fmt, detail=False))
    from . import backpay, cost, gap  # the other commands' sections (they import this module)

    for mod in (gap, cost, backpay):
        click.echo(mod.demo_section(d, fmt))
    click.echo(demo_person_section(d, fmt))
    click.echo(next_steps(d))


def demo_person_section(d: Path, fmt: str) -> str:
    """The demo's issue-14 section: a person at two employers (samples/timesheet_employer2.csv),
    the joint-employment what-if, and certified peers paid the CPRS premium (samples/premium.toml
    appended to the sample policy; samples/credentials.csv)."""
    from ..jobs.pay import run_pay_many
    from ..models.policy import loads_policy

    second, premium, creds = d / "timesheet_employer2.csv", d / "premium.toml", d / "credentials.csv"
    if not (second.exists() and premium.exists() and creds.exists()):
        return ""
    pol = loads_policy((d / "policy.toml").read_text() + "\n" + premium.read_text())
    run = run_pay_many([d / "timesheet.csv", second], pol, d / "roster.csv", d / "schedule.csv", credentials=creds)
    lines = run.result.lines
    paid = lines[lines["diff:cprs"] > 0].groupby("employee_id", as_index=False).agg(
        weeks=("week_start", "size"), credential_premium=("diff:cprs", "sum"), gross_pay=("gross_pay", "sum"))
    paid[["credential_premium", "gross_pay"]] = paid[["credential_premium", "gross_pay"]] / 100
    doc = person_document(run, only_shared=True)
    extra = Document("credential premium", blocks=[
        Heading("Credential premium (CPRS, $1.00/h from the certification date; 29 CFR 778.207(b))"),
        Table(paid, kinds={"credential_premium": "money", "gross_pay": "money"}), Text("\n")])
    fmt = "md" if fmt == "md" else "table"
    return ("\n" + (("## " if fmt == "md" else "") + "One person across employers, and credentials that pay\n\n")
            + str(render(doc, fmt)) + "\n" + str(render(extra, fmt)))
