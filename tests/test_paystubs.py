"""Pay statements a worker can check (`peerpay pay --statements DIR`; issue 11, reworked in issue 25 item 3).

Each workweek lists every line as hours × rate = amount (exact), the amount paid for each component
(rounded once), and for an overtime week the regular-rate arithmetic from the unrounded amounts the
engine used. Hand-worked on the samples (HL002, week of 2025-11-02, base $20.2189/h, 41 h worked, all
of them night hours, 10 of them on the weekend):

    base pay      41 h × $20.2189          = $828.9749          -> $828.97
    night         41 h × $2.50             = $102.50
    weekend       10 h × 5 % × $20.2189    = 10 × $1.010945 = $10.10945 -> $10.11
    regular rate  (828.9749 + 112.60945 + 0) ÷ 41 = 941.58435 ÷ 41 = $22.965471…
    overtime      0.5 × 22.965471… × 1 h   = $11.482735…     -> $11.48

(the pay report's rounded parts, 828.97 + 112.61, give 941.58 ÷ 41 = 22.9654: a calculator that
re-adds them misses the engine's rate, which is why the statement shows the exact amounts).

Every statement's figures are then re-added by :func:`readd` from the page itself, and the browser
test renders a statement and a preview of the workbook in headless Chromium (skipped, with the
reason, where Chromium is absent; .ci/run installs it). With PEERPAY_WRITE_SCREENSHOTS=1 it refreshes
docs/img/paystub_sample.png and docs/img/workbook_sample.png.
"""

from __future__ import annotations

import html
import json
import os
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import browser
from peerpay.cli import main
from peerpay.io.paystubs import exact, hours_text

ROOT = Path(__file__).resolve().parents[1]
S = ROOT / "samples"
PAY = ["pay", "-t", str(S / "timesheet.csv"), "-p", str(S / "policy.toml"), "-r", str(S / "roster.csv"), "-s", str(S / "schedule.csv")]
needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason=browser.SKIP_REASON)
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def stubs(tmp_path_factory):
    d = tmp_path_factory.mktemp("stubs")
    result = CliRunner(env={"PEERPAY_RUN_TIME": "2025-12-01T09:00:00+00:00"}).invoke(main, [*PAY, "--statements", str(d / "stubs")])
    assert result.exit_code == 0, result.output
    return d / "stubs"


@pytest.fixture(scope="module")
def report():
    return json.loads(CliRunner().invoke(main, [*PAY, "-f", "json"]).stdout)


def text(stubs, employee: str) -> str:
    return html.unescape((stubs / f"paystub-{employee}.html").read_text(encoding="utf-8"))


def test_one_statement_per_employee(stubs):
    names = sorted(p.name for p in stubs.iterdir())
    assert len(names) == 16 and names[0] == "paystub-HL001.html"


def test_the_statement_names_the_real_pay_period(stubs):
    page = text(stubs, "HL002")
    assert "Gross pay $4,504.27 for the pay period 2025-11-01 to 2025-11-30" in page
    assert "Pay period 2025-11-01 to 2025-11-30 (monthly; 6 workweeks: 2025-10-26 to 2025-12-06)" in page
    assert "Workweek 2025-11-30 (Sun) to 2025-12-06 (Sat) — partly outside this pay period" in page


def test_each_line_is_hours_times_rate_and_the_regular_rate_uses_the_exact_amounts(stubs):
    page = text(stubs, "HL002")
    for line in ("Base pay</th><td>41.00 h</td><td>$20.2189/h</td><td class=\"num\">$828.9749</td><td class=\"num\">$828.97",
                 "Differential: night</th><td>41.00 h</td><td>$2.50/h</td><td class=\"num\">$102.50",
                 "Differential: weekend (5% of the base rate)</th><td>10.00 h</td><td>$1.010945/h</td><td class=\"num\">$10.10945"):
        assert line in page
    assert ("Regular rate = (base pay $828.9749 + differentials $112.60945 + standby $0.00) ÷ 41.00 h = $941.58435 ÷ 41.00 h "
            "= $22.965471… an hour") in page
    assert "Overtime premium = 0.5 × $22.965471… × 1.00 h = $11.482735…, rounded to $11.48" in page
    assert "29 CFR 778.109" in page and "778.221" in page  # the rules, with citations
    assert "sha256" in page and "<script" not in page  # the run record; nothing executable
    assert browser.external_references(page) == []  # self-contained


def test_how_numbers_are_written():
    assert (exact(Decimal("28.825")), exact(Decimal("819")), exact(Decimal(7) / Decimal(24))) == ("28.825", "819.00", "0.291666…")
    assert (hours_text(2520), hours_text(2563), hours_text(45)) == ("42.00 h", "42.716666… h (42:43)", "0.75 h")


class _Rows(HTMLParser):
    """Every table row with a data-key, and every paragraph with one, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self._key, self._cells, self._in = None, [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("tr", "p") and "data-key" in a:
            self._key, self._cells = a["data-key"], []
            if tag == "p":
                self._cells, self._in = [""], True
        elif tag in ("td", "th") and self._key is not None:
            self._cells.append("")
            self._in = True

    def handle_endtag(self, tag):
        if tag in ("td", "th", "p"):
            self._in = False
        if tag in ("tr", "p") and self._key is not None:
            self.rows.append((self._key, self._cells))
            self._key = None

    def handle_data(self, data):
        if self._in and self._cells:
            self._cells[-1] += data


def number(cell: str) -> tuple[Decimal, bool]:
    """'$1,010.945/h' -> (1010.945, exact); '42.716666… h (42:43)' -> (42.716666, False)."""
    m = re.search(r"-?[\d,]+\.?\d*", cell)
    assert m, cell
    return Decimal(m.group().replace(",", "")), "…" not in cell[: m.end() + 1]


def close(a: Decimal, b: Decimal, exactly: bool) -> bool:
    return a == b if exactly else abs(a - b) <= Decimal("0.0001")


def readd(page_html: str) -> Decimal:
    """Re-add one statement as a worker would on a calculator, from its own figures; returns its gross."""
    parser = _Rows()
    parser.feed(page_html)
    gross_total, paid, exact_sum, all_exact = Decimal(0), [], Decimal(0), True
    for key, cells in parser.rows:
        if key.startswith("item"):
            (h, hx), (r, rx), (a, ax) = number(cells[1]), number(cells[2]), number(cells[3])
            assert close(h * r, a, hx and rx and ax), (cells, h * r)  # hours × rate = amount
            exact_sum += a
            all_exact &= ax
        if "component" in key.split():
            amount = number(cells[4])[0]
            if key.startswith("item"):  # the component is its lines' exact sum, rounded once, half-up
                rounded = exact_sum.quantize(CENT, ROUND_HALF_UP)
                assert rounded == amount or (not all_exact and abs(exact_sum - amount) <= Decimal("0.0051")), (cells, exact_sum)
            paid.append(amount)
            exact_sum, all_exact = Decimal(0), True
        if key == "gross":
            gross = number(cells[-1])[0]
            assert gross == sum(paid), (paid, gross)  # gross = the sum of the amounts paid
            gross_total += gross
            paid = []
        if key == "regular-rate":
            text = cells[0]
            parts = [number(p) for p in re.findall(r"\$[\d,]+\.\d+…?|[\d,]+\.\d+…? h", text)]
            (base, bx), (diffs, dx), (standby, sx), (hours, hx), (total, tx), _, (rate, rx) = parts
            assert close(base + diffs + standby, total, bx and dx and sx and tx)
            assert close(total / hours, rate, False)
            week_rate = rate
        if key == "overtime":
            text = cells[0]
            m = re.search(r"= ([\d.]+) × \$([\d,.]+)…? × ([\d,.]+)…? h.*? = \$([\d,.]+)…?, rounded to \$([\d,.]+)", text)
            assert m, text
            extra, rate, hours, premium, rounded = (Decimal(g.replace(",", "")) for g in m.groups())
            assert close(rate, week_rate, False) and close(extra * rate * hours, premium, False)
            assert abs(premium - rounded) <= Decimal("0.005")
    return gross_total


def test_every_statement_re_adds_to_the_pay_report(stubs, report):
    by_employee: dict[str, Decimal] = {}
    for line in report["lines"]:
        by_employee[line["employee_id"]] = by_employee.get(line["employee_id"], Decimal(0)) + Decimal(str(line["gross_pay"]))
    for employee, gross in by_employee.items():
        page = (stubs / f"paystub-{employee}.html").read_text(encoding="utf-8")
        assert readd(page) == gross, employee
        assert f"Gross pay ${gross:,.2f} for the pay period" in html.unescape(page)


def test_names_appear_only_with_with_names(tmp_path):
    assert CliRunner().invoke(main, [*PAY, "--statements", str(tmp_path / "named"), "--with-names"]).exit_code == 0
    assert "Pay statement: HL002 — Eli Keel" in text(tmp_path / "named", "HL002")
    assert CliRunner().invoke(main, [*PAY, "--statements", str(tmp_path / "plain")]).exit_code == 0
    assert "Eli Keel" not in text(tmp_path / "plain", "HL002")


def test_statements_are_not_overwritten_without_force(stubs):
    result = CliRunner().invoke(main, [*PAY, "--statements", str(stubs)])
    assert result.exit_code == 2 and "--force" in result.output


def workbook_preview(xlsx: Path, sheet: str, rows: int = 18, columns: int = 10) -> str:
    """The first rows of a sheet as an HTML page, cell values shown with the workbook's number formats."""
    ws = openpyxl.load_workbook(xlsx)[sheet]

    def shown(cell):
        v, f = cell.value, cell.number_format
        if v is None:
            return ""
        if hasattr(v, "strftime"):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, (int, float)) and f == "$#,##0.0000":
            return f"${v:,.4f}"
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
        trs.append(f"<tr{style}>" + "".join(f"<{tag}>{html.escape(shown(c))}</{tag}>" for c in r[:columns]) + "</tr>")
    css = ("body{font:13px Calibri,Arial,sans-serif;margin:12px}table{border-collapse:collapse}"
           "th{background:#EEF2F7;font-weight:bold;border-bottom:1px solid #333;position:sticky;top:0;white-space:normal;vertical-align:bottom}"
           "td,th{border:1px solid #d0d7de;padding:2px 6px}td{white-space:nowrap;text-align:right}td:first-child{text-align:left}"
           "caption{text-align:left;font-weight:bold;margin-bottom:6px}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}</style></head><body><table>"
            f"<caption>pay.xlsx — sheet “{html.escape(sheet)}” (first {rows} rows and the Total row; preview)</caption>"
            + "".join(trs) + "</table></body></html>")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    xlsx = tmp_path_factory.mktemp("book") / "pay.xlsx"
    assert CliRunner(env={"PEERPAY_RUN_TIME": "2025-12-01T09:00:00+00:00"}).invoke(main, [*PAY, "-o", str(xlsx)]).exit_code == 0
    return xlsx


def test_the_workbook_total_row_re_adds_and_never_adds_a_rate(workbook, report):
    ws = openpyxl.load_workbook(workbook)["pay lines"]
    head = [c.value for c in ws[1]]
    total = [c.value for c in ws[ws.max_row]]
    body = list(ws.iter_rows(min_row=2, max_row=ws.max_row - 1, values_only=True))
    assert total[0] == "Total" and len(body) == len(report["lines"])
    for i, name in enumerate(head):
        fmt = ws.cell(2, i + 1).number_format
        if name == "Regular rate":
            assert total[i] is None and fmt == "$#,##0.0000"  # a sum of rates means nothing (it added up to $220.35 once)
        elif fmt in ("$#,##0.00", "#,##0.00"):  # money and hours: the Total is the column re-added, to the cent / hundredth
            assert Decimal(str(total[i])) == sum(Decimal(str(r[i])) for r in body), name
    gross = head.index("Gross pay")
    assert Decimal(str(total[gross])) == Decimal(str(report["totals"]["gross_pay"]))


@needs_chromium
def test_screenshots_of_a_statement_and_the_workbook(stubs, workbook, tmp_path):
    stub_png = browser.screenshot(stubs / "paystub-HL002.html", 1000, 1500)
    assert browser.pixel_spread(stub_png) > 20  # a blank page is ~0
    preview = tmp_path / "preview.html"
    preview.write_text(workbook_preview(workbook, "pay lines", columns=15), encoding="utf-8")
    book_png = browser.screenshot(preview, 1400, 620)
    assert browser.pixel_spread(book_png) > 20
    if os.environ.get("PEERPAY_WRITE_SCREENSHOTS") == "1":
        (ROOT / "docs" / "img" / "paystub_sample.png").write_bytes(stub_png)
        (ROOT / "docs" / "img" / "workbook_sample.png").write_bytes(book_png)
