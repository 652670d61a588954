"""Pay statements (`peerpay pay --stubs DIR`) and the docs' screenshots (issue 11).

The statement shows each workweek's hours and components and, for an overtime week, the
regular-rate arithmetic. Hand-worked on the samples (employee HL002, week of 2025-11-02):
base 828.97 + differentials (0.00 + 102.50 + 10.11 = 112.61) + standby 0.00 = 941.58 over 41.00 h
-> regular rate 22.9655 (the engine divides the unrounded components); premium 0.5 x 22.9655 x 1.00 h
= 11.48 (paid 11.48).

The browser test renders a statement and a preview of the workbook's first sheet in headless
Chromium (skipped, with the reason, where Chromium is absent; .ci/run installs it). No LibreOffice
here, so the workbook picture is an HTML preview built from the workbook as read back by openpyxl
(its headers, number formats and Total row). With PEERPAY_WRITE_SCREENSHOTS=1 it refreshes
docs/img/paystub_sample.png and docs/img/workbook_sample.png.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import browser
from peerpay.cli import main

ROOT = Path(__file__).resolve().parents[1]
S = ROOT / "samples"
PAY = ["pay", "-t", str(S / "timesheet.csv"), "-p", str(S / "policy.toml"), "-r", str(S / "roster.csv"), "-s", str(S / "schedule.csv")]
needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason=browser.SKIP_REASON)


@pytest.fixture(scope="module")
def stubs(tmp_path_factory):
    d = tmp_path_factory.mktemp("stubs")
    result = CliRunner(env={"PEERPAY_RUN_TIME": "2025-12-01T09:00:00+00:00"}).invoke(main, [*PAY, "--stubs", str(d / "stubs")])
    assert result.exit_code == 0, result.output
    return d / "stubs"


def test_one_statement_per_employee(stubs):
    names = sorted(p.name for p in stubs.iterdir())
    assert len(names) == 16 and names[0] == "paystub-HL001.html"


def test_the_overtime_week_shows_the_regular_rate_arithmetic(stubs):
    page = html.unescape((stubs / "paystub-HL002.html").read_text(encoding="utf-8"))
    assert "Gross pay $4,504.27 over 6 workweeks (2025-10-26 to 2025-11-30)" in page
    assert ("Regular rate = (base $828.97 + differentials $112.61 + standby $0.00) ÷ 41.00 h = $941.58 ÷ 41.00 h "
            "= $22.9655 an hour") in page
    assert "Overtime premium = 0.5 × $22.9655 × 1.00 overtime hours = $11.48" in page
    assert "29 CFR 778.109" in page and "778.221" in page  # the rules, with citations
    assert "sha256" in page and "<script" not in page  # the run record; nothing executable
    assert browser.external_references(page) == []  # self-contained


def test_statements_are_not_overwritten_without_force(stubs):
    result = CliRunner().invoke(main, [*PAY, "--stubs", str(stubs)])
    assert result.exit_code == 2 and "--force" in result.output


def workbook_preview(xlsx: Path, sheet: str, rows: int = 18) -> str:
    """The first rows of a sheet as an HTML page, cell values shown with the workbook's number formats."""
    ws = openpyxl.load_workbook(xlsx)[sheet]

    def shown(cell):
        v, f = cell.value, cell.number_format
        if v is None:
            return ""
        if hasattr(v, "strftime"):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, (int, float)) and "$" in f:
            return f"${v:,.2f}"
        if isinstance(v, (int, float)) and "0.00" in f:
            return f"{v:,.2f}"
        return str(v)

    all_rows = list(ws.iter_rows())
    body = all_rows[: rows + 1] + [all_rows[-1]]
    trs = []
    for i, r in enumerate(body):
        tag = "th" if i == 0 else "td"
        style = ' style="font-weight:bold;border-top:2px solid #333"' if r[0].value == "Total" else ""
        trs.append(f"<tr{style}>" + "".join(f"<{tag}>{html.escape(shown(c))}</{tag}>" for c in r[:10]) + "</tr>")
    css = ("body{font:13px Calibri,Arial,sans-serif;margin:12px}table{border-collapse:collapse}"
           "th{background:#EEF2F7;font-weight:bold;border-bottom:1px solid #333;position:sticky;top:0}"
           "td,th{border:1px solid #d0d7de;padding:2px 6px;white-space:nowrap}td{text-align:right}td:first-child{text-align:left}"
           "caption{text-align:left;font-weight:bold;margin-bottom:6px}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}</style></head><body><table>"
            f"<caption>pay.xlsx — sheet “{html.escape(sheet)}” (first {rows} rows and the Total row; preview)</caption>"
            + "".join(trs) + "</table></body></html>")


@needs_chromium
def test_screenshots_of_a_statement_and_the_workbook(stubs, tmp_path):
    stub_png = browser.screenshot(stubs / "paystub-HL002.html", 1000, 1500)
    assert browser.pixel_spread(stub_png) > 20  # a blank page is ~0
    xlsx = tmp_path / "pay.xlsx"
    assert CliRunner(env={"PEERPAY_RUN_TIME": "2025-12-01T09:00:00+00:00"}).invoke(main, [*PAY, "-o", str(xlsx)]).exit_code == 0
    preview = tmp_path / "preview.html"
    preview.write_text(workbook_preview(xlsx, "pay lines"), encoding="utf-8")
    book_png = browser.screenshot(preview, 1100, 560)
    assert browser.pixel_spread(book_png) > 20
    if os.environ.get("PEERPAY_WRITE_SCREENSHOTS") == "1":
        (ROOT / "docs" / "img" / "paystub_sample.png").write_bytes(stub_png)
        (ROOT / "docs" / "img" / "workbook_sample.png").write_bytes(book_png)
