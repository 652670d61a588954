"""Hostile inputs at the INPUT boundary (issue 9 A): no cell becomes wrong pay, no input a traceback.

Each case is a tiny inline file written to tmp_path as ``in_*.csv`` (or an XLSX built here), paid
through the CLI (exit code + message on stderr), and, where all three engines read it, paid by
the local engine, the chunked engine (``--partitions``) and the dask engine with identical JSON.
The rules are listed in docs/input-rules.md.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from peerpay.cli import main
from peerpay.errors import InputError
from peerpay.jobs.pay import run_pay
from peerpay.core.money import money_text_units
from peerpay.models.policy import loads_policy

POLICY = 'timezone = "America/New_York"\n[overtime]\nweekly_hours = 40\n'
HEAD = "employee_id,start,end,rate\n"
DAY = "2025-03-06 08:00,2025-03-06 16:00"

# name, timesheet text, exit code, text that must be in stderr
CASES = [
    # a typo'd year is a rejected row with file:row:column, not 0 hours and $0
    ("in_pre1970", HEAD + "E1,1925-03-06 08:00,1925-03-06 16:00,20\nE1," + DAY + ",20\n", 3,
     "in_pre1970.csv:1:start: start 1925-03-06 is outside the accepted dates 1990-01-01 to 2100-12-31"),
    ("in_excel_1899", HEAD + "E1,1899-12-30 08:00,1899-12-30 16:00,20\n", 3, "in_excel_1899.csv:1:start: start 1899-12-30 is outside"),
    # year 9999 with a timezone in the policy: a rejected row, not an overflow
    ("in_year9999", HEAD + "E1,9999-03-06 08:00,9999-03-06 16:00,20\n", 3, "in_year9999.csv:1:start: start 9999-03-06 is outside"),
    # "25,50" was $2,550/h, "1,5" $15/h, "$ 2 5" $25/h
    ("in_comma_decimal", HEAD + "E1," + DAY + ',"25,50"\n', 3, "in_comma_decimal.csv:1:rate: not a number '25,50'"),
    ("in_comma_short", HEAD + "E1," + DAY + ',"1,5"\n', 3, "in_comma_short.csv:1:rate: not a number '1,5'"),
    ("in_spaced_money", HEAD + "E1," + DAY + ',"$ 2 5"\n', 3, "in_spaced_money.csv:1:rate: not a number '$ 2 5'"),
    # missing-value tokens are text: a rate of N/A is not a number (not a silent schedule rate)
    ("in_na_rate", HEAD + "E1," + DAY + ",N/A\n", 3, "in_na_rate.csv:1:rate: not a number 'N/A'"),
    ("in_hash_na_rate", HEAD + "E1," + DAY + ",#N/A\n", 3, "in_hash_na_rate.csv:1:rate: not a number '#N/A'"),
    ("in_null_rate", HEAD + "E1," + DAY + ",null\n", 3, "in_null_rate.csv:1:rate: not a number 'null'"),
    # an id "NA" is an employee called NA, not an empty id
    ("in_na_id", HEAD + "NA," + DAY + ",20\n", 0, "1 rows read = 1 paid"),
    # a 0 or -0 rate is paid $0 with a note
    ("in_zero_rate", HEAD + "E1," + DAY + ",-0\nE2," + DAY + ",0\n", 0, "note: 2 paid row(s) have a rate of 0 (or -0)"),
    # the same employee with invisible characters: one shift, the copies overlap it
    ("in_invisible_ids", HEAD + "E1," + DAY + ",20\nE1\x00," + DAY + ",20\nE1\u200b," + DAY + ",20\n\uff251," + DAY + ",20\n", 3,
     "in_invisible_ids.csv:2:start: overlaps row 1 of the same employee"),
    # a date without a time: a rejected row (a TypeError before), never a 24-hour shift
    ("in_date_only", HEAD + "E1,2025-03-06,2025-03-07,20\n", 3, "in_date_only.csv:1:start: start has no time of day '2025-03-06'"),
    ("in_time_only", HEAD + "E1,08:00,16:00,20\n", 3, "in_time_only.csv:1:start: start has no date '08:00'"),
    # CR-only line endings (old Mac exports) are read like LF, by every engine
    ("in_cr_only", (HEAD + "E1," + DAY + ",20\n").replace("\n", "\r"), 0, "1 rows read = 1 paid"),
    # a trailing comma on every data row: refused, not every column shifted by one
    ("in_trailing_comma", HEAD + "E1," + DAY + ",20,\nE2," + DAY + ",20,\n", 1,
     "row 1 has 5 fields but the header has 4 (a trailing comma at the end of the data rows"),
    ("in_blank_header", "employee_id,,end,rate\nE1," + DAY + ",20\n", 1, "column 2 of the header has no name"),
    ("in_case_dup_header", "employee_id,Start,start,end\nE1,2025-03-06 08:00," + DAY + "\n", 1,
     "column(s) start appear more than once"),
    # issue 21: Excel's "Save as CSV" shapes. Its sep=, line is read past, its ,,, rows (blank rows of the
    # sheet) are skipped as a workbook's blank rows are, and keep their numbers (the overlap names row 3: the blank row 2 still counts)
    ("in_excel_sep_line", "sep=,\n" + HEAD + "E1," + DAY + ",20\n,,,\nE1,2025-03-06 07:00,2025-03-06 09:00,20\n,,,\n", 3,
     "in_excel_sep_line.csv:1:start: overlaps row 3 of the same employee"),
    ("in_excel_blank_tail", "employee_id,start,end,rate,,\nE1," + DAY + ",20,,\n", 0, "1 rows read = 1 paid"),
    ("in_totals_line", HEAD + "E1," + DAY + ",20\nTotal hours: 8\n", 1,
     "cannot be read as CSV: row 2 has 1 field but the header has 4 (a line of notes or totals below the data? delete it)"),
    ("in_sep_semicolon", "sep=;\nemployee_id;start;end\n", 1, "its first line 'sep=;' says it is separated by semicolons"),
    # an ISO 8601 time with an offset is an instant, read on the policy's clock: 08:00-05:00 is 08:00 in New York
    ("in_offsets", HEAD + "E1,2025-03-06T08:00:00-05:00,2025-03-06T16:00:00-05:00,20\n", 0, "1 rows read = 1 paid"),
    ("in_offset_no_such_date", HEAD + "E1,2025-02-30T08:00:00-05:00,2025-03-01T16:00:00-05:00,20\n", 3,
     "in_offset_no_such_date.csv:1:start: no such date or time '2025-02-30T08:00:00-05:00'"),
    ("in_us_date", HEAD + "E1,03/13/2025 08:00,03/13/2025 16:00,20\n", 3,
     "in_us_date.csv:1:start: not a date-time '03/13/2025 08:00': it is written month first, US style (March 13, 2025)"),
    ("in_sci_id", HEAD + "1.23E+05," + DAY + ",20\n", 0,
     "warning: in_sci_id.csv:1:employee_id: employee_id is written in scientific notation"),
    ("in_huge_field", "employee_id,start,end,rate,notes\nE1," + DAY + ",20,ok\nE2," + DAY + ",20," + "x" * 1_200_000 + "\n", 1,
     "in_huge_field.csv: row 2, column notes holds 1.1 MB of text: refused"),
]
ENGINES = [(), ("--partitions", "2")]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


def _cli(args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client


@pytest.fixture
def policy(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(POLICY)
    return path


@pytest.mark.parametrize("engine", ENGINES, ids=["local", "partitions"])
@pytest.mark.parametrize("name, text, code, message", CASES, ids=[c[0] for c in CASES])
def test_hostile_input(tmp_path, policy, name, text, code, message, engine):
    path = _write(tmp_path, name, text)
    result = _cli(["pay", "-t", path, "-p", policy, "-f", "json", *engine])
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    if code == 1:
        assert result.stdout == ""


@pytest.mark.parametrize("name, text, code, message", CASES, ids=[c[0] for c in CASES])
def test_validate_says_the_same(tmp_path, policy, name, text, code, message):
    result = _cli(["validate", "-t", _write(tmp_path, name, text), "-p", policy])
    assert result.exit_code == code
    if code == 3:
        assert "error: " + message.split(": ", 1)[0] in result.stdout or message in result.stdout


def test_the_three_engines_pay_hostile_cells_identically(tmp_path, dask_client):
    from peerpay.engines.chunked import run_chunked
    from peerpay.engines.dask_engine import run_dask

    pol = loads_policy(POLICY)
    for name, text, _code, _ in CASES:
        path = _write(tmp_path, name, text)
        reports = []
        for run in (lambda: run_pay(path, pol), lambda: run_chunked(path, pol, partitions=2),  # noqa: B023 - called at once
                    lambda: run_dask(path, pol, scheduler=dask_client, partitions=2, progress=False)):  # noqa: B023
            try:
                reports.append(json.dumps(run().report, sort_keys=True, default=str))
            except InputError as exc:
                reports.append(str(exc))
        assert reports[0] == reports[1] == reports[2], name


def test_quoted_line_breaks_are_read_alike_by_every_engine(tmp_path, dask_client, monkeypatch):
    # 30,000 shifts whose notes span lines, ~2.5 MB: pyarrow's 1 MB blocks are cut inside quoted notes
    # (the fast read fails "out of sync with chunker"; peerpay reads again); 500 employees x 60 days x 8 h
    from peerpay.engines.chunked import run_chunked
    from peerpay.engines.dask_engine import run_dask

    start = dt.datetime(2025, 3, 2, 8)
    lines = [HEAD.strip() + ",notes"]
    for i in range(30_000):
        day = start + dt.timedelta(days=i // 500)
        lines.append(f"E{i % 500},{day:%Y-%m-%d %H:%M},{day + dt.timedelta(hours=8):%Y-%m-%d %H:%M},20,"
                     '"visit, then\nfollow-up call\nand notes"')
    path = tmp_path / "notes.csv"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size > 2 * 1024**2
    monkeypatch.setenv("PEERPAY_BLOCK_BYTES", str(256 * 1024))  # dask would split it, but quotes hold line breaks
    pol = loads_policy(POLICY)
    reports = [json.dumps(run().report, sort_keys=True, default=str) for run in (
        lambda: run_pay(path, pol), lambda: run_chunked(path, pol, partitions=2),
        lambda: run_dask(path, pol, scheduler=dask_client, partitions=2, progress=False))]
    assert reports[0] == reports[1] == reports[2]
    assert json.loads(reports[0])["totals"]["hours_worked"] == 240_000.0  # 30,000 x 8 h


def test_a_note_over_many_lines_across_a_block_edge_is_never_misread(tmp_path, dask_client):
    # A 200-line note whose lines look like rows ("part,of,a,long,note": as many fields as the header) straddles
    # pyarrow's 1 MB block edge. Read the fast way (line breaks ending rows) this file gave ~200 extra
    # "rows" without an error, employee 'part' starting 'of', and every later row number shifted.
    # Every engine must read 2,001 + filler rows, and name the bad row after the note by its own number.
    from peerpay.engines.chunked import run_chunked
    from peerpay.engines.dask_engine import run_dask

    lines, size = ["employee_id,start,end,rate,notes"], 33
    while size < (1 << 20) - 500:
        lines.append(f"F{len(lines)},2025-03-03 08:00,2025-03-03 08:30,20,ok")  # one half-hour shift per employee
        size += len(lines[-1]) + 1
    lines.append("E1,2025-03-04 08:00,2025-03-04 16:00,20,\"" + "\n".join(["part,of,a,long,note"] * 200) + "\"")
    lines += [f"G{j},2025-03-05 08:00,2025-03-05 08:30,20,ok" for j in range(2000)]
    lines.append("E7,2025-03-06 08:00,2025-03-06 07:00,20,end before start")
    path = tmp_path / "long_note.csv"
    path.write_text("\n".join(lines) + "\n")
    rows = len(lines) - 1
    pol = loads_policy(POLICY)
    for run in (run_pay(path, pol), run_chunked(path, pol, partitions=2), run_dask(path, pol, scheduler=dask_client, progress=False)):
        assert run.reconciliation["rows_read"] == rows
        assert [(p.row, p.column, p.reason) for p in run.problems] == [(rows, "end", "end is before start")]


def test_invisible_ids_are_one_employee_paid_once(tmp_path):
    # 4 rows of the same 8-hour shift for E1 (E1, E1+NUL, E1+zero-width space, full-width E1):
    # 1 paid (8 h x $20 = $160.00), 3 rejected as overlaps
    run = run_pay(_write(tmp_path, "in_ids", CASES[11][1]), loads_policy(POLICY))
    assert [(l["employee_id"], l["gross_pay"]) for l in run.report["lines"]] == [("E1", 160.0)]
    assert run.reconciliation["rows_rejected"] == 3
    assert "3 employee_id value(s) were normalised" in " ".join(run.shifts.attrs["notes"])


def test_validate_counts_normalised_ids_without_printing_them(tmp_path, policy):
    result = _cli(["validate", "-t", _write(tmp_path, "in_ids", CASES[11][1]), "-p", policy])
    assert "warning: in_ids.csv: 3 employee_id value(s) were normalised" in result.stdout
    assert "\u200b" not in result.stdout and "\uff25" not in result.stdout


def test_roster_and_schedule_keys_are_normalised_alike(tmp_path, policy):
    ts = _write(tmp_path, "in_ts", "employee_id,start,end\nE1\u200b," + DAY + "\n")
    roster = _write(tmp_path, "in_roster", "employee_id,role,step\n\uff251,peer\u00ad,1\n")
    schedule = _write(tmp_path, "in_schedule", "role,step,hourly_rate\npeer,1,20.00\n")
    run = run_pay(ts, loads_policy(POLICY), roster, schedule)
    assert run.report["lines"][0]["gross_pay"] == 160.0  # 8 h x $20.00


@pytest.mark.parametrize("cell, units", [
    ("25.50", 255000), ("$1,234.50", 12345000), ("19.23455", 192346),  # half-up at the 5th place
    ("19.23454", 192345), ("0.00005", 1), (".5", 5000), ("1,234,567.8", 12345678000),
])
def test_money_is_parsed_exactly_from_its_digits(cell, units):
    got, status = money_text_units([cell])
    assert (int(got[0]), int(status[0])) == (units, 0)


@pytest.mark.parametrize("cell", ["25,50", "1,5", "$ 2 5", "1,23,456", "N/A", "--5", "1.2.3", "12,34.5"])
def test_commas_outside_thousands_position_are_not_numbers(cell):
    assert int(money_text_units([cell])[1][0]) == 2


def test_a_five_decimal_rate_rounds_half_up_not_through_a_float(tmp_path):
    # 0.145 is 0.14499999999999999 as a float; 20.00005 must round half-up to $20.0001/h:
    # 8 h x 20.0001 = 160.0008 -> $160.00
    run = run_pay(_write(tmp_path, "in_rate5", HEAD + "E1," + DAY + ",20.00005\n"), loads_policy(POLICY))
    assert run.report["lines"][0]["regular_rate"] == 20.0001


def test_a_map_can_declare_a_decimal_comma(tmp_path, policy):
    export = _write(tmp_path, "in_export", 'Emp,Von,Bis,Lohn\nE1,2025-03-06 08:00,2025-03-06 16:00,"25,50"\n'
                                        'E2,2025-03-06 08:00,2025-03-06 16:00,"1,234.50"\n')
    cmap = tmp_path / "map.toml"
    cmap.write_text('decimal_comma = true\n[columns]\nemployee_id = "Emp"\nrate = "Lohn"\n'
                    '[start]\ncolumn = "Von"\n[end]\ncolumn = "Bis"\n')
    result = _cli(["pay", "-t", export, "-p", policy, "--map", cmap, "-f", "json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["lines"][0]["gross_pay"] == 204.0  # 8 h x $25.50
    assert "in_export.csv:2:Lohn: not a number '1,234.50' (the column map says a comma is the decimal point" in result.stderr


def test_the_date_window_is_set_in_the_policy(tmp_path):
    path = _write(tmp_path, "in_old", HEAD + "E1,1985-03-06 08:00,1985-03-06 16:00,20\n")
    assert run_pay(path, loads_policy(POLICY)).reconciliation["rows_rejected"] == 1
    run = run_pay(path, loads_policy(POLICY + '[input]\nearliest_date = 1980-01-01\n'))
    assert run.report["lines"][0]["gross_pay"] == 160.0
    with pytest.raises(ValueError, match="latest_date is before earliest_date"):
        loads_policy('[input]\nearliest_date = 2000-01-01\nlatest_date = 1999-01-01\n')


# ----------------------------------------------------------------------------------- XLSX


def _xlsx(path: Path, rows, *, hidden_first=False, fmt=None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if hidden_first:
        ws.title = "lookup"
        ws.append(["code", "meaning"])
        ws.sheet_state = "hidden"
        ws = wb.create_sheet("shifts")
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


XLSX_CASES = [
    ("in_dup_column.xlsx", [["employee_id", "start", "end", "Start"], ["E1", "2025-03-06 08:00", "2025-03-06 16:00", "x"]], {},
     1, "column(s) start appear more than once"),
    ("in_hidden_first.xlsx", [["employee_id", "start", "end", "rate"], ["E1", "2025-03-06 08:00", "2025-03-06 16:00", 20]],
     {"hidden_first": True}, 0, "read the first visible worksheet 'shifts' ('lookup' is a hidden worksheet)"),
    ("in_date_cells.xlsx", [["employee_id", "start", "end", "rate"], ["E1", dt.datetime(2025, 3, 6), dt.datetime(2025, 3, 7), 20]],
     {}, 3, "in_date_cells.xlsx:1:start: start has no time of day '2025-03-06'"),
    ("in_time_cells.xlsx", [["employee_id", "start", "end", "rate"], ["E1", dt.time(8, 0), dt.time(16, 0), 20]],
     {}, 3, "in_time_cells.xlsx:1:start: start has no date '08:00:00'"),
    # a whole-day start next to an end with a time is midnight: 00:00 -> 08:00 is 8 h
    ("in_midnight.xlsx", [["employee_id", "start", "end", "rate"], ["E1", dt.datetime(2025, 3, 6), dt.datetime(2025, 3, 6, 8), 20]],
     {}, 0, "1 rows read = 1 paid"),
]


@pytest.mark.parametrize("name, rows, kw, code, message", XLSX_CASES, ids=[c[0] for c in XLSX_CASES])
def test_xlsx_reads_like_csv(tmp_path, policy, name, rows, kw, code, message):
    path = _xlsx(tmp_path / name, rows, **kw)
    result = _cli(["pay", "-t", path, "-p", policy, "-f", "json"])
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    if name == "in_midnight.xlsx":
        assert json.loads(result.stdout)["totals"]["hours_worked"] == 8.0
    v = _cli(["validate", "-t", path, "-p", policy])
    assert v.exit_code == code
    if name == "in_hidden_first.xlsx":
        assert "warning: in_hidden_first.xlsx: read the first visible worksheet 'shifts'" in v.stdout


def _bomb(path: Path, sheet_xml: bytes, shared: bytes | None = None) -> Path:
    ok = _xlsx(path.with_name("base.xlsx"), [["employee_id", "start", "end"]])
    with zipfile.ZipFile(ok) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            dst.writestr(item, data)
        if shared is not None:
            dst.writestr("xl/sharedStrings.xml", shared)
    return path


NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def test_one_cell_at_xfd1048576_is_refused_before_loading(tmp_path, policy):
    sheet = NS + (b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>employee_id</t></is></c>'
                  b'</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    result = _cli(["pay", "-t", _bomb(tmp_path / "in_far_cell.xlsx", sheet), "-p", policy])
    assert result.exit_code == 1
    assert "spans 1,048,576 rows x 16,384 columns" in result.stderr


def test_a_shared_strings_bomb_is_refused_before_loading(tmp_path, policy):
    sheet = NS + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    shared = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2000000000" '
              b'uniqueCount="2000000000"><si><t>employee_id</t></si></sst>')
    result = _cli(["pay", "-t", _bomb(tmp_path / "in_sst_bomb.xlsx", sheet, shared), "-p", policy])
    assert result.exit_code == 1
    assert "xl/sharedStrings.xml declares 2,000,000,000 strings" in result.stderr
