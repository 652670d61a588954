"""Explain one paycheque (issue 11): ``--employee ID`` filters every format; ``--detail`` is a separate
table in every format (JSON: an added ``detail`` key; CSV: a second file; never a swap)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from peerpay.cli import main

S = Path(__file__).resolve().parents[1] / "samples"
PAY = ["pay", "-t", str(S / "timesheet.csv"), "-p", str(S / "policy.toml"), "-r", str(S / "roster.csv"), "-s", str(S / "schedule.csv")]


def run(*args):
    return CliRunner().invoke(main, [*PAY, *args])


def test_employee_filters_the_json_and_its_totals_are_exact():
    full = json.loads(run("-f", "json").stdout)
    one = json.loads(run("-f", "json", "--employee", "HL002").stdout)
    assert {line["employee_id"] for line in one["lines"]} == {"HL002"}
    assert one["lines"] == [x for x in full["lines"] if x["employee_id"] == "HL002"]
    # totals are the employee's own, to the cent
    assert Decimal(str(one["totals"]["gross_pay"])) == sum(Decimal(str(x["gross_pay"])) for x in one["lines"])
    # every input row is still paid or rejected: the rows the report leaves out are counted as out of scope (issue 25)
    r, f = one["reconciliation"], full["reconciliation"]
    assert r["rows_read"] == f["rows_read"] == r["rows_paid"] + r["rows_rejected"] + r["rows_out_of_scope"]
    assert r["rows_paid"] + r["rows_out_of_scope"] == f["rows_paid"] and r["scope"] == "--employee (1 id)"
    assert r["hours_paid"] == sum(x["hours_worked"] + x["on_call_hours"] for x in one["lines"])  # HL002: 185.00 h


def test_employee_is_repeatable_and_filters_table_csv_and_xlsx(tmp_path):
    table = run("--employee", "HL002", "--employee", "HL003").stdout
    assert "HL002" in table and "HL003" in table and "HL001" not in table
    csv = pd.read_csv(io.StringIO(run("-f", "csv", "--employee", "HL003").stdout))
    assert set(csv["employee_id"]) == {"HL003"}
    out = tmp_path / "one.xlsx"
    assert run("--employee", "HL003", "--detail", "-o", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    for sheet in ("pay lines", "by employee", "audit trail"):
        ids = {r[0] for r in book[sheet].iter_rows(min_row=2, values_only=True)} - {"Total"}
        assert ids == {"HL003"}, sheet


def test_unknown_employee_is_an_input_error_that_prints_no_id():
    result = run("--employee", "ZZ999")
    assert result.exit_code == 1
    assert "no paid lines" in result.output and "ZZ999" not in result.output


def test_detail_is_an_added_json_key_and_the_lines_stay():
    plain = json.loads(run("-f", "json").stdout)
    detailed = json.loads(run("-f", "json", "--detail").stdout)
    # the run record in meta names the --detail option (issue 11); everything else is the same
    assert detailed["meta"].pop("options") == {"detail": True} and plain["meta"].pop("options") == {}
    assert {k: v for k, v in detailed.items() if k != "detail"} == plain
    segs = pd.DataFrame(detailed["detail"])
    assert {"employee_id", "hours", "rules"} <= set(segs.columns)
    # the segments' hours add up to the hours paid (2,618.28 h on the samples)
    assert segs["hours"].sum() == pytest.approx(plain["reconciliation"]["hours_paid"], abs=0.01)


def test_csv_detail_to_stdout_is_refused_with_a_clear_message():
    result = run("-f", "csv", "--detail")
    assert result.exit_code == 2
    assert "--output pay.csv" in result.output and "pay.detail.csv" in result.output


def test_csv_detail_never_overwrites_without_force(tmp_path):
    (tmp_path / "pay.detail.csv").write_text("keep me\n")
    result = run("--detail", "-o", str(tmp_path / "pay.csv"))
    assert result.exit_code == 2
    assert (tmp_path / "pay.detail.csv").read_text() == "keep me\n"
    assert not (tmp_path / "pay.csv").exists()


def test_detail_shows_dates_as_dates_and_hours_to_two_places_with_the_exact_minutes():
    """Issue 25: week_start was "2025-10-26 00:00:00" and hours "7.033" in the --detail formats.
    HL001's first shift, 2025-11-03 08:00-16:30, is cut at the evening window (15:00): 420 + 90 minutes."""
    first = json.loads(run("-f", "json", "--detail", "--employee", "HL001").stdout)["detail"][0]
    assert (first["week_start"], first["from"], first["to"], first["minutes"], first["hours"]) == (
        "2025-11-02", "2025-11-03 08:00", "2025-11-03 15:00", 420, 7.0)
    table = run("--detail", "--employee", "HL001").stdout
    trail = table.split("Audit trail")[1]
    assert "00:00:00" not in trail and "2025-11-04 07:58" in trail
    row = next(line for line in trail.splitlines() if "2025-11-04 07:58" in line)
    assert " 422 " in row and " 7.03 " in row and "20.8266" in row  # 422 minutes = 7.03 h, the rate to 4 places
    html_page = run("--detail", "--employee", "HL001", "-f", "html").stdout
    assert "<th scope=\"col\">Week start</th>" in html_page and "2025-11-02 00:00:00" not in html_page
