"""`peerpay billing`: the share of what a person's work bills that the person is paid (docs/billing.md)."""

from __future__ import annotations

import click
import pandas as pd

from ..core.billing_report import billing_headline
from ..io.document import Document, Heading, Notes, Table, Text, render
from ..io.billing_page import KINDS, role_frame
from ..jobs.billing import run_billing

from .common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, check_outputs, emit, fail, handles_input_errors, output_format, report_problems, run_record
from .options import PeerpayCommand, force_option, format_option, output_option, policy_option, roster_option, schedule_option, timesheet_option
PERSON_COLUMNS = ["employee_id", "role", "paid_hours", "gross_pay", "billed_units", "billed", "billed_per_paid_hour",
                  "pay_per_paid_hour", "cents_per_dollar_billed", "unbilled_hours"]


def billing_document(report: dict, record: dict | None = None) -> Document:
    from ..io.billing_page import group_label

    headline = billing_headline(report["roles"], report["peer_role"], lambda r: group_label(r, report.get("comparison_groups") or ())) if report.get("peer_role") else None

    def people():
        return pd.DataFrame(report.get("people", []), columns=PERSON_COLUMNS)

    def rejected():
        return pd.DataFrame(report["rejected"], columns=["file", "row", "column", "reason"])

    def notes():
        return [f"{k}: {v}" for k, v in report["definitions"].items()] + report["caveats"] + report["notes"] + [
            f"fee schedule: {f['state']} {f['procedure_code']}{' ' + f['modifier'] if f['modifier'] else ''} ${f['rate']:g} per "
            f"{f['unit_minutes']} min from {f['effective_date']} ({f['status'] or 'published'}; {f['source']})"
            for f in report["fee_schedule"]]

    def blocks():
        out: list = []
        if headline:
            out.append(Text(headline + "\n\n"))
        out += [Heading("The billing share by role", 3), Table(role_frame(report), kinds=KINDS, blanks=True), Text("\n")]
        if "people" in report:
            out += [Heading("By person (private: never publish)", 3), Table(people(), kinds=KINDS, blanks=True), Text("\n")]
        if report["rejected"]:
            out += [Heading(f"Rejected rows ({len(report['rejected'])})", 3), Table(rejected()), Text("\n")]
        out.append(Notes(notes(), title="Definitions, caveats and sources"))
        return out

    title = "The billing share: pay per dollar billed" + (" (published view)" if report.get("publish") else "")
    return Document(title, blocks=blocks, csv=lambda: role_frame(report), payload=report, run_record=record, notes=notes,
                    sheets=lambda: [Table(role_frame(report), "by role", KINDS), *([Table(people(), "by person", KINDS)] if "people" in report
                                                                                  else []), Table(rejected(), "rejected")])


def render_billing(report: dict, fmt: str, record: dict | None = None) -> str | bytes:
    return render(billing_document(report, record), fmt)


def _groups(values) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in values:
        name, sep, roles = v.partition("=")
        if not sep or not name.strip() or not roles.strip():
            fail(f"--group {v!r}: expected NAME=role,role", EXIT_USAGE)
        out[name.strip()] = [r.strip() for r in roles.split(",") if r.strip()]
    seen = [r for rs in out.values() for r in rs]
    if len(seen) != len(set(seen)):
        fail("--group: a role may be in one group only", EXIT_USAGE)
    return out


@click.command("billing", cls=PeerpayCommand)
@timesheet_option(help="The paid timesheet (its hours and gross pay are the pay side).")
@policy_option()
@roster_option(help="Roster: employee_id, role, step (the role each person is counted in).")
@schedule_option()
@click.option("--billing", "billing_file", required=True, type=click.Path(dir_okay=False),
              help="Billing export: employee_id, service_date, procedure_code, modifier, units (optional state).")
@click.option("--fee-schedule", "fee_file", required=True, type=click.Path(dir_okay=False),
              help="Fee schedule CSV: state, procedure_code, modifier, unit_minutes, rate, effective_date, source, status.")
@click.option("--state", help="The fee schedule's state to price the billing in (needed when it has several).")
@click.option("--peer-role", default="peer_specialist", show_default=True, help="The role the headline starts with.")
@click.option("--publish", is_flag=True, help="Published view: roles only, through the disclosure rule of `gap --publish`.")
@click.option("--group", "groups", multiple=True, metavar="NAME=ROLE,ROLE", help="Pool roles into one comparison group (repeatable).")
@click.option("--min-group", type=click.IntRange(3, None), help="Group size for exact published figures (at least 10).")
@format_option()
@output_option
@force_option()
@handles_input_errors
def command(timesheet, policy, roster, schedule, billing_file, fee_file, state, peer_role, publish, groups, min_group, fmt, output, force):
    """The share of what a person's work bills that the person is paid, per person and role (docs/billing.md)."""
    fmt = output_format(fmt, output)
    inputs = [timesheet, policy, roster, schedule, billing_file, fee_file]
    check_outputs({"--output": output}, inputs, force)
    run = run_billing(timesheet, policy, billing_file, fee_file, roster=roster, schedule=schedule, state=state, peer_role=peer_role,
                      publish=publish, groups=_groups(groups), min_group=min_group)
    record = run_record("peerpay billing", {"timesheet": timesheet, "policy": policy, "roster": roster, "schedule": schedule,
                                            "billing": billing_file, "fee_schedule": fee_file},
                        {"state": state, "peer_role": peer_role, "publish": publish or None})
    if publish:
        from .common import published_record

        record = published_record(record)
    data = render_billing(run.report, fmt, record)
    report_problems(run.problems)
    emit(data, output, force)
    raise SystemExit(EXIT_REJECTED if run.problems else EXIT_OK)
