"""The cost workbook (issue 23): totals are SUM formulas over their own cells that evaluate to the JSON's
figures, money and percent formats everywhere, "side by side" formatted row by row, input text stays text.

Read back with openpyxl: the formulas as written (``data_only=False``) are recomputed here from the cells
they name, and compared with the report's JSON to the cent.
"""

from __future__ import annotations

import json
import re

import openpyxl
import pytest

from conftest import COST_SAMPLE_ARGS

SUM = re.compile(r"^=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)$")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    from click.testing import CliRunner

    from peerpay.cli import main

    folder = tmp_path_factory.mktemp("costbook")
    path = folder / "cost.xlsx"
    args = [str(a) for a in COST_SAMPLE_ARGS] + ["--employee", "HL002"]
    runner = CliRunner()
    assert runner.invoke(main, [*args, "-o", str(path)]).exit_code == 0
    report = json.loads(runner.invoke(main, [*args, "-f", "json"]).stdout)
    return openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True), report


def header(ws):
    return [c.value for c in ws[1]]


def evaluate(ws, cell) -> float:
    """A SUM formula recomputed from the cells it names (the only formula the workbook may hold)."""
    m = SUM.match(cell.value)
    assert m and m.group(1) == m.group(3) == cell.column_letter, cell.value  # a column of its own sheet
    lo, hi = int(m.group(2)), int(m.group(4))
    assert hi < cell.row  # the lines above it
    return sum(ws[f"{m.group(1)}{r}"].value or 0 for r in range(lo, hi + 1))


def test_the_only_formulas_are_sums_of_the_lines_above_them(book):
    wb, _, _ = book
    formulas = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    evaluate(ws, c)
                    formulas += 1
    assert formulas > 50


def test_totals_by_year_and_role_evaluate_to_the_json(book):
    wb, cached, report = book
    ws, values = wb["by year and role"], cached["by year and role"]
    cols = {h: i + 1 for i, h in enumerate(header(ws))}
    checked = 0
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, cols["Role"]).value != "TOTAL":
            continue
        name, y = ws.cell(r, cols["Proposal"]).value, ws.cell(r, cols["Year"]).value
        line = next(x for p in report["proposals"] if p["name"] == name for x in p["years"] if x["year"] == y and x["role"] == "TOTAL")
        for key in ("cash_cost", "run_rate", "wages_cash", "on_costs_cash", "lump_sums", "certification_bonus"):
            cell = ws.cell(r, cols[key.replace("_", " ").capitalize().replace("Run rate", "Run rate")])
            assert round(evaluate(ws, cell), 2) == line[key] == values.cell(r, cell.column).value, (name, y, key)
            assert cell.number_format == "$#,##0.00" and cell.font.bold
            checked += 1
    assert checked == 2 * 3 * 6


def test_item_totals_and_the_increment_over_the_status_quo_evaluate_to_the_json(book):
    wb, _, report = book
    ws = wb["items"]
    cols = {h: i + 1 for i, h in enumerate(header(ws))}
    for p in report["proposals"]:
        rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, cols["Proposal"]).value == p["name"]]
        total = next(r for r in rows if ws.cell(r, cols["Item"]).value == "TOTAL")
        over = next(r for r in rows if str(ws.cell(r, cols["Item"]).value).startswith("over the status quo"))
        assert round(evaluate(ws, ws.cell(total, cols["Term cash ($)"])), 2) == p["term_cash_cost"]
        assert round(evaluate(ws, ws.cell(over, cols["Term cash ($)"])), 2) == p["over_status_quo"]["term_cash_cost"]
        for y in p["over_status_quo"]["years"]:
            c = ws.cell(over, cols[f"Year {y['year']} cash ($)"])
            assert round(evaluate(ws, c), 2) == y["cash_cost"]
        notes = [ws.cell(r, cols["Note"]).value for r in rows if ws.cell(r, cols["Note"]).value]
        assert notes == [i["note"] for i in p["items"] if i.get("note")]


def test_the_baseline_total_evaluates_to_the_json(book):
    wb, _, report = book
    ws = wb["baseline"]
    cols = {h: i + 1 for i, h in enumerate(header(ws))}
    total = report["baseline"]["by_role"][-1]
    for key, head in (("wages", "Wages"), ("on_costs", "On costs"), ("total", "Total"), ("annual_hours", "Annual hours"),
                      ("employees", "Employees")):
        assert round(evaluate(ws, ws.cell(ws.max_row, cols[head])), 2) == total[key]


def test_money_and_percent_formats_everywhere(book):
    wb, _, _ = book
    ws = wb["by year and role"]
    cols = {h: i + 1 for i, h in enumerate(header(ws))}
    assert ws.cell(2, cols["Cash cost"]).number_format == "$#,##0.00"
    assert ws.cell(2, cols["Run rate % of payroll"]).number_format == '0.00" %"'
    assert ws.cell(2, cols["Per FTE"]).number_format == "$#,##0.00"
    scale = wb["wage scale"]
    heads = header(scale)
    assert scale.cell(2, heads.index("Year 1 ($/h)") + 1).number_format == "$#,##0.00##"
    assert scale.cell(2, heads.index("Year 1 (% over today)") + 1).number_format == '0.00" %"'
    gap = wb["gap"]
    heads = header(gap)
    assert gap.cell(2, heads.index("Gap before %") + 1).number_format == '0.00" %"'
    assert gap.cell(2, heads.index("Points closed") + 1).number_format == "0.0"
    assert gap.cell(2, heads.index("Median before") + 1).number_format == "$#,##0.00"
    oncosts = wb["on-costs"]
    assert oncosts.cell(2, header(oncosts).index("Percent") + 1).number_format == '0.00" %"'
    members = wb["members"]
    heads = header(members)
    assert members.cell(3, heads.index("Annual pay ($)") + 1).number_format == "$#,##0.00"
    assert members.cell(3, heads.index("Year") + 1).value == "Year 1"


def test_side_by_side_is_formatted_row_by_row(book):
    wb, _, report = book
    ws = wb["side by side"]
    fmt = {ws.cell(r, 1).value: ws.cell(r, 2).number_format for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value is not None}
    assert fmt["year 1 cash cost ($)"] == "$#,##0.00"
    assert fmt["year 1 run-rate (% of payroll)"] == '0.00" %"'
    assert fmt["year 1 cents per hour"] == '#,##0.00"¢"'
    assert fmt["peer_specialist median rate ($/h)"] == "$#,##0.00##"
    assert fmt["value of 1 % (run-rate $/yr, from the term start)"] == "$#,##0.00"
    assert ws.freeze_panes == "A2" and all(c.font.bold for c in ws[1])


def test_input_text_that_looks_like_a_formula_stays_text(cli, tmp_path):
    from conftest import SAMPLES

    hostile = tmp_path / "hostile.toml"
    hostile.write_text((SAMPLES / "proposals" / "management.toml").read_text().replace(
        'name = "Management proposal"', 'name = "=HYPERLINK(\\"http://evil.example\\",\\"x\\")"'))
    out = tmp_path / "cost.xlsx"
    args = COST_SAMPLE_ARGS[:11]  # cost -t -p -r -s and the union's proposal
    assert cli([*args, "--proposal", hostile, "-o", out]).exit_code == 0
    wb = openpyxl.load_workbook(out)
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.startswith("'=HYPERLINK") for v in cells)  # the name, as text
    assert all(SUM.match(v) for v in cells if v.startswith("="))  # every formula is one of ours
