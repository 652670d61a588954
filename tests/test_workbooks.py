"""Workbooks a payroll clerk can hand on (issue 11): produced by `pay`, `gap` and `cost`, read back
with openpyxl, every promised property checked.

Properties: a bold, frozen header row with readable names; an autofilter over the data; column
widths that fit the contents; number formats for money, hours and percentages; ISO dates stored
as real dates; a bold Total row (values, not formulas) on additive sheets that equals the sum of
the column; a "Run" sheet (version, inputs with SHA-256, run time) and, where a policy was used,
a "Policy" sheet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from peerpay.cli import main
from peerpay.io.writers import readable_header

S = Path(__file__).resolve().parents[1] / "samples"
PAY = ["pay", "-t", str(S / "timesheet.csv"), "-p", str(S / "policy.toml"), "-r", str(S / "roster.csv"), "-s", str(S / "schedule.csv")]
GAP = ["gap", "--roster", str(S / "roster.csv"), "--schedule", str(S / "schedule.csv"), "--peer-role", "peer_specialist",
       "--as-of", "2025-11-30", "--reference", "bls-2025"]
COST = ["cost", "-t", str(S / "timesheet.csv"), "-p", str(S / "policy.toml"), "-r", str(S / "roster.csv"), "-s", str(S / "schedule.csv"),
        "--proposal", str(S / "proposals" / "union.toml")]
RUN_TIME = "2025-12-01T09:00:00+00:00"


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = {}
    folder = tmp_path_factory.mktemp("books")
    for name, args in (("pay", [*PAY, "--detail"]), ("gap", GAP), ("cost", COST)):
        path = folder / f"{name}.xlsx"  # no --format: the extension chooses it
        result = CliRunner(env={"PEERPAY_RUN_TIME": RUN_TIME}).invoke(main, [*args, "-o", str(path)])
        assert result.exit_code == 0, result.output
        out[name] = openpyxl.load_workbook(path)
    return out


def header(ws):
    return [c.value for c in ws[1]]


def column(ws, name):
    return header(ws).index(name) + 1


@pytest.mark.parametrize(("book", "sheet"), [("pay", "pay lines"), ("pay", "by employee"), ("pay", "audit trail"),
                                             ("gap", "gap by role"), ("cost", "by year and role"), ("cost", "side by side")])
def test_header_row_is_bold_frozen_readable_and_filtered(books, book, sheet):
    ws = books[book][sheet]
    assert ws.freeze_panes == "A2"
    assert all(c.font.bold for c in ws[1])
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row - (1 if ws.cell(ws.max_row, 1).value == 'Total' else 0)}"
    assert not any("_" in str(h) for h in header(ws)), header(ws)
    for i, h in enumerate(header(ws), 1):  # wide enough for the header (and at most 62 characters)
        assert len(str(h)) + 2 <= width(ws, i) <= 62


def width(ws, index: int) -> float:
    """A column's width (openpyxl keeps runs of equal columns as one dimension: min..max)."""
    return next(d.width for d in ws.column_dimensions.values() if d.min <= index <= d.max)


def test_readable_headers():
    assert readable_header("gross_pay") == "Gross pay"
    assert readable_header("employee_id") == "Employee ID"
    assert readable_header("differential:evening") == "Differential: evening"
    assert readable_header("median $/h") == "Median $/h"


def test_pay_number_formats_dates_and_widths(books):
    ws = books["pay"]["pay lines"]
    assert ws.cell(2, column(ws, "Gross pay")).number_format == "$#,##0.00"
    assert ws.cell(2, column(ws, "Differential: evening")).number_format == "$#,##0.00"
    assert ws.cell(2, column(ws, "Hours worked")).number_format == "#,##0.00"
    week = ws.cell(2, column(ws, "Week start"))
    assert isinstance(week.value, dt.datetime) and week.number_format == "yyyy-mm-dd"  # a date, not text
    weeks = {ws.cell(r, column(ws, "Week start")).value for r in range(2, ws.max_row)}
    assert min(weeks).date() == dt.date(2025, 10, 26) and all(isinstance(w, dt.datetime) for w in weeks)
    # the widest employee id fits its column
    ids = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert width(ws, 1) >= max(len(str(v)) for v in ids)


@pytest.mark.parametrize("sheet", ["pay lines", "by employee"])
def test_pay_total_row_sums_the_money_and_hours(books, sheet):
    ws = books["pay"][sheet]
    last = [c.value for c in ws[ws.max_row]]
    assert last[0] == "Total" and ws.cell(ws.max_row, 1).font.bold
    gross = column(ws, "Gross pay")
    body = [ws.cell(r, gross).value for r in range(2, ws.max_row)]
    # to the cent: the Total is the sum of the lines as shown (cents), not a float drift
    assert Decimal(str(last[gross - 1])) == sum(Decimal(str(v)) for v in body)
    assert ws.cell(ws.max_row, gross).number_format == "$#,##0.00"
    assert not any(isinstance(v, str) and v.startswith("=") for v in last)  # values, never formulas


def test_no_total_row_where_a_sum_would_mean_nothing(books):
    gap = books["gap"]["gap by role"]
    assert gap.cell(gap.max_row, 1).value != "Total"  # a total of medians means nothing
    cost = books["cost"]["by year and role"]
    assert cost.cell(cost.max_row, 1).value != "Total"  # the table carries its own TOTAL rows


def test_percentages_are_fractions_shown_as_percent(books):
    ws = books["gap"]["gap by role"]
    rn = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "rn")
    cell = ws.cell(rn, column(ws, "Gap % (median)"))
    assert cell.number_format == "0.0%" and cell.value == pytest.approx(0.544)


@pytest.mark.parametrize("book", ["pay", "gap", "cost"])
def test_run_sheet_records_the_run(books, book):
    rows = dict(books[book]["Run"].iter_rows(min_row=2, values_only=True))
    assert rows["peerpay version"]
    assert rows["command"] == f"peerpay {book}"
    assert rows["run time"] == RUN_TIME
    assert any(k.startswith("input roster.csv") and v.startswith("sha256 ") for k, v in rows.items())


def test_pay_run_sheet_has_the_policy_hash_and_period_and_a_policy_sheet(books):
    rows = dict(books["pay"]["Run"].iter_rows(min_row=2, values_only=True))
    assert len(rows["policy sha256"]) == 64
    assert rows["period"] == "2025-11-01 to 2025-11-30 (pay period: monthly); workweeks starting 2025-10-26 to 2025-11-30"
    # the holidays the policy's calendar gave inside the data: Veterans Day, Thanksgiving, American Indian Heritage Day (MD)
    assert rows["holidays"].startswith("2025-11-11, 2025-11-27, 2025-11-28 (holidays ")
    policy = dict(books["pay"]["Policy"].iter_rows(min_row=2, values_only=True))
    assert policy["timezone"] == "America/New_York"
    assert any(k.startswith("overtime") for k in policy)
    assert "Policy" in books["cost"].sheetnames


def test_sheet_order(books):
    assert books["pay"].sheetnames == ["pay lines", "by employee", "rejected", "audit trail", "Run", "Policy", "notes"]
