"""`peerpay backpay` (docs/formats.md §6) and `peerpay stipends` (§7): unpaid work and stipends priced (docs/backpay.md)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click
import pandas as pd

from ..jobs.backpay import run_backpay, run_stipends
from ..io.statements import safe_filename, statement_html
from ..io.document import Document, Heading, Table, Text, render
from ..io.writers import to_csv
from .options import (PeerpayCommand, check_amount, claim_options, claim_settings, force_option, format_option, jurisdiction_option,
                      map_option, minimum_wage_option, output_option, policy_option, rejects_option, roster_option, schedule_option,
                      statements_option, timesheet_option)
from .common import (run_record, output_format, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, check_format_target, check_outputs, emit, fail,
                     handles_input_errors, report_problems, say_after, write_file)

#: The measures and the claim, in the order every format shows them (docs/formats.md §6).
MEASURES = ["contract_back_wages", "flsa_back_wages", "state_back_wages", "back_wages"]
#: The by-workweek table (table, Markdown, HTML): the pinned figures and the week's hours.
WEEK_SHOWN = ["employee_id", "week_start", "unpaid_hours", "hours_worked", "paid_gross", "owed_gross", *MEASURES,
              "liquidated_damages"]
#: Every key of a week, in order (CSV, the workbook's weeks sheet): the arithmetic too.
WEEK_COLUMNS = ["employee_id", "week_start", "unpaid_hours", "paid_gross", "owed_gross", *MEASURES, "liquidated_damages",
                "total_owed", "paid_hours", "stipend_hours", "hours_worked", "unpaid_on_call_hours", "base_rates", "base_pay_owed",
                "differential_pay_owed", "standby_pay_owed", "stipend_pay", "straight_time_paid", "overtime_premium_paid",
                "premium_credits",
                "flsa_method", "federal_minimum_wage", "flsa_overtime_hours", "flsa_regular_rate", "flsa_required",
                "flsa_straight_time_due", "flsa_overtime_required", "flsa_overtime_due",
                "state_method", "state_minimum_wage", "state_overtime_hours", "state_regular_rate", "state_required",
                "state_straight_time_due", "state_overtime_required", "state_overtime_due", "activities"]
EMPLOYEE_COLUMNS = ["employee_id", "weeks", "unpaid_hours", "stipend_hours", *MEASURES, "liquidated_damages", "total_owed"]
MONEY = ["paid_gross", "owed_gross", *MEASURES, "liquidated_damages", "total_owed", "base_pay_owed", "differential_pay_owed",
         "standby_pay_owed", "stipend_pay", "straight_time_paid", "overtime_premium_paid", "premium_credits", "flsa_required",
         "flsa_straight_time_due", "flsa_overtime_required", "flsa_overtime_due", "state_required", "state_straight_time_due",
         "state_overtime_required", "state_overtime_due", "effective_hourly", "shortfall", "minimum_wage_pay", "living_wage",
         "shortfall_to_living_wage"]
RATES = ["federal_minimum_wage", "state_minimum_wage", "flsa_regular_rate", "state_regular_rate", "minimum_wage"]
HOURS = ["unpaid_hours", "paid_hours", "stipend_hours", "hours_worked", "unpaid_on_call_hours", "flsa_overtime_hours",
         "state_overtime_hours", "hours"]
REJECTED_COLUMNS = ["file", "row", "column", "reason"]


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    cols = columns + [c for c in (records[0] if records else {}) if c not in columns and c == "name"]
    rows = [{c: ("; ".join(str(x) for x in r[c]) if isinstance(r.get(c), list) else r.get(c)) for c in cols} for r in records]
    return pd.DataFrame(rows, columns=cols)


def _kinds() -> dict:
    return {c: "money" for c in MONEY} | {c: "hours" for c in HOURS} | {c: "rate" for c in RATES}


def backpay_document(report: dict, record: dict | None = None) -> Document:
    """The back-pay report as a document: by employee, by workweek, rejected rows, the run."""
    kinds = _kinds()

    def frames():
        weeks = _frame(report["weeks"], WEEK_COLUMNS)
        first = ["employee_id", "name"] if report["employees"] and "name" in report["employees"][0] else ["employee_id"]
        employees = _frame(report["employees"], first + EMPLOYEE_COLUMNS[1:])
        return weeks, employees, pd.DataFrame(report["rejected"], columns=REJECTED_COLUMNS)

    def sheets():
        weeks, employees, rejected = frames()
        run = pd.DataFrame([{"item": k, "value": str(v)} for k, v in report.items() if not isinstance(v, (list, dict))]
                           + [{"item": f"minimum_wage {k}", "value": str(v)} for k, v in report["minimum_wage"].items()]
                           + [{"item": f"total {k}", "value": v} for k, v in report["totals"].items()])
        return [Table(weeks, "weeks", kinds), Table(employees, "employees", kinds), Table(rejected, "rejected", kinds),
                Table(run, "run", kinds)]

    def blocks():
        weeks, employees, rejected = frames()
        t = report["totals"]
        total = {"employee_id": "TOTAL", "weeks": int(employees["weeks"].sum()) if len(employees) else 0,
                 "unpaid_hours": t["unpaid_hours"], "stipend_hours": float(employees["stipend_hours"].sum()) if len(employees) else 0.0,
                 **{k: t[k] for k in (*MEASURES, "liquidated_damages", "total_owed")}}
        summary = pd.concat([employees, pd.DataFrame([total])], ignore_index=True)
        out: list = [Heading(f"Back wages for unpaid work (as of {report['as_of']}; federal measure: workweeks ending on or after "
                             f"{report['lookback_from']}; state and contract: on or after {report['state_lookback_from']})"),
                     Table(summary, kinds=kinds), Text("\n"), Heading("By workweek"), Table(weeks[WEEK_SHOWN], kinds=kinds)]
        if report["rejected"]:
            out += [Text("\n"), Heading(f"Rejected rows ({len(report['rejected'])})"), Table(rejected)]
        mw = report["minimum_wage"]
        out.append(Text(f"\nback_wages = the largest of contract_back_wages, flsa_back_wages ({mw['federal']}) and "
                        f"state_back_wages ({mw['state']}). Liquidated damages: {_liquidated(report['liquidated_damages_basis'])}.\n"
                        "Each week's arithmetic is in the JSON, CSV and workbook, and on the statements (--statements DIR).\n"))
        out.append(Text("Figures computed by peerpay; not legal advice (docs/backpay.md).\n"))
        return out

    return Document("peerpay backpay: back wages for unpaid work", blocks=blocks, csv=lambda: frames()[0], payload=report,
                    sheets=sheets, notes=["peerpay backpay: notes", *report["notes"]], run_record=record)


def _liquidated(mode: str) -> str:
    return {"federal": "equal to the federal back wages (29 U.S.C. 216(b))", "all": "equal to the claim (--liquidated all)",
            "none": "none (--no-liquidated)"}[mode]


def render_backpay(report: dict, fmt: str, record: dict | None = None) -> str | bytes:
    return render(backpay_document(report, record), fmt)


def statement_pages(report: dict, rows: pd.DataFrame, names: dict[str, str] | None) -> dict[str, str]:
    """file name -> one employee's statement page (rendered before anything is written)."""
    by_emp: dict[str, list[dict]] = {}
    for w in report["weeks"]:
        by_emp.setdefault(w["employee_id"], []).append(w)
    pages = {}
    for e in report["employees"]:
        emp_rows = rows[rows["employee_id"] == e["employee_id"]]
        pages[safe_filename(e["employee_id"])] = statement_html(e, by_emp.get(e["employee_id"], []), emp_rows, report,
                                                                (names or {}).get(e["employee_id"]))
    return pages


def write_statements(pages: dict[str, str], directory: str, force: bool) -> int:
    d = Path(directory)
    clash = [d / n for n in pages if (d / n).exists() and not force]
    if clash:
        fail(f"{clash[0]} exists; use --force to overwrite statements", EXIT_USAGE)
    for name, page in pages.items():
        write_file(d / name, page, label=f"a statement in {d}")  # the file name carries an id
    return len(pages)


def _check_output(output, inputs, fmt):
    check_format_target(fmt, output)
    for path in [output] if output not in (None, "-") else []:
        for i in inputs:
            if i is not None and Path(path).resolve() == Path(i).resolve():
                fail(f"--output {path} is one of the inputs; choose another file", EXIT_USAGE)


def demo_section(samples_dir: Path, fmt: str) -> str:
    """The back-pay table on the samples, for `peerpay demo`."""
    d = Path(samples_dir)
    if not (d / "unpaid_work.csv").exists():
        return ""
    run = run_backpay(d / "timesheet.csv", d / "unpaid_work.csv", d / "policy.toml", d / "roster.csv", d / "schedule.csv")
    return "\n" + cast(str, render_backpay(run.report, "md" if fmt == "md" else "table"))  # text formats render to str


@click.command("backpay", cls=PeerpayCommand)
@timesheet_option(help="The paid timesheet: CSV or XLSX, one row per shift.")
@click.option("--unpaid", "-u", required=True, type=click.Path(dir_okay=False),
              help="Unpaid-work log: the timesheet's columns (employee_id, start, end, kind…), optional activity.")
@policy_option()
@roster_option(help="Roster: employee_id, role, step (name only with --with-names).")
@schedule_option()
@map_option
@click.option("--stipends", "stipend_file", type=click.Path(dir_okay=False),
              help="Stipend log (as for `peerpay stipends`): its pay counts as paid, its hours as hours worked.")
@claim_options()
@format_option()
@output_option
@rejects_option
@statements_option("Write a printable HTML statement per employee into DIR.")
@click.option("--with-names", is_flag=True, help="Show roster names (employees table and statements). Off by default.")
@force_option()
@handles_input_errors
def command(timesheet, unpaid, policy, roster, schedule, map_file, stipend_file, as_of, lookback_years, willful, state_lookback_years,
            liquidated, no_liquidated, jurisdiction, minimum_wage, fmt, output, rejects, statements, with_names, force):
    """Price unpaid work as back wages per employee and workweek: contract, FLSA and state measures (docs/formats.md §6)."""
    fmt = output_format(fmt, output)
    inputs = [timesheet, unpaid, policy, roster, schedule, map_file, stipend_file]
    _check_output(output, inputs, fmt)
    _check_output(rejects, inputs, "csv")
    check_outputs({"--output": output, "--rejects": rejects}, inputs, force, folders={"--statements": statements})
    claim = claim_settings(as_of, lookback_years, willful, state_lookback_years, liquidated, no_liquidated, jurisdiction, minimum_wage)
    if with_names and roster is None:
        fail("--with-names needs --roster (names come from its name column)", EXIT_USAGE)
    raw = None
    if map_file is not None:
        from ..io.exports import apply_map_to_file
        from ..io.readers import read_policy

        raw = apply_map_to_file(timesheet, map_file, None, read_policy(policy).timezone)
    run = run_backpay(timesheet, unpaid, policy, roster, schedule, **claim.job(), stipends=stipend_file, raw_timesheet=raw)
    report = run.report
    if with_names:
        for e in report["employees"]:
            e["name"] = run.names.get(e["employee_id"], "")
    record = run_record("peerpay backpay", {"timesheet": timesheet, "unpaid": unpaid, "policy": policy, "roster": roster,
                                            "schedule": schedule, "map": map_file, "stipends": stipend_file}, claim.record())
    data = render_backpay(report, fmt, record)
    pages = statement_pages(report, run.result.unpaid_rows, run.names if with_names else None) if statements else {}
    report_problems(run.problems)
    if rejects:
        if Path(rejects).exists() and Path(rejects).stat().st_size > 0 and not force:
            fail(f"{rejects} exists; use --force to overwrite it", EXIT_USAGE)
        write_file(rejects, to_csv(pd.DataFrame([p.as_json() for p in run.problems], columns=REJECTED_COLUMNS)))
    if statements:
        n = write_statements(pages, statements, force)
        say_after(f"statements: {n} written to {statements}")  # once they are
    emit(data, output, force)
    raise SystemExit(EXIT_REJECTED if run.problems else EXIT_OK)


STIPEND_WEEK_COLUMNS = ["employee_id", "week_start", "payments", "hours", "stipend_pay", "effective_hourly", "minimum_wage",
                        "minimum_wage_pay", "shortfall", "below_minimum", "living_wage", "below_living_wage",
                        "shortfall_to_living_wage", "activities"]
STIPEND_MONTH_COLUMNS = ["employee_id", "month", "weeks", "payments", "hours", "stipend_pay", "shortfall", "weeks_below_minimum",
                         "shortfall_to_living_wage"]


def stipends_document(report: dict, record: dict | None = None) -> Document:
    """Stipends per person and workweek, and the months they roll up to, as a document."""
    kinds = _kinds()

    def table(key: str, columns: list[str]) -> pd.DataFrame:
        recs = report[key]
        return _frame(recs, [c for c in columns if not recs or c in recs[0]])

    def rejected():
        return pd.DataFrame(report["rejected"], columns=REJECTED_COLUMNS)

    def blocks():
        weeks = table("weeks", STIPEND_WEEK_COLUMNS).drop(columns=["activities"])
        for c in ("below_minimum", "below_living_wage"):
            if c in weeks:
                weeks[c] = weeks[c].map({True: "BELOW", False: ""})
        t = report["totals"]
        out: list = [Heading(f"Stipends by workweek (minimum: {report['minimum_wage']['basis']})"), Table(weeks, kinds=kinds),
                     Text(f"\n{t['weeks_below_minimum']} week(s) below the minimum wage; shortfall ${t['shortfall']:,.2f}.\n"),
                     Heading("By month (the sum of the weeks that start in it)"), Table(table("months", STIPEND_MONTH_COLUMNS), kinds=kinds)]
        if report["rejected"]:
            out += [Text("\n"), Heading(f"Rejected rows ({len(report['rejected'])})"), Table(rejected())]
        out.append(Text("\nFigures computed by peerpay; not legal advice (docs/backpay.md).\n"))
        return out

    return Document("peerpay stipends: stipends by workweek", blocks=blocks, csv=lambda: table("weeks", STIPEND_WEEK_COLUMNS),
                    payload=report,
                    sheets=lambda: [Table(table("weeks", STIPEND_WEEK_COLUMNS), "weeks", kinds),
                                    Table(table("months", STIPEND_MONTH_COLUMNS), "months", kinds), Table(rejected(), "rejected", kinds)],
                    notes=["peerpay stipends: notes", *report["notes"]], run_record=record)


def render_stipends(report: dict, fmt: str, record: dict | None = None) -> str | bytes:
    return render(stipends_document(report, record), fmt)


@click.command("stipends", cls=PeerpayCommand)
@click.option("--stipends", "stipend_file", required=True, type=click.Path(dir_okay=False),
              help="Stipend log: person (or employee_id), date, amount, hours, optional activity.")
@policy_option(required=False, help="Policy TOML: its workweek, and the state it names for the minimum wage.")
@jurisdiction_option(help="US or US-XX for the minimum-wage table (default: the state the policy names, else US).")
@minimum_wage_option(help="Hourly minimum wage to use instead of the state's (the federal one still applies where higher).")
@click.option("--living-wage", help="A living-wage line in $/h to compare with (e.g. from the MIT Living Wage Calculator).")
@format_option()
@output_option
@force_option("Overwrite an existing output file.")
@handles_input_errors
def stipends(stipend_file, policy, jurisdiction, minimum_wage, living_wage, fmt, output, force):
    """Stipends and honoraria by workweek: effective hourly pay against the minimum wage of each day (docs/formats.md §7)."""
    fmt = output_format(fmt, output)
    _check_output(output, [stipend_file, policy], fmt)
    check_outputs({"--output": output}, [stipend_file, policy], force)
    check_amount(minimum_wage, "--minimum-wage")
    check_amount(living_wage, "--living-wage")
    run = run_stipends(stipend_file, jurisdiction=jurisdiction, minimum_wage_override=minimum_wage, living_wage=living_wage, policy=policy)
    record = run_record("peerpay stipends", {"stipends": stipend_file, "policy": policy},
                        {"jurisdiction": jurisdiction, "minimum_wage": minimum_wage, "living_wage": living_wage})
    data = render_stipends(run.report, fmt, record)
    report_problems(run.problems)
    emit(data, output, force)
    raise SystemExit(EXIT_REJECTED if run.problems else EXIT_OK)
