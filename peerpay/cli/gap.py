"""`peerpay gap`: the peer role's pay against other roles (docs/formats.md §5, docs/gap.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import pandas as pd

from ..io.charts import gap_chart, parse_reference_line
from ..core.gap import BASES, DEFINITIONS
from ..errors import Problem
from ..jobs.gap import REFERENCES, run_gap
from ..io.document import Document, Heading, Notes, Table, Text, render
from ..io.writers import atomic_write
from .common import run_record, FORMAT_HELP, output_format, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, FORMATS, check_format_target, check_outputs, emit, fail, handles_input_errors, report_problems

# (report key, column header, kind): one list drives the table, Markdown, CSV headers and XLSX formats
COLUMNS = [
    ("role", "role", "text"),
    ("n", "n", "int"),
    ("median_hourly", "median $/h", "money"),
    ("mean_hourly", "mean $/h", "money"),
    ("p25_hourly", "P25 $/h", "money"),
    ("p75_hourly", "P75 $/h", "money"),
    ("median_annual", "median $/yr", "money"),
    ("mean_annual", "mean $/yr", "money"),
    ("gap_median_dollars", "gap $ (median)", "money"),
    ("gap_mean_pct", "gap % (mean)", "pct"),
    ("gap_median_pct", "gap % (median)", "pct"),
    ("cents_on_the_dollar", "¢ on the $", "num1"),
    ("peer_hours_for_40", "peer hours for 40", "num2"),
    ("annual_gap_per_worker", "annual gap/worker", "money"),
    ("parity_cost_per_year", "parity cost/yr", "money"),
    ("eu_article10_flag", "EU Art.10 (≥5%)", "flag"),
    ("unpaid_hours", "unpaid h", "num2"),
    ("median_effective_hourly", "effective median $/h", "money"),
]
QUARTILE_COLUMNS = [
    ("quartile", "quartile", "text"),
    ("employees", "employees", "int"),
    ("min_hourly", "from $/h", "money"),
    ("max_hourly", "to $/h", "money"),
    ("peers", "peers", "num1"),
    ("peer_share_pct", "peer share %", "pct"),
]


def _cell(value, kind: str):
    if value is None:
        return ""
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "pct":
        return f"{value:.1f}"
    if kind == "num1":
        return f"{value:,.1f}"
    if kind == "num2":
        return f"{value:,.2f}"
    if kind == "flag":
        return "yes" if value else "no"
    return str(value)


def _present(records: list[dict], spec) -> list[tuple[str, str, str]]:
    return [c for c in spec if any(c[0] in r for r in records)]


def display_frame(records: list[dict], spec, min_group: int = 1) -> tuple[pd.DataFrame, list[str]]:
    """Records -> text cells (suppressed rows read "<N" / "suppressed") and tabulate alignment."""
    cols = _present(records, spec)
    rows = []
    for r in records:
        if r.get("suppressed"):
            row = {h: "" for _, h, _ in cols}
            row.update({"role": r["role"], "n": f"<{min_group}", cols[2][1]: "suppressed"})
        else:
            row = {h: _cell(r.get(k), kind) for k, h, kind in cols}
        rows.append(row)
    align = ["left" if kind == "text" else "right" for _, _, kind in cols]
    return pd.DataFrame(rows, columns=[h for _, h, _ in cols]), align


def numeric_frame(records: list[dict], spec) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Records -> numbers for XLSX (percent as a fraction), with the money and percent headers."""
    cols = _present(records, spec)
    data = {h: [r.get(k) / 100 if kind == "pct" and r.get(k) is not None else r.get(k) for r in records] for k, h, kind in cols}
    frame = pd.DataFrame(data, columns=[h for _, h, _ in cols])
    return frame, [h for _, h, kind in cols if kind == "money"], [h for _, h, kind in cols if kind == "pct"]


def footnotes(report: dict) -> list[str]:
    lines = [f"{name}: {text}" for name, text in DEFINITIONS.items()]
    lines += list(report.get("notes", []))
    if any(g.get("source") == "external" for g in report["groups"]):
        lines.append("External rows: BLS OEWS May 2025, U.S. national, all industries (schedules/bls_oews_may2025_national.csv); "
                     "OEWS wages exclude overtime, shift differentials and premium pay.")
    ex = {k: v for k, v in report.get("excluded", {}).items() if v}
    if ex:
        lines.append("Excluded employees: " + ", ".join(f"{v} ({k.replace('_', ' ')})" for k, v in ex.items()))
    return lines


def _usd(x: float) -> str:
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


def _decomposition_line(report: dict) -> str:
    d = report.get("decomposition") or {}
    if d.get("status") != "ok":
        return f"Explained/unexplained decomposition: not computed ({d.get('status', 'n/a')})."
    counts = f"; {d['n_peer']} peers vs {d['n_other']} others" if "n_peer" in d else ""  # not in a published view
    return (
        f"Explained/unexplained decomposition (Oaxaca-Blinder, pooled; covariates {', '.join(d['covariates'])}"
        f"{counts}): mean hourly gap {_usd(d['gap'])} = explained {_usd(d['explained'])} "
        f"+ unexplained {_usd(d['unexplained'])}."
    )


def gap_document(report: dict, chart_png: bytes | None = None, reference_line: tuple[str, float] | None = None,
                 run_record: dict | None = None) -> Document:
    """The gap report as a document; HTML is the advocate's fact sheet (io/html.py)."""

    def sheets():
        groups, money, pct = numeric_frame(report["groups"], COLUMNS)
        quart, qmoney, qpct = numeric_frame(report["quartiles"], QUARTILE_COLUMNS)
        dec = pd.DataFrame([{k: (", ".join(v) if isinstance(v, list) else v) for k, v in report["decomposition"].items()}])
        return [Table(groups, "gap by role", {**{h: "money" for h in money}, **{h: "percent" for h in pct}}),
                Table(quart, "pay quartiles", {**{h: "money" for h in qmoney}, **{h: "percent" for h in qpct}}),
                Table(dec, "decomposition")]

    def notes():
        return [f"peerpay gap: {report['peer_role']} vs other roles, basis {report['basis']}, as of {report['as_of']}",
                _decomposition_line(report), *footnotes(report)]

    def blocks():
        groups, align = display_frame(report["groups"], COLUMNS, report.get("min_group", 1))
        quart, qalign = display_frame(report["quartiles"], QUARTILE_COLUMNS)
        return [Heading(title, 3), Table(groups, options={"colalign": align, "disable_numparse": True}), Text("\n"),
                Heading("Organisation-wide pay quartiles (hourly)", 3),
                Table(quart, options={"colalign": qalign, "disable_numparse": True}), Text("\n"),
                Text(_decomposition_line(report) + "\n\n"),
                Notes(footnotes(report), title="Notes", md_title="Definitions and sources")]

    def page():
        from ..io.html import gap_fact_sheet

        lines = [{"key": "user", "label": reference_line[0], "hourly": reference_line[1], "kind": "user",
                  "source": "given with --reference-line"}] if reference_line else []
        return gap_fact_sheet(report, lines, run_record)

    title = f"Pay gap: {report['peer_role']} vs other roles ({report['basis'].replace('_', ' ')}, {report['unit']}, as of {report['as_of']})"
    return Document(title, blocks=blocks, csv=lambda: pd.DataFrame(report["groups"]), payload=report, sheets=sheets, run_record=run_record,
                    notes=notes, images={"chart": chart_png} if chart_png else None, html=page)


def render_gap(report: dict, fmt: str, chart_png: bytes | None = None, reference_line=None, run_record=None) -> str | bytes:
    return render(gap_document(report, chart_png, reference_line, run_record), fmt)


def demo_section(samples_dir: Path, fmt: str) -> str:
    """The gap report on the samples, for `peerpay demo` (fixed date: the output is reproducible)."""
    d = Path(samples_dir)
    unpaid = d / "unpaid_hours.csv"
    run = run_gap(d / "roster.csv", d / "schedule.csv", "peer_specialist", basis="base_rate", as_of=date(2025, 11, 30),
                  timesheet=d / "timesheet.csv", policy=d / "policy.toml", unpaid=unpaid if unpaid.exists() else None,
                  reference="bls-2025")
    return "\n" + render_gap(run.report, "md" if fmt == "md" else "table")


def _run_record(**given) -> dict:
    """What produced a report: the version, the options, each input file's name, size and SHA-256, the run time."""
    files = {k: v for k, v in given.items() if k in ("roster", "schedule", "timesheet", "policy", "unpaid", "reference")}
    options = {k: v for k, v in given.items() if k not in files}
    return run_record("peerpay gap", files, options)


@click.command("gap")
@click.option("--roster", "-r", required=True, type=click.Path(dir_okay=False), help="Roster: employee_id, role, step (fte, tenure_years, site…).")
@click.option("--schedule", "-s", required=True, type=click.Path(dir_okay=False), help="Wage schedule: role, step, hourly_rate|annual_salary.")
@click.option("--peer-role", default="peer_specialist", show_default=True, help="The roster role compared with every other role.")
@click.option("--basis", type=click.Choice(BASES), default="base_rate", show_default=True,
              help="base_rate: schedule rate on --as-of; earnings: gross pay / hours worked (needs --timesheet); annual: hourly x annual hours.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Date of the schedule rates (default: today).")
@click.option("--timesheet", "-t", type=click.Path(dir_okay=False), help="Shifts to pay (earnings basis, effective rates).")
@click.option("--policy", "-p", type=click.Path(dir_okay=False), help="Pay policy TOML (with --timesheet).")
@click.option("--unpaid", type=click.Path(dir_okay=False), help="CSV/XLSX: employee_id, unpaid_hours over the timesheet's period.")
@click.option("--stipends", type=click.Path(dir_okay=False), help="--basis earnings: a stipend log (person, date, amount, hours); "
              "stipend peers become the group 'stipend_peer' at their effective hourly pay (docs/backpay.md).")
@click.option("--annual-hours", type=click.Choice(["fte", "actual"]), default="fte", show_default=True,
              help="annual basis: fte x 2,080 h, or hours worked in the timesheet annualised.")
@click.option("--reference", help="External comparator wages: 'bls-2025' or a CSV (role, hourly_median, …).")
@click.option("--covariates", help="Roster columns for the decomposition, comma-separated (default: tenure_years, fte, site if present).")
@click.option("--format", "-f", "fmt", type=FORMATS, help=FORMAT_HELP)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--chart", type=click.Path(dir_okay=False), help="Also draw median pay by role to FILE.png or FILE.svg.")
@click.option("--reference-line", help="A labelled line on the chart, e.g. 'Living wage=24.50'.")
@click.option("--publish", is_flag=True, help="Publishing view: suppress groups under --min-group (default 10); never names or ids.")
@click.option("--min-group", type=click.IntRange(1, None), help="Suppress groups with fewer employees (default 10 with --publish, else 1).")
@click.option("--force", is_flag=True, help="Overwrite existing output/chart files.")
@handles_input_errors
def command(roster, schedule, peer_role, basis, as_of, timesheet, policy, unpaid, stipends, annual_hours, reference, covariates,
            fmt, output, chart, reference_line, publish, min_group, force):
    """Compare the peer role's hourly pay with every other role (docs/formats.md §5)."""
    fmt = output_format(fmt, output)
    if (timesheet is None) != (policy is None):
        fail("--timesheet and --policy go together", EXIT_USAGE)
    if timesheet is None and (basis == "earnings" or unpaid or annual_hours == "actual"):
        fail("--basis earnings, --unpaid and --annual-hours actual need --timesheet and --policy", EXIT_USAGE)
    check_format_target(fmt, output)
    chart_fmt = Path(chart).suffix.lower().lstrip(".") if chart else None
    if chart and chart_fmt not in ("png", "svg"):
        fail("--chart must end in .png or .svg", EXIT_USAGE)
    ref_file = reference if reference and reference not in REFERENCES else None
    check_outputs({"--output": output, "--chart": chart}, [roster, schedule, timesheet, policy, unpaid, ref_file], force)
    line = None
    if reference_line:
        try:
            line = parse_reference_line(reference_line)
        except ValueError as exc:
            fail(str(exc), EXIT_USAGE)
    run = run_gap(roster, schedule, peer_role, basis=basis, as_of=as_of.date() if as_of else None, timesheet=timesheet,
                  policy=policy, unpaid=unpaid, annual_hours=annual_hours, reference=reference, publish=publish,
                  min_group=min_group, stipends=stipends, covariates=[c.strip() for c in covariates.split(",") if c.strip()] if covariates else None)
    png = gap_chart(run.report, "png", line)[0] if fmt == "xlsx" or chart_fmt == "png" else None
    record = _run_record(roster=roster, schedule=schedule, timesheet=timesheet, policy=policy, unpaid=unpaid,
                         reference=ref_file, peer_role=peer_role, basis=basis) if fmt in ("html", "xlsx") else None
    data = render_gap(run.report, fmt, png, line, record)
    # --publish: where a rejected row is, never its content (a reason can quote an employee id)
    report_problems([Problem(p.file, p.row, p.column, "rejected (details withheld with --publish)", p.sheet) for p in run.problems]
                    if publish else run.problems)
    image = (png if chart_fmt == "png" else gap_chart(run.report, "svg", line)[0]) if chart else None
    if chart:  # both outputs are rendered before either is written
        atomic_write(chart, image)
    emit(data, output, force)
    raise SystemExit(EXIT_REJECTED if run.problems else EXIT_OK)
