"""`peerpay backpay` (docs/formats.md §6) and `peerpay stipends`: unpaid work and stipends priced (docs/backpay.md)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click
import pandas as pd

from ..jobs.backpay import run_backpay, run_stipends
from ..io.statements import safe_filename, statement_html
from ..io.document import Document, Heading, Table, Text, render
from ..io.writers import to_csv
from .common import FORMAT_HELP, run_record, output_format, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, FORMATS, check_format_target, check_outputs, emit, fail, handles_input_errors, report_problems, say_after, write_file

WEEK_COLUMNS = ["employee_id", "week_start", "unpaid_hours", "paid_gross", "owed_gross", "back_wages", "minimum_wage",
                "flsa_straight_hours", "flsa_overtime_hours", "flsa_regular_rate", "flsa_minimum_back_wages", "activities"]
EMPLOYEE_COLUMNS = ["employee_id", "weeks", "unpaid_hours", "back_wages", "liquidated_damages", "total_owed", "flsa_minimum_back_wages"]
MONEY = ["paid_gross", "owed_gross", "back_wages", "liquidated_damages", "total_owed", "flsa_minimum_back_wages", "minimum_wage",
         "flsa_regular_rate", "amount", "effective_hourly", "shortfall_to_minimum", "living_wage", "shortfall_to_living_wage"]
REJECTED_COLUMNS = ["file", "row", "column", "reason"]


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    cols = columns + [c for c in (records[0] if records else {}) if c not in columns and c == "name"]
    rows = [{c: ("; ".join(r[c]) if isinstance(r.get(c), list) else r.get(c)) for c in cols} for r in records]
    return pd.DataFrame(rows, columns=cols)


def backpay_document(report: dict, record: dict | None = None) -> Document:
    """The back-pay report as a document: by employee, by workweek, rejected rows, the run."""
    kinds = {c: "money" for c in MONEY}

    def frames():
        weeks = _frame(report["weeks"], WEEK_COLUMNS)
        first = ["employee_id", "name"] if report["employees"] and "name" in report["employees"][0] else ["employee_id"]
        employees = _frame(report["employees"], list(_frame(report["employees"], first).columns) + EMPLOYEE_COLUMNS[1:])
        return weeks, employees, pd.DataFrame(report["rejected"], columns=REJECTED_COLUMNS)

    def sheets():
        weeks, employees, rejected = frames()
        run = pd.DataFrame([{"item": k, "value": str(v)} for k, v in report.items() if not isinstance(v, (list, dict))]
                           + [{"item": "minimum_wage", "value": report["minimum_wage"]["basis"]}]
                           + [{"item": f"total {k}", "value": v} for k, v in report["totals"].items()])
        return [Table(weeks, "weeks", kinds), Table(employees, "employees", kinds), Table(rejected, "rejected", kinds),
                Table(run, "run", kinds)]

    def blocks():
        weeks, employees, rejected = frames()
        t = report["totals"]
        summary = employees.drop(columns=["flsa_minimum_back_wages"])
        summary = pd.concat([summary, pd.DataFrame([{"employee_id": "TOTAL", "weeks": int(summary["weeks"].sum()) if len(summary) else 0,
                                                     "unpaid_hours": t["unpaid_hours"], "back_wages": t["back_wages"],
                                                     "liquidated_damages": t["liquidated_damages"], "total_owed": t["total_owed"]}])],
                            ignore_index=True)
        out: list = [Heading(f"Back wages for unpaid work (as of {report['as_of']}, workweeks ending on or after {report['lookback_from']})"),
                     Table(summary, kinds=kinds), Text("\n"), Heading("By workweek"),
                     Table(weeks.drop(columns=["activities", "flsa_straight_hours", "flsa_overtime_hours", "flsa_regular_rate"]), kinds=kinds)]
        if report["rejected"]:
            out += [Text("\n"), Heading(f"Rejected rows ({len(report['rejected'])})"), Table(rejected)]
        out.append(Text(f"\nFLSA minimum back wages (statutory floor, {report['minimum_wage']['basis']}): ${t['flsa_minimum_back_wages']:,.2f}\n"))
        out.append(Text("Figures computed by peerpay; not legal advice (docs/backpay.md).\n"))
        return out

    return Document("peerpay backpay: back wages for unpaid work", blocks=blocks, csv=lambda: frames()[0], payload=report,
                    sheets=sheets, notes=["peerpay backpay: notes", *report["notes"]], run_record=record)


def render_backpay(report: dict, fmt: str, record: dict | None = None) -> str | bytes:
    return render(backpay_document(report, record), fmt)


def write_statements(report: dict, rows: pd.DataFrame, directory: str, names: dict[str, str] | None, force: bool) -> int:
    d = Path(directory)
    targets = {e["employee_id"]: d / safe_filename(e["employee_id"]) for e in report["employees"]}
    clash = [p for p in targets.values() if p.exists() and not force]
    if clash:
        fail(f"{clash[0]} exists; use --force to overwrite statements", EXIT_USAGE)
    by_emp: dict[str, list[dict]] = {}
    for w in report["weeks"]:
        by_emp.setdefault(w["employee_id"], []).append(w)
    for e in report["employees"]:
        emp_rows = rows[rows["employee_id"] == e["employee_id"]]
        page = statement_html(e, by_emp.get(e["employee_id"], []), emp_rows, report, (names or {}).get(e["employee_id"]))
        write_file(targets[e["employee_id"]], page, label=f"a statement in {d}")  # the file name carries an id
    return len(targets)


def _check_output(output, inputs, fmt):
    check_format_target(fmt, output)
    for path in [output] if output not in (None, "-") else []:
        for i in inputs:
            if i is not None and Path(path).resolve() == Path(i).resolve():
                fail(f"--output {path} is one of the inputs; choose another file", EXIT_USAGE)


def _check_amount(value, option: str) -> None:
    """A dollar amount option (``--minimum-wage``, ``--living-wage``): a positive number, else exit 2."""
    if value is None:
        return
    from ..core.money import to_decimal

    try:
        ok = to_decimal(value) > 0
    except ValueError:
        ok = False
    if not ok:
        fail(f"{option} must be a positive amount in dollars per hour, not {value!r}", EXIT_USAGE)


def demo_section(samples_dir: Path, fmt: str) -> str:
    """The back-pay table on the samples, for `peerpay demo`."""
    d = Path(samples_dir)
    if not (d / "unpaid_work.csv").exists():
        return ""
    run = run_backpay(d / "timesheet.csv", d / "unpaid_work.csv", d / "policy.toml", d / "roster.csv", d / "schedule.csv")
    return "\n" + cast(str, render_backpay(run.report, "md" if fmt == "md" else "table"))  # text formats render to str


@click.command("backpay")
@click.option("--timesheet", "-t", required=True, type=click.Path(dir_okay=False), help="The paid timesheet: CSV or XLSX, one row per shift.")
@click.option("--unpaid", "-u", required=True, type=click.Path(dir_okay=False),
              help="Unpaid-work log: the timesheet's columns (employee_id, start, end, kind…), optional activity.")
@click.option("--policy", "-p", required=True, type=click.Path(dir_okay=False), help="Pay policy TOML.")
@click.option("--roster", "-r", type=click.Path(dir_okay=False), help="Roster: employee_id, role, step (name only with --with-names).")
@click.option("--schedule", "-s", type=click.Path(dir_okay=False), help="Wage schedule: role, step, hourly_rate|annual_salary.")
@click.option("--map", "map_file", type=click.Path(dir_okay=False), help="Column map for a payroll export (the paid timesheet).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Date the lookback counts back from (default: the latest date in either file).")
@click.option("--lookback-years", type=click.IntRange(1, 50), help="Years back (default 2; 3 with --willful; 29 U.S.C. 255(a)).")
@click.option("--willful", is_flag=True, help="A willful violation: a 3-year lookback.")
@click.option("--no-liquidated", is_flag=True, help="Liquidated damages 0 instead of equal to back wages (29 U.S.C. 216(b), 260).")
@click.option("--jurisdiction", help="US or US-XX for the minimum-wage table (default: the policy's holiday state, else US).")
@click.option("--minimum-wage", "minimum_wage", help="Hourly minimum wage to use instead of the table (e.g. a county rate).")
@click.option("--format", "-f", "fmt", type=FORMATS, help=FORMAT_HELP)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--rejects", type=click.Path(dir_okay=False), help="Also write the rejected rows to this CSV.")
@click.option("--statements", type=click.Path(file_okay=False), help="Write a printable HTML statement per employee into DIR.")
@click.option("--with-names", is_flag=True, help="Show roster names (employees table and statements). Off by default.")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@handles_input_errors
def command(timesheet, unpaid, policy, roster, schedule, map_file, as_of, lookback_years, willful, no_liquidated, jurisdiction,
            minimum_wage, fmt, output, rejects, statements, with_names, force):
    """Price unpaid work as back wages per employee and workweek (docs/formats.md §6)."""
    fmt = output_format(fmt, output)
    inputs = [timesheet, unpaid, policy, roster, schedule, map_file]
    _check_output(output, inputs, fmt)
    _check_output(rejects, inputs, "csv")
    check_outputs({"--output": output, "--rejects": rejects}, inputs, force, folders={"--statements": statements})
    if willful and lookback_years not in (None, 3):
        fail("--willful means a 3-year lookback; do not also give --lookback-years", EXIT_USAGE)
    if with_names and roster is None:
        fail("--with-names needs --roster (names come from its name column)", EXIT_USAGE)
    _check_amount(minimum_wage, "--minimum-wage")
    years = 3 if willful else (lookback_years or 2)
    raw = None
    if map_file is not None:
        from ..io.exports import apply_map_to_file
        from ..io.readers import read_policy

        raw = apply_map_to_file(timesheet, map_file, None, read_policy(policy).timezone)
    run = run_backpay(timesheet, unpaid, policy, roster, schedule, as_of=as_of.date() if as_of else None, lookback_years=years,
                      liquidated=not no_liquidated, jurisdiction=jurisdiction, minimum_wage_override=minimum_wage, raw_timesheet=raw)
    report = run.report
    if with_names:
        for e in report["employees"]:
            e["name"] = run.names.get(e["employee_id"], "")
    record = run_record("peerpay backpay", {"timesheet": timesheet, "unpaid": unpaid, "policy": policy, "roster": roster,
                                            "schedule": schedule, "map": map_file},
                        {"lookback_years": years, "willful": willful or None, "jurisdiction": jurisdiction})
    data = render_backpay(report, fmt, record)
    report_problems(run.problems)
    if rejects:
        if Path(rejects).exists() and Path(rejects).stat().st_size > 0 and not force:
            fail(f"{rejects} exists; use --force to overwrite it", EXIT_USAGE)
        write_file(rejects, to_csv(pd.DataFrame([p.as_json() for p in run.problems], columns=REJECTED_COLUMNS)))
    if statements:
        n = write_statements(report, run.result.unpaid_rows, statements, run.names if with_names else None, force)
        say_after(f"statements: {n} written to {statements}")  # once they are
    emit(data, output, force)
    raise SystemExit(EXIT_REJECTED if run.problems else EXIT_OK)


STIPEND_COLUMNS = ["person", "month", "payments", "amount", "hours", "effective_hourly", "minimum_wage", "below_minimum",
                   "shortfall_to_minimum", "living_wage", "below_living_wage", "shortfall_to_living_wage", "activities"]


def stipends_document(report: dict, record: dict | None = None) -> Document:
    """Stipends per person and month as a document."""
    kinds = {c: "money" for c in MONEY}

    def months():
        recs = report["months"]
        return _frame(recs, [c for c in STIPEND_COLUMNS if not recs or c in recs[0]])

    def rejected():
        return pd.DataFrame(report["rejected"], columns=REJECTED_COLUMNS)

    def blocks():
        shown = months().drop(columns=["activities"]).copy()
        for c in ("below_minimum", "below_living_wage"):
            if c in shown:
                shown[c] = shown[c].map({True: "BELOW", False: ""})
        t = report["totals"]
        out: list = [Heading(f"Stipends as an hourly wage (minimum: {report['minimum_wage']['basis']})"), Table(shown, kinds=kinds),
                     Text(f"\n{t['months_below_minimum']} month(s) below the minimum wage; shortfall ${t['shortfall_to_minimum']:,.2f}.\n")]
        if report["rejected"]:
            out += [Text("\n"), Heading(f"Rejected rows ({len(report['rejected'])})"), Table(rejected())]
        out.append(Text("Figures computed by peerpay; not legal advice (docs/backpay.md).\n"))
        return out

    return Document("peerpay stipends: stipends as an hourly wage", blocks=blocks, csv=months, payload=report,
                    sheets=lambda: [Table(months(), "months", kinds), Table(rejected(), "rejected", kinds)],
                    notes=["peerpay stipends: notes", *report["notes"]], run_record=record)


def render_stipends(report: dict, fmt: str, record: dict | None = None) -> str | bytes:
    return render(stipends_document(report, record), fmt)


@click.command("stipends")
@click.option("--stipends", "stipend_file", required=True, type=click.Path(dir_okay=False),
              help="Stipend log: person (or employee_id), date, amount, hours, optional activity.")
@click.option("--policy", "-p", type=click.Path(dir_okay=False), help="Policy TOML: its holiday state picks the minimum wage.")
@click.option("--jurisdiction", help="US or US-XX for the minimum-wage table (default: the policy's holiday state, else US).")
@click.option("--minimum-wage", "minimum_wage", help="Hourly minimum wage to use instead of the table.")
@click.option("--living-wage", help="A living-wage line in $/h to compare with (e.g. from the MIT Living Wage Calculator).")
@click.option("--format", "-f", "fmt", type=FORMATS, help=FORMAT_HELP)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@handles_input_errors
def stipends(stipend_file, policy, jurisdiction, minimum_wage, living_wage, fmt, output, force):
    """Stipends and honoraria as an effective hourly wage, per person and month, flagged below the minimum."""
    fmt = output_format(fmt, output)
    _check_output(output, [stipend_file, policy], fmt)
    check_outputs({"--output": output}, [stipend_file, policy], force)
    _check_amount(minimum_wage, "--minimum-wage")
    _check_amount(living_wage, "--living-wage")
    run = run_stipends(stipend_file, jurisdiction=jurisdiction, minimum_wage_override=minimum_wage, living_wage=living_wage, policy=policy)
    record = run_record("peerpay stipends", {"stipends": stipend_file, "policy": policy}, {"jurisdiction": jurisdiction})
    data = render_stipends(run.report, fmt, record)
    report_problems(run.problems)
    emit(data, output, force)
    raise SystemExit(EXIT_REJECTED if run.problems else EXIT_OK)
