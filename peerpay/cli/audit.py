"""`peerpay audit`: did payroll pay what the policy owes? (docs/audit.md)"""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from ..io.document import Document, Heading, Notes, Table, Text, render, render_chunks
from ..io.writers import to_csv
from .options import claim_given, claim_options, claim_settings
from .common import (EXIT_OK, EXIT_REJECTED, EXIT_USAGE, FORMAT_HELP, FORMATS, check_format_target, check_outputs, emit, fail,
                     finish, handles_input_errors, hash_in_background, output_format, report_problems, run_record, warn_policy, write_file)

#: ``--fail-on-underpayment``: nothing was rejected and some employee-period was underpaid beyond the tolerance.
#: An opt-in code (docs/audit.md): without the flag the pinned 0 / 3 meanings (docs/formats.md §4) hold.
EXIT_UNDERPAID = 4
MONEY = ["owed", "paid", "difference", "underpaid", "overpaid"]
HOURS = ["owed_hours", "paid_hours"]
REJECTED_COLUMNS = ["file", "row", "column", "reason"]


def audit_document(audit, report: dict, record: dict | None = None, brief: bool = False) -> Document:
    """The audit as a document: the headline and the findings first, then each employee, rejections, notes.
    ``brief`` (the demo): the headline and the findings only."""
    from ..core.audit_report import employees_table, findings_table, headline, lines_table

    kinds = {c: "money" for c in MONEY} | {c: "hours" for c in HOURS} | {"periods": "count", "periods_flagged": "count"}
    line_kinds = {c: ("money" if ":" in c and not c.startswith(("owed_hours", "paid_hours")) else "hours")
                  for c in lines_table(audit.lines.head(0), audit.components).columns if ":" in c}

    def rejected() -> pd.DataFrame:
        return pd.DataFrame(report["rejected"], columns=REJECTED_COLUMNS)

    def blocks():
        found = findings_table(audit.findings)
        out: list = [Heading(headline(audit.totals, audit.tolerance_cents))]
        if len(found):
            out += [Text("Here is where (each pay component off by more than "
                         f"${audit.tolerance_cents / 100:,.2f}; difference = paid - owed):\n\n"),
                    Table(found, kinds=kinds, blanks=True), Text("\n")]
        if "claim" in report:
            out += claim_blocks(report["claim"], kinds)
        if brief:
            return out
        people = employees_table(audit.employees)
        if len(people):
            out += [Heading("By employee"), Table(people, kinds=kinds), Text("\n")]
        if report["rejected"]:
            out += [Heading(f"Rejected rows ({len(report['rejected'])})"), Table(rejected()), Text("\n")]
        out.append(Notes(report["notes"] + [_recon_text(report)]))
        return out

    def sheets():
        out = [Table(findings_table(audit.findings), "findings", kinds, blanks=True),
               Table(lines_table(audit.lines, audit.components), "lines", line_kinds | {"status": "text"}, totals=True),
               Table(employees_table(audit.employees), "by employee", kinds, totals=True),
               Table(rejected(), "rejected")]
        if "claim" in report:
            weeks, people = claim_frames(report["claim"])
            out += [Table(weeks, "claim weeks", CLAIM_KINDS, totals=True), Table(people, "claim employees", CLAIM_KINDS, totals=True)]
        return out

    return Document("peerpay audit: what payroll paid against what the policy owes", blocks=blocks,
                    csv=lambda: lines_table(audit.lines, audit.components), payload=report, sheets=sheets,
                    notes=lambda: ["peerpay audit: notes", headline(audit.totals, audit.tolerance_cents), *report["notes"],
                                   _recon_text(report)],
                    run_record=record, policy=lambda: audit.pay.policy.model_dump(mode="json", exclude_none=True))


CLAIM_WEEK = ["employee_id", "week_start", "paid_gross", "owed_gross", "contract_back_wages", "flsa_back_wages",
              "state_back_wages", "back_wages", "liquidated_damages", "total_owed"]
CLAIM_EMPLOYEE = ["employee_id", "weeks", "contract_back_wages", "flsa_back_wages", "state_back_wages", "back_wages",
                  "liquidated_damages", "total_owed"]
CLAIM_KINDS = {c: "money" for c in CLAIM_WEEK[2:]} | {"weeks": "count"}


def claim_frames(claim: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claim's weeks and employees (docs/formats.md §6 keys) as tables."""
    weeks = pd.DataFrame([{c: w[c] for c in CLAIM_WEEK} for w in claim["weeks"]], columns=CLAIM_WEEK)
    people = pd.DataFrame([{c: e[c] for c in CLAIM_EMPLOYEE} for e in claim["employees"]], columns=CLAIM_EMPLOYEE)
    return weeks, people


def claim_blocks(claim: dict, kinds: dict) -> list:
    """``--claim``: the underpaid weeks priced by the three back-pay measures (docs/backpay.md)."""
    weeks, people = claim_frames(claim)
    t = claim["totals"]
    out: list = [Heading(f"Back pay for the underpaid weeks (as of {claim['as_of']}; docs/formats.md §6)")]
    if not len(weeks):
        return out + [Text("No week owes back wages under any measure.\n\n")]
    short = {"contract_back_wages": "contract", "flsa_back_wages": "FLSA", "state_back_wages": "state", "back_wages": "claim",
             "liquidated_damages": "liquidated", "total_owed": "total"}  # narrow enough to read (JSON keeps §6's names)
    kinds = CLAIM_KINDS | {v: "money" for v in short.values()}
    return out + [Table(people.rename(columns=short), kinds=kinds), Text("\n"), Table(weeks.rename(columns=short), kinds=kinds),
                  Text(f"\nClaim ${t['back_wages']:,.2f} (contract ${t['contract_back_wages']:,.2f}, FLSA ${t['flsa_back_wages']:,.2f}, "
                       f"state ${t['state_back_wages']:,.2f}) + liquidated damages ${t['liquidated_damages']:,.2f} = "
                       f"${t['total_owed']:,.2f}. Figures computed by peerpay; not legal advice (docs/backpay.md).\n\n")]


def _recon_text(report: dict) -> str:
    t, r = report["reconciliation"]["timesheet"], report["reconciliation"]["register"]
    return (f"Reconciliation: timesheet {t['rows_read']} rows = {t['rows_paid']} paid + {t['rows_rejected']} rejected"
            + (f" + {t['rows_dropped']} dropped by the map" if t.get("rows_dropped") else "")
            + f"; register {r['lines_read']} lines (from {r['rows_read']} rows) = {r['lines_used']} compared + "
            f"{r['lines_ignored']} ignored + {r['lines_rejected']} rejected")


def _tolerance_cents(value: str) -> int:
    from decimal import Decimal

    from ..core.money import to_decimal

    try:
        d = to_decimal(value)
    except ValueError:
        fail(f"--tolerance must be an amount in dollars (e.g. 0.01), not {value!r}", EXIT_USAGE)
    if d < 0 or d > 1_000_000 or d != d.quantize(Decimal("0.01")):
        fail(f"--tolerance must be whole cents from 0 to 1,000,000 (e.g. 0.01), not {value!r}", EXIT_USAGE)
    return int(d * 100)


def demo_section(samples_dir: Path, fmt: str) -> str:
    """The audit of the sample register, for `peerpay demo`."""
    from ..jobs.audit import audit_report, run_audit

    d = Path(samples_dir)
    register, emap = d / "exports" / "earnings" / "register.csv", d / "exports" / "earnings" / "register.toml"
    if not (register.exists() and emap.exists()):
        return ""
    audit = run_audit(d / "timesheet.csv", d / "policy.toml", register, emap, d / "roster.csv", d / "schedule.csv")
    doc = audit_document(audit, audit_report(audit), brief=True)
    title = "Did payroll pay what the policy owes? The payroll register, audited (exports/earnings/register.csv)"
    from shlex import quote

    q = {name: quote(str(d / name)) for name in ("timesheet.csv", "policy.toml", "roster.csv", "schedule.csv")}
    rerun = (f"peerpay audit -t {q['timesheet.csv']} -p {q['policy.toml']} -r {q['roster.csv']} -s {q['schedule.csv']} "
             f"--register {quote(str(register))} --register-map {quote(str(emap))}")
    return ("\n" + ("## " if fmt == "md" else "") + title + "\n\n" + str(render(doc, "md" if fmt == "md" else "table"))
            + f"\nThe whole audit (each employee, every format): {rerun}\n")


@click.command("audit")
@click.option("--timesheet", "-t", required=True, type=click.Path(dir_okay=False), help="Shifts: CSV or XLSX, one row per shift.")
@click.option("--policy", "-p", required=True, type=click.Path(dir_okay=False), help="Pay policy TOML.")
@click.option("--roster", "-r", type=click.Path(dir_okay=False), help="Roster: employee_id, role, step.")
@click.option("--schedule", "-s", type=click.Path(dir_okay=False), help="Wage schedule: role, step, hourly_rate|annual_salary.")
@click.option("--sheet", help="XLSX sheet name of the timesheet (default: the first).")
@click.option("--map", "map_file", type=click.Path(dir_okay=False), help="Column map for a timesheet in a payroll export's layout (TOML).")
@click.option("--register", required=True, type=click.Path(dir_okay=False),
              help="The payroll register: what was paid, by employee, pay period (or week) and earning code (CSV or XLSX).")
@click.option("--register-map", required=True, type=click.Path(dir_okay=False),
              help="Earnings map (TOML): the register's columns and which earning code is which pay component (docs/audit.md).")
@click.option("--register-sheet", help="XLSX sheet name of the register (default: the first).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]),
              help="First day of the pay period of a register without dates (a map without [period], e.g. ADP's paydata batch).")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day of that pay period (inclusive).")
@click.option("--tolerance", default="0.01", show_default=True, metavar="DOLLARS",
              help="A difference up to this, per employee, period and component, is not flagged.")
@click.option("--claim", is_flag=True, help="Price the underpaid weeks as back pay: the contract, FLSA and state measures, the "
              "claim and liquidated damages (docs/formats.md §6), with what was paid taken from the register by component.")
@claim_options()
@click.option("--fail-on-underpayment", is_flag=True,
              help=f"Exit {EXIT_UNDERPAID} when nothing was rejected and some employee-period was underpaid beyond the tolerance.")
@click.option("--format", "-f", "fmt", type=FORMATS, help=FORMAT_HELP)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--rejects", type=click.Path(dir_okay=False), help="Also write the rejected rows (timesheet and register) to this CSV.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@handles_input_errors
def command(timesheet, policy, roster, schedule, sheet, map_file, register, register_map, register_sheet, date_from, date_to,
            tolerance, claim, fail_on_underpayment, fmt, output, rejects, force, **claim_values):
    """Audit a payroll register against the policy: owed, paid and the difference by pay component (docs/audit.md)."""
    from ..errors import InputError
    from ..io.readers import read_policy
    from ..jobs.audit import audit_report, parse_period, run_audit

    fmt = output_format(fmt, output)
    check_format_target(fmt, output)
    inputs = [timesheet, policy, roster, schedule, map_file, register, register_map]
    check_outputs({"--output": output, "--rejects": rejects}, inputs, force)
    if fmt != "csv":  # a run record is built (CSV has no room for one): the inputs are hashed meanwhile
        hash_in_background(inputs)
    cents = _tolerance_cents(tolerance)
    given = claim_given(**claim_values)
    if given and not claim:
        fail(f"{', '.join(given)} change the back-pay claim: give --claim as well (docs/audit.md)", EXIT_USAGE)
    claim_with = claim_settings(**claim_values) if claim else None
    try:
        period = parse_period(date_from.date() if date_from else None, date_to.date() if date_to else None)
    except InputError as exc:
        fail(str(exc), EXIT_USAGE)
    from ..io.earnings_map import read_earnings_map

    emap = read_earnings_map(register_map)
    if period is not None and emap.period is not None:
        fail("--from/--to give the pay period of a register without dates; this register's map has a [period] "
             "(its dates are in the file): leave them out", EXIT_USAGE)
    if period is None and emap.period is None:
        fail("this register's map has no [period] (the file is one pay period, as ADP's paydata batch): give its first "
             "and last day with --from and --to", EXIT_USAGE)
    pol = read_policy(policy)
    warn_policy(pol)
    mapped = None
    if map_file is not None:
        from ..io.exports import apply_map_to_file

        mapped = apply_map_to_file(timesheet, map_file, sheet, pol.timezone)
    audit = run_audit(timesheet, pol, register, emap, roster, schedule, sheet=sheet, mapped=mapped,
                      register_sheet=register_sheet, period=period, tolerance_cents=cents, map_name=Path(register_map).name)
    report = audit_report(audit)
    if claim_with is not None:
        from ..jobs.audit import audit_claim

        try:
            report["claim"] = audit_claim(audit, **claim_with.job())  # an added key (docs/formats.md, "peerpay audit")
        except InputError as exc:
            fail(str(exc), EXIT_USAGE)
    record = run_record("peerpay audit", {"timesheet": timesheet, "policy": policy, "roster": roster, "schedule": schedule,
                                          "map": map_file, "register": register, "register_map": register_map},
                        {"tolerance": tolerance, "from": str(date_from.date()) if date_from else None,
                         "to": str(date_to.date()) if date_to else None, "claim": claim or None,
                         **(claim_with.record() if claim_with is not None else {})},
                        period=_periods_text(audit)) if fmt != "csv" else None
    data = render_chunks(audit_document(audit, report, record), fmt)
    rejected = to_csv(pd.DataFrame(report["rejected"], columns=REJECTED_COLUMNS)) if rejects else None
    report_problems(audit.problems)
    if rejects:
        write_file(rejects, rejected or "")
    emit(data, output, force)
    from ..core.audit_report import headline

    click.echo(headline(audit.totals, audit.tolerance_cents), err=True)
    click.echo(_recon_text(report), err=True)
    if audit.problems:
        finish(EXIT_REJECTED)
    finish(EXIT_UNDERPAID if fail_on_underpayment and audit.totals["lines_underpaid"] else EXIT_OK)


def _periods_text(audit) -> str | None:
    frame = audit.lines
    if not len(frame):
        return None
    import numpy as np

    lo, hi = int(frame["period_start"].min()), int(frame["period_end"].max())
    return f"pay periods {np.datetime64(lo, 'D')} to {np.datetime64(hi, 'D')}"
