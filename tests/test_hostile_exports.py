"""Issue 21, items 1-4: real export shapes through maps and workbooks (built by tests/hostile_exports.py).

Each test is one defect class: the file is paid exactly (the arithmetic in a comment) or refused
with ``file:row:column: reason`` naming the right cell and the right advice, never a traceback,
``validate`` saying the same as ``pay``. Plain CSV shapes are also paid by the three engines
(tests/test_hostile_inputs.py, ``test_the_three_engines_read_real_export_shapes_alike``).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import SAMPLES
from hostile_exports import (PAYCHEX_HEADER, PUNCH_HEADER, TIMECARD_HEADER, chart_first_workbook, csv_text, map_file,
                             report_workbook, shared_string_bomb, shipped_map, shipped_map_with, stale_dimension_workbook,
                             xlsxwriter_workbook)
from peerpay.core.money import money_text_units
from peerpay.core.tables import not_a_datetime

NO_TZ = ""
NEW_YORK = 'timezone = "America/New_York"\n'
WEEKLY_OT = "[overtime]\nweekly_hours = 40\n"


@pytest.fixture
def policy(tmp_path):
    def write(text: str = NO_TZ):
        path = tmp_path / f"policy-{abs(hash(text))}.toml"
        path.write_text(text)
        return path
    return write


def pay(cli, path, policy, *extra):
    """``peerpay pay -f json``: (exit code, report or None, stderr); never a traceback."""
    result = cli(["pay", "-t", path, "-p", policy, "-f", "json", *extra])
    assert "Traceback" not in result.stderr + result.stdout
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result.exit_code, report, result.stderr


def validate(cli, path, policy, *extra):
    result = cli(["validate", "-t", path, "-p", policy, *extra])
    assert "Traceback" not in result.stderr + result.stdout
    return result.exit_code, result.stdout


def hours_and_gross(report) -> list[tuple]:
    return [(ln["employee_id"], ln["week_start"], ln["hours_worked"], ln["overtime_hours"], ln["gross_pay"]) for ln in report["lines"]]


# ------------------------------------------------------------------- 1. one reader contract


def test_a_stale_dimension_loses_no_row_and_no_column(cli, tmp_path, policy):
    # the template's <dimension> says A1:D3 (2 data rows, no Rate column); the sheet holds 6 shifts of
    # 9 h at $25.00 in a 5th column. All 6 are paid at $25.00: 54 h, 14 over 40 at 1.5:
    # 54 x 25 = 1,350.00 + 14 x 0.5 x 25 = 175.00 -> 1,525.00 (the schedule rate is never used)
    rows = [["employee_id", "start", "end", "kind", "rate"]]
    rows += [["E1", dt.datetime(2025, 3, 3 + d, 8), dt.datetime(2025, 3, 3 + d, 17), "work", 25] for d in range(6)]
    book = stale_dimension_workbook(tmp_path / "stale.xlsx", rows, "A1:D3")
    code, report, err = pay(cli, book, policy(WEEKLY_OT))
    assert code == 0, err
    assert hours_and_gross(report) == [("E1", "2025-03-02", 54.0, 14.0, 1525.0)]
    assert "6 rows read = 6 paid" in err
    assert validate(cli, book, policy(WEEKLY_OT))[0] == 0


def test_a_chart_sheet_and_a_hidden_sheet_before_the_data_are_passed_over_with_a_note(cli, tmp_path, policy):
    rows = [["employee_id", "start", "end", "rate"], ["E1", "2025-03-03 08:00", "2025-03-03 16:00", 20]]
    book = chart_first_workbook(tmp_path / "chart.xlsx", rows, hidden_lookup=True)
    code, report, err = pay(cli, book, policy())
    assert code == 0, err
    assert report["totals"] == {"hours_worked": 8.0, "gross_pay": 160.0}  # 8 h x $20
    assert "read the first visible worksheet 'Hours' ('Chart' is a chart sheet, 'Codes' is a hidden worksheet)" in err
    code, out = validate(cli, book, policy())
    assert code == 0 and "read the first visible worksheet 'Hours'" in out
    code, _, err = pay(cli, book, policy(), "--sheet", "Chart")
    assert code == 1 and "sheet 'Chart' is a chart sheet, not a table of cells: name a worksheet with --sheet" in err


def test_blank_rows_are_skipped_alike_in_a_workbook_and_its_csv_and_keep_their_numbers(cli, tmp_path, policy):
    # rows 1, 3 and 5 are shifts, row 2 and row 4 blank, row 5's end is before its start: in both
    # forms the rejection names row 5 (the clerk's row), and 2 shifts of 8 h are paid
    header = ["employee_id", "start", "end", "rate"]
    body = [["E1", "2025-03-03 08:00", "2025-03-03 16:00", 20], [None] * 4, ["E1", "2025-03-04 08:00", "2025-03-04 16:00", 20],
            [None] * 4, ["E1", "2025-03-05 08:00", "2025-03-05 07:00", 20], [None] * 4, [None] * 4]
    book = xlsxwriter_workbook(tmp_path / "blank.xlsx", header, body)
    sheet_csv = tmp_path / "blank.csv"
    sheet_csv.write_text("sep=,\n" + csv_text([header] + body))  # as Excel saves it: the sep line and ,,, rows
    for path in (book, sheet_csv):
        code, report, err = pay(cli, path, policy())
        assert code == 3, err
        assert [(p["row"], p["column"], p["reason"]) for p in report["rejected"]] == [(5, "end", "end is before start")]
        assert report["reconciliation"]["rows_read"] == 3 and report["totals"]["hours_worked"] == 16.0
        assert validate(cli, path, policy())[0] == 3


def test_a_shared_string_used_by_many_cells_is_refused_saying_what_is_too_large(cli, tmp_path, policy):
    # 400 cells x one 30,000-character string = 12 MB of text from a ~20 KB file; the limit here is 10 MB
    book = shared_string_bomb(tmp_path / "sst.xlsx", cells=400, length=30_000)
    assert book.stat().st_size < 100_000
    result = cli(["pay", "-t", book, "-p", policy(), "-f", "json"], env={"PEERPAY_MAX_INPUT_MB": "10"})
    assert result.exit_code == 1 and result.stdout == ""
    assert "its cells hold more than 10 MB of text; one string of 29 K characters is used by" in result.stderr


def test_a_huge_field_is_refused_with_its_row_and_column_in_csv_and_xlsx(cli, tmp_path, policy):
    # a 2 MB note (a spreadsheet cell holds at most 32,767 characters): refused, naming data row 3
    rows = [["employee_id", "start", "end", "rate", "notes"]] + [
        ["E1", f"2025-03-0{3 + i} 08:00", f"2025-03-0{3 + i} 16:00", 20, "x" * 2_000_000 if i == 2 else "ok"] for i in range(4)]
    path = tmp_path / "huge.csv"
    path.write_text(csv_text(rows))
    code, _, err = pay(cli, path, policy())
    assert code == 1 and "huge.csv: row 3, column notes holds 1.9 MB of text: refused" in err


def test_cells_right_of_the_header_name_their_row_and_column(cli, tmp_path, policy):
    header = ["employee_id", "start", "end"]
    book = xlsxwriter_workbook(tmp_path / "right.xlsx", header, [["E1", "2025-03-03 08:00", "2025-03-03 16:00"],
                                                                  ["E1", "2025-03-04 08:00", "2025-03-04 16:00", None, "note"]])
    code, _, err = pay(cli, book, policy())
    assert code == 1
    assert "row 2 has a value in column E, to the right of the last named column (C, 'end')" in err
    sheet_csv = tmp_path / "right.csv"  # the same sheet saved as CSV: a,b,c,, header
    sheet_csv.write_text("employee_id,start,end,,\nE1,2025-03-03 08:00,2025-03-03 16:00,,\nE1,2025-03-04 08:00,2025-03-04 16:00,,note\n")
    code, _, err = pay(cli, sheet_csv, policy())
    assert code == 1 and "row 2 has a value in column 5, which has no name in the header" in err


def test_a_workbook_given_to_the_csv_engines_is_called_a_workbook(cli, tmp_path, policy):
    book = xlsxwriter_workbook(tmp_path / "wb.xlsx", ["employee_id", "start", "end"], [["E1", "2025-03-03 08:00", "2025-03-03 16:00"]])
    for engine in (["--partitions", "2"], ["--engine", "dask"]):
        code, _, err = pay(cli, book, policy(), *engine)
        assert code == 1 and "is an Excel workbook (.xlsx), not CSV text: --partitions and --engine dask read CSV only" in err
        assert "UTF-16" not in err


def test_a_report_servers_title_rows_and_uncalculated_formulas(cli, tmp_path, policy):
    # title rows above the header (found by the map's columns); row 2's Hours is a formula openpyxl wrote
    # and nothing calculated: it reads blank, the row is rejected, and a note says why
    rows = [["W1", "Sam", None, "Hourly", 20, 8.5, dt.datetime(2025, 11, 3), dt.time(8, 0)],
            ["W1", "Sam", None, "Hourly", 20, None, dt.datetime(2025, 11, 4), dt.time(8, 0)]]
    book = report_workbook(tmp_path / "report.xlsx", PAYCHEX_HEADER, rows, formulas={1: "=8+0.5"})
    code, report, err = pay(cli, book, policy(), "--map", shipped_map("paychex_flex"))
    assert code == 3
    assert report["totals"] == {"hours_worked": 8.5, "gross_pay": 170.0}  # 8.5 h x $20
    assert [(p["row"], p["column"], p["reason"]) for p in report["rejected"]] == [(2, "Hours", "Hours is empty")]
    assert "the header is on spreadsheet row 4: rows are numbered from it (row 1 is spreadsheet row 5)" in err
    assert "1 formula cell(s) of sheet 'Report' have no saved value" in err


# ---------------------------------------------------- 2. numbers and dates through the map


def eu_export(tmp_path, comma_map: bool):
    path = tmp_path / "eu.csv"
    path.write_text("sep=;\nWorker ID;Worker Name;Job;Pay Component;Rate;Hours;Line Date;Start Time\n"
                    "W1;Jo;;Hourly;21,50;7,5;03.11.2025;08:00\n"
                    "W1;Jo;;Hourly;21,50;1,5;04.11.2025;08:00\n"
                    "W1;Jo;;Urlaub;21,50;8,0;05.11.2025;\n")
    cmap = map_file(tmp_path, "eu.toml", f"""
        delimiter = ";"
        decimal_comma = {str(comma_map).lower()}
        [columns]
        employee_id = "Worker ID"
        rate = "Rate"
        [start]
        date = "Line Date"
        time = "Start Time"
        date_format = "%d.%m.%Y"
        [end]
        hours = "Hours"
        [codes]
        column = "Pay Component"
        work = ["Hourly"]
        drop = ["Urlaub"]
        """.replace("\n        ", "\n"))
    return path, cmap


def test_decimal_comma_hours_are_read_exactly_through_the_map(cli, tmp_path, policy):
    # 7,5 h + 1,5 h = 9 h at 21,50 = 193.50 (never 75 h + 15 h); the Urlaub line is dropped with its 8 h
    path, cmap = eu_export(tmp_path, comma_map=True)
    code, report, err = pay(cli, path, policy(), "--map", cmap)
    assert code == 0, err
    assert report["totals"] == {"hours_worked": 9.0, "gross_pay": 193.5}
    assert report["map"]["dropped"] == {"Urlaub": {"rows": 1, "hours": 8.0}}


def test_a_decimal_comma_without_the_maps_word_is_not_a_number(cli, tmp_path, policy):
    path, cmap = eu_export(tmp_path, comma_map=False)
    code, report, err = pay(cli, path, policy(), "--map", cmap)
    assert code == 3 and report["totals"]["hours_worked"] == 0.0
    assert "eu.csv:1:Hours: not a number '7,5' (a comma is a thousands separator only in thousands position" in err
    assert "decimal_comma = true in the column map" in err


def test_a_windows_excel_csv_is_read_through_a_map_that_names_its_encoding(cli, tmp_path, policy):
    # Excel's plain "CSV" on a German Windows: cp1252 (Müller is one byte per letter) and semicolons
    path = tmp_path / "ansi.csv"
    path.write_bytes("Worker ID;Worker Name;Job;Pay Component;Rate;Hours;Line Date;Start Time\n"
                     "W1;Jürgen Müller;;Hourly;21,50;7,5;03.11.2025;08:00\n".encode("cp1252"))
    _, cmap = eu_export(tmp_path, comma_map=True)
    code, _, err = pay(cli, path, policy(), "--map", cmap)
    assert code == 1 and "ansi.csv: is not UTF-8 text: row 1, column worker name has other bytes" in err
    assert 'encoding = "cp1252"' in err
    named = map_file(tmp_path, "ansi.toml", 'encoding = "cp1252"\n' + cmap.read_text())
    code, report, err = pay(cli, path, policy(), "--map", named)
    assert code == 0, err
    assert report["totals"] == {"hours_worked": 7.5, "gross_pay": 161.25}  # 7.5 h x 21.50


@pytest.mark.parametrize("cell, units, comma", [
    ("(25.50)", -255000, False), ("($1,234.50)", -12345000, False), ("25,50 €", 255000, True), ("€ 1.234,50", 12345000, True),
    ("1 234,50", 12345000, True), ("£7.5", 75000, False)])
def test_the_one_number_grammar_reads_currency_and_accounting_negatives(cell, units, comma):
    got, status = money_text_units([cell], decimal_comma=comma)
    assert (int(got[0]), int(status[0])) == (units, 0)


def day_first_paychex(tmp_path) -> object:
    # twelve days of 9 h from 3 March, written day first (03/03/2025 ... 14/03/2025)
    rows = [PAYCHEX_HEADER] + [["W1", "Sam", "", "Hourly", "20.00", "9.00", (dt.date(2025, 3, 3) + dt.timedelta(days=d)).strftime("%d/%m/%Y"),
                                "08:00 AM"] for d in range(12)]
    path = tmp_path / "dayfirst.csv"
    path.write_text(csv_text(rows))
    return path


def test_day_first_dates_through_a_us_map_are_refused_never_half_guessed(cli, tmp_path, policy):
    # rows 11 and 12 (13/03, 14/03) cannot be month first; the other ten would be read as 3 March ->
    # 12 March, spread over months: the file is refused, naming the first such cell and the fix
    path = day_first_paychex(tmp_path)
    code, report, err = pay(cli, path, policy(WEEKLY_OT), "--map", shipped_map("paychex_flex"))
    assert code == 1 and report is None
    assert ("dayfirst.csv:11:Line Date: '13/03/2025' is not a %m/%d/%Y date, but it reads day first as %d/%m/%Y" in err
            and 'Set [start] date_format = "%d/%m/%Y" in the map' in err)
    code, out = validate(cli, path, policy(WEEKLY_OT), "--map", shipped_map("paychex_flex"))
    assert code == 1 and "error: dayfirst.csv:11:Line Date: '13/03/2025' is not a %m/%d/%Y date" in out
    # with the order the map names, every date is right: 12 x 9 h over two workweeks (Sun 2 Mar, Sun 9 Mar)
    fixed = map_file(tmp_path, "dayfirst.toml", shipped_map("paychex_flex").read_text().replace('date_format = "%m/%d/%Y"',
                                                                                             'date_format = "%d/%m/%Y"'))
    code, report, err = pay(cli, path, policy(WEEKLY_OT), "--map", fixed)
    assert code == 0, err
    # week of 2 Mar: 3-8 Mar, 6 x 9 = 54 h, 14 OT: 54 x 20 + 14 x 10 = 1,220.00; week of 9 Mar: the same
    assert hours_and_gross(report) == [("W1", "2025-03-02", 54.0, 14.0, 1220.0), ("W1", "2025-03-09", 54.0, 14.0, 1220.0)]


def test_slashed_dates_with_no_order_in_the_map_are_refused_with_both_orders_named(cli, tmp_path, policy):
    rows = [PAYCHEX_HEADER, ["W1", "Sam", "", "Hourly", "20.00", "8.00", "03/03/2025", "08:00 AM"],
            ["W1", "Sam", "", "Hourly", "20.00", "8.00", "04/03/2025", "08:00 AM"]]
    path = tmp_path / "ambiguous.csv"
    path.write_text(csv_text(rows))
    no_order = map_file(tmp_path, "no_order.toml", "\n".join(ln for ln in shipped_map("paychex_flex").read_text().splitlines()
                                                             if not ln.startswith("date_format")))
    code, _, err = pay(cli, path, policy(), "--map", no_order)
    assert code == 1
    assert ("ambiguous.csv:2:Line Date: '04/03/2025' can be read day first (4 March 2025) or month first (April 3, 2025)" in err
            and 'set [start] date_format = "%m/%d/%Y" (month first, US) or "%d/%m/%Y" (day first)' in err)


def test_a_z_map_reads_mixed_offsets_as_instants_on_the_policys_clock(cli, tmp_path, policy):
    # a night across the fall-back change: 22:00 -04:00 (02:00Z) to 06:00 -05:00 (11:00Z) is 9 h;
    # across spring-forward: 22:00 -05:00 (03:00Z) to 06:00 -04:00 (10:00Z) is 7 h
    path = tmp_path / "offsets.csv"
    path.write_text("Emp,Start,End,Rate\nS1,2025-11-01 22:00 -0400,2025-11-02 06:00 -0500,20\n"
                    "S2,2025-03-08 22:00 -0500,2025-03-09 06:00 -0400,20\n")
    cmap = map_file(tmp_path, "offsets.toml", '[columns]\nemployee_id = "Emp"\nrate = "Rate"\n[start]\ncolumn = "Start"\n'
                    'format = "%Y-%m-%d %H:%M %z"\n[end]\ncolumn = "End"\nformat = "%Y-%m-%d %H:%M %z"\n')
    code, report, err = pay(cli, path, policy(NEW_YORK), "--map", cmap)
    assert code == 0, err
    # S1: Saturday 22:00 to Sunday: 2 h in the week of 26 Oct, 7 h in the week of 2 Nov; S2: 2 h + 5 h
    assert [(ln["employee_id"], ln["week_start"], ln["hours_worked"]) for ln in report["lines"]] == [
        ("S1", "2025-10-26", 2.0), ("S1", "2025-11-02", 7.0), ("S2", "2025-03-02", 2.0), ("S2", "2025-03-09", 5.0)]
    # no policy timezone: no wall clock to read an instant on; each row says so (never a ValueError)
    code, report, err = pay(cli, path, policy(), "--map", cmap)
    assert code == 3 and "offsets.csv:1:Start: Start has a UTC offset '2025-11-01 22:00 -0400'" in err
    assert 'set timezone (e.g. timezone = "America/New_York") in the policy' in err


@pytest.mark.parametrize("value, advice", [
    ("13/03/2025 08:00", "it is written day first (13 March 2025), not ISO 8601: write 2025-03-13 08:00"),
    ("03/13/2025 8:00 PM", "it is written month first, US style (March 13, 2025), not ISO 8601: write 2025-03-13 20:00"),
    ("03/04/2025 08:00", "it can be read day first (3 April 2025) or month first (March 4, 2025)"),
    ("31.12.2025 23:00", 'format = "%d.%m.%Y %H:%M"'),
    ("02/30/2025 08:00", "no such date '02/30/2025 08:00' (neither day first nor month first"),
])
def test_advice_for_a_date_that_is_not_iso_matches_the_order_it_is_written_in(value, advice):
    assert advice in not_a_datetime(value)


# ----------------------------------------------------------- 3. duplicates and contradictions


def register(tmp_path) -> object:
    path = tmp_path / "register.csv"
    path.write_text(csv_text([["Employee ID", "Period Begin", "Period End", "Earnings Code", "Hours", "Rate", "Job"],
                              ["R1", "11/02/2025", "11/08/2025", "REG", "40.00", "20.00", ""],
                              ["R1", "11/02/2025", "11/08/2025", "REG", "40.00", "20.00", ""],
                              ["R2", "11/02/2025", "11/08/2025", "REG", "50.00", "20.00", ""],
                              ["R2", "11/02/2025", "11/08/2025", "PTO", "8.00", "20.00", ""]]))
    return path


def test_a_register_line_exported_twice_is_rejected_not_paid_twice(cli, tmp_path, policy):
    # R1 40 h once: 800.00 (never 80 h with 40 of overtime); R2 50 h: 50 x 20 + 10 x 10 = 1,100.00;
    # 4 rows read = 2 paid (as 5 pieces of at most 24 h: 40 = 24 + 16, 50 = 24 + 24 + 2) + 1 rejected + 1 dropped
    path = register(tmp_path)
    code, report, err = pay(cli, path, policy(WEEKLY_OT), "--map", shipped_map("summary_by_code"))
    assert code == 3
    assert hours_and_gross(report) == [("R1", "2025-11-02", 40.0, 0.0, 800.0), ("R2", "2025-11-02", 50.0, 10.0, 1100.0)]
    assert [(p["row"], p["column"]) for p in report["rejected"]] == [(2, "Period Begin")]
    assert "the same as row 1 in every cell (a line exported twice?)" in report["rejected"][0]["reason"]
    r = report["reconciliation"]
    assert (r["rows_read"], r["rows_paid"], r["rows_rejected"], r["rows_dropped"], r["pieces_paid"]) == (4, 2, 1, 1, 5)
    assert "4 rows read = 2 paid (as 5 pieces of at most 24 h) + 1 rejected + 1 dropped by the map" in err
    assert report["map"]["dropped"] == {"PTO": {"rows": 1, "hours": 8.0}}


def test_a_map_may_say_repeated_lines_are_real(cli, tmp_path, policy):
    # duplicates = "keep": R1 is paid 80 h, 40 of them overtime: 80 x 20 + 40 x 10 = 2,000.00, and a note says so
    keep = shipped_map_with(tmp_path, "summary_by_code", 'duplicates = "keep"')
    code, report, err = pay(cli, register(tmp_path), policy(WEEKLY_OT), "--map", keep)
    assert code == 0
    assert hours_and_gross(report)[0] == ("R1", "2025-11-02", 80.0, 40.0, 2000.0)
    assert '1 line(s) are exact copies of an earlier line and were kept (the map\'s duplicates = "keep")' in err


def time_card(tmp_path, extra_rows=()) -> object:
    path = tmp_path / "timecard.csv"
    path.write_text(csv_text([TIMECARD_HEADER, ["T1", "11/03/2025", "Regular", "8.00", "08:00AM", "04:30PM", "", "20"],
                              ["T1", "11/04/2025", "Regular", "0.00", "08:00AM", "08:00AM", "", "20"],
                              ["T1", "11/05/2025", "PTO", "8.00", "", "", "", ""], *extra_rows]))
    return path


def test_a_time_card_in_equal_to_out_is_rejected_and_an_amount_that_disagrees_is_warned_about(cli, tmp_path, policy):
    # row 1: Amount 8.00 after an auto-deducted meal, In 08:00 to Out 16:30 = 8.50 h: paid on the clock
    # (8.5 x 20 = 170.00) with a warning; row 2: In = Out is no shift (never 24 h); row 3: PTO dropped with its 8 h
    path = time_card(tmp_path)
    code, report, err = pay(cli, path, policy(), "--map", shipped_map("ukg_timecard"))
    assert code == 3
    assert report["totals"] == {"hours_worked": 8.5, "gross_pay": 170.0}
    assert [(p["row"], p["column"]) for p in report["rejected"]] == [(2, "Out")]
    assert "Out is the same as In" in report["rejected"][0]["reason"]
    assert report["warnings"] == [{"file": "timecard.csv", "row": 1, "column": "Amount", "reason": report["warnings"][0]["reason"]}]
    assert "Amount says 8.00 h but In to Out is 8.50 h: paid on the clock times" in err
    assert report["map"]["dropped"] == {"PTO": {"rows": 1, "hours": 8.0}}
    code, out = validate(cli, path, policy(), "--map", shipped_map("ukg_timecard"))
    assert code == 3 and "error: timecard.csv:2:Out: Out is the same as In" in out
    assert "warning: timecard.csv:1:Amount: Amount says 8.00 h but In to Out is 8.50 h" in out


def test_punches_with_seconds_follow_one_rule_in_csv_and_xlsx(cli, tmp_path, policy):
    # the 07:59:42 in-punch is rejected (times count to the minute) in both forms, its out-punch then has no in;
    # the first pair is paid: 08:00 -> 16:30 = 8.5 h
    punches = [("P1", dt.datetime(2025, 11, 3, 8, 0), "In"), ("P1", dt.datetime(2025, 11, 3, 16, 30), "Out"),
               ("P1", dt.datetime(2025, 11, 4, 7, 59, 42), "In"), ("P1", dt.datetime(2025, 11, 4, 16, 30), "Out")]
    book = xlsxwriter_workbook(tmp_path / "punches.xlsx", PUNCH_HEADER, [[p, "Pat", t, d, "Regular", None, 20] for p, t, d in punches])
    text = tmp_path / "punches.csv"
    text.write_text(csv_text([PUNCH_HEADER] + [[p, "Pat", t.strftime("%m/%d/%Y %H:%M:%S" if t.second else "%m/%d/%Y %H:%M"), d,
                                                "Regular", "", 20] for p, t, d in punches]))
    seen = []
    for path in (book, text):
        code, report, err = pay(cli, path, policy(), "--map", shipped_map("ukg_punches"))
        assert code == 3 and report["totals"]["hours_worked"] == 8.5
        seen.append([(p["row"], p["column"], p["reason"]) for p in report["rejected"]])
        assert "3 shifts read (from 4 export rows) = 1 paid + 2 rejected" in err
    assert seen[0] == seen[1] == [
        (3, "Punch DTM", "Punch DTM has seconds: times are counted to the whole minute (export the times to the minute)"),
        (4, "Punch DTM", "punch out without a punch in before it (same employee and pay code)")]


def test_ids_a_spreadsheet_mangled_are_warned_about_by_row(cli, tmp_path, policy):
    # row 1: the number 42 shown 00042 by its format: read as shown (00042, as Excel's CSV would write it);
    # row 2: 00042 typed as text: the same employee; row 3: 123456789012 shown 1.23E+11: read as its digits
    header = ["employee_id", "start", "end", "rate"]
    book = xlsxwriter_workbook(tmp_path / "ids.xlsx", header, [
        [42, "2025-03-03 08:00", "2025-03-03 16:00", 20], ["00042", "2025-03-04 08:00", "2025-03-04 16:00", 20],
        [123456789012, "2025-03-03 08:00", "2025-03-03 16:00", 20]], formats={"employee_id": "00000"})
    code, report, err = pay(cli, book, policy())
    assert code == 0, err
    assert {ln["employee_id"]: ln["hours_worked"] for ln in report["lines"]} == {"00042": 16.0, "123456789012": 8.0}
    assert [(w["row"], w["column"]) for w in report["warnings"]] == [(1, "employee_id")], report["warnings"]
    assert "ids.xlsx:1:employee_id: employee_id is a number shown with padding zeros by its cell format" in err
    # the CSV Excel saved from a sheet of long ids: 1.23457E+11 has lost its digits
    text = tmp_path / "ids.csv"
    text.write_text("employee_id,start,end,rate\n1.23457E+11,2025-03-03 08:00,2025-03-03 16:00,20\n")
    code, report, err = pay(cli, text, policy())
    assert code == 0 and report["warnings"][0]["row"] == 1
    assert "employee_id is written in scientific notation (like 1.23E+05)" in err
    assert "1.23457E+11" not in err  # ids are never printed


# ------------------------------------------------- 4. messages, rows and the reconciliation


def test_a_dropped_leave_line_is_counted_with_its_own_hours(cli, tmp_path, policy):
    # an ADP-style line with a PTO code and no clock-in: its 8.00 hours come from the Amount column
    path = tmp_path / "adp.csv"
    path.write_text("File Number,Job Code,Hours 1 Code,Hours 1 Date,Hours 1 In,Hours 1 Amount,Hours 1 Temp Rate\n"
                    "A1,,REG,11/03/2025,08:00 AM,8.00,20\nA1,,PTO,11/04/2025,,8.00,\n")
    cmap = map_file(tmp_path, "adp.toml", shipped_map("adp_wfn").read_text())
    code, report, err = pay(cli, path, policy(), "--map", cmap)
    assert code == 0, err
    assert report["map"]["dropped"] == {"PTO": {"rows": 1, "hours": 8.0}}
    assert "2 shifts read (from 2 export rows) = 1 paid + 0 rejected + 1 dropped by the map" in err


def test_the_shipped_paychex_workbook_reads_like_its_csv(cli, policy):
    # the sample workbook (a cover sheet first, real date cells) and the CSV pay the same lines
    args = ["-r", SAMPLES / "roster.csv", "-s", SAMPLES / "schedule.csv", "--map", shipped_map("paychex_flex")]
    code_csv, csv_report, _ = pay(cli, SAMPLES / "exports" / "paychex_flex.csv", SAMPLES / "policy.toml", *args)
    code_xlsx, xlsx_report, _ = pay(cli, SAMPLES / "exports" / "paychex_flex.xlsx", SAMPLES / "policy.toml", *args, "--sheet", "Hours")
    assert code_csv == code_xlsx == 0
    assert csv_report["lines"] == xlsx_report["lines"]
    # without --sheet the map's columns find the data sheet behind the cover
    code, report, err = pay(cli, SAMPLES / "exports" / "paychex_flex.xlsx", SAMPLES / "policy.toml", *args)
    assert code == 0 and report["lines"] == csv_report["lines"]
    assert "read worksheet 'Hours', the first that holds the map's columns (not 'Cover')" in err
