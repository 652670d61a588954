"""`peerpay gap`: the peer role's pay against other roles (docs/formats.md §5, docs/gap.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import cast

import click
import pandas as pd

from ..io.charts import gap_chart
from ..core.gap import BASES, DEFAULT_PUBLISH_MIN_GROUP, DEFINITIONS, GAP_METRICS, PUBLISH_MIN_GROUP_FLOOR, parse_groups
from ..errors import Problem
from ..jobs.gap import REFERENCES, run_gap
from ..io.document import Document, Heading, Notes, Table, Text, render
from .options import PeerpayCommand, force_option, format_option, output_option, policy_option, roster_option, schedule_option, timesheet_option
from .common import (published_record, run_record, output_format, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, check_format_target, check_outputs,
                     emit, fail, handles_input_errors, report_problems, write_file)

# (report key, column header, kind): one list drives the table, Markdown, CSV headers and XLSX formats;
# built from the one gap-metrics table in core (GAP_METRICS: key, header, unit, definition, source)
COLUMNS = [(m.key, m.header, m.kind) for m in GAP_METRICS if m.header]
QUARTILE_COLUMNS = [
    ("quartile", "quartile", "text"),
    ("employees", "employees", "int"),
    ("min_hourly", "from $/h", "money"),
    ("max_hourly", "to $/h", "money"),
    ("peers", "peers", "num1"),
    ("peer_share_pct", "peer share %", "pct"),
]


#: The certified-vs-not-certified table (core/joint.py certification_rows): key, header, kind.
CERT_COLUMNS = [("group", "group", "text"), ("n", "n", "text"), ("mean_hourly", "mean $/h", "money"),
                ("median_hourly", "median $/h", "money"), ("gap_percent", "gap %", "pct")]


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


def band_cell(pair, thousands: bool = True) -> str:
    """A published range as text: [18, 20] -> "18–20"; [40000, 45000] -> "40,000–45,000"."""
    lo, hi = (f"{x:,}" if isinstance(x, int) else f"{x:,.2f}" for x in pair)
    text = f"{lo}–{hi}"
    return text if thousands else text.replace(",", "")


def _value(r: dict, key: str, thousands: bool = True):
    """A row's figure: the exact value, else its range as text ("18–20"), else None."""
    if r.get(key) is not None:
        return r[key]
    band = r.get(f"{key}_band")
    return band_cell(band, thousands) if band else None


def _with_sizes(records: list[dict], min_group: int, band_min: int | None = None) -> list[dict]:
    """A banded group's n reads "<10" (under the size for exact figures); a withheld one "<3" in a
    published report (under the size for a band), "<N" under --min-group N in an internal one."""
    def size(r):
        if r.get("n") is not None or not (r.get("banded") or r.get("suppressed")):
            return r
        return {**r, "n": f"<{band_min if band_min and r.get('suppressed') else min_group}"}

    return [size(r) for r in records]


def _present(records: list[dict], spec) -> list[tuple[str, str, str]]:
    """The columns some row fills (exactly or as a range): never a column blank on every row."""
    return [c for i, c in enumerate(spec) if i == 0 or any(_value(r, c[0]) is not None for r in records)]


def display_frame(records: list[dict], spec, min_group: int = 1, band_min: int | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Records -> text cells (a range as "18–20", a withheld row "<N" / "withheld") and tabulate alignment."""
    records = _with_sizes(records, min_group, band_min)
    cols = _present(records, spec)
    rows = []
    for r in records:
        row = {h: (_cell(v, kind) if not isinstance(v := _value(r, k), str) or kind == "text" else v) for k, h, kind in cols}
        median = next((h for k, h, _ in cols if k.startswith("median_")), None)
        if r.get("suppressed") and median:
            row[median] = "withheld"
        rows.append(row)
    align = ["left" if kind == "text" else "right" for _, _, kind in cols]
    return pd.DataFrame(rows, columns=[h for _, h, _ in cols]), align


def numeric_frame(records: list[dict], spec, min_group: int = 1, band_min: int | None = None) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Records -> numbers for XLSX (percent as a fraction; a range as text "18–20"), with the
    money and percent headers."""
    records = _with_sizes(records, min_group, band_min)
    cols = _present(records, spec)

    def cell(r, k, kind):
        v = _value(r, k)
        return v / 100 if kind == "pct" and isinstance(v, (int, float)) else v

    data = {h: [cell(r, k, kind) for r in records] for k, h, kind in cols}
    frame = pd.DataFrame(data, columns=[h for _, h, _ in cols]).astype(object)
    frame = frame.where(frame.notna(), None)
    return frame, [h for _, h, kind in cols if kind == "money"], [h for _, h, kind in cols if kind == "pct"]


def csv_frame(records: list[dict]) -> pd.DataFrame:
    """One row per group, the JSON keys as headers; a range goes into its figure's column as text
    ("18–20"), a missing value is an empty cell (never "nan")."""
    keys: list[str] = []
    for r in records:
        keys += [k for k in r if k not in keys and not k.endswith("_band")]
    kinds = {k: kind for k, _, kind in COLUMNS}
    columns = {}
    for k in keys:
        values = [_value(r, k, thousands=False) for r in records]
        if all(isinstance(v, bool) for v in values):
            columns[k] = pd.Series(values, dtype=bool)
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            columns[k] = pd.Series(values, dtype="float64" if any(isinstance(v, float) for v in values) else "int64")
        else:  # a column with a gap or a range: text, so a missing value stays empty
            columns[k] = pd.Series([_csv_text(v, kinds.get(k, "text")) for v in values], dtype=object)
    return pd.DataFrame(columns)


def _csv_text(value, kind: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and kind in ("money", "num2"):
        return f"{value:.2f}"
    if isinstance(value, float) and kind in ("pct", "num1"):
        return f"{value:.1f}"
    return str(value)


def footnotes(report: dict) -> list[str]:
    lines = [f"{name}: {text}" for name, text in report.get("definitions", DEFINITIONS).items()]
    lines += list(report.get("notes", []))
    if any(g.get("source") == "external" for g in report["groups"]):
        lines.append("External rows: BLS OEWS May 2025, U.S. national, all industries (schedules/bls_oews_may2025_national.csv); "
                     "OEWS wages exclude overtime, shift differentials and premium pay.")
    ex = {k: v for k, v in report.get("excluded", {}).items() if v}
    if ex:
        lines.append("Excluded employees: " + ", ".join(f"{v} ({k.replace('_', ' ')})" for k, v in ex.items()))
    return lines


def with_out_of_class(report: dict) -> list[dict]:
    """The gap groups, each with its out-of-class figures (``out_of_class``) as added CSV columns."""
    if not report.get("out_of_class"):
        return report["groups"]
    from ..io.out_of_class_page import csv_columns

    extra = csv_columns(report["out_of_class"])
    keys = list(dict.fromkeys(k for cols in extra.values() for k in cols))
    return [{**g, **{k: extra.get(g["role"], {}).get(k) for k in keys}} for g in report["groups"]]


def _usd(x: float) -> str:
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


def _decomposition_line(report: dict) -> str:
    d = report.get("decomposition") or {}
    if str(d.get("status", "")).startswith("not published"):
        return f"Explained/unexplained decomposition: {d['status']}."
    if d.get("status") != "ok":
        return f"Explained/unexplained decomposition: not computed ({d.get('status', 'n/a')})."
    counts = f"; {d['n_peer']} peers vs {d['n_other']} others" if "n_peer" in d else ""  # not in a published view
    return (
        f"Explained/unexplained decomposition (Oaxaca-Blinder, pooled; covariates {', '.join(d['covariates'])}"
        f"{counts}): mean hourly gap {_usd(d['gap'])} = explained {_usd(d['explained'])} "
        f"+ unexplained {_usd(d['unexplained'])}."
        + (f" Caution: {d['caution']}." if d.get("caution") else "")
    )


def gap_document(report: dict, chart_png: bytes | None = None, reference_line: tuple[str, float] | None = None,
                 run_record: dict | None = None) -> Document:
    """The gap report as a document; HTML is the advocate's fact sheet (io/html.py)."""

    def sheets():
        groups, money, pct = numeric_frame(report["groups"], COLUMNS, report.get("min_group", 1), report.get("band_min_group"))
        quart, qmoney, qpct = numeric_frame(report["quartiles"], QUARTILE_COLUMNS)
        dec = pd.DataFrame([{k: (", ".join(v) if isinstance(v, list) else v) for k, v in report["decomposition"].items()}])
        return [Table(groups, "gap by role", {**{h: "money" for h in money}, **{h: "percent" for h in pct}}),
                Table(quart, "pay quartiles", {**{h: "money" for h in qmoney}, **{h: "percent" for h in qpct}}),
                Table(dec, "decomposition"), *cert_sheet(), *billing_sheet(), *out_of_class_sheet()]

    def out_of_class_sheet():
        from ..io.out_of_class_page import KINDS as OOC_KINDS, role_frame as ooc_frame

        return [Table(ooc_frame(report["out_of_class"]), "out-of-class work", OOC_KINDS)] if report.get("out_of_class") else []

    def out_of_class_block():
        if not report.get("out_of_class"):
            return []
        from ..io.billing_page import group_label
        from ..io.out_of_class_page import TITLE, headline, role_frame as ooc_frame

        section = report["out_of_class"]
        line = headline(section, report["peer_role"], lambda r: group_label(r, report.get("comparison_groups") or ()))
        notes = [*section["notes"], *(f"{k}: {v}" for k, v in section["definitions"].items())]
        align = ["left" if c in ("role", "duty_role", "status") else "right" for c in ooc_frame(section, text=True).columns]
        return [Heading(TITLE, 3), *([Text(line + "\n\n")] if line else []),
                Table(ooc_frame(section, text=True), options={"colalign": align, "disable_numparse": True}, blanks=True),
                Text("\n" + "".join(f"{n}\n" for n in notes) + "\n")]

    def billing_sheet():
        from ..io.billing_page import KINDS as BILLING_KINDS, role_frame

        return [Table(role_frame(report["billing"]), "billing share", BILLING_KINDS)] if report.get("billing") else []

    def billing_block():
        if not report.get("billing"):
            return []
        from ..core.billing_report import billing_headline
        from ..io.billing_page import group_label
        from ..io.billing_page import KINDS as BILLING_KINDS, role_frame

        line = billing_headline(report["billing"]["roles"], report["peer_role"], lambda r: group_label(r, report.get("comparison_groups") or ()))
        return [Heading("What the work bills, and the share paid", 3), *([Text(line + "\n\n")] if line else []),
                Table(role_frame(report["billing"]), kinds=BILLING_KINDS, blanks=True), Text("\n")]

    def cert_rows():
        from ..core.joint import certification_rows

        return certification_rows(report["certification"], report.get("min_group", 1)) if report.get("certification") else []

    def cert_sheet():
        rows = cert_rows()
        if not rows:
            return []
        frame = pd.DataFrame([{h: (r[k] / 100 if kind == "pct" and r[k] is not None else r[k]) for k, h, kind in CERT_COLUMNS}
                              for r in rows])
        return [Table(frame, "certified vs not", {h: {"money": "money", "pct": "percent"}[kind]
                                                  for _, h, kind in CERT_COLUMNS if kind in ("money", "pct")})]

    def cert_block():
        from ..core.joint import CERTIFICATION_TITLE

        rows = cert_rows()
        if not rows:
            return []
        frame = pd.DataFrame([{h: _cell(r[k], kind) for k, h, kind in CERT_COLUMNS} for r in rows])
        align = ["left" if kind == "text" else "right" for _, _, kind in CERT_COLUMNS]
        return [Heading(CERTIFICATION_TITLE, 3), Table(frame, options={"colalign": align, "disable_numparse": True}), Text("\n")]

    def notes():
        return [f"peerpay gap: {report['peer_role']} vs other roles, basis {report['basis']}, as of {report['as_of']}",
                _decomposition_line(report), *footnotes(report)]

    def blocks():
        groups, align = display_frame(report["groups"], COLUMNS, report.get("min_group", 1), report.get("band_min_group"))
        quart, qalign = display_frame(report["quartiles"], QUARTILE_COLUMNS)
        shown = any(v is not None for q in report["quartiles"] for k, v in q.items() if k != "quartile")
        quartiles = ([Heading("Organisation-wide pay quartiles (hourly)", 3),
                      Table(quart, options={"colalign": qalign, "disable_numparse": True}), Text("\n")] if shown or not report["quartiles"]
                     else [Text("Organisation-wide pay quartiles: withheld in this published view (the peer group, or each "
                                f"quarter of the organisation, has fewer than {report.get('min_group', '')} people).\n\n")])
        return [Heading(title, 3), Table(groups, options={"colalign": align, "disable_numparse": True}), Text("\n"),
                *cert_block(), *billing_block(), *out_of_class_block(), *quartiles,
                Text(_decomposition_line(report) + "\n\n"),
                Notes(footnotes(report), title="Notes", md_title="Definitions and sources")]

    def page():
        from ..io.html import gap_fact_sheet

        return gap_fact_sheet(report, _as_lines(reference_line), run_record)

    title = f"Pay gap: {report['peer_role']} vs other roles ({report['basis'].replace('_', ' ')}, {report['unit']}, as of {report['as_of']})"
    return Document(title, blocks=blocks, csv=lambda: csv_frame(with_out_of_class(report)), payload=report, sheets=sheets, run_record=run_record,
                    notes=notes, images={"chart": chart_png} if chart_png else None, html=page)


def _as_lines(reference_line) -> list:
    """None, one (label, value) pair (the old form) or a list of ReferenceLine -> ReferenceLines."""
    if not reference_line:
        return []
    if isinstance(reference_line, tuple) and len(reference_line) == 2 and not hasattr(reference_line[0], "hourly"):
        return [{"key": "user", "label": reference_line[0], "hourly": reference_line[1], "kind": "user",
                 "source": "given with --reference-line"}]
    return list(reference_line)


def resolve_lines(names, as_of: date) -> list:
    """``--reference-line`` values (names or 'Label=24.50') -> ReferenceLines; a bad one is a usage error."""
    from ..core.reference_lines import ReferenceLineError
    from ..io.resources import reference_lines as resolve

    try:
        return resolve(list(names), as_of)
    except ReferenceLineError as exc:
        msg = str(exc)
        if "=" in " ".join(names) and "LABEL=AMOUNT" not in msg:
            msg += " (expected LABEL=AMOUNT, e.g. 'Living wage=24.50')"
        fail(msg, EXIT_USAGE)
        raise


def render_gap(report: dict, fmt: str, chart_png: bytes | None = None, reference_line=None, run_record=None) -> str | bytes:
    return render(gap_document(report, chart_png, reference_line, run_record), fmt)


def demo_section(samples_dir: Path, fmt: str) -> str:
    """The gap report on the samples, for `peerpay demo` (fixed date: the output is reproducible)."""
    d = Path(samples_dir)
    unpaid = d / "unpaid_hours.csv"
    run = run_gap(d / "roster.csv", d / "schedule.csv", "peer_specialist", basis="base_rate", as_of=date(2025, 11, 30),
                  timesheet=d / "timesheet.csv", policy=d / "policy.toml", unpaid=unpaid if unpaid.exists() else None,
                  reference="bls-2025")
    return "\n" + cast(str, render_gap(run.report, "md" if fmt == "md" else "table"))  # text formats render to str


def _run_record(**given) -> dict:
    """What produced a report: the version, the options, each input file's name, size and SHA-256, the run time."""
    files = {k: v for k, v in given.items() if k in ("roster", "schedule", "timesheet", "policy", "unpaid", "reference")}
    options = {k: v for k, v in given.items() if k not in files}
    return run_record("peerpay gap", files, options)


@click.command("gap", cls=PeerpayCommand)
@roster_option(required=True, help="Roster: employee_id, role, step (fte, tenure_years, site…).")
@schedule_option(required=True)
@click.option("--peer-role", default="peer_specialist", show_default=True, help="The roster role compared with every other role.")
@click.option("--basis", type=click.Choice(BASES), default="base_rate", show_default=True,
              help="base_rate: schedule rate on --as-of; earnings: gross pay / hours worked (needs --timesheet and --policy); "
                   "annual: hourly x annual hours.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Date of the schedule rates (default: today).")
@timesheet_option(required=False, help="Shifts to pay (earnings basis, effective rates; with --policy).")
@policy_option(required=False, help="Pay policy TOML (with --timesheet).")
@click.option("--unpaid", type=click.Path(dir_okay=False), help="CSV/XLSX: employee_id, unpaid_hours over the timesheet's period.")
@click.option("--stipends", type=click.Path(dir_okay=False), help="--basis earnings: a stipend log (person, date, amount, hours); "
              "stipend peers become the group 'stipend_peer' at their effective hourly pay (docs/backpay.md).")
@click.option("--annual-hours", type=click.Choice(["fte", "actual"]), default="fte", show_default=True,
              help="annual basis: fte x 2,080 h, or hours worked in the timesheet annualised.")
@click.option("--reference", help="External comparator wages: 'bls-2025' or a CSV (role, hourly_median, …).")
@click.option("--covariates", help="Roster columns for the decomposition, comma-separated (default: tenure_years, fte, site if present).")
@format_option()
@output_option
@click.option("--chart", type=click.Path(dir_okay=False), help="Also draw median pay by role to FILE.png or FILE.svg.")
@click.option("--reference-line", "reference_lines", multiple=True,
              help="A comparison line (repeatable): poverty-2025, housing-wage:baltimore-md, minimum-wage:US-MD, or 'Living wage=24.50' "
                   "(docs/reference-lines.md).")
@click.option("--publish", is_flag=True, help="Publishing view: exact figures only for groups of 10 or more, pay bands for "
              "groups of 3 to 9, nothing for smaller ones; never names, ids or input hashes (docs/gap.md).")
@click.option("--min-group", type=click.IntRange(1, None),
              help="Without --publish: suppress groups with fewer employees (default 1). With --publish: exact figures only for "
                   "groups of at least this many (default 10; a smaller value cannot lower it; under 3 refused).")
@click.option("--group", "groups", multiple=True,
              help="Pool roles into a declared comparison group, e.g. 'clinical=rn,lpn' (repeatable; docs/gap.md).")
@click.option("--reference-only", is_flag=True, help="Compare the peer group with the --reference wages only (no other group here).")
@click.option("--billing", "billing_file", type=click.Path(dir_okay=False),
              help="Billing export (with --timesheet and --fee-schedule): adds the billing share by role (docs/billing.md).")
@click.option("--fee-schedule", "fee_file", type=click.Path(dir_okay=False), help="Fee schedule CSV for --billing.")
@click.option("--billing-state", help="The fee schedule's state for --billing (when it has several).")
@force_option("Overwrite existing output/chart files.")
@click.option("--also-timesheet", "more_timesheets", multiple=True, type=click.Path(dir_okay=False),
              help="Another employer's timesheet, paid with --timesheet (repeatable; docs/joint-and-credentials.md).")
@click.option("--by", "by", type=click.Choice(["employee", "person"]), default="employee", show_default=True,
              help="person (earnings basis): each person's combined hourly earnings across employers.")
@click.option("--credentials", type=click.Path(dir_okay=False),
              help="Credentials file (employee_id|person_id, credential, from, to): certified vs not certified peers.")
@handles_input_errors
def command(roster, schedule, peer_role, basis, as_of, timesheet, policy, unpaid, stipends, annual_hours, reference, covariates,
            fmt, output, chart, reference_lines, publish, min_group, groups, reference_only, force, more_timesheets=(), by="employee", credentials=None,
            billing_file=None, fee_file=None, billing_state=None):
    """Compare the peer role's hourly pay with every other role (docs/formats.md §5)."""
    fmt = output_format(fmt, output)
    if (more_timesheets or by == "person" or credentials) and timesheet is None:
        fail("--also-timesheet, --by person and --credentials need --timesheet and --policy", EXIT_USAGE)
    if (timesheet is None) != (policy is None):
        fail("--timesheet and --policy go together", EXIT_USAGE)
    if timesheet is None and (basis == "earnings" or unpaid or annual_hours == "actual"):
        fail("--basis earnings, --unpaid and --annual-hours actual need --timesheet and --policy", EXIT_USAGE)
    if billing_file is not None and (timesheet is None or fee_file is None):
        fail("--billing needs --timesheet, --policy and --fee-schedule", EXIT_USAGE)
    check_format_target(fmt, output)
    chart_fmt = Path(chart).suffix.lower().lstrip(".") if chart else None
    if chart and chart_fmt not in ("png", "svg"):
        fail("--chart must end in .png or .svg", EXIT_USAGE)
    ref_file = reference if reference and reference not in REFERENCES else None
    check_outputs({"--output": output, "--chart": chart},
                  [roster, schedule, timesheet, policy, unpaid, ref_file, stipends, credentials, billing_file, fee_file, *more_timesheets], force)
    if publish and min_group is not None and min_group < PUBLISH_MIN_GROUP_FLOOR:
        fail(f"--min-group {min_group}: a published group is never smaller than {PUBLISH_MIN_GROUP_FLOOR} "
             "(a group of 1 or 2 shows one person's pay; docs/gap.md)", EXIT_USAGE)
    if publish and min_group is not None and min_group < DEFAULT_PUBLISH_MIN_GROUP:
        click.echo(f"warning: --min-group {min_group} is under {DEFAULT_PUBLISH_MIN_GROUP}, the B.C. pay transparency standard "
                   f"(B.C. Reg. 225/2023), and cannot lower it: exact figures still need {DEFAULT_PUBLISH_MIN_GROUP} employees; "
                   f"groups of {PUBLISH_MIN_GROUP_FLOOR} to {DEFAULT_PUBLISH_MIN_GROUP - 1} are shown as pay bands (docs/gap.md)", err=True)
    if reference_only and not reference:
        fail("--reference-only needs --reference (e.g. --reference bls-2025)", EXIT_USAGE)
    try:
        pools = parse_groups(groups)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    run_as_of = as_of.date() if as_of else date.today()
    lines = resolve_lines(reference_lines, run_as_of)
    run = run_gap(roster, schedule, peer_role, basis=basis, as_of=as_of.date() if as_of else None, timesheet=timesheet,
                  policy=policy, unpaid=unpaid, annual_hours=annual_hours, reference=reference, publish=publish,
                  min_group=min_group, stipends=stipends, groups=pools, reference_only=reference_only,
                  more_timesheets=list(more_timesheets), by_person=by == "person", credentials=credentials,
                  billing=billing_file, fee_schedule=fee_file, billing_state=billing_state,
                  covariates=[c.strip() for c in covariates.split(",") if c.strip()] if covariates else None)
    png = gap_chart(run.report, "png", lines)[0] if fmt == "xlsx" or chart_fmt == "png" else None
    record = _run_record(roster=roster, schedule=schedule, timesheet=timesheet, policy=policy, unpaid=unpaid,
                         reference=ref_file, peer_role=peer_role, basis=basis, publish=publish or None,
                         min_group=min_group, group=list(groups), reference_line=list(reference_lines),
                         reference_only=reference_only or None)
    if publish:
        record = published_record(record)
    data = render_gap(run.report, fmt, png, lines, record)
    # --publish: where a rejected row is, never its content (a reason can quote an employee id)
    report_problems([Problem(p.file, p.row, p.column, "rejected (details withheld with --publish)", p.sheet) for p in run.problems]
                    if publish else run.problems)
    image = (png if chart_fmt == "png" else gap_chart(run.report, "svg", lines)[0]) if chart else None
    if chart:  # both outputs are rendered before either is written
        write_file(chart, cast(bytes, image))
    emit(data, output, force)
    raise SystemExit(EXIT_REJECTED if run.problems else EXIT_OK)
